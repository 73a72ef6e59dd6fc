//! The Jinja2 role on Tera 2: an [`Environment`] with loaders, autoescaping by file
//! type, auto-reload in development, Jinja2's missing filters, and a
//! [sandbox](sandbox) for templates written by untrusted people. Usable with no web
//! crate at all: emails, reports, static pages.
#![forbid(unsafe_code)]

pub mod data;
mod diagnostics;
mod environment;
mod error;
mod escape;
pub mod filters;
#[cfg(unix)]
pub mod isolated;
mod loader;
mod reload;
pub mod sandbox;
mod scope;
mod suggest;

#[doc = include_str!("../docs/jinja2.md")]
pub mod guide {}

pub use environment::{DEFAULT_AUTOESCAPE, Environment, EnvironmentBuilder};
pub use error::{Cap, Error, ForbiddenKind, Location};
pub use escape::{escape_html, escape_markupsafe};
pub use loader::{
    ChainLoader, DirLoader, EmbeddedLoader, Loader, MemoryLoader, PrefixLoader, Source, needed_by,
    write_embed_manifest,
};
pub use scope::RenderScope;

pub use tera;
pub use tera::{Context, Kwargs, State, Value};
