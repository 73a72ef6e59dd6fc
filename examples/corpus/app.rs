//! The corpus app: exactly the contract of `../shared/attack-corpus/README.md`
//! section 1, on the App. `main.rs` runs it through the app's command line;
//! the tests include this file and drive it through the test client.

use std::path::PathBuf;

use bytes::Bytes;
use carafe::prelude::*;
use carafe::wrappers::{Limits, SetCookie, is_safe_redirect};
use serde::Deserialize;

/// The session key. Not a secret: the corpus app is a test fixture, and
/// every worker process (and the tests, which mint a valid session with a
/// second app) must share it.
pub(crate) const SECRET_KEY: &str = "carafe attack corpus: a fixed key for a test fixture";

/// The limits the corpus expectations assume (README section 1; Flask's
/// `MAX_CONTENT_LENGTH`, `MAX_FORM_MEMORY_SIZE`, `MAX_FORM_PARTS`).
pub(crate) fn limits() -> Limits {
    Limits::default()
        .with_max_content_length(Some(16 * 1024 * 1024))
        .with_max_form_memory_size(500_000)
        .with_max_form_parts(1000)
}

/// `GET|POST /`: `ok`, without reading the body (the server must drain or
/// close).
#[route("/", methods = ["GET", "POST"])]
fn index() -> &'static str {
    "ok"
}

/// `GET|POST /echo`: reads the whole body (at most 16 MiB, else `413`).
#[route("/echo", methods = ["GET", "POST"])]
fn echo(body: Bytes) -> String {
    format!("len={}", body.len())
}

/// `GET /smuggled`: the canary no corpus file may reach.
#[get("/smuggled")]
fn smuggled() -> &'static str {
    "SMUGGLED_CANARY"
}

/// `POST /form`: the number of fields of an urlencoded form.
#[post("/form")]
fn form(request: &Request) -> Result<String, Error> {
    Ok(format!("fields={}", request.form()?.iter().count()))
}

/// `POST /upload`: the number of parts of a multipart form and the safe
/// names of its files.
#[post("/upload")]
fn upload(request: &Request) -> Result<String, Error> {
    let fields = request.form()?.iter().count();
    let files = request.files()?;
    let names: Vec<String> = files
        .iter()
        .map(|(_, file)| file.secure_filename())
        .collect();
    Ok(format!(
        "parts={}\nnames={}",
        fields + names.len(),
        names.join(",")
    ))
}

#[derive(Deserialize)]
struct CookieName {
    name: String,
}

/// `GET /cookie?name=N`: the value of cookie `N`, `404` without it.
#[get("/cookie")]
fn cookie(Query(query): Query<CookieName>, cookies: Cookies<'_>) -> Result<String, HttpError> {
    cookies
        .get(&query.name)
        .cloned()
        .ok_or_else(HttpError::not_found)
}

/// `GET /session`: who the signed session says the user is.
#[get("/session")]
fn session(session: Session<'_>) -> String {
    match session.get::<String>("user") {
        Some(user) => format!("user={user}"),
        None => "anonymous".to_owned(),
    }
}

#[derive(Deserialize)]
struct Next {
    next: Option<String>,
}

/// `GET /go?next=U`: `303` to `U` when it stays on this site, else to `/`.
/// A target with a control character (CR, LF, NUL, ...) is a malformed
/// request: `400`, rather than a silent redirect home.
#[get("/go")]
fn go(Query(query): Query<Next>) -> Result<Redirect, HttpError> {
    match query.next {
        Some(next) if next.chars().any(char::is_control) => Err(HttpError::bad_request()
            .with_description("the redirect target holds a control character")),
        Some(next) if is_safe_redirect(&next) => Ok(Redirect::see_other(next)),
        _ => Ok(Redirect::see_other("/")),
    }
}

#[derive(Deserialize)]
struct CookieValue {
    v: String,
}

/// `GET /setcookie?v=V`: sets cookie `c=V` (quoted or refused when `V`
/// could break out of the header).
#[get("/setcookie")]
fn setcookie(Query(query): Query<CookieValue>) -> Result<Response, Error> {
    let mut response = Response::text("set");
    response.set_cookie(SetCookie::new("c", query.v))?;
    Ok(response)
}

/// `GET /dir/`: a strict-slash rule (`/dir` redirects here).
#[get("/dir/")]
fn dir() -> &'static str {
    "dir"
}

/// The corpus app serving the files of `static_folder` at `/static/`
/// (dotfiles and symbolic links out of the folder are `404`).
pub(crate) fn app_with_static(static_folder: impl Into<PathBuf>) -> App {
    App::builder()
        .secret_key(SECRET_KEY)
        .limits(limits())
        .static_folder(static_folder)
        .register(index)
        .register(echo)
        .register(smuggled)
        .register(form)
        .register(upload)
        .register(cookie)
        .register(session)
        .register(go)
        .register(setcookie)
        .register(dir)
        .build()
}

/// The app factory: `static/` of the working directory, nothing else.
pub(crate) fn create_app() -> App {
    app_with_static("static")
}
