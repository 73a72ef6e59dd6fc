//! What can go wrong while setting up logging.

use std::fmt;
use std::path::PathBuf;

use crate::config::ConfigError;

/// Logging could not be set up.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoggingError {
    /// The logging config file is wrong.
    Config(ConfigError),
    /// The level directives do not parse.
    Filter {
        /// The directives, as built from the config.
        directives: String,
        /// What the parser said.
        message: String,
    },
    /// The log file cannot be opened.
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl fmt::Display for LoggingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoggingError::Config(error) => write!(f, "logging config: {error}"),
            LoggingError::Filter {
                directives,
                message,
            } => write!(f, "invalid log directives {directives:?}: {message}"),
            LoggingError::Open { path, source } => {
                write!(f, "cannot open log file {}: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for LoggingError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoggingError::Config(error) => Some(error),
            LoggingError::Open { source, .. } => Some(source),
            LoggingError::Filter { .. } => None,
        }
    }
}

impl From<ConfigError> for LoggingError {
    fn from(error: ConfigError) -> Self {
        LoggingError::Config(error)
    }
}
