//! The examples of the root package, driven through the test client: each
//! module includes the example's app (`#[path]`) and asserts what it does.

pub(crate) mod support;

mod blueprints;
mod corpus;
mod forms;
mod hello;
mod json_api;
mod sessions;
mod templates;
mod todo;
