#![doc = include_str!("../docs/app.md")]
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
mod globals;
mod handler;
mod hooks;
mod response;
mod route;
mod scaffold;
mod session;
mod settings;
mod setup;
mod setup_error;
mod templates;
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
pub use error::{Error, Panic};
pub use extract::{Cookies, Files, Form, Query, State};
pub use globals::Globals;
pub use handler::{Handler, ViaRoute, WithRequest, WithValues};
pub use hooks::BeforeRequestOutcome;
pub use response::{Html, IntoHeaders, IntoResponse, Json, Redirect};
pub use route::Route;
pub use session::{Flash, Session, SessionConfig, SessionError};
pub use setup_error::{SetupError, SetupProblem, Site};
pub use templates::render_template;
pub use url::{UrlError, UrlFor};

/// What most apps need: `use carafe::prelude::*;`.
pub mod prelude {
    pub use crate::{
        App, AppBuilder, Blueprint, Cookies, Error, Files, Flash, Form, Html, IntoResponse, Json,
        Query, Redirect, RequestExt, Session, State, UrlFor, delete, get, patch, post, put,
        render_template, route, url_for,
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
    pub fn take_value<T: FromValue>(values: &Values<'_>, name: &str) -> Result<T, crate::Error> {
        values.get_as::<T>(name).map_err(|error| match error {
            carafe_routing::ValueError::Missing { .. } => crate::Error::new(error),
            _ => carafe_wrappers::HttpError::not_found()
                .with_source(error)
                .into(),
        })
    }
}

/// The README's code compiles (`cargo test --doc`).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
