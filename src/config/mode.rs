//! The mode an application runs in: development, production or testing.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use super::error::{ConfigError, suggest};

/// The environment variable that chooses the [`Mode`]: `CARAFE_ENV`.
pub const MODE_VAR: &str = "CARAFE_ENV";

/// The mode an application runs in, which chooses the per-mode config file
/// (`config/development.yaml`, ...) and the defaults of `debug` and `testing`.
///
/// Chosen, first match wins, by: [`Mode::select`] (the command line's `--env`,
/// and `dev`, which selects development when `CARAFE_ENV` is unset), then the
/// `CARAFE_ENV` environment variable, then **production**. Production is the
/// default for the same reason it was Flask's: an app started without saying
/// anything must never run with the debugger or reloading on.
///
/// | Carafe | Flask |
/// |---|---|
/// | `CARAFE_ENV=development` | `FLASK_ENV=development` (Flask < 2.3), `FLASK_DEBUG=1`, `flask run --debug` |
/// | `CARAFE_ENV=production` (the default) | `FLASK_ENV=production` (the default) |
/// | `CARAFE_ENV=testing` | `app.config["TESTING"] = True`, the `TestingConfig` class of Flask's config patterns |
///
/// # Examples
///
/// ```
/// use carafe::config::Mode;
///
/// assert_eq!("development".parse::<Mode>().unwrap(), Mode::Development);
/// assert_eq!(Mode::Testing.as_str(), "testing");
/// assert!("staging".parse::<Mode>().is_err());
/// assert_eq!(Mode::default(), Mode::Production);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// Local work: `debug` on, templates reload.
    Development,
    /// Serving real users: `debug` and `testing` off (the default).
    #[default]
    Production,
    /// Running the test suite: `testing` on.
    Testing,
}

static SELECTED: OnceLock<Mode> = OnceLock::new();

impl Mode {
    /// Every mode, in the order the docs list them.
    pub const ALL: [Mode; 3] = [Mode::Development, Mode::Production, Mode::Testing];

    /// The mode's name, which is also the stem of its config file.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(carafe::config::Mode::Development.as_str(), "development");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Development => "development",
            Mode::Production => "production",
            Mode::Testing => "testing",
        }
    }

    /// Whether `debug` is on by default in this mode (development only).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::config::Mode;
    /// assert!(Mode::Development.debug_default());
    /// assert!(!Mode::Production.debug_default());
    /// ```
    pub fn debug_default(self) -> bool {
        self == Mode::Development
    }

    /// The mode from the value of `CARAFE_ENV` (`None`: unset). An empty
    /// value counts as unset.
    ///
    /// # Errors
    ///
    /// [`ConfigError::UnknownMode`] naming the variable and the value.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::config::{ConfigError, Mode};
    ///
    /// assert_eq!(Mode::from_env_value(None).unwrap(), Mode::Production);
    /// assert_eq!(Mode::from_env_value(Some("testing")).unwrap(), Mode::Testing);
    /// let error = Mode::from_env_value(Some("prod")).unwrap_err();
    /// assert!(matches!(error, ConfigError::UnknownMode { .. }));
    /// assert!(error.to_string().contains("did you mean `production`"), "{error}");
    /// ```
    pub fn from_env_value(value: Option<&str>) -> Result<Mode, ConfigError> {
        match value.map(str::trim) {
            None | Some("") => Ok(Mode::default()),
            Some(text) => text.parse().map_err(|_| ConfigError::UnknownMode {
                value: text.to_owned(),
                source: MODE_VAR.to_owned(),
                suggestion: suggest(text, Mode::ALL.iter().map(|m| m.as_str())),
            }),
        }
    }

    /// Selects the mode for this process, ahead of `CARAFE_ENV` (what the
    /// command line's `--env` does). The first selection wins; returns
    /// whether this one did.
    ///
    /// Environment variables cannot be set safely in a running program, so
    /// this is how the command line tells an app factory which mode to load.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::config::Mode;
    ///
    /// Mode::select(Mode::Testing);
    /// assert_eq!(Mode::current().unwrap(), Mode::Testing);
    /// assert!(!Mode::select(Mode::Production));
    /// ```
    pub fn select(mode: Mode) -> bool {
        SELECTED.set(mode).is_ok()
    }

    /// The mode of this process: the [selected](Mode::select) one, else
    /// `CARAFE_ENV`, else production.
    ///
    /// # Errors
    ///
    /// [`ConfigError::UnknownMode`] when `CARAFE_ENV` names no mode.
    ///
    /// # Examples
    ///
    /// ```
    /// // Nothing selected and CARAFE_ENV unset in doctests: production.
    /// # if std::env::var_os("CARAFE_ENV").is_none() {
    /// assert_eq!(carafe::config::Mode::current().unwrap(), carafe::config::Mode::Production);
    /// # }
    /// ```
    pub fn current() -> Result<Mode, ConfigError> {
        if let Some(mode) = SELECTED.get() {
            return Ok(*mode);
        }
        match std::env::var_os(MODE_VAR) {
            None => Ok(Mode::default()),
            Some(value) => match value.to_str() {
                Some(text) => Mode::from_env_value(Some(text)),
                None => Err(ConfigError::InvalidEnv {
                    var: MODE_VAR.to_owned(),
                    key: "mode".to_owned(),
                    message: "the value is not valid UTF-8".to_owned(),
                }),
            },
        }
    }

    /// The mode selected with [`Mode::select`], if any.
    pub fn selected() -> Option<Mode> {
        SELECTED.get().copied()
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of [`Mode`]'s `FromStr`: the text names no mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseModeError {
    value: String,
}

impl fmt::Display for ParseModeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown mode {:?}: expected development, production or testing",
            self.value
        )
    }
}

impl std::error::Error for ParseModeError {}

impl FromStr for Mode {
    type Err = ParseModeError;

    /// Parses a mode name, ignoring ASCII case.
    fn from_str(text: &str) -> Result<Mode, ParseModeError> {
        Mode::ALL
            .into_iter()
            .find(|mode| mode.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| ParseModeError {
                value: text.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_ignore_case() {
        for mode in Mode::ALL {
            assert_eq!(mode.as_str().parse::<Mode>().unwrap(), mode);
            assert_eq!(mode.as_str().to_uppercase().parse::<Mode>().unwrap(), mode);
        }
        assert!("dev".parse::<Mode>().is_err());
        assert!("".parse::<Mode>().is_err());
    }

    #[test]
    fn env_value_errors_name_the_variable() {
        let error = Mode::from_env_value(Some("staging")).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("CARAFE_ENV"), "{text}");
        assert!(text.contains("staging"), "{text}");
        assert_eq!(Mode::from_env_value(Some("  ")).unwrap(), Mode::Production);
    }
}
