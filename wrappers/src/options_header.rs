//! Headers made of a value and `; key=value` parameters: `Content-Type` and
//! the `Content-Disposition` of multipart parts.
//!
//! Follows Werkzeug's `parse_options_header`: keys are lowercased; values are
//! tokens or quoted strings (with `\"`, `\\` and the HTML form `%22` escapes);
//! RFC 2231 `key*=charset'lang'percent-encoded` values (ASCII, UTF-8 and
//! ISO-8859-1 only) and `key*0`, `key*1` continuations are joined; invalid
//! parts are skipped. Total: any input gives a value, never a panic. The
//! parsing itself is `headers::syntax::parse_options`, which the typed
//! headers (`Accept`) share; this type adds the multi-dict view.

use crate::MultiDict;
use crate::headers::syntax::parse_options;

/// A parsed options header: the value before the first `;` and its parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct OptionsHeader {
    /// The value, trimmed (not lowercased).
    pub(crate) value: String,
    /// The parameters, keys lowercased, one value per key (the last wins).
    pub(crate) params: MultiDict,
}

impl OptionsHeader {
    /// Parses `header` (with [`parse_options`], shared with the typed headers).
    pub(crate) fn parse(header: &str) -> Self {
        let (value, options) = parse_options(header);
        let mut params = MultiDict::new();
        for (key, value) in options {
            params.insert(key, value);
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
