//! Serving one connection: hyper's HTTP/1.1 state machine, the gateway as its
//! service, the keep-alive timer and graceful shutdown.

use std::convert::Infallible;
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use ::hyper::body::Incoming;
use ::hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};

use super::gateway::Inner;
use super::io::TimedStream;
use super::respond::{Started, respond};
use super::watchdog::{Seen, Verdict, Watchdog};
use super::{Executor, Gateway, Peer, ResponseStream};
use crate::Application;

/// What the keep-alive timer watches on one connection.
#[derive(Debug, Default)]
pub(crate) struct ConnState {
    /// Requests whose response body has not been dropped yet.
    active: AtomicUsize,
    /// Bumped at the start and the end of every request.
    generation: AtomicU64,
    /// Set by every read that returned bytes.
    pub(crate) read_activity: AtomicBool,
    /// Set when the server stops: the next request is the last one.
    draining: AtomicBool,
    /// Signalled when a request starts while draining.
    request_started: tokio::sync::Notify,
}

impl ConnState {
    pub(crate) fn begin_request(&self) {
        self.active.fetch_add(1, Ordering::SeqCst);
        self.generation.fetch_add(1, Ordering::Relaxed);
        if self.draining.load(Ordering::SeqCst) {
            self.request_started.notify_one();
        }
    }

    /// Whether the connection is draining: a response must close it.
    pub(crate) fn draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    pub(crate) fn end_request(&self) {
        self.active.fetch_sub(1, Ordering::Relaxed);
        self.generation.fetch_add(1, Ordering::Relaxed);
    }
}

/// Why a connection ended.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConnectionEnd {
    /// The client or the server closed it normally (including keep-alive and
    /// graceful-shutdown closes).
    Closed,
    /// hyper reported an error (a malformed request it answered with a 4xx, a
    /// reset).
    Error(::hyper::Error),
    /// No complete request head arrived within `header_read_timeout` (counted
    /// from the end of the previous request, or from the accept): dropped
    /// without an answer, as hyper's own header timeout does.
    HeadTimeout,
}

