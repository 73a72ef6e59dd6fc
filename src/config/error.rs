//! What can go wrong while loading configuration.

use std::fmt;
use std::path::PathBuf;

/// Where a configuration value came from.
///
/// # Examples
///
/// ```
/// use carafe::config::Location;
///
/// let at = Location::File { path: "config/base.yaml".into(), line: 3, column: 14 };
/// assert_eq!(at.to_string(), "config/base.yaml:3:14");
/// let env = Location::Env { var: "CARAFE_DEBUG".into() };
/// assert_eq!(env.to_string(), "environment variable CARAFE_DEBUG");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Location {
    /// A config file; `line` and `column` count from 1 (0: unknown).
    File {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: u32,
        /// The column in characters, from 1.
        column: u32,
    },
    /// An environment variable.
    Env {
        /// The variable's name.
        var: String,
    },
    /// A built-in default (of the mode, or of the struct).
    Default,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File { path, line: 0, .. } => write!(f, "{}", path.display()),
            Location::File { path, line, column } => {
                write!(f, "{}:{line}:{column}", path.display())
            }
            Location::Env { var } => write!(f, "environment variable {var}"),
            Location::Default => f.write_str("the defaults"),
        }
    }
}

/// Configuration could not be loaded. Every variant names the file (with
/// line and column where the format gives them) or the environment variable,
/// and the key. Messages never quote the value of a key named like a secret
/// ([`is_secret_name`](crate::config::is_secret_name)).
#[derive(Debug)]
#[non_exhaustive]
pub enum ConfigError {
    /// A config file could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A config file is larger than [`MAX_FILE_SIZE`](crate::config::MAX_FILE_SIZE).
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit, in bytes.
        limit: u64,
    },
    /// A config file is not valid TOML or YAML.
    Syntax {
        /// The file (or the environment variable, for a list or mapping
        /// given in one).
        location: Location,
        /// What the parser said.
        message: String,
    },
    /// Two files for the same layer (`base.toml` and `base.yaml`).
    Ambiguous {
        /// The first file.
        first: PathBuf,
        /// The second file.
        second: PathBuf,
    },
    /// The config directory does not exist (only when it was named
    /// explicitly, with `CARAFE_CONFIG_DIR`, `--config-dir` or
    /// [`Loader::dir`](crate::config::Loader::dir)).
    MissingDir {
        /// The directory.
        path: PathBuf,
    },
    /// The mode named by `CARAFE_ENV` or `--env` does not exist.
    UnknownMode {
        /// The value given.
        value: String,
        /// Where it was given (`CARAFE_ENV`, `--env`).
        source: String,
        /// The closest mode name.
        suggestion: Option<String>,
    },
    /// An environment override has a value the key's type cannot take.
    InvalidEnv {
        /// The variable.
        var: String,
        /// The config key it sets (`max_content_length`, `app.database.url`).
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A value in a file has the wrong type or is out of range.
    InvalidValue {
        /// The key (`session_cookie_samesite`, `app.workers`).
        key: String,
        /// Where the value is.
        location: Location,
        /// What is wrong.
        message: String,
    },
    /// A key no setting has (a typo, usually).
    UnknownKey {
        /// The key.
        key: String,
        /// Where it is.
        location: Location,
        /// The closest known key.
        suggestion: Option<String>,
    },
    /// A required key of the app's section is set nowhere.
    MissingKey {
        /// The key.
        key: String,
        /// The environment variable that would set it.
        env_var: String,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Io { path, source } => {
                write!(f, "cannot read config file {}: {source}", path.display())
            }
            ConfigError::TooLarge { path, limit } => write!(
                f,
                "config file {} is larger than the limit of {limit} bytes",
                path.display()
            ),
            ConfigError::Syntax { location, message } => write!(f, "{location}: {message}"),
            ConfigError::Ambiguous { first, second } => write!(
                f,
                "both {} and {} exist: keep one",
                first.display(),
                second.display()
            ),
            ConfigError::MissingDir { path } => {
                write!(f, "config directory {} does not exist", path.display())
            }
            ConfigError::UnknownMode {
                value,
                source,
                suggestion,
            } => {
                write!(
                    f,
                    "unknown mode {value:?} in {source}: expected development, production or testing"
                )?;
                if let Some(suggestion) = suggestion {
                    write!(f, " (did you mean `{suggestion}`?)")?;
                }
                Ok(())
            }
            ConfigError::InvalidEnv { var, key, message } => {
                write!(f, "environment variable {var} (key `{key}`): {message}")
            }
            ConfigError::InvalidValue {
                key,
                location,
                message,
            } => write!(f, "{location}: key `{key}`: {message}"),
            ConfigError::UnknownKey {
                key,
                location,
                suggestion,
            } => {
                write!(f, "{location}: unknown key `{key}`")?;
                if let Some(suggestion) = suggestion {
                    write!(f, " (did you mean `{suggestion}`?)")?;
                }
                Ok(())
            }
            ConfigError::MissingKey { key, env_var } => write!(
                f,
                "missing key `{key}`: set it in a config file or with {env_var}"
            ),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The closest candidate to `input`, for "did you mean" hints: one that
/// starts with it (3 characters or more), else the nearest by edit distance
/// (transpositions count once) within a third of its length (at least 1),
/// ignoring ASCII case.
pub(crate) fn suggest<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let input = input.to_ascii_lowercase();
    let candidates: Vec<&str> = candidates.into_iter().collect();
    if input.chars().count() >= 3
        && let Some(hit) = candidates
            .iter()
            .find(|c| c.to_ascii_lowercase().starts_with(&input))
    {
        return Some((*hit).to_owned());
    }
    let limit = (input.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|candidate| (distance(&input, &candidate.to_ascii_lowercase()), candidate))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, candidate)| candidate.to_owned())
}

/// Optimal string alignment distance over chars (Levenshtein plus adjacent
/// transpositions).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let keys = ["secret_key", "server_name", "debug"];
        assert_eq!(suggest("SECRET_KEY", keys).as_deref(), Some("secret_key"));
        assert_eq!(suggest("secret_kye", keys).as_deref(), Some("secret_key"));
        assert_eq!(suggest("debgu", keys).as_deref(), Some("debug"));
        assert_eq!(suggest("workers", keys), None);
        assert_eq!(
            suggest("prod", ["development", "production"]).as_deref(),
            Some("production")
        );
        assert_eq!(distance("abc", "abc"), 0);
        assert_eq!(distance("ab", "ba"), 1);
        assert_eq!(distance("", "abc"), 3);
    }
}
