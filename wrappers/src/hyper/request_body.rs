//! The request body: hyper's async `Incoming` stream, read by blocking code.
//!
//! Two ways in: a small body is collected into memory before the handler runs
//! ([`collect`]); anything else is bridged ([`bridge`]): the handler, on a
//! thread where blocking is allowed, reads a [`BlockingBody`], and the
//! connection's task drives a [`BodyPump`] that polls hyper for the next frame
//! only when the reader asks for one (so an application that never reads never
//! makes the server read, and a limit stops the reading at once). While the
//! application waits for data, the client must keep up a minimum rate
//! ([`RateGuard`]); a slower one gets a timeout error.

use std::future::Future;
use std::io::{self, Read};
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use ::hyper::body::{Body as HttpBody, Buf, Bytes};
use tokio::time::{Instant, Sleep};

/// Enforces a minimum average data rate while someone waits for body data.
pub(crate) struct RateGuard {
    rate: Option<u64>,
    grace: Duration,
    bytes: u64,
    waited: Duration,
    wait_started: Option<Instant>,
    sleep: Option<Pin<Box<Sleep>>>,
}

impl RateGuard {
    pub(crate) fn new(rate: Option<u64>, grace: Duration) -> Self {
        Self {
            rate,
            grace,
            bytes: 0,
            waited: Duration::ZERO,
            wait_started: None,
            sleep: None,
        }
    }

    /// Called when a poll for data returned `Pending`; `Err` once the client
    /// is too slow.
    fn poll_waiting(&mut self, cx: &mut Context<'_>) -> Result<(), io::Error> {
        let Some(rate) = self.rate.filter(|rate| *rate > 0) else {
            return Ok(());
        };
        let now = Instant::now();
        let started = *self.wait_started.get_or_insert(now);
        // The average rate falls below `rate` once the total wait exceeds
        // max(grace, bytes / rate).
        let allowed = self
            .grace
            .max(Duration::from_secs_f64(self.bytes as f64 / rate as f64));
        let deadline = started + allowed.saturating_sub(self.waited);
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if sleep.deadline() != deadline {
            sleep.as_mut().reset(deadline);
        }
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("request body arrived slower than body_min_rate ({rate} bytes/s)"),
            )),
            Poll::Pending => Ok(()),
        }
    }

    fn received(&mut self, bytes: usize) {
        self.bytes += bytes as u64;
        if let Some(started) = self.wait_started.take() {
            self.waited += started.elapsed();
        }
    }
}

/// What the bridge needs from a request body: hyper's `Incoming`, or any
/// `http_body::Body` a `tower-service` caller hands in.
pub(crate) trait Source:
    HttpBody<Data: Send, Error: Into<Box<dyn std::error::Error + Send + Sync>>> + Send + Unpin + 'static
{
}

impl<B> Source for B
where
    B: HttpBody + Send + Unpin + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
}

/// Polls the next data chunk of `incoming` (trailers are skipped), with the
/// rate guard applied while pending. `Ok(None)` at the end.
fn poll_chunk<B: Source>(
    incoming: &mut B,
    guard: &mut RateGuard,
    cx: &mut Context<'_>,
) -> Poll<io::Result<Option<Bytes>>> {
    loop {
        match Pin::new(&mut *incoming).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Ok(mut data) = frame.into_data() {
                    let data = data.copy_to_bytes(data.remaining());
                    guard.received(data.len());
                    if !data.is_empty() {
                        return Poll::Ready(Ok(Some(data)));
                    }
                }
            }
            Poll::Ready(Some(Err(error))) => {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    error.into(),
                )));
            }
            Poll::Ready(None) => return Poll::Ready(Ok(None)),
            Poll::Pending => {
                return match guard.poll_waiting(cx) {
                    Ok(()) => Poll::Pending,
                    Err(error) => Poll::Ready(Err(error)),
                };
            }
        }
    }
}

/// What [`collect`] found.
pub(crate) enum Collected<B> {
    /// The whole body, in memory.
    Complete(Bytes),
    /// The body is larger than the buffer: what was read so far, and the rest.
    Partial(Bytes, B, RateGuard),
}

