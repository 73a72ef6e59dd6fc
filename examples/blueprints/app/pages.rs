//! The `pages` blueprint: no URL prefix, its routes collected from this
//! module with `register_module`.

use carafe::prelude::*;

#[get("/")]
fn index(request: &Request) -> Result<Html<String>, Error> {
    // Endpoints of other blueprints are `name.endpoint`; `.about` is this
    // blueprint's own.
    let links = [
        ("About", request.url_for(".about")?),
        ("Admin", request.url_for("admin.dashboard")?),
        ("Users", request.url_for("admin.users.list")?),
        (
            "Item 7 (API v1)",
            request.url_for(UrlFor::new("api.v1.items.show").value("id", 7))?,
        ),
        (
            "Item 7 (API v2)",
            request.url_for(UrlFor::new("api.v2.items.show").value("id", 7))?,
        ),
    ];
    let items: String = links
        .iter()
        .map(|(label, url)| format!("<li><a href=\"{url}\">{label}</a></li>"))
        .collect();
    Ok(Html(format!("<h1>Blueprints</h1><ul>{items}</ul>")))
}

#[get("/about")]
fn about(request: &Request) -> String {
    format!(
        "endpoint {} in blueprint {}",
        request.endpoint().unwrap_or("-"),
        request.blueprint().unwrap_or("-")
    )
}

/// Runs after every request of the app, not only this blueprint's (Flask's
/// `after_app_request`).
fn nosniff(_: &Request, mut response: Response) -> Response {
    response.headers_mut().insert(
        "x-content-type-options",
        http::HeaderValue::from_static("nosniff"),
    );
    response
}

pub(crate) fn blueprint() -> Blueprint {
    Blueprint::new("pages")
        .register_module(module_path!())
        .after_app_request(nosniff)
}
