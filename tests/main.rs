//! Whole-stack integration tests: one test binary, a module per area.

mod cli;
mod config;
mod gateway;
mod logging;
