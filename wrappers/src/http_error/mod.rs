//! HTTP errors that render themselves: Werkzeug's `exceptions` module as one type.

mod render;

use std::borrow::Cow;
use std::fmt;

use http::header::{ALLOW, CONTENT_RANGE, HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderMap, Method, StatusCode};

use crate::headers::{ContentRange, HeaderError, HttpDate, WwwAuthenticate};
use crate::{BodyError, RedirectError, Response, SetCookieError, UnsafePath};

/// An HTTP error: a status, a description for the client, and the headers
/// the status needs (`Allow` for 405, `WWW-Authenticate` for 401,
/// `Content-Range` for 416, `Retry-After` for 429 and 503).
///
/// It renders itself as Werkzeug's default error page, or as JSON for
/// clients that prefer JSON ([`into_response_for`](Self::into_response_for)).
/// Every status Werkzeug's `exceptions` module names has a constructor and
/// Werkzeug's description; [`abort`] makes one for any status.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::{HttpError, Request, Response};
/// use http::{Method, StatusCode};
///
/// fn view(id: u32) -> Result<Response, HttpError> {
///     if id != 1 {
///         return Err(HttpError::not_found());
///     }
///     Ok(Response::text("one"))
/// }
///
/// let error = view(2).unwrap_err();
/// assert_eq!(error.status(), StatusCode::NOT_FOUND);
/// let page = error.into_page();
/// assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
///
/// let error = HttpError::method_not_allowed([Method::GET, Method::HEAD]);
/// assert_eq!(error.headers()["allow"], "GET, HEAD");
/// ```
#[derive(Debug)]
pub struct HttpError {
    // Boxed: `Result<Response, HttpError>` is what handlers return, so the
    // error stays one pointer wide.
    inner: Box<Inner>,
}

#[derive(Debug)]
struct Inner {
    status: StatusCode,
    description: Option<Cow<'static, str>>,
    headers: HeaderMap,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// Werkzeug's descriptions, by status.
fn default_description(status: StatusCode) -> Option<&'static str> {
    Some(match status.as_u16() {
        400 => "The browser (or proxy) sent a request that this server could not understand.",
        401 => {
            "The server could not verify that you are authorized to access the URL requested. \
             You either supplied the wrong credentials (e.g. a bad password), or your browser \
             doesn't understand how to supply the credentials required."
        }
        403 => {
            "You don't have the permission to access the requested resource. It is either \
             read-protected or not readable by the server."
        }
        404 => {
            "The requested URL was not found on the server. If you entered the URL manually \
             please check your spelling and try again."
        }
        405 => "The method is not allowed for the requested URL.",
        406 => {
            "The resource identified by the request is only capable of generating response \
             entities which have content characteristics not acceptable according to the \
             accept headers sent in the request."
        }
        408 => {
            "The server closed the network connection because the browser didn't finish the \
             request within the specified time."
        }
        409 => {
            "A conflict happened while processing the request. The resource might have been \
             modified while the request was being processed."
        }
        410 => {
            "The requested URL is no longer available on this server and there is no \
             forwarding address. If you followed a link from a foreign page, please contact \
             the author of this page."
        }
        411 => "A request with this method requires a valid Content-Length header.",
        412 => "The precondition on the request for the URL failed positive evaluation.",
        413 => "The data value transmitted exceeds the capacity limit.",
        414 => {
            "The length of the requested URL exceeds the capacity limit for this server. The \
             request cannot be processed."
        }
        415 => "The server does not support the media type transmitted in the request.",
        416 => "The server cannot provide the requested range.",
        417 => "The server could not meet the requirements of the Expect header",
        418 => "This server is a teapot, not a coffee machine",
        421 => "The server is not able to produce a response.",
        422 => "The request was well-formed but was unable to be followed due to semantic errors.",
        423 => "The resource that is being accessed is locked.",
        424 => {
            "The method could not be performed on the resource because the requested action \
             depended on another action and that action failed."
        }
        428 => {
            "This request is required to be conditional; try using \"If-Match\" or \
             \"If-Unmodified-Since\"."
        }
        429 => "This user has exceeded an allotted request count. Try again later.",
        431 => "One or more header fields exceeds the maximum size.",
        451 => "Unavailable for legal reasons.",
        500 => {
            "The server encountered an internal error and was unable to complete your request. \
             Either the server is overloaded or there is an error in the application."
        }
        501 => "The server does not support the action requested by the browser.",
        502 => "The proxy server received an invalid response from an upstream server.",
        503 => {
            "The server is temporarily unable to service your request due to maintenance \
             downtime or capacity problems. Please try again later."
        }
        504 => "The connection to an upstream server timed out.",
        505 => "The server does not support the HTTP protocol version used in the request.",
        _ => return None,
    })
}

