//! What the test client got back.

use std::io::Read;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use crate::{Response, ResponseBody};

/// A response read whole by the test client.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::test::Client;
/// use carafe_wrappers::{Request, Response};
///
/// let client = Client::new(|_: Request| Response::text("{\"ok\": true}"));
/// let response = client.get("/").send();
/// assert_eq!(response.status(), 200);
/// assert_eq!(response.header("content-type"), Some("text/plain; charset=utf-8"));
/// assert_eq!(response.json::<serde_json::Value>()["ok"], true);
/// ```
#[derive(Debug, Clone)]
pub struct TestResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    history: Vec<(StatusCode, String)>,
}

impl TestResponse {
    /// Reads `response` whole.
    ///
    /// # Panics
    ///
    /// When the body's reader or chunks fail.
    #[track_caller]
    pub fn read(response: Response) -> Self {
        let (head, body) = response.into_parts();
        let body = read_body(body);
        Self {
            status: head.status,
            headers: head.headers,
            body,
            history: Vec::new(),
        }
    }

    pub(super) fn with_history(mut self, history: Vec<(StatusCode, String)>) -> Self {
        self.history = history;
        self
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The first value of header `name`, when it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON.
    ///
    /// # Panics
    ///
    /// When the body is not JSON of that shape.
    #[track_caller]
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|error| panic!("the response body is not the expected JSON: {error}"))
    }

    /// The redirects followed to get this response: status and `Location` of
    /// each, in order (empty when none were followed).
    pub fn history(&self) -> &[(StatusCode, String)] {
        &self.history
    }
}

#[track_caller]
fn read_body(body: ResponseBody) -> Bytes {
    #[allow(unreachable_patterns)] // ResponseBody may grow variants.
    match body {
        ResponseBody::Empty => Bytes::new(),
        ResponseBody::Bytes(bytes) => bytes,
        ResponseBody::Reader { mut reader, .. } => {
            let mut buffer = Vec::new();
            reader
                .read_to_end(&mut buffer)
                .unwrap_or_else(|error| panic!("the response body reader failed: {error}"));
            Bytes::from(buffer)
        }
        ResponseBody::Chunks(chunks) => {
            let mut buffer = Vec::new();
            for chunk in chunks {
                let chunk =
                    chunk.unwrap_or_else(|error| panic!("a response body chunk failed: {error}"));
                buffer.extend_from_slice(&chunk);
            }
            Bytes::from(buffer)
        }
        other => panic!("the test client cannot read a {other:?} body"),
    }
}
