//! The request's `Cookie` header, parsed as Werkzeug parses it.

use http::HeaderMap;
use http::header::COOKIE;

use crate::{CookieError, MultiDict};

/// Parses a `Cookie` header value into ordered `(name, value)` pairs
/// (Werkzeug's `parse_cookie`).
///
/// - pairs are separated by `;`, names and values are trimmed;
/// - a pair with an empty name is skipped, so `=__Host-x=evil` cannot plant
///   a cookie named `__Host-x`;
/// - a name without `=` has the empty value;
/// - a value in double quotes is unquoted: `\"`, `\\` and the octal escapes
///   `\ooo` of Python's `http.cookies` are decoded (invalid UTF-8 produced by
///   octal escapes becomes U+FFFD, as in Werkzeug);
/// - names and values are not percent-decoded;
/// - a name sent twice keeps both values; [`MultiDict::get`] returns the
///   first, as browsers send the most specific cookie first.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::cookies::parse_cookie;
///
/// let cookies = parse_cookie(r#"=__Host-sess=evil; __Host-sess=good; theme="dark \"blue\""; flag"#);
/// assert_eq!(cookies.get("__Host-sess").unwrap(), "good");
/// assert_eq!(cookies.get("theme").unwrap(), "dark \"blue\"");
/// assert_eq!(cookies.get("flag").unwrap(), "");
/// assert_eq!(cookies.len(), 3);
/// ```
pub fn parse_cookie(header: &str) -> MultiDict {
    let bytes = header.as_bytes();
    let mut pairs = Vec::new();
    let mut pos = skip_space(bytes, 0);
    while pos < bytes.len() {
        let key_end = bytes[pos..]
            .iter()
            .position(|&b| b == b'=' || b == b';')
            .map_or(bytes.len(), |i| pos + i);
        let key = &header[pos..key_end];
        let value;
        if bytes.get(key_end) == Some(&b'=') {
            let start = skip_space(bytes, key_end + 1);
            match quoted_end(bytes, start) {
                Some(end) => {
                    value = &header[start..end];
                    pos = next_pair(bytes, end);
                }
                None => {
                    let end = find_semicolon(bytes, start);
                    value = &header[start..end];
                    pos = next_pair(bytes, end);
                }
            }
        } else {
            value = "";
            pos = next_pair(bytes, key_end);
        }
        let key = key.trim();
        if key.is_empty() {
            continue;
        }
        let value = value.trim();
        let value = if value.len() >= 2 && value.starts_with('"') && value.ends_with('"') {
            unslash(&value[1..value.len() - 1])
        } else {
            value.to_owned()
        };
        pairs.push((key.to_owned(), value));
    }
    MultiDict::from(pairs)
}

/// Parses every `Cookie` header of a request (joined with `;`, as HTTP/2
/// clients split them), bounded by `max_size` bytes.
///
/// # Errors
///
/// [`CookieError::HeaderTooLarge`] (431) when the headers together exceed
/// `max_size`, before anything is parsed; [`CookieError::InvalidUtf8`] (400)
/// when a header is not UTF-8.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::cookies::parse_cookie_headers;
/// use http::HeaderMap;
///
/// let mut headers = HeaderMap::new();
/// headers.append("cookie", "a=1".parse().unwrap());
/// headers.append("cookie", "b=2".parse().unwrap());
/// let cookies = parse_cookie_headers(&headers, 8190).unwrap();
/// assert_eq!(cookies.get("b").unwrap(), "2");
///
/// let error = parse_cookie_headers(&headers, 4).unwrap_err();
/// assert_eq!(error.status(), 431);
/// ```
pub fn parse_cookie_headers(
    headers: &HeaderMap,
    max_size: usize,
) -> Result<MultiDict, CookieError> {
    let values = headers.get_all(COOKIE);
    let size = values.iter().map(|value| value.len()).sum::<usize>()
        + values.iter().count().saturating_sub(1);
    if size > max_size {
        return Err(CookieError::HeaderTooLarge {
            size,
            limit: max_size,
        });
    }
    let mut joined = String::with_capacity(size);
    for value in values {
        let text = std::str::from_utf8(value.as_bytes()).map_err(|_| CookieError::InvalidUtf8)?;
        if !joined.is_empty() {
            joined.push(';');
        }
        joined.push_str(text);
    }
    Ok(parse_cookie(&joined))
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

fn skip_space(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len() && is_space(bytes[pos]) {
        pos += 1;
    }
    pos
}

fn find_semicolon(bytes: &[u8], start: usize) -> usize {
    bytes[start..]
        .iter()
        .position(|&b| b == b';')
        .map_or(bytes.len(), |i| start + i)
}

/// The position after the `;` that ends the pair at `end` (and its spaces).
fn next_pair(bytes: &[u8], end: usize) -> usize {
    let semicolon = find_semicolon(bytes, end);
    skip_space(bytes, semicolon + 1)
}

/// When a quoted string starts at `start` and only spaces separate its closing
/// quote from the next `;` (or the end), the position after the closing quote.
fn quoted_end(bytes: &[u8], start: usize) -> Option<usize> {
    if bytes.get(start) != Some(&b'"') {
        return None;
    }
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if i + 1 < bytes.len() && bytes[i + 1] != b'\n' => i += 2,
            b'"' => {
                let after = skip_space(bytes, i + 1);
                return (after == bytes.len() || bytes[after] == b';').then_some(i + 1);
            }
            _ => i += 1,
        }
    }
    None
}

