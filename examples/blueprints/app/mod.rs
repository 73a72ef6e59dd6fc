//! The app factory: the blueprints registered on one app.

mod admin;
mod api;
mod pages;

use carafe::prelude::*;
use carafe::templating::escape_html;

/// The users the admin pages list (a database in a real app).
pub(crate) struct Users {
    pub(crate) names: Vec<&'static str>,
}

/// The admin password (HTTP Basic auth, user `admin`). A real app reads it
/// from its configuration.
pub(crate) struct AdminPassword(pub(crate) String);

/// The app's `404` page: HTML, naming the path that was asked for; JSON
/// under `/api/`. (A URL that matches no rule, or a rule but not the
/// method, has no endpoint, so no blueprint's handler sees it: as in
/// Flask, the app's handler looks at the path.)
fn not_found(error: &Error, request: &Request) -> Response {
    if request.path_info().starts_with("/api/") {
        return api::json_error(error, request).into_response();
    }
    let page = format!(
        "<h1>Not Found</h1><p>Nothing at <code>{}</code>.</p>",
        escape_html(&request.path())
    );
    (error.status(), Html(page)).into_response()
}

/// `405` under `/api/` in JSON, with the `Allow` header kept.
fn method_not_allowed(error: &Error, request: &Request) -> Response {
    let mut response = match request.path_info().starts_with("/api/") {
        true => api::json_error(error, request).into_response(),
        false => (error.status(), "method not allowed").into_response(),
    };
    if let Some(allow) = error.as_http().and_then(|http| http.headers().get("allow")) {
        response.headers_mut().insert("allow", allow.clone());
    }
    response
}

/// The app with an admin password.
pub(crate) fn app_with_password(password: &str) -> App {
    App::builder()
        .state(Users {
            names: vec!["ada", "grace", "linus"],
        })
        .state(AdminPassword(password.to_owned()))
        .register_blueprint(pages::blueprint())
        .register_blueprint(admin::blueprint())
        .register_blueprint(api::blueprint())
        .error_handler(404, not_found)
        .error_handler(405, method_not_allowed)
        .build()
}

/// The app factory (`carafe::cli::run` calls it; the production server
/// calls it in each worker).
pub(crate) fn create_app() -> App {
    app_with_password("admin")
}
