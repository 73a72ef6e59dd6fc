//! The benchmark endpoints of `../shared/bench/SPEC.md` that need only the
//! toolkit (plaintext, json, form, upload) on the development server, for
//! `../shared/bench/run.sh` (see `devserver/bench/run.sh`, which runs it
//! beside the raw tiny_http peer and Werkzeug's dev server).
//!
//! ```sh
//! cargo run --release -p carafe-devserver --example devserver_bench -- dev --no-reload --bind 127.0.0.1:8080
//! curl http://127.0.0.1:8080/plaintext
//! ```
//!
//! The request log stays on, as in real use (Werkzeug's dev server logs
//! every request too).

use carafe_devserver::{Options, run_simple};
use carafe_wrappers::{HttpError, Request, Response, ResponseBody};
use serde::Serialize;

#[derive(Serialize)]
struct Message {
    message: &'static str,
}

fn app(request: Request) -> Response {
    route(&request).unwrap_or_else(|error| error.into_response_for(&request))
}

fn route(request: &Request) -> Result<Response, HttpError> {
    Ok(match request.path_info() {
        "/plaintext" => Response::text("Hello, World!"),
        "/json" => {
            // SPEC.md: no trailing newline (`Response::json` adds one, as Flask's jsonify).
            let body = serde_json::to_vec(&Message {
                message: "Hello, World!",
            })
            .map_err(|error| HttpError::internal_server_error().with_source(error))?;
            Response::new(ResponseBody::Bytes(body.into())).with_header(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            )
        }
        "/form" => {
            let form = request.form()?;
            let name = form.get("name").map_or("", String::as_str);
            Response::text(format!("fields={} name={name}", form.len()))
        }
        "/upload" => {
            let files = request.files()?;
            let file = files.get("file").ok_or_else(HttpError::bad_request)?;
            Response::text(file.size().to_string())
        }
        _ => return Err(HttpError::not_found()),
    })
}

fn main() {
    // `dev --no-reload --bind ADDRESS`, as SPEC.md starts the project's
    // dev server (`dev` and `--no-reload` are accepted and implied).
    let mut bind = "127.0.0.1:8080".to_owned();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--bind" => bind = args.next().expect("--bind ADDRESS"),
            "dev" | "--no-reload" => {}
            other => {
                eprintln!(
                    "unknown argument {other}; usage: devserver_bench [dev --no-reload] --bind ADDRESS"
                );
                std::process::exit(2);
            }
        }
    }
    if let Err(error) = run_simple(&bind, || app, Options::default().with_reload(false)) {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}
