//! Uploads: several files per post, safe names, an allow-list of
//! extensions, never overwriting, served back from the upload folder.

use std::fs::OpenOptions;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use carafe::prelude::*;
use carafe::render_template;
use carafe::wrappers::{FileStorage, send_from_directory};
use serde_json::json;

/// Where uploads go (app state).
pub(crate) struct UploadFolder {
    pub(crate) path: PathBuf,
}

/// The extensions accepted. Never `html` or `svg`: a file served back from
/// this site could run scripts in its pages.
const ALLOWED: [&str; 6] = ["png", "jpg", "jpeg", "gif", "txt", "pdf"];

/// The files of the upload folder, sorted.
fn stored(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| !name.starts_with('.'))
        .collect();
    names.sort();
    names
}

fn page(request: &Request, folder: &Path, errors: &[String]) -> Result<Html<String>, Error> {
    render_template(
        request,
        "upload.html",
        &json!({"files": stored(folder), "errors": errors, "allowed": ALLOWED}),
    )
}

#[get("/upload")]
fn upload_form(request: &Request, folder: State<UploadFolder>) -> Result<Html<String>, Error> {
    page(request, &folder.path, &[])
}

/// Saves `file` in `folder` under its safe name, or `name-2.ext`,
/// `name-3.ext`, ... if taken (created exclusively: two uploads of the same
/// name at once cannot overwrite each other).
fn save(file: &FileStorage, folder: &Path) -> std::io::Result<String> {
    let safe = file.secure_filename();
    let (stem, extension) = safe.rsplit_once('.').unwrap_or((&safe, ""));
    for n in 1..1000 {
        let name = match n {
            1 => safe.clone(),
            _ => format!("{stem}-{n}.{extension}"),
        };
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(folder.join(&name))
        {
            Ok(mut target) => {
                std::io::copy(&mut file.reader()?, &mut target)?;
                return Ok(name);
            }
            Err(error) if error.kind() == ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(error),
        }
    }
    Err(std::io::Error::other(format!(
        "too many files named {safe}"
    )))
}

#[post("/upload")]
fn upload(request: &Request, folder: State<UploadFolder>) -> Result<Response, Error> {
    let files = request.files()?;
    let chosen: Vec<&FileStorage> = files
        .get_all("photos")
        .filter(|file| !file.filename().is_empty())
        .collect();
    let mut errors = Vec::new();
    if chosen.is_empty() {
        errors.push("Choose at least one file.".to_owned());
    }
    for file in &chosen {
        let safe = file.secure_filename();
        let extension = safe.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        if safe.is_empty() || !extension.as_deref().is_some_and(|e| ALLOWED.contains(&e)) {
            errors.push(format!(
                "{}: only {} files are accepted.",
                file.filename(),
                ALLOWED.join(", ")
            ));
        }
    }
    if !errors.is_empty() {
        let page = page(request, &folder.path, &errors)?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let mut saved = Vec::new();
    for file in chosen {
        saved.push(save(file, &folder.path)?);
    }
    let title = request
        .form()?
        .get("title")
        .map(|t| t.trim().to_owned())
        .unwrap_or_default();
    let title = if title.is_empty() {
        "Your files".to_owned()
    } else {
        title
    };
    request.flash_category("success", format!("{title}: saved {}.", saved.join(", ")))?;
    Ok(Redirect::see_other(request.url_for(url_for!(upload_form))?).into_response())
}

#[get("/uploads/<path:name>")]
fn uploaded(
    name: String,
    request: &Request,
    folder: State<UploadFolder>,
) -> Result<Response, HttpError> {
    send_from_directory(&folder.path, &name, request)
}

/// `413`: the upload is larger than `max_content_length`, as a page.
pub(crate) fn too_large(
    error: &Error,
    request: &Request,
) -> Result<(StatusCode, Html<String>), Error> {
    let limit = request.limits().max_content_length().unwrap_or_default();
    let detail = error
        .as_http()
        .and_then(|http| http.description())
        .unwrap_or_default();
    let page = render_template(
        request,
        "too_large.html",
        &json!({"limit": limit, "detail": detail}),
    )?;
    Ok((StatusCode::PAYLOAD_TOO_LARGE, page))
}

pub(crate) fn blueprint() -> Blueprint {
    Blueprint::new("upload")
        .register(upload_form)
        .register(upload)
        .register(uploaded)
}
