//! Reading a captured HTTP/1.1 request (a `.http` fixture file).

use std::fmt;
use std::io::Cursor;

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, HeaderName, HeaderValue, TRANSFER_ENCODING};
use http::{Method, Version};

use crate::Body;

/// The most headers a raw request may have.
const MAX_HEADERS: usize = 128;

/// A raw request could not be read.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::test::{parse_raw, RawRequestError};
///
/// let error = parse_raw(b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nshort").unwrap_err();
/// assert_eq!(error, RawRequestError::Truncated { expected: 10, received: 5 });
/// assert_eq!(error.to_string(), "the body has 5 of 10 bytes");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RawRequestError {
    /// The head (request line and headers) does not end with an empty line.
    IncompleteHead,
    /// The request line or a header is malformed.
    Head(String),
    /// The body is shorter than its `Content-Length`.
    Truncated {
        /// The declared length.
        expected: u64,
        /// The bytes present.
        received: u64,
    },
    /// The body's framing is malformed or ambiguous: a bad chunk, a bad or
    /// repeated `Content-Length`, both `Content-Length` and
    /// `Transfer-Encoding`, a transfer coding other than `chunked`.
    Framing(String),
    /// Bytes follow the request (a second, pipelined request?).
    TrailingBytes(usize),
}

impl fmt::Display for RawRequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RawRequestError::IncompleteHead => f.write_str("the request head does not end"),
            RawRequestError::Head(reason) => write!(f, "malformed request head: {reason}"),
            RawRequestError::Truncated { expected, received } => {
                write!(f, "the body has {received} of {expected} bytes")
            }
            RawRequestError::Framing(reason) => write!(f, "malformed body framing: {reason}"),
            RawRequestError::TrailingBytes(count) => {
                write!(f, "{count} bytes follow the request")
            }
        }
    }
}

impl std::error::Error for RawRequestError {}

/// Parses one raw HTTP/1.1 request (with httparse): the request line, the
/// headers, and a body framed by `Content-Length` or by
/// `Transfer-Encoding: chunked` (decoded; the body then has no known length,
/// as a server would stream it). Nothing may follow the request.
///
/// # Errors
///
/// A [`RawRequestError`] saying what is malformed.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::Request;
/// use carafe_wrappers::test::parse_raw;
///
/// let raw = b"POST /form?x=1 HTTP/1.1\r\nHost: example.com\r\n\
///     Content-Type: application/x-www-form-urlencoded\r\n\
///     Transfer-Encoding: chunked\r\n\r\n\
///     4\r\na=1&\r\n3\r\nb=2\r\n0\r\n\r\n";
/// let request = Request::from_http(parse_raw(raw).unwrap());
/// assert_eq!(request.host(), "example.com");
/// assert_eq!(request.form().unwrap().get("b").unwrap(), "2");
/// ```
pub fn parse_raw(raw: &[u8]) -> Result<http::Request<Body>, RawRequestError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut headers);
    let head_len = match parsed.parse(raw) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Err(RawRequestError::IncompleteHead),
        Err(error) => return Err(RawRequestError::Head(error.to_string())),
    };
    let head_error = |reason: String| RawRequestError::Head(reason);
    let method = Method::from_bytes(parsed.method.unwrap_or_default().as_bytes())
        .map_err(|e| head_error(e.to_string()))?;
    let target = parsed.path.unwrap_or_default();
    let version = match parsed.version {
        Some(0) => Version::HTTP_10,
        _ => Version::HTTP_11,
    };
    let mut builder = http::Request::builder()
        .method(method)
        .uri(target)
        .version(version);
    for header in parsed.headers.iter() {
        let name = HeaderName::from_bytes(header.name.as_bytes())
            .map_err(|e| head_error(e.to_string()))?;
        let value = HeaderValue::from_bytes(header.value).map_err(|e| head_error(e.to_string()))?;
        builder = builder.header(name, value);
    }
    let request = builder.body(()).map_err(|e| head_error(e.to_string()))?;
    let rest = &raw[head_len..];

    let framing = |reason: &str| RawRequestError::Framing(reason.to_owned());
    let lengths: Vec<&HeaderValue> = request.headers().get_all(CONTENT_LENGTH).iter().collect();
    let codings: Vec<String> = request
        .headers()
        .get_all(TRANSFER_ENCODING)
        .iter()
        .flat_map(|value| value.to_str().unwrap_or("\u{0}").split(','))
        .map(|coding| coding.trim().to_ascii_lowercase())
        .filter(|coding| !coding.is_empty())
        .collect();
    let (body, used) = if !codings.is_empty() {
        if !lengths.is_empty() {
            return Err(framing("both content-length and transfer-encoding"));
        }
        if codings != ["chunked"] {
            return Err(framing("a transfer coding other than chunked"));
        }
        let (decoded, used) = decode_chunked(rest)?;
        (Body::from_reader(Cursor::new(decoded), None), used)
    } else if let Some(first) = lengths.first() {
        if lengths.iter().any(|value| value != first) {
            return Err(framing("differing content-length headers"));
        }
        let text = first
            .to_str()
            .map_err(|_| framing("content-length is not a number"))?;
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(framing("content-length is not a number"));
        }
        let length: u64 = text
            .parse()
            .map_err(|_| framing("content-length is too large"))?;
        let available = rest.len() as u64;
        if available < length {
            return Err(RawRequestError::Truncated {
                expected: length,
                received: available,
            });
        }
        let length = length as usize;
        (Body::from(Bytes::copy_from_slice(&rest[..length])), length)
    } else {
        (Body::empty(), 0)
    };
    if used < rest.len() {
        return Err(RawRequestError::TrailingBytes(rest.len() - used));
    }
    Ok(request.map(|()| body))
}

