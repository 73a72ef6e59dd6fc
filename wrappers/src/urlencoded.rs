//! `application/x-www-form-urlencoded`: query strings and urlencoded forms.
//!
//! Decoding follows Werkzeug (Python's `parse_qsl` with
//! `keep_blank_values=True, errors="werkzeug.url_quote"`):
//!
//! - pairs are separated by `&` only; empty pairs are skipped;
//! - a pair without `=` is a key with the empty value;
//! - `+` is a space; `%XX` is a byte; a `%` not followed by two hex digits
//!   stays as it is;
//! - decoded bytes that are not UTF-8 are percent-encoded again (`%FF` stays
//!   `%FF`), so no byte the client sent is lost or replaced.
//!
//! Parsing never panics and stops with an error as soon as the field limit is
//! passed, before the remaining pairs are decoded.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::{MultiDict, QueryError};

/// Parses an urlencoded string into ordered pairs, with at most `max_fields`
/// pairs.
///
/// # Errors
///
/// [`QueryError::TooManyFields`] when `input` has more than `max_fields`
/// non-empty pairs.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::urlencoded;
///
/// let pairs = urlencoded::parse("q=caf%C3%A9+au+lait&tag=a&tag=b&flag&bad=%FF%zz", 100).unwrap();
/// assert_eq!(pairs.get("q").unwrap(), "café au lait");
/// assert_eq!(pairs.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
/// assert_eq!(pairs.get("flag").unwrap(), "");
/// assert_eq!(pairs.get("bad").unwrap(), "%FF%zz");
///
/// assert!(urlencoded::parse("a=1&b=2&c=3", 2).is_err());
/// ```
pub fn parse(input: &str, max_fields: usize) -> Result<MultiDict, QueryError> {
    let mut pairs = Vec::new();
    for piece in input.split('&') {
        if piece.is_empty() {
            continue;
        }
        if pairs.len() == max_fields {
            return Err(QueryError::TooManyFields { limit: max_fields });
        }
        let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
        pairs.push((decode(key).into_owned(), decode(value).into_owned()));
    }
    Ok(MultiDict::from(pairs))
}

/// Decodes one urlencoded component: `+` is a space, `%XX` a byte, invalid
/// UTF-8 is percent-encoded again.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::urlencoded::decode;
///
/// assert_eq!(decode("a+b%20c"), "a b c");
/// assert_eq!(decode("100%"), "100%");
/// assert_eq!(decode("%e9t%C3%A9"), "%E9té");
/// ```
pub fn decode(component: &str) -> Cow<'_, str> {
    if !component.bytes().any(|b| b == b'+' || b == b'%') {
        return Cow::Borrowed(component);
    }
    let bytes = component.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (hex_at(bytes, i + 1), hex_at(bytes, i + 2)) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    Cow::Owned(requote_invalid_utf8(out))
}

/// Turns bytes into a string, percent-encoding (`%XX`, upper case) every byte
/// that is not part of valid UTF-8.
pub(crate) fn requote_invalid_utf8(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let bytes = error.into_bytes();
            let mut text = String::with_capacity(bytes.len() + 8);
            for chunk in bytes.utf8_chunks() {
                text.push_str(chunk.valid());
                for byte in chunk.invalid() {
                    let _ = write!(text, "%{byte:02X}");
                }
            }
            text
        }
    }
}

fn hex_at(bytes: &[u8], index: usize) -> Option<u8> {
    match *bytes.get(index)? {
        byte @ b'0'..=b'9' => Some(byte - b'0'),
        byte @ b'a'..=b'f' => Some(byte - b'a' + 10),
        byte @ b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Encodes pairs as `application/x-www-form-urlencoded` (the HTML form
/// serializer: space becomes `+`, everything but `A-Z a-z 0-9 * - . _` is
/// percent-encoded).
///
/// # Examples
///
/// ```
/// use carafe_wrappers::urlencoded;
///
/// let body = urlencoded::encode([("q", "café au lait"), ("x", "a&b=c")]);
/// assert_eq!(body, "q=caf%C3%A9+au+lait&x=a%26b%3Dc");
/// assert_eq!(urlencoded::parse(&body, 10).unwrap().get("x").unwrap(), "a&b=c");
/// ```
pub fn encode<K: AsRef<str>, V: AsRef<str>>(pairs: impl IntoIterator<Item = (K, V)>) -> String {
    let mut out = String::new();
    for (key, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        encode_component(&mut out, key.as_ref());
        out.push('=');
        encode_component(&mut out, value.as_ref());
    }
    out
}

fn encode_component(out: &mut String, component: &str) {
    for &byte in component.as_bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(byte as char);
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(input: &str) -> Vec<(String, String)> {
        parse(input, 1000).unwrap().into_iter().collect()
    }

    fn owned(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    // Cases from Werkzeug's test_urls / test_wrappers (args and form decoding).
    #[test]
    fn werkzeug_cases() {
        assert_eq!(
            pairs("foo=bar&foo=hehe"),
            owned(&[("foo", "bar"), ("foo", "hehe")])
        );
        assert_eq!(
            pairs("foo=blub+hehe&blah=42"),
            owned(&[("foo", "blub hehe"), ("blah", "42")])
        );
        assert_eq!(pairs("foo=%2f"), owned(&[("foo", "/")]));
        assert_eq!(
            pairs("next=http%3A%2F%2Fwww.example.com%2F%3Fnext%3D%2Fbaz%23my%3Dhash"),
            owned(&[("next", "http://www.example.com/?next=/baz#my=hash")])
        );
        // Invalid bytes remain percent encoded (Werkzeug 2.3+).
        assert_eq!(pairs("a=%C3%28"), owned(&[("a", "%C3(")]));
    }

    #[test]
    fn blank_and_missing_values() {
        assert_eq!(
            pairs("a=&b&&=c&"),
            owned(&[("a", ""), ("b", ""), ("", "c")])
        );
        assert_eq!(pairs(""), owned(&[]));
        assert_eq!(pairs("a=b=c"), owned(&[("a", "b=c")]));
        // Only `&` separates pairs (Python 3.10+).
        assert_eq!(pairs("a=1;b=2"), owned(&[("a", "1;b=2")]));
    }

    #[test]
    fn invalid_percent_encoding_is_kept() {
        assert_eq!(decode("%"), "%");
        assert_eq!(decode("%4"), "%4");
        assert_eq!(decode("%zz%4g"), "%zz%4g");
        assert_eq!(decode("%%41"), "%A");
        assert_eq!(decode("%ff%FE"), "%FF%FE");
    }

    #[test]
    fn field_limit_counts_non_empty_pairs() {
        assert!(parse("a&b&&&", 2).is_ok());
        assert!(matches!(
            parse("a&b&c", 2),
            Err(QueryError::TooManyFields { limit: 2 })
        ));
        assert!(parse("", 0).is_ok());
        assert!(parse("a", 0).is_err());
    }

    #[test]
    fn encode_then_parse_is_identity() {
        let original = owned(&[("k y", "v&l=u+e%"), ("ü", "😀"), ("", "")]);
        let body = encode(original.iter().map(|(k, v)| (k, v)));
        assert_eq!(pairs(&body), original);
    }
}
