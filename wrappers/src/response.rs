//! The outgoing response.

use std::fmt;
use std::io::{self, Read};

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use http::response::Parts;
use http::{HeaderMap, StatusCode};

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
        Self::bytes_with_type(Bytes::from(text.into()), "text/plain; charset=utf-8")
    }

    /// A `200 OK` `text/html; charset=utf-8` response.
    pub fn html(html: impl Into<String>) -> Self {
        Self::bytes_with_type(Bytes::from(html.into()), "text/html; charset=utf-8")
    }

    fn bytes_with_type(bytes: Bytes, content_type: &'static str) -> Self {
        let mut response = Self::new(ResponseBody::Bytes(bytes));
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
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
