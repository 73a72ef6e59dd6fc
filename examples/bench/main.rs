//! The benchmark app of `../shared/bench/SPEC.md`, on the real toolkit: an
//! App with `#[get]`/`#[post]` handlers, the GitHub REST API route table
//! (239 routes) registered beside them, the fortunes page through templates
//! with inheritance, an urlencoded form and a 1 MiB multipart upload.
//!
//! Run it on the production server, or on the development server:
//!
//! ```text
//! cargo run --release --example bench -- serve --bind 127.0.0.1:8080
//! cargo run --release --example bench -- dev --no-reload --bind 127.0.0.1:8080
//! curl http://127.0.0.1:8080/fortunes
//! ../shared/bench/check.sh http://127.0.0.1:8080
//! ```
//!
//! The numbers against axum, rouille and Flask are in the README
//! ("Benchmarks"); `tests/bench.rs` checks every endpoint's body through the
//! test client.

mod app;
mod fortunes;
mod github;

use std::process::ExitCode;

fn main() -> ExitCode {
    carafe::cli::run(app::create_app)
}
