//! Templates: pages rendered from a template folder with inheritance,
//! components (Jinja2's macros), autoescaping, `url_for()` and
//! `static_url()` in templates, flashed messages, a plain-text template,
//! and an error page rendered from a template.
//!
//! Run it:
//!
//! ```text
//! cargo run --example templates -- dev       # http://127.0.0.1:5000/ ; edit a template and reload
//! cargo run --example templates -- check     # every template compiles, or the file and line that does not
//! cargo run --example templates -- serve --bind 127.0.0.1:8000
//! ```
//!
//! | file | shows |
//! |---|---|
//! | `templates/base.html` | the layout: blocks, `static_url()`, `url_for()` in the navigation, flashed messages with categories |
//! | `templates/index.html` | `extends`, `{{ super() }}`, loops, autoescaping of untrusted text, `safe` for trusted markup, filters |
//! | `templates/_ui.html` | components (`{{<ui.card ... />}}`), Tera 2's replacement for macros |
//! | `templates/articles/show.html` | a template in a subfolder, `request` in templates, a form posting to `url_for()` |
//! | `templates/email.txt` | a `.txt` template: no autoescaping |
//! | `templates/404.html` | the `404` page |
//!
//! In development mode (`dev`) the templates are reloaded when they change;
//! elsewhere they are loaded once, at start-up, and a broken template stops
//! the start-up naming the file and line.

mod app;

use std::process::ExitCode;

fn main() -> ExitCode {
    carafe::cli::Cli::new(app::create_app)
        .config_dir(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/templates/config"
        ))
        .run()
}
