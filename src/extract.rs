//! Extractors: what a `#[route]` handler's parameters (other than URL
//! values) are made from. A parameter's type says what it takes from the
//! request; a request the extractor cannot use is answered with a `4xx`
//! that says why, through the app's error handlers.
//!
//! | extractor | what | rejection |
//! |---|---|---|
//! | `&Request` | the request | — |
//! | [`Query<T>`] | the query string as `T: Deserialize` | `400` naming the field |
//! | [`Cookies`] | the cookies | `400`, `431` |
//! | [`Session`](crate::Session) | the session | — |
//! | [`State<T>`] | app state registered with [`AppBuilder::state`](crate::AppBuilder::state) | `500` if not registered |
//! | [`Form<T>`] *(body)* | the form (urlencoded or multipart) as `T` | `400` naming the field, `413` naming the limit |
//! | [`Json<T>`](crate::Json) *(body)* | the body as JSON | `415` if not JSON, `400` with line and column |
//! | [`Files`] *(body)* | the uploaded files | `400`, `413` |
//! | `Bytes`, `String` *(body)* | the raw body | `413`, `400` (not UTF-8) |
//!
//! Extractors marked *body* read the request body, so a handler takes at
//! most one of them, as its last parameter (a compile error otherwise).
//! `Form` and `Files` share one parse of the body: to take both, take
//! `Form<T>` last and read [`Request::files`] from `&Request`.

use std::ops::Deref;
use std::sync::Arc;

use bytes::Bytes;
use carafe_wrappers::{FileStorage, MultiDict, Request};
use http::StatusCode;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::context::RequestExt;
use crate::error::Error;
use crate::response::Json;

/// An extractor that reads only the head of the request (not the body):
/// any number of them, in any order, as handler parameters.
///
/// # Examples
///
/// A custom extractor:
///
/// ```
/// use carafe::prelude::*;
/// use carafe::extract::FromRequestParts;
/// use carafe::wrappers::{HttpError, test::Client};
///
/// struct ApiKey(String);
///
/// impl<'r> FromRequestParts<'r> for ApiKey {
///     fn from_request_parts(request: &'r Request) -> Result<Self, Error> {
///         match request.headers().get("x-api-key").and_then(|v| v.to_str().ok()) {
///             Some(key) => Ok(ApiKey(key.to_owned())),
///             None => Err(HttpError::unauthorized([]).into()),
///         }
///     }
/// }
///
/// fn secret(request: &Request) -> Result<String, Error> {
///     let ApiKey(key) = request.extract()?;
///     Ok(format!("key {key}"))
/// }
/// let client = Client::new(App::builder().route("/", secret).build());
/// assert_eq!(client.get("/").header("x-api-key", "k1").send().text(), "key k1");
/// assert_eq!(client.get("/").send().status(), 401);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a handler parameter here",
    label = "not an extractor that reads only the request head",
    note = "a parameter that reads the request body (Form, Json, Files, Bytes, String) must be the last one, and a handler takes at most one",
    note = "parameters named like a rule variable receive its value; other parameters must be extractors (FromRequestParts)"
)]
pub trait FromRequestParts<'r>: Sized {
    /// Extracts the value from the request.
    ///
    /// # Errors
    ///
    /// The rejection: an error the app answers with (usually an
    /// [`HttpError`](carafe_wrappers::HttpError) with a `4xx` status).
    fn from_request_parts(request: &'r Request) -> Result<Self, Error>;
}

/// An extractor for the last handler parameter: every [`FromRequestParts`]
/// extractor, and the ones that read the body.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a handler parameter",
    label = "not an extractor",
    note = "parameters named like a rule variable receive its value; other parameters must be extractors (FromRequestParts, or FromRequest for the last one)"
)]
pub trait FromRequest<'r>: Sized {
    /// Extracts the value from the request.
    ///
    /// # Errors
    ///
    /// The rejection.
    fn from_request(request: &'r Request) -> Result<Self, Error>;
}

