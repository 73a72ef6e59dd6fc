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

fn app(mut request: Request, spool_like_werkzeug: bool) -> Response {
    if !spool_like_werkzeug {
        // A request's files may keep 2 MiB in memory, so the 1 MiB upload is
        // held in memory as the axum peer holds it. With `BENCH_SPOOL=1` the
        // default 500 KiB applies and the part is spooled to a temporary
        // file, as Werkzeug spools it.
        let limits = request.limits().with_file_memory_threshold(2 << 20);
        request.set_limits(limits);
    }
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
            // Read back whole, as Flask's `len(f.read())`.
            let content = file
                .bytes()
                .map_err(|error| HttpError::internal_server_error().with_source(error))?;
            Response::text(content.len().to_string())
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
    let spool = std::env::var_os("BENCH_SPOOL").is_some();
    let factory = move || move |request| app(request, spool);
    if let Err(error) = run_simple(&bind, factory, Options::default().with_reload(false)) {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}
