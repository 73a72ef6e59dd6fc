//! The response body as hyper sends it: bytes, or a blocking source read one
//! chunk at a time on tokio's blocking pool.

use std::fmt;
use std::future::Future as _;
use std::io::{self, Read};
use std::pin::Pin;
use std::task::{Context, Poll};

use std::sync::Arc;

use ::hyper::body::{Body as HttpBody, Bytes, Frame, SizeHint};
use tokio::sync::oneshot;

use super::Job;
use super::connection::ConnState;
use crate::ResponseBody;

/// How many bytes one blocking read of a `Reader` body asks for.
const CHUNK: usize = 64 * 1024;

/// Called once when a response body is finished or dropped, with the number
/// of body bytes handed to hyper and whether the body ended normally.
pub type OnComplete = Box<dyn FnOnce(u64, bool) + Send>;

enum Source {
    Reader {
        reader: Box<dyn Read + Send>,
        remaining: Option<u64>,
    },
    Chunks(Box<dyn Iterator<Item = io::Result<Bytes>> + Send>),
}

/// Runs a blocking job somewhere (a handler pool); see
/// [`ResponseStream::with_spawner`].
pub type Spawner = Arc<dyn Fn(Job) + Send + Sync>;

type Chunk = (Source, io::Result<Option<Bytes>>);

enum Kind {
    Empty,
    Full(Option<Bytes>),
    Idle(Source),
    Reading(oneshot::Receiver<Chunk>),
    Done,
}

/// A [`ResponseBody`] as an `http_body::Body` hyper can send.
///
/// Bytes go out as one frame. A reader or a chunk iterator is blocking code:
/// each next chunk is produced by one job on tokio's blocking pool (or the
/// [`Spawner`] given), so neither a runtime thread nor a pool thread is held
/// while the client is slow to read. A reader with a declared length yields exactly that many bytes (a
/// shorter one is an error, which aborts the connection).
///
/// # Examples
///
/// ```
/// use carafe_wrappers::hyper::ResponseStream;
/// use carafe_wrappers::ResponseBody;
/// use hyper::body::Body as _;
///
/// let body = ResponseStream::new(ResponseBody::Bytes("hello".into()));
/// assert_eq!(body.size_hint().exact(), Some(5));
/// ```
pub struct ResponseStream {
    kind: Kind,
    sent: u64,
    on_complete: Option<OnComplete>,
    spawner: Option<Spawner>,
    conn: Option<Arc<ConnState>>,
}

impl ResponseStream {
    /// Wraps a response body.
    pub fn new(body: ResponseBody) -> Self {
        let kind = match body {
            ResponseBody::Bytes(bytes) if !bytes.is_empty() => Kind::Full(Some(bytes)),
            ResponseBody::Reader { reader, length } => Kind::Idle(Source::Reader {
                reader,
                remaining: length,
            }),
            ResponseBody::Chunks(chunks) => Kind::Idle(Source::Chunks(chunks)),
            _ => Kind::Empty,
        };
        Self {
            kind,
            sent: 0,
            on_complete: None,
            spawner: None,
            conn: None,
        }
    }

    /// Ends the connection's request when the body is done (keep-alive
    /// bookkeeping).
    pub(crate) fn with_conn(mut self, conn: Arc<ConnState>) -> Self {
        self.conn = Some(conn);
        self
    }

    /// Whether the body is produced by blocking jobs (a reader or chunks).
    pub fn is_streaming(&self) -> bool {
        matches!(self.kind, Kind::Idle(_) | Kind::Reading(_))
    }

    /// Runs the blocking reads of a streaming body with `spawner` instead of
    /// tokio's blocking pool (a server bounds its blocking threads this way).
    #[must_use]
    pub fn with_spawner(mut self, spawner: Spawner) -> Self {
        self.spawner = Some(spawner);
        self
    }

    /// An empty body.
    pub fn empty() -> Self {
        Self::new(ResponseBody::Empty)
    }

    /// Calls `on_complete` when the body is finished or dropped (access logs,
    /// connection bookkeeping).
    #[must_use]
    pub fn with_on_complete(mut self, on_complete: OnComplete) -> Self {
        self.on_complete = Some(on_complete);
        self
    }

    fn finish(&mut self, ok: bool) {
        self.kind = Kind::Done;
        if let Some(conn) = self.conn.take() {
            conn.end_request();
        }
        if let Some(on_complete) = self.on_complete.take() {
            on_complete(self.sent, ok);
        }
    }
}

impl fmt::Debug for ResponseStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.kind {
            Kind::Empty => "empty",
            Kind::Full(_) => "bytes",
            Kind::Idle(_) | Kind::Reading(_) => "streaming",
            Kind::Done => "done",
        };
        f.debug_struct("ResponseStream")
            .field("kind", &kind)
            .field("sent", &self.sent)
            .finish()
    }
}

impl Drop for ResponseStream {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            conn.end_request();
        }
        if let Some(on_complete) = self.on_complete.take() {
            let ok = matches!(self.kind, Kind::Done | Kind::Empty | Kind::Full(None));
            on_complete(self.sent, ok);
        }
    }
}

