//! The outgoing response.

use std::fmt;
use std::io::{self, Read};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use bytes::Bytes;
use http::header::{
    CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, ETAG, HeaderValue, IntoHeaderName, LAST_MODIFIED,
    TRANSFER_ENCODING,
};
use http::response::Parts;
use http::{HeaderMap, Method, StatusCode};
use sha2::{Digest, Sha256};

use crate::conditional::ENTITY_HEADERS;
use crate::headers::{CacheControl, EntityTag, HeaderError, HttpDate, TypedHeader};

/// The body of a [`Response`].
#[non_exhaustive]
pub enum ResponseBody {
    /// No body.
    Empty,
    /// Bytes in memory.
    Bytes(Bytes),
    /// A blocking reader, with its length when known.
    Reader {
        /// Where the bytes come from.
        reader: Box<dyn Read + Send>,
        /// How many bytes the reader yields, when known (`Content-Length`).
        length: Option<u64>,
    },
    /// Chunks produced one after another (streaming; length unknown).
    Chunks(Box<dyn Iterator<Item = io::Result<Bytes>> + Send>),
}

impl ResponseBody {
    /// The length of the body, when it is known before sending.
    pub fn length(&self) -> Option<u64> {
        match self {
            ResponseBody::Empty => Some(0),
            ResponseBody::Bytes(bytes) => Some(bytes.len() as u64),
            ResponseBody::Reader { length, .. } => *length,
            ResponseBody::Chunks(_) => None,
        }
    }
}

impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResponseBody::Empty => f.write_str("Empty"),
            ResponseBody::Bytes(bytes) => f.debug_tuple("Bytes").field(bytes).finish(),
            ResponseBody::Reader { length, .. } => f
                .debug_struct("Reader")
                .field("length", length)
                .finish_non_exhaustive(),
            ResponseBody::Chunks(_) => f.write_str("Chunks(..)"),
        }
    }
}

// The constructors' content types, built at compile time: at run time
// `HeaderValue::from_static` checks every byte (~250 instructions for the
// first), and cloning a static value copies a pointer.
pub(crate) static TEXT_PLAIN: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");
pub(crate) static TEXT_HTML: HeaderValue = HeaderValue::from_static("text/html; charset=utf-8");
pub(crate) static APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

/// An HTTP response: status, headers and a body.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::Response;
/// use http::StatusCode;
///
/// let response = Response::text("created").with_status(StatusCode::CREATED);
/// assert_eq!(response.status(), StatusCode::CREATED);
/// assert_eq!(response.headers()["content-type"], "text/plain; charset=utf-8");
/// assert_eq!(response.body().length(), Some(7));
/// ```
#[derive(Debug)]
pub struct Response {
    head: Parts,
    body: ResponseBody,
}

impl Response {
    /// A `200 OK` response with `body` and no headers.
    pub fn new(body: ResponseBody) -> Self {
        let (head, ()) = http::Response::new(()).into_parts();
        Self { head, body }
    }

    /// Builds a response from its head and body.
    pub fn from_parts(head: Parts, body: ResponseBody) -> Self {
        Self { head, body }
    }

    /// An empty response with `status`.
    pub fn empty(status: StatusCode) -> Self {
        Self::new(ResponseBody::Empty).with_status(status)
    }

    /// A `200 OK` `text/plain; charset=utf-8` response.
    pub fn text(text: impl Into<String>) -> Self {
        Self::bytes_with_type(Bytes::from(text.into()), &TEXT_PLAIN)
    }

    /// [`text`](Self::text) for a string that lives as long as the program
    /// (a literal): the body points at it, nothing is copied or allocated.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Response;
    ///
    /// let response = Response::static_text("Hello, World!");
    /// assert_eq!(response.headers()["content-type"], "text/plain; charset=utf-8");
    /// assert_eq!(response.body().length(), Some(13));
    /// ```
    pub fn static_text(text: &'static str) -> Self {
        Self::bytes_with_type(Bytes::from_static(text.as_bytes()), &TEXT_PLAIN)
    }

