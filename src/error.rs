//! The errors of this crate: [`Error`], what handlers, hooks and extractors
//! fail with (any error converts into it with `?`), [`Panic`], what a
//! panicking handler becomes, and [`SetupError`], what a mis-registered app
//! fails with at start-up.

use std::any::Any;
use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use carafe_routing::MatchError;
use carafe_wrappers::{HttpError, Response};
use http::StatusCode;
use http::header::{ALLOW, HeaderValue, LOCATION};

/// Any error a handler, hook or extractor fails with: an [`HttpError`] (a
/// `4xx`/`5xx` the client should see, such as an extractor's rejection),
/// or any other error, which becomes a `500 Internal Server Error` unless an
/// error handler for its type answers it (Flask's exceptions and
/// `errorhandler`).
///
/// Every `std::error::Error + Send + Sync + 'static` converts into it, so
/// handlers returning `Result<T, Error>` use `?` on anything.
///
/// # Examples
///
/// ```
/// use carafe::Error;
/// use carafe::wrappers::HttpError;
/// use http::StatusCode;
///
/// let error = Error::from(HttpError::not_found());
/// assert_eq!(error.status(), StatusCode::NOT_FOUND);
/// assert!(error.is_http());
///
/// let error = Error::from("x".parse::<i32>().unwrap_err());
/// assert_eq!(error.status(), StatusCode::INTERNAL_SERVER_ERROR);
/// assert!(error.is::<std::num::ParseIntError>());
/// assert_eq!(error.to_string(), "invalid digit found in string");
/// ```
pub struct Error {
    inner: Box<dyn StdError + Send + Sync + 'static>,
}

