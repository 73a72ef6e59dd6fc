//! The `auth` blueprint (Flask's tutorial `auth.py`): register, log in,
//! log out; the logged-in user loaded before every request; pages that
//! need one.

use carafe::extract::FromRequestParts;
use carafe::prelude::*;
use carafe::render_template;
use carafe::wrappers::{
    PasswordMethod, check_password_hash, generate_password_hash_with, is_safe_redirect,
    needs_rehash_with,
};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::db::Db;

/// A user as the pages see it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct User {
    pub(crate) id: i64,
    pub(crate) username: String,
}

/// How passwords are hashed (app state, from `app.hash_method`).
pub(crate) struct Passwords {
    pub(crate) method: PasswordMethod,
}

/// Who is logged in, for this request (kept in Flask's `g`).
#[derive(Debug, Clone)]
struct LoggedIn(Option<User>);

/// Before every request of the app (Flask's `load_logged_in_user`): the
/// session's `user_id`, loaded from the database.
fn load_logged_in_user(request: &Request) -> Result<(), Error> {
    let user = match request.session().get::<i64>("user_id") {
        Some(id) => Db::open(request)?
            .query_row("SELECT id, username FROM user WHERE id = ?1", [id], |row| {
                Ok(User {
                    id: row.get(0)?,
                    username: row.get(1)?,
                })
            })
            .optional()?,
        None => None,
    };
    request.g().insert(LoggedIn(user));
    Ok(())
}

/// The logged-in user, if any (Flask's `g.user`): any handler can take it.
pub(crate) struct CurrentUser(pub(crate) Option<User>);

impl<'r> FromRequestParts<'r> for CurrentUser {
    fn from_request_parts(request: &'r Request) -> Result<Self, Error> {
        let user = request
            .g()
            .get::<LoggedIn>()
            .and_then(|logged_in| logged_in.0.clone());
        Ok(CurrentUser(user))
    }
}

/// The logged-in user, for pages behind [`login_required`]: a `401` if
/// there is none (which that hook prevents).
pub(crate) struct LoggedInUser(pub(crate) User);

impl<'r> FromRequestParts<'r> for LoggedInUser {
    fn from_request_parts(request: &'r Request) -> Result<Self, Error> {
        match CurrentUser::from_request_parts(request)?.0 {
            Some(user) => Ok(LoggedInUser(user)),
            None => Err(HttpError::unauthorized([]).into()),
        }
    }
}

/// Flask's `login_required`, as a `before_request` function for a
/// blueprint: strangers are sent to the login page, and back afterwards.
pub(crate) fn login_required(request: &Request) -> Result<Option<Redirect>, Error> {
    if CurrentUser::from_request_parts(request)?.0.is_some() {
        return Ok(None);
    }
    let here = match request.query_string() {
        "" => format!("{}{}", request.script_root(), request.path_info()),
        query => format!("{}{}?{query}", request.script_root(), request.path_info()),
    };
    let login = request.url_for(url_for!(login).value("next", here))?;
    Ok(Some(Redirect::see_other(login)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Credentials {
    username: String,
    password: String,
    next: String,
}

#[derive(Debug, Deserialize)]
struct Next {
    next: Option<String>,
}

#[route("/register", methods = ["GET", "POST"])]
fn register(request: &Request, db: Db, passwords: State<Passwords>) -> Result<Response, Error> {
    if request.method() == Method::GET {
        let page = render_template(request, "auth/register.html", &json!({"username": ""}))?;
        return Ok(page.into_response());
    }
    let form: Credentials = request.form_as()?;
    let username = form.username.trim();
    let error = if username.is_empty() {
        "Username is required.".to_owned()
    } else if username.chars().count() > 40 {
        "Username is at most 40 characters.".to_owned()
    } else if form.password.chars().count() < 8 {
        "Password needs at least 8 characters.".to_owned()
    } else {
        let hash = generate_password_hash_with(&form.password, passwords.method, 16)?;
        // The UNIQUE constraint decides between two registrations at once.
        let added = db.execute(
            "INSERT OR IGNORE INTO user (username, password) VALUES (?1, ?2)",
            [username, hash.as_str()],
        )?;
        if added == 1 {
            tracing::info!(target: "todo", username, "registered");
            request.flash("Registered: you can log in now.")?;
            return Ok(Redirect::see_other(request.url_for(url_for!(login))?).into_response());
        }
        format!("User {username} is already registered.")
    };
    request.flash_category("error", error)?;
    let page = render_template(
        request,
        "auth/register.html",
        &json!({"username": form.username}),
    )?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[route("/login", methods = ["GET", "POST"])]
fn login(request: &Request, db: Db, passwords: State<Passwords>) -> Result<Response, Error> {
    if request.method() == Method::GET {
        let Query(query) = request.extract::<Query<Next>>()?;
        let context = json!({"username": "", "next": query.next.unwrap_or_default()});
        return Ok(render_template(request, "auth/login.html", &context)?.into_response());
    }
    let form: Credentials = request.form_as()?;
    let user: Option<(i64, String)> = db
        .query_row(
            "SELECT id, password FROM user WHERE username = ?1",
            [form.username.trim()],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let Some((id, hash)) = user.filter(|(_, hash)| check_password_hash(hash, &form.password))
    else {
        tracing::info!(target: "todo", username = form.username.trim(), "failed login");
        request.flash_category("error", "Incorrect username or password.")?;
        let context = json!({"username": form.username, "next": form.next});
        let page = render_template(request, "auth/login.html", &context)?;
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    };
    // A hash made with a weaker policy is replaced while the password is
    // at hand.
    if needs_rehash_with(&hash, passwords.method) {
        let upgraded = generate_password_hash_with(&form.password, passwords.method, 16)?;
        db.execute(
            "UPDATE user SET password = ?2 WHERE id = ?1",
            (id, upgraded),
        )?;
    }
    // A new session: nothing set before the login survives it.
    let session = request.session();
    session.clear()?;
    session.insert("user_id", id)?;
    session.set_permanent(true)?;
    let target = if !form.next.is_empty() && is_safe_redirect(&form.next) {
        form.next
    } else {
        request.url_for(url_for!(super::todos::index))?
    };
    Ok(Redirect::see_other(target).into_response())
}

#[post("/logout")]
fn logout(request: &Request) -> Result<Redirect, Error> {
    request.session().clear()?;
    Ok(Redirect::see_other(
        request.url_for(url_for!(super::todos::index))?,
    ))
}

/// The blueprint, at `/auth`; it loads the user before every request of
/// the app.
pub(crate) fn blueprint() -> Blueprint {
    Blueprint::new("auth")
        .url_prefix("/auth")
        .register(register)
        .register(login)
        .register(logout)
        .before_app_request(load_logged_in_user)
}