    /// A `200 OK` `text/html; charset=utf-8` response.
    pub fn html(html: impl Into<String>) -> Self {
        Self::bytes_with_type(Bytes::from(html.into()), &TEXT_HTML)
    }

    fn bytes_with_type(bytes: Bytes, content_type: &'static HeaderValue) -> Self {
        let mut response = Self::new(ResponseBody::Bytes(bytes));
        response
            .headers_mut()
            .insert(CONTENT_TYPE, content_type.clone());
        response
    }

    /// Returns this response with `status`.
    #[must_use]
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.head.status = status;
        self
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.head.status
    }

    /// Sets the status code.
    pub fn set_status(&mut self, status: StatusCode) {
        self.head.status = status;
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.head.headers
    }

    /// The response headers, mutably.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.head.headers
    }

    /// Typed values for middleware and servers.
    pub fn extensions(&self) -> &http::Extensions {
        &self.head.extensions
    }

    /// Typed values for middleware and servers, mutably.
    pub fn extensions_mut(&mut self) -> &mut http::Extensions {
        &mut self.head.extensions
    }

    /// The body.
    pub fn body(&self) -> &ResponseBody {
        &self.body
    }

    /// Replaces the body; a stale `Content-Length` is removed.
    pub fn set_body(&mut self, body: ResponseBody) {
        self.head.headers.remove(CONTENT_LENGTH);
        self.body = body;
    }

    /// The head of the response (status, version, headers, extensions).
    pub fn head(&self) -> &Parts {
        &self.head
    }

    /// Splits the response into head and body (servers).
    pub fn into_parts(self) -> (Parts, ResponseBody) {
        (self.head, self.body)
    }
}

