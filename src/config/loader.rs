//! Loading: which files, in which order, and the environment on top.

use std::ffi::OsString;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::de::DeserializeOwned;

use super::de::{Context, DeError, NodeDeserializer};
use super::error::{ConfigError, Location};
use super::mode::Mode;
use super::node::{Node, Value, from_toml, from_yaml};
use super::settings::Settings;

/// The largest config file read, in bytes (1 MiB).
pub const MAX_FILE_SIZE: u64 = 1024 * 1024;

/// The environment variable naming the config directory:
/// `CARAFE_CONFIG_DIR` (default `config`).
pub const CONFIG_DIR_VAR: &str = "CARAFE_CONFIG_DIR";

/// The prefix of environment overrides: `CARAFE_`.
pub const ENV_PREFIX: &str = "CARAFE_";

/// The separator of nested keys in environment overrides: `__`
/// (`CARAFE_APP__DATABASE__URL` sets `app.database.url`).
pub const ENV_SEPARATOR: &str = "__";

/// The key of the app's own section.
pub const APP_SECTION: &str = "app";

/// The extensions tried for each config file, in this order.
const EXTENSIONS: [&str; 3] = ["toml", "yaml", "yml"];

/// The directory selected for this process ([`Loader::select_dir`]).
static SELECTED_DIR: OnceLock<PathBuf> = OnceLock::new();

/// A loaded configuration: Flask's built-in keys ([`Settings`]) and the
/// app's own section (`T`, the `app:` key of the files).
///
/// # Examples
///
/// ```
/// use carafe::config::{Config, Mode};
/// use serde::Deserialize;
///
/// #[derive(Debug, Deserialize, Default)]
/// #[serde(default)]
/// struct Shop {
///     currency: String,
///     page_size: u32,
/// }
///
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("base.yaml"), "app:\n  currency: EUR\n  page_size: 20\n").unwrap();
/// std::fs::write(dir.path().join("development.toml"), "[app]\npage_size = 5\n").unwrap();
///
/// let config: Config<Shop> = Config::loader()
///     .dir(dir.path())
///     .mode(Mode::Development)
///     .env([("CARAFE_APP__CURRENCY", "CHF")])
///     .load()
///     .unwrap();
/// assert!(config.settings.debug); // development mode
/// assert_eq!(config.app.page_size, 5); // the mode's file wins over the base
/// assert_eq!(config.app.currency, "CHF"); // the environment wins over files
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config<T = ()> {
    /// Flask's built-in keys.
    pub settings: Settings,
    /// The app's section.
    pub app: T,
    mode: Mode,
    files: Vec<PathBuf>,
    env_vars: Vec<String>,
    exposed_secrets: Vec<String>,
}

impl<T: DeserializeOwned> Config<T> {
    /// Loads with the defaults: the directory `CARAFE_CONFIG_DIR` or
    /// `config`, the [current mode](Mode::current), the process environment.
    /// See [`Loader`] for the layers.
    ///
    /// # Errors
    ///
    /// Any [`ConfigError`].
    pub fn load() -> Result<Self, ConfigError> {
        Loader::new().load()
    }
}

impl Config {
    /// A loader to adjust before loading.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::config::{Config, ConfigError, Mode};
    ///
    /// // A directory that was named must exist.
    /// let error = Config::loader()
    ///     .dir("no/such/dir")
    ///     .mode(Mode::Testing)
    ///     .env(Vec::<(String, String)>::new())
    ///     .load::<()>()
    ///     .unwrap_err();
    /// assert!(matches!(error, ConfigError::MissingDir { .. }));
    /// assert_eq!(error.to_string(), "config directory no/such/dir does not exist");
    /// ```
    pub fn loader() -> Loader {
        Loader::new()
    }
}

impl<T> Config<T> {
    /// The mode the config was loaded for.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The files read, in the order they were applied.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// The environment variables applied, in the order they were applied
    /// (names only).
    pub fn env_vars(&self) -> &[String] {
        &self.env_vars
    }

    /// Keys named like secrets ([`is_secret_name`](super::is_secret_name))
    /// that the config types read as something other than a
    /// [`Secret`](super::Secret): formatting the config would show their
    /// values. `check` reports them; make those fields `Secret<_>`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::config::{Config, Mode, Secret};
    /// use serde::Deserialize;
    ///
    /// #[derive(Debug, Deserialize)]
    /// struct Db {
    ///     password: String,
    ///     api_token: Secret<String>,
    /// }
    ///
    /// let config: Config<Db> = Config::loader()
    ///     .mode(Mode::Production)
    ///     .env([("CARAFE_APP__PASSWORD", "p"), ("CARAFE_APP__API_TOKEN", "t")])
    ///     .load()
    ///     .unwrap();
    /// assert_eq!(config.exposed_secrets(), ["app.password"]);
    /// ```
    pub fn exposed_secrets(&self) -> &[String] {
        &self.exposed_secrets
    }

