//! Errors of this crate.

use std::fmt;
use std::sync::Arc;

use http::StatusCode;

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
    /// The body ended before the declared `Content-Length` (a 400): the
    /// client closed the connection or lied about the length.
    Incomplete {
        /// The declared length, in bytes.
        expected: u64,
        /// The bytes received.
        received: u64,
    },
}

impl BodyError {
    /// The HTTP status this error becomes when it reaches a client.
    pub fn status(&self) -> http::StatusCode {
        match self {
            BodyError::TooLarge { .. } => http::StatusCode::PAYLOAD_TOO_LARGE,
            BodyError::Io(_) | BodyError::Incomplete { .. } => http::StatusCode::BAD_REQUEST,
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
            BodyError::Incomplete { expected, received } => write!(
                f,
                "request body ended after {received} of {expected} bytes (content-length)"
            ),
        }
    }
}

impl std::error::Error for BodyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BodyError::TooLarge { .. } | BodyError::Incomplete { .. } => None,
            BodyError::Io(error) => Some(error),
        }
    }
}

impl From<BodyError> for std::io::Error {
    fn from(error: BodyError) -> Self {
        match error {
            BodyError::TooLarge { .. } | BodyError::Incomplete { .. } => {
                std::io::Error::other(error)
            }
            BodyError::Io(io) => io,
        }
    }
}

/// The query string could not be parsed within the limits.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::{Limits, Request};
///
/// let mut request = Request::get("/?a=1&b=2&c=3");
/// request.set_limits(Limits::default().with_max_query_fields(2));
/// let error = request.args().unwrap_err();
/// assert_eq!(error.status(), 400);
/// assert_eq!(error.to_string(), "query string has more than max_query_fields (2) fields");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum QueryError {
    /// More pairs than `max_query_fields` (a 400).
    TooManyFields {
        /// The limit that fired.
        limit: usize,
    },
}

impl QueryError {
    /// The HTTP status this error becomes when it reaches a client.
    pub fn status(&self) -> StatusCode {
        match self {
            QueryError::TooManyFields { .. } => StatusCode::BAD_REQUEST,
        }
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryError::TooManyFields { limit } => {
                write!(
                    f,
                    "query string has more than max_query_fields ({limit}) fields"
                )
            }
        }
    }
}

impl std::error::Error for QueryError {}

/// The `Cookie` header could not be parsed within the limits.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::CookieError;
///
/// let error = CookieError::HeaderTooLarge { size: 9000, limit: 8190 };
/// assert_eq!(error.status(), 431);
/// assert_eq!(error.to_string(), "cookie header is 9000 bytes, over max_cookie_header_size (8190 bytes)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CookieError {
    /// The `Cookie` headers are larger than `max_cookie_header_size` (a 431).
    HeaderTooLarge {
        /// The size of the headers, in bytes.
        size: usize,
        /// The limit that fired.
        limit: usize,
    },
    /// A `Cookie` header is not UTF-8 (a 400).
    InvalidUtf8,
}

impl CookieError {
    /// The HTTP status this error becomes when it reaches a client.
    pub fn status(&self) -> StatusCode {
        match self {
            CookieError::HeaderTooLarge { .. } => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            CookieError::InvalidUtf8 => StatusCode::BAD_REQUEST,
        }
    }
}

impl fmt::Display for CookieError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CookieError::HeaderTooLarge { size, limit } => write!(
                f,
                "cookie header is {size} bytes, over max_cookie_header_size ({limit} bytes)"
            ),
            CookieError::InvalidUtf8 => f.write_str("cookie header is not valid utf-8"),
        }
    }
}

impl std::error::Error for CookieError {}