/// Constructors named for intent, and chainable `with_*` setters.
impl Response {
    /// A `200 OK` `application/json` response with `value` serialized, and a
    /// trailing newline (as Flask's `jsonify`).
    ///
    /// # Errors
    ///
    /// When `value` cannot be serialized (a map with non-string keys, a
    /// failing `Serialize` implementation).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Response;
    ///
    /// let response = Response::try_json(&serde_json::json!({"id": 1})).unwrap();
    /// assert_eq!(response.headers()["content-type"], "application/json");
    /// assert_eq!(response.body().length(), Some(9));
    /// ```
    pub fn try_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        let mut body = serde_json::to_vec(value)?;
        body.push(b'\n');
        Ok(Self::bytes_with_type(Bytes::from(body), &APPLICATION_JSON))
    }

    /// Like [`try_json`](Self::try_json); a value that cannot be serialized
    /// gives a `500 Internal Server Error` page instead (the error is a bug
    /// in the program, not in the request).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use carafe_wrappers::Response;
    ///
    /// assert_eq!(Response::json(&[1, 2, 3]).status(), 200);
    /// let bad: HashMap<(u8, u8), u8> = HashMap::from([((1, 2), 3)]);
    /// assert_eq!(Response::json(&bad).status(), 500);
    /// ```
    pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Self {
        Self::try_json(value).unwrap_or_else(|error| {
            crate::HttpError::internal_server_error()
                .with_source(error)
                .into_page()
        })
    }

    /// A `204 No Content` response.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Response;
    ///
    /// assert_eq!(Response::no_content().status(), 204);
    /// ```
    pub fn no_content() -> Self {
        Self::empty(StatusCode::NO_CONTENT)
    }

    /// A `200 OK` response streaming `reader`, which yields `length` bytes
    /// when known (then sent as `Content-Length`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Response;
    ///
    /// let response = Response::from_reader(std::io::Cursor::new(b"data".to_vec()), Some(4));
    /// assert_eq!(response.body().length(), Some(4));
    /// ```
    pub fn from_reader(reader: impl Read + Send + 'static, length: Option<u64>) -> Self {
        Self::new(ResponseBody::Reader {
            reader: Box::new(reader),
            length,
        })
    }

    /// A `200 OK` response streaming `chunks` one after another (chunked
    /// transfer coding; the length is unknown).
    ///
    /// # Examples
    ///
    /// ```
    /// use bytes::Bytes;
    /// use carafe_wrappers::Response;
    ///
    /// let chunks = (0..3).map(|i| Ok(Bytes::from(format!("line {i}\n"))));
    /// assert_eq!(Response::from_chunks(chunks).body().length(), None);
    /// ```
    pub fn from_chunks(chunks: impl Iterator<Item = io::Result<Bytes>> + Send + 'static) -> Self {
        Self::new(ResponseBody::Chunks(Box::new(chunks)))
    }

    /// Returns this response with `name: value` set (replacing earlier values).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Response;
    /// use http::HeaderValue;
    ///
    /// let response = Response::text("hi").with_header("x-frame-options", HeaderValue::from_static("DENY"));
    /// assert_eq!(response.headers()["x-frame-options"], "DENY");
    /// ```
    #[must_use]
    pub fn with_header(mut self, name: impl IntoHeaderName, value: HeaderValue) -> Self {
        self.head.headers.insert(name, value);
        self
    }

    /// Reads the typed header `H`: `Ok(None)` when absent.
    ///
    /// # Errors
    ///
    /// When the header is present but does not parse.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Response;
    /// use carafe_wrappers::headers::CacheControl;
    ///
    /// let response = Response::text("hi").with_cache_control(CacheControl::new().with_no_store());
    /// assert!(response.typed_header::<CacheControl>().unwrap().unwrap().no_store());
    /// ```
    pub fn typed_header<H: TypedHeader>(&self) -> Result<Option<H>, HeaderError> {
        H::from_headers(&self.head.headers)
    }

    /// Sets the typed header `H` (replacing earlier values).
    ///
    /// # Errors
    ///
    /// [`HeaderError::InvalidValue`] when the value cannot be sent in a header.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Response;
    /// use carafe_wrappers::headers::WwwAuthenticate;
    ///
    /// let mut response = Response::empty(http::StatusCode::UNAUTHORIZED);
    /// response.set_typed_header(&WwwAuthenticate::basic("Testing")).unwrap();
    /// assert_eq!(response.headers()["www-authenticate"], "Basic realm=Testing");
    /// ```
    pub fn set_typed_header<H: TypedHeader>(&mut self, header: &H) -> Result<(), HeaderError> {
        let value = header.to_header_value()?;
        self.head.headers.insert(H::NAME, value);
        Ok(())
    }

    /// The `ETag` header, when present and valid.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Response;
    /// use carafe_wrappers::headers::EntityTag;
    ///
    /// let response = Response::text("hi").with_etag(&EntityTag::weak("v1").unwrap());
    /// assert_eq!(response.etag(), Some(EntityTag::weak("v1").unwrap()));
    /// assert_eq!(Response::text("hi").etag(), None);
    /// ```
    pub fn etag(&self) -> Option<EntityTag> {
        self.head.headers.get(ETAG)?.to_str().ok()?.parse().ok()
    }

    /// Sets the `ETag` header (replacing an earlier one).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Response;
    /// use carafe_wrappers::headers::EntityTag;
    ///
    /// let mut response = Response::text("hi");
    /// response.set_etag(&EntityTag::strong("abc").unwrap());
    /// assert_eq!(response.headers()["etag"], r#""abc""#);
    /// ```
    pub fn set_etag(&mut self, etag: &EntityTag) {
        if let Ok(value) = HeaderValue::try_from(etag.to_string()) {
            self.head.headers.insert(ETAG, value);
        }
    }

    /// Returns this response with the `ETag` header.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Response;
    /// use carafe_wrappers::headers::EntityTag;
    ///
    /// let response = Response::text("hi").with_etag(&EntityTag::strong("abc").unwrap());
    /// assert_eq!(response.headers()["etag"], r#""abc""#);
    /// ```
    #[must_use]
    pub fn with_etag(mut self, etag: &EntityTag) -> Self {
        self.set_etag(etag);
        self
    }

    /// Adds a strong `ETag` hashing the body (SHA-256, base64 without padding,
    /// like Werkzeug's `generate_etag` with a different hash), unless one is
    /// set already. Only a body in memory is hashed: for a streamed body this
    /// does nothing and returns `false` (it would have to read the stream).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Response;
    ///
    /// let mut response = Response::text("Hello World");
    /// assert!(response.add_etag());
    /// assert_eq!(response.headers()["etag"], r#""pZGm1Av0IEBKARczz7exkNYsZb8LzaMrV7J32a2fFG4""#);
    /// ```
    pub fn add_etag(&mut self) -> bool {
        if self.head.headers.contains_key(ETAG) {
            return true;
        }
        let digest = match &self.body {
            ResponseBody::Empty => Sha256::digest(b""),
            ResponseBody::Bytes(bytes) => Sha256::digest(bytes),
            _ => return false,
        };
        let tag = STANDARD_NO_PAD.encode(digest);
        match EntityTag::strong(tag) {
            Ok(etag) => {
                self.set_etag(&etag);
                true
            }
            Err(_) => false,
        }
    }

    /// The `Last-Modified` header, when present and valid.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Response;
    /// use carafe_wrappers::headers::HttpDate;
    ///
    /// let date = HttpDate::from_unix_seconds(1337).unwrap();
    /// assert_eq!(Response::text("hi").with_last_modified(date).last_modified(), Some(date));
    /// ```
    pub fn last_modified(&self) -> Option<HttpDate> {
        self.head
            .headers
            .get(LAST_MODIFIED)?
            .to_str()
            .ok()?
            .parse()
            .ok()
    }

    /// Returns this response with the `Last-Modified` header.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Response;
    /// use carafe_wrappers::headers::HttpDate;
    ///
    /// let response = Response::text("hi").with_last_modified(HttpDate::from_unix_seconds(0).unwrap());
    /// assert_eq!(response.headers()["last-modified"], "Thu, 01 Jan 1970 00:00:00 GMT");
    /// ```
    #[must_use]
    pub fn with_last_modified(mut self, date: HttpDate) -> Self {
        if let Ok(value) = HeaderValue::try_from(date.to_string()) {
            self.head.headers.insert(LAST_MODIFIED, value);
        }
        self
    }

    /// The `Cache-Control` directives (empty when absent or malformed).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Response;
    ///
    /// assert!(Response::text("hi").cache_control().is_empty());
    /// ```
    pub fn cache_control(&self) -> CacheControl {
        self.typed_header().ok().flatten().unwrap_or_default()
    }

    /// Returns this response with `Cache-Control` (removed when empty).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use carafe_wrappers::Response;
    /// use carafe_wrappers::headers::CacheControl;
    ///
    /// let cc = CacheControl::new().with_must_revalidate().with_max_age(Duration::from_secs(60));
    /// let response = Response::text("hi").with_cache_control(cc);
    /// assert_eq!(response.headers()["cache-control"], "must-revalidate, max-age=60");
    /// ```
    #[must_use]
    pub fn with_cache_control(mut self, cache_control: CacheControl) -> Self {
        if cache_control.is_empty() {
            self.head.headers.remove(CACHE_CONTROL);
        } else if let Ok(value) = cache_control.to_header_value() {
            self.head.headers.insert(CACHE_CONTROL, value);
        }
        self
    }

    /// Finishes the response for a request made with `method`, the way
    /// Werkzeug's `get_wsgi_headers` and `get_app_iter` do; servers and the
    /// test client call it right before sending.
    ///
    /// - `1xx` and `204`: no body, no `Content-Length`.
    /// - `304`: no body, no entity headers (`Content-Type`, `Content-Length`,
    ///   `Last-Modified`, ...).
    /// - Otherwise `Content-Length` is set to the body's length when it is
    ///   known (correcting a stale value), and `Transfer-Encoding` set by the
    ///   application is dropped (framing is the server's business).
    /// - `HEAD`: the body is dropped, the headers (`Content-Length` included)
    ///   stay those of the GET response. A server must not recompute
    ///   `Content-Length` from the now empty body.
    /// - `Location` stays as given (no absolutising, as Werkzeug ≥ 2.1).
    /// - Calling it again is harmless: an application may finish its
    ///   responses itself and the server still calls it.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::{Response, ResponseBody};
    /// use http::Method;
    ///
    /// let mut response = Response::text("Hello World");
    /// response.prepare_for(&Method::HEAD);
    /// assert_eq!(response.headers()["content-length"], "11");
    /// assert!(matches!(response.body(), ResponseBody::Empty));
    /// response.prepare_for(&Method::HEAD);
    /// assert_eq!(response.headers()["content-length"], "11");
    /// ```
    pub fn prepare_for(&mut self, method: &Method) {
        let status = self.head.status;
        if status.is_informational() || status == StatusCode::NO_CONTENT {
            self.body = ResponseBody::Empty;
            self.head.headers.remove(CONTENT_LENGTH);
            self.head.headers.remove(TRANSFER_ENCODING);
            return;
        }
        if status == StatusCode::NOT_MODIFIED {
            self.body = ResponseBody::Empty;
            for name in ENTITY_HEADERS {
                self.head.headers.remove(name);
            }
            self.head.headers.remove(TRANSFER_ENCODING);
            return;
        }
        // Every response comes through here, and few have the header: a
        // look at the handful of names present is cheaper than a removal.
        if self
            .head
            .headers
            .keys()
            .any(|name| name == TRANSFER_ENCODING)
        {
            self.head.headers.remove(TRANSFER_ENCODING);
        }
        // A HEAD response already finished (empty body, `Content-Length` of
        // the GET body) keeps its length: calling this twice is harmless.
        let finished_head = method == Method::HEAD
            && matches!(self.body, ResponseBody::Empty)
            && self.head.headers.contains_key(CONTENT_LENGTH);
        if let Some(length) = self.body.length()
            && !finished_head
        {
            self.head
                .headers
                .insert(CONTENT_LENGTH, content_length(length));
        }
        if method == Method::HEAD {
            self.body = ResponseBody::Empty;
        }
    }
}