/// An [`HttpError`] for `status`, with Werkzeug's description when it names
/// one (Werkzeug's `abort(code)`). Return it: `return Err(abort(StatusCode::GONE))`.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::abort;
/// use http::StatusCode;
///
/// let error = abort(StatusCode::GONE);
/// assert!(error.description().unwrap().starts_with("The requested URL is no longer available"));
/// assert_eq!(abort(StatusCode::from_u16(499).unwrap()).description(), None);
/// ```
pub fn abort(status: StatusCode) -> HttpError {
    HttpError::new(status)
}

macro_rules! constructors {
    ($($(#[$doc:meta])* $name:ident => $status:ident;)*) => {
        impl HttpError {
            $(
                $(#[$doc])*
                ///
                /// # Examples
                ///
                /// ```
                /// use carafe_wrappers::HttpError;
                ///
                #[doc = concat!("let error = HttpError::", stringify!($name), "();")]
                #[doc = concat!("assert_eq!(error.status(), http::StatusCode::", stringify!($status), ");")]
                /// assert!(error.description().is_some());
                /// ```
                pub fn $name() -> Self {
                    Self::new(StatusCode::$status)
                }
            )*
        }
    };
}

constructors! {
    /// `400 Bad Request`.
    bad_request => BAD_REQUEST;
    /// `403 Forbidden`.
    forbidden => FORBIDDEN;
    /// `404 Not Found`.
    not_found => NOT_FOUND;
    /// `406 Not Acceptable`.
    not_acceptable => NOT_ACCEPTABLE;
    /// `408 Request Timeout`.
    request_timeout => REQUEST_TIMEOUT;
    /// `409 Conflict`.
    conflict => CONFLICT;
    /// `410 Gone`.
    gone => GONE;
    /// `411 Length Required`.
    length_required => LENGTH_REQUIRED;
    /// `412 Precondition Failed`.
    precondition_failed => PRECONDITION_FAILED;
    /// `414 URI Too Long`.
    uri_too_long => URI_TOO_LONG;
    /// `415 Unsupported Media Type`.
    unsupported_media_type => UNSUPPORTED_MEDIA_TYPE;
    /// `417 Expectation Failed`.
    expectation_failed => EXPECTATION_FAILED;
    /// `418 I'm a teapot`.
    im_a_teapot => IM_A_TEAPOT;
    /// `421 Misdirected Request`.
    misdirected_request => MISDIRECTED_REQUEST;
    /// `422 Unprocessable Entity`.
    unprocessable_entity => UNPROCESSABLE_ENTITY;
    /// `423 Locked`.
    locked => LOCKED;
    /// `424 Failed Dependency`.
    failed_dependency => FAILED_DEPENDENCY;
    /// `428 Precondition Required`.
    precondition_required => PRECONDITION_REQUIRED;
    /// `429 Too Many Requests` (add `Retry-After` with [`with_retry_after`](HttpError::with_retry_after)).
    too_many_requests => TOO_MANY_REQUESTS;
    /// `451 Unavailable For Legal Reasons`.
    unavailable_for_legal_reasons => UNAVAILABLE_FOR_LEGAL_REASONS;
    /// `500 Internal Server Error`.
    internal_server_error => INTERNAL_SERVER_ERROR;
    /// `501 Not Implemented`.
    not_implemented => NOT_IMPLEMENTED;
    /// `502 Bad Gateway`.
    bad_gateway => BAD_GATEWAY;
    /// `503 Service Unavailable` (add `Retry-After` with [`with_retry_after`](HttpError::with_retry_after)).
    service_unavailable => SERVICE_UNAVAILABLE;
    /// `504 Gateway Timeout`.
    gateway_timeout => GATEWAY_TIMEOUT;
    /// `505 HTTP Version Not Supported`.
    http_version_not_supported => HTTP_VERSION_NOT_SUPPORTED;
}

/// When a client may retry (`Retry-After`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfter {
    /// After this many seconds.
    Seconds(u64),
    /// After this date.
    Date(HttpDate),
}

impl HttpError {
    /// An error with `status` and Werkzeug's description for it, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::HttpError;
    /// use http::StatusCode;
    ///
    /// let error = HttpError::new(StatusCode::NOT_FOUND);
    /// assert_eq!(
    ///     error.to_string(),
    ///     "404 Not Found: The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again."
    /// );
    /// ```
    pub fn new(status: StatusCode) -> Self {
        Self {
            inner: Box::new(Inner {
                status,
                description: default_description(status).map(Cow::Borrowed),
                headers: HeaderMap::new(),
                source: None,
            }),
        }
    }

    /// `401 Unauthorized` with one `WWW-Authenticate` header per challenge.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::HttpError;
    /// use carafe_wrappers::headers::WwwAuthenticate;
    ///
    /// let error = HttpError::unauthorized([WwwAuthenticate::basic("test")]);
    /// assert_eq!(error.headers()["www-authenticate"], "Basic realm=test");
    /// ```
    pub fn unauthorized(challenges: impl IntoIterator<Item = WwwAuthenticate>) -> Self {
        let mut error = Self::new(StatusCode::UNAUTHORIZED);
        for challenge in challenges {
            if let Ok(value) = HeaderValue::try_from(challenge.to_string()) {
                error.inner.headers.append(WWW_AUTHENTICATE, value);
            }
        }
        error
    }

    /// `405 Method Not Allowed` with `Allow` listing `allowed`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::HttpError;
    /// use http::Method;
    ///
    /// let error = HttpError::method_not_allowed([Method::GET, Method::HEAD, Method::POST]);
    /// assert_eq!(error.headers()["allow"], "GET, HEAD, POST");
    /// ```
    pub fn method_not_allowed(allowed: impl IntoIterator<Item = Method>) -> Self {
        let allow = allowed
            .into_iter()
            .map(|m| m.as_str().to_owned())
            .collect::<Vec<_>>()
            .join(", ");
        let mut error = Self::new(StatusCode::METHOD_NOT_ALLOWED);
        if let Ok(value) = HeaderValue::try_from(allow) {
            error.inner.headers.insert(ALLOW, value);
        }
        error
    }

    /// `413 Content Too Large`, naming the limit that fired.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::HttpError;
    ///
    /// let error = HttpError::payload_too_large("max_content_length", 16 * 1024 * 1024);
    /// assert!(error.description().unwrap().contains("max_content_length = 16777216"));
    /// ```
    pub fn payload_too_large(limit_name: &str, limit: u64) -> Self {
        let description = format!(
            "The data value transmitted exceeds the capacity limit ({limit_name} = {limit})."
        );
        Self::new(StatusCode::PAYLOAD_TOO_LARGE).with_description(description)
    }

    /// `416 Range Not Satisfiable` with `Content-Range: bytes */length`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::HttpError;
    ///
    /// let error = HttpError::range_not_satisfiable(Some(11));
    /// assert_eq!(error.headers()["content-range"], "bytes */11");
    /// ```
    pub fn range_not_satisfiable(complete_length: Option<u64>) -> Self {
        let mut error = Self::new(StatusCode::RANGE_NOT_SATISFIABLE);
        if let Some(length) = complete_length {
            let value = ContentRange::unsatisfied(length).to_string();
            error.inner.headers.insert(
                CONTENT_RANGE,
                HeaderValue::try_from(value).expect("digits are a valid header value"),
            );
        }
        error
    }

    /// `431 Request Header Fields Too Large`, naming the limit that fired.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::HttpError;
    ///
    /// let error = HttpError::request_header_fields_too_large("max_cookie_header_size", 8190);
    /// assert_eq!(error.status(), 431);
    /// assert!(error.description().unwrap().contains("max_cookie_header_size = 8190"));
    /// ```
    pub fn request_header_fields_too_large(limit_name: &str, limit: u64) -> Self {
        let description =
            format!("One or more header fields exceeds the maximum size ({limit_name} = {limit}).");
        Self::new(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE).with_description(description)
    }

    /// Returns this error with `description` shown to the client instead of
    /// the default one.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::HttpError;
    ///
    /// let error = HttpError::not_found().with_description("Not There");
    /// assert_eq!(error.to_string(), "404 Not Found: Not There");
    /// ```
    #[must_use]
    pub fn with_description(mut self, description: impl Into<Cow<'static, str>>) -> Self {
        self.inner.description = Some(description.into());
        self
    }

    /// Returns this error with an extra response header.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::HttpError;
    /// use http::HeaderValue;
    ///
    /// let error = HttpError::forbidden().with_header("x-reason", HeaderValue::from_static("policy"));
    /// assert_eq!(error.into_page().headers()["x-reason"], "policy");
    /// ```
    #[must_use]
    pub fn with_header(
        mut self,
        name: impl http::header::IntoHeaderName,
        value: HeaderValue,
    ) -> Self {
        self.inner.headers.append(name, value);
        self
    }

    /// Returns this error with `Retry-After` (429, 503).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::{HttpError, RetryAfter};
    ///
    /// let error = HttpError::too_many_requests().with_retry_after(RetryAfter::Seconds(20));
    /// assert_eq!(error.headers()["retry-after"], "20");
    /// ```
    #[must_use]
    pub fn with_retry_after(mut self, retry_after: RetryAfter) -> Self {
        let value = match retry_after {
            RetryAfter::Seconds(seconds) => seconds.to_string(),
            RetryAfter::Date(date) => date.to_string(),
        };
        self.inner.headers.insert(
            RETRY_AFTER,
            HeaderValue::try_from(value).expect("a number or date is a valid header value"),
        );
        self
    }

    /// Returns this error with the error that caused it (for logs; never
    /// shown to the client).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::error::Error;
    /// use carafe_wrappers::HttpError;
    ///
    /// let cause = std::io::Error::other("disk on fire");
    /// let error = HttpError::internal_server_error().with_source(cause);
    /// assert_eq!(error.source().unwrap().to_string(), "disk on fire");
    /// assert!(!error.to_string().contains("disk"));
    /// ```
    #[must_use]
    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    /// The status code.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::HttpError;
    ///
    /// assert_eq!(HttpError::gone().status(), 410);
    /// ```
    pub fn status(&self) -> StatusCode {
        self.inner.status
    }

    /// The status name (`Not Found`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::HttpError;
    ///
    /// assert_eq!(HttpError::not_found().name(), "Not Found");
    /// ```
    pub fn name(&self) -> &'static str {
        self.inner.status.canonical_reason().unwrap_or("Unknown")
    }

    /// The description shown to the client.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::HttpError;
    ///
    /// assert_eq!(HttpError::locked().description(), Some("The resource that is being accessed is locked."));
    /// ```
    pub fn description(&self) -> Option<&str> {
        self.inner.description.as_deref()
    }

    /// The headers the error response carries (besides `Content-Type`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::HttpError;
    ///
    /// assert!(HttpError::not_found().headers().is_empty());
    /// ```
    pub fn headers(&self) -> &HeaderMap {
        &self.inner.headers
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.inner.status.as_u16(), self.name())?;
        if let Some(description) = &self.inner.description {
            write!(f, ": {description}")?;
        }
        Ok(())
    }
}