/// The form (urlencoded or multipart) could not be parsed within the limits.
///
/// Every variant names the limit or the defect, and knows its status: 413 for
/// a limit on size or count, 400 for a malformed body, 500 when a file could
/// not be spooled to disk.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::FormError;
///
/// let error = FormError::TooManyParts { limit: 1000 };
/// assert_eq!(error.status(), 413);
/// assert_eq!(error.to_string(), "multipart body has more than max_form_parts (1000) parts");
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum FormError {
    /// The body is larger than `max_content_length` (a 413).
    ContentTooLarge {
        /// The limit that fired, in bytes.
        limit: u64,
    },
    /// An urlencoded body is larger than `max_form_memory_size` (a 413).
    UrlencodedTooLarge {
        /// The limit that fired, in bytes.
        limit: usize,
    },
    /// A non-file multipart field is larger than `max_form_memory_size` (a 413).
    FieldTooLarge {
        /// The field's name.
        field: String,
        /// The limit that fired, in bytes.
        limit: usize,
    },
    /// An urlencoded body has more pairs than `max_form_fields` (a 413).
    TooManyFields {
        /// The limit that fired.
        limit: usize,
    },
    /// A multipart body has more parts than `max_form_parts` (a 413).
    TooManyParts {
        /// The limit that fired.
        limit: usize,
    },
    /// The header block of a multipart part (or the preamble before the first
    /// boundary) is larger than `max_part_header_size` (a 413).
    PartHeaderTooLarge {
        /// The limit that fired, in bytes.
        limit: usize,
    },
    /// A `multipart/form-data` request without a usable `boundary` (a 400).
    MissingBoundary,
    /// The multipart body is malformed: truncated, no closing boundary, a part
    /// without a name, bad part headers (a 400).
    Malformed {
        /// What is wrong.
        reason: String,
    },
    /// A field is not valid UTF-8 (a 400). An urlencoded body must be UTF-8
    /// text; a multipart text field must match its declared charset.
    InvalidUtf8 {
        /// The field's name (empty for an urlencoded body).
        field: String,
    },
    /// Reading the body failed: the connection broke or the client sent less
    /// than it announced (a 400).
    Io(Arc<std::io::Error>),
    /// An uploaded file could not be written to its temporary file (a 500: a
    /// server-side failure, such as a full disk).
    Spool(Arc<std::io::Error>),
}

impl FormError {
    /// The HTTP status this error becomes when it reaches a client.
    pub fn status(&self) -> StatusCode {
        match self {
            FormError::ContentTooLarge { .. }
            | FormError::UrlencodedTooLarge { .. }
            | FormError::FieldTooLarge { .. }
            | FormError::TooManyFields { .. }
            | FormError::TooManyParts { .. }
            | FormError::PartHeaderTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            FormError::MissingBoundary
            | FormError::Malformed { .. }
            | FormError::InvalidUtf8 { .. }
            | FormError::Io(_) => StatusCode::BAD_REQUEST,
            FormError::Spool(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl fmt::Display for FormError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormError::ContentTooLarge { limit } => {
                write!(f, "request body exceeds max_content_length ({limit} bytes)")
            }
            FormError::UrlencodedTooLarge { limit } => {
                write!(
                    f,
                    "urlencoded form exceeds max_form_memory_size ({limit} bytes)"
                )
            }
            FormError::FieldTooLarge { field, limit } => write!(
                f,
                "form field `{field}` exceeds max_form_memory_size ({limit} bytes)"
            ),
            FormError::TooManyFields { limit } => {
                write!(
                    f,
                    "urlencoded form has more than max_form_fields ({limit}) fields"
                )
            }
            FormError::TooManyParts { limit } => {
                write!(
                    f,
                    "multipart body has more than max_form_parts ({limit}) parts"
                )
            }
            FormError::PartHeaderTooLarge { limit } => write!(
                f,
                "multipart part headers exceed max_part_header_size ({limit} bytes)"
            ),
            FormError::MissingBoundary => {
                f.write_str("multipart/form-data content type without a boundary")
            }
            FormError::Malformed { reason } => write!(f, "malformed multipart body: {reason}"),
            FormError::InvalidUtf8 { field } if field.is_empty() => {
                f.write_str("urlencoded form is not valid utf-8")
            }
            FormError::InvalidUtf8 { field } => {
                write!(f, "form field `{field}` is not valid in its charset")
            }
            FormError::Io(error) => write!(f, "could not read the request body: {error}"),
            FormError::Spool(error) => {
                write!(f, "could not store an uploaded file: {error}")
            }
        }
    }
}

impl std::error::Error for FormError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FormError::Io(error) | FormError::Spool(error) => Some(&**error),
            _ => None,
        }
    }
}

