//! From a [`LoggingConfig`] to a tracing subscriber.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use tracing::Dispatch;
use tracing_subscriber::EnvFilter;

use super::config::{Format, LoggingConfig, Output};
use super::error::LoggingError;
use super::writer::{Sink, SinkWriter};

/// A subscriber built from a [`LoggingConfig`], not installed anywhere yet:
/// install it for the process with [`init`](crate::logging::init), or use it
/// for a scope (a test) with `tracing::dispatcher::with_default`.
///
/// # Examples
///
/// ```
/// use carafe::logging::{Format, LoggingConfig, Output};
///
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("app.log");
/// let mut config = LoggingConfig::default();
/// config.format = Format::Json;
/// config.output = Output::File(path.clone());
///
/// let logger = config.build().unwrap();
/// tracing::dispatcher::with_default(logger.dispatch(), || {
///     tracing::info!(user = "ann", "logged in");
///     tracing::debug!("not at info level");
/// });
/// logger.flush();
///
/// let text = std::fs::read_to_string(&path).unwrap();
/// let line: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
/// assert_eq!(line["level"], "INFO");
/// assert_eq!(line["fields"]["message"], "logged in");
/// assert_eq!(line["fields"]["user"], "ann");
/// assert_eq!(text.lines().count(), 1);
/// ```
pub struct Logger {
    dispatch: Dispatch,
    sink: Arc<Sink>,
}

impl std::fmt::Debug for Logger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Logger").finish_non_exhaustive()
    }
}

impl Logger {
    /// The subscriber, as a tracing `Dispatch`.
    pub fn dispatch(&self) -> &Dispatch {
        &self.dispatch
    }

    /// Starts a writer thread for this logger in this process (see
    /// [`start_worker`](crate::logging::start_worker)); `false` if it runs
    /// already.
    ///
    /// # Errors
    ///
    /// The thread could not be spawned or the file handle duplicated.
    pub fn start_writer_thread(&self) -> std::io::Result<bool> {
        self.sink.start_thread()
    }

    /// Waits (at most 5 seconds) until every line logged so far is written;
    /// `false` on timeout.
    pub fn flush(&self) -> bool {
        self.sink.flush(Duration::from_secs(5))
    }

    /// Reopens the log file (after rotation).
    pub fn reopen(&self) {
        self.sink.reopen();
    }

    pub(crate) fn into_parts(self) -> (Dispatch, Arc<Sink>) {
        (self.dispatch, self.sink)
    }
}

impl LoggingConfig {
    /// Checks the config without opening anything: the directives parse,
    /// the log file's directory exists.
    ///
    /// # Errors
    ///
    /// [`LoggingError::Filter`], [`LoggingError::Open`].
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::logging::{LoggingConfig, Output};
    ///
    /// let mut config = LoggingConfig::default();
    /// assert!(config.validate().is_ok());
    /// config.output = Output::File("/no/such/dir/app.log".into());
    /// assert!(config.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), LoggingError> {
        let directives = self.directives();
        EnvFilter::try_new(&directives).map_err(|error| LoggingError::Filter {
            directives: directives.clone(),
            message: error.to_string(),
        })?;
        if let Output::File(path) = &self.output
            && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
            && !parent.is_dir()
        {
            return Err(LoggingError::Open {
                path: path.clone(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("the directory {} does not exist", parent.display()),
                ),
            });
        }
        Ok(())
    }

    /// Builds the subscriber: parses the directives, opens the output.
    ///
    /// # Errors
    ///
    /// [`LoggingError::Filter`] for a bad directive, [`LoggingError::Open`]
    /// when the log file cannot be opened.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::logging::{LoggingConfig, LoggingError};
    ///
    /// let mut config = LoggingConfig::default();
    /// config.filter = Some("my_app=loudest".into());
    /// assert!(matches!(config.build(), Err(LoggingError::Filter { .. })));
    /// ```
    pub fn build(&self) -> Result<Logger, LoggingError> {
        self.validate()?;
        let directives = self.directives();
        let filter = EnvFilter::try_new(&directives).map_err(|error| LoggingError::Filter {
            directives: directives.clone(),
            message: error.to_string(),
        })?;
        let sink = Sink::open(&self.output).map_err(|source| LoggingError::Open {
            path: match &self.output {
                Output::File(path) => path.clone(),
                _ => "-".into(),
            },
            source,
        })?;
        let ansi = self.ansi.unwrap_or_else(|| {
            self.format != Format::Json
                && match self.output {
                    Output::Stderr => std::io::stderr().is_terminal(),
                    Output::Stdout => std::io::stdout().is_terminal(),
                    Output::File(_) => false,
                }
        });
        let builder = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(SinkWriter(Arc::clone(&sink)))
            .with_ansi(ansi);
        let dispatch = match (self.format, self.timestamps) {
            (Format::Text, true) => Dispatch::new(builder.finish()),
            (Format::Text, false) => Dispatch::new(builder.without_time().finish()),
            (Format::Compact, true) => Dispatch::new(builder.compact().finish()),
            (Format::Compact, false) => Dispatch::new(builder.compact().without_time().finish()),
            (Format::Json, true) => Dispatch::new(builder.json().finish()),
            (Format::Json, false) => Dispatch::new(builder.json().without_time().finish()),
        };
        Ok(Logger { dispatch, sink })
    }
}
