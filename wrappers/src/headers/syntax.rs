//! The shared grammar of HTTP header values (RFC 9110 §5.6): comma-separated
//! lists, `key=value` parameters, tokens and quoted strings.
//!
//! Every function here is total: any `&str` gives a result, never a panic.
//! Werkzeug's `parse_list_header`, `parse_dict_header`, `parse_options_header`,
//! `quote_header_value` and `dump_header` are the behavioural reference.

use std::fmt::Write as _;

use percent_encoding::percent_decode_str;

/// Whether `c` is a `tchar` (RFC 9110 §5.6.2).
pub(crate) fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// Whether `s` is a non-empty token.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.chars().all(is_token_char)
}

/// Quotes `value` unless it is a token (`allow_token`); `"` and `\` are escaped.
pub(crate) fn quote(value: &str, allow_token: bool) -> String {
    if value.is_empty() {
        return "\"\"".to_owned();
    }
    if allow_token && is_token(value) {
        return value.to_owned();
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Removes surrounding quotes and backslash escapes (the reverse of [`quote`]).
pub(crate) fn unquote(value: &str) -> String {
    let Some(inner) = value
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    else {
        return value.to_owned();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(escaped) => out.push(escaped),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Splits a comma-separated list, keeping commas inside quoted strings.
///
/// Items are trimmed, empty items dropped, and an item that is entirely one
/// quoted string is unquoted. `None` when a quoted string is not closed.
pub(crate) fn parse_list(value: &str) -> Option<Vec<String>> {
    let mut items = Vec::new();
    let mut item = String::new();
    let (mut quoted, mut escaped) = (false, false);
    for c in value.chars() {
        if escaped {
            escaped = false;
        } else if quoted {
            match c {
                '\\' => escaped = true,
                '"' => quoted = false,
                _ => {}
            }
        } else if c == ',' {
            items.push(std::mem::take(&mut item));
            continue;
        } else if c == '"' {
            quoted = true;
        }
        item.push(c);
    }
    if quoted || escaped {
        return None;
    }
    items.push(item);
    Some(
        items
            .iter()
            .map(|item| item.trim())
            .filter(|item| !item.is_empty())
            .map(unquote)
            .collect(),
    )
}

/// Parses a list of `key=value` (or bare `key`) items, in order; a repeated key
/// replaces the earlier value in place. Items whose key is not a token are skipped;
/// `key*=charset''value` items are decoded (RFC 2231). `None` when a quoted
/// string is not closed.
pub(crate) fn parse_dict(value: &str) -> Option<Vec<(String, Option<String>)>> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    for item in parse_list(value)? {
        let (key, value) = match item.split_once('=') {
            Some((key, value)) => (key.trim(), Some(value.trim())),
            None => (item.trim(), None),
        };
        // Keys are tokens (RFC 9110 §5.6.2); anything else (a stray quoted
        // string, as in `"\""`) is skipped, so what is printed parses again.
        if !is_token(key.strip_suffix('*').unwrap_or(key)) {
            continue;
        }
        let (key, value) = match (key.strip_suffix('*'), value) {
            (Some(key), Some(value)) => (key, Some(decode_extended(value, None).0)),
            (_, value) => (key, value.map(unquote)),
        };
        insert(&mut out, key.to_owned(), value);
    }
    Some(out)
}

fn insert(map: &mut Vec<(String, Option<String>)>, key: String, value: Option<String>) {
    match map.iter_mut().find(|(existing, _)| *existing == key) {
        Some(slot) => slot.1 = value,
        None => map.push((key, value)),
    }
}

/// Writes `items` as a comma-separated `key=value` list, quoting values that are
/// not tokens; a key ending in `*` is written as is (already RFC 2231 encoded).
pub(crate) fn dump_dict(items: &[(String, Option<String>)]) -> String {
    let mut out = String::new();
    for (key, value) in items {
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str(key);
        if let Some(value) = value {
            out.push('=');
            if key.ends_with('*') {
                out.push_str(value);
            } else {
                out.push_str(&quote(value, true));
            }
        }
    }
    out
}

/// Parses `value; key=value; ...` (the shape of `Content-Type` and of one item of
/// `Accept`). Parameter names are lowercased; invalid parameters are skipped;
/// RFC 2231 charsets and continuations are decoded.
pub(crate) fn parse_options(value: &str) -> (String, Vec<(String, String)>) {
    let (head, rest) = match value.split_once(';') {
        Some((head, rest)) => (head.trim(), rest.trim()),
        None => (value.trim(), ""),
    };
    if head.is_empty() || rest.is_empty() {
        return (head.to_owned(), Vec::new());
    }
    let mut raw: Vec<(String, &str)> = Vec::new();
    let mut rest = rest;
    loop {
        let key_len = rest.find(|c| !is_token_char(c)).unwrap_or(rest.len());
        if key_len > 0 && rest[key_len..].starts_with('=') {
            let key = rest[..key_len].to_ascii_lowercase();
            rest = &rest[key_len + 1..];
            let token_len = rest.find(|c| !is_token_char(c)).unwrap_or(rest.len());
            if token_len > 0 {
                raw.push((key, &rest[..token_len]));
                rest = &rest[token_len..];
            } else if rest.starts_with('"')
                && let Some(end) = closing_quote(rest)
            {
                raw.push((key, &rest[..=end]));
                rest = &rest[end + 1..];
            }
        }
        match rest.find(';') {
            Some(end) => rest = rest[end + 1..].trim_start(),
            None => break,
        }
    }
    let mut options: Vec<(String, String)> = Vec::new();
    let mut charset: Option<String> = None;
    for (key, value) in raw {
        let (key, mut value) = match key.strip_suffix('*') {
            Some(key) => {
                let (decoded, used) = decode_extended(value, charset.as_deref());
                if used.is_some() {
                    charset = used;
                }
                (key.to_owned(), decoded)
            }
            None => (key, value.to_owned()),
        };
        if value.len() >= 2 && value.starts_with('"') && value.ends_with('"') {
            value = value[1..value.len() - 1]
                .replace("\\\\", "\\")
                .replace("\\\"", "\"")
                .replace("%22", "\"");
        }
        match continuation(&key) {
            Some(base) => match options.iter_mut().find(|(k, _)| k == base) {
                Some(slot) => slot.1.push_str(&value),
                None => options.push((base.to_owned(), value)),
            },
            None => match options.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => options.push((key, value)),
            },
        }
    }
    (head.to_owned(), options)
}

/// `key*0` → `key` (an RFC 2231 continuation).
fn continuation(key: &str) -> Option<&str> {
    let star = key.rfind('*')?;
    let digits = &key[star + 1..];
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then(|| &key[..star])
}

/// The byte index of the quote closing the quoted string `s` starts with.
fn closing_quote(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut pos = 1;
    while pos < bytes.len() {
        match bytes[pos] {
            b'\\' if matches!(bytes.get(pos + 1), Some(b'\\' | b'"')) => pos += 2,
            b'"' => return Some(pos),
            _ => pos += 1,
        }
    }
    None
}

/// Decodes an RFC 2231 `charset'lang'percent-encoded` value. Only ASCII, UTF-8
/// and ISO-8859-1 are decoded (Werkzeug's safe list); with any other charset
/// the value is kept percent-encoded. Returns the value and the charset used.
fn decode_extended(value: &str, inherited: Option<&str>) -> (String, Option<String>) {
    let mut charset = inherited.map(str::to_owned);
    let mut encoded = value;
    let mut parts = value.splitn(3, '\'');
    if let (Some(cs), Some(_lang), Some(rest)) = (parts.next(), parts.next(), parts.next())
        && cs.chars().all(|c| is_token_char(c) && c != '\'')
        && !rest.is_empty()
    {
        encoded = rest;
        if !cs.is_empty() {
            charset = Some(cs.to_ascii_lowercase());
        }
    }
    match charset.as_deref() {
        Some("ascii" | "us-ascii") => (
            percent_decode_str(encoded)
                .map(|b| {
                    if b.is_ascii() {
                        char::from(b)
                    } else {
                        '\u{FFFD}'
                    }
                })
                .collect(),
            charset,
        ),
        Some("utf-8") => (
            percent_decode_str(encoded).decode_utf8_lossy().into_owned(),
            charset,
        ),
        Some("iso-8859-1") => (
            percent_decode_str(encoded).map(char::from).collect(),
            charset,
        ),
        _ => (encoded.to_owned(), None),
    }
}

/// Writes `value; key=value` with values quoted when they are not tokens.
pub(crate) fn dump_options(value: &str, options: &[(String, String)]) -> String {
    let mut out = value.to_owned();
    for (key, value) in options {
        let _ = write!(out, "; {key}={}", quote(value, true));
    }
    out
}

/// Parses a non-negative decimal integer made of ASCII digits only, after
/// trimming whitespace (Werkzeug's `_plain_int`: no sign, no `_`, no other
/// Unicode digits). `None` on overflow.
pub(crate) fn plain_u64(s: &str) -> Option<u64> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A copy of `value` short enough to carry in an error.
pub(crate) fn excerpt(value: &str) -> String {
    const MAX: usize = 64;
    if value.len() <= MAX {
        return value.to_owned();
    }
    let mut end = MAX;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &value[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(value: &str) -> Vec<String> {
        parse_list(value).unwrap_or_default()
    }

    // Werkzeug test_http.py::test_list_header
    #[test]
    fn list_header() {
        assert_eq!(list("a b"), ["a b"]);
        assert_eq!(list("a b, c"), ["a b", "c"]);
        assert_eq!(list(r#"a b, "c, d""#), ["a b", "c, d"]);
        assert_eq!(list(r#""a\"b", c"#), ["a\"b", "c"]);
        assert_eq!(list(r#"a"b,c", "d e""#), ["a\"b,c\"", "d e"]);
        assert_eq!(list("a, ,,b,"), ["a", "b"]);
        assert_eq!(parse_list(r#"a, "b, c", "d, e"#), None);
    }

    // Werkzeug test_http.py::test_dict_header
    #[test]
    fn dict_header() {
        let dict = |v: &str| parse_dict(v).unwrap_or_default();
        assert_eq!(
            dict(r#"foo="bar baz", blah=42"#),
            [
                ("foo".to_owned(), Some("bar baz".to_owned())),
                ("blah".to_owned(), Some("42".to_owned()))
            ]
        );
        assert_eq!(
            dict("foo, bar="),
            [
                ("foo".to_owned(), None),
                ("bar".to_owned(), Some(String::new()))
            ]
        );
        assert!(dict("=foo, =").is_empty());
        assert!(dict(r#"a=1, b="2, 3", c="4, d=5"#).is_empty());
    }

    /// Regression (found by the property test): `"\""` unquoted to a key `"`,
    /// which printed as a header that did not parse again.
    #[test]
    fn keys_that_are_not_tokens_are_skipped() {
        assert_eq!(parse_dict(r#""\"""#), Some(Vec::new()));
        assert_eq!(
            parse_dict(r#"max-age=5, "x", a b=1"#).unwrap(),
            [
                ("max-age".to_owned(), Some("5".to_owned())),
                ("x".to_owned(), None)
            ]
        );
    }

    fn options(value: &str) -> Vec<(String, String)> {
        let (head, options) = parse_options(value);
        assert_eq!(head, "v");
        options
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    // Werkzeug test_http.py::test_parse_options_header
    #[test]
    fn options_header() {
        assert_eq!(options("v;a=b;c=d;"), pairs(&[("a", "b"), ("c", "d")]));
        assert_eq!(options("v;  ; a=b ; "), pairs(&[("a", "b")]));
        assert_eq!(options("v;a"), pairs(&[]));
        assert_eq!(options("v;a="), pairs(&[]));
        assert_eq!(options("v;=b"), pairs(&[]));
        assert_eq!(options(r#"v;a="b""#), pairs(&[("a", "b")]));
        assert_eq!(options("v;a=µ"), pairs(&[]));
        assert_eq!(
            options(r#"v;a="';'";b="µ";"#),
            pairs(&[("a", "';'"), ("b", "µ")])
        );
        assert_eq!(options(r#"v;a="b c""#), pairs(&[("a", "b c")]));
        assert_eq!(
            options(r#"v;a="b\"c";d=e"#),
            pairs(&[("a", "b\"c"), ("d", "e")])
        );
        assert_eq!(options(r#"v;a="c:\\""#), pairs(&[("a", "c:\\")]));
        assert_eq!(options(r#"v;a="c:\""#), pairs(&[]));
        assert_eq!(options(r#"v;a="b\\\"c""#), pairs(&[("a", "b\\\"c")]));
        assert_eq!(options(r#"v;a="b%22c""#), pairs(&[("a", "b\"c")]));
        assert_eq!(options("v;a*=b"), pairs(&[("a", "b")]));
        assert_eq!(options("v;a*=ASCII'en'b"), pairs(&[("a", "b")]));
        assert_eq!(options("v;a*=US-ASCII''%62"), pairs(&[("a", "b")]));
        assert_eq!(options("v;a*=UTF-8''%C2%B5"), pairs(&[("a", "µ")]));
        assert_eq!(
            options("v;a*=US-ASCII''%C2%B5"),
            pairs(&[("a", "\u{FFFD}\u{FFFD}")])
        );
        assert_eq!(options("v;a*=BAD''%62"), pairs(&[("a", "%62")]));
        assert_eq!(
            options("v;a*=UTF-8'''%F0%9F%90%8D'.txt"),
            pairs(&[("a", "'🐍'.txt")])
        );
        assert_eq!(options(r#"v;a="🐍.txt""#), pairs(&[("a", "🐍.txt")]));
        assert_eq!(
            options("v;a*0=b;a*1=c;d=e"),
            pairs(&[("a", "bc"), ("d", "e")])
        );
        assert_eq!(options("v;a*0*=b"), pairs(&[("a", "b")]));
        assert_eq!(
            options("v;a*0*=UTF-8''b;a*1=c;a*2*=%C2%B5"),
            pairs(&[("a", "bcµ")])
        );
        let long = format!("v;a=\"{}", "\\".repeat(400));
        assert_eq!(options(&long), pairs(&[]));
    }

    // Werkzeug test_http.py::test_parse_options_header_empty / _broken_values
    #[test]
    fn options_header_edges() {
        assert_eq!(parse_options(""), (String::new(), Vec::new()));
        assert_eq!(parse_options(";a=b"), (String::new(), Vec::new()));
        assert_eq!(parse_options("v;"), ("v".to_owned(), Vec::new()));
        assert_eq!(parse_options(" , "), (",".to_owned(), Vec::new()));
        assert_eq!(parse_options(" ,; "), (",".to_owned(), Vec::new()));
        assert_eq!(parse_options(" , a "), (", a".to_owned(), Vec::new()));
        assert_eq!(parse_options(" ; a "), (String::new(), Vec::new()));
        let (_, opts) = parse_options(r#"something; fileName="File.ext""#);
        assert_eq!(opts, pairs(&[("filename", "File.ext")]));
    }

    // Werkzeug test_http.py::test_dump_options_header / test_dump_header
    #[test]
    fn dumping() {
        assert_eq!(dump_options("foo", &pairs(&[("bar", "42")])), "foo; bar=42");
        assert_eq!(
            dump_dict(&[("foo".to_owned(), Some("bar".to_owned()))]),
            "foo=bar"
        );
        assert_eq!(
            dump_dict(&[("foo*".to_owned(), Some("UTF-8''bar".to_owned()))]),
            "foo*=UTF-8''bar"
        );
        assert_eq!(quote("a b", true), "\"a b\"");
        assert_eq!(quote("a\"b\\", true), r#""a\"b\\""#);
        assert_eq!(unquote(&quote("a\"b\\c", true)), "a\"b\\c");
        assert_eq!(quote("", true), "\"\"");
    }

    #[test]
    fn plain_integers() {
        assert_eq!(plain_u64(" 42 "), Some(42));
        for bad in ["", "+1", "-1", "1_0", "🯱", "99999999999999999999999"] {
            assert_eq!(plain_u64(bad), None, "{bad}");
        }
    }
}
