//! Jinja2's text filters: `filesizeformat`, `striptags`, `center`, `xmlattr`,
//! `forceescape`, `e`.

use tera::{Kwargs, State, StringInput, TeraResult, Value};

use super::{Bounded, char_len, display};
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
    fn entities_decode() {
        assert_eq!(
            unescape_entities("a &amp; b &lt;&#65;&#x42;&foo; &"),
            "a & b <AB&foo; &"
        );
    }
}