impl<'r, T: FromRequestParts<'r>> FromRequest<'r> for T {
    fn from_request(request: &'r Request) -> Result<Self, Error> {
        T::from_request_parts(request)
    }
}

/// A rejection: `status`, with the error's message as the description.
pub(crate) fn reject(
    status: StatusCode,
    error: impl std::error::Error + Send + Sync + 'static,
) -> Error {
    crate::error::rejection(status, error).into()
}

impl<'r> FromRequestParts<'r> for &'r Request {
    fn from_request_parts(request: &'r Request) -> Result<Self, Error> {
        Ok(request)
    }
}

/// The query string deserialized into `T` (Werkzeug's `args`, typed): a
/// scalar field takes the first value, a `Vec` every value, an `Option` is
/// `None` when absent or empty. A bad query is a `400` naming the field.
///
/// # Examples
///
/// ```
/// use carafe::prelude::*;
/// use carafe::wrappers::test::Client;
///
/// #[derive(serde::Deserialize)]
/// struct Search { q: String, page: Option<u32> }
///
/// #[get("/search")]
/// fn search(Query(search): Query<Search>) -> String {
///     format!("{} p{}", search.q, search.page.unwrap_or(1))
/// }
/// let client = Client::new(App::builder().register(search).build());
/// assert_eq!(client.get("/search?q=rust&page=").send().text(), "rust p1");
/// let response = client.get("/search?page=2").send();
/// assert_eq!(response.status(), 400);
/// assert!(response.text().contains("Invalid query string: field `q`: missing."));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Query<T>(pub T);

impl<'r, T: Deserialize<'r>> FromRequestParts<'r> for Query<T> {
    fn from_request_parts(request: &'r Request) -> Result<Self, Error> {
        request
            .args_as::<T>()
            .map(Query)
            .map_err(|error| reject(error.status(), error))
    }
}

impl<T> Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// The form (urlencoded or multipart) deserialized into `T`. Reads the
/// body: the last parameter. A bad form is a `400` naming the field, one
/// over a limit a `413` naming the limit.
///
/// # Examples
///
/// ```
/// use carafe::prelude::*;
/// use carafe::wrappers::test::Client;
///
/// #[derive(serde::Deserialize)]
/// struct Signup { email: String, age: u8 }
///
/// #[post("/signup")]
/// fn signup(Form(form): Form<Signup>) -> String {
///     format!("{} ({})", form.email, form.age)
/// }
/// let client = Client::new(App::builder().register(signup).build());
/// let response = client.post("/signup").form([("email", "a@b.c"), ("age", "41")]).send();
/// assert_eq!(response.text(), "a@b.c (41)");
/// let response = client.post("/signup").form([("email", "a@b.c"), ("age", "-1")]).send();
/// assert_eq!(response.status(), 400);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Form<T>(pub T);

impl<'r, T: Deserialize<'r>> FromRequest<'r> for Form<T> {
    fn from_request(request: &'r Request) -> Result<Self, Error> {
        request
            .form_as::<T>()
            .map(Form)
            .map_err(|error| reject(error.status(), error))
    }
}

impl<T> Deref for Form<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<'r, T: DeserializeOwned> FromRequest<'r> for Json<T> {
    /// The body as JSON: `415` when the content type is not JSON, `400`
    /// naming the line and column when the body is not `T`.
    fn from_request(request: &'r Request) -> Result<Self, Error> {
        request
            .json::<T>()
            .map(Json)
            .map_err(|error| reject(error.status(), error))
    }
}

impl<T> Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// The uploaded files of a multipart form (Werkzeug's `files`). Reads the
/// body: the last parameter.
///
/// # Examples
///
/// ```
/// use carafe::prelude::*;
/// use carafe::wrappers::test::{Client, FileUpload};
///
/// #[post("/upload")]
/// fn upload(files: Files<'_>) -> String {
///     let file = files.get("photo").unwrap();
///     format!("{} {} bytes", file.secure_filename(), file.size())
/// }
/// let client = Client::new(App::builder().register(upload).build());
/// let response = client.post("/upload").file("photo", FileUpload::new("../a b.jpg", &b"jpeg"[..])).send();
/// assert_eq!(response.text(), "a_b.jpg 4 bytes");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Files<'r>(pub &'r MultiDict<FileStorage>);

