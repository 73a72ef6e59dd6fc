//! The application the server's tests run: the HTTP-level routes of the
//! attack corpus contract (`../shared/attack-corpus/README.md`, section 1)
//! plus routes that sleep, panic and report the worker's pid.
//!
//! ```sh
//! python3 replay.py --make-fixtures /tmp/corpus
//! TESTAPP_STATIC=/tmp/corpus/static cargo run -p carafe-server --bin carafe-testapp -- --bind 127.0.0.1:8000
//! ```
//!
//! | route | behaviour |
//! |---|---|
//! | `GET\|POST /` | `ok`, never reads the body |
//! | `GET\|POST /echo` | reads the body (`max_content_length` 16 MiB), `len=N`; 413/400 naming the error |
//! | `GET /smuggled` | `SMUGGLED_CANARY` (must never be reached by a corpus file) |
//! | `GET /static/big.bin` | streams `$TESTAPP_STATIC/big.bin` (a reader body) |
//! | `GET /plaintext` | `Hello, World!` |
//! | `GET /sleep?ms=N` | sleeps N ms (default 1000), `slept` |
//! | `GET /panic` | panics (a 500; the worker lives) |
//! | `GET /pid` | `pid=<worker pid>` |
//! | `GET /scheme` | the request's URL scheme (`http`, or `https` behind a trusted proxy) |
//! | `GET /chunks?n=N` | N chunks of `chunk\n` (a streamed body) |
//!
//! Environment: `TESTAPP_BOOT_PANIC=1` makes the app factory panic (a worker
//! that fails to boot); `TESTAPP_DIE_AFTER_MS=N` makes every worker exit N ms
//! after it booted (a crash loop); `TESTAPP_THREAD_BEFORE_RUN=1` starts a
//! thread before `Server::run` (which must refuse to fork).

use std::io::Read;
use std::time::Duration;

use carafe_server::{Server, Settings};
use carafe_wrappers::{Limits, Request, Response, ResponseBody};
use http::StatusCode;

fn query(request: &Request, name: &str) -> Option<u64> {
    request.query_string().split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| value.parse().ok()).flatten()
    })
}

fn app(mut request: Request) -> Response {
    match request.path_info() {
        "/" => Response::text("ok"),
        "/echo" => {
            request.set_limits(Limits::default().with_max_content_length(Some(16 * 1024 * 1024)));
            let mut length = 0u64;
            let mut buffer = vec![0; 64 * 1024];
            loop {
                match request.body_mut().read(&mut buffer) {
                    Ok(0) => break Response::text(format!("len={length}")),
                    Ok(n) => length += n as u64,
                    Err(error) => {
                        let error = carafe_wrappers::BodyError::from_io(error);
                        break Response::text(error.to_string()).with_status(error.status());
                    }
                }
            }
        }
        "/smuggled" => Response::text("SMUGGLED_CANARY"),
        "/static/big.bin" => {
            let dir = std::env::var("TESTAPP_STATIC").unwrap_or_else(|_| "static".to_owned());
            match std::fs::File::open(std::path::Path::new(&dir).join("big.bin")) {
                Ok(file) => {
                    let length = file.metadata().map(|m| m.len()).ok();
                    Response::new(ResponseBody::Reader {
                        reader: Box::new(file),
                        length,
                    })
                }
                Err(_) => Response::text("not found").with_status(StatusCode::NOT_FOUND),
            }
        }
        "/plaintext" => Response::text("Hello, World!"),
        "/sleep" => {
            std::thread::sleep(Duration::from_millis(query(&request, "ms").unwrap_or(1000)));
            Response::text("slept")
        }
        "/panic" => panic!("the /panic route panics"),
        "/pid" => Response::text(format!("pid={}", std::process::id())),
        "/scheme" => Response::text(request.scheme().as_str().to_owned()),
        "/chunks" => {
            let n = query(&request, "n").unwrap_or(3);
            let chunks = (0..n).map(|_| Ok(bytes::Bytes::from_static(b"chunk\n")));
            Response::new(ResponseBody::Chunks(Box::new(chunks)))
        }
        _ => Response::text("not found").with_status(StatusCode::NOT_FOUND),
    }
}

fn factory() -> fn(Request) -> Response {
    if std::env::var_os("TESTAPP_BOOT_PANIC").is_some() {
        panic!("TESTAPP_BOOT_PANIC is set");
    }
    if let Some(ms) = std::env::var("TESTAPP_DIE_AFTER_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
    {
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(ms));
            std::process::exit(1);
        });
    }
    app
}

fn main() {
    if std::env::var_os("TESTAPP_THREAD_BEFORE_RUN").is_some() {
        std::thread::spawn(|| std::thread::sleep(Duration::from_secs(60)));
    }
    let result = Settings::from_args(std::env::args().skip(1))
        .and_then(|settings| Server::new(settings).run(factory));
    if let Err(error) = result {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}
