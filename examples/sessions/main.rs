//! Sessions and login: registration with password hashing (Werkzeug's
//! formats), login with "remember me" (a permanent session), a safe
//! `next` redirect, logout, pages only for logged-in users, flashed
//! messages, and hashes upgraded when the policy gets stronger.
//!
//! Run it:
//!
//! ```text
//! cargo run --example sessions -- dev         # http://127.0.0.1:5000/
//! cargo run --example sessions -- check
//! cargo run --example sessions -- serve --bind 127.0.0.1:8000 -w 2   # sessions work across workers
//! ```
//!
//! | rule | what |
//! |---|---|
//! | `GET /` | who is logged in, and a visit counter kept in the session |
//! | `GET\|POST /register` | a new user: name and password checked, the password hashed |
//! | `GET\|POST /login?next=URL` | checks the password; "remember me" keeps the session 7 days |
//! | `POST /logout` | forgets the user |
//! | `GET /account`, `POST /account/password` | the `account` blueprint: logged-in users only (others are sent to the login page and back) |
//!
//! The session is a cookie, encrypted and authenticated with the secret key
//! (`examples/sessions/config`): every worker and every server with the
//! same key reads it, nothing is stored on the server. The users are in a
//! SQLite file (`app.database`), which every worker opens. As with Flask's
//! sessions, logging out clears the browser's cookie but cannot revoke a
//! copy of it: keep `permanent_session_lifetime` short where that matters. Rotate the key by
//! moving the old one to `secret_key_fallbacks`: sessions made with it
//! are still read. Passwords are hashed with `app.hash_method`
//! (Werkzeug's default, scrypt; the testing config uses a cheap PBKDF2 so
//! the tests stay fast).

mod app;

use std::process::ExitCode;

fn main() -> ExitCode {
    carafe::cli::Cli::new(app::create_app)
        .config_dir(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/sessions/config"
        ))
        .run()
}
