//! `wordwrap`: Python's `textwrap` as Jinja2 applies it, one paragraph per line.

use tera::{Kwargs, State, TeraResult};

use super::{Bounded, char_len};
use crate::sandbox::check_string_len;

/// `{{ text | wordwrap(width=79, break_long_words=true, wrapstring="\n",
/// break_on_hyphens=true) }}`: Python's `textwrap` applied to each line.
pub(crate) fn wordwrap(text: &str, kwargs: Kwargs, _: &State<'_>) -> TeraResult<String> {
    let width = kwargs.get::<i64>("width")?.unwrap_or(79);
    let break_long_words = kwargs.get::<bool>("break_long_words")?.unwrap_or(true);
    let break_on_hyphens = kwargs.get::<bool>("break_on_hyphens")?.unwrap_or(true);
    let wrapstring = kwargs.get::<&str>("wrapstring")?.unwrap_or("\n");
    if width <= 0 {
        return Err(tera::Error::message(format!(
            "wordwrap: invalid width {width} (must be > 0)"
        )));
    }
    let width = width as usize;
    // Worst case: every character on its own line.
    let chars = text.chars().count();
    check_string_len(text.len() + (chars / width + 1 + text.lines().count()) * wrapstring.len())?;
    let mut out = Bounded::new();
    for (i, line) in split_lines(text).into_iter().enumerate() {
        if i > 0 {
            out.push_str(wrapstring)?;
        }
        let wrapped = wrap(line, width, break_long_words, break_on_hyphens);
        out.push_str(&wrapped.join(wrapstring))?;
    }
    Ok(out.into_string())
}

/// Python's `str.splitlines()`.
fn split_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let is_break = matches!(
            c,
            '\n' | '\r'
                | '\u{b}'
                | '\u{c}'
                | '\u{1c}'
                | '\u{1d}'
                | '\u{1e}'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if is_break {
            lines.push(&text[start..i]);
            let mut end = i + c.len_utf8();
            if c == '\r' && iter.peek().is_some_and(|&(_, next)| next == '\n') {
                iter.next();
                end += 1;
            }
            start = end;
        }
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

fn is_wrap_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ')
}

/// Splits into whitespace runs and words; with `hyphens`, a word also breaks after a
/// hyphen that has two letters before it and a letter after it (`well-known` →
/// `well-`, `known`), as `textwrap` does.
fn chunks(text: &str, hyphens: bool) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let space = is_wrap_space(chars[i].1);
        let mut j = i + 1;
        while j < chars.len() && is_wrap_space(chars[j].1) == space {
            if !space
                && hyphens
                && chars[j - 1].1 == '-'
                && breaks_after_hyphen(&chars, start_index(&chars, start), j - 1)
            {
                break;
            }
            j += 1;
        }
        let end = chars.get(j).map_or(text.len(), |&(at, _)| at);
        out.push(&text[start..end]);
        start = end;
        i = j;
    }
    out
}

fn start_index(chars: &[(usize, char)], byte: usize) -> usize {
    chars.iter().position(|&(at, _)| at == byte).unwrap_or(0)
}

fn is_letter(c: char) -> bool {
    c.is_alphabetic()
}

/// Whether the hyphen at `hyphen` (inside the word starting at `word_start`) ends a
/// chunk: `ab-` or `a-b-` before it, `c` + optional `-` + `d` letters after it.
fn breaks_after_hyphen(chars: &[(usize, char)], word_start: usize, hyphen: usize) -> bool {
    let letter_at = |k: usize| chars.get(k).is_some_and(|&(_, c)| is_letter(c));
    let before = (hyphen >= word_start + 2 && letter_at(hyphen - 1) && letter_at(hyphen - 2))
        || (hyphen >= word_start + 3
            && letter_at(hyphen - 1)
            && chars[hyphen - 2].1 == '-'
            && letter_at(hyphen - 3));
    let after = letter_at(hyphen + 1)
        && (letter_at(hyphen + 2)
            || (chars.get(hyphen + 2).is_some_and(|&(_, c)| c == '-') && letter_at(hyphen + 3)));
    before && after
}

/// `textwrap.TextWrapper(width, expand_tabs=False, replace_whitespace=False,
/// drop_whitespace=True).wrap(text)`.
fn wrap(text: &str, width: usize, break_long_words: bool, break_on_hyphens: bool) -> Vec<String> {
    let mut pending: Vec<String> = chunks(text, break_on_hyphens)
        .into_iter()
        .rev()
        .map(str::to_string)
        .collect();
    let mut lines = Vec::new();
    while !pending.is_empty() {
        let mut line: Vec<String> = Vec::new();
        let mut len = 0;
        if !lines.is_empty() && pending.last().is_some_and(|c| c.chars().all(is_wrap_space)) {
            pending.pop();
        }
        while let Some(chunk) = pending.last() {
            let l = char_len(chunk);
            if len + l <= width {
                len += l;
                line.push(pending.pop().expect("checked"));
            } else {
                break;
            }
        }
        if pending.last().is_some_and(|c| char_len(c) > width) {
            let space_left = if width < 1 { 1 } else { width - len };
            if break_long_words {
                let chunk = pending.pop().expect("checked");
                let chars: Vec<char> = chunk.chars().collect();
                let mut end = space_left;
                if break_on_hyphens
                    && chars.len() > space_left
                    && let Some(hyphen) = chars[..space_left].iter().rposition(|&c| c == '-')
                    && hyphen > 0
                    && chars[..hyphen].iter().any(|&c| c != '-')
                {
                    end = hyphen + 1;
                }
                line.push(chars[..end].iter().collect());
                pending.push(chars[end..].iter().collect());
            } else if line.is_empty() {
                line.push(pending.pop().expect("checked"));
            }
        }
        if line.last().is_some_and(|c| c.chars().all(is_wrap_space)) {
            line.pop();
        }
        if !line.is_empty() {
            lines.push(line.concat());
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitlines_like_python() {
        assert_eq!(split_lines("a\r\nb\rc\n\nd\n"), ["a", "b", "c", "", "d"]);
        assert_eq!(split_lines(""), Vec::<&str>::new());
        assert_eq!(split_lines("x\u{2028}y"), ["x", "y"]);
    }

    #[test]
    fn chunks_split_on_spaces_and_some_hyphens() {
        assert_eq!(
            chunks("a  well-known x-y", true),
            ["a", "  ", "well-", "known", " ", "x-y"]
        );
        assert_eq!(chunks("a  well-known", false), ["a", "  ", "well-known"]);
    }
}
