//! Carafe: Flask's simplicity with Rust's speed.
//!
//! The thin application layer on top of the toolkit crates, which it re-exports:
//! [`routing`] (Werkzeug's routing), [`wrappers`] (Werkzeug's request/response
//! layer and the gateway trait) and [`templating`] (the Jinja2 role on Tera 2).
//!
//! *Status: the App is being built (issue 6).*
#![forbid(unsafe_code)]

pub use carafe_routing as routing;
pub use carafe_templating as templating;
pub use carafe_wrappers as wrappers;

pub mod cli;
pub mod config;
pub mod logging;
