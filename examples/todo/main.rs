//! A complete small app, the way Flask's tutorial (flaskr) builds one: a
//! todo list on SQLite with users, shown piece by piece.
//!
//! Run it:
//!
//! ```text
//! cargo run --example todo -- dev                   # http://127.0.0.1:5000/ (development mode)
//! cargo run --example todo -- routes
//! cargo run --example todo -- check                 # production mode: says what is missing
//! cargo run --example todo -- --env development check
//! cargo test --test main examples::todo             # its tests
//! ```
//!
//! | piece | where | Flask's tutorial |
//! |---|---|---|
//! | the app factory | `app/mod.rs` `create_app` | `flaskr/__init__.py` `create_app` |
//! | configuration per mode, secrets outside the code | `config/*.yaml` (`--env`/`CARAFE_ENV`, `--config-dir`) | `config.py`, `instance/config.py` |
//! | logging from a file | `config/logging.yaml`, `config/logging.production.yaml` | `logging.config.dictConfig` |
//! | the database: schema, a connection per request | `app/db.rs`, `schema.sql` | `flaskr/db.py`, `schema.sql` |
//! | blueprints: authentication, the todos | `app/auth.rs`, `app/todos.rs` | `flaskr/auth.py`, `flaskr/blog.py` |
//! | login with hashed passwords, sessions, `login_required` | `app/auth.rs` | `auth.py` (`login_required`, `load_logged_in_user`) |
//! | routes with typed rule variables, extractors (`Db`, `CurrentUser`, `State`, `Query`) | `#[get]`/`#[route]` in `app/todos.rs` | `@bp.route`, `get_db()`, `g.user` |
//! | redirects checked at compile time: `url_for!(index)` | `app/auth.rs`, `app/todos.rs` | `redirect(url_for("index"))` |
//! | templates with a layout, flashed messages, `url_for()` | `templates/` | `flaskr/templates/` |
//! | error pages (`403`, `404`) in the layout | `app/mod.rs` `error_page`, `templates/error.html` | `abort(403)`, `@app.errorhandler` |
//! | static files | `static/style.css` | `flaskr/static/style.css` |
//! | tests through the test client | `tests/examples/todo.rs` | `tests/` (`conftest.py`, `test_auth.py`, ...) |
//!
//! Data lives in the SQLite file `app.database` (default: one per mode in
//! the system's temporary directory). The schema is applied when the app
//! starts, so there is no separate `init-db` step. Production mode needs a
//! secret key: the factory refuses to start without one.
//!
//! Serving it in production: copy `config/` somewhere only the server can
//! read, put `secret_key` (and `app.database`) in its `production.yaml`,
//! and run `todo serve --config-dir /etc/todo --bind 127.0.0.1:8000 -w 4`
//! behind nginx. The settings go in files, not in `CARAFE_SECRET_KEY` or
//! `CARAFE_APP__DATABASE`: `serve` hands the environment to carafe-server,
//! which stops on any `CARAFE_` variable that is not one of its settings.

mod app;

use std::process::ExitCode;

fn main() -> ExitCode {
    carafe::cli::Cli::new(app::create_app)
        .config_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/todo/config"))
        .run()
}
