//! The app factory and the JSON error pages.

mod auth;
mod books;
mod store;

use std::collections::BTreeMap;
use std::fmt;

use carafe::cli::BoxError;
use carafe::config::{Config, Secret};
use carafe::prelude::*;
use serde::Deserialize;
use serde_json::json;

pub(crate) use store::{Book, Library};

/// The app's section of the config (`app:` in the files).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ApiSettings {
    /// The bearer token of the writing methods.
    pub(crate) api_token: Secret<String>,
    /// Books per page when the query does not say.
    pub(crate) page_size: u32,
}

/// What the API refuses, beyond HTTP's own errors (Flask's custom
/// exceptions with an `errorhandler`): handlers return it through
/// [`Error`], [`api_error`] renders it.
#[derive(Debug)]
pub(crate) enum ApiError {
    /// No book with this id.
    NoSuchBook(u64),
    /// The body is well-formed JSON of the right shape, but values are
    /// wrong: field → why.
    Invalid(BTreeMap<&'static str, String>),
    /// `If-Match` names another version than the current one.
    PreconditionFailed,
    /// The query is well-formed but out of range.
    BadQuery(String),
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::NoSuchBook(_) => StatusCode::NOT_FOUND,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::BadQuery(_) => StatusCode::BAD_REQUEST,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::NoSuchBook(id) => write!(f, "no book {id}"),
            ApiError::Invalid(_) => f.write_str("the book is not valid"),
            ApiError::PreconditionFailed => {
                f.write_str("the book changed since you read it (If-Match)")
            }
            ApiError::BadQuery(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for ApiError {}

/// Renders an [`ApiError`].
fn api_error(error: &ApiError, _: &Request) -> (StatusCode, Json<serde_json::Value>) {
    let mut body = json!({"status": error.status().as_u16(), "message": error.to_string()});
    if let ApiError::Invalid(fields) = error {
        body["fields"] = json!(fields);
    }
    (error.status(), Json(json!({ "error": body })))
}

/// Renders HTTP errors (routing, extractors, limits, panics) as JSON, with
/// their headers (`Allow`, `WWW-Authenticate`) kept.
fn http_error(error: &Error, _: &Request) -> Response {
    let message = match error.as_http() {
        Some(http) => http.description().unwrap_or(http.name()).to_owned(),
        // Never show the inner error of a 500 to the client (it is logged).
        None => "internal server error".to_owned(),
    };
    let body = json!({"error": {"status": error.status().as_u16(), "message": message}});
    let mut response = (error.status(), Json(body)).into_response();
    if let Some(http) = error.as_http() {
        for (name, value) in http.headers() {
            response.headers_mut().insert(name, value.clone());
        }
    }
    response
}

/// The statuses answered by [`http_error`].
const JSON_ERRORS: [u16; 10] = [400, 401, 404, 405, 412, 413, 415, 422, 431, 500];

/// The app, from a loaded config.
pub(crate) fn build_app(config: &Config<ApiSettings>) -> App {
    let mut builder = config
        .settings
        .apply_to(App::builder())
        .state(Library::default())
        .state(auth::ApiToken::new(config.app.api_token.expose()))
        .state(books::PageSize {
            per_page: config.app.page_size,
        })
        .register_blueprint(books::blueprint())
        .error_handler_for(api_error);
    for status in JSON_ERRORS {
        builder = builder.error_handler(status, http_error);
    }
    builder.build()
}

/// The app factory: the config of the current mode, then the app.
pub(crate) fn create_app() -> Result<App, BoxError> {
    let config: Config<ApiSettings> = Config::load()?;
    if config.app.api_token.expose().len() < 8 {
        return Err("app.api_token is shorter than 8 characters".into());
    }
    Ok(build_app(&config))
}