/// Produces the next chunk of `source` (runs on the blocking pool).
fn next_chunk(mut source: Source) -> (Source, io::Result<Option<Bytes>>) {
    let result = match &mut source {
        Source::Reader { reader, remaining } => {
            let want = remaining.map_or(CHUNK, |left| left.min(CHUNK as u64) as usize);
            if want == 0 {
                Ok(None)
            } else {
                let mut buffer = vec![0; want];
                loop {
                    match reader.read(&mut buffer) {
                        Ok(0) if remaining.is_some() => {
                            break Err(io::Error::new(
                                io::ErrorKind::UnexpectedEof,
                                "the response body reader ended before its declared length",
                            ));
                        }
                        Ok(0) => break Ok(None),
                        Ok(n) => {
                            buffer.truncate(n);
                            if let Some(left) = remaining {
                                *left -= n as u64;
                            }
                            break Ok(Some(Bytes::from(buffer)));
                        }
                        Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                        Err(error) => break Err(error),
                    }
                }
            }
        }
        Source::Chunks(chunks) => loop {
            match chunks.next() {
                Some(Ok(chunk)) if chunk.is_empty() => {}
                Some(Ok(chunk)) => break Ok(Some(chunk)),
                Some(Err(error)) => break Err(error),
                None => break Ok(None),
            }
        },
    };
    (source, result)
}

impl HttpBody for ResponseStream {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = &mut *self;
        loop {
            match &mut this.kind {
                Kind::Empty | Kind::Done => {
                    this.finish(true);
                    return Poll::Ready(None);
                }
                Kind::Full(bytes) => {
                    return match bytes.take() {
                        Some(bytes) => {
                            this.sent += bytes.len() as u64;
                            Poll::Ready(Some(Ok(Frame::data(bytes))))
                        }
                        None => {
                            this.finish(true);
                            Poll::Ready(None)
                        }
                    };
                }
                Kind::Idle(_) => {
                    let Kind::Idle(source) = std::mem::replace(&mut this.kind, Kind::Done) else {
                        unreachable!("matched just above");
                    };
                    let (tx, rx) = oneshot::channel();
                    let job: Job = Box::new(move || {
                        // The stream was dropped (the client left): nothing to do.
                        let _ = tx.send(next_chunk(source));
                    });
                    match &this.spawner {
                        Some(spawner) => spawner(job),
                        None => drop(tokio::task::spawn_blocking(job)),
                    }
                    this.kind = Kind::Reading(rx);
                }
                Kind::Reading(job) => {
                    let (source, result) = match Pin::new(job).poll(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(Ok(done)) => done,
                        Poll::Ready(Err(_)) => {
                            this.finish(false);
                            return Poll::Ready(Some(Err(io::Error::other(
                                "the response body's reader panicked",
                            ))));
                        }
                    };
                    match result {
                        Ok(Some(chunk)) => {
                            this.sent += chunk.len() as u64;
                            this.kind = Kind::Idle(source);
                            return Poll::Ready(Some(Ok(Frame::data(chunk))));
                        }
                        Ok(None) => {
                            this.finish(true);
                            return Poll::Ready(None);
                        }
                        Err(error) => {
                            this.finish(false);
                            return Poll::Ready(Some(Err(error)));
                        }
                    }
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(
            &self.kind,
            Kind::Empty
                | Kind::Done
                | Kind::Full(None)
                | Kind::Idle(Source::Reader {
                    remaining: Some(0),
                    ..
                })
        )
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Empty | Kind::Done | Kind::Full(None) => SizeHint::with_exact(0),
            Kind::Full(Some(bytes)) => SizeHint::with_exact(bytes.len() as u64),
            Kind::Idle(Source::Reader {
                remaining: Some(left),
                ..
            }) => SizeHint::with_exact(*left),
            _ => SizeHint::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn collect(mut body: ResponseStream) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await
        {
            out.extend_from_slice(&frame?.into_data().unwrap());
        }
        Ok(out)
    }

    #[tokio::test]
    async fn reader_streams_in_chunks_and_stops_at_its_length() {
        let data: Vec<u8> = (0..200_000u32).map(|i| i as u8).collect();
        let reader = io::Cursor::new([data.clone(), b"extra".to_vec()].concat());
        let body = ResponseStream::new(ResponseBody::Reader {
            reader: Box::new(reader),
            length: Some(data.len() as u64),
        });
        assert_eq!(body.size_hint().exact(), Some(200_000));
        assert_eq!(collect(body).await.unwrap(), data);
    }

    #[tokio::test]
    async fn short_reader_is_an_error() {
        let body = ResponseStream::new(ResponseBody::Reader {
            reader: Box::new(io::Cursor::new(b"abc".to_vec())),
            length: Some(10),
        });
        let error = collect(body).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[tokio::test]
    async fn chunks_and_completion_report() {
        let (tx, rx) = std::sync::mpsc::channel();
        let chunks = vec![
            Ok(Bytes::from("a")),
            Ok(Bytes::new()),
            Ok(Bytes::from("bc")),
        ];
        let body = ResponseStream::new(ResponseBody::Chunks(Box::new(chunks.into_iter())))
            .with_on_complete(Box::new(move |sent, ok| tx.send((sent, ok)).unwrap()));
        assert_eq!(collect(body).await.unwrap(), b"abc");
        assert_eq!(rx.recv().unwrap(), (3, true));
    }

    #[tokio::test]
    async fn dropped_stream_reports_an_unfinished_body() {
        let (tx, rx) = std::sync::mpsc::channel();
        let body = ResponseStream::new(ResponseBody::Bytes("xyz".into()))
            .with_on_complete(Box::new(move |sent, ok| tx.send((sent, ok)).unwrap()));
        drop(body);
        assert_eq!(rx.recv().unwrap(), (0, false));
    }
}