impl std::error::Error for HttpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}

impl From<HttpError> for Response {
    fn from(error: HttpError) -> Self {
        error.into_page()
    }
}

impl From<BodyError> for HttpError {
    /// `413` naming `max_content_length`, or `400` for a broken body.
    fn from(error: BodyError) -> Self {
        match error {
            BodyError::TooLarge { limit } => Self::payload_too_large("max_content_length", limit),
            other => Self::new(other.status()).with_source(other),
        }
    }
}

impl From<HeaderError> for HttpError {
    /// `400` (or `416` for too many ranges) describing the header that failed.
    fn from(error: HeaderError) -> Self {
        let message = error.to_string();
        let mut chars = message.chars();
        let description = match chars.next() {
            Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
            None => String::new(),
        };
        Self::new(error.status())
            .with_description(description)
            .with_source(error)
    }
}

impl From<StatusCode> for HttpError {
    /// As [`abort`]: `Err(StatusCode::NOT_FOUND.into())`.
    fn from(status: StatusCode) -> Self {
        Self::new(status)
    }
}

impl From<RedirectError> for HttpError {
    /// `400` for a target with control characters (it came from the client),
    /// `500` for a status that is not a redirect (a bug in the program).
    fn from(error: RedirectError) -> Self {
        Self::new(error.status()).with_source(error)
    }
}

impl From<SetCookieError> for HttpError {
    /// `500`: names, domains and sizes of cookies are the program's choice.
    fn from(error: SetCookieError) -> Self {
        Self::internal_server_error().with_source(error)
    }
}

impl From<UnsafePath> for HttpError {
    /// `404`, as Werkzeug's `send_from_directory` answers a refused path.
    fn from(error: UnsafePath) -> Self {
        Self::not_found().with_source(error)
    }
}
