//! Behaviour tests of carafe-templating, one module per area.

mod attacks;
mod cli;
mod common;
mod environment;
mod errors;
mod filters;
#[cfg(unix)]
mod isolated;
mod loaders;
mod reload;
mod sandbox;
