//! Register, log in, log out.

use std::collections::BTreeMap;

use carafe::prelude::*;
use carafe::render_template;
use carafe::wrappers::{
    check_password_hash, generate_password_hash_with, is_safe_redirect, needs_rehash_with,
};
use serde::Deserialize;
use serde_json::json;

use super::{User, Users};

/// Hashes `password` with the app's policy.
fn hash(users: &Users, password: &str) -> Result<String, Error> {
    Ok(generate_password_hash_with(password, users.method, 16)?)
}

/// Starts a logged-in session for `name`: the old values are dropped
/// first (no value set before the login survives it).
fn log_in(request: &Request, name: &str, remember: bool) -> Result<(), Error> {
    let session = request.session();
    session.clear()?;
    session.insert("user", name)?;
    session.set_permanent(remember)?;
    Ok(())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RegisterForm {
    name: String,
    password: String,
    confirm: String,
}

#[get("/register")]
fn register_form(request: &Request) -> Result<Html<String>, Error> {
    render_template(request, "register.html", &json!({"name": "", "errors": {}}))
}

#[post("/register")]
fn register(
    request: &Request,
    users: State<Users>,
    Form(form): Form<RegisterForm>,
) -> Result<Response, Error> {
    let name = form.name.trim().to_lowercase();
    let mut errors = BTreeMap::new();
    let valid_name = (3..=32).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid_name {
        errors.insert("name", "3 to 32 letters, digits or _.");
    } else if users.get(&name)?.is_some() {
        errors.insert("name", "This name is taken.");
    }
    if form.password.chars().count() < 8 {
        errors.insert("password", "At least 8 characters.");
    } else if form.password != form.confirm {
        errors.insert("confirm", "The passwords differ.");
    }
    if !errors.is_empty() {
        let page = render_template(
            request,
            "register.html",
            &json!({"name": form.name, "errors": errors}),
        )?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let user = User {
        name: name.clone(),
        password_hash: hash(&users, &form.password)?,
    };
    // Checked again by the database: two registrations of one name at once.
    if !users.add(&user)? {
        return Err(HttpError::conflict()
            .with_description("this name was just taken")
            .into());
    }
    log_in(request, &name, false)?;
    request.flash_category("success", format!("Welcome, {name}!"))?;
    Ok(Redirect::see_other(request.url_for("account.account")?).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LoginForm {
    name: String,
    password: String,
    remember: Option<bool>,
    next: String,
}

#[derive(Debug, Deserialize)]
struct Next {
    next: Option<String>,
}

#[get("/login")]
fn login_form(request: &Request, Query(query): Query<Next>) -> Result<Html<String>, Error> {
    let next = query.next.unwrap_or_default();
    render_template(
        request,
        "login.html",
        &json!({"name": "", "next": next, "error": false}),
    )
}

#[post("/login")]
fn login(
    request: &Request,
    users: State<Users>,
    Form(form): Form<LoginForm>,
) -> Result<Response, Error> {
    let name = form.name.trim().to_lowercase();
    let user = users.get(&name)?;
    let stored = user.as_ref().map_or_else(
        || users.dummy_hash().to_owned(),
        |u| u.password_hash.clone(),
    );
    let valid = check_password_hash(&stored, &form.password) && user.is_some();
    if !valid {
        let page = render_template(
            request,
            "login.html",
            &json!({"name": form.name, "next": form.next, "error": true}),
        )?;
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    }
    // The policy got stronger since this hash was made: store a new one
    // while the password is at hand.
    if needs_rehash_with(&stored, users.method) {
        users.set_hash(&name, &hash(&users, &form.password)?)?;
    }
    log_in(request, &name, form.remember.unwrap_or(false))?;
    request.flash_category("success", format!("Logged in as {name}."))?;
    // Only back to a page of this site.
    let target = if is_safe_redirect(&form.next) && !form.next.is_empty() {
        form.next
    } else {
        request.url_for("account.account")?
    };
    Ok(Redirect::see_other(target).into_response())
}

#[post("/logout")]
fn logout(request: &Request) -> Result<Redirect, Error> {
    request.session().clear()?;
    request.flash_category("info", "Logged out.")?;
    Ok(Redirect::see_other(request.url_for("index")?))
}

pub(crate) fn blueprint() -> Blueprint {
    Blueprint::new("auth")
        .register(register_form)
        .register(register)
        .register(login_form)
        .register(login)
        .register(logout)
}
