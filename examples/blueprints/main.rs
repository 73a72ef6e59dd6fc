//! Blueprints: a site split into named groups of routes, each with its own
//! URL prefix, hooks and error handlers (Flask's blueprints).
//!
//! Run it:
//!
//! ```text
//! cargo run --example blueprints -- dev                # http://127.0.0.1:5000/
//! cargo run --example blueprints -- routes --sort rule
//! cargo run --example blueprints -- check
//! cargo run --example blueprints -- serve --bind 127.0.0.1:8000
//! curl -u admin:admin http://127.0.0.1:5000/admin/users/1
//! curl http://127.0.0.1:5000/api/v2/items/9
//! ```
//!
//! | blueprint | prefix | shows |
//! |---|---|---|
//! | `pages` | none | routes collected from a module (`register_module`), an app-wide hook registered by a blueprint (`after_app_request`), links built with `url_for` across blueprints |
//! | `admin` | `/admin` | a guard for every admin page (`before_request`: HTTP Basic auth, `401` otherwise), `no-store` on its responses (`after_request`), a nested blueprint (`admin.users`) and its own `404` page |
//! | `api` | `/api` | one `items` blueprint registered twice (`api.v1.items`, `api.v2.items`, the second with a URL default), JSON errors for its endpoints only |
//!
//! The app's own `404` handler answers everything else with an HTML page.

mod app;

use std::process::ExitCode;

fn main() -> ExitCode {
    carafe::cli::run(app::create_app)
}
