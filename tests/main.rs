//! Whole-stack integration tests: one test binary, a module per area.

mod app;
mod blueprints;
mod errors;
mod extract;
mod gateway;
mod macros;
mod responses;
mod sessions;
mod setup;
mod url_for;
