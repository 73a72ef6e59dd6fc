//! The bench app: the endpoints of the benchmark spec
//! (`../shared/bench/SPEC.md`) on the App, next to the GitHub route table.

use carafe::cli::BoxError;
use carafe::prelude::*;
use carafe::wrappers::Limits;
use serde::Serialize;

use super::fortunes::Fortunes;
use super::github;

/// The JSON endpoint's body, serialised per request.
#[derive(Serialize)]
struct Message {
    message: &'static str,
}

/// `Hello, World!` as text.
#[get("/plaintext")]
fn plaintext() -> &'static str {
    "Hello, World!"
}

/// `{"message":"Hello, World!"}`.
#[get("/json")]
fn json() -> Json<Message> {
    Json(Message {
        message: "Hello, World!",
    })
}

/// Two URL values, one an `int` (a non-integer id is a `404`).
#[get("/users/<int:id>/posts/<slug>")]
fn user_post(id: i64, slug: String) -> String {
    format!("user {id} post {slug}")
}

/// The fortunes page (templates with inheritance).
#[get("/fortunes")]
fn fortunes(fortunes: State<Fortunes>) -> Result<Html<String>, Error> {
    Ok(Html(fortunes.page()?))
}

/// An urlencoded form: the number of pairs and the decoded `name`.
#[post("/form")]
fn form(request: &Request) -> Result<String, Error> {
    let form = request.form()?;
    let name = form.get("name").map_or("", String::as_str);
    Ok(format!("fields={} name={name}", form.len()))
}

/// A multipart upload: the length of the part `file`, read whole in one go
/// (Flask's `len(f.read())`; a part over the memory threshold, see
/// [`limits`], is spooled to a temporary file and read back here).
#[post("/upload")]
fn upload(files: Files<'_>) -> Result<(StatusCode, String), Error> {
    let Some(file) = files.get("file") else {
        return Ok((StatusCode::BAD_REQUEST, "no file".to_owned()));
    };
    let length = file.bytes()?.len();
    Ok((StatusCode::OK, length.to_string()))
}

/// The request limits: the defaults (Werkzeug's), except that a request's
/// files may keep 2 MiB in memory, so the 1 MiB upload is held in memory as
/// the axum peer holds it (multer's `Field::bytes`). With `spool_like_werkzeug`
/// (`BENCH_SPOOL=1` in the environment) the default 500 KiB applies and the
/// part is spooled to a temporary file, as Werkzeug spools it.
pub(crate) fn limits(spool_like_werkzeug: bool) -> Limits {
    if spool_like_werkzeug {
        Limits::default()
    } else {
        Limits::default().with_file_memory_threshold(2 << 20)
    }
}

/// The app factory: the production server calls it in every worker.
pub(crate) fn create_app() -> Result<App, BoxError> {
    build_app(limits(std::env::var_os("BENCH_SPOOL").is_some()))
}

/// The app with these request limits.
pub(crate) fn build_app(limits: Limits) -> Result<App, BoxError> {
    let app = App::builder()
        .limits(limits)
        .state(Fortunes::load()?)
        .register(plaintext)
        .register(json)
        .register(user_post)
        .register(fortunes)
        .register(form)
        .register(upload);
    Ok(github::register(app).try_build()?)
}
