//! Redirects, and the check for user-supplied redirect targets.

use std::fmt;

use bytes::Bytes;
use http::StatusCode;
use http::header::{CONTENT_TYPE, HeaderValue, LOCATION};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::escape::escape_html;
use crate::idna::domain_to_ascii;
use crate::{Response, ResponseBody};

/// A redirect could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RedirectError {
    /// The target holds a control character (CR, LF, NUL, TAB, ...): written
    /// into `Location` it could split the header (response splitting).
    ControlCharacter {
        /// The byte offset of the first control character.
        position: usize,
    },
    /// The status is not a redirect status (301, 302, 303, 307 or 308).
    NotARedirect {
        /// The status given.
        status: StatusCode,
    },
    /// The target's host cannot be encoded as an ASCII host name.
    InvalidHost,
}

impl RedirectError {
    /// The HTTP status this error becomes when the target came from the
    /// client: `400` (a server-side mistake, [`RedirectError::NotARedirect`],
    /// is `500`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Response;
    ///
    /// let error = Response::redirect("/x\r\nSet-Cookie: a=b").unwrap_err();
    /// assert_eq!(error.status(), 400);
    /// ```
    pub fn status(&self) -> StatusCode {
        match self {
            RedirectError::NotARedirect { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

impl fmt::Display for RedirectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedirectError::ControlCharacter { position } => write!(
                f,
                "redirect target holds a control character at byte {position}"
            ),
            RedirectError::NotARedirect { status } => {
                write!(f, "{status} is not a redirect status")
            }
            RedirectError::InvalidHost => f.write_str("redirect target has an invalid host"),
        }
    }
}

impl std::error::Error for RedirectError {}

/// What `Location` percent-encodes besides non-ASCII: characters a URI
/// cannot hold raw. `\` is among them, so `/\evil.example` cannot become a
/// scheme-relative URL in a browser.
const LOCATION_ENCODE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// `target` as a URI: the host IDNA-encoded, non-ASCII and unsafe characters
/// percent-encoded (Werkzeug's `iri_to_uri`), `%` kept as is.
fn to_uri(target: &str) -> Result<String, RedirectError> {
    if let Some(position) = target.find(|c: char| c.is_control()) {
        return Err(RedirectError::ControlCharacter { position });
    }
    let (prefix, rest) = match target.find("://") {
        Some(at) if is_scheme(&target[..at]) => target.split_at(at + 3),
        _ => ("", target),
    };
    let mut uri = String::with_capacity(target.len());
    uri.push_str(prefix);
    let mut rest = rest;
    if !prefix.is_empty() {
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        let (userinfo, host_port) = match authority.rfind('@') {
            Some(at) => authority.split_at(at + 1),
            None => ("", authority),
        };
        let (host, port) = match host_port.rfind(':') {
            Some(colon) if !host_port.ends_with(']') => host_port.split_at(colon),
            _ => (host_port, ""),
        };
        uri.extend(utf8_percent_encode(userinfo, LOCATION_ENCODE));
        uri.push_str(&domain_to_ascii(host).ok_or(RedirectError::InvalidHost)?);
        uri.push_str(port);
        rest = tail;
    }
    uri.extend(utf8_percent_encode(rest, LOCATION_ENCODE));
    Ok(uri)
}

/// `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` (RFC 3986 §3.1).
fn is_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Whether a user-supplied redirect target (a `?next=` parameter) stays on
/// this site: a relative reference without a scheme, not scheme-relative
/// (`//host`), not `/\host` (browsers read `\` as `/`), without control
/// characters, backslashes or surrounding whitespace (browsers strip those,
/// which can turn `\t//host` into `//host`).
///
/// Use it before redirecting to anything a client sent; fall back to a
/// fixed page otherwise.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::is_safe_redirect;
///
/// assert!(is_safe_redirect("/account?tab=1#top"));
/// assert!(is_safe_redirect("profile"));
/// for unsafe_target in ["//evil.example/x", "/\\evil.example", "https://evil.example",
///                       "javascript:alert(1)", " //evil.example", "/x\r\nSet-Cookie: a=b", ""] {
///     assert!(!is_safe_redirect(unsafe_target), "{unsafe_target:?}");
/// }
/// ```
pub fn is_safe_redirect(target: &str) -> bool {
    if target.is_empty()
        || target.trim() != target
        || target.contains(|c: char| c.is_control() || c == '\\')
        || target.starts_with("//")
    {
        return false;
    }
    // A scheme is text before a ':' that comes before any '/', '?' or '#'.
    let before_path = target.split(['/', '?', '#']).next().unwrap_or_default();
    !before_path.contains(':')
}

impl Response {
    /// A `303 See Other` redirect to `location` (Werkzeug's default since
    /// 3.2: the client follows with GET whatever the method was).
    ///
    /// The location is written as given (no absolutising, as Werkzeug ≥ 2.1),
    /// with a non-ASCII host IDNA-encoded and non-ASCII or unsafe characters
    /// percent-encoded. The body is Werkzeug's small HTML page with the
    /// escaped link.
    ///
    /// # Errors
    ///
    /// [`RedirectError::ControlCharacter`] when `location` holds CR, LF or any
    /// other control character: it is never written into a header.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Response;
    ///
    /// let response = Response::redirect("/füübär").unwrap();
    /// assert_eq!(response.status(), 303);
    /// assert_eq!(response.headers()["location"], "/f%C3%BC%C3%BCb%C3%A4r");
    /// assert!(Response::redirect("/x\r\nSet-Cookie: injected=1").is_err());
    /// ```
    pub fn redirect(location: &str) -> Result<Response, RedirectError> {
        Self::redirect_with_status(location, StatusCode::SEE_OTHER)
    }

