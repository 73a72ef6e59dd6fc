//! Werkzeug's request/response layer for Rust, and the gateway trait every
//! Carafe server calls and every app, middleware and framework implements.
//!
//! ```
//! use carafe_wrappers::{Application, Request, Response};
//!
//! fn app(request: Request) -> Response {
//!     Response::text(format!("you asked for {}", request.path_info()))
//! }
//!
//! let response = app.handle(Request::get("/hello"));
//! assert_eq!(response.status(), 200);
//! ```
//!
//! # Reading a request
//!
//! A [`Request`] parses on first use and caches: [`Request::args`] (the
//! query, an ordered [`MultiDict`]), [`Request::form`] and [`Request::files`]
//! (urlencoded or multipart; uploads are [`FileStorage`], spooled to disk past
//! a threshold), [`Request::cookies`], [`Request::get_data`],
//! [`Request::json`], and typed extraction into serde structs
//! ([`Request::args_as`], [`Request::form_as`]). URL pieces follow Werkzeug
//! ([`Request::path`], [`Request::url`], [`Request::root_url`], ...). Every
//! parser applies the [`Limits`] and fails with an error that knows its
//! status and names the limit; `?` turns it into an [`HttpError`].
//! [`test::Client`] drives an application in process.
//!
//! ```
//! use carafe_wrappers::test::{Client, FileUpload};
//! use carafe_wrappers::{HttpError, Request, Response};
//!
//! #[derive(serde::Deserialize)]
//! struct Upload { title: String, public: Option<bool> }
//!
//! fn upload(request: &Request) -> Result<Response, HttpError> {
//!     let form: Upload = request.form_as()?;
//!     let photo = request.files()?.get("photo").ok_or_else(HttpError::bad_request)?;
//!     Ok(Response::text(format!(
//!         "{} ({} bytes, public: {:?}) saved as {}",
//!         form.title, photo.size(), form.public, photo.secure_filename()
//!     )))
//! }
//!
//! let client = Client::new(|request: Request| {
//!     upload(&request).unwrap_or_else(|error| error.into_response_for(&request))
//! });
//! let response = client
//!     .post("/upload")
//!     .form([("title", "Beach"), ("public", "on")])
//!     .file("photo", FileUpload::new("../../beach photo.jpg", &b"\xff\xd8\xff"[..]))
//!     .send();
//! assert_eq!(response.text(), "Beach (3 bytes, public: Some(true)) saved as beach_photo.jpg");
//! ```
//!
//! # Answering
//!
//! Responses are built by constructors named for intent ([`Response::text`],
//! [`Response::html`], [`Response::json`], [`Response::redirect`],
//! [`Response::no_content`], [`Response::file`]) and chainable `with_*`
//! setters. Handlers return `Result<Response, HttpError>`: an [`HttpError`]
//! renders Werkzeug's error page, or JSON for clients that prefer it.
//! [`Response::make_conditional`] answers `304`, `412`, `206` (one range or
//! `multipart/byteranges`) and `416` from the request's conditional and
//! `Range` headers; [`send_file`] and [`send_from_directory`] do the same for
//! files, with seeks. Servers call [`Response::prepare_for`] last (HEAD
//! without a body, no body for `204`/`304`, `Content-Length` when known).
//!
//! ```
//! use carafe_wrappers::headers::EntityTag;
//! use carafe_wrappers::{HttpError, Request, Response, SetCookie, is_safe_redirect};
//!
//! fn login(request: &Request, next: &str) -> Result<Response, HttpError> {
//!     let Some(auth) = request.authorization() else {
//!         return Err(HttpError::unauthorized([]));
//!     };
//!     let target = if is_safe_redirect(next) { next } else { "/" };
//!     let mut response = Response::redirect(target)?;
//!     response.set_cookie(SetCookie::new("user", auth.username().unwrap_or_default()))?;
//!     Ok(response)
//! }
//!
//! let mut request = Request::get("/login");
//! request.headers_mut().insert("authorization", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==".parse().unwrap());
//! let response = login(&request, "//evil.example").unwrap();
//! assert_eq!(response.status(), 303);
//! assert_eq!(response.headers()["location"], "/");
//! assert_eq!(response.headers()["set-cookie"], "user=Aladdin; HttpOnly; Path=/; SameSite=Lax");
//!
//! let page = Response::text("Hello World").with_etag(&EntityTag::strong("v1").unwrap());
//! let mut again = Request::get("/page");
//! again.headers_mut().insert("if-none-match", r#""v1""#.parse().unwrap());
//! assert_eq!(page.make_conditional(&again).status(), 304);
//! ```
//!
//! Typed headers live in [`headers`]: each type owns its wire format
//! (`FromStr` + `Display`), and `Request` reads them
//! ([`Request::accept`], [`Request::if_none_match`], [`Request::range`],
//! [`Request::authorization`], [`Request::user_agent`], ...). Passwords are
//! hashed in Werkzeug's formats ([`generate_password_hash`],
//! [`check_password_hash`]).
//!
//! # IO boundary
//!
//! Parsing and decisions are pure functions over headers and bytes; the only
//! IO is reading a [`Body`] (a blocking stream the server provides) and the
//! readers a [`ResponseBody`] may hold. [`send_file`], [`send_from_directory`]
//! and [`Response::file`] open files (the file-system edge); conditional
//! decisions themselves are the sans-IO [`evaluate`].
//!
//! *Status: the core types; the rest is being built (issue 3).*
#![forbid(unsafe_code)]

mod application;
mod body;
pub mod cookies;
mod error;
mod extract;
mod file;
#[cfg(feature = "hyper")]
pub mod hyper;
mod limits;
mod multidict;
pub mod multipart;
mod options_header;
mod request;
mod response;
mod secure_filename;
pub mod test;
pub mod urlencoded;

// Response side, typed headers and utilities (issue 3, points 2, 5, 6, 7).
mod byteranges;
mod conditional;
mod escape;
pub mod headers;
mod http_error;
mod idna;
mod password;
mod redirect;
mod request_headers;
mod safe_join;
mod send_file;
mod set_cookie;

pub use application::Application;
pub use body::Body;
pub use error::BodyError;
pub use error::{CookieError, ExtractError, FormError, JsonError, QueryError};
pub use file::{FileReader, FileStorage};
pub use limits::Limits;
pub use multidict::MultiDict;
pub use request::{Request, RequestEnviron};
pub use response::{Response, ResponseBody};
pub use secure_filename::secure_filename;

pub use conditional::{Decision, Validators, evaluate};
pub use http_error::{HttpError, RetryAfter, abort};
pub use password::{
    PasswordHashError, PasswordMethod, Pbkdf2Hash, check_password_hash, generate_password_hash,
    generate_password_hash_with, needs_rehash, needs_rehash_with,
};
pub use redirect::{RedirectError, is_safe_redirect};
pub use safe_join::{Dotfiles, UnsafePath, safe_join, safe_join_with};
pub use send_file::{SendFile, send_file, send_from_directory};
pub use set_cookie::{SameSite, SetCookie, SetCookieError};

pub use http;
