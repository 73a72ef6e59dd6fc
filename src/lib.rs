//! Carafe: Flask's simplicity with Rust's speed.
//!
//! The thin application layer on top of the toolkit crates, which it
//! re-exports: [`routing`] (Werkzeug's routing), [`wrappers`] (Werkzeug's
//! request/response layer and the gateway trait) and [`templating`] (the
//! Jinja2 role on Tera 2).
//!
//! ```
//! use carafe::prelude::*;
//! use carafe::wrappers::test::Client;
//!
//! fn hello(_: &Request) -> &'static str {
//!     "Hello, World!"
//! }
//!
//! let app = App::builder().route("/", hello).build();
//! let client = Client::new(app);
//! assert_eq!(client.get("/").send().text(), "Hello, World!");
//! ```
//!
//! # What a handler returns
//!
//! Anything [`IntoResponse`] (Flask's table of view return values):
//!
//! | return | response |
//! |---|---|
//! | `&'static str`, `String`, `Cow<'static, str>` | `200`, `text/plain; charset=utf-8` (Flask says `text/html`; plain text cannot be turned into a script by what it echoes, [`Html`] says HTML) |
//! | `Vec<u8>`, `Bytes`, `&'static [u8]` | `200`, `application/octet-stream` |
//! | [`Html(T)`](Html) | `200`, `text/html; charset=utf-8` |
//! | [`Json(T)`](Json), `serde_json::Value` | `200`, `application/json` (Flask's `jsonify`, or a returned `dict`) |
//! | [`Redirect`] | `302` (Flask's default), `303`, `307`, `308` with `Location` |
//! | `StatusCode` | that status, empty |
//! | `(StatusCode, T)` | `T` with that status |
//! | `(H, T)`, `(StatusCode, H, T)` | `T` with headers `H`: a `HeaderMap`, `[(name, value); N]` or `Vec<(name, value)>` |
//! | [`Response`](wrappers::Response) | as is |
//! | [`HttpError`](wrappers::HttpError), [`Error`] | through the error handlers, else the error page (HTML, or JSON for clients that prefer it) |
//! | `Result<T, E>` | `T` or `E`, both `IntoResponse` |
//!
//! *Status: App, blueprints, handlers and extractors, hooks and errors,
//! sessions and url_for are here; templates land with `carafe-templating`
//! (issue 6).*
#![forbid(unsafe_code)]

// `#[route]` expands to `::carafe::...` paths, also inside this crate.
#[allow(unused_extern_crates)]
extern crate self as carafe;

mod app;
mod blueprint;
mod builder;
mod context;
mod dispatch;
mod error;
pub mod extract;
mod handler;
mod hooks;
mod response;
mod route;
mod scaffold;
mod session;
mod setup;
mod url;

pub use carafe_routing as routing;
pub use carafe_templating as templating;
pub use carafe_wrappers as wrappers;

pub mod cli;
pub mod config;
pub mod logging;
pub use app::App;
pub use blueprint::Blueprint;
pub use builder::AppBuilder;
pub use context::RequestExt;
pub use error::{Error, Panic, SetupError, SetupProblem, Site};
pub use extract::{Cookies, Files, Form, Query, State};
pub use handler::{Handler, ViaRoute, WithRequest, WithValues};
pub use hooks::BeforeRequestOutcome;
pub use response::{Html, IntoHeaders, IntoResponse, Json, Redirect};
pub use route::Route;
pub use session::{Flash, Session, SessionConfig, SessionError};
pub use url::{UrlError, UrlFor};

/// What most apps need: `use carafe::prelude::*;`.
pub mod prelude {
    pub use crate::{
        App, AppBuilder, Blueprint, Cookies, Error, Files, Flash, Form, Html, IntoResponse, Json,
        Query, Redirect, RequestExt, Session, State, UrlFor, delete, get, patch, post, put, route,
        url_for,
    };
    pub use carafe_routing::Values;
    pub use carafe_wrappers::{HttpError, Request, Response};
    pub use http::{Method, StatusCode};
}

pub use carafe_macros::{delete, get, patch, post, put, route, url_for};

/// What the macros expand to. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::route::{RouteEntry, type_id_of};
    pub use crate::url::{IntoUrlArg, url_arg};
    pub use inventory;

    use carafe_routing::{FromValue, Values};

    /// The value of rule variable `name`, converted for a handler
    /// parameter: a `404` when the URL's value does not fit the type (an
    /// `<int:id>` too large for `id: u8`), a `500` when it is missing (the
    /// handler is registered for a rule without that variable).
    pub fn take_value<T: FromValue>(
        values: &mut Values<'_>,
        name: &str,
    ) -> Result<T, crate::Error> {
        values.take_as::<T>(name).map_err(|error| match error {
            carafe_routing::ValueError::Missing { .. } => crate::Error::new(error),
            _ => carafe_wrappers::HttpError::not_found()
                .with_source(error)
                .into(),
        })
    }
}
