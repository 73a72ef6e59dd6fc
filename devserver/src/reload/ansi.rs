//! Terminal colours (ANSI SGR sequences) to HTML, or stripped.
//!
//! rustc's coloured diagnostics use bold, the 16 basic colours (`31`,
//! `38;5;9`, ...) and resets; 256-colour and 24-bit colours are rendered
//! too. Other escape sequences (cursor movement, OSC hyperlinks) are
//! dropped, their text kept.

use std::fmt::Write;

use crate::html::escape;

/// A colour of the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Color {
    Indexed(u8),
    Rgb(u8, u8, u8),
}

/// The basic 16 colours, on a dark background (the page's terminal box).
const PALETTE: [(u8, u8, u8); 16] = [
    (0x4d, 0x4d, 0x4d),
    (0xf1, 0x4c, 0x4c),
    (0x23, 0xd1, 0x8b),
    (0xf5, 0xf5, 0x43),
    (0x3b, 0x8e, 0xea),
    (0xd6, 0x70, 0xd6),
    (0x29, 0xb8, 0xdb),
    (0xe5, 0xe5, 0xe5),
    (0x80, 0x80, 0x80),
    (0xff, 0x6b, 0x6b),
    (0x4e, 0xe8, 0xa6),
    (0xff, 0xff, 0x80),
    (0x6c, 0xb6, 0xff),
    (0xef, 0x8a, 0xef),
    (0x5c, 0xe1, 0xf5),
    (0xff, 0xff, 0xff),
];

impl Color {
    fn css(self) -> String {
        let (r, g, b) = match self {
            Color::Rgb(r, g, b) => (r, g, b),
            Color::Indexed(index @ 0..=15) => PALETTE[usize::from(index)],
            Color::Indexed(index @ 16..=231) => {
                let level = |value: u8| if value == 0 { 0 } else { 55 + value * 40 };
                let index = index - 16;
                (level(index / 36), level(index / 6 % 6), level(index % 6))
            }
            Color::Indexed(index) => {
                let grey = 8 + (index - 232) * 10;
                (grey, grey, grey)
            }
        };
        format!("#{r:02x}{g:02x}{b:02x}")
    }
}

/// The current graphic rendition.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Style {
    bold: bool,
    dim: bool,
    italic: bool,
    underline: bool,
    foreground: Option<Color>,
    background: Option<Color>,
}

impl Style {
    fn css(&self) -> String {
        let mut css = String::new();
        if self.bold {
            css.push_str("font-weight:bold;");
        }
        if self.dim {
            css.push_str("opacity:.7;");
        }
        if self.italic {
            css.push_str("font-style:italic;");
        }
        if self.underline {
            css.push_str("text-decoration:underline;");
        }
        if let Some(color) = self.foreground {
            let _ = write!(css, "color:{};", color.css());
        }
        if let Some(color) = self.background {
            let _ = write!(css, "background:{};", color.css());
        }
        css
    }

