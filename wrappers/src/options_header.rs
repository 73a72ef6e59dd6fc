//! Headers made of a value and `; key=value` parameters: `Content-Type` and
//! the `Content-Disposition` of multipart parts.
//!
//! Follows Werkzeug's `parse_options_header`: keys are lowercased; values are
//! tokens or quoted strings (with `\"`, `\\` and the HTML form `%22` escapes);
//! RFC 2231 `key*=charset'lang'percent-encoded` values (ASCII, UTF-8 and
//! ISO-8859-1 only) and `key*0`, `key*1` continuations are joined; invalid
//! parts are skipped. Total: any input gives a value, never a panic.

use crate::MultiDict;

/// A parsed options header: the value before the first `;` and its parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct OptionsHeader {
    /// The value, trimmed (not lowercased).
    pub(crate) value: String,
    /// The parameters, keys lowercased, one value per key (the last wins).
    pub(crate) params: MultiDict,
}

impl OptionsHeader {
    /// Parses `header`.
    pub(crate) fn parse(header: &str) -> Self {
        let (value, rest) = header.split_once(';').unwrap_or((header, ""));
        let value = value.trim().to_owned();
        let rest = rest.trim();
        let mut params = MultiDict::new();
        if value.is_empty() || rest.is_empty() {
            return Self { value, params };
        }
        let mut charset: Option<String> = None;
        for (key, raw) in raw_parts(rest) {
            let (mut key, mut raw) = (key, raw.to_owned());
            if let Some(stripped) = key.strip_suffix('*') {
                key = stripped.to_owned();
                if let Some((declared, encoded)) = split_charset(&raw) {
                    let declared = declared.to_ascii_lowercase();
                    raw = encoded.to_owned();
                    if !declared.is_empty() {
                        charset = Some(declared);
                    }
                }
                if let Some(decoded) = charset.as_deref().and_then(|c| percent_decode(&raw, c)) {
                    raw = decoded;
                }
            }
            if raw.len() >= 2 && raw.starts_with('"') && raw.ends_with('"') {
                raw = raw[1..raw.len() - 1]
                    .replace("\\\\", "\\")
                    .replace("\\\"", "\"")
                    .replace("%22", "\"");
            }
            match continuation(&key) {
                Some(base) => {
                    let joined = format!("{}{raw}", params.get(base).map_or("", String::as_str));
                    params.insert(base.to_owned(), joined);
                }
                None => params.insert(key, raw),
            }
        }
        Self { value, params }
    }

    /// The value lowercased (a media type: `text/html`).
    pub(crate) fn mimetype(&self) -> String {
        self.value.to_ascii_lowercase()
    }

    /// A parameter, by lowercase key.
    pub(crate) fn param(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }
}