    /// A redirect with `status`: `301 Moved Permanently`, `302 Found`, `303
    /// See Other`, `307 Temporary Redirect` (keeps the method) or `308
    /// Permanent Redirect` (keeps the method, cached by clients).
    ///
    /// # Errors
    ///
    /// As [`redirect`](Self::redirect), and [`RedirectError::NotARedirect`]
    /// for any other status.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Response;
    /// use http::StatusCode;
    ///
    /// let response = Response::redirect_with_status("http://☃.example.com/", StatusCode::TEMPORARY_REDIRECT).unwrap();
    /// assert_eq!(response.headers()["location"], "http://xn--n3h.example.com/");
    /// assert!(Response::redirect_with_status("/", StatusCode::OK).is_err());
    /// ```
    pub fn redirect_with_status(
        location: &str,
        status: StatusCode,
    ) -> Result<Response, RedirectError> {
        if !matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
            return Err(RedirectError::NotARedirect { status });
        }
        let uri = to_uri(location)?;
        let value = HeaderValue::try_from(&uri)
            .map_err(|_| RedirectError::ControlCharacter { position: 0 })?;
        let link = escape_html(location);
        let body = format!(
            "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n\
             <p>You should be redirected automatically to the target URL: <a href=\"{link}\">{link}</a>. \
             If not, click the link.\n"
        );
        let mut response =
            Response::new(ResponseBody::Bytes(Bytes::from(body))).with_status(status);
        let headers = response.headers_mut();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        headers.insert(LOCATION, value);
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(to_uri("http://example.com").unwrap(), "http://example.com");
        assert_eq!(
            to_uri("itms-services://?url=abc").unwrap(),
            "itms-services://?url=abc"
        );
        assert_eq!(
            to_uri(r"/\\test.example?q").unwrap(),
            "/%5C%5Ctest.example?q"
        );
        assert_eq!(
            to_uri("https://user@bücher.example:8443/ä?q=ü#f").unwrap(),
            "https://user@xn--bcher-kva.example:8443/%C3%A4?q=%C3%BC#f"
        );
        assert_eq!(to_uri("/a%20b c").unwrap(), "/a%20b%20c");
        assert_eq!(
            to_uri("/x\nSet-Cookie: a=b"),
            Err(RedirectError::ControlCharacter { position: 2 })
        );
        assert!(to_uri("/x\u{85}").is_err());
    }

    #[test]
    fn schemes() {
        assert!(is_scheme("http") && is_scheme("itms-services") && is_scheme("a+b.c"));
        assert!(!is_scheme("") && !is_scheme("1http") && !is_scheme("ht tp"));
    }
}
