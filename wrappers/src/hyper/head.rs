//! Checks on the request head that hyper does not make itself (sans-IO).

use std::fmt;

use http::header::HOST;
use http::request::Parts;
use http::{StatusCode, Version};

/// Limits on the request head, with gunicorn's defaults and names.
///
/// hyper parses the head and rejects what is malformed (bare LF, NUL, obs-fold,
/// invalid names, smuggling attempts) and heads larger than its buffer; these
/// limits add what gunicorn checks on top: the length of the request line
/// (`limit_request_line`, 4094 → `414`), the number of header fields
/// (`limit_request_fields`, 100 → `431`) and the size of one field line
/// (`limit_request_field_size`, 8190 → `431`).
///
/// # Examples
///
/// ```
/// use carafe_wrappers::hyper::HeadLimits;
///
/// let limits = HeadLimits::default();
/// assert_eq!(limits.request_line(), 4094);
/// assert_eq!(limits.header_fields(), 100);
/// assert_eq!(limits.with_header_field_size(16_384).header_field_size(), 16_384);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeadLimits {
    request_line: usize,
    header_fields: usize,
    header_field_size: usize,
}

impl Default for HeadLimits {
    fn default() -> Self {
        Self {
            request_line: 4094,
            header_fields: 100,
            header_field_size: 8190,
        }
    }
}

impl HeadLimits {
    /// The longest request line (`GET /path?query HTTP/1.1`, without CRLF), in bytes.
    pub fn request_line(&self) -> usize {
        self.request_line
    }

    /// The most header fields a request may have.
    pub fn header_fields(&self) -> usize {
        self.header_fields
    }

    /// The largest header field line (`name: value`, without CRLF), in bytes.
    pub fn header_field_size(&self) -> usize {
        self.header_field_size
    }

    /// Returns these limits with `request_line` set to `value`.
    #[must_use]
    pub fn with_request_line(mut self, value: usize) -> Self {
        self.request_line = value;
        self
    }

    /// Returns these limits with `header_fields` set to `value`.
    #[must_use]
    pub fn with_header_fields(mut self, value: usize) -> Self {
        self.header_fields = value;
        self
    }

    /// Returns these limits with `header_field_size` set to `value`.
    #[must_use]
    pub fn with_header_field_size(mut self, value: usize) -> Self {
        self.header_field_size = value;
        self
    }

    /// The largest head (request line and every field) these limits allow, in
    /// bytes: what hyper's own `max_header_size` is set to.
    pub fn max_head_size(&self) -> usize {
        self.request_line
            .saturating_add(2)
            .saturating_add(
                self.header_fields
                    .saturating_mul(self.header_field_size + 2),
            )
            .saturating_add(2)
    }
}

/// Why a request head was refused before the application saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeadError {
    /// The request line is longer than `limit_request_line` (a `414`).
    RequestLineTooLong {
        /// The length of the request line, in bytes.
        length: usize,
        /// The limit that fired.
        limit: usize,
    },
    /// More header fields than `limit_request_fields` (a `431`).
    TooManyHeaders {
        /// How many fields the request has.
        count: usize,
        /// The limit that fired.
        limit: usize,
    },
    /// One header field line is larger than `limit_request_field_size` (a `431`).
    HeaderFieldTooLarge {
        /// The field's name.
        name: String,
        /// The size of the field line, in bytes.
        size: usize,
        /// The limit that fired.
        limit: usize,
    },
    /// An HTTP/1.1 request without a `Host` header (a `400`, RFC 9112 §3.2).
    MissingHost,
    /// A request with more than one `Host` header (a `400`, RFC 9112 §3.2).
    DuplicateHost,
    /// A `Host` header that is not a valid authority (a `400`, RFC 9112 §3.2).
    InvalidHost,
}