/// Decodes `\ooo` octal escapes and `\x` escapes of a quoted cookie value.
fn unslash(quoted: &str) -> String {
    let bytes = quoted.as_bytes();
    if !bytes.contains(&b'\\') {
        return quoted.to_owned();
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 1 < bytes.len() && bytes[i + 1] != b'\n' {
            let octal = bytes.get(i + 1..i + 4).filter(|d| {
                (b'0'..=b'3').contains(&d[0]) && d[1..].iter().all(|b| (b'0'..=b'7').contains(b))
            });
            match octal {
                Some(d) => {
                    out.push((d[0] - b'0') << 6 | (d[1] - b'0') << 3 | (d[2] - b'0'));
                    i += 4;
                }
                None => {
                    out.push(bytes[i + 1]);
                    i += 2;
                }
            }
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(header: &str) -> Vec<(String, String)> {
        parse_cookie(header).into_iter().collect()
    }

    fn owned(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    // Werkzeug tests/test_http.py::test_parse_cookie.
    #[test]
    fn werkzeug_parse_cookie() {
        let cookies = parse_cookie(
            "dismiss-top=6; CP=null*; PHPSESSID=0a539d42abc001cdc762809248d4beed;\
             a=42; b=\"\\\";\"; ; fo234{=bar;blub=Blah; \"__Secure-c\"=d;\
             ==__Host-eq=bad;__Host-eq=good;",
        );
        let expected = [
            ("dismiss-top", "6"),
            ("CP", "null*"),
            ("PHPSESSID", "0a539d42abc001cdc762809248d4beed"),
            ("a", "42"),
            ("b", "\";"),
            ("fo234{", "bar"),
            ("blub", "Blah"),
            ("\"__Secure-c\"", "d"),
            ("__Host-eq", "good"),
        ];
        for (name, value) in expected {
            assert_eq!(cookies.get(name).map(String::as_str), Some(value), "{name}");
        }
        assert_eq!(cookies.len(), expected.len());
    }

    // Werkzeug test_bad_cookies and test_empty_keys_are_ignored.
    #[test]
    fn werkzeug_bad_cookies() {
        let cookies = parse_cookie("first=IamTheFirst ; a=1; oops ; a=2 ;second = andMeTwo;");
        assert_eq!(
            cookies.into_iter().collect::<Vec<_>>(),
            owned(&[
                ("first", "IamTheFirst"),
                ("a", "1"),
                ("oops", ""),
                ("a", "2"),
                ("second", "andMeTwo"),
            ])
        );
        assert_eq!(
            flat("spam=ham; duck=mallard; ; "),
            owned(&[("spam", "ham"), ("duck", "mallard")])
        );
    }

    // Werkzeug test_cookie_quoting, test_parse_set_cookie_directive,
    // test_cookie_unicode_dumping (parse side), test_cookie_unicode_keys.
    #[test]
    fn werkzeug_quoting() {
        assert_eq!(parse_cookie("foo=?foo; Path=/").get("foo").unwrap(), "?foo");
        assert_eq!(
            parse_cookie(r#"foo="foo\054bar""#).get("foo").unwrap(),
            "foo,bar"
        );
        assert_eq!(
            flat(r#"foo="?foo"; version="0.1";"#),
            owned(&[("foo", "?foo"), ("version", "0.1")])
        );
        assert_eq!(
            parse_cookie(r#"foo="\342\230\203"; Path=/"#)
                .get("foo")
                .unwrap(),
            "☃"
        );
        assert_eq!(
            parse_cookie(r#"fö="f\303\266"; Path=/"#).get("fö").unwrap(),
            "fö"
        );
    }

    // Werkzeug test_cookie_unicode_parsing: Firefox sends a Unicode cookie
    // as raw UTF-8 bytes (which WSGI shows as latin-1 text "fÃ¶").
    #[test]
    fn werkzeug_unicode_cookie_bytes() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            http::HeaderValue::from_bytes("fö=fö".as_bytes()).unwrap(),
        );
        let cookies = parse_cookie_headers(&headers, 100).unwrap();
        assert_eq!(cookies.get("fö").unwrap(), "fö");
    }

    // The attack corpus' cookie-nameless-host-prefix.http.
    #[test]
    fn nameless_cookie_cannot_plant_a_host_prefixed_one() {
        let cookies = parse_cookie("=__Host-sess=evil; __Host-sess=good");
        assert_eq!(cookies.get("__Host-sess").unwrap(), "good");
        assert_eq!(cookies.len(), 1);
    }

    #[test]
    fn quoted_value_followed_by_text_is_taken_verbatim() {
        assert_eq!(
            flat(r#"a="b"c; d=e"#),
            owned(&[("a", "\"b\"c"), ("d", "e")])
        );
        assert_eq!(
            flat(r#"a="unterminated; d=e"#),
            owned(&[("a", "\"unterminated"), ("d", "e")])
        );
        assert_eq!(flat(r#"a="x;y"; b=1"#), owned(&[("a", "x;y"), ("b", "1")]));
    }

    #[test]
    fn header_limit_and_utf8() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, http::HeaderValue::from_bytes(b"a=\xff").unwrap());
        assert!(matches!(
            parse_cookie_headers(&headers, 100),
            Err(CookieError::InvalidUtf8)
        ));
        headers.insert(COOKIE, "a=1234567".parse().unwrap());
        assert!(parse_cookie_headers(&headers, 9).is_ok());
        let error = parse_cookie_headers(&headers, 8).unwrap_err();
        assert!(matches!(
            error,
            CookieError::HeaderTooLarge { size: 9, limit: 8 }
        ));
        assert_eq!(
            error.to_string(),
            "cookie header is 9 bytes, over max_cookie_header_size (8 bytes)"
        );
    }
}
