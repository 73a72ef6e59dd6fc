//! The lexer of the sandbox's scan: Tera 2's tokens inside `{{ }}` and `{% %}` (with
//! the default delimiters), `{# #}` comments and `{% raw %}` blocks skipped, as Tera's
//! own lexer does. Linear, never recursive; on input Tera would reject it stops.

use std::ops::Range;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok<'a> {
    Ident(&'a str),
    Str(String),
    Number,
    Op(&'a str),
}

#[derive(Debug, Clone)]
pub(super) struct Token<'a> {
    pub(super) tok: Tok<'a>,
    pub(super) span: Range<usize>,
}

/// One `{% ... %}` or `{{ ... }}`: its tokens, and its delimiters.
pub(super) struct Block<'a> {
    pub(super) tokens: Vec<Token<'a>>,
    /// Where `{%`/`{{` starts, and whether it is `{%-`.
    pub(super) open: usize,
    pub(super) open_trims: bool,
    /// Where `%}`/`}}` ends, and whether it is `-%}`.
    pub(super) close_end: usize,
    pub(super) close_trims: bool,
}

pub(super) fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

pub(super) fn find_start(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    rest.windows(2)
        .position(|w| w == b"{{" || w == b"{%" || w == b"{#")
        .map(|i| from + i)
}

/// If a `{% raw %}` tag (with optional `-`) starts at `at`, the offset after it.
pub(super) fn raw_tag(source: &str, at: usize) -> Option<usize> {
    tag_named(source, at, "raw")
}

/// If `{%[-] NAME [-]%}` starts at `at`, the offset after it.
fn tag_named(source: &str, at: usize, name: &str) -> Option<usize> {
    let mut rest = source.get(at..)?.strip_prefix("{%")?;
    rest = rest.strip_prefix('-').unwrap_or(rest);
    rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
    rest = rest.strip_prefix(name)?;
    rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
    rest = rest.strip_prefix('-').unwrap_or(rest);
    rest = rest.strip_prefix("%}")?;
    Some(source.len() - rest.len())
}

/// The offset after the `{% endraw %}` that closes the raw block starting at `at`.
pub(super) fn end_of_raw(source: &str, at: usize) -> Option<usize> {
    let mut from = raw_tag(source, at)?;
    while let Some(open) = find(source.as_bytes(), from, b"{%") {
        if let Some(end) = tag_named(source, open, "endraw") {
            return Some(end);
        }
        from = open + 2;
    }
    None
}

/// Lexes `{% ... %}` (`tag`) or `{{ ... }}` starting at `at`, as Tera does.
pub(super) fn lex_block(source: &str, at: usize, tag: bool) -> Option<Block<'_>> {
    let bytes = source.as_bytes();
    let open_trims = bytes.get(at + 2) == Some(&b'-');
    let mut i = at + 2 + usize::from(open_trims);
    let end_marker: &[u8] = if tag { b"%}" } else { b"}}" };
    let mut tokens = Vec::new();
    loop {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let rest = bytes.get(i..)?;
        if rest.is_empty() {
            return None;
        }
        if rest.starts_with(b"-") && rest[1..].starts_with(end_marker) {
            return Some(Block {
                tokens,
                open: at,
                open_trims,
                close_end: i + 3,
                close_trims: true,
            });
        }
        if rest.starts_with(end_marker) {
            return Some(Block {
                tokens,
                open: at,
                open_trims,
                close_end: i + 2,
                close_trims: false,
            });
        }
        let start = i;
        let op = |len: usize| Some(Tok::Op(&source[start..start + len]));
        let tok = if rest.starts_with(b"...") {
            i += 3;
            op(3)
        } else if rest.len() >= 2
            && [
                b"//", b"**", b"==", b"!=", b">=", b"<=", b"</", b"?.", b"?[",
            ]
            .contains(&&[rest[0], rest[1]])
        {
            i += 2;
            op(2)
        } else {
            match rest[0] {
                b'\'' | b'"' | b'`' => {
                    let quote = rest[0];
                    let mut j = 1;
                    let mut text = String::new();
                    loop {
                        match rest.get(j)? {
                            b'\\' => {
                                let escaped = *rest.get(j + 1)?;
                                text.push(match escaped {
                                    b'n' => '\n',
                                    b't' => '\t',
                                    b'r' => '\r',
                                    other => other as char,
                                });
                                j += 2;
                            }
                            &c if c == quote => break,
                            _ => {
                                let ch = source[start + j..].chars().next()?;
                                text.push(ch);
                                j += ch.len_utf8();
                            }
                        }
                    }
                    i += j + 1;
                    Some(Tok::Str(text))
                }
                c if c.is_ascii_digit() => {
                    let mut seen_dot = false;
                    while let Some(&d) = bytes.get(i) {
                        if d.is_ascii_digit() || (d == b'.' && !seen_dot) {
                            seen_dot |= d == b'.';
                            i += 1;
                        } else {
                            break;
                        }
                    }
                    Some(Tok::Number)
                }
                c if c == b'_' || c.is_ascii_alphabetic() => {
                    while bytes
                        .get(i)
                        .is_some_and(|&d| d == b'_' || d.is_ascii_alphanumeric())
                    {
                        i += 1;
                    }
                    Some(Tok::Ident(&source[start..i]))
                }
                b'+' | b'-' | b'*' | b'/' | b'%' | b'!' | b'.' | b',' | b':' | b'~' | b'|'
                | b'=' | b'>' | b'<' | b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'@' => {
                    i += 1;
                    op(1)
                }
                // Not Tera syntax; Tera reports it. Skip the character.
                _ => {
                    i += source[i..].chars().next().map_or(1, char::len_utf8);
                    None
                }
            }
        };
        if let Some(tok) = tok {
            tokens.push(Token {
                tok,
                span: start..i,
            });
        }
    }
}
