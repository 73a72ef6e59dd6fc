//! Jinja2's text filters: `filesizeformat`, `wordwrap`, `striptags`, `center`,
//! `format`, `xmlattr`, `forceescape`, `e`.

use tera::value::ValueKind;
use tera::{Kwargs, State, StringInput, TeraResult, Value};

use super::json::python_float;
use super::{Bounded, display};
use crate::escape::escape_html;
use crate::sandbox::check_string_len;

/// `{{ bytes | filesizeformat }}` → `13.0 kB`; `filesizeformat(binary=true)` → `KiB`.
pub(crate) fn filesizeformat(value: Value, kwargs: Kwargs, _: &State<'_>) -> TeraResult<String> {
    let binary = kwargs.get::<bool>("binary")?.unwrap_or(false);
    let bytes = match value.as_str() {
        Some(text) => text.trim().parse::<f64>().map_err(|_| {
            tera::Error::message(format!("filesizeformat: `{text}` is not a number"))
        })?,
        None => value.as_f64().ok_or_else(|| {
            tera::Error::message(format!(
                "filesizeformat expects a number, got {}",
                value.name()
            ))
        })?,
    };
    let base: f64 = if binary { 1024.0 } else { 1000.0 };
    let prefixes = if binary {
        ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"]
    } else {
        ["kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]
    };
    if bytes == 1.0 {
        return Ok("1 Byte".to_string());
    }
    if bytes < base {
        // Python's int() truncates toward zero.
        return Ok(format!("{} Bytes", bytes.trunc() as i64));
    }
    // Python compares the float with the exact integer power of the base.
    let base_int: u128 = if binary { 1024 } else { 1000 };
    let below = |unit: u128| bytes < 0.0 || (bytes < 3.4e38 && (bytes.floor() as u128) < unit);
    let mut unit = base_int;
    for (i, prefix) in prefixes.iter().enumerate() {
        unit = base_int.pow(i as u32 + 2);
        if below(unit) {
            return Ok(format!("{:.1} {prefix}", base * bytes / unit as f64));
        }
    }
    Ok(format!(
        "{:.1} {}",
        base * bytes / unit as f64,
        prefixes[prefixes.len() - 1]
    ))
}

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

fn char_len(s: &str) -> usize {
    s.chars().count()
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

/// `{{ html | striptags }}`: tags and comments removed, whitespace collapsed to single
/// spaces, entities decoded (MarkupSafe's `striptags`).
pub(crate) fn striptags(text: &str, _: Kwargs, _: &State<'_>) -> TeraResult<String> {
    let mut kept = String::with_capacity(text.len());
    let mut pos = 0;
    while let Some(found) = text[pos..].find('<') {
        let start = pos + found;
        let end = if text[start..].starts_with("<!--") {
            text[start + 4..].find("-->").map(|i| start + 4 + i + 3)
        } else {
            text[start..].find('>').map(|i| start + i + 1)
        };
        let Some(end) = end else { break };
        kept.push_str(&text[pos..start]);
        pos = end;
    }
    kept.push_str(&text[pos..]);
    let collapsed = kept.split_whitespace().collect::<Vec<_>>().join(" ");
    Ok(unescape_entities(&collapsed))
}

/// Decodes numeric character references and the common named entities.
fn unescape_entities(text: &str) -> String {
    const NAMED: &[(&str, char)] = &[
        ("amp", '&'),
        ("lt", '<'),
        ("gt", '>'),
        ("quot", '"'),
        ("apos", '\''),
        ("nbsp", '\u{a0}'),
        ("copy", '©'),
        ("reg", '®'),
        ("trade", '™'),
        ("hellip", '…'),
        ("mdash", '—'),
        ("ndash", '–'),
        ("lsquo", '‘'),
        ("rsquo", '’'),
        ("ldquo", '“'),
        ("rdquo", '”'),
        ("laquo", '«'),
        ("raquo", '»'),
        ("bull", '•'),
        ("middot", '·'),
        ("deg", '°'),
        ("times", '×'),
        ("divide", '÷'),
        ("euro", '€'),
        ("pound", '£'),
        ("yen", '¥'),
        ("cent", '¢'),
        ("sect", '§'),
        ("para", '¶'),
        ("shy", '\u{ad}'),
        ("iexcl", '¡'),
        ("iquest", '¿'),
        ("eacute", 'é'),
        ("egrave", 'è'),
        ("agrave", 'à'),
        ("uuml", 'ü'),
        ("ouml", 'ö'),
        ("auml", 'ä'),
        ("szlig", 'ß'),
        ("ccedil", 'ç'),
    ];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest[1..].find(';').filter(|&i| i <= 32).and_then(|semi| {
            let name = &rest[1..1 + semi];
            let c = if let Some(number) = name.strip_prefix('#') {
                let code = match number.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => number.parse().ok(),
                }?;
                char::from_u32(code)
                    .filter(|&c| c != '\0')
                    .unwrap_or('\u{fffd}')
            } else {
                NAMED.iter().find(|(n, _)| *n == name).map(|&(_, c)| c)?
            };
            Some((c, semi + 2))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `{{ text | center(width=80) }}`: Python's `str.center`.
pub(crate) fn center(text: &str, kwargs: Kwargs, _: &State<'_>) -> TeraResult<String> {
    let width = kwargs.get::<usize>("width")?.unwrap_or(80);
    let len = char_len(text);
    if width <= len {
        return Ok(text.to_string());
    }
    check_string_len(text.len() + (width - len))?;
    let margin = width - len;
    let left = margin / 2 + (margin & width & 1);
    Ok(format!(
        "{}{text}{}",
        " ".repeat(left),
        " ".repeat(margin - left)
    ))
}

/// `{{ "%s has %d items" | format(args=[name, n]) }}`: printf-style formatting
/// (`%s %d %i %f %.2f %x %X %o %e %r %%`, width and `-`/`0`/`+` flags).
pub(crate) fn format(text: &str, kwargs: Kwargs, _: &State<'_>) -> TeraResult<String> {
    let args: Vec<Value> = kwargs.get::<Vec<Value>>("args")?.unwrap_or_default();
    let mut args = args.iter();
    let mut out = Bounded::new();
    let mut chars = text.chars().peekable();
    let mut piece = String::new();
    while let Some(c) = chars.next() {
        if c != '%' {
            piece.push(c);
            continue;
        }
        let mut flags = String::new();
        while let Some(&f) = chars.peek().filter(|f| "-+0 #".contains(**f)) {
            flags.push(f);
            chars.next();
        }
        let mut width = String::new();
        while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            width.push(d);
            chars.next();
        }
        let mut precision = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                p.push(d);
                chars.next();
            }
            precision = Some(p.parse::<usize>().unwrap_or(0));
        }
        let Some(conversion) = chars.next() else {
            return Err(tera::Error::message("format: incomplete format"));
        };
        if conversion == '%' {
            piece.push('%');
            continue;
        }
        let arg = args.next().ok_or_else(|| {
            tera::Error::message("format: not enough arguments for format string")
        })?;
        let width: usize = width.parse().unwrap_or(0);
        check_string_len(width)?;
        let body = convert(arg, conversion, precision, &flags)?;
        let padded = pad(&body, width, &flags, conversion);
        piece.push_str(&padded);
        if piece.len() >= 1024 {
            out.push_str(&piece)?;
            piece.clear();
        }
    }
    if args.next().is_some() {
        return Err(tera::Error::message(
            "format: not all arguments converted during string formatting",
        ));
    }
    out.push_str(&piece)?;
    Ok(out.into_string())
}

fn convert(
    arg: &Value,
    conversion: char,
    precision: Option<usize>,
    flags: &str,
) -> TeraResult<String> {
    let number = || {
        arg.as_f64()
            .filter(|_| arg.is_number() || arg.is_bool())
            .or_else(|| arg.as_bool().map(|b| f64::from(u8::from(b))))
            .ok_or_else(|| {
                tera::Error::message(format!(
                    "format: %{conversion} needs a number, got {}",
                    arg.name()
                ))
            })
    };
    let integer = || -> TeraResult<i128> {
        match arg.as_i128() {
            Some(i) => Ok(i),
            None => Ok(number()?.trunc() as i128),
        }
    };
    let sign = |negative: bool| {
        if negative {
            "-"
        } else if flags.contains('+') {
            "+"
        } else if flags.contains(' ') {
            " "
        } else {
            ""
        }
    };
    Ok(match conversion {
        's' => {
            let s = display(arg);
            match precision {
                Some(p) => s.chars().take(p).collect(),
                None => s,
            }
        }
        'r' => match arg.kind() {
            ValueKind::String => format!("'{}'", arg.as_str().unwrap_or_default()),
            _ => display(arg),
        },
        'd' | 'i' | 'u' => {
            let i = integer()?;
            format!("{}{}", sign(i < 0), i.unsigned_abs())
        }
        'x' | 'X' | 'o' => {
            let i = integer()?;
            let digits = match conversion {
                'x' => format!("{:x}", i.unsigned_abs()),
                'X' => format!("{:X}", i.unsigned_abs()),
                _ => format!("{:o}", i.unsigned_abs()),
            };
            let prefix = match (flags.contains('#'), conversion) {
                (true, 'x') => "0x",
                (true, 'X') => "0X",
                (true, _) => "0o",
                _ => "",
            };
            format!("{}{prefix}{digits}", sign(i < 0))
        }
        'f' | 'F' => {
            let x = number()?;
            format!(
                "{}{:.*}",
                sign(x.is_sign_negative() && x != 0.0),
                precision.unwrap_or(6),
                x.abs()
            )
        }
        'e' | 'E' => {
            let x = number()?;
            let formatted = format!("{:.*e}", precision.unwrap_or(6), x.abs());
            let (mantissa, exponent) = formatted.split_once('e').expect("exponent form");
            let exponent: i32 = exponent.parse().expect("integer exponent");
            let text = format!(
                "{}{mantissa}e{}{:02}",
                sign(x.is_sign_negative() && x != 0.0),
                if exponent < 0 { '-' } else { '+' },
                exponent.abs()
            );
            if conversion == 'E' {
                text.to_uppercase()
            } else {
                text
            }
        }
        'g' => python_float(number()?),
        other => {
            return Err(tera::Error::message(format!(
                "format: unsupported format character '{other}'"
            )));
        }
    })
}

fn pad(body: &str, width: usize, flags: &str, conversion: char) -> String {
    let len = char_len(body);
    if len >= width {
        return body.to_string();
    }
    let fill = width - len;
    if flags.contains('-') {
        format!("{body}{}", " ".repeat(fill))
    } else if flags.contains('0') && conversion != 's' && conversion != 'r' {
        let digits_start = body.find(|c: char| c.is_ascii_alphanumeric()).unwrap_or(0);
        format!(
            "{}{}{}",
            &body[..digits_start],
            "0".repeat(fill),
            &body[digits_start..]
        )
    } else {
        format!("{}{body}", " ".repeat(fill))
    }
}

/// `<div{{ attrs | xmlattr }}>`: a map as escaped HTML attributes, `none` values
/// skipped, in the map's order. Marked safe.
pub(crate) fn xmlattr(value: Value, kwargs: Kwargs, _: &State<'_>) -> TeraResult<Value> {
    let autospace = kwargs.get::<bool>("autospace")?.unwrap_or(true);
    let map = value.as_map().ok_or_else(|| {
        tera::Error::message(format!("xmlattr expects a map, got {}", value.name()))
    })?;
    let mut out = Bounded::new();
    let mut first = true;
    for (key, item) in map.iter() {
        if item.is_none() || item.is_undefined() {
            continue;
        }
        let key = key.to_string();
        if key
            .chars()
            .any(|c| c.is_ascii_whitespace() || matches!(c, '/' | '>' | '='))
        {
            return Err(tera::Error::message(format!(
                "xmlattr: invalid character in attribute name: {key:?}"
            )));
        }
        if !first || autospace {
            out.push_str(" ")?;
        }
        first = false;
        out.push_str(&escape_html(&key))?;
        out.push_str("=\"")?;
        out.push_str(&escape_html(&display(item)))?;
        out.push_str("\"")?;
    }
    Ok(Value::safe_string(&out.into_string()))
}

/// `{{ value | forceescape }}`: HTML-escapes even a value marked safe.
pub(crate) fn forceescape(value: StringInput<'_>, _: Kwargs, _: &State<'_>) -> TeraResult<Value> {
    check_string_len(value.as_str().len().saturating_mul(6))?;
    Ok(Value::safe_string(&escape_html(value.as_str())))
}

/// `{{ value | e }}`: Jinja2's short name for `escape` (values already safe stay as
/// they are).
pub(crate) fn e(value: StringInput<'_>, _: Kwargs, state: &State<'_>) -> TeraResult<Value> {
    if value.is_safe() {
        return Ok(value.into_value());
    }
    check_string_len(value.as_str().len().saturating_mul(6))?;
    Ok(Value::safe_string(&state.escape(value.as_str())?))
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

    #[test]
    fn entities_decode() {
        assert_eq!(
            unescape_entities("a &amp; b &lt;&#65;&#x42;&foo; &"),
            "a & b <AB&foo; &"
        );
    }
}
