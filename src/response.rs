//! What a handler may return: [`IntoResponse`] and the response types
//! [`Html`], [`Json`] and [`Redirect`].

use std::borrow::Cow;
use std::sync::Arc;

use bytes::Bytes;
use carafe_wrappers::{HttpError, Response, ResponseBody};
use http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use http::{HeaderMap, StatusCode};
use serde::Serialize;

use crate::error::{Error, PendingError};

/// A value a handler may return (Flask's table of view return values).
/// See the table in the [crate docs](crate#what-a-handler-returns).
///
/// Errors ([`Error`], [`HttpError`]) render their default page *and* stay
/// attached to the response, so the app can give them to the error handler
/// registered for their status or type.
///
/// # Examples
///
/// ```
/// use carafe::{Html, IntoResponse, Json};
/// use http::StatusCode;
///
/// let response = "Hello, World!".into_response();
/// assert_eq!(response.headers()["content-type"], "text/plain; charset=utf-8");
///
/// let response = (StatusCode::CREATED, Json(serde_json::json!({"id": 7}))).into_response();
/// assert_eq!(response.status(), 201);
/// assert_eq!(response.headers()["content-type"], "application/json");
///
/// let response = Html("<h1>Hi</h1>").into_response();
/// assert_eq!(response.headers()["content-type"], "text/html; charset=utf-8");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a handler",
    label = "not a response",
    note = "return a &str or String (text), Html, Json, Redirect, StatusCode, (StatusCode, T), (headers, T), Response, or Result<T, E> of those; see the table in the crate docs"
)]
pub trait IntoResponse {
    /// Converts the value into a response.
    fn into_response(self) -> Response;
}

impl IntoResponse for Response {
    fn into_response(self) -> Response {
        self
    }
}

impl IntoResponse for &'static str {
    fn into_response(self) -> Response {
        Response::static_text(self)
    }
}

impl IntoResponse for String {
    fn into_response(self) -> Response {
        Response::text(self)
    }
}

impl IntoResponse for Cow<'static, str> {
    fn into_response(self) -> Response {
        match self {
            Cow::Borrowed(text) => Response::static_text(text),
            Cow::Owned(text) => Response::text(text),
        }
    }
}

impl IntoResponse for Box<str> {
    fn into_response(self) -> Response {
        Response::text(String::from(self))
    }
}

// Built at compile time (at run time `HeaderValue::from_static` checks every
// byte); cloning a static value copies a pointer.
static OCTET_STREAM: HeaderValue = HeaderValue::from_static("application/octet-stream");
static APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

fn octets(bytes: Bytes) -> Response {
    let mut response = Response::new(ResponseBody::Bytes(bytes));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, OCTET_STREAM.clone());
    response
}

impl IntoResponse for Bytes {
    fn into_response(self) -> Response {
        octets(self)
    }
}

impl IntoResponse for Vec<u8> {
    fn into_response(self) -> Response {
        octets(Bytes::from(self))
    }
}

impl IntoResponse for &'static [u8] {
    fn into_response(self) -> Response {
        octets(Bytes::from_static(self))
    }
}

impl IntoResponse for StatusCode {
    /// An empty response with this status.
    fn into_response(self) -> Response {
        Response::empty(self)
    }
}

impl IntoResponse for HttpError {
    /// The error page; the app gives the error to its handlers first.
    fn into_response(self) -> Response {
        Error::from(self).into_response()
    }
}

impl IntoResponse for Error {
    /// The default page for the error's status; the app gives the error to
    /// its handlers first (by status, then by type).
    fn into_response(self) -> Response {
        let mut response = self.http_error().into_page();
        response
            .extensions_mut()
            .insert(PendingError(Arc::new(self)));
        response
    }
}

impl<T: IntoResponse, E: IntoResponse> IntoResponse for Result<T, E> {
    fn into_response(self) -> Response {
        match self {
            Ok(value) => value.into_response(),
            Err(error) => error.into_response(),
        }
    }
}

impl<T: IntoResponse> IntoResponse for (StatusCode, T) {
    /// `T`'s response with the status (an error keeps its own).
    fn into_response(self) -> Response {
        let mut response = self.1.into_response();
        if response.extensions().get::<PendingError>().is_none() {
            response.set_status(self.0);
        }
        response
    }
}

