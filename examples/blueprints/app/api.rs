//! The `api` blueprint at `/api`: one `items` blueprint registered twice,
//! as `v1` and `v2`, and JSON errors for every API endpoint.

use carafe::prelude::*;
use serde_json::json;

// Plain functions registered with `route` (the other way to register):
// they see every value of the rule, the blueprint's `version` default too.

fn list(request: &Request, values: &Values<'_>) -> Result<Json<serde_json::Value>, Error> {
    let version: String = values.get_as("version")?;
    Ok(Json(
        json!({"endpoint": request.endpoint(), "version": version, "items": [1, 2, 3]}),
    ))
}

fn show(request: &Request, values: &Values<'_>) -> Result<Json<serde_json::Value>, Error> {
    let id: u32 = values.get_as("id")?;
    if id > 100 {
        return Err(HttpError::not_found()
            .with_description(format!("no item {id}"))
            .into());
    }
    Ok(Json(json!({
        "id": id,
        "version": values.get_as::<String>("version")?,
        "endpoint": request.endpoint(),
        "blueprints": request.blueprints(),
    })))
}

/// Errors of API endpoints are JSON (the blueprint's handlers; the app's
/// `404`/`405` handlers use it too for URLs under `/api/`): `{"error": {"status": 404, "message": "..."}}`.
pub(crate) fn json_error(error: &Error, _: &Request) -> (StatusCode, Json<serde_json::Value>) {
    let message = match error.as_http() {
        Some(http) => http.description().unwrap_or(http.name()).to_owned(),
        None => "internal server error".to_owned(),
    };
    (
        error.status(),
        Json(json!({"error": {"status": error.status().as_u16(), "message": message}})),
    )
}

pub(crate) fn blueprint() -> Blueprint {
    let items = Blueprint::new("items")
        .url_prefix("/items")
        .get("/", list)
        .get("/<int:id>", show);
    let v1 = Blueprint::new("v1")
        .url_prefix("/v1")
        .url_default("version", "1")
        .register_blueprint(items.clone());
    let v2 = Blueprint::new("v2")
        .url_prefix("/v2")
        .url_default("version", "2")
        .register_blueprint(items);
    Blueprint::new("api")
        .url_prefix("/api")
        .register_blueprint(v1)
        .register_blueprint(v2)
        .error_handler(404, json_error)
        .error_handler(500, json_error)
}