/// Reads `incoming` into memory up to `max` bytes.
pub(crate) async fn collect<B: Source>(
    mut incoming: B,
    max: usize,
    expected: Option<u64>,
    mut guard: RateGuard,
) -> io::Result<Collected<B>> {
    let mut first: Option<Bytes> = None;
    let mut buffer: Vec<u8> = Vec::new();
    loop {
        let chunk = std::future::poll_fn(|cx| poll_chunk(&mut incoming, &mut guard, cx)).await?;
        let Some(chunk) = chunk else {
            return Ok(Collected::Complete(match first {
                Some(bytes) if buffer.is_empty() => bytes,
                _ => Bytes::from(buffer),
            }));
        };
        if first.is_none() && buffer.is_empty() {
            first = Some(chunk);
        } else {
            if let Some(bytes) = first.take() {
                // A body in several chunks: one vector of the announced size
                // (within `max`) instead of growing it by doubling.
                let room = expected.map_or(0, |length| length.min(max as u64) as usize);
                buffer.reserve_exact(room.max(bytes.len() + chunk.len()));
                buffer.extend_from_slice(&bytes);
            }
            buffer.extend_from_slice(&chunk);
        }
        let held = first.as_ref().map_or(buffer.len(), Bytes::len);
        if held > max {
            let prefix = first.take().unwrap_or_else(|| Bytes::from(buffer));
            return Ok(Collected::Partial(prefix, incoming, guard));
        }
    }
}

#[derive(Default)]
struct State {
    chunk: Bytes,
    end: Option<Result<(), (io::ErrorKind, String)>>,
    wants: bool,
    reader_gone: bool,
    pump: Option<Waker>,
}

struct Shared {
    state: Mutex<State>,
    readable: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock leaves consistent state: recover it.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The blocking side of a bridged body: what the handler reads.
pub(crate) struct BlockingBody {
    shared: Arc<Shared>,
}

impl Read for BlockingBody {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let mut state = self.shared.lock();
        loop {
            if !state.chunk.is_empty() {
                let n = buf.len().min(state.chunk.len());
                buf[..n].copy_from_slice(&state.chunk.split_to(n));
                return Ok(n);
            }
            match &state.end {
                Some(Ok(())) => return Ok(0),
                Some(Err((kind, message))) => return Err(io::Error::new(*kind, message.clone())),
                None => {}
            }
            if !state.wants {
                state.wants = true;
                if let Some(waker) = state.pump.take() {
                    waker.wake();
                }
            }
            state = self
                .shared
                .readable
                .wait(state)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }
}

impl Drop for BlockingBody {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.reader_gone = true;
        if let Some(waker) = state.pump.take() {
            waker.wake();
        }
    }
}

/// The async side of a bridged body: polled by the connection's task while
/// the handler runs.
pub(crate) struct BodyPump<B> {
    shared: Arc<Shared>,
    incoming: Option<B>,
    guard: RateGuard,
    failed: bool,
}

impl<B: Source> BodyPump<B> {
    /// Feeds the reader when it asks for data. `Ready` once there is nothing
    /// left to do (the body ended, failed, or the reader is gone).
    pub(crate) fn poll_pump(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        loop {
            let Some(incoming) = self.incoming.as_mut() else {
                return Poll::Ready(());
            };
            {
                let mut state = self.shared.lock();
                if state.reader_gone {
                    drop(state);
                    self.incoming = None;
                    return Poll::Ready(());
                }
                if !state.wants {
                    state.pump = Some(cx.waker().clone());
                    return Poll::Pending;
                }
            }
            let outcome = match poll_chunk(incoming, &mut self.guard, cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(outcome) => outcome,
            };
            let mut state = self.shared.lock();
            match outcome {
                Ok(Some(chunk)) => {
                    state.chunk = chunk;
                    state.wants = false;
                }
                Ok(None) => {
                    state.end = Some(Ok(()));
                    self.incoming = None;
                }
                Err(error) => {
                    state.end = Some(Err((error.kind(), error.to_string())));
                    self.incoming = None;
                    self.failed = true;
                }
            }
            drop(state);
            self.shared.readable.notify_all();
        }
    }

    /// Whether reading the body failed (a malformed body, a slow or vanished
    /// client): the connection must not be reused.
    pub(crate) fn failed(&self) -> bool {
        self.failed
    }
}

impl<B> Drop for BodyPump<B> {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        if state.end.is_none() {
            state.end = Some(Err((
                io::ErrorKind::ConnectionAborted,
                "the connection was closed".to_owned(),
            )));
        }
        drop(state);
        self.shared.readable.notify_all();
    }
}

/// Bridges `incoming` (after `prefix`, already read) to a blocking reader.
pub(crate) fn bridge<B: Source>(
    prefix: Bytes,
    incoming: B,
    guard: RateGuard,
) -> (BlockingBody, BodyPump<B>) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            chunk: prefix,
            ..State::default()
        }),
        readable: Condvar::new(),
    });
    let reader = BlockingBody {
        shared: Arc::clone(&shared),
    };
    let pump = BodyPump {
        shared,
        incoming: Some(incoming),
        guard,
        failed: false,
    };
    (reader, pump)
}
