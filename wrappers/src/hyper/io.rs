//! A connection's byte stream with a write timeout and read-activity tracking.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

use super::connection::ConnState;
use super::strict::HeadScanner;

/// Wraps a socket: marks every read in the connection's state (the keep-alive
/// timer must not close a connection on which a request is arriving), makes a
/// bare LF in a request head unparsable ([`HeadScanner`]), and fails a write
/// that stays blocked longer than the write timeout (a client that stopped
/// reading).
pub(crate) struct TimedStream<T> {
    inner: T,
    state: Arc<ConnState>,
    write_timeout: Option<Duration>,
    stalled: Option<Pin<Box<Sleep>>>,
    scanner: HeadScanner,
}

impl<T> TimedStream<T> {
    pub(crate) fn new(inner: T, state: Arc<ConnState>, write_timeout: Option<Duration>) -> Self {
        Self {
            inner,
            state,
            write_timeout,
            stalled: None,
            scanner: HeadScanner::default(),
        }
    }

    /// Called when a write returned `Pending`: arms the stall timer, errors
    /// once it fires.
    fn poll_stall(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        let Some(timeout) = self.write_timeout else {
            return Poll::Pending;
        };
        let sleep = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "the client read nothing for {} s (write_timeout)",
                    timeout.as_secs()
                ),
            )),
            Poll::Pending => Poll::Pending,
        }
    }

    fn progressed(&mut self) {
        self.stalled = None;
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for TimedStream<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.state.read_activity.store(true, Ordering::Relaxed);
            let this = &mut *self;
            this.scanner.scan(&mut buf.filled_mut()[before..]);
        }
        result
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for TimedStream<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write(cx, buf) {
            Poll::Pending => self.poll_stall(cx).map(Err),
            ready => {
                self.progressed();
                ready
            }
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write_vectored(cx, bufs) {
            Poll::Pending => self.poll_stall(cx).map(Err),
            ready => {
                self.progressed();
                ready
            }
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match Pin::new(&mut self.inner).poll_flush(cx) {
            Poll::Pending => self.poll_stall(cx).map(Err),
            ready => {
                self.progressed();
                ready
            }
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match Pin::new(&mut self.inner).poll_shutdown(cx) {
            Poll::Pending => self.poll_stall(cx).map(Err),
            ready => {
                self.progressed();
                ready
            }
        }
    }
}