impl Error {
    /// Wraps an error.
    ///
    /// # Examples
    ///
    /// ```
    /// let error = carafe::Error::new(std::io::Error::other("disk full"));
    /// assert_eq!(error.to_string(), "disk full");
    /// ```
    ///
    /// The toolkit's client errors become the [`HttpError`] they stand for,
    /// so `request.form()?` in a handler answers `413` or `400`, not `500`:
    /// body, form, JSON, query, cookie and extraction errors, unsafe
    /// redirect targets and paths, bad headers, routing outcomes.
    pub fn new<E: StdError + Send + Sync + 'static>(error: E) -> Self {
        let boxed: Box<dyn Any + Send + Sync> = Box::new(error);
        match client_error(boxed) {
            Ok(http) => Error {
                inner: Box::new(http),
            },
            Err(boxed) => match boxed.downcast::<E>() {
                Ok(error) => Error { inner: error },
                Err(_) => Error::msg("an error of an unexpected type"),
            },
        }
    }

    /// An error carrying only a message (a `500` unless handled).
    ///
    /// # Examples
    ///
    /// ```
    /// let error = carafe::Error::msg("the database is gone");
    /// assert_eq!(error.to_string(), "the database is gone");
    /// assert_eq!(error.status(), 500);
    /// ```
    pub fn msg(message: impl Into<String>) -> Self {
        Error::new(Message(message.into()))
    }

    /// The HTTP status this error answers with when no handler takes it:
    /// the status of an [`HttpError`], `500` for anything else.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::wrappers::HttpError;
    /// assert_eq!(carafe::Error::from(HttpError::forbidden()).status(), 403);
    /// ```
    pub fn status(&self) -> StatusCode {
        match self.as_http() {
            Some(http) => http.status(),
            None => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Whether this is an [`HttpError`] (Flask's `HTTPException`): one the
    /// client is meant to see, rather than a failure of the program.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!carafe::Error::msg("x").is_http());
    /// ```
    pub fn is_http(&self) -> bool {
        self.as_http().is_some()
    }

    /// The [`HttpError`] inside, if it is one.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::wrappers::HttpError;
    /// let error = carafe::Error::from(HttpError::gone());
    /// assert_eq!(error.as_http().unwrap().name(), "Gone");
    /// ```
    pub fn as_http(&self) -> Option<&HttpError> {
        self.inner.downcast_ref::<HttpError>()
    }

    /// Whether the wrapped error is an `E`.
    ///
    /// # Examples
    ///
    /// ```
    /// let error = carafe::Error::new(std::fmt::Error);
    /// assert!(error.is::<std::fmt::Error>());
    /// ```
    pub fn is<E: StdError + 'static>(&self) -> bool {
        self.inner.is::<E>()
    }

    /// The wrapped error as an `E`, if it is one.
    ///
    /// # Examples
    ///
    /// ```
    /// let error = carafe::Error::new(std::fmt::Error);
    /// assert!(error.downcast_ref::<std::fmt::Error>().is_some());
    /// assert!(error.downcast_ref::<std::io::Error>().is_none());
    /// ```
    pub fn downcast_ref<E: StdError + 'static>(&self) -> Option<&E> {
        self.inner.downcast_ref::<E>()
    }

    /// The wrapped error.
    ///
    /// # Examples
    ///
    /// ```
    /// let error = carafe::Error::msg("x");
    /// assert_eq!(error.into_inner().to_string(), "x");
    /// ```
    pub fn into_inner(self) -> Box<dyn StdError + Send + Sync + 'static> {
        self.inner
    }

    /// The wrapped error, as a `std::error::Error`.
    ///
    /// # Examples
    ///
    /// ```
    /// let error = carafe::Error::msg("x");
    /// assert!(error.as_std().source().is_none());
    /// ```
    pub fn as_std(&self) -> &(dyn StdError + Send + Sync + 'static) {
        &*self.inner
    }

    /// The response for this error when no error handler answers it:
    /// the [`HttpError`]'s page (HTML, or JSON for clients that prefer it),
    /// or a `500` page.
    pub(crate) fn default_response(&self, request: &carafe_wrappers::Request) -> Response {
        self.http_error().into_response_for(request)
    }

    /// An [`HttpError`] with the same status, headers and description.
    pub(crate) fn http_error(&self) -> HttpError {
        match self.as_http() {
            Some(http) => {
                let mut copy = HttpError::new(http.status());
                if let Some(description) = http.description() {
                    copy = copy.with_description(description.to_owned());
                }
                for (name, value) in http.headers() {
                    copy = copy.with_header(name.clone(), value.clone());
                }
                copy
            }
            None => HttpError::internal_server_error(),
        }
    }

    /// A panic's payload, as an error.
    pub(crate) fn from_panic(payload: &(dyn Any + Send)) -> Self {
        let message = if let Some(text) = payload.downcast_ref::<&str>() {
            (*text).to_owned()
        } else if let Some(text) = payload.downcast_ref::<String>() {
            text.clone()
        } else {
            "a panic with a non-text payload".to_owned()
        };
        Error::new(Panic { message })
    }
}

/// The [`HttpError`] a toolkit client error stands for, or the error back.
fn client_error(
    boxed: Box<dyn Any + Send + Sync>,
) -> Result<HttpError, Box<dyn Any + Send + Sync>> {
    use carafe_wrappers::headers::HeaderError;
    use carafe_wrappers::{
        BodyError, CookieError, ExtractError, FormError, JsonError, QueryError, RedirectError,
        UnsafePath,
    };
    macro_rules! with_status {
        ($boxed:ident: $($ty:ty),*) => {$(
            let $boxed = match $boxed.downcast::<$ty>() {
                Ok(error) => {
                    let status = error.status();
                    return Ok(rejection(status, *error));
                }
                Err(other) => other,
            };
        )*};
    }
    macro_rules! via_from {
        ($boxed:ident: $($ty:ty),*) => {$(
            let $boxed = match $boxed.downcast::<$ty>() {
                Ok(error) => return Ok(HttpError::from(*error)),
                Err(other) => other,
            };
        )*};
    }
    via_from!(boxed: BodyError, RedirectError, HeaderError, UnsafePath);
    with_status!(boxed: FormError, JsonError, QueryError, CookieError, ExtractError);
    match boxed.downcast::<MatchError>() {
        Ok(error) => Ok(routing_error(&error)),
        Err(other) => Err(other),
    }
}