impl HeadError {
    /// The status this error is answered with.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::hyper::HeadError;
    ///
    /// assert_eq!(HeadError::MissingHost.status(), 400);
    /// ```
    pub fn status(&self) -> StatusCode {
        match self {
            HeadError::RequestLineTooLong { .. } => StatusCode::URI_TOO_LONG,
            HeadError::TooManyHeaders { .. } | HeadError::HeaderFieldTooLarge { .. } => {
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
            }
            HeadError::MissingHost | HeadError::DuplicateHost | HeadError::InvalidHost => {
                StatusCode::BAD_REQUEST
            }
        }
    }
}

impl fmt::Display for HeadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeadError::RequestLineTooLong { length, limit } => write!(
                f,
                "request line is {length} bytes, over limit_request_line ({limit} bytes)"
            ),
            HeadError::TooManyHeaders { count, limit } => write!(
                f,
                "request has {count} header fields, over limit_request_fields ({limit})"
            ),
            HeadError::HeaderFieldTooLarge { name, size, limit } => write!(
                f,
                "header field {name:?} is {size} bytes, over limit_request_field_size ({limit} bytes)"
            ),
            HeadError::MissingHost => f.write_str("an HTTP/1.1 request must have a Host header"),
            HeadError::DuplicateHost => f.write_str("a request must not have two Host headers"),
            HeadError::InvalidHost => f.write_str("the Host header is not a valid host"),
        }
    }
}

impl std::error::Error for HeadError {}

/// Checks a parsed request head against `limits` and RFC 9112's Host rules.
///
/// # Errors
///
/// The first [`HeadError`] found.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::hyper::{HeadError, HeadLimits, check_head};
///
/// let (ok, ()) = http::Request::get("/").header("host", "example.com").body(()).unwrap().into_parts();
/// assert_eq!(check_head(&ok, &HeadLimits::default()), Ok(()));
///
/// let (no_host, ()) = http::Request::get("/").body(()).unwrap().into_parts();
/// assert_eq!(check_head(&no_host, &HeadLimits::default()), Err(HeadError::MissingHost));
/// ```
pub fn check_head(head: &Parts, limits: &HeadLimits) -> Result<(), HeadError> {
    let line = request_line_length(head);
    if line > limits.request_line {
        return Err(HeadError::RequestLineTooLong {
            length: line,
            limit: limits.request_line,
        });
    }
    let count = head.headers.len();
    if count > limits.header_fields {
        return Err(HeadError::TooManyHeaders {
            count,
            limit: limits.header_fields,
        });
    }
    let mut hosts = 0;
    for (name, value) in &head.headers {
        let size = name.as_str().len() + 2 + value.len();
        if size > limits.header_field_size {
            return Err(HeadError::HeaderFieldTooLarge {
                name: name.as_str().to_owned(),
                size,
                limit: limits.header_field_size,
            });
        }
        if name == HOST {
            hosts += 1;
            if !is_valid_host(value.as_bytes()) {
                return Err(HeadError::InvalidHost);
            }
        }
    }
    match hosts {
        0 if head.version == Version::HTTP_11 => Err(HeadError::MissingHost),
        0 | 1 => Ok(()),
        _ => Err(HeadError::DuplicateHost),
    }
}

/// The length of `METHOD SP target SP HTTP/x.y`, as the client sent it.
fn request_line_length(head: &Parts) -> usize {
    let uri = &head.uri;
    let mut target = uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    if let Some(scheme) = uri.scheme_str() {
        target += scheme.len() + 3;
    }
    if let Some(authority) = uri.authority() {
        target += authority.as_str().len();
    }
    head.method.as_str().len() + 1 + target + 1 + "HTTP/1.1".len()
}

/// The bytes of a reg-name (RFC 3986 §3.2.2: unreserved, sub-delims and the
/// `%` of percent-encoding), as a table: every request's `Host` goes
/// through it.
const REG_NAME: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'%'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
            );
        byte += 1;
    }
    table
};