fn is_token(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// Splits `rest` into `(lowercase key, raw value)` pairs, skipping invalid ones.
fn raw_parts(mut rest: &str) -> Vec<(String, &str)> {
    let mut parts = Vec::new();
    loop {
        let key_len = rest.bytes().take_while(|&b| is_token(b)).count();
        if key_len > 0 && rest.as_bytes().get(key_len) == Some(&b'=') {
            let key = rest[..key_len].to_ascii_lowercase();
            rest = &rest[key_len + 1..];
            let token_len = rest.bytes().take_while(|&b| is_token(b)).count();
            if token_len > 0 {
                parts.push((key, &rest[..token_len]));
            } else if rest.starts_with('"') {
                let bytes = rest.as_bytes();
                let mut pos = 1;
                while pos < bytes.len() {
                    match bytes[pos] {
                        b'\\' if matches!(bytes.get(pos + 1), Some(b'\\' | b'"')) => pos += 2,
                        b'"' => {
                            parts.push((key, &rest[..=pos]));
                            rest = &rest[pos + 1..];
                            break;
                        }
                        _ => pos += 1,
                    }
                }
            }
        }
        match rest.find(';') {
            Some(end) => rest = rest[end + 1..].trim_start(),
            None => break,
        }
    }
    parts
}

/// `charset'language'value` → `(charset, value)`, when well formed.
fn split_charset(raw: &str) -> Option<(&str, &str)> {
    let (charset, rest) = raw.split_once('\'')?;
    let (language, value) = rest.split_once('\'')?;
    let plain = |s: &str| s.bytes().all(|b| is_token(b) && b != b'\'');
    (plain(charset) && plain(language) && !value.is_empty() && value.bytes().all(is_token))
        .then_some((charset, value))
}

/// `key*0` → `key` (an RFC 2231 continuation).
fn continuation(key: &str) -> Option<&str> {
    let digits = key.bytes().rev().take_while(u8::is_ascii_digit).count();
    let base = key[..key.len() - digits].strip_suffix('*')?;
    (digits > 0).then_some(base)
}

fn percent_decode(raw: &str, charset: &str) -> Option<String> {
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(raw).collect();
    match charset {
        "utf-8" => Some(String::from_utf8_lossy(&bytes).into_owned()),
        "ascii" | "us-ascii" => Some(
            bytes
                .iter()
                .map(|&b| if b.is_ascii() { b as char } else { '\u{FFFD}' })
                .collect(),
        ),
        "iso-8859-1" => Some(bytes.iter().map(|&b| b as char).collect()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(header: &str) -> Vec<(String, String)> {
        let parsed = OptionsHeader::parse(header);
        assert_eq!(parsed.value, "v", "{header}");
        parsed.params.into_iter().collect()
    }

    fn owned(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    // Werkzeug tests/test_http.py::test_parse_options_header (cases ported).
    #[test]
    fn werkzeug_parse_options_header_cases() {
        let cases: &[(&str, &[(&str, &str)])] = &[
            ("v;a=b;c=d;", &[("a", "b"), ("c", "d")]),
            ("v;  ; a=b ; ", &[("a", "b")]),
            ("v;a", &[]),
            ("v;a=", &[]),
            ("v;=b", &[]),
            ("v;a=\"b\"", &[("a", "b")]),
            ("v;a=µ", &[]),
            ("v;a=\"';'\";b=\"µ\";", &[("a", "';'"), ("b", "µ")]),
            ("v;a=\"b c\"", &[("a", "b c")]),
            ("v;a=\"b\\\"c\";d=e", &[("a", "b\"c"), ("d", "e")]),
            ("v;a=\"c:\\\\\"", &[("a", "c:\\")]),
            ("v;a=\"c:\\\"", &[]),
            ("v;a=\"b\\\\\\\"c\"", &[("a", "b\\\"c")]),
            ("v;a=\"b%22c\"", &[("a", "b\"c")]),
            ("v;a*=b", &[("a", "b")]),
            ("v;a*=ASCII'en'b", &[("a", "b")]),
            ("v;a*=US-ASCII''%62", &[("a", "b")]),
            ("v;a*=UTF-8''%C2%B5", &[("a", "µ")]),
            ("v;a*=US-ASCII''%C2%B5", &[("a", "\u{FFFD}\u{FFFD}")]),
            ("v;a*=BAD''%62", &[("a", "%62")]),
            ("v;a*=UTF-8'''%F0%9F%90%8D'.txt", &[("a", "'🐍'.txt")]),
            ("v;a=\"🐍.txt\"", &[("a", "🐍.txt")]),
            ("v;a*0=b;a*1=c;d=e", &[("a", "bc"), ("d", "e")]),
            ("v;a*0*=b", &[("a", "b")]),
            ("v;a*0*=UTF-8''b;a*1=c;a*2*=%C2%B5", &[("a", "bcµ")]),
        ];
        for (header, expected) in cases {
            assert_eq!(params(header), owned(expected), "{header}");
        }
        let long = format!("v;a=\"{}", "\\".repeat(400));
        assert_eq!(params(&long), owned(&[]));
    }

    // Werkzeug test_parse_options_header_empty / _broken_values / _case_insensitive.
    #[test]
    fn werkzeug_empty_and_broken_values() {
        for (header, value) in [
            ("", ""),
            (";a=b", ""),
            ("v", "v"),
            ("v;", "v"),
            (" ", ""),
            (" , ", ","),
            (" ; ", ""),
            (" ,; ", ","),
            (" , a ", ", a"),
            (" ; a ", ""),
        ] {
            let parsed = OptionsHeader::parse(header);
            assert_eq!(parsed.value, value, "{header:?}");
            assert!(parsed.params.is_empty(), "{header:?}");
        }
        let parsed = OptionsHeader::parse(r#"something; fileName="File.ext""#);
        assert_eq!(parsed.param("filename"), Some("File.ext"));
    }

    #[test]
    fn content_type_mimetype_is_lowercased() {
        let parsed = OptionsHeader::parse("Multipart/Form-Data; Boundary=\"AbC\"");
        assert_eq!(parsed.mimetype(), "multipart/form-data");
        assert_eq!(parsed.param("boundary"), Some("AbC"));
    }
}
