//! Behaviour tests of `carafe-routing`: one test binary, a module per area.
//!
//! `werkzeug_*` modules port Werkzeug's `tests/test_routing.py` (rewritten
//! case by case); the crate docs list every case that deliberately differs.

mod util;

mod explain;
mod issue;
mod properties;
mod werkzeug_building;
mod werkzeug_domains;
mod werkzeug_matching;
mod werkzeug_rules;