/// Headers to add to a response: a [`HeaderMap`], or pairs of names and
/// values (`[("x-id", "7")]`, `vec![(header::ETAG, value)]`).
pub trait IntoHeaders {
    /// Adds the headers to `response`; an invalid name or value is an error.
    fn apply(self, response: &mut Response) -> Result<(), Error>;
}

impl IntoHeaders for HeaderMap {
    fn apply(self, response: &mut Response) -> Result<(), Error> {
        let headers = response.headers_mut();
        let mut last: Option<HeaderName> = None;
        for (name, value) in self {
            if name.is_some() {
                last = name;
                if let Some(name) = &last {
                    headers.remove(name);
                }
            }
            if let Some(name) = &last {
                headers.append(name.clone(), value);
            }
        }
        Ok(())
    }
}

/// A header name or value that is not valid.
#[derive(Debug)]
struct InvalidHeader(String);

impl std::fmt::Display for InvalidHeader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid response header: {}", self.0)
    }
}

impl std::error::Error for InvalidHeader {}

fn pairs<K, V>(
    items: impl IntoIterator<Item = (K, V)>,
    response: &mut Response,
) -> Result<(), Error>
where
    K: TryInto<HeaderName>,
    K::Error: std::fmt::Display,
    V: TryInto<HeaderValue>,
    V::Error: std::fmt::Display,
{
    let mut map = HeaderMap::new();
    for (name, value) in items {
        let name = name
            .try_into()
            .map_err(|e| InvalidHeader(format!("name: {e}")))?;
        let value = value
            .try_into()
            .map_err(|e| InvalidHeader(format!("value of {name}: {e}")))?;
        map.append(name, value);
    }
    map.apply(response)
}

impl<K, V, const N: usize> IntoHeaders for [(K, V); N]
where
    K: TryInto<HeaderName>,
    K::Error: std::fmt::Display,
    V: TryInto<HeaderValue>,
    V::Error: std::fmt::Display,
{
    fn apply(self, response: &mut Response) -> Result<(), Error> {
        pairs(self, response)
    }
}

impl<K, V> IntoHeaders for Vec<(K, V)>
where
    K: TryInto<HeaderName>,
    K::Error: std::fmt::Display,
    V: TryInto<HeaderValue>,
    V::Error: std::fmt::Display,
{
    fn apply(self, response: &mut Response) -> Result<(), Error> {
        pairs(self, response)
    }
}

impl<H: IntoHeaders, T: IntoResponse> IntoResponse for (H, T) {
    /// The value's response with these headers (replacing headers of the
    /// same name).
    fn into_response(self) -> Response {
        let mut response = self.1.into_response();
        match self.0.apply(&mut response) {
            Ok(()) => response,
            Err(error) => error.into_response(),
        }
    }
}

impl<H: IntoHeaders, T: IntoResponse> IntoResponse for (StatusCode, H, T) {
    fn into_response(self) -> Response {
        let mut response = (self.1, self.2).into_response();
        if response.extensions().get::<PendingError>().is_none() {
            response.set_status(self.0);
        }
        response
    }
}

/// An HTML body: `text/html; charset=utf-8` (a rendered template is one).
///
/// # Examples
///
/// ```
/// use carafe::{Html, IntoResponse};
/// let response = Html(format!("<p>{}</p>", 1 + 1)).into_response();
/// assert_eq!(response.headers()["content-type"], "text/html; charset=utf-8");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Html<T>(pub T);

impl<T: Into<String>> IntoResponse for Html<T> {
    fn into_response(self) -> Response {
        Response::html(self.0)
    }
}

/// A JSON body (Flask's `jsonify`); as an extractor, the request body
/// parsed as JSON (see [`Json` the extractor](crate::extract)).
///
/// # Examples
///
/// ```
/// use carafe::{IntoResponse, Json};
///
/// #[derive(serde::Serialize)]
/// struct Message { message: &'static str }
///
/// let response = Json(Message { message: "Hello, World!" }).into_response();
/// assert_eq!(response.headers()["content-type"], "application/json");
/// assert_eq!(response.body().length(), Some(27));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    /// `application/json`, compact, without the trailing newline Flask's
    /// `jsonify` adds; a value that cannot be serialized is a `500`.
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(body) => {
                let mut response = Response::new(ResponseBody::Bytes(Bytes::from(body)));
                response
                    .headers_mut()
                    .insert(CONTENT_TYPE, APPLICATION_JSON.clone());
                response
            }
            Err(error) => Error::from(error).into_response(),
        }
    }
}

