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
pub mod cookies;
mod error;
mod extract;
mod file;
mod limits;
mod multidict;
pub mod multipart;
mod options_header;
mod request;
mod response;
mod secure_filename;
pub mod test;
pub mod urlencoded;

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

pub use http;
