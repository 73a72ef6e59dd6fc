//! The application the development server's tests run as a real process:
//! the routes of the attack corpus contract
//! (`../shared/attack-corpus/README.md`, section 1) that the toolkit can
//! express without the App (no signed sessions), plus routes to observe the
//! server.
//!
//! ```sh
//! python3 replay.py --make-fixtures /tmp/corpus
//! TESTAPP_STATIC=/tmp/corpus/static cargo run -p carafe-devserver --bin carafe-devserver-testapp -- --bind 127.0.0.1:5000
//! ```
//!
//! | route | behaviour |
//! |---|---|
//! | `GET\|POST /` | `ok`, never reads the body |
//! | `GET\|POST /echo` | reads the body (`max_content_length` 16 MiB), `len=N`; 413/400 naming the error |
//! | `GET /smuggled` | `SMUGGLED_CANARY` (must never be reached by a corpus file) |
//! | `POST /form` | urlencoded form (16 MiB), `fields=N` |
//! | `POST /upload` | multipart form (16 MiB), `parts=N` and `names=` the secure file names |
//! | `GET /cookie?name=N` | the cookie's value, `404` if absent |
//! | `GET /go?next=U` | `303` to `U` if it is a safe redirect, else to `/` |
//! | `GET /setcookie?v=V` | sets cookie `c=V`, `set` |
//! | `GET /dir/` | `dir` (`/dir` redirects there with `308`) |
//! | `GET /static/<path>` | the dev server's static files from `$TESTAPP_STATIC` |
//! | `GET /plaintext`, `GET /json` | the benchmark's bodies |
//! | `GET\|POST /sleep?ms=N` | reads any body, sleeps N ms (default 200), `slept`; counts handlers running at once |
//! | `GET /concurrency` | `max=N`: the most handlers seen running at once |
//! | `GET\|POST /panic` | panics (after reading 10 bytes of a body) |
//! | `GET /pid` | `pid=<process id>` |
//!
//! Arguments: `--bind ADDRESS` (default `127.0.0.1:5000`), `--reload`
//! (off by default: this binary is part of the workspace's own crate).
//! `TESTAPP_NOFILE=N` lowers the open-files limit (soft and hard) to N first.

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use carafe_devserver::{Options, run_simple};
use carafe_wrappers::{
    BodyError, HttpError, Limits, Request, Response, SetCookie, is_safe_redirect,
};
use http::StatusCode;

static RUNNING: AtomicUsize = AtomicUsize::new(0);
static MOST: AtomicUsize = AtomicUsize::new(0);

const MIB16: u64 = 16 * 1024 * 1024;

fn query(request: &Request, name: &str) -> Option<String> {
    request.args().ok().and_then(|args| args.get(name).cloned())
}

fn limits() -> Limits {
    Limits::default().with_max_content_length(Some(MIB16))
}

fn app(request: Request) -> Response {
    route(request).unwrap_or_else(HttpError::into_page)
}

fn route(mut request: Request) -> Result<Response, HttpError> {
    let path = request.path_info().to_owned();
    Ok(match path.as_str() {
        "/" => Response::text("ok"),
        "/echo" => {
            request.set_limits(limits());
            let mut length = 0u64;
            let mut buffer = vec![0; 64 * 1024];
            loop {
                match request.body_mut().read(&mut buffer) {
                    Ok(0) => break Response::text(format!("len={length}")),
                    Ok(n) => length += n as u64,
                    Err(error) => {
                        let error = BodyError::from_io(error);
                        break Response::text(error.to_string()).with_status(error.status());
                    }
                }
            }
        }
        "/smuggled" => Response::text("SMUGGLED_CANARY"),
        "/form" => {
            request.set_limits(limits());
            let form = request.form()?;
            Response::text(format!("fields={}", form.len()))
        }
        "/upload" => {
            request.set_limits(limits());
            let parts = request.form()?.len() + request.files()?.len();
            let names: Vec<String> = request
                .files()?
                .iter()
                .map(|(_, file)| file.secure_filename())
                .collect();
            Response::text(format!("parts={parts}\nnames={}", names.join(",")))
        }
        "/cookie" => {
            let name = query(&request, "name").unwrap_or_default();
            match request.cookies()?.get(&name) {
                Some(value) => Response::text(value.to_owned()),
                None => Response::text("no such cookie").with_status(StatusCode::NOT_FOUND),
            }
        }
        "/go" => {
            let next = query(&request, "next").unwrap_or_default();
            Response::redirect(if is_safe_redirect(&next) { &next } else { "/" })?
        }
        "/setcookie" => {
            let mut response = Response::text("set");
            response.set_cookie(SetCookie::new(
                "c",
                query(&request, "v").unwrap_or_default(),
            ))?;
            response
        }
        "/dir" => Response::redirect_with_status("/dir/", StatusCode::PERMANENT_REDIRECT)?,
        "/dir/" => Response::text("dir"),
        "/plaintext" => Response::text("Hello, World!"),
        "/json" => Response::json(&serde_json::json!({"message": "Hello, World!"})),
        "/sleep" => {
            let running = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
            MOST.fetch_max(running, Ordering::SeqCst);
            let ms = query(&request, "ms")
                .and_then(|ms| ms.parse().ok())
                .unwrap_or(200);
            // A body is read to its end (while counted as running).
            let read = std::io::copy(request.body_mut(), &mut std::io::sink());
            std::thread::sleep(Duration::from_millis(ms));
            RUNNING.fetch_sub(1, Ordering::SeqCst);
            read.map_err(|error| HttpError::bad_request().with_source(error))?;
            Response::text("slept")
        }
        "/concurrency" => Response::text(format!("max={}", MOST.load(Ordering::SeqCst))),
        "/panic" => {
            let mut start = [0; 10];
            let _ = request.body_mut().read(&mut start);
            panic!("the /panic route panics");
        }
        "/pid" => Response::text(format!("pid={}", std::process::id())),
        _ => return Err(HttpError::not_found()),
    })
}

fn main() {
    if let Some(limit) = std::env::var("TESTAPP_NOFILE")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE, limit, limit)
            .expect("lower the open-files limit");
    }
    let mut bind = "127.0.0.1:5000".to_owned();
    let mut reload = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--bind" => bind = args.next().expect("--bind ADDRESS"),
            "--reload" => reload = true,
            other => panic!("unknown argument {other}"),
        }
    }
    let mut options = Options::default().with_reload(reload);
    if let Ok(dir) = std::env::var("TESTAPP_STATIC") {
        options = options.with_static_files("/static", dir);
    }
    if let Err(error) = run_simple(&bind, || app, options) {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}