/// Decodes a chunked body; returns the data and the bytes used (up to the end
/// of the trailer section).
fn decode_chunked(mut input: &[u8]) -> Result<(Vec<u8>, usize), RawRequestError> {
    let total = input.len();
    let mut data = Vec::new();
    loop {
        let (size_len, size) = match httparse::parse_chunk_size(input) {
            Ok(httparse::Status::Complete(found)) => found,
            Ok(httparse::Status::Partial) => {
                return Err(RawRequestError::Framing("truncated chunk size".to_owned()));
            }
            Err(_) => return Err(RawRequestError::Framing("invalid chunk size".to_owned())),
        };
        input = &input[size_len..];
        if size == 0 {
            break;
        }
        let size = usize::try_from(size)
            .ok()
            .filter(|&size| size <= input.len())
            .ok_or_else(|| RawRequestError::Framing("truncated chunk".to_owned()))?;
        data.extend_from_slice(&input[..size]);
        input = input[size..]
            .strip_prefix(b"\r\n")
            .ok_or_else(|| RawRequestError::Framing("chunk without its CRLF".to_owned()))?;
    }
    // Trailer fields, then the empty line.
    loop {
        let line_end = memchr::memmem::find(input, b"\r\n")
            .ok_or_else(|| RawRequestError::Framing("truncated trailer".to_owned()))?;
        let line = &input[..line_end];
        input = &input[line_end + 2..];
        if line.is_empty() {
            break;
        }
    }
    Ok((data, total - input.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_length_bodies() {
        let request =
            parse_raw(b"PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc").unwrap();
        assert_eq!(request.method(), "PUT");
        let mut request = crate::Request::from_http(request);
        assert_eq!(request.body_mut().length(), Some(3));
        assert_eq!(request.get_data().unwrap(), "abc");
    }

    #[test]
    fn chunked_with_extensions_and_trailers() {
        let raw = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n1\r\nd\r\n0\r\nX-Trailer: 1\r\n\r\n";
        let mut request = crate::Request::from_http(parse_raw(raw).unwrap());
        assert_eq!(request.body_mut().length(), None);
        assert_eq!(request.get_data().unwrap(), "abcd");
    }

    #[test]
    fn framing_errors() {
        let cases: &[&[u8]] = &[
            b"POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
            b"POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\na",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXX0\r\n\r\n",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        ];
        for raw in cases {
            assert!(
                matches!(parse_raw(raw), Err(RawRequestError::Framing(_))),
                "{}",
                String::from_utf8_lossy(raw)
            );
        }
    }

    #[test]
    fn head_errors_and_trailing_bytes() {
        assert_eq!(
            parse_raw(b"GET / HTTP/1.1\r\nHost: h\r\n").unwrap_err(),
            RawRequestError::IncompleteHead
        );
        assert!(matches!(
            parse_raw(b"GET / HTTP/1.1\r\nBad Header: x\r\n\r\n"),
            Err(RawRequestError::Head(_))
        ));
        assert_eq!(
            parse_raw(b"GET / HTTP/1.1\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n").unwrap_err(),
            RawRequestError::TrailingBytes(26)
        );
    }
}