    /// A config from its parts, as if loaded (for tests and for apps that
    /// build their settings in code).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::config::{Config, Mode, Settings};
    ///
    /// let mut settings = Settings::default();
    /// settings.testing = true;
    /// let config = Config::from_parts(settings, 42u32, Mode::Testing);
    /// assert!(config.settings.testing);
    /// assert_eq!(config.app, 42);
    /// assert!(config.files().is_empty());
    /// ```
    pub fn from_parts(settings: Settings, app: T, mode: Mode) -> Self {
        Config {
            settings,
            app,
            mode,
            files: Vec::new(),
            env_vars: Vec::new(),
            exposed_secrets: Vec::new(),
        }
    }
}

/// Loads a [`Config`]: the layers, lowest first, are
///
/// 1. the defaults ([`Settings::default`], `T`'s serde defaults), with
///    `debug: true` in development mode and `testing: true` in testing mode;
/// 2. `<dir>/base.{toml,yaml,yml}`;
/// 3. `<dir>/<mode>.{toml,yaml,yml}` (`development`, `production`, `testing`);
/// 4. files added with [`Loader::file`], in order;
/// 5. environment variables `CARAFE_<KEY>` for the built-in keys and
///    `CARAFE_APP__<KEY>[__<KEY>...]` for the app's section, applied in name
///    order. Their text is parsed to the type of the field it sets (`true`,
///    `1`, `on` for booleans; `[a, b]` or `a, b` for lists; `{k: v}` for
///    mappings; empty or `null` for none). Other `CARAFE_` variables
///    (`CARAFE_ENV`, the server's) are not config keys and are ignored.
///
/// Mappings merge key by key; anything else is replaced. Missing files are
/// skipped; a missing directory is an error only when it was named.
///
/// # Examples
///
/// ```
/// use carafe::config::{Config, ConfigError, Mode};
///
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("base.toml"), "max_content_length = 1024\n").unwrap();
/// let error = Config::loader()
///     .dir(dir.path())
///     .mode(Mode::Production)
///     .env([("CARAFE_MAX_CONTENT_LENGTH", "lots")])
///     .load::<()>()
///     .unwrap_err();
/// assert!(matches!(error, ConfigError::InvalidEnv { .. }));
/// assert!(error.to_string().contains("CARAFE_MAX_CONTENT_LENGTH"), "{error}");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Loader {
    dir: Option<PathBuf>,
    mode: Option<Mode>,
    env: Option<Vec<(OsString, OsString)>>,
    files: Vec<PathBuf>,
}

impl Loader {
    /// A loader with the defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// The config directory (default: the [selected](Loader::select_dir)
    /// one, else `CARAFE_CONFIG_DIR`, else `config`). A named directory must
    /// exist.
    #[must_use]
    pub fn dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// Selects the config directory for this process, ahead of
    /// `CARAFE_CONFIG_DIR` (what the command line's `--config-dir` does, so
    /// that an app factory's `Config::load()` reads it). The first
    /// selection wins; returns whether this one did.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::config::{Config, ConfigError, Loader, Mode};
    ///
    /// assert!(Loader::select_dir("/no/such/dir"));
    /// assert!(!Loader::select_dir("/elsewhere"));
    /// let error = Config::loader().mode(Mode::Production).load::<()>().unwrap_err();
    /// assert!(matches!(error, ConfigError::MissingDir { .. }));
    /// ```
    pub fn select_dir(dir: impl Into<PathBuf>) -> bool {
        SELECTED_DIR.set(dir.into()).is_ok()
    }