impl IntoResponse for serde_json::Value {
    /// `application/json`, as Flask answers a returned `dict` or `list`.
    fn into_response(self) -> Response {
        Json(self).into_response()
    }
}

/// A redirect (Flask's `redirect`): `302 Found` by default, as Flask.
/// A location with control characters (CR, LF) is refused, never written
/// into a header.
///
/// # Examples
///
/// ```
/// use carafe::{IntoResponse, Redirect};
///
/// let response = Redirect::to("/login?next=%2Fadmin").into_response();
/// assert_eq!(response.status(), 302);
/// assert_eq!(response.headers()["location"], "/login?next=%2Fadmin");
/// assert_eq!(Redirect::see_other("/").into_response().status(), 303);
/// assert_eq!(Redirect::to("/\r\nSet-Cookie: a=b").into_response().status(), 400);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    location: String,
    status: StatusCode,
}

impl Redirect {
    /// `302 Found` to `location` (Flask's default).
    ///
    /// # Examples
    ///
    /// See [`Redirect`].
    pub fn to(location: impl Into<String>) -> Self {
        Redirect::with_status(location, StatusCode::FOUND)
    }

    /// `303 See Other` (after a form post: the client follows with `GET`).
    ///
    /// # Examples
    ///
    /// See [`Redirect`].
    pub fn see_other(location: impl Into<String>) -> Self {
        Redirect::with_status(location, StatusCode::SEE_OTHER)
    }

    /// `307 Temporary Redirect` (the client keeps the method and body).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::{IntoResponse, Redirect};
    /// assert_eq!(Redirect::temporary("/b").into_response().status(), 307);
    /// ```
    pub fn temporary(location: impl Into<String>) -> Self {
        Redirect::with_status(location, StatusCode::TEMPORARY_REDIRECT)
    }

    /// `308 Permanent Redirect` (kept method; clients cache it).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::{IntoResponse, Redirect};
    /// assert_eq!(Redirect::permanent("/b").into_response().status(), 308);
    /// ```
    pub fn permanent(location: impl Into<String>) -> Self {
        Redirect::with_status(location, StatusCode::PERMANENT_REDIRECT)
    }

    /// A redirect with any of `301`, `302`, `303`, `307`, `308` (another
    /// status is a `500`: a bug in the program).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::{IntoResponse, Redirect};
    /// use http::StatusCode;
    /// let response = Redirect::with_status("/b", StatusCode::MOVED_PERMANENTLY).into_response();
    /// assert_eq!(response.status(), 301);
    /// ```
    pub fn with_status(location: impl Into<String>, status: StatusCode) -> Self {
        Redirect {
            location: location.into(),
            status,
        }
    }

    /// The target.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(carafe::Redirect::to("/x").location(), "/x");
    /// ```
    pub fn location(&self) -> &str {
        &self.location
    }
}

impl IntoResponse for Redirect {
    fn into_response(self) -> Response {
        match Response::redirect_with_status(&self.location, self.status) {
            Ok(response) => response,
            Err(error) => IntoResponse::into_response(HttpError::from(error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_stay_attached() {
        let response = Error::msg("boom").into_response();
        assert_eq!(response.status(), 500);
        assert!(response.extensions().get::<PendingError>().is_some());
        let response: Result<&str, HttpError> = Err(HttpError::not_found());
        let response = response.into_response();
        assert_eq!(response.status(), 404);
        assert!(response.extensions().get::<PendingError>().is_some());
    }

    #[test]
    fn headers_replace_and_append() {
        let response = ([("x-a", "1"), ("x-a", "2")], "body").into_response();
        let values: Vec<_> = response.headers().get_all("x-a").iter().collect();
        assert_eq!(values, ["1", "2"]);
        let response = ([("content-type", "text/csv")], "a,b").into_response();
        assert_eq!(response.headers()["content-type"], "text/csv");
        let response = ([("bad name", "1")], "x").into_response();
        assert_eq!(response.status(), 500);
        let response = (StatusCode::IM_A_TEAPOT, [("x-b", "1")], "tea").into_response();
        assert_eq!(response.status(), 418);
    }

    #[test]
    fn bytes_are_octets() {
        let response = vec![1u8, 2, 3].into_response();
        assert_eq!(
            response.headers()["content-type"],
            "application/octet-stream"
        );
        assert_eq!(response.body().length(), Some(3));
    }
}
