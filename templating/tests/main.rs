//! Behaviour tests of carafe-templating, one module per area.

mod common;
mod environment;
mod errors;
mod filters;
mod loaders;
mod reload;
mod sandbox;
