//! The production server: gunicorn's pre-fork master/worker model on hyper.
//!
//! *Status: being built (issue 7).*
