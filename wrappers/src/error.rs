//! Errors of this crate.

use std::fmt;

/// Reading a request body failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum BodyError {
    /// The body is larger than `max_content_length` (a 413).
    TooLarge {
        /// The limit that fired, in bytes.
        limit: u64,
    },
    /// The connection failed or the client sent a malformed body (a 400).
    Io(std::io::Error),
}

impl BodyError {
    /// The HTTP status this error becomes when it reaches a client.
    pub fn status(&self) -> http::StatusCode {
        match self {
            BodyError::TooLarge { .. } => http::StatusCode::PAYLOAD_TOO_LARGE,
            BodyError::Io(_) => http::StatusCode::BAD_REQUEST,
        }
    }

    /// Recovers a `BodyError` from an `io::Error` returned by [`Body`](crate::Body)'s
    /// `Read` implementation; any other I/O error becomes [`BodyError::Io`].
    pub fn from_io(error: std::io::Error) -> Self {
        if error.get_ref().is_some_and(|inner| inner.is::<BodyError>()) {
            let inner = error.into_inner().and_then(|inner| inner.downcast().ok());
            return *inner.expect("the inner error was checked to be a BodyError");
        }
        BodyError::Io(error)
    }
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyError::TooLarge { limit } => {
                write!(f, "request body exceeds max_content_length ({limit} bytes)")
            }
            BodyError::Io(error) => write!(f, "could not read the request body: {error}"),
        }
    }
}

impl std::error::Error for BodyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BodyError::TooLarge { .. } => None,
            BodyError::Io(error) => Some(error),
        }
    }
}

impl From<BodyError> for std::io::Error {
    fn from(error: BodyError) -> Self {
        match error {
            BodyError::TooLarge { .. } => std::io::Error::other(error),
            BodyError::Io(io) => io,
        }
    }
}