impl From<BodyError> for FormError {
    fn from(error: BodyError) -> Self {
        match error {
            BodyError::TooLarge { limit } => FormError::ContentTooLarge { limit },
            BodyError::Io(error) => FormError::Io(Arc::new(error)),
            incomplete @ BodyError::Incomplete { .. } => FormError::Io(Arc::new(
                std::io::Error::new(std::io::ErrorKind::UnexpectedEof, incomplete),
            )),
        }
    }
}

/// The body could not be read as JSON.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::test::Client;
/// use carafe_wrappers::{JsonError, Request, Response};
///
/// let app = |request: Request| match request.json::<Vec<u32>>() {
///     Ok(numbers) => Response::text(format!("{}", numbers.iter().sum::<u32>())),
///     Err(error) => Response::text(error.to_string()).with_status(error.status()),
/// };
/// let client = Client::new(app);
/// assert_eq!(client.post("/").json(&[1, 2, 3]).send().text(), "6");
///
/// let response = client.post("/").body("[1, 2,").content_type("application/json").send();
/// assert_eq!(response.status(), 400);
/// assert_eq!(response.text(), "invalid json at line 1 column 6: EOF while parsing a value");
///
/// let response = client.post("/").body("[1]").content_type("text/plain").send();
/// assert_eq!(response.status(), 415);
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum JsonError {
    /// The content type is not `application/json` or `application/*+json` (a 415).
    UnsupportedMediaType {
        /// The request's media type (empty when there is no `Content-Type`).
        mimetype: String,
    },
    /// The body is not JSON, or not JSON of the expected shape (a 400).
    Invalid {
        /// The line of the error, from 1.
        line: usize,
        /// The column of the error, from 1 (0 at the start of a line).
        column: usize,
        /// What serde_json reported, without the position.
        message: String,
    },
    /// The body could not be read (413 over `max_content_length`, else 400).
    Body(BodyError),
}

impl JsonError {
    /// The HTTP status this error becomes when it reaches a client.
    pub fn status(&self) -> StatusCode {
        match self {
            JsonError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            JsonError::Invalid { .. } => StatusCode::BAD_REQUEST,
            JsonError::Body(error) => error.status(),
        }
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonError::UnsupportedMediaType { mimetype } if mimetype.is_empty() => {
                f.write_str("expected a json body: the request has no content type")
            }
            JsonError::UnsupportedMediaType { mimetype } => {
                write!(f, "expected a json body, got content type {mimetype}")
            }
            JsonError::Invalid {
                line,
                column,
                message,
            } => write!(f, "invalid json at line {line} column {column}: {message}"),
            JsonError::Body(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for JsonError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            JsonError::Body(error) => Some(error),
            _ => None,
        }
    }
}

impl From<BodyError> for JsonError {
    fn from(error: BodyError) -> Self {
        JsonError::Body(error)
    }
}

/// The query string or form could not be turned into the requested type.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::Request;
///
/// #[derive(serde::Deserialize, Debug)]
/// struct Page { page: u32 }
///
/// let error = Request::get("/?page=two").args_as::<Page>().unwrap_err();
/// assert_eq!(error.status(), 400);
/// assert_eq!(error.to_string(), "invalid query string: field `page`: invalid digit found in string (got \"two\")");
/// assert_eq!(error.field(), Some("page"));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ExtractError {
    /// The query string could not be parsed.
    Query(QueryError),
    /// The form could not be parsed.
    Form(FormError),
    /// A field is missing or its value does not fit the type (a 400).
    Invalid {
        /// Where the values came from: `"query string"` or `"form"`.
        source: &'static str,
        /// The field at fault, when known.
        field: Option<String>,
        /// What is wrong with it.
        message: String,
    },
}

