//! The `account` blueprint: every page needs a logged-in user (Flask's
//! `login_required`, as a `before_request` of the blueprint).

use carafe::prelude::*;
use carafe::render_template;
use carafe::wrappers::{check_password_hash, generate_password_hash_with};
use serde::Deserialize;
use serde_json::json;

use super::{CurrentUser, Users};

/// Before every account page: no user, no page. The visitor is sent to
/// the login page, which sends them back here afterwards.
fn login_required(request: &Request) -> Result<Option<Redirect>, Error> {
    let CurrentUser(user) = request.extract()?;
    if user.is_some() {
        return Ok(None);
    }
    request.flash_category("error", "Please log in first.")?;
    let back = here(request);
    let login = request.url_for(UrlFor::new("auth.login_form").value("next", back))?;
    Ok(Some(Redirect::see_other(login)))
}

/// The path and query of the request (as sent), to come back to.
fn here(request: &Request) -> String {
    let path = format!("{}{}", request.script_root(), request.path_info());
    match request.query_string() {
        "" => path,
        query => format!("{path}?{query}"),
    }
}

#[get("/")]
fn account(
    request: &Request,
    user: CurrentUser,
    session: Session<'_>,
) -> Result<Html<String>, Error> {
    let name = user.0.map(|u| u.name).unwrap_or_default();
    render_template(
        request,
        "account.html",
        &json!({"name": name, "remembered": session.is_permanent(), "error": null}),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PasswordForm {
    current: String,
    new: String,
}

#[post("/password")]
fn change_password(
    request: &Request,
    user: CurrentUser,
    users: State<Users>,
    Form(form): Form<PasswordForm>,
) -> Result<Response, Error> {
    let Some(user) = user.0 else {
        return Err(HttpError::unauthorized([]).into());
    };
    let error = if !check_password_hash(&user.password_hash, &form.current) {
        Some("The current password is wrong.")
    } else if form.new.chars().count() < 8 {
        Some("The new password needs at least 8 characters.")
    } else {
        None
    };
    if let Some(error) = error {
        let page = render_template(
            request,
            "account.html",
            &json!({"name": user.name, "remembered": request.session().is_permanent(), "error": error}),
        )?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let hash = generate_password_hash_with(&form.new, users.method, 16)?;
    users.set_hash(&user.name, &hash)?;
    request.flash_category("success", "Password changed.")?;
    Ok(Redirect::see_other(request.url_for(".account")?).into_response())
}

pub(crate) fn blueprint() -> Blueprint {
    Blueprint::new("account")
        .url_prefix("/account")
        .register(account)
        .register(change_password)
        .before_request(login_required)
}
