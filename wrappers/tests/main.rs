//! Behaviour tests of carafe-wrappers, one module per area.

mod fixtures;
mod formparser;
mod limits;
mod properties;
mod request_wrappers;
mod test_client;
