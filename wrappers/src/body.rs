//! The request body: a blocking byte stream bounded by the limits.

use std::fmt;
use std::io::{self, Read};

use bytes::Bytes;

use crate::BodyError;

/// A request body: read it as a blocking stream (`std::io::Read`).
///
/// The body knows its declared length (`Content-Length`, when the client sent
/// one) and the most bytes it may yield (`max_content_length`). A read past the
/// limit fails with [`BodyError::TooLarge`] inside the `io::Error`
/// ([`BodyError::from_io`] recovers it); a declared length above the limit fails
/// on the first read, before anything is read from the connection.
///
/// Servers build bodies from their connection with [`Body::from_reader`].
///
/// # Examples
///
/// ```
/// use std::io::Read;
/// use carafe_wrappers::{Body, BodyError};
///
/// let mut body = Body::from("hello");
/// let mut text = String::new();
/// body.read_to_string(&mut text).unwrap();
/// assert_eq!(text, "hello");
///
/// let mut limited = Body::from("hello world").with_limit(Some(5));
/// let error = limited.read_to_end(&mut Vec::new()).unwrap_err();
/// assert!(matches!(BodyError::from_io(error), BodyError::TooLarge { limit: 5 }));
/// ```
pub struct Body {
    source: Source,
    length: Option<u64>,
    limit: Option<u64>,
    consumed: u64,
}

enum Source {
    Empty,
    Bytes(Bytes),
    Reader(Box<dyn Read + Send>),
}

impl Body {
    /// An empty body.
    pub fn empty() -> Self {
        Self::with_source(Source::Empty, Some(0))
    }

    /// A body read from `reader`, which yields `length` bytes when that is known
    /// (`Content-Length`) or runs to its end (chunked transfer coding).
    pub fn from_reader(reader: impl Read + Send + 'static, length: Option<u64>) -> Self {
        Self::with_source(Source::Reader(Box::new(reader)), length)
    }

    fn with_source(source: Source, length: Option<u64>) -> Self {
        Self {
            source,
            length,
            limit: None,
            consumed: 0,
        }
    }

    /// Returns this body bounded to at most `limit` bytes (`None`: unbounded).
    #[must_use]
    pub fn with_limit(mut self, limit: Option<u64>) -> Self {
        self.limit = limit;
        self
    }

    /// Bounds this body to at most `limit` bytes (`None`: unbounded).
    pub fn set_limit(&mut self, limit: Option<u64>) {
        self.limit = limit;
    }

    /// The most bytes this body may yield.
    pub fn limit(&self) -> Option<u64> {
        self.limit
    }

    /// The declared length (`Content-Length`), when known.
    pub fn length(&self) -> Option<u64> {
        self.length
    }

    /// How many bytes have been read so far.
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// Whether the body is known to hold no bytes.
    pub fn is_empty(&self) -> bool {
        self.length == Some(0)
    }

    /// Whether the declared length already exceeds the limit (a 413 before any
    /// byte is read).
    pub fn exceeds_limit(&self) -> bool {
        matches!((self.length, self.limit), (Some(length), Some(limit)) if length > limit)
    }

    /// Reads the whole body into memory, within the limit.
    ///
    /// # Errors
    ///
    /// [`BodyError::TooLarge`] past the limit, [`BodyError::Io`] when the
    /// connection fails.
    pub fn read_all(&mut self) -> Result<Bytes, BodyError> {
        if let Source::Bytes(bytes) = &mut self.source {
            let bytes = std::mem::take(bytes);
            self.check_limit(bytes.len() as u64)?;
            self.consumed += bytes.len() as u64;
            self.source = Source::Empty;
            return Ok(bytes);
        }
        let mut buffer = Vec::new();
        if let Some(length) = self.length {
            // Never trust a declared length for an allocation: cap the reservation.
            buffer.reserve(length.min(64 * 1024) as usize);
        }
        self.read_to_end(&mut buffer).map_err(BodyError::from_io)?;
        Ok(Bytes::from(buffer))
    }

    fn check_limit(&self, next: u64) -> Result<(), BodyError> {
        match self.limit {
            Some(limit) if self.exceeds_limit() || self.consumed + next > limit => {
                Err(BodyError::TooLarge { limit })
            }
            _ => Ok(()),
        }
    }
}

impl Body {
    /// How many bytes the next read may take, at most `wanted`: one byte past
    /// the limit (so that a body of exactly `limit` bytes succeeds and a
    /// longer one is detected), never past the declared length (the bytes
    /// after it belong to the next request on the connection).
    fn window(&self, wanted: usize) -> Result<usize, BodyError> {
        self.check_limit(0)?;
        let mut window = match self.limit {
            Some(limit) => wanted.min((limit - self.consumed + 1).min(usize::MAX as u64) as usize),
            None => wanted,
        };
        if let Some(length) = self.length {
            let left = length.saturating_sub(self.consumed);
            window = window.min(left.min(usize::MAX as u64) as usize);
        }
        Ok(window)
    }

    /// Accounts for `read` bytes just read into a window of `window`.
    fn advance(&mut self, read: usize, window: usize) -> Result<(), BodyError> {
        self.check_limit(read as u64)?;
        self.consumed += read as u64;
        if read == 0
            && window > 0
            && let Some(expected) = self.length
            && self.consumed < expected
        {
            return Err(BodyError::Incomplete {
                expected,
                received: self.consumed,
            });
        }
        Ok(())
    }

