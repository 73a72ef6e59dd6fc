//! `#[route]`, `#[get]`, `#[post]`, ... attribute macros for Carafe apps.
//!
//! *Status: being built (issue 6).*
#![forbid(unsafe_code)]
