//! The development server: Werkzeug's `run_simple` for local work — one request
//! at a time, a request log, a reloader and a debug page. **Not for production.**
//!
//! *Status: being built (issue 5).*
#![forbid(unsafe_code)]
