//! The gateway: an application, where its handlers run, and how a hyper
//! request becomes a [`Request`] and a [`Response`] a hyper response
//! (answering is in `respond.rs`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use http::StatusCode;
use http::header::{CONNECTION, CONTENT_LENGTH, HeaderValue};
use http::request::Parts;
use http::uri::Scheme;

use super::access::{AccessObserver, LogStart};
use super::connection::ConnState;
use super::dispatch::{BlockingPool, Executor};
use super::{GatewayConfig, ResponseStream};
use crate::{Application, Body, Request, Response};

/// What a gateway knows about the peer of a connection.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::hyper::Peer;
///
/// let peer = Peer::new(Some("127.0.0.1:4000".parse().unwrap())).trusted(true);
/// assert!(peer.is_trusted());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Peer {
    remote_addr: Option<SocketAddr>,
    trusted: bool,
}

impl Peer {
    /// A peer at `remote_addr` (`None` for a Unix socket), not trusted.
    pub fn new(remote_addr: Option<SocketAddr>) -> Self {
        Self {
            remote_addr,
            trusted: false,
        }
    }

    /// Returns this peer marked as a trusted proxy (gunicorn's
    /// `forwarded_allow_ips`): its secure-scheme headers are believed.
    #[must_use]
    pub fn trusted(mut self, trusted: bool) -> Self {
        self.trusted = trusted;
        self
    }

    /// The peer's address.
    pub fn remote_addr(&self) -> Option<SocketAddr> {
        self.remote_addr
    }

    /// Whether the peer is a trusted proxy.
    pub fn is_trusted(&self) -> bool {
        self.trusted
    }
}

pub(crate) struct Inner<A, E> {
    pub(crate) app: A,
    pub(crate) executor: E,
    pub(crate) config: GatewayConfig,
    pub(crate) observer: Option<AccessObserver>,
    /// Bytes reserved by bodies being read ahead (`buffer_body_total`).
    pub(crate) buffered: Arc<AtomicUsize>,
}

/// A Carafe application ready to be served by hyper: the application, the
/// [`Executor`] that decides where its handlers run, and a [`GatewayConfig`].
///
/// Cheap to clone (one `Arc`). Serve connections with
/// [`serve_connection`](Self::serve_connection).
///
/// # Examples
///
/// ```
/// use carafe_wrappers::hyper::{Gateway, GatewayConfig, InlineWhenBuffered};
/// use carafe_wrappers::{Request, Response};
///
/// let gateway = Gateway::new(|_: Request| Response::text("hi"))
///     .with_executor(InlineWhenBuffered)
///     .with_config(GatewayConfig::default());
/// assert_eq!(gateway.config().keepalive(), Some(std::time::Duration::from_secs(2)));
/// ```
pub struct Gateway<A, E = BlockingPool> {
    pub(crate) inner: Arc<Inner<A, E>>,
}

impl<A, E> Clone for Gateway<A, E> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<A: Application> Gateway<A, BlockingPool> {
    /// A gateway for `app`, with handlers on tokio's blocking pool and the
    /// default configuration.
    pub fn new(app: A) -> Self {
        Self {
            inner: Arc::new(Inner {
                app,
                executor: BlockingPool,
                config: GatewayConfig::default(),
                observer: None,
                buffered: Arc::default(),
            }),
        }
    }
}

impl<A: Application, E: Executor> Gateway<A, E> {
    fn rebuild<E2>(self, f: impl FnOnce(Inner<A, E>) -> Inner<A, E2>) -> Gateway<A, E2> {
        let Ok(inner) = Arc::try_unwrap(self.inner) else {
            panic!("configure a Gateway before cloning it")
        };
        Gateway {
            inner: Arc::new(f(inner)),
        }
    }

    /// Returns this gateway with handlers run by `executor`.
    ///
    /// # Panics
    ///
    /// When the gateway was already cloned.
    #[must_use]
    pub fn with_executor<E2: Executor>(self, executor: E2) -> Gateway<A, E2> {
        self.rebuild(|inner| Inner {
            app: inner.app,
            executor,
            config: inner.config,
            observer: inner.observer,
            buffered: inner.buffered,
        })
    }

    /// Returns this gateway with `config`.
    ///
    /// # Panics
    ///
    /// When the gateway was already cloned.
    #[must_use]
    pub fn with_config(self, config: GatewayConfig) -> Self {
        self.rebuild(|inner| Inner { config, ..inner })
    }

    /// Returns this gateway reporting every finished request to `observer`.
    ///
    /// # Panics
    ///
    /// When the gateway was already cloned.
    #[must_use]
    pub fn with_access_observer(self, observer: AccessObserver) -> Self {
        self.rebuild(|inner| Inner {
            observer: Some(observer),
            ..inner
        })
    }

