//! The errors of the development server.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Why the development server could not start or keep running.
///
/// # Examples
///
/// ```
/// use carafe_devserver::Error;
///
/// let error = Error::Bind {
///     address: "127.0.0.1:80".to_owned(),
///     source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
/// };
/// assert!(error.to_string().starts_with("cannot listen on 127.0.0.1:80"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The address does not resolve to any socket address.
    Resolve {
        /// The address as given.
        address: String,
        /// The resolver's error, if it gave one.
        source: Option<io::Error>,
    },
    /// Binding or listening failed (port in use, permission denied).
    Bind {
        /// The address.
        address: String,
        /// The system's error.
        source: io::Error,
    },
    /// The listening socket the reloader passed down is unusable.
    InheritedSocket {
        /// The descriptor number from the environment.
        fd: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The reloader could not tell how to rebuild the running program.
    Build {
        /// What was missing or failed.
        reason: String,
    },
    /// `cargo` failed or printed something the reloader could not read.
    Cargo {
        /// The command line.
        command: String,
        /// Its error output or the reason.
        message: String,
    },
    /// Watching the sources failed.
    Watch {
        /// The path being watched.
        path: PathBuf,
        /// notify's message.
        message: String,
    },
    /// Any other system error (creating the runtime, spawning the app
    /// process, the control socket).
    Io {
        /// What was being done.
        context: &'static str,
        /// The system's error.
        source: io::Error,
    },
}

impl Error {
    pub(crate) fn io(context: &'static str) -> impl FnOnce(io::Error) -> Error {
        move |source| Error::Io { context, source }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Resolve {
                address,
                source: Some(source),
            } => write!(f, "cannot resolve {address}: {source}"),
            Error::Resolve { address, .. } => {
                write!(f, "{address} does not resolve to any address")
            }
            Error::Bind { address, source } => write!(f, "cannot listen on {address}: {source}"),
            Error::InheritedSocket { fd, reason } => {
                write!(
                    f,
                    "the inherited listening socket {fd} is unusable: {reason}"
                )
            }
            Error::Build { reason } => {
                write!(f, "cannot tell how to rebuild this program: {reason}")
            }
            Error::Cargo { command, message } => write!(f, "`{command}` failed: {message}"),
            Error::Watch { path, message } => {
                write!(f, "cannot watch {}: {message}", path.display())
            }
            Error::Io { context, source } => write!(f, "{context}: {source}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Resolve {
                source: Some(source),
                ..
            }
            | Error::Bind { source, .. }
            | Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
