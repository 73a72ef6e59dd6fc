//! The logging configuration file: levels per target, format, output.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use crate::config::{ConfigError, Loader, Location, Node, Sources, deserialize};

/// The environment variable whose directives, when set, replace `level`,
/// `targets` and `filter`: `RUST_LOG` (tracing's convention).
pub const RUST_LOG: &str = "RUST_LOG";

/// How logging is set up, from `config/logging.{toml,yaml,yml}`, then
/// `config/logging.<mode>.{toml,yaml,yml}`, then `CARAFE_LOG__<KEY>`
/// variables (`CARAFE_LOG__LEVEL=debug`, `CARAFE_LOG__TARGETS__HYPER=warn`),
/// then `RUST_LOG`, which replaces the level, targets and filter.
/// (Environment keys are lowercased and `__` separates them, so a target
/// with `::` cannot be named in `CARAFE_LOG__TARGETS__...`: use `RUST_LOG`
/// or `CARAFE_LOG__FILTER` for those.)
///
/// ```yaml
/// # config/logging.yaml
/// level: info                # everything not listed below
/// targets:                   # per target (module path prefix)
///   my_app::db: debug
///   carafe: warn
/// filter: "my_app[request]=trace"   # extra EnvFilter directives
/// format: json               # text (default), compact or json
/// output: logs/app.log       # stderr (default), stdout, or a file path
/// ansi: false                # colors; default: when text goes to a terminal
/// timestamps: true           # default true
/// ```
///
/// # Examples
///
/// ```
/// use carafe::logging::{Format, Level, LoggingConfig, Output};
///
/// let mut config = LoggingConfig::default();
/// assert_eq!(config.level, Level::Info);
/// assert_eq!(config.format, Format::Text);
/// assert_eq!(config.output, Output::Stderr);
/// config.targets.insert("hyper".into(), Level::Warn);
/// config.filter = Some("my_app::db=trace".into());
/// assert_eq!(config.directives(), "info,hyper=warn,my_app::db=trace");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct LoggingConfig {
    /// The level of targets not listed in `targets`. Default `info`.
    pub level: Level,
    /// Levels per target: a module path or its prefix (`my_app::db`,
    /// `hyper`). Default none.
    pub targets: BTreeMap<String, Level>,
    /// Extra `EnvFilter` directives, after the others (span and field
    /// filters: `my_app[request{id=7}]=trace`). Default none.
    pub filter: Option<String>,
    /// The line format. Default text.
    pub format: Format,
    /// Where lines go. Default standard error.
    pub output: Output,
    /// ANSI colors. Default: on for text and compact lines to a terminal.
    pub ansi: Option<bool>,
    /// Whether lines start with a timestamp. Default on.
    pub timestamps: bool,
}

impl Default for LoggingConfig {
    fn default() -> Self {
        Self {
            level: Level::Info,
            targets: BTreeMap::new(),
            filter: None,
            format: Format::Text,
            output: Output::Stderr,
            ansi: None,
            timestamps: true,
        }
    }
}

impl LoggingConfig {
    /// Loads the logging config from the default config directory for the
    /// current mode and the process environment.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the file, line and key.
    pub fn load() -> Result<Self, ConfigError> {
        Self::load_with(&Loader::new())
    }

    /// Loads the logging config with a loader's directory, mode and
    /// environment (its extra files are not read).
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the file, line and key.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::config::{Loader, Mode};
    /// use carafe::logging::{Format, Level, LoggingConfig};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::write(dir.path().join("logging.yaml"), "level: warn\nformat: json\n").unwrap();
    /// std::fs::write(dir.path().join("logging.development.toml"), "level = \"debug\"\n").unwrap();
    ///
    /// let loader = Loader::new()
    ///     .dir(dir.path())
    ///     .mode(Mode::Development)
    ///     .env([("CARAFE_LOG__TARGETS__HYPER", "error")]);
    /// let config = LoggingConfig::load_with(&loader).unwrap();
    /// assert_eq!(config.level, Level::Debug);
    /// assert_eq!(config.format, Format::Json);
    /// assert_eq!(config.targets["hyper"], Level::Error);
    /// ```
    pub fn load_with(loader: &Loader) -> Result<Self, ConfigError> {
        let mode = loader.resolved_mode()?;
        let mut root = Node::empty_map(Location::Default);
        let mut sources = Sources::default();
        let logging_mode = format!("logging.{}", mode.as_str());
        loader.apply_files(&mut root, &["logging", &logging_mode], &mut sources, false)?;
        let mut env = Node::empty_map(Location::Default);
        loader.apply_env(&mut env, |first| first == "log")?;
        if let Some(overrides) = env.take("log") {
            root.merge(overrides);
        }
        let mut config: LoggingConfig = deserialize(&root, "")?;
        if let Some(directives) = loader.var(RUST_LOG).filter(|d| !d.trim().is_empty()) {
            config.level = Level::Off;
            config.targets.clear();
            config.filter = Some(directives);
        }
        Ok(config)
    }

