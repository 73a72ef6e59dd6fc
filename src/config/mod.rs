//! Typed configuration from TOML and YAML files, per mode, with environment
//! overrides: the seed stack's config factory.
//!
//! # The layout
//!
//! ```text
//! config/
//!   base.yaml          # every mode (or base.toml)
//!   development.yaml   # CARAFE_ENV=development
//!   production.yaml    # CARAFE_ENV=production (the default mode)
//!   testing.yaml       # CARAFE_ENV=testing
//!   logging.yaml       # see carafe::logging
//! ```
//!
//! Each file is optional and may be TOML (`.toml`) or YAML (`.yaml`,
//! `.yml`). Its top level holds Flask's built-in keys in lowercase
//! ([`Settings`]) and the app's own section under `app`:
//!
//! ```yaml
//! # config/base.yaml
//! secret_key: change-me            # never printed: Settings holds a Secret
//! max_content_length: 16777216
//! session_cookie_samesite: Lax
//! permanent_session_lifetime: 7d
//! app:
//!   database_url: sqlite://todo.db
//!   page_size: 20
//! ```
//!
//! # Loading
//!
//! [`Config::load`] (or [`Config::loader`] to adjust) reads, lowest first:
//! the defaults, `base`, the mode's file, then the environment:
//! `CARAFE_<KEY>` sets a built-in key, `CARAFE_APP__<KEY>` a key of the
//! app's section, with `__` between nested keys
//! (`CARAFE_APP__DATABASE__URL` → `app.database.url`). Environment text is
//! parsed to the type of the field it sets, so `CARAFE_DEBUG=true` and
//! `CARAFE_MAX_CONTENT_LENGTH=1048576` work, and a bad value is a
//! [`ConfigError::InvalidEnv`] naming the variable.
//!
//! ```
//! use carafe::config::{Config, Mode, Secret};
//! use serde::Deserialize;
//!
//! #[derive(Debug, Deserialize)]
//! struct Todo {
//!     database_url: String,
//!     #[serde(default = "twenty")]
//!     page_size: u32,
//!     api_token: Secret<String>,
//! }
//! fn twenty() -> u32 { 20 }
//!
//! let dir = tempfile::tempdir().unwrap();
//! std::fs::write(
//!     dir.path().join("base.yaml"),
//!     "secret_key: dev-key\napp:\n  database_url: sqlite://todo.db\n  api_token: t0k3n\n",
//! ).unwrap();
//! std::fs::write(dir.path().join("production.toml"), "session_cookie_secure = true\n").unwrap();
//!
//! let config: Config<Todo> = Config::loader()
//!     .dir(dir.path())
//!     .mode(Mode::Production)
//!     .env([("CARAFE_SECRET_KEY", "prod-key"), ("CARAFE_APP__PAGE_SIZE", "50")])
//!     .load()
//!     .unwrap();
//! assert_eq!(config.settings.secret_key.as_ref().unwrap().expose(), "prod-key");
//! assert!(config.settings.session_cookie_secure);
//! assert_eq!(config.app.page_size, 50);
//! assert_eq!(config.files().len(), 2);
//!
//! // Formatting the config never shows a secret.
//! let shown = format!("{config:?}");
//! assert!(!shown.contains("prod-key") && !shown.contains("t0k3n"));
//! ```
//!
//! # Modes
//!
//! `CARAFE_ENV` chooses the [`Mode`]: `development`, `production` (the
//! default, as Flask's `FLASK_ENV` defaulted to production) or `testing`.
//! The command line's `--env` overrides it, and `dev` selects development
//! when it is unset. Development turns `debug` on, testing turns `testing`
//! on, unless the files say otherwise.
//!
//! # Errors
//!
//! Every [`ConfigError`] names the file with line and column (or the
//! environment variable) and the key; unknown keys get a "did you mean".
//! Values of keys named like secrets ([`is_secret_name`]) are never quoted,
//! and parse errors never quote source lines.
//!
//! # Flask equivalents
//!
//! | Flask | Carafe |
//! |---|---|
//! | `app.config["SECRET_KEY"]` | `config.settings.secret_key` |
//! | `app.config.from_object(ProductionConfig)` | `config/production.yaml` |
//! | `app.config.from_file("x.toml", load=tomllib.load)`, `from_envvar` | [`Loader::file`] |
//! | `app.config.from_prefixed_env()` (`FLASK_` prefix, `__` nesting) | `CARAFE_` variables, `__` nesting |
//! | `FLASK_ENV` / `FLASK_DEBUG` | `CARAFE_ENV`, `--env` |
//! | app-specific keys (`app.config["DATABASE"]`) | the typed `app` section, `Config<T>` |

mod apply;
mod de;
mod error;
mod loader;
mod mode;
mod node;
mod secret;
mod settings;
mod values;

pub use error::{ConfigError, Location};
pub use loader::{
    APP_SECTION, CONFIG_DIR_VAR, Config, ENV_PREFIX, ENV_SEPARATOR, Loader, MAX_FILE_SIZE,
};
pub use mode::{MODE_VAR, Mode, ParseModeError};
pub use secret::{REDACTED, Secret, is_secret_name};
pub use settings::Settings;
pub use values::parse_duration;

pub(crate) use loader::{Sources, deserialize};
pub(crate) use node::Node;
