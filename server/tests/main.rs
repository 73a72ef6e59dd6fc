//! Behaviour tests of carafe-server: the test app (`tests/support/testapp.rs`)
//! runs as a real server on 127.0.0.1; every load is bounded in count and time.

mod support;

mod limits;
mod robustness;
mod settings;
mod signals;
mod workers;
