//! Errors of this crate.

use std::fmt;
use std::io;

/// Why the server could not start (or a reload was refused).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A setting has a value that cannot be used.
    Setting {
        /// The setting's name (gunicorn's spelling: `workers`, `bind`, ...).
        name: String,
        /// The value given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An unknown setting (a typo in a flag, an environment variable or the
    /// config file).
    UnknownSetting {
        /// The name as given.
        name: String,
        /// Where it came from (`command line`, `CARAFE_CMD_ARGS`, the file path).
        source: String,
        /// The closest known setting, if any.
        suggestion: Option<String>,
    },
    /// The config file could not be read or parsed.
    ConfigFile {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// An address could not be bound or an inherited socket adopted.
    Bind {
        /// The bind value.
        bind: String,
        /// What went wrong.
        reason: String,
    },
    /// The process already runs threads: forking it is not safe.
    Threaded {
        /// How many threads run.
        threads: usize,
    },
    /// A worker failed to boot (the app factory panicked) before any worker
    /// ever booted.
    WorkerBoot {
        /// The worker's exit status.
        status: String,
    },
    /// An operating-system call failed.
    Io {
        /// What was being done.
        action: String,
        /// The error.
        error: io::Error,
    },
}

impl Error {
    pub(crate) fn io(action: impl Into<String>, error: impl Into<io::Error>) -> Self {
        Error::Io {
            action: action.into(),
            error: error.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Setting {
                name,
                value,
                reason,
            } => write!(f, "invalid value {value:?} for setting `{name}`: {reason}"),
            Error::UnknownSetting {
                name,
                source,
                suggestion,
            } => {
                write!(f, "unknown setting `{name}` in {source}")?;
                if let Some(suggestion) = suggestion {
                    write!(f, " (did you mean `{suggestion}`?)")?;
                }
                Ok(())
            }
            Error::ConfigFile { path, reason } => write!(f, "config file {path}: {reason}"),
            Error::Bind { bind, reason } => write!(f, "cannot listen on {bind}: {reason}"),
            Error::Threaded { threads } => write!(
                f,
                "the process runs {threads} threads before the server starts; forking it is \
                 not safe: start threads (runtimes, log writers, pools) in the app factory, \
                 which runs in each worker"
            ),
            Error::WorkerBoot { status } => write!(
                f,
                "the first worker failed to boot ({status}): the app factory panicked"
            ),
            Error::Io { action, error } => write!(f, "{action}: {error}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { error, .. } => Some(error),
            _ => None,
        }
    }
}
