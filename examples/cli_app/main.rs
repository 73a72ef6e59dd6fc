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
//! CARAFE_SECRET_KEY=s3cret cargo run --example cli_app -- serve --bind 127.0.0.1:8000 -w 2
//! curl http://127.0.0.1:8000/users/7
//! ```
//!
//! The config folder is `examples/cli_app/config`; `--config-dir` or
//! `CARAFE_CONFIG_DIR` choose another.
//!
//! INTEGRATION POINT: this app routes with a bare `routing::Map` because the
//! App (`carafe::App`, issue 6 points 1-7) is not on `main` yet. Once it is,
//! the factory builds an `App` from `config.settings`, and `App` implements
//! `CliApp` (its URL map, template checks).

use std::process::ExitCode;

use carafe::cli::{BoxError, Cli, CliApp};
use carafe::config::{Config, Secret};
use carafe::routing::{Map, MatchError, Method, Rule};
use carafe::wrappers::http::StatusCode;
use carafe::wrappers::{Application, Request, Response};
use serde::Deserialize;

/// The app's own section of the config (`app:` in the files).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    greeting: String,
    #[allow(dead_code)]
    api_token: Secret<String>,
}

struct App {
    map: Map,
    config: Config<Settings>,
}

impl Application for App {
    fn handle(&self, request: Request) -> Response {
        let Ok(adapter) = self.map.bind(request.host()) else {
            return Response::text("bad host").with_status(StatusCode::BAD_REQUEST);
        };
        match adapter.match_path(request.path_info(), request.method()) {
            Ok(matched) => match matched.endpoint() {
                "index" => {
                    tracing::info!(target: "cli_app", path = request.path_info(), "index");
                    Response::text(format!(
                        "{} ({} mode)",
                        self.config.app.greeting,
                        self.config.mode()
                    ))
                }
                "user" => match matched.get::<i64>("id") {
                    Ok(id) => Response::text(format!("user {id}")),
                    Err(_) => Response::text("bad id").with_status(StatusCode::BAD_REQUEST),
                },
                _ => Response::text("ok"),
            },
            Err(MatchError::MethodNotAllowed { .. }) => {
                Response::text("method not allowed").with_status(StatusCode::METHOD_NOT_ALLOWED)
            }
            Err(_) => Response::text("not found").with_status(StatusCode::NOT_FOUND),
        }
    }
}

impl CliApp for App {
    fn url_map(&self) -> Option<&Map> {
        Some(&self.map)
    }

    fn problems(&self) -> Vec<String> {
        if self.config.app.greeting.trim().is_empty() {
            vec!["app.greeting is empty: the index page would be blank".to_owned()]
        } else {
            Vec::new()
        }
    }
}

/// The app factory: the production server calls it in each worker.
fn create_app() -> Result<App, BoxError> {
    let config: Config<Settings> = Config::load()?;
    let map = Map::builder()
        .rule(Rule::new("/", "index").methods([Method::GET]))
        .rule(Rule::new("/users/<int:id>", "user").methods([Method::GET, Method::DELETE]))
        .rule(Rule::new("/health", "health").methods([Method::GET]))
        .build()?;
    tracing::info!(
        target: "cli_app",
        mode = %config.mode(),
        files = config.files().len(),
        "app created"
    );
    tracing::debug!(target: "cli_app", ?config, "loaded config (secrets redacted)");
    Ok(App { map, config })
}

fn main() -> ExitCode {
    Cli::new(create_app)
        .config_dir(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/cli_app/config"
        ))
        .run()
}
