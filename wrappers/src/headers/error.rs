//! The error of the typed header parsers.

use std::fmt;

/// A header value could not be parsed, or a value could not become a header.
///
/// Every typed header parser in [`headers`](crate::headers) is total: any
/// input gives either a value or one of these, never a panic.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::headers::{HeaderError, Range};
///
/// let error = "bytes=5-1".parse::<Range>().unwrap_err();
/// assert!(matches!(error, HeaderError::Malformed { header: "range", .. }));
/// assert_eq!(error.to_string(), "malformed range header: \"bytes=5-1\"");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderError {
    /// The value does not follow the header's grammar.
    Malformed {
        /// The header's name, lowercase.
        header: &'static str,
        /// The start of the value that failed (at most 64 bytes).
        value: String,
    },
    /// The value holds bytes that are not visible ASCII (obs-text or controls).
    NotText {
        /// The header's name, lowercase.
        header: &'static str,
    },
    /// A `Range` header asks for more ranges than the server serves.
    TooManyRanges {
        /// How many ranges the header asked for.
        count: usize,
        /// The most ranges one request may ask for.
        limit: usize,
    },
    /// A value given by the program cannot be written into a header (for
    /// example an entity tag containing `"` or a control character).
    InvalidValue {
        /// The header's name, lowercase.
        header: &'static str,
        /// The start of the offending value (at most 64 bytes).
        value: String,
    },
}

impl HeaderError {
    pub(crate) fn malformed(header: &'static str, value: &str) -> Self {
        HeaderError::Malformed {
            header,
            value: super::syntax::excerpt(value),
        }
    }

    pub(crate) fn invalid_value(header: &'static str, value: &str) -> Self {
        HeaderError::InvalidValue {
            header,
            value: super::syntax::excerpt(value),
        }
    }

    /// The HTTP status this error becomes when it reaches a client: `416` for
    /// too many ranges, `400` otherwise.
    pub fn status(&self) -> http::StatusCode {
        match self {
            HeaderError::TooManyRanges { .. } => http::StatusCode::RANGE_NOT_SATISFIABLE,
            HeaderError::InvalidValue { .. } => http::StatusCode::INTERNAL_SERVER_ERROR,
            _ => http::StatusCode::BAD_REQUEST,
        }
    }
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderError::Malformed { header, value } => {
                write!(f, "malformed {header} header: {value:?}")
            }
            HeaderError::NotText { header } => {
                write!(f, "{header} header holds bytes that are not visible ascii")
            }
            HeaderError::TooManyRanges { count, limit } => {
                write!(f, "range header asks for {count} ranges (limit: {limit})")
            }
            HeaderError::InvalidValue { header, value } => {
                write!(f, "value cannot be sent in a {header} header: {value:?}")
            }
        }
    }
}

impl std::error::Error for HeaderError {}
