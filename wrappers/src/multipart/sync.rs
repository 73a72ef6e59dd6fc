//! Driving multer (an async parser) from blocking code, without a runtime.
//!
//! multer pulls its input from a `Stream` and, once polled, keeps pulling
//! until the stream answers `Pending`: a stream that always has data ready
//! makes it buffer the whole upload. [`ChunkStream`] therefore reads one chunk
//! from the blocking reader, hands it over, and answers `Pending` (waking
//! itself) before the next one, so multer parses what it has before it gets
//! more. [`block_on`] polls a future to completion on the current thread with
//! a no-op waker: every `Pending` comes from that deliberate yield (the read
//! itself blocks inside `poll_next`), so re-polling at once never spins on a
//! missing input.

use std::future::Future;
use std::io::{self, Read};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use futures_util::Stream;

use crate::Body;

/// How many bytes one read hands to multer (Werkzeug's buffer size).
pub(crate) const CHUNK_SIZE: usize = 64 * 1024;

/// Runs `future` to completion on this thread.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

/// Counts what multer pulls while it looks for a part's headers, so a part
/// header (or a preamble) that never ends cannot make it buffer without bound.
#[derive(Debug, Default)]
pub(crate) struct HeaderBudget {
    in_headers: AtomicBool,
    pulled: AtomicUsize,
}

impl HeaderBudget {
    /// multer is about to look for the next part's headers.
    pub(crate) fn enter_headers(&self) {
        self.pulled.store(0, Ordering::Relaxed);
        self.in_headers.store(true, Ordering::Relaxed);
    }

    /// multer found the headers (or the end).
    pub(crate) fn leave_headers(&self) {
        self.in_headers.store(false, Ordering::Relaxed);
    }
}

/// Why [`ChunkStream`] stopped.
#[derive(Debug)]
pub(crate) enum StreamError {
    /// Reading the body failed (a `BodyError` may be inside).
    Read(io::Error),
    /// multer pulled more than the header budget while looking for headers.
    HeaderBudget,
}

impl std::fmt::Display for StreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StreamError::Read(error) => error.fmt(f),
            StreamError::HeaderBudget => f.write_str("part headers too large"),
        }
    }
}

impl std::error::Error for StreamError {}

/// Where [`ChunkStream`]'s chunks come from.
pub(crate) enum Input<'r> {
    /// Any reader: each chunk is read into a new buffer.
    Reader(&'r mut (dyn Read + Send)),
    /// A request body: one in memory is handed over in slices, without a
    /// copy; a stream is read into a new buffer per chunk.
    Body(&'r mut Body),
}

impl Input<'_> {
    /// The next chunk, at most `max` bytes, as full as the input allows;
    /// empty at the end.
    fn next_chunk(&mut self, max: usize) -> io::Result<Bytes> {
        match self {
            Input::Body(body) => body.read_chunk(max),
            Input::Reader(reader) => {
                // `read_to_end` fills the spare capacity of the vector
                // (without zeroing it first for readers that support that,
                // such as slices), and the vector becomes the chunk without a
                // copy.
                let mut chunk = Vec::with_capacity(max);
                (&mut **reader).take(max as u64).read_to_end(&mut chunk)?;
                Ok(Bytes::from(chunk))
            }
        }
    }
}

/// A blocking input seen as a stream of chunks that yields between chunks.
pub(crate) struct ChunkStream<'r> {
    input: Input<'r>,
    budget: Arc<HeaderBudget>,
    /// The most bytes multer may pull while looking for headers.
    header_allowance: usize,
    yield_next: bool,
    done: bool,
}

impl<'r> ChunkStream<'r> {
    pub(crate) fn new(
        input: Input<'r>,
        budget: Arc<HeaderBudget>,
        header_allowance: usize,
    ) -> Self {
        Self {
            input,
            budget,
            header_allowance,
            yield_next: false,
            done: false,
        }
    }
}

impl Stream for ChunkStream<'_> {
    type Item = Result<Bytes, StreamError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        if this.yield_next {
            this.yield_next = false;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        // Fill a chunk (fewer, fuller chunks for multer), stopping at the end.
        let chunk = match this.input.next_chunk(CHUNK_SIZE) {
            Ok(chunk) => chunk,
            Err(error) => {
                this.done = true;
                return Poll::Ready(Some(Err(StreamError::Read(error))));
            }
        };
        let read = chunk.len();
        if read == 0 {
            this.done = true;
            return Poll::Ready(None);
        }
        if this.budget.in_headers.load(Ordering::Relaxed) {
            let pulled = this.budget.pulled.fetch_add(read, Ordering::Relaxed) + read;
            if pulled > this.header_allowance {
                this.done = true;
                return Poll::Ready(Some(Err(StreamError::HeaderBudget)));
            }
        }
        this.yield_next = true;
        Poll::Ready(Some(Ok(chunk)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    #[test]
    fn the_stream_yields_between_chunks() {
        let data = vec![7u8; CHUNK_SIZE + 10];
        let mut reader: &[u8] = &data;
        let mut stream = ChunkStream::new(Input::Reader(&mut reader), Arc::default(), usize::MAX);
        let mut context = Context::from_waker(Waker::noop());
        let mut polls = Vec::new();
        loop {
            match stream.poll_next_unpin(&mut context) {
                Poll::Ready(Some(Ok(chunk))) => polls.push(Some(chunk.len())),
                Poll::Ready(None) => break,
                Poll::Ready(Some(Err(error))) => panic!("{error}"),
                Poll::Pending => polls.push(None),
            }
        }
        assert_eq!(polls, [Some(CHUNK_SIZE), None, Some(10), None]);
    }

    #[test]
    fn block_on_drives_a_stream_to_its_end() {
        let data = vec![1u8; 3 * CHUNK_SIZE];
        let mut reader: &[u8] = &data;
        let stream = ChunkStream::new(Input::Reader(&mut reader), Arc::default(), usize::MAX);
        let total =
            block_on(stream.fold(0, |sum, chunk| async move { sum + chunk.unwrap().len() }));
        assert_eq!(total, 3 * CHUNK_SIZE);
    }

    #[test]
    fn pulling_too_much_while_in_headers_fails() {
        let data = vec![b'h'; 4 * CHUNK_SIZE];
        let mut reader: &[u8] = &data;
        let budget = Arc::new(HeaderBudget::default());
        budget.enter_headers();
        let stream = ChunkStream::new(Input::Reader(&mut reader), budget, 2 * CHUNK_SIZE);
        let results: Vec<_> = block_on(stream.collect());
        assert_eq!(results.len(), 3);
        assert!(matches!(results[2], Err(StreamError::HeaderBudget)));
    }
}
