//! Behaviour tests of carafe-wrappers, one module per area.
//!
//! Werkzeug's test cases (`tests/test_http.py`, `test_wrappers.py`,
//! `test_exceptions.py`, `test_utils.py`, `test_security.py`) are ported here
//! as the behavioural spec: the cases carry over, the code does not. Each
//! ported test names the Werkzeug test it comes from.

mod attack_corpus;
mod conditional;
mod errors;
mod fixtures;
mod formparser;
mod header_parsing;
mod limits;
mod negotiation;
mod properties;
mod proptests;
mod request_accessors;
mod request_wrappers;
mod response;
mod security;
mod send_file;
mod test_client;
mod utils;