/// An [`HttpError`] with `status` whose description is the error's message.
pub(crate) fn rejection(
    status: StatusCode,
    error: impl StdError + Send + Sync + 'static,
) -> HttpError {
    let message = error.to_string();
    let mut chars = message.chars();
    let description = match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    };
    HttpError::new(status)
        .with_description(description)
        .with_source(error)
}

impl<E: StdError + Send + Sync + 'static> From<E> for Error {
    fn from(error: E) -> Self {
        Error::new(error)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl AsRef<dyn StdError + Send + Sync + 'static> for Error {
    fn as_ref(&self) -> &(dyn StdError + Send + Sync + 'static) {
        &*self.inner
    }
}

/// An error that is only a message ([`Error::msg`]).
#[derive(Debug)]
struct Message(String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for Message {}

/// A handler (or hook) panicked: the app answers `500` through its error
/// handlers and keeps serving. Error handlers and teardown functions see
/// it as an [`Error`] holding a `Panic`.
///
/// # Examples
///
/// ```
/// use carafe::{App, Error, Panic};
/// use carafe::wrappers::{Request, test::Client};
///
/// fn boom(_: &Request) -> &'static str {
///     panic!("the handler broke")
/// }
/// fn oops(error: &Error, _: &Request) -> (http::StatusCode, String) {
///     let message = error.downcast_ref::<Panic>().unwrap().message();
///     (http::StatusCode::INTERNAL_SERVER_ERROR, format!("sorry: {message}"))
/// }
/// let app = App::builder().route("/", boom).error_handler(500, oops).build();
/// let response = Client::new(app).get("/").send();
/// assert_eq!(response.status(), 500);
/// assert_eq!(response.text(), "sorry: the handler broke");
/// ```
#[derive(Debug, Clone)]
pub struct Panic {
    message: String,
}

impl Panic {
    /// The panic message.
    ///
    /// # Examples
    ///
    /// See [`Panic`].
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the handler panicked: {}", self.message)
    }
}

impl StdError for Panic {}

/// The error of a routing outcome that is an HTTP answer: `404`, `405` with
/// `Allow`, `400`; redirects and automatic OPTIONS answers are responses,
/// not errors (see [`routing_response`]).
pub(crate) fn routing_error(error: &MatchError) -> HttpError {
    let mut http = HttpError::new(error.status());
    if let Some(allow) = error.allow_header()
        && let Ok(value) = HeaderValue::try_from(allow)
    {
        http = http.with_header(ALLOW, value);
    }
    if let MatchError::BadRequest(reason) = error {
        http = http.with_description(capitalize(&reason.to_string()));
    } else if let MatchError::WebsocketMismatch = error {
        http = http.with_description(capitalize(&error.to_string()));
    }
    http
}

/// The response for routing outcomes that are not errors: `308` redirects
/// (Werkzeug's `RequestRedirect`) and automatic `OPTIONS` answers.
pub(crate) fn routing_response(error: &MatchError) -> Option<Response> {
    match error {
        MatchError::RequestRedirect { location } => {
            let Ok(mut response) =
                Response::redirect_with_status(location, StatusCode::PERMANENT_REDIRECT)
            else {
                return None;
            };
            if let Ok(value) = HeaderValue::try_from(location.as_str()) {
                response.headers_mut().insert(LOCATION, value);
            }
            Some(response)
        }
        MatchError::AutomaticOptions { .. } => {
            let mut response = Response::empty(StatusCode::OK);
            if let Some(allow) = error.allow_header()
                && let Ok(value) = HeaderValue::try_from(allow)
            {
                response.headers_mut().insert(ALLOW, value);
            }
            Some(response)
        }
        _ => None,
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

/// Shared, cloneable error for response extensions.
#[derive(Clone)]
pub(crate) struct PendingError(pub(crate) Arc<Error>);
