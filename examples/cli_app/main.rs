//! An app with the seed stack's layout: a `config/` folder (base, per-mode
//! and logging files), an app factory, and `main` handing the factory to the
//! command line.
//!
//! Run it:
//!
//! ```text
//! cargo run --example cli_app -- --help
//! cargo run --example cli_app -- routes --sort rule
//! cargo run --example cli_app -- check
//! cargo run --example cli_app -- --env development check
//! cargo run --example cli_app -- serve --bind 127.0.0.1:8000 -w 2
//! curl http://127.0.0.1:8000/users/7
//! ```
//!
//! The config folder is `examples/cli_app/config`; `--config-dir` or
//! `CARAFE_CONFIG_DIR` choose another.

use std::path::PathBuf;
use std::process::ExitCode;

use carafe::cli::{BoxError, Cli};
use carafe::config::{Config, Mode, Secret};
use carafe::prelude::*;
use serde::Deserialize;

/// The app's own section of the config (`app:` in the files).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AppSettings {
    greeting: String,
    #[allow(dead_code)]
    api_token: Secret<String>,
    #[serde(default)]
    static_folder: Option<PathBuf>,
}

/// What the handlers read (app state).
struct Greeting {
    text: String,
    mode: Mode,
}

#[get("/")]
fn index(greeting: State<Greeting>) -> String {
    tracing::info!(target: "cli_app", "index");
    format!("{} ({} mode)", greeting.text, greeting.mode)
}

#[route("/users/<int:id>", methods = ["GET", "DELETE"])]
fn user(id: i64, request: &Request) -> String {
    if request.method() == Method::DELETE {
        format!("deleted user {id}")
    } else {
        format!("user {id}")
    }
}

#[get("/health")]
fn health() -> &'static str {
    "ok"
}

/// The app factory: the production server calls it in each worker.
fn create_app() -> Result<App, BoxError> {
    let config: Config<AppSettings> = Config::load()?;
    if config.app.greeting.trim().is_empty() {
        return Err("app.greeting is empty: the index page would be blank".into());
    }
    tracing::info!(
        target: "cli_app",
        mode = %config.mode(),
        files = config.files().len(),
        "app created"
    );
    tracing::debug!(target: "cli_app", ?config, "loaded config (secrets redacted)");
    let mut builder = config.settings.apply_to(App::builder());
    if let Some(folder) = &config.app.static_folder {
        builder = builder.static_folder(folder);
    }
    let app = builder
        .state(Greeting {
            text: config.app.greeting.clone(),
            mode: config.mode(),
        })
        .register(index)
        .register(user)
        .register(health)
        .try_build()?;
    Ok(app)
}

fn main() -> ExitCode {
    Cli::new(create_app)
        .config_dir(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/cli_app/config"
        ))
        .run()
}
