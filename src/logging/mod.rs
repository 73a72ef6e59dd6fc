//! Logging on `tracing`, configured from a file: the seed stack's log
//! factory.
//!
//! `config/logging.yaml` (or `.toml`; see [`LoggingConfig`] for every key)
//! sets the level per target, the format (text, compact, JSON) and the
//! output (standard error, standard output, a file). [`setup`] reads it and
//! installs the subscriber for the process, once: later calls change
//! nothing, so tests and factories may all call it.
//!
//! ```no_run
//! carafe::logging::setup().expect("logging config");
//! tracing::info!(port = 8000, "starting");
//! ```
//!
//! # In servers
//!
//! A process starts with lines written directly (one lock and one `write`
//! per line, safe before `fork`). A server's worker process calls
//! [`start_worker`] right after it starts: lines then go through a writer
//! thread of that worker, so request threads never wait for the disk (a
//! thread does not survive `fork`, so each worker starts its own; a forked
//! child that has not started one writes directly). The command line
//! ([`crate::cli`]) does this for its `serve` workers. [`reopen`] reopens the
//! log file after rotation; [`flush`] waits for queued lines before exit.
//!
//! # For tests
//!
//! [`LoggingConfig::build`] gives a [`Logger`] without installing it; use it
//! for a scope with `tracing::dispatcher::with_default`.

mod build;
mod config;
mod error;
mod writer;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

pub use build::Logger;
pub use config::{Format, Level, LoggingConfig, Output, RUST_LOG};
pub use error::LoggingError;

use writer::Sink;

/// What [`init`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Init {
    /// The subscriber is now the process's.
    Installed,
    /// An earlier call installed one; nothing changed.
    AlreadyInstalled,
    /// Someone else (a test harness, another library) installed a global
    /// subscriber; nothing changed.
    OtherSubscriber,
}

/// The installed sink, for [`start_worker`], [`reopen`] and [`flush`].
static INSTALLED: Mutex<Option<Arc<Sink>>> = Mutex::new(None);

/// Installs logging for the process from a config, once. Also routes
/// records of the `log` crate into tracing.
///
/// # Errors
///
/// [`LoggingError::Filter`], [`LoggingError::Open`] (only on the call that
/// installs).
///
/// # Examples
///
/// ```
/// use carafe::logging::{Init, LoggingConfig, init};
///
/// let config = LoggingConfig::default();
/// assert_eq!(init(&config).unwrap(), Init::Installed);
/// assert_eq!(init(&config).unwrap(), Init::AlreadyInstalled);
/// ```
pub fn init(config: &LoggingConfig) -> Result<Init, LoggingError> {
    use tracing_subscriber::util::SubscriberInitExt;

    let mut installed = INSTALLED.lock().unwrap_or_else(PoisonError::into_inner);
    if installed.is_some() {
        return Ok(Init::AlreadyInstalled);
    }
    let (dispatch, sink) = config.build()?.into_parts();
    match dispatch.try_init() {
        Ok(()) => {}
        Err(error) => {
            let foreign = std::error::Error::source(&error)
                .is_some_and(|source| source.is::<tracing::dispatcher::SetGlobalDefaultError>());
            if foreign {
                return Ok(Init::OtherSubscriber);
            }
            // Only the `log` bridge failed (another `log` logger is set):
            // tracing events are ours all the same.
        }
    }
    *installed = Some(sink);
    Ok(Init::Installed)
}

/// Loads the logging config (default directory, current mode, process
/// environment) and installs it: the log factory an app's `main` or factory
/// calls.
///
/// # Errors
///
/// [`LoggingError::Config`] naming the file, line and key, or what [`init`]
/// returns.
pub fn setup() -> Result<Init, LoggingError> {
    init(&LoggingConfig::load()?)
}

/// Starts the writer thread of the installed logging in this process: call
/// it first thing in each worker process of a server (after `fork`).
/// Returns whether a thread was started (`false`: nothing installed, or
/// this process runs one already).
///
/// # Examples
///
/// ```
/// use carafe::logging::{LoggingConfig, init, start_worker};
///
/// init(&LoggingConfig::default()).unwrap();
/// assert!(start_worker());
/// assert!(!start_worker());
/// tracing::info!("written by this process's writer thread");
/// assert!(carafe::logging::flush());
/// ```
pub fn start_worker() -> bool {
    let sink = INSTALLED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    sink.is_some_and(|sink| sink.start_thread().unwrap_or(false))
}

/// Reopens the installed log file (after `logrotate` moved it; the
/// server's `SIGUSR1`).
pub fn reopen() {
    if let Some(sink) = INSTALLED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
    {
        sink.reopen();
    }
}

/// Waits (at most 5 seconds) until every line logged so far is written;
/// `false` on timeout. Call it before the process exits.
pub fn flush() -> bool {
    match INSTALLED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
    {
        Some(sink) => sink.flush(Duration::from_secs(5)),
        None => true,
    }
}
