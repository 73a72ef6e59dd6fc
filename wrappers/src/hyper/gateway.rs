//! The gateway: an application, where its handlers run, and how a hyper
//! request becomes a [`Request`] and a [`Response`] a hyper response.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use ::hyper::body::{Body as HttpBody, Bytes};
use http::header::{CONNECTION, EXPECT, HeaderValue, REFERER, USER_AGENT};
use http::request::Parts;
use http::uri::Scheme;
use http::{Method, StatusCode, Uri, Version};

use super::connection::ConnState;
use super::dispatch::{BlockingPool, Executor, call_app, error_response};
use super::request_body::{BodyPump, Collected, RateGuard, Source, bridge, collect};
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

/// One finished request, for an access log.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AccessRecord {
    /// The client address (`None` on a Unix socket).
    pub remote_addr: Option<SocketAddr>,
    /// The request method.
    pub method: Method,
    /// The request target, as sent.
    pub uri: Uri,
    /// The HTTP version.
    pub version: Version,
    /// The response status.
    pub status: StatusCode,
    /// Body bytes sent.
    pub bytes: u64,
    /// The `Referer` header.
    pub referer: Option<HeaderValue>,
    /// The `User-Agent` header.
    pub user_agent: Option<HeaderValue>,
    /// When the request head was received.
    pub started: SystemTime,
    /// From the request head to the end of the response body.
    pub duration: Duration,
    /// Whether the whole response was sent.
    pub complete: bool,
}

impl AccessRecord {
    /// A record for a request with `head`, answered with `status` and `bytes`
    /// of body, received at `started` (complete, zero duration): for access
    /// log formatters and their tests.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::hyper::AccessRecord;
    ///
    /// let (head, ()) = http::Request::get("/").body(()).unwrap().into_parts();
    /// let record = AccessRecord::new(None, &head, http::StatusCode::OK, 2, std::time::SystemTime::now());
    /// assert_eq!(record.bytes, 2);
    /// ```
    pub fn new(
        remote_addr: Option<SocketAddr>,
        head: &Parts,
        status: StatusCode,
        bytes: u64,
        started: SystemTime,
    ) -> Self {
        Self {
            remote_addr,
            method: head.method.clone(),
            uri: head.uri.clone(),
            version: head.version,
            status,
            bytes,
            referer: head.headers.get(REFERER).cloned(),
            user_agent: head.headers.get(USER_AGENT).cloned(),
            started,
            duration: Duration::ZERO,
            complete: true,
        }
    }
}

/// Receives an [`AccessRecord`] for every request.
pub type AccessObserver = Arc<dyn Fn(AccessRecord) + Send + Sync>;

