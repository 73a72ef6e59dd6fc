//! The Jinja2 role on Tera 2: an Environment with loaders, autoescaping by file
//! type, auto-reload in development, and a sandbox for templates written by
//! untrusted people. Usable with no web crate at all.
//!
//! *Status: being built (issue 4).*
#![forbid(unsafe_code)]