/// `uri-host [ ":" port ]` (RFC 9110 §7.2), or empty: no whitespace, no
/// userinfo, no path, a numeric port.
fn is_valid_host(value: &[u8]) -> bool {
    if value.is_empty() {
        return true;
    }
    let (host, port) = if value.first() == Some(&b'[') {
        // IP-literal
        let Some(end) = value.iter().position(|&b| b == b']') else {
            return false;
        };
        let host = &value[1..end];
        if !host
            .iter()
            .all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.'))
        {
            return false;
        }
        match &value[end + 1..] {
            [] => (&value[..=end], None),
            [b':', port @ ..] => (&value[..=end], Some(port)),
            _ => return false,
        }
    } else {
        match value.iter().rposition(|&b| b == b':') {
            Some(colon) => (&value[..colon], Some(&value[colon + 1..])),
            None => (value, None),
        }
    };
    let host_ok = host.first() == Some(&b'[')
        || (!host.is_empty() && host.iter().all(|&b| REG_NAME[usize::from(b)]));
    let port_ok = port.is_none_or(|port| port.len() <= 5 && port.iter().all(u8::is_ascii_digit));
    host_ok && port_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(build: http::request::Builder) -> Parts {
        build.body(()).unwrap().into_parts().0
    }

    #[test]
    fn request_line_length_counts_method_target_and_version() {
        let parts = head(http::Request::get("/abc?x=1").header("host", "h"));
        assert_eq!(request_line_length(&parts), "GET /abc?x=1 HTTP/1.1".len());
        let absolute = head(http::Request::get("http://example.com/a").header("host", "h"));
        assert_eq!(
            request_line_length(&absolute),
            "GET http://example.com/a HTTP/1.1".len()
        );
    }

    #[test]
    fn long_request_line_is_414() {
        let target = format!("/{}", "a".repeat(4100));
        let parts = head(http::Request::get(target.as_str()).header("host", "h"));
        let error = check_head(&parts, &HeadLimits::default()).unwrap_err();
        assert_eq!(error.status(), 414);
        assert!(
            error
                .to_string()
                .contains("limit_request_line (4094 bytes)")
        );
    }

    #[test]
    fn large_field_is_431_naming_the_field() {
        let parts = head(
            http::Request::get("/")
                .header("host", "h")
                .header("x-big", "v".repeat(9000)),
        );
        let error = check_head(&parts, &HeadLimits::default()).unwrap_err();
        assert_eq!(error.status(), 431);
        assert!(error.to_string().contains("\"x-big\""), "{error}");
    }

    #[test]
    fn field_of_exactly_the_limit_is_accepted() {
        let value = "v".repeat(8190 - "x-big: ".len());
        let parts = head(
            http::Request::get("/")
                .header("host", "h")
                .header("x-big", value),
        );
        assert_eq!(check_head(&parts, &HeadLimits::default()), Ok(()));
    }

    #[test]
    fn too_many_fields_is_431() {
        let mut builder = http::Request::get("/").header("host", "h");
        for i in 0..100 {
            builder = builder.header(format!("x-{i}"), "1");
        }
        let error = check_head(&head(builder), &HeadLimits::default()).unwrap_err();
        assert_eq!(
            error,
            HeadError::TooManyHeaders {
                count: 101,
                limit: 100
            }
        );
    }

    #[test]
    fn host_rules_of_rfc_9112() {
        let limits = HeadLimits::default();
        let two = head(
            http::Request::get("/")
                .header("host", "a")
                .header("host", "b"),
        );
        assert_eq!(check_head(&two, &limits), Err(HeadError::DuplicateHost));
        let http10 = head(http::Request::get("/").version(Version::HTTP_10));
        assert_eq!(check_head(&http10, &limits), Ok(()));
        for bad in [
            "a b",
            "a/b",
            "user@host",
            "host:port",
            "[::1",
            "[zz]",
            "a\"b",
            "a^b",
            "é.fr",
        ] {
            let parts = head(http::Request::get("/").header("host", bad));
            assert_eq!(
                check_head(&parts, &limits),
                Err(HeadError::InvalidHost),
                "{bad}"
            );
        }
        for good in [
            "",
            "localhost",
            "example.com:8080",
            "[::1]:80",
            "127.0.0.1",
            "a-b_c~d%41!$&'()*+,;=.Z9",
        ] {
            let parts = head(http::Request::get("/").header("host", good));
            assert_eq!(check_head(&parts, &limits), Ok(()), "{good}");
        }
    }
}
