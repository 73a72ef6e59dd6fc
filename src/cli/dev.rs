//! `dev`: the development server with the reloader.
//!
//! INTEGRATION POINT: the development server (`carafe-devserver`, issue 5)
//! is not built yet. When its API lands on `main`, run it here: serve
//! `factory.create()` on `bind`, one request at a time, restarting on source
//! changes unless `reload` is off. Until then `dev` fails with a message
//! that names what is missing.

use std::io::Write;
use std::process::ExitCode;

use super::app::AppFactory;
use super::bind::Bind;

/// What `dev` says while the development server does not exist.
pub(crate) fn missing_message(name: &str, bind: &Bind) -> String {
    format!(
        "error: `dev` needs the development server (crate carafe-devserver, issue 5), \
         which is not built yet\n\
         hint: meanwhile, `{name} serve --bind {bind} --workers 1` serves the app without reloading\n"
    )
}

pub(crate) fn dev<F: AppFactory>(
    _factory: &F,
    name: &str,
    bind: &Bind,
    _reload: bool,
    err: &mut dyn Write,
) -> ExitCode {
    let _ = err.write_all(missing_message(name, bind).as_bytes());
    ExitCode::from(1)
}
