//! The `tower-service` adapter: a Carafe application as a tower `Service`, so
//! hyper and axum users can serve it.

use std::convert::Infallible;
use std::task::{Context, Poll};

use ::hyper::body::Body as HttpBody;

use super::connection::{Respond, ResponseFuture};
use super::respond::{Started, respond};
use super::{BlockingPool, Executor, Gateway, Peer, ResponseStream};
use crate::Application;

/// A Carafe application as a `tower_service::Service<http::Request<B>>`.
///
/// Each call runs the handler on tokio's blocking pool (the caller's runtime
/// threads are never blocked), streams the request body to it, and answers
/// with a [`ResponseStream`]. A panicking handler is a `500`. Works with any
/// request body type (`hyper::body::Incoming`, `axum::body::Body`, ...); it
/// needs a tokio runtime.
///
/// The protocol is the caller's server's business: head limits, Host rules
/// and timeouts are not applied here (a [`Gateway`] serving its own
/// connections applies them). So is the end of a connection whose request
/// body the handler did not read (a `413` from `max_content_length`, say):
/// hyper's own server closes it at once, and a client still sending the body
/// may see a reset instead of the response.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::hyper::AppService;
/// use carafe_wrappers::{Request, Response};
/// use tower_service::Service;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let mut service = AppService::new(|request: Request| Response::text(request.method().to_string()));
/// let request = http::Request::post("/").body(String::from("ignored")).unwrap();
/// let response = service.call(request).await.unwrap();
/// assert_eq!(response.status(), 200);
/// # });
/// ```
pub struct AppService<A, E = BlockingPool> {
    gateway: Gateway<A, E>,
}

impl<A, E> Clone for AppService<A, E> {
    fn clone(&self) -> Self {
        Self {
            gateway: self.gateway.clone(),
        }
    }
}

impl<A: Application> AppService<A> {
    /// The service for `app`.
    pub fn new(app: A) -> Self {
        Self {
            gateway: Gateway::new(app),
        }
    }
}

impl<A: Application, E: Executor> AppService<A, E> {
    /// The service of a configured gateway (its executor, body buffering and
    /// body rate apply; its access observer too).
    pub fn from_gateway(gateway: Gateway<A, E>) -> Self {
        Self { gateway }
    }
}

impl<A, E, B> tower_service::Service<http::Request<B>> for AppService<A, E>
where
    A: Application,
    E: Executor,
    B: HttpBody + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = http::Response<ResponseStream>;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> ResponseFuture {
        let request = request.map(Box::pin);
        ResponseFuture(
            match respond(&self.gateway.inner, request, Peer::default(), None, false) {
                Started::Ready(response) => Respond::Ready(Some(response)),
                Started::Pending(future) => Respond::Boxed(Box::pin(future)),
            },
        )
    }
}
