//! `dev`: the development server (`carafe-devserver`) with its reloader.
//!
//! With reloading on, the process that runs `app dev` becomes the
//! reloader's supervisor and runs this program again, with the same
//! arguments, for every build: each of those app processes parses `dev`
//! again, selects the same mode and config directory, and builds the app
//! with the factory. Without reloading the app is served in this process.
//! The config directory is watched with the sources: editing a config file
//! restarts the app with the new values.

use std::io::Write;
use std::process::ExitCode;

use super::app::AppFactory;
use super::bind::Bind;

/// Runs the development server until Ctrl-C.
pub(crate) fn dev<F: AppFactory>(
    factory: &F,
    bind: &Bind,
    reload: bool,
    err: &mut dyn Write,
) -> ExitCode {
    let mut options = carafe_devserver::Options::default().with_reload(reload);
    // A change to the config folder restarts the app too (Flask's
    // `--extra-files`): the new process loads the new config.
    let (dir, _) = crate::config::Loader::new().resolved_dir();
    if dir.is_dir() {
        options = options.with_extra_files([dir]);
    }
    let result = carafe_devserver::run_simple(&bind.to_string(), || app_or_exit(factory), options);
    crate::logging::flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let _ = writeln!(err, "error: {error}");
            ExitCode::from(1)
        }
    }
}

/// The app, or the end of this process with the factory's error: the
/// reloader shows an app process that stopped on a page and rebuilds on
/// the next change.
fn app_or_exit<F: AppFactory>(factory: &F) -> F::App {
    match factory.create() {
        Ok(app) => app,
        Err(error) => {
            tracing::error!(%error, "the app factory failed");
            eprintln!("error: the app factory failed: {error}");
            crate::logging::flush();
            std::process::exit(1);
        }
    }
}
