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
//! # IO boundary
//!
//! Parsing and decisions are pure functions over headers and bytes; the only
//! IO is reading a [`Body`] (a blocking stream the server provides) and the
//! readers a [`ResponseBody`] may hold.
//!
//! *Status: the core types; the rest is being built (issue 3).*
#![forbid(unsafe_code)]

mod application;
mod body;
mod error;
mod limits;
mod request;
mod response;

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
pub use limits::Limits;
pub use request::Request;
pub use response::{Response, ResponseBody};

pub use conditional::{Decision, Validators, evaluate};
pub use http_error::{HttpError, RetryAfter, abort};
pub use password::{
    PasswordHashError, PasswordMethod, Pbkdf2Hash, check_password_hash, generate_password_hash,
    generate_password_hash_with, needs_rehash, needs_rehash_with,
};
pub use redirect::{RedirectError, is_safe_redirect};
pub use safe_join::{Dotfiles, UnsafePath, safe_join, safe_join_with};
pub use send_file::{SendFile, send_file, send_from_directory};
pub use set_cookie::{CookieError, SameSite, SetCookie};

pub use http;
