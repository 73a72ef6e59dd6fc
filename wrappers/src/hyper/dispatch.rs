//! Where handlers run, and running one with its panics caught.

use std::panic::{AssertUnwindSafe, catch_unwind};

use http::StatusCode;
use http::header::{CONNECTION, CONTENT_TYPE, HeaderValue};

use crate::{Application, Request, Response};

/// A handler call ready to run on a thread where blocking is allowed.
pub type Job = Box<dyn FnOnce() + Send + 'static>;

/// Decides where handlers run: on the runtime thread that parsed the request
/// ("inline"), or on a thread where blocking is allowed.
///
/// Handlers are blocking code. Running one inline saves two thread hand-offs
/// per request but holds that runtime thread (and whatever else it would
/// have polled) for as long as the handler runs; a handler whose request body
/// is still arriving never runs inline (the connection's task must keep
/// reading it).
///
/// # Examples
///
/// ```
/// use carafe_wrappers::hyper::{Executor, Job};
///
/// /// Every handler on a fresh OS thread (a toy).
/// struct ThreadPerRequest;
/// impl Executor for ThreadPerRequest {
///     fn spawn(&self, job: Job) {
///         std::thread::spawn(job);
///     }
/// }
/// assert!(!ThreadPerRequest.run_inline(&carafe_wrappers::Request::get("/")));
/// ```
pub trait Executor: Send + Sync + 'static {
    /// Runs `job` on a thread where blocking is allowed.
    fn spawn(&self, job: Job);

    /// Whether the handler for `request`, whose body is already in memory,
    /// may run on the calling runtime thread. Default: never.
    fn run_inline(&self, request: &Request) -> bool {
        let _ = request;
        false
    }
}

/// Every handler on tokio's blocking pool (`spawn_blocking`): what the
/// `tower-service` adapter uses, since it runs inside someone else's runtime.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::hyper::{BlockingPool, Executor};
///
/// assert!(!BlockingPool.run_inline(&carafe_wrappers::Request::get("/")));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct BlockingPool;

impl Executor for BlockingPool {
    fn spawn(&self, job: Job) {
        drop(tokio::task::spawn_blocking(job));
    }
}

/// Handlers whose body is in memory run inline, the others on tokio's
/// blocking pool: right for a server that handles one request at a time
/// (the development server).
///
/// # Examples
///
/// ```
/// use carafe_wrappers::hyper::{Executor, InlineWhenBuffered};
///
/// assert!(InlineWhenBuffered.run_inline(&carafe_wrappers::Request::get("/")));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct InlineWhenBuffered;

impl Executor for InlineWhenBuffered {
    fn spawn(&self, job: Job) {
        drop(tokio::task::spawn_blocking(job));
    }

    fn run_inline(&self, _: &Request) -> bool {
        true
    }
}

/// Calls `app` with `request`; a panic becomes a `500 Internal Server Error`
/// (the connection is closed after it, since the request body may be half
/// read). The panic message goes through the panic hook (stderr by default).
///
/// # Examples
///
/// ```
/// use carafe_wrappers::hyper::call_app;
/// use carafe_wrappers::{Request, Response};
///
/// let app = |_: Request| -> Response { panic!("boom") };
/// let response = call_app(&app, Request::get("/"));
/// assert_eq!(response.status(), 500);
/// assert_eq!(response.headers()["connection"], "close");
/// ```
pub fn call_app<A: Application + ?Sized>(app: &A, request: Request) -> Response {
    match catch_unwind(AssertUnwindSafe(|| app.handle(request))) {
        Ok(response) => response,
        Err(_) => internal_error(),
    }
}

fn internal_error() -> Response {
    let mut response = Response::text("500 Internal Server Error: the handler panicked\n")
        .with_status(StatusCode::INTERNAL_SERVER_ERROR);
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

/// A plain-text error response that closes the connection, naming what
/// failed (protocol errors, limits).
///
/// # Examples
///
/// ```
/// use carafe_wrappers::hyper::error_response;
/// use http::StatusCode;
///
/// let response = error_response(StatusCode::URI_TOO_LONG, "request line is too long");
/// assert_eq!(response.status(), 414);
/// assert_eq!(response.headers()["connection"], "close");
/// ```
pub fn error_response(status: StatusCode, message: &str) -> Response {
    let reason = status.canonical_reason().unwrap_or("Error");
    let mut response =
        Response::text(format!("{} {reason}: {message}\n", status.as_u16())).with_status(status);
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(CONNECTION, HeaderValue::from_static("close"));
    response
}