    /// The `EnvFilter` directives: the level, each target, then `filter`.
    /// With `RUST_LOG` applied, the level is `off` and `filter` holds all.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = carafe::logging::LoggingConfig::default();
    /// assert_eq!(config.directives(), "info");
    /// ```
    pub fn directives(&self) -> String {
        let mut directives = vec![self.level.as_str().to_owned()];
        for (target, level) in &self.targets {
            directives.push(format!("{target}={}", level.as_str()));
        }
        if let Some(filter) = self.filter.as_deref().map(str::trim)
            && !filter.is_empty()
        {
            directives.push(filter.to_owned());
        }
        directives.join(",")
    }
}

/// A log level (any case; `warning` is `warn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Nothing.
    Off,
    /// Failures.
    Error,
    /// Problems that were handled.
    Warn,
    /// What happens (starts, requests).
    Info,
    /// Details for developers.
    Debug,
    /// Everything.
    Trace,
}

impl Level {
    /// The directive spelling (`info`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(carafe::logging::Level::Warn.as_str(), "warn");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
            Level::Debug => "debug",
            Level::Trace => "trace",
        }
    }

    fn parse(text: &str) -> Option<Level> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "off" | "none" => Level::Off,
            "error" | "critical" => Level::Error,
            "warn" | "warning" => Level::Warn,
            "info" => Level::Info,
            "debug" => Level::Debug,
            "trace" => Level::Trace,
            _ => return None,
        })
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LevelVisitor;

        impl Visitor<'_> for LevelVisitor {
            type Value = Level;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("one of off, error, warn, info, debug, trace")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Level, E> {
                Level::parse(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }

        deserializer.deserialize_str(LevelVisitor)
    }
}

/// The line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Format {
    /// `2026-01-01T00:00:00.000000Z  INFO target: message key=value`.
    Text,
    /// Shorter text lines.
    Compact,
    /// One JSON object per line (`timestamp`, `level`, `target`, `fields`,
    /// `span`, `spans`), for log shippers.
    Json,
}

/// Where lines go.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Output {
    /// Standard error (`stderr`, or `-` as in gunicorn).
    Stderr,
    /// Standard output (`stdout`).
    Stdout,
    /// Appended to a file (any other text), created if missing; relative
    /// paths are relative to the working directory.
    File(PathBuf),
}

impl<'de> Deserialize<'de> for Output {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OutputVisitor;

        impl Visitor<'_> for OutputVisitor {
            type Value = Output;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("stderr, stdout or a file path")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Output, E> {
                Ok(match v.trim() {
                    "" => return Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                    "stderr" | "-" => Output::Stderr,
                    "stdout" => Output::Stdout,
                    path => Output::File(PathBuf::from(path)),
                })
            }
        }

        deserializer.deserialize_str(OutputVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_in_any_case() {
        assert_eq!(Level::parse("WARNING"), Some(Level::Warn));
        assert_eq!(Level::parse(" Debug "), Some(Level::Debug));
        assert_eq!(Level::parse("loud"), None);
    }

    #[test]
    fn directives_skip_an_empty_filter() {
        let config = LoggingConfig {
            filter: Some("  ".into()),
            level: Level::Error,
            ..LoggingConfig::default()
        };
        assert_eq!(config.directives(), "error");
    }
}
