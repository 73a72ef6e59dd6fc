//! The app factory (Flask's tutorial `create_app`): the config of the
//! current mode, the database, the blueprints, the error pages.

mod auth;
mod db;
mod todos;

use std::path::PathBuf;

use carafe::cli::BoxError;
use carafe::config::Config;
use carafe::extract::FromRequestParts;
use carafe::prelude::*;
use carafe::render_template;
use carafe::wrappers::PasswordMethod;
use serde::Deserialize;
use serde_json::json;

pub(crate) use db::Database;

/// The app's section of the config (`app:` in `config/*.yaml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TodoSettings {
    /// The SQLite file; unset, one per mode in the temporary directory.
    #[serde(default)]
    pub(crate) database: Option<PathBuf>,
    /// How new passwords are hashed (Werkzeug's method syntax).
    pub(crate) hash_method: String,
    /// Todos per page.
    pub(crate) per_page: u32,
}

/// Renders `name` with `context` and the logged-in user as `user`, which
/// the layout shows on every page (what a Flask context processor, or
/// `g.user` in templates, does).
pub(crate) fn render(
    request: &Request,
    name: &str,
    mut context: serde_json::Value,
) -> Result<Html<String>, Error> {
    let auth::CurrentUser(user) = auth::CurrentUser::from_request_parts(request)?;
    context["user"] = json!(user);
    render_template(request, name, &context)
}

/// `403` and `404` as pages.
fn error_page(error: &Error, request: &Request) -> Result<(StatusCode, Html<String>), Error> {
    let description = error
        .as_http()
        .and_then(|http| http.description())
        .unwrap_or_default();
    let context = json!({
        "status": error.status().as_u16(),
        "reason": error.status().canonical_reason(),
        "description": description,
    });
    Ok((error.status(), render(request, "error.html", context)?))
}

/// The app, from a loaded config.
pub(crate) fn build_app(config: &Config<TodoSettings>) -> Result<App, BoxError> {
    if config.settings.secret_key.is_none() {
        return Err(format!(
            "no secret_key in {} mode: set CARAFE_SECRET_KEY, or secret_key in a config file",
            config.mode()
        )
        .into());
    }
    let method: PasswordMethod = config
        .app
        .hash_method
        .parse()
        .map_err(|error| format!("app.hash_method: {error}"))?;
    if !(1..=100).contains(&config.app.per_page) {
        return Err("app.per_page must be between 1 and 100".into());
    }
    let path = config.app.database.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("carafe-todo-{}.sqlite3", config.mode()))
    });
    let database = Database::init(&path)
        .map_err(|error| format!("the database {}: {error}", path.display()))?;
    tracing::info!(target: "todo", mode = %config.mode(), database = %database.path().display(), "app created");
    let app = config
        .settings
        .apply_to(App::builder())
        .template_folder(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/todo/templates"
        ))
        .static_folder(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/todo/static"))
        .state(database)
        .state(auth::Passwords { method })
        .state(todos::PerPage {
            count: config.app.per_page,
        })
        .register(todos::index)
        .register_blueprint(auth::blueprint())
        .register_blueprint(todos::blueprint())
        .error_handler(403, error_page)
        .error_handler(404, error_page)
        .try_build()?;
    Ok(app)
}

/// The app factory: `carafe::cli` calls it for every command, the
/// production server once in each worker.
pub(crate) fn create_app() -> Result<App, BoxError> {
    let config: Config<TodoSettings> = Config::load()?;
    build_app(&config)
}
