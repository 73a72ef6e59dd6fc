//! `check`: build the app and validate what can be validated without
//! serving: configuration, logging, routes, the app's own checks, the
//! address.

use std::io::Write;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};

use serde::de::IgnoredAny;

use super::app::{AppFactory, CliApp};
use super::bind::Bind;
use crate::config::{Config, Mode};
use crate::logging::{LoggingConfig, Output};

/// Builds the app, turning an error or a panic of the factory into text.
pub(crate) fn build_app<F: AppFactory>(factory: &F) -> Result<F::App, String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| factory.create())) {
        Ok(Ok(app)) => Ok(app),
        Ok(Err(error)) => Err(format!("the app factory failed: {error}")),
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(no message)".to_owned());
            Err(format!("the app factory panicked: {message}"))
        }
    }
}

/// Runs `f` with a subscriber that keeps the warnings of
/// `carafe::config` (keys named like secrets read as plain values), and
/// returns them with `f`'s result.
fn capture_config_warnings<T>(f: impl FnOnce() -> T) -> (T, Vec<String>) {
    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl Write for Lines {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    let lines = Lines::default();
    let writer = lines.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("carafe::config=warn"))
        .with_writer(move || writer.clone())
        .without_time()
        .with_level(false)
        .with_target(false)
        .with_ansi(false)
        .finish();
    let result = tracing::subscriber::with_default(subscriber, f);
    let text = String::from_utf8_lossy(&lines.0.lock().unwrap_or_else(PoisonError::into_inner))
        .into_owned();
    (
        result,
        text.lines()
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect(),
    )
}

/// Runs every check; prints what was found to `out`, problems to `err`.
pub(crate) fn check<F: AppFactory>(
    factory: &F,
    bind: Option<&Bind>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitCode {
    let mut problems: Vec<String> = Vec::new();

    match Mode::current() {
        Ok(mode) => {
            let _ = writeln!(out, "mode: {mode}");
        }
        Err(error) => problems.push(format!("mode: {error}")),
    }

    match Config::loader().load::<IgnoredAny>() {
        Ok(config) => {
            let files: Vec<String> = config
                .files()
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            let _ = writeln!(
                out,
                "config: {} ({} environment override{})",
                if files.is_empty() {
                    "no files, defaults".to_owned()
                } else {
                    files.join(", ")
                },
                config.env_vars().len(),
                if config.env_vars().len() == 1 {
                    ""
                } else {
                    "s"
                }
            );
            if config.mode() == Mode::Production && config.settings.secret_key.is_none() {
                let _ = writeln!(
                    out,
                    "config: note: no secret_key in production (sessions will not work)"
                );
            }
        }
        Err(error) => problems.push(format!("config: {error}")),
    }

    match LoggingConfig::load() {
        Ok(logging) => match logging.validate() {
            Ok(()) => {
                let output = match &logging.output {
                    Output::Stderr => "stderr".to_owned(),
                    Output::Stdout => "stdout".to_owned(),
                    Output::File(path) => path.display().to_string(),
                };
                let _ = writeln!(
                    out,
                    "logging: {} ({:?}) to {output}",
                    logging.directives(),
                    logging.format
                );
            }
            Err(error) => problems.push(format!("logging: {error}")),
        },
        Err(error) => problems.push(format!("logging: {error}")),
    }

    if let Some(bind) = bind {
        match bind.resolve() {
            Ok(addrs) => {
                let _ = writeln!(out, "bind: {bind} ({} address(es))", addrs.len());
            }
            Err(error) => problems.push(format!("bind: {bind}: {error}")),
        }
    }

    let (built, warnings) = capture_config_warnings(|| build_app(factory));
    for warning in warnings {
        let _ = writeln!(out, "config: note: {warning}");
    }
    match built {
        Ok(app) => {
            match app.url_map() {
                Some(map) => {
                    let rules = map.rules().count();
                    let mut endpoints: Vec<&str> = map.rules().map(|r| r.endpoint()).collect();
                    endpoints.sort_unstable();
                    endpoints.dedup();
                    let _ = writeln!(
                        out,
                        "routes: {rules} rule{}, {} endpoint{}",
                        if rules == 1 { "" } else { "s" },
                        endpoints.len(),
                        if endpoints.len() == 1 { "" } else { "s" }
                    );
                }
                None => {
                    let _ = writeln!(out, "routes: the app has no URL map");
                }
            }
            problems.extend(app.problems().into_iter().map(|p| format!("app: {p}")));
        }
        Err(error) => problems.push(format!("app: {error}")),
    }

    if problems.is_empty() {
        let _ = writeln!(out, "ok");
        ExitCode::SUCCESS
    } else {
        for problem in &problems {
            let _ = writeln!(err, "problem: {problem}");
        }
        let _ = writeln!(
            err,
            "{} problem{} found",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        );
        ExitCode::from(1)
    }
}
