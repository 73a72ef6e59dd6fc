//! Answering one request: head checks, the body plan, and the handler call
//! (inline, or on the executor while the connection feeds the body).

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ::hyper::body::{Body as HttpBody, Bytes};
use http::StatusCode;
use http::header::{CONNECTION, EXPECT, HeaderValue};
use http::request::Parts;

use super::access::LogStart;
use super::connection::ConnState;
use super::dispatch::{Executor, call_app, error_response};
use super::gateway::Inner;
use super::request_body::{BodyPump, Collected, RateGuard, Source, bridge, collect};
use super::{GatewayConfig, Peer, ResponseStream};
use crate::{Application, Body, Request, Response};

/// How the body of a request reaches the handler.
enum Plan {
    Empty,
    /// Read into memory first, within the reservation.
    Buffer(Reservation),
    Stream(Option<u64>),
}

fn plan<B: HttpBody>(
    head: &Parts,
    body: &B,
    config: &GatewayConfig,
    buffered: &Arc<AtomicUsize>,
) -> Plan {
    if body.is_end_stream() {
        return Plan::Empty;
    }
    let length = body.size_hint().exact();
    let expects_continue = head
        .headers
        .get(EXPECT)
        .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let ahead = match length {
        Some(0) => return Plan::Empty,
        Some(length) if !expects_continue && length <= config.buffer_body() as u64 => {
            length as usize
        }
        None if !expects_continue && config.buffer_body() > 0 => config.buffer_body(),
        length => return Plan::Stream(length),
    };
    match Reservation::take(buffered, ahead, config.buffer_body_total()) {
        Some(reservation) => Plan::Buffer(reservation),
        None => Plan::Stream(length),
    }
}

/// Bytes of `buffer_body_total` held by one body read ahead, given back when
/// the request is answered.
struct Reservation {
    buffered: Option<(Arc<AtomicUsize>, usize)>,
}

impl Reservation {
    /// Reserves `bytes` when they fit in `total` (always, without a total).
    fn take(buffered: &Arc<AtomicUsize>, bytes: usize, total: Option<usize>) -> Option<Self> {
        let Some(total) = total else {
            return Some(Self { buffered: None });
        };
        buffered
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |held| {
                held.checked_add(bytes).filter(|after| *after <= total)
            })
            .ok()
            .map(|_| Self {
                buffered: Some((Arc::clone(buffered), bytes)),
            })
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if let Some((buffered, bytes)) = &self.buffered {
            buffered.fetch_sub(*bytes, Ordering::AcqRel);
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
    let head_request = head.method == http::Method::HEAD;
    if let Some(conn) = conn {
        conn.begin_request();
    }
    let log = inner.observer.as_ref().map(|_| LogStart::new(&head, &peer));
    if check_head && let Err(error) = super::check_head(&head, inner.config.head_limits()) {
        let response = error_response(error.status(), &error.to_string());
        return Started::Ready(inner.finish(response, head_request, conn, log));
    }
    let plan = plan(&head, &body, &inner.config, &inner.buffered);
    let work = if matches!(plan, Plan::Empty) {
        let request = inner.build_request(head, Body::empty(), &peer);
        if inner.executor.run_inline(&request) {
            let response = call_app(&inner.app, request);
            return Started::Ready(inner.finish(response, head_request, conn, log));
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
                return Ok(inner.finish(response, head_request, conn.as_ref(), log));
            }
            Work::Body(head, body, plan) => (head, body, plan),
        };
        let guard = RateGuard::new(config.body_min_rate(), config.body_rate_grace());
        let length = body.size_hint().exact();
        // A body read ahead keeps its reservation until the request is
        // answered (the handler owns the bytes until then).
        let (body, pump, _reservation) = match plan {
            Plan::Empty => (Body::empty(), None, None),
            Plan::Buffer(reservation) => {
                match collect(body, config.buffer_body(), length, guard).await {
                    Ok(Collected::Complete(bytes)) => (Body::from(bytes), None, Some(reservation)),
                    Ok(Collected::Partial(prefix, rest, guard)) => {
                        let (reader, pump) = bridge(prefix, rest, guard);
                        (
                            Body::from_reader(reader, None),
                            Some(pump),
                            Some(reservation),
                        )
                    }
                    Err(error) => {
                        let status = match error.kind() {
                            std::io::ErrorKind::TimedOut => StatusCode::REQUEST_TIMEOUT,
                            _ => StatusCode::BAD_REQUEST,
                        };
                        let response = error_response(status, &error.to_string());
                        return Ok(inner.finish(response, head_request, conn.as_ref(), log));
                    }
                }
            }
            Plan::Stream(length) => {
                let (reader, pump) = bridge(Bytes::new(), body, guard);
                (Body::from_reader(reader, length), Some(pump), None)
            }
        };
        let request = inner.build_request(head, body, &peer);
        let response = match pump {
            None if inner.executor.run_inline(&request) => call_app(&inner.app, request),
            pump => offload(&inner, request, pump).await,
        };
        Ok(inner.finish(response, head_request, conn.as_ref(), log))
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
