//! The `admin` blueprint at `/admin`: every request is checked first
//! (HTTP Basic auth), responses are never cached, and the nested `users`
//! blueprint has its own `404` page.

use carafe::prelude::*;
use carafe::templating::escape_html;
use carafe::wrappers::headers::WwwAuthenticate;

use super::{AdminPassword, Users};

#[get("/")]
fn dashboard(users: State<Users>) -> String {
    format!("admin dashboard: {} users", users.names.len())
}

#[get("/")]
fn list(request: &Request, users: State<Users>) -> Result<Html<String>, Error> {
    let mut items = String::new();
    for (id, name) in users.names.iter().enumerate() {
        // `.show`: the endpoint `show` of this blueprint (`admin.users`).
        let url = request.url_for(UrlFor::new(".show").value("id", id as i64 + 1))?;
        items.push_str(&format!(
            "<li><a href=\"{url}\">{}</a></li>",
            escape_html(name)
        ));
    }
    Ok(Html(format!("<ul>{items}</ul>")))
}

#[get("/<int:id>")]
fn show(id: usize, users: State<Users>) -> Result<String, HttpError> {
    let name = id.checked_sub(1).and_then(|i| users.names.get(i));
    name.map(|name| format!("user {id}: {name}"))
        .ok_or_else(HttpError::not_found)
}

/// Before every admin request: HTTP Basic auth as `admin`, else `401` with
/// a challenge (the handler is not called).
fn require_admin(request: &Request) -> Option<HttpError> {
    let expected = request.state::<AdminPassword>().map(|p| p.0.as_str());
    let given = request.authorization();
    let ok = given.as_ref().is_some_and(|auth| {
        auth.username() == Some("admin") && auth.password().is_some() && auth.password() == expected
    });
    (!ok).then(|| HttpError::unauthorized([WwwAuthenticate::basic("admin")]))
}

/// After every admin response: never cached.
fn no_store(_: &Request, mut response: Response) -> Response {
    response
        .headers_mut()
        .insert("cache-control", http::HeaderValue::from_static("no-store"));
    response
}

/// The users blueprint's `404`: only for its endpoints.
fn no_such_user(_: &Error, request: &Request) -> (StatusCode, String) {
    (
        StatusCode::NOT_FOUND,
        format!("no such user: {}", request.path_info()),
    )
}

pub(crate) fn blueprint() -> Blueprint {
    let users = Blueprint::new("users")
        .url_prefix("/users")
        .register(list)
        .register(show)
        .error_handler(404, no_such_user);
    Blueprint::new("admin")
        .url_prefix("/admin")
        .register(dashboard)
        .register_blueprint(users)
        .before_request(require_admin)
        .after_request(no_store)
}