impl ExtractError {
    /// The HTTP status this error becomes when it reaches a client.
    pub fn status(&self) -> StatusCode {
        match self {
            ExtractError::Query(error) => error.status(),
            ExtractError::Form(error) => error.status(),
            ExtractError::Invalid { .. } => StatusCode::BAD_REQUEST,
        }
    }

    /// The name of the field at fault, when known.
    pub fn field(&self) -> Option<&str> {
        match self {
            ExtractError::Invalid { field, .. } => field.as_deref(),
            _ => None,
        }
    }
}

impl fmt::Display for ExtractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExtractError::Query(error) => error.fmt(f),
            ExtractError::Form(error) => error.fmt(f),
            ExtractError::Invalid {
                source,
                field: Some(field),
                message,
            } => write!(f, "invalid {source}: field `{field}`: {message}"),
            ExtractError::Invalid {
                source,
                field: None,
                message,
            } => write!(f, "invalid {source}: {message}"),
        }
    }
}

impl std::error::Error for ExtractError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ExtractError::Query(error) => Some(error),
            ExtractError::Form(error) => Some(error),
            ExtractError::Invalid { .. } => None,
        }
    }
}

/// The `HttpError` of a request-parsing error: its status, and its message
/// (which names the limit that fired) as the description the client sees.
/// A server-side failure (a 5xx) keeps Werkzeug's generic description, so
/// paths and I/O details stay out of the page.
fn into_http_error<E>(error: E, status: StatusCode) -> crate::HttpError
where
    E: std::error::Error + Send + Sync + 'static,
{
    let http_error = crate::HttpError::new(status);
    if status.is_server_error() {
        return http_error.with_source(error);
    }
    let message = error.to_string();
    let mut chars = message.chars();
    let description = match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    };
    http_error.with_description(description).with_source(error)
}

macro_rules! into_http_error {
    ($($error:ident),*) => {
        $(
            impl From<$error> for crate::HttpError {
                /// The error's status; its message, naming the limit or the
                /// defect, as the description.
                fn from(error: $error) -> Self {
                    let status = error.status();
                    into_http_error(error, status)
                }
            }
        )*
    };
}

into_http_error!(QueryError, CookieError, FormError, JsonError, ExtractError);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HttpError;

    #[test]
    fn parse_errors_become_http_errors_naming_the_limit() {
        let error = HttpError::from(FormError::TooManyParts { limit: 1000 });
        assert_eq!(error.status(), 413);
        assert_eq!(
            error.description(),
            Some("Multipart body has more than max_form_parts (1000) parts.")
        );
        let error = HttpError::from(CookieError::HeaderTooLarge {
            size: 9000,
            limit: 8190,
        });
        assert_eq!(error.status(), 431);
        assert!(
            error
                .description()
                .unwrap()
                .contains("max_cookie_header_size (8190 bytes)")
        );
        let error = HttpError::from(QueryError::TooManyFields { limit: 5 });
        assert_eq!(error.status(), 400);
        let error = HttpError::from(JsonError::UnsupportedMediaType {
            mimetype: "text/plain".into(),
        });
        assert_eq!(error.status(), 415);
        assert_eq!(
            error.description(),
            Some("Expected a json body, got content type text/plain.")
        );
    }

    #[test]
    fn server_side_failures_keep_their_details_private() {
        let spool = FormError::Spool(Arc::new(std::io::Error::other("/tmp/.tmpXYZ: disk full")));
        let error = HttpError::from(spool);
        assert_eq!(error.status(), 500);
        assert!(!error.html().contains("disk full"));
        assert!(
            std::error::Error::source(&error)
                .unwrap()
                .to_string()
                .contains("disk full")
        );
    }
}
