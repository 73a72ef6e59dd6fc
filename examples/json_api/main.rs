//! A JSON REST API: a small library of books with typed extraction
//! (`Json<T>`, `Query<T>`, typed path values, a custom bearer-token
//! extractor), validation, conditional requests (`ETag`, `If-None-Match`,
//! `If-Match`) and every error as JSON.
//!
//! Run it:
//!
//! ```text
//! cargo run --example json_api -- dev              # http://127.0.0.1:5000/api/books
//! cargo run --example json_api -- routes
//! curl -H 'Authorization: Bearer dev-token' -H 'Content-Type: application/json' \
//!      -d '{"title": "Dune", "author": "Frank Herbert", "year": 1965}' \
//!      http://127.0.0.1:5000/api/books
//! curl http://127.0.0.1:5000/api/books?author=Frank%20Herbert
//! curl -i http://127.0.0.1:5000/api/books/1
//! curl -X DELETE -H 'Authorization: Bearer dev-token' http://127.0.0.1:5000/api/books/1
//! ```
//!
//! | method and rule | what | errors |
//! |---|---|---|
//! | `GET /api/books?author=&tag=&page=&per_page=` | a page of books, with `next` | `400` bad query |
//! | `POST /api/books` | creates: `201`, `Location` | `401`, `415`, `400` bad JSON, `422` invalid |
//! | `GET /api/books/<int:id>` | one book, `ETag`; `304` for `If-None-Match` | `404` |
//! | `PUT /api/books/<int:id>` | replaces | `401`, `404`, `412` (`If-Match`), `422` |
//! | `PATCH /api/books/<int:id>` | changes the fields given | as `PUT` |
//! | `DELETE /api/books/<int:id>` | `204` | `401`, `404`, `412` |
//!
//! Errors look like `{"error": {"status": 404, "message": "no book 7"}}`
//! (plus `"fields"` for `422`). The token comes from the config folder
//! (`examples/json_api/config`) or `CARAFE_APP__API_TOKEN`.

mod app;

use std::process::ExitCode;

fn main() -> ExitCode {
    carafe::cli::Cli::new(app::create_app)
        .config_dir(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/json_api/config"
        ))
        .run()
}