    /// The mode (default: [`Mode::current`]).
    #[must_use]
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = Some(mode);
        self
    }

    /// The environment to read instead of the process's (for tests, and
    /// for reading a saved environment). A loader given an environment
    /// reads nothing else of the process: it also ignores [`Mode::select`]
    /// and [`Loader::select_dir`].
    #[must_use]
    pub fn env<I, K, V>(mut self, vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<OsString>,
        V: Into<OsString>,
    {
        self.env = Some(
            vars.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        );
        self
    }

    /// Adds a file applied after the mode's file (Flask's `from_file`,
    /// `from_envvar`). It must exist; its format follows its extension.
    #[must_use]
    pub fn file(mut self, path: impl Into<PathBuf>) -> Self {
        self.files.push(path.into());
        self
    }

    /// Loads the configuration.
    ///
    /// # Errors
    ///
    /// Any [`ConfigError`]: unreadable or oversized files, syntax errors
    /// (file, line, column), values of the wrong type (key and file, line,
    /// column, or the environment variable), unknown keys (with a
    /// suggestion), missing required keys of the app's section, an unknown
    /// mode.
    pub fn load<T: DeserializeOwned>(&self) -> Result<Config<T>, ConfigError> {
        let mode = self.resolved_mode()?;
        let mut sources = Sources::default();
        let mut root = Node::empty_map(Location::Default);
        let mut defaults = Node::empty_map(Location::Default);
        match mode {
            Mode::Development => set_default(&mut defaults, "debug"),
            Mode::Testing => set_default(&mut defaults, "testing"),
            Mode::Production => {}
        }
        root.merge(defaults);
        self.apply_files(&mut root, &["base", mode.as_str()], &mut sources, true)?;
        let keys = Settings::keys();
        let env = self.apply_env(&mut root, |first| {
            first == APP_SECTION || keys.contains(&first)
        })?;
        sources.env_vars = env;

        let app_node = root
            .take(APP_SECTION)
            .unwrap_or_else(|| Node::empty_map(Location::Default));
        let (settings, mut exposed): (Settings, _) = deserialize_noting(&root, "")?;
        if std::any::type_name::<T>() == "()"
            && let Value::Map(entries) = &app_node.value
            && let Some((key, _)) = entries.first()
        {
            return Err(ConfigError::InvalidValue {
                key: APP_SECTION.to_owned(),
                location: key.location.clone(),
                message: "this app reads no `app` section: load a `Config<T>` with a type for it"
                    .to_owned(),
            });
        }
        let (app, app_exposed): (T, _) = deserialize_noting(&app_node, APP_SECTION)?;
        exposed.extend(app_exposed);
        for key in &exposed {
            tracing::warn!(
                target: "carafe::config",
                "key `{key}` is named like a secret but is not read as a Secret: \
                 formatting the config would show its value"
            );
        }
        Ok(Config {
            settings,
            app,
            mode,
            files: sources.files,
            env_vars: sources.env_vars,
            exposed_secrets: exposed,
        })
    }

    pub(crate) fn resolved_mode(&self) -> Result<Mode, ConfigError> {
        match self.mode {
            Some(mode) => Ok(mode),
            // A given environment is all the loader looks at.
            None if self.env.is_some() => Mode::from_env_value(
                self.var(super::mode::MODE_VAR)
                    .as_deref()
                    .filter(|v| !v.is_empty()),
            ),
            None => Mode::current(),
        }
    }

    pub(crate) fn var(&self, name: &str) -> Option<String> {
        match &self.env {
            Some(vars) => vars
                .iter()
                .find(|(k, _)| k == name)
                .and_then(|(_, v)| v.to_str().map(str::to_owned)),
            None => std::env::var(name).ok(),
        }
    }

    /// The directory, and whether it was named (and so must exist).
    pub(crate) fn resolved_dir(&self) -> (PathBuf, bool) {
        let selected = SELECTED_DIR.get().filter(|_| self.env.is_none());
        if let Some(dir) = self.dir.as_ref().or(selected) {
            return (dir.clone(), true);
        }
        match self.var(CONFIG_DIR_VAR).filter(|v| !v.is_empty()) {
            Some(dir) => (PathBuf::from(dir), true),
            None => (PathBuf::from("config"), false),
        }
    }

    /// Applies `<dir>/<stem>.<ext>` for each stem, then (with `extra`) the
    /// files added with [`Loader::file`].
    pub(crate) fn apply_files(
        &self,
        root: &mut Node,
        stems: &[&str],
        sources: &mut Sources,
        extra: bool,
    ) -> Result<(), ConfigError> {
        let (dir, named) = self.resolved_dir();
        if !dir.is_dir() {
            if named {
                return Err(ConfigError::MissingDir { path: dir });
            }
        } else {
            for stem in stems {
                if let Some(path) = find_file(&dir, stem)? {
                    root.merge(read_file(&path)?);
                    sources.files.push(path);
                }
            }
        }
        for path in self.files.iter().filter(|_| extra) {
            root.merge(read_file(path)?);
            sources.files.push(path.clone());
        }
        Ok(())
    }

    /// Applies the `CARAFE_` variables whose first key segment `accept`s;
    /// returns their names.
    pub(crate) fn apply_env(
        &self,
        root: &mut Node,
        accept: impl Fn(&str) -> bool,
    ) -> Result<Vec<String>, ConfigError> {
        let mut vars: Vec<(OsString, OsString)> = match &self.env {
            Some(vars) => vars.clone(),
            None => std::env::vars_os().collect(),
        };
        vars.sort();
        let mut applied = Vec::new();
        for (name, value) in vars {
            let Some(name) = name.to_str() else {
                continue;
            };
            let Some(rest) = name.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            let path: Vec<String> = rest
                .split(ENV_SEPARATOR)
                .map(str::to_ascii_lowercase)
                .collect();
            if !accept(&path[0]) {
                continue;
            }
            let key = path.join(".");
            if path.iter().any(String::is_empty) {
                return Err(ConfigError::InvalidEnv {
                    var: name.to_owned(),
                    key,
                    message: format!("empty key between `{ENV_SEPARATOR}` separators"),
                });
            }
            let Some(value) = value.to_str() else {
                return Err(ConfigError::InvalidEnv {
                    var: name.to_owned(),
                    key,
                    message: "the value is not valid UTF-8".to_owned(),
                });
            };
            let node = Node::new(
                Value::Text(value.to_owned()),
                Location::Env {
                    var: name.to_owned(),
                },
            );
            root.insert_path(&path, node);
            applied.push(name.to_owned());
        }
        Ok(applied)
    }
}