impl<'r> FromRequest<'r> for Files<'r> {
    fn from_request(request: &'r Request) -> Result<Self, Error> {
        request
            .files()
            .map(Files)
            .map_err(|error| reject(error.status(), error))
    }
}

impl<'r> Deref for Files<'r> {
    type Target = MultiDict<FileStorage>;
    fn deref(&self) -> &MultiDict<FileStorage> {
        self.0
    }
}

/// The cookies the client sent (Werkzeug's `cookies`).
///
/// # Examples
///
/// ```
/// use carafe::prelude::*;
/// use carafe::wrappers::test::Client;
///
/// #[get("/")]
/// fn index(cookies: Cookies<'_>) -> String {
///     cookies.get("theme").cloned().unwrap_or_else(|| "light".into())
/// }
/// let client = Client::new(App::builder().register(index).build());
/// assert_eq!(client.get("/").header("cookie", "theme=dark").send().text(), "dark");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Cookies<'r>(pub &'r MultiDict);

impl<'r> FromRequestParts<'r> for Cookies<'r> {
    fn from_request_parts(request: &'r Request) -> Result<Self, Error> {
        request
            .cookies()
            .map(Cookies)
            .map_err(|error| reject(error.status(), error))
    }
}

impl<'r> Deref for Cookies<'r> {
    type Target = MultiDict;
    fn deref(&self) -> &MultiDict {
        self.0
    }
}

/// App state registered with [`AppBuilder::state`](crate::AppBuilder::state):
/// a database pool, configuration, caches. Shared by every request (use
/// atomics or a pool inside for what changes).
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use carafe::prelude::*;
/// use carafe::wrappers::test::Client;
///
/// struct Hits {
///     count: AtomicU64,
/// }
///
/// #[get("/")]
/// fn index(hits: State<Hits>) -> String {
///     format!("hit {}", hits.count.fetch_add(1, Ordering::Relaxed) + 1)
/// }
/// let client = Client::new(App::builder().state(Hits { count: AtomicU64::new(0) }).register(index).build());
/// client.get("/").send();
/// assert_eq!(client.get("/").send().text(), "hit 2");
/// ```
#[derive(Debug)]
pub struct State<T>(pub Arc<T>);

impl<T> Clone for State<T> {
    fn clone(&self) -> Self {
        State(Arc::clone(&self.0))
    }
}

impl<T> Deref for State<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// App state that was asked for but never registered.
#[derive(Debug)]
struct MissingState(&'static str);

impl std::fmt::Display for MissingState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "no app state of type {}: register it with AppBuilder::state",
            self.0
        )
    }
}

impl std::error::Error for MissingState {}

impl<'r, T: Send + Sync + 'static> FromRequestParts<'r> for State<T> {
    fn from_request_parts(request: &'r Request) -> Result<Self, Error> {
        request
            .app()
            .and_then(|app| app.state_arc::<T>())
            .map(State)
            .ok_or_else(|| Error::new(MissingState(std::any::type_name::<T>())))
    }
}

impl<'r> FromRequest<'r> for Bytes {
    /// The raw body (bounded by `max_content_length`: `413` above it).
    fn from_request(request: &'r Request) -> Result<Self, Error> {
        request
            .get_data()
            .map_err(|error| reject(error.status(), error))
    }
}

impl<'r> FromRequest<'r> for String {
    /// The raw body as text: `400` when it is not UTF-8.
    fn from_request(request: &'r Request) -> Result<Self, Error> {
        let bytes = Bytes::from_request(request)?;
        String::from_utf8(bytes.to_vec()).map_err(|error| reject(StatusCode::BAD_REQUEST, error))
    }
}

impl<'r> FromRequestParts<'r> for crate::session::Session<'r> {
    fn from_request_parts(request: &'r Request) -> Result<Self, Error> {
        Ok(request.session())
    }
}
