//! `serve`: the production server (`carafe-server`) with the app factory
//! called in each worker process.

use std::io::Write;
use std::process::ExitCode;

use super::app::AppFactory;
use crate::config::{APP_SECTION, CONFIG_DIR_VAR, ENV_PREFIX, ENV_SEPARATOR, MODE_VAR, Settings};

/// The server's option list, for `serve --help`.
pub(crate) fn server_usage() -> String {
    carafe_server::usage()
}

/// Runs the production server until it is stopped.
pub(crate) fn serve<F: AppFactory>(
    factory: &F,
    server_args: Vec<String>,
    err: &mut dyn Write,
) -> ExitCode {
    let settings = match carafe_server::Settings::from_args(server_args) {
        Ok(settings) => settings,
        Err(error) => {
            let _ = writeln!(err, "error: {error}");
            return ExitCode::from(1);
        }
    };
    // The server ignores the CARAFE_ variables it does not read (the app's
    // configuration reads its own); warn about the ones neither reads that
    // look like a misspelt server setting.
    for (name, suggestion) in settings.ignored_env() {
        if !is_config_variable(name) {
            let _ = writeln!(
                err,
                "warning: ignoring {name}: neither a server setting nor an app \
                 configuration key (did you mean {suggestion}?)"
            );
        }
    }
    let result = carafe_server::Server::new(settings).run(|| worker_app(factory));
    crate::logging::flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let _ = writeln!(err, "error: {error}");
            ExitCode::from(1)
        }
    }
}

/// In a worker process, right after fork: start the worker's log writer
/// thread, then build the app. A factory error stops the worker as a boot
/// failure (the master stops when no worker ever booted, like gunicorn).
fn worker_app<F: AppFactory>(factory: &F) -> F::App {
    crate::logging::start_worker();
    match factory.create() {
        Ok(app) => app,
        Err(error) => {
            tracing::error!(%error, "the app factory failed");
            eprintln!("error: the app factory failed: {error}");
            crate::logging::flush();
            // Unwinds to the server's boot-failure path without printing a
            // panic message.
            std::panic::resume_unwind(Box::new(()))
        }
    }
}

/// Whether an environment variable belongs to the app's configuration.
pub(crate) fn is_config_variable(name: &str) -> bool {
    let Some(rest) = name.strip_prefix(ENV_PREFIX) else {
        return false;
    };
    if name == MODE_VAR || name == CONFIG_DIR_VAR {
        return true;
    }
    let first = rest
        .split(ENV_SEPARATOR)
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    first == APP_SECTION || first == "log" || Settings::keys().contains(&first.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_variables_are_recognised() {
        for name in [
            "CARAFE_ENV",
            "CARAFE_CONFIG_DIR",
            "CARAFE_SECRET_KEY",
            "CARAFE_APP__DATABASE__URL",
            "CARAFE_LOG__LEVEL",
        ] {
            assert!(is_config_variable(name), "{name}");
        }
        for name in ["CARAFE_WORKERS", "CARAFE_BIND", "PATH", "CARAFE_"] {
            assert!(!is_config_variable(name), "{name}");
        }
    }
}
