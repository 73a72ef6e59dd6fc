//! The attack-corpus app: exactly the app contract of
//! `../shared/attack-corpus/README.md` section 1, on the App, served by the
//! production server and the development server for `replay.py`.
//!
//! Run, in a directory holding `static/` (`replay.py --make-fixtures DIR`
//! makes one):
//!
//! ```sh
//! cargo build --example corpus
//! cd DIR
//! /path/to/target/debug/examples/corpus serve --bind 127.0.0.1:8000     # production server
//! /path/to/target/debug/examples/corpus dev --no-reload --bind 127.0.0.1:8000   # dev server
//! python3 ../shared/attack-corpus/replay.py --url http://127.0.0.1:8000
//! ```
//!
//! or `cargo run --example corpus -- dev` from a directory with `static/`.
//! `routes` lists the rules, `check` validates the app.
//!
//! | route | behaviour |
//! |---|---|
//! | `GET\|POST /` | `ok`, never reads the body |
//! | `GET\|POST /echo` | reads the body (at most 16 MiB, else `413`), `len=<bytes>` |
//! | `GET /smuggled` | `SMUGGLED_CANARY` (no corpus file may reach it) |
//! | `POST /form` | `fields=<n>` of an urlencoded form (500 000 bytes at most, else `413`) |
//! | `POST /upload` | `parts=<n>\nnames=<secure filenames>` of a multipart form (1000 parts at most) |
//! | `GET /cookie?name=N` | the value of cookie `N`, `404` without it |
//! | `GET /session` | `user=<name>` for a valid session, else `anonymous` |
//! | `GET /go?next=U` | `303` to `U` if it stays on the site, else to `/` |
//! | `GET /setcookie?v=V` | sets cookie `c=V`, `set` |
//! | `GET /dir/` | `dir` (`/dir` redirects) |
//! | `GET /static/<path>` | the files of `static/` in the working directory (no dotfiles, no symbolic links out) |
//!
//! The app reads nothing else from its working directory: its
//! configuration directory is this example's own `config/` (logging
//! only), not the working directory's.

mod app;

use std::process::ExitCode;

fn main() -> ExitCode {
    carafe::cli::Cli::new(app::create_app)
        .config_dir(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/corpus/config"
        ))
        .run()
}