    /// Applies the parameters of one SGR sequence (`ESC [ ... m`).
    fn apply(&mut self, params: &str) {
        let codes: Vec<u32> = if params.is_empty() {
            vec![0]
        } else {
            params
                .split([';', ':'])
                .map(|code| code.parse().unwrap_or(0))
                .collect()
        };
        let mut i = 0;
        while i < codes.len() {
            let code = codes[i];
            match code {
                0 => *self = Style::default(),
                1 => self.bold = true,
                2 => self.dim = true,
                3 => self.italic = true,
                4 => self.underline = true,
                22 => {
                    self.bold = false;
                    self.dim = false;
                }
                23 => self.italic = false,
                24 => self.underline = false,
                30..=37 => self.foreground = Some(Color::Indexed((code - 30) as u8)),
                39 => self.foreground = None,
                40..=47 => self.background = Some(Color::Indexed((code - 40) as u8)),
                49 => self.background = None,
                90..=97 => self.foreground = Some(Color::Indexed((code - 90 + 8) as u8)),
                100..=107 => self.background = Some(Color::Indexed((code - 100 + 8) as u8)),
                38 | 48 => {
                    let color = match codes.get(i + 1) {
                        Some(5) => {
                            let color = codes.get(i + 2).map(|n| Color::Indexed(*n as u8));
                            i += 2;
                            color
                        }
                        Some(2) => {
                            let channel = |k: usize| codes.get(i + k).map_or(0, |n| *n as u8);
                            let color = Color::Rgb(channel(2), channel(3), channel(4));
                            i += 4;
                            Some(color)
                        }
                        _ => None,
                    };
                    if code == 38 {
                        self.foreground = color;
                    } else {
                        self.background = color;
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }
}

/// A piece of terminal output.
enum Piece<'a> {
    Text(&'a str),
    Sgr(&'a str),
}

/// Splits `input` into text and SGR sequences; other escapes are dropped.
fn pieces(input: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let bytes = input.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != 0x1b {
            i += 1;
            continue;
        }
        if start < i {
            pieces.push(Piece::Text(&input[start..i]));
        }
        match bytes.get(i + 1) {
            Some(b'[') => {
                // CSI: parameters, intermediates, then a final byte @..~.
                let mut end = i + 2;
                while end < bytes.len() && !(0x40..=0x7e).contains(&bytes[end]) {
                    end += 1;
                }
                if end < bytes.len() && bytes[end] == b'm' {
                    pieces.push(Piece::Sgr(&input[i + 2..end]));
                }
                i = (end + 1).min(bytes.len());
            }
            Some(b']') => {
                // OSC: up to BEL or ST (ESC \).
                let mut end = i + 2;
                while end < bytes.len() {
                    if bytes[end] == 0x07 {
                        end += 1;
                        break;
                    }
                    if bytes[end] == 0x1b && bytes.get(end + 1) == Some(&b'\\') {
                        end += 2;
                        break;
                    }
                    end += 1;
                }
                i = end.min(bytes.len());
            }
            Some(_) => {
                // ESC and one character (escape sequences of two bytes).
                let next = input[i + 1..].chars().next().map_or(1, char::len_utf8);
                i += 1 + next;
            }
            None => i += 1,
        }
        start = i;
    }
    if start < bytes.len() {
        pieces.push(Piece::Text(&input[start..]));
    }
    pieces
}

/// `input` without escape sequences.
pub(crate) fn strip(input: &str) -> String {
    pieces(input)
        .into_iter()
        .filter_map(|piece| match piece {
            Piece::Text(text) => Some(text),
            Piece::Sgr(_) => None,
        })
        .collect()
}

/// `input` as HTML: text escaped, colours as `<span style>`.
pub(crate) fn to_html(input: &str) -> String {
    let mut html = String::with_capacity(input.len() + input.len() / 4);
    let mut style = Style::default();
    let mut open = false;
    for piece in pieces(input) {
        match piece {
            Piece::Text(text) => {
                if !open && style != Style::default() {
                    let _ = write!(html, "<span style=\"{}\">", style.css());
                    open = true;
                }
                html.push_str(&escape(text));
            }
            Piece::Sgr(params) => {
                let mut next = style;
                next.apply(params);
                if next != style {
                    if open {
                        html.push_str("</span>");
                        open = false;
                    }
                    style = next;
                }
            }
        }
    }
    if open {
        html.push_str("</span>");
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What rustc prints for a type error, with `--color always`.
    const RUSTC: &str = "\u{1b}[0m\u{1b}[1m\u{1b}[38;5;9merror[E0308]\u{1b}[0m\u{1b}[0m\u{1b}[1m: mismatched types\u{1b}[0m\n\u{1b}[0m \u{1b}[0m\u{1b}[0m\u{1b}[1m\u{1b}[38;5;12m--> \u{1b}[0m\u{1b}[0msrc/main.rs:3:18\u{1b}[0m\n";

    #[test]
    fn strips_colours() {
        assert_eq!(
            strip(RUSTC),
            "error[E0308]: mismatched types\n --> src/main.rs:3:18\n"
        );
    }

    #[test]
    fn renders_colours_as_spans() {
        let html = to_html(RUSTC);
        assert!(
            html.starts_with("<span style=\"font-weight:bold;color:#ff6b6b;\">error[E0308]</span>"),
            "{html}"
        );
        assert!(html.contains("<span style=\"font-weight:bold;\">: mismatched types</span>"));
        assert!(html.contains("src/main.rs:3:18"));
        assert_eq!(
            html.matches("<span").count(),
            html.matches("</span>").count()
        );
    }

    #[test]
    fn escapes_text_and_keeps_it_outside_escapes() {
        assert_eq!(
            to_html("a<b>&\u{1b}[31mred\u{1b}[0m"),
            "a&lt;b&gt;&amp;<span style=\"color:#f14c4c;\">red</span>"
        );
        assert_eq!(
            to_html("\u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\"),
            "link"
        );
        assert_eq!(to_html("\u{1b}[2Kclear"), "clear");
        assert_eq!(strip("truncated \u{1b}["), "truncated ");
    }

    #[test]
    fn extended_colours() {
        assert_eq!(Color::Indexed(196).css(), "#ff0000");
        assert_eq!(Color::Indexed(232).css(), "#080808");
        assert_eq!(Color::Rgb(1, 2, 3).css(), "#010203");
        let mut style = Style::default();
        style.apply("38;2;10;20;30;48;5;2");
        assert_eq!(style.foreground, Some(Color::Rgb(10, 20, 30)));
        assert_eq!(style.background, Some(Color::Indexed(2)));
    }
}
