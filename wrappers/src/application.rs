//! The gateway trait: the WSGI of Carafe.

use std::sync::Arc;

use crate::{Request, Response};

/// Request in, response out: what every server calls and every app, middleware
/// and framework implements (WSGI's application callable).
///
/// Handlers are blocking code; concurrency is the server's job. A plain closure
/// `Fn(Request) -> Response` is an application. Middleware is a value that wraps
/// another application and implements this trait itself.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::{Application, Request, Response};
///
/// let app = |request: Request| Response::text(format!("hello from {}", request.path_info()));
/// let response = app.handle(Request::get("/world"));
/// assert_eq!(response.status(), 200);
///
/// // Middleware: wraps an application and is one itself.
/// struct PoweredBy<A>(A);
/// impl<A: Application> Application for PoweredBy<A> {
///     fn handle(&self, request: Request) -> Response {
///         let mut response = self.0.handle(request);
///         response.headers_mut().insert("x-powered-by", "carafe".parse().unwrap());
///         response
///     }
/// }
/// let wrapped = PoweredBy(app);
/// assert_eq!(wrapped.handle(Request::get("/")).headers()["x-powered-by"], "carafe");
/// ```
pub trait Application: Send + Sync + 'static {
    /// Answers one request.
    fn handle(&self, request: Request) -> Response;
}

impl<F> Application for F
where
    F: Fn(Request) -> Response + Send + Sync + 'static,
{
    fn handle(&self, request: Request) -> Response {
        self(request)
    }
}

impl Application for Arc<dyn Application> {
    fn handle(&self, request: Request) -> Response {
        (**self).handle(request)
    }
}

impl Application for Box<dyn Application> {
    fn handle(&self, request: Request) -> Response {
        (**self).handle(request)
    }
}