/// What was read.
#[derive(Debug, Default)]
pub(crate) struct Sources {
    pub(crate) files: Vec<PathBuf>,
    pub(crate) env_vars: Vec<String>,
}

fn set_default(defaults: &mut Node, key: &str) {
    defaults.insert_path(
        &[key.to_owned()],
        Node::new(Value::Bool(true), Location::Default),
    );
}

/// Deserializes a tree into `T`, turning errors into [`ConfigError`]s.
pub(crate) fn deserialize<T: DeserializeOwned>(node: &Node, key: &str) -> Result<T, ConfigError> {
    deserialize_noting(node, key).map(|(value, _)| value)
}

/// [`deserialize`], also returning the keys named like secrets that were not
/// read into a [`Secret`](super::Secret).
pub(crate) fn deserialize_noting<T: DeserializeOwned>(
    node: &Node,
    key: &str,
) -> Result<(T, Vec<String>), ConfigError> {
    let context = Context::default();
    let value = T::deserialize(NodeDeserializer::new(node, key, &context))
        .map_err(DeError::into_config_error)?;
    Ok((value, context.into_exposed()))
}

/// The one file for `stem` in `dir`, if any.
fn find_file(dir: &Path, stem: &str) -> Result<Option<PathBuf>, ConfigError> {
    let mut found: Option<PathBuf> = None;
    for extension in EXTENSIONS {
        let path = dir.join(format!("{stem}.{extension}"));
        if path.is_file() {
            if let Some(first) = found {
                return Err(ConfigError::Ambiguous {
                    first,
                    second: path,
                });
            }
            found = Some(path);
        }
    }
    Ok(found)
}

/// Reads and parses one config file (TOML or YAML by extension); its top
/// level must be a mapping.
pub(crate) fn read_file(path: &Path) -> Result<Node, ConfigError> {
    let io = |source| ConfigError::Io {
        path: path.to_owned(),
        source,
    };
    let file = fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(ConfigError::TooLarge {
            path: path.to_owned(),
            limit: MAX_FILE_SIZE,
        });
    }
    let text = String::from_utf8(bytes).map_err(|error| {
        let (line, column) = super::node::line_column(
            &String::from_utf8_lossy(error.as_bytes()),
            error.utf8_error().valid_up_to(),
        );
        ConfigError::Syntax {
            location: Location::File {
                path: path.to_owned(),
                line,
                column,
            },
            message: "the file is not valid UTF-8".to_owned(),
        }
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let node = match path.extension().and_then(|e| e.to_str()) {
        Some("toml") => from_toml(text, path)?,
        Some("yaml" | "yml") => from_yaml(text, path, None)?,
        _ => {
            return Err(ConfigError::Syntax {
                location: Location::File {
                    path: path.to_owned(),
                    line: 0,
                    column: 0,
                },
                message: "unknown format: name config files .toml, .yaml or .yml".to_owned(),
            });
        }
    };
    match node.value {
        Value::Map(_) => Ok(node),
        Value::Null => Ok(Node::empty_map(node.location)),
        _ => Err(ConfigError::Syntax {
            message: format!("the top level must be a mapping, not {}", node.kind()),
            location: node.location,
        }),
    }
}
