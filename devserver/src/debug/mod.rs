//! The debug page: a panic in a handler becomes a `500` page with the
//! panic message, the backtrace (the application's own frames highlighted,
//! with their source lines) and the request.

mod capture;
pub(crate) mod frames;
mod page;
mod snapshot;

use carafe_wrappers::{Application, HttpError, Request, Response};
use http::StatusCode;
use http::header::{CONNECTION, HeaderValue};

use self::frames::AppContext;
use self::snapshot::Snapshot;

/// Catches panics of the application it wraps and answers them with a
/// `500`: the debug page for clients on this machine (a loopback address)
/// when the debugger is on, Werkzeug's generic "Internal Server Error" page
/// for everyone else. The connection is closed after it; the server goes on.
///
/// The debugger is on by default in debug builds and cannot be turned on in
/// release builds (`cfg(debug_assertions)`). The page shows the panic
/// message and location, the backtrace with the frames of the application's
/// crates highlighted and the source lines around them, and the request
/// (method, URL, headers, query and form field names — never form values).
/// It has no console and runs nothing.
///
/// The application's crates are named by the reloader, or else taken from
/// `CARGO_PKG_NAME` (set by `cargo run`) and the executable's name.
///
/// # Examples
///
/// ```
/// use carafe_devserver::DebugPage;
/// use carafe_wrappers::test::Client;
/// use carafe_wrappers::{Request, Response};
///
/// let client = Client::new(DebugPage::new(|_: Request| -> Response {
///     panic!("the database is gone")
/// }));
///
/// let page = client.get("/").remote_addr("127.0.0.1:50000".parse().unwrap()).send();
/// assert_eq!(page.status(), 500);
/// # #[cfg(debug_assertions)]
/// assert!(page.text().contains("the database is gone"));
///
/// let generic = client.get("/").remote_addr("203.0.113.9:50000".parse().unwrap()).send();
/// assert_eq!(generic.status(), 500);
/// assert!(generic.text().contains("Internal Server Error"));
/// assert!(!generic.text().contains("database"));
/// ```
#[derive(Debug)]
pub struct DebugPage<A> {
    app: A,
    debugger: bool,
    context: AppContext,
}

impl<A: Application> DebugPage<A> {
    /// Wraps `app`, with the debugger on in debug builds.
    pub fn new(app: A) -> Self {
        Self {
            app,
            debugger: cfg!(debug_assertions),
            context: AppContext::from_env(),
        }
    }

    /// Returns this middleware with the debugger on or off (off in release
    /// builds whatever is asked: then every panic gets the generic page).
    #[must_use]
    pub fn with_debugger(mut self, debugger: bool) -> Self {
        self.debugger = debugger && cfg!(debug_assertions);
        self
    }

    /// Whether the debug page is shown to loopback clients.
    pub fn debugger(&self) -> bool {
        self.debugger
    }
}

fn generic_error() -> Response {
    let mut response = HttpError::internal_server_error().into_page();
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

impl<A: Application> Application for DebugPage<A> {
    fn handle(&self, mut request: Request) -> Response {
        let local = request
            .remote_addr()
            .is_some_and(|address| address.ip().is_loopback());
        if !(self.debugger && local) {
            return capture::catch(|| self.app.handle(request)).unwrap_or_else(|_| generic_error());
        }
        let snapshot = Snapshot::take(&mut request);
        match capture::catch(|| self.app.handle(request)) {
            Ok(response) => response,
            Err(mut panic) => {
                let frames = panic
                    .backtrace
                    .take()
                    .map(|backtrace| frames::frames(backtrace, &self.context))
                    .unwrap_or_default();
                let html = page::render(&panic, &frames, &snapshot, &self.context);
                crate::html::response(StatusCode::INTERNAL_SERVER_ERROR, html)
            }
        }
    }
}