    /// The next chunk of at most `max` bytes (empty at the end), with the
    /// checks of [`Read`]: for a body in memory a slice of it (no copy), for
    /// a stream a new buffer filled as far as the stream goes.
    pub(crate) fn read_chunk(&mut self, max: usize) -> io::Result<Bytes> {
        let window = self.window(max)?;
        if let Source::Bytes(bytes) = &mut self.source {
            let chunk = bytes.split_to(window.min(bytes.len()));
            self.advance(chunk.len(), window)?;
            return Ok(chunk);
        }
        let mut chunk = Vec::with_capacity(max);
        (&mut *self).take(max as u64).read_to_end(&mut chunk)?;
        Ok(Bytes::from(chunk))
    }
}

impl Read for Body {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let window = self.window(buf.len())?;
        if window == 0 {
            return Ok(0);
        }
        let read = match &mut self.source {
            Source::Empty => 0,
            Source::Bytes(bytes) => {
                let n = window.min(bytes.len());
                buf[..n].copy_from_slice(&bytes.split_to(n));
                n
            }
            Source::Reader(reader) => reader.read(&mut buf[..window])?,
        };
        self.advance(read, window)?;
        Ok(read)
    }
}

impl Default for Body {
    fn default() -> Self {
        Self::empty()
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.source {
            Source::Empty => "empty",
            Source::Bytes(_) => "bytes",
            Source::Reader(_) => "reader",
        };
        f.debug_struct("Body")
            .field("source", &source)
            .field("length", &self.length)
            .field("limit", &self.limit)
            .field("consumed", &self.consumed)
            .finish()
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Self {
        let length = bytes.len() as u64;
        Self::with_source(Source::Bytes(bytes), Some(length))
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        Bytes::from(bytes).into()
    }
}

impl From<String> for Body {
    fn from(text: String) -> Self {
        Bytes::from(text).into()
    }
}

impl From<&'static str> for Body {
    fn from(text: &'static str) -> Self {
        Bytes::from_static(text.as_bytes()).into()
    }
}

impl From<&'static [u8]> for Body {
    fn from(bytes: &'static [u8]) -> Self {
        Bytes::from_static(bytes).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_of_a_body_in_memory_are_slices_of_it() {
        let data = Bytes::from_static(b"hello world");
        let mut body = Body::from(data.clone());
        let mut chunks = Vec::new();
        loop {
            let chunk = body.read_chunk(4).unwrap();
            if chunk.is_empty() {
                break;
            }
            let offset = chunk.as_ptr() as usize - data.as_ptr() as usize;
            chunks.push((chunk, offset));
        }
        let expected = [(&b"hell"[..], 0), (b"o wo", 4), (b"rld", 8)];
        assert_eq!(chunks.len(), 3);
        for ((chunk, offset), (text, at)) in chunks.iter().zip(expected) {
            assert_eq!((&chunk[..], *offset), (text, at));
        }
        assert_eq!(body.consumed(), 11);
    }

    #[test]
    fn chunks_keep_the_limit_and_the_declared_length() {
        let mut body = Body::from("abcdef").with_limit(Some(3));
        let error = body.read_chunk(10).unwrap_err();
        assert!(error.to_string().contains("3"), "{error}");
        let reader = io::Cursor::new(b"12345678".to_vec());
        let mut body = Body::from_reader(reader, Some(6));
        assert_eq!(body.read_chunk(4).unwrap(), "1234");
        assert_eq!(
            body.read_chunk(4).unwrap(),
            "56",
            "the rest is not this body's"
        );
        assert_eq!(body.read_chunk(4).unwrap(), "");
        let mut short = Body::from_reader(io::Cursor::new(b"12".to_vec()), Some(6));
        assert!(short.read_chunk(4).is_err(), "fewer bytes than announced");
    }

    #[test]
    fn exactly_the_limit_is_allowed() {
        let mut body = Body::from("12345").with_limit(Some(5));
        assert_eq!(body.read_all().unwrap(), "12345");
    }

    #[test]
    fn one_byte_over_the_limit_is_too_large() {
        let reader = io::Cursor::new(b"123456".to_vec());
        let mut body = Body::from_reader(reader, None).with_limit(Some(5));
        assert!(matches!(
            body.read_all(),
            Err(BodyError::TooLarge { limit: 5 })
        ));
    }

    #[test]
    fn declared_length_over_the_limit_fails_before_reading() {
        struct Unreadable;
        impl Read for Unreadable {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                panic!("the body must not be read");
            }
        }
        let mut body = Body::from_reader(Unreadable, Some(1 << 40)).with_limit(Some(16));
        assert!(body.exceeds_limit());
        assert!(matches!(
            body.read_all(),
            Err(BodyError::TooLarge { limit: 16 })
        ));
    }

    #[test]
    fn a_body_shorter_than_its_content_length_is_incomplete() {
        let reader = io::Cursor::new(b"1234".to_vec());
        let mut body = Body::from_reader(reader, Some(10));
        assert!(matches!(
            body.read_all(),
            Err(BodyError::Incomplete {
                expected: 10,
                received: 4
            })
        ));
    }

    #[test]
    fn reading_stops_at_the_content_length() {
        let reader = io::Cursor::new(b"1234NEXT REQUEST".to_vec());
        let mut body = Body::from_reader(reader, Some(4));
        assert_eq!(body.read_all().unwrap(), "1234");
    }

    #[test]
    fn io_errors_pass_through() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed",
                ))
            }
        }
        let mut body = Body::from_reader(Broken, Some(10));
        match body.read_all() {
            Err(BodyError::Io(error)) => assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof),
            other => panic!("expected an I/O error, got {other:?}"),
        }
    }
}
