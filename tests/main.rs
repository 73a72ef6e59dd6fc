//! Whole-stack integration tests: one test binary, a module per area.

mod app;
mod bench;
mod blueprints;
mod cli;
mod config;
mod corpus;
mod errors;
mod examples;
mod extract;
mod gateway;
mod logging;
mod macros;
mod responses;
mod sessions;
mod setup;
mod templates;
mod url_for;