pub(crate) struct Inner<A, E> {
    pub(crate) app: A,
    pub(crate) executor: E,
    pub(crate) config: GatewayConfig,
    pub(crate) observer: Option<AccessObserver>,
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

/// How the body of a request reaches the handler.
enum Plan {
    Empty,
    Buffer,
    Stream(Option<u64>),
}

fn plan<B: HttpBody>(head: &Parts, body: &B, config: &GatewayConfig) -> Plan {
    if body.is_end_stream() {
        return Plan::Empty;
    }
    let length = body.size_hint().exact();
    let expects_continue = head
        .headers
        .get(EXPECT)
        .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    match length {
        Some(0) => Plan::Empty,
        Some(length) if !expects_continue && length <= config.buffer_body() as u64 => Plan::Buffer,
        None if !expects_continue && config.buffer_body() > 0 => Plan::Buffer,
        length => Plan::Stream(length),
    }
}

impl<A: Application, E: Executor> Inner<A, E> {
    fn build_request(&self, head: Parts, body: Body, peer: &Peer) -> Request {
        let secure = peer.trusted
            && self
                .config
                .secure_scheme_headers()
                .iter()
                .any(|(name, value)| {
                    head.headers.get(name.as_str()).is_some_and(|found| {
                        found.as_bytes().eq_ignore_ascii_case(value.as_bytes())
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
    fn finish(
        self: &Arc<Self>,
        response: Response,
        conn: Option<&Arc<ConnState>>,
        log: Option<LogStart>,
    ) -> http::Response<ResponseStream> {
        let (mut head, body) = response.into_parts();
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
        let conn = conn.cloned();
        match (log, &self.observer) {
            (Some(log), Some(observer)) => {
                let observer = Arc::clone(observer);
                let status = head.status;
                stream = stream.with_on_complete(Box::new(move |bytes, complete| {
                    if let Some(conn) = conn {
                        conn.end_request();
                    }
                    observer(log.record(status, bytes, complete));
                }));
            }
            _ => {
                if let Some(conn) = conn {
                    stream = stream.with_on_complete(Box::new(move |_, _| conn.end_request()));
                }
            }
        }
        http::Response::from_parts(head, stream)
    }
}

/// What the access log needs from the request, taken before the handler
/// consumes it.
struct LogStart {
    remote_addr: Option<SocketAddr>,
    method: Method,
    uri: Uri,
    version: Version,
    referer: Option<HeaderValue>,
    user_agent: Option<HeaderValue>,
    started: SystemTime,
    clock: Instant,
}

impl LogStart {
    fn new(head: &Parts, peer: &Peer) -> Self {
        Self {
            remote_addr: peer.remote_addr,
            method: head.method.clone(),
            uri: head.uri.clone(),
            version: head.version,
            referer: head.headers.get(REFERER).cloned(),
            user_agent: head.headers.get(USER_AGENT).cloned(),
            started: SystemTime::now(),
            clock: Instant::now(),
        }
    }

    fn record(self, status: StatusCode, bytes: u64, complete: bool) -> AccessRecord {
        AccessRecord {
            remote_addr: self.remote_addr,
            method: self.method,
            uri: self.uri,
            version: self.version,
            status,
            bytes,
            referer: self.referer,
            user_agent: self.user_agent,
            started: self.started,
            duration: self.clock.elapsed(),
            complete,
        }
    }
}

/// What is left after [`respond`]'s synchronous part.
#[allow(clippy::large_enum_variant)] // one value per request, moved once: boxing would cost more
enum Work<B> {
    /// A request without a body, for a handler that does not run inline.
    Ready(Request),
    /// A request whose body must be read or streamed first.
    Body(Parts, B, Plan),
}

/// The outcome of [`respond`]'s synchronous part.
pub(crate) enum Started<F> {
    /// The response is ready (a protocol error, or an inline handler).
    Ready(http::Response<ResponseStream>),
    /// The rest needs the network or another thread.
    Pending(F),
}

/// Answers one request: the synchronous part runs the head checks and, when
/// the body is empty and the executor allows it, the handler inline; the rest
/// (collecting or streaming the body, a handler on another thread) is
/// returned as a future.
pub(crate) fn respond<A, E, B>(
    inner: &Arc<Inner<A, E>>,
    request: http::Request<B>,
    peer: Peer,
    conn: Option<&Arc<ConnState>>,
    check_head: bool,
) -> Started<
    impl Future<Output = Result<http::Response<ResponseStream>, Infallible>> + Send + 'static,
>
where
    A: Application,
    E: Executor,
    B: HttpBody + Send + Unpin + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let (head, body) = request.into_parts();
    if let Some(conn) = conn {
        conn.begin_request();
    }
    let log = inner.observer.as_ref().map(|_| LogStart::new(&head, &peer));
    if check_head && let Err(error) = super::check_head(&head, inner.config.head_limits()) {
        let response = error_response(error.status(), &error.to_string());
        return Started::Ready(inner.finish(response, conn, log));
    }
    let plan = plan(&head, &body, &inner.config);
    let work = if matches!(plan, Plan::Empty) {
        let request = inner.build_request(head, Body::empty(), &peer);
        if inner.executor.run_inline(&request) {
            let response = call_app(&inner.app, request);
            return Started::Ready(inner.finish(response, conn, log));
        }
        Work::Ready(request)
    } else {
        Work::Body(head, body, plan)
    };
    let inner = Arc::clone(inner);
    let conn = conn.cloned();
    Started::Pending(async move {
        let config = &inner.config;
        let (head, body, plan) = match work {
            Work::Ready(request) => {
                let response = offload(&inner, request, None::<BodyPump<B>>).await;
                return Ok(inner.finish(response, conn.as_ref(), log));
            }
            Work::Body(head, body, plan) => (head, body, plan),
        };
        let guard = RateGuard::new(config.body_min_rate(), config.body_rate_grace());
        let (body, pump) = match plan {
            Plan::Empty => (Body::empty(), None),
            Plan::Buffer => match collect(body, config.buffer_body(), guard).await {
                Ok(Collected::Complete(bytes)) => (Body::from(bytes), None),
                Ok(Collected::Partial(prefix, rest, guard)) => {
                    let (reader, pump) = bridge(prefix, rest, guard);
                    (Body::from_reader(reader, None), Some(pump))
                }
                Err(error) => {
                    let status = match error.kind() {
                        std::io::ErrorKind::TimedOut => StatusCode::REQUEST_TIMEOUT,
                        _ => StatusCode::BAD_REQUEST,
                    };
                    let response = error_response(status, &error.to_string());
                    return Ok(inner.finish(response, conn.as_ref(), log));
                }
            },
            Plan::Stream(length) => {
                let (reader, pump) = bridge(Bytes::new(), body, guard);
                (Body::from_reader(reader, length), Some(pump))
            }
        };
        let request = inner.build_request(head, body, &peer);
        let response = match pump {
            None if inner.executor.run_inline(&request) => call_app(&inner.app, request),
            pump => offload(&inner, request, pump).await,
        };
        Ok(inner.finish(response, conn.as_ref(), log))
    })
}

/// Runs the handler on the executor's blocking threads while the
/// connection's task feeds the body to it.
async fn offload<A: Application, E: Executor, B: Source>(
    inner: &Arc<Inner<A, E>>,
    request: Request,
    mut pump: Option<BodyPump<B>>,
) -> Response {
    let (tx, mut rx) = tokio::sync::oneshot::channel();
    let job_inner = Arc::clone(inner);
    inner.executor.spawn(Box::new(move || {
        // The receiver is gone when the client went away: nothing to do.
        let _ = tx.send(call_app(&job_inner.app, request));
    }));
    let result = std::future::poll_fn(|cx| {
        if let Some(pump) = pump.as_mut() {
            let _ = pump.poll_pump(cx);
        }
        std::pin::Pin::new(&mut rx).poll(cx)
    })
    .await;
    let failed = pump.as_ref().is_some_and(BodyPump::failed);
    drop(pump);
    let mut response = result.unwrap_or_else(|_| {
        error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the handler did not produce a response",
        )
    });
    if failed {
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    response
}
