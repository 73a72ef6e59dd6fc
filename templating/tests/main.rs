//! Behaviour tests of carafe-templating, one module per area.

mod attacks;
mod cli;
mod common;
mod email_example;
mod environment;
mod errors;
mod filters;
mod guide;
#[cfg(unix)]
mod isolated;
mod loaders;
mod reload;
mod sandbox;