    /// The configuration.
    pub fn config(&self) -> &GatewayConfig {
        &self.inner.config
    }

    /// The application.
    pub fn app(&self) -> &A {
        &self.inner.app
    }

    /// The executor.
    pub fn executor(&self) -> &E {
        &self.inner.executor
    }
}

impl<A: Application, E: Executor> Inner<A, E> {
    pub(crate) fn build_request(&self, head: Parts, body: Body, peer: &Peer) -> Request {
        // One pass over the names present (a handful) instead of a hash
        // lookup per configured name.
        let wanted = self.config.secure_scheme_names();
        let secure = peer.trusted
            && !wanted.is_empty()
            && head.headers.keys().any(|present| {
                wanted.iter().any(|(name, value)| {
                    name == present
                        && head.headers.get(name).is_some_and(|found| {
                            found.as_bytes().eq_ignore_ascii_case(value.as_bytes())
                        })
                })
            });
        let mut request = Request::from_parts(head, body);
        request.set_remote_addr(peer.remote_addr);
        if secure {
            request.set_scheme(Scheme::HTTPS);
        }
        request
    }

    /// The hyper response for `response`, with the bookkeeping attached.
    ///
    /// hyper frames the response: no body for HEAD, 1xx, 204 and 304 (and
    /// no `Content-Length` for 204 and 304); `Content-Length` from the body's
    /// exact size. What it cannot know is the length of the GET when a HEAD
    /// handler gave an empty body: the body's length then goes into
    /// `Content-Length` here ([`Response::prepare_for`] does the same, for
    /// an application that calls it).
    pub(crate) fn finish(
        self: &Arc<Self>,
        response: Response,
        head_request: bool,
        conn: Option<&Arc<ConnState>>,
        log: Option<LogStart>,
    ) -> http::Response<ResponseStream> {
        let (mut head, body) = response.into_parts();
        if head_request
            && !head.headers.contains_key(CONTENT_LENGTH)
            && !head.status.is_informational()
            && head.status != StatusCode::NO_CONTENT
            && head.status != StatusCode::NOT_MODIFIED
            && let Some(length) = body.length()
        {
            head.headers
                .insert(CONTENT_LENGTH, HeaderValue::from(length));
        }
        if conn.is_some_and(|conn| conn.draining()) {
            // The server is stopping: this is the connection's last response.
            head.headers
                .insert(CONNECTION, HeaderValue::from_static("close"));
        }
        let mut stream = ResponseStream::new(body);
        if stream.is_streaming() {
            let inner = Arc::clone(self);
            stream = stream.with_spawner(Arc::new(move |job| inner.executor.spawn(job)));
        }
        if let Some(conn) = conn {
            stream = stream.with_conn(Arc::clone(conn));
        }
        if let (Some(log), Some(observer)) = (log, &self.observer) {
            let observer = Arc::clone(observer);
            let status = head.status;
            stream = stream.with_on_complete(Box::new(move |bytes, complete| {
                observer(log.record(status, bytes, complete));
            }));
        }
        http::Response::from_parts(head, stream)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scheme_of(config: GatewayConfig, trusted: bool, headers: &[(&str, &str)]) -> String {
        let gateway = Gateway::new(|_: Request| Response::text("")).with_config(config);
        let mut builder = http::Request::get("/");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let (head, ()) = builder.body(()).unwrap().into_parts();
        let peer = Peer::new(None).trusted(trusted);
        let request = gateway.inner.build_request(head, Body::empty(), &peer);
        request.scheme().to_string()
    }

    #[test]
    fn secure_scheme_headers_count_from_trusted_peers_with_the_configured_value() {
        let default = GatewayConfig::default;
        let proto = [("Host", "x"), ("X-Forwarded-Proto", "HTTPS")];
        assert_eq!(scheme_of(default(), true, &proto), "https");
        assert_eq!(scheme_of(default(), false, &proto), "http");
        let ssl = [("x-forwarded-ssl", "on"), ("accept", "*/*")];
        assert_eq!(scheme_of(default(), true, &ssl), "https");
        let wrong = [("X-Forwarded-Proto", "http"), ("X-Forwarded-Ssl", "off")];
        assert_eq!(scheme_of(default(), true, &wrong), "http");
        assert_eq!(scheme_of(default(), true, &[]), "http");
        let custom = || {
            default().with_secure_scheme_headers(vec![
                ("X-Scheme".to_owned(), "https".to_owned()),
                ("not a name".to_owned(), "x".to_owned()),
            ])
        };
        assert_eq!(scheme_of(custom(), true, &[("x-scheme", "https")]), "https");
        assert_eq!(scheme_of(custom(), true, &proto), "http");
        let none = default().with_secure_scheme_headers(Vec::new());
        assert_eq!(scheme_of(none, true, &proto), "http");
    }
}
