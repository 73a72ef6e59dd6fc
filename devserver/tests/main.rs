//! Behaviour tests of carafe-devserver: the test app (`tests/support/testapp.rs`)
//! runs as a real server on 127.0.0.1; every load is bounded in count and time.

mod support;

mod corpus;
mod debug_page;
mod reloader;
mod robustness;
mod serving;
mod static_files;