impl<A: Application, E: Executor> Gateway<A, E> {
    /// Serves one connection until it closes.
    ///
    /// HTTP/1.1 with keep-alive; the head limits and Host rules are checked
    /// before the application sees a request; an idle keep-alive connection
    /// is closed after about `keepalive` (between 1 and 1.5 times); a client
    /// that sends its head too slowly, stops reading, or sends its body too
    /// slowly is dropped. When `shutdown` completes, the connection finishes
    /// the request in progress (answering it with `Connection: close`) and
    /// closes; an idle one is not closed under a client that may be sending
    /// a request: it answers its next request with `Connection: close`, or
    /// closes at its keep-alive timeout, whichever comes first (so a
    /// graceful stop fails no request, not even on a fresh connection the
    /// stopping worker had just accepted).
    ///
    /// `io` is any tokio byte stream (a `TcpStream`, a `UnixStream`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::hyper::{Gateway, Peer};
    /// use carafe_wrappers::{Request, Response};
    /// use tokio::io::{AsyncReadExt, AsyncWriteExt};
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let gateway = Gateway::new(|request: Request| Response::text(request.path_info().to_owned()));
    /// let (client, server) = tokio::io::duplex(4096);
    /// let served = tokio::spawn(gateway.serve_connection(server, Peer::default(), std::future::pending()));
    ///
    /// let (mut read, mut write) = tokio::io::split(client);
    /// write.write_all(b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
    /// let mut answer = String::new();
    /// read.read_to_string(&mut answer).await.unwrap();
    /// assert!(answer.starts_with("HTTP/1.1 200 OK"));
    /// assert!(answer.ends_with("/hello"));
    /// served.await.unwrap();
    /// # });
    /// ```
    pub fn serve_connection<T>(
        &self,
        io: T,
        peer: Peer,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> impl Future<Output = ConnectionEnd> + Send + 'static
    where
        T: AsyncRead + AsyncWrite + Send + Unpin + 'static,
    {
        let inner = Arc::clone(&self.inner);
        async move {
            let config = &inner.config;
            let state = Arc::new(ConnState::default());
            let io = TokioIo::new(TimedStream::new(
                io,
                Arc::clone(&state),
                config.write_timeout(),
            ));
            let mut builder = http1::Builder::new();
            // The head is timed by the watchdog below, not by a timer hyper
            // would arm for every request (see `watchdog`): hyper gets no
            // timer at all, and none of its timeouts.
            builder
                .header_read_timeout(None)
                .keep_alive(config.keepalive().is_some())
                .max_header_size(config.head_limits().max_head_size());
            if config.head_limits().header_fields() != 100 {
                // hyper's default is 100 on the stack; any other number
                // allocates per request.
                builder.max_headers(config.head_limits().header_fields());
            }
            let service = ConnService {
                inner: Arc::clone(&inner),
                state: Arc::clone(&state),
                peer,
            };
            let mut conn = pin!(builder.serve_connection(io, service));
            let mut shutdown = pin!(shutdown);
            let mut closing = false;
            let mut draining = false;
            let mut watchdog = Watchdog::new(config.keepalive(), config.header_read_timeout());
            let period = watchdog.as_ref().map(Watchdog::period);
            let mut timer = pin!(tokio::time::sleep(period.unwrap_or(Duration::MAX / 4)));
            loop {
                tokio::select! {
                    biased;
                    result = conn.as_mut() => {
                        return match result {
                            Ok(()) => ConnectionEnd::Closed,
                            Err(error) => ConnectionEnd::Error(error),
                        };
                    }
                    () = shutdown.as_mut(), if !draining && !closing => {
                        draining = true;
                        state.draining.store(true, Ordering::SeqCst);
                        if state.active.load(Ordering::SeqCst) > 0 || config.keepalive().is_none() {
                            closing = true;
                            conn.as_mut().graceful_shutdown();
                        }
                    }
                    () = state.request_started.notified(), if draining && !closing => {
                        closing = true;
                        conn.as_mut().graceful_shutdown();
                    }
                    () = timer.as_mut(), if watchdog.is_some() => {
                        let Some(watchdog) = watchdog.as_mut() else { continue };
                        let seen = Seen {
                            generation: state.generation.load(Ordering::Relaxed),
                            active: state.active.load(Ordering::Relaxed),
                            read: state.read_activity.swap(false, Ordering::Relaxed),
                        };
                        match watchdog.tick(seen, closing) {
                            Verdict::HeadTimeout => return ConnectionEnd::HeadTimeout,
                            Verdict::Idle => {
                                closing = true;
                                conn.as_mut().graceful_shutdown();
                            }
                            Verdict::Serve => {}
                        }
                        timer.as_mut().reset(tokio::time::Instant::now() + watchdog.period());
                    }
                }
            }
        }
    }
}

/// The per-connection hyper service.
struct ConnService<A, E> {
    inner: Arc<Inner<A, E>>,
    state: Arc<ConnState>,
    peer: Peer,
}

type Boxed =
    Pin<Box<dyn Future<Output = Result<http::Response<ResponseStream>, Infallible>> + Send>>;

/// The future of a response: ready at once (a protocol error, a handler that
/// ran inline) or the rest of the work (reading the body, a handler on another
/// thread).
pub struct ResponseFuture(pub(crate) Respond);

pub(crate) enum Respond {
    Ready(Option<http::Response<ResponseStream>>),
    Boxed(Boxed),
}

impl std::fmt::Debug for ResponseFuture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResponseFuture")
    }
}

impl Future for ResponseFuture {
    type Output = Result<http::Response<ResponseStream>, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}

impl Future for Respond {
    type Output = Result<http::Response<ResponseStream>, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut *self {
            Respond::Ready(response) => Poll::Ready(Ok(response
                .take()
                .expect("a Respond future is not polled after it completed"))),
            Respond::Boxed(future) => future.as_mut().poll(cx),
        }
    }
}

impl<A: Application, E: Executor> ::hyper::service::Service<http::Request<Incoming>>
    for ConnService<A, E>
{
    type Response = http::Response<ResponseStream>;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn call(&self, request: http::Request<Incoming>) -> ResponseFuture {
        ResponseFuture(
            match respond(&self.inner, request, self.peer, Some(&self.state), true) {
                Started::Ready(response) => Respond::Ready(Some(response)),
                Started::Pending(future) => Respond::Boxed(Box::pin(future)),
            },
        )
    }
}