/// Lengths below this take their `Content-Length` value from [`DIGITS`].
const SMALL_LENGTHS: usize = 1024;
/// The decimal digits of 0, 1, …, 1023 one after the other (2 986 bytes)
/// and where each starts, built at compile time.
static DIGITS: ([u8; 2986], [u16; SMALL_LENGTHS + 1]) = small_lengths();

const fn small_lengths() -> ([u8; 2986], [u16; SMALL_LENGTHS + 1]) {
    let mut digits = [0u8; 2986];
    let mut starts = [0u16; SMALL_LENGTHS + 1];
    let mut at = 0;
    let mut n = 0;
    while n < SMALL_LENGTHS {
        starts[n] = at as u16;
        let width = if n >= 1000 {
            4
        } else if n >= 100 {
            3
        } else if n >= 10 {
            2
        } else {
            1
        };
        let mut rest = n;
        let mut i = width;
        while i > 0 {
            i -= 1;
            digits[at + i] = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        at += width;
        n += 1;
    }
    starts[SMALL_LENGTHS] = at as u16;
    (digits, starts)
}

/// The `Content-Length` value for `length`: a slice of [`DIGITS`] for small
/// bodies (no allocation; every response has one), formatted otherwise.
fn content_length(length: u64) -> HeaderValue {
    let (digits, starts) = &DIGITS;
    match usize::try_from(length) {
        Ok(n) if n < SMALL_LENGTHS => {
            let text = &digits[usize::from(starts[n])..usize::from(starts[n + 1])];
            HeaderValue::from_maybe_shared(Bytes::from_static(text))
                .unwrap_or_else(|_| HeaderValue::from(length))
        }
        _ => HeaderValue::from(length),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn content_length_values_are_the_decimal_lengths() {
        for length in (0..1100).chain([4095, 1 << 20, u64::MAX]) {
            assert_eq!(
                super::content_length(length).to_str().unwrap(),
                length.to_string()
            );
        }
    }
}
