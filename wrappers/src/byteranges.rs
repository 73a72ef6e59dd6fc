//! Bodies of `206 Partial Content` responses: one range, or several as
//! `multipart/byteranges` (RFC 9110 §14.6), streamed from a source that can
//! move forward (a reader, by discarding) or seek (a file).

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io::{self, Read, Seek, SeekFrom};

use bytes::{Bytes, BytesMut};
use http::HeaderValue;

use crate::ResponseBody;

/// A partial body and the headers that describe it.
pub(crate) struct Ranged {
    pub(crate) body: ResponseBody,
    /// `Content-Range` for a single range; `None` for multipart.
    pub(crate) content_range: Option<String>,
    /// The new `Content-Type` for multipart; `None` keeps the original.
    pub(crate) content_type: Option<String>,
}

/// Where range bytes come from: a stream that can move to an absolute offset
/// at or after its position.
pub(crate) trait Source: Read + Send + 'static {
    fn seek_to(&mut self, offset: u64) -> io::Result<()>;
}

/// A plain reader: moving forward reads and discards.
pub(crate) struct Forward<R> {
    inner: R,
    position: u64,
}

impl<R> Forward<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self { inner, position: 0 }
    }
}

impl<R: Read> Read for Forward<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.position += read as u64;
        Ok(read)
    }
}

impl<R: Read + Send + 'static> Source for Forward<R> {
    fn seek_to(&mut self, offset: u64) -> io::Result<()> {
        let Some(gap) = offset.checked_sub(self.position) else {
            return Err(io::Error::other("byte ranges must be read in order"));
        };
        let skipped = io::copy(&mut (&mut self.inner).take(gap), &mut io::sink())?;
        self.position += skipped;
        if skipped < gap {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        Ok(())
    }
}

/// A seekable reader (a file).
pub(crate) struct Seekable<R>(pub(crate) R);

impl<R: Read> Read for Seekable<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<R: Read + Seek + Send + 'static> Source for Seekable<R> {
    fn seek_to(&mut self, offset: u64) -> io::Result<()> {
        self.0.seek(SeekFrom::Start(offset)).map(|_| ())
    }
}

enum Segment {
    Literal(Bytes),
    Range {
        first: u64,
        remaining: u64,
        started: bool,
    },
}

/// Reads literal separators and range bytes, in order.
struct Parts<S> {
    source: S,
    segments: VecDeque<Segment>,
}

impl<S: Source> Read for Parts<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let Some(segment) = self.segments.front_mut() else {
                return Ok(0);
            };
            match segment {
                Segment::Literal(bytes) if bytes.is_empty() => {}
                Segment::Literal(bytes) => {
                    let n = buf.len().min(bytes.len());
                    buf[..n].copy_from_slice(&bytes.split_to(n));
                    return Ok(n);
                }
                Segment::Range { remaining: 0, .. } => {}
                Segment::Range {
                    first,
                    remaining,
                    started,
                } => {
                    if !*started {
                        self.source.seek_to(*first)?;
                        *started = true;
                    }
                    let want = buf
                        .len()
                        .min(usize::try_from(*remaining).unwrap_or(usize::MAX));
                    let read = self.source.read(&mut buf[..want])?;
                    if read == 0 {
                        return Err(io::ErrorKind::UnexpectedEof.into());
                    }
                    *remaining -= read as u64;
                    return Ok(read);
                }
            }
            self.segments.pop_front();
        }
    }
}

/// A random multipart boundary (32 hex digits).
fn boundary() -> String {
    let mut random = [0u8; 16];
    if getrandom::fill(&mut random).is_err() {
        // No OS randomness: fall back to the clock; a boundary needs to be
        // unlikely in the content, not secret.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        random = nanos.to_le_bytes();
    }
    random.iter().fold(String::with_capacity(32), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

fn content_range(first: u64, last: u64, complete_length: u64) -> String {
    format!("bytes {first}-{last}/{complete_length}")
}

/// The literal pieces of a multipart body: one head per range, then the tail.
fn multipart_frame(
    ranges: &[(u64, u64)],
    content_type: Option<&HeaderValue>,
    complete_length: u64,
    boundary: &str,
) -> (Vec<Bytes>, Bytes) {
    let content_type = content_type.and_then(|v| v.to_str().ok());
    let heads = ranges
        .iter()
        .enumerate()
        .map(|(i, (first, last))| {
            let mut head = String::new();
            if i > 0 {
                head.push_str("\r\n");
            }
            let _ = write!(head, "--{boundary}\r\n");
            if let Some(content_type) = content_type {
                let _ = write!(head, "Content-Type: {content_type}\r\n");
            }
            let _ = write!(
                head,
                "Content-Range: {}\r\n\r\n",
                content_range(*first, *last, complete_length)
            );
            Bytes::from(head)
        })
        .collect();
    (heads, Bytes::from(format!("\r\n--{boundary}--\r\n")))
}

fn single(first: u64, last: u64, complete_length: u64, body: ResponseBody) -> Ranged {
    Ranged {
        body,
        content_range: Some(content_range(first, last, complete_length)),
        content_type: None,
    }
}

/// A partial body cut from bytes in memory.
pub(crate) fn from_bytes(
    bytes: &Bytes,
    ranges: &[(u64, u64)],
    content_type: Option<&HeaderValue>,
    complete_length: u64,
) -> Ranged {
    // The ranges were resolved against this length, so they are in bounds.
    let slice = |first: u64, last: u64| bytes.slice(first as usize..=last as usize);
    if let [(first, last)] = ranges {
        return single(
            *first,
            *last,
            complete_length,
            ResponseBody::Bytes(slice(*first, *last)),
        );
    }
    let boundary = boundary();
    let (heads, tail) = multipart_frame(ranges, content_type, complete_length, &boundary);
    let mut body = BytesMut::new();
    for (head, (first, last)) in heads.iter().zip(ranges) {
        body.extend_from_slice(head);
        body.extend_from_slice(&slice(*first, *last));
    }
    body.extend_from_slice(&tail);
    Ranged {
        body: ResponseBody::Bytes(body.freeze()),
        content_range: None,
        content_type: Some(format!("multipart/byteranges; boundary={boundary}")),
    }
}

/// A partial body streamed from `source`.
pub(crate) fn from_source<S: Source>(
    source: S,
    ranges: &[(u64, u64)],
    content_type: Option<&HeaderValue>,
    complete_length: u64,
) -> Ranged {
    let range_segment = |first: u64, last: u64| Segment::Range {
        first,
        remaining: last - first + 1,
        started: false,
    };
    if let [(first, last)] = ranges {
        let reader = Parts {
            source,
            segments: VecDeque::from([range_segment(*first, *last)]),
        };
        let body = ResponseBody::Reader {
            reader: Box::new(reader),
            length: Some(last - first + 1),
        };
        return single(*first, *last, complete_length, body);
    }
    let boundary = boundary();
    let (heads, tail) = multipart_frame(ranges, content_type, complete_length, &boundary);
    let mut length = tail.len() as u64;
    let mut segments = VecDeque::with_capacity(ranges.len() * 2 + 1);
    for (head, (first, last)) in heads.into_iter().zip(ranges) {
        length += head.len() as u64 + (last - first + 1);
        segments.push_back(Segment::Literal(head));
        segments.push_back(range_segment(*first, *last));
    }
    segments.push_back(Segment::Literal(tail));
    Ranged {
        body: ResponseBody::Reader {
            reader: Box::new(Parts { source, segments }),
            length: Some(length),
        },
        content_range: None,
        content_type: Some(format!("multipart/byteranges; boundary={boundary}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(body: ResponseBody) -> Vec<u8> {
        match body {
            ResponseBody::Bytes(bytes) => bytes.to_vec(),
            ResponseBody::Reader { mut reader, length } => {
                let mut out = Vec::new();
                reader.read_to_end(&mut out).unwrap();
                assert_eq!(Some(out.len() as u64), length);
                out
            }
            other => panic!("unexpected body {other:?}"),
        }
    }

    #[test]
    fn streamed_multipart_equals_the_in_memory_one() {
        let data = Bytes::from_static(b"0123456789abcdef");
        let ranges = [(0, 1), (5, 7), (15, 15)];
        let from_memory = from_bytes(&data, &ranges, None, 16);
        let memory = read_all(from_memory.body);
        let boundary = from_memory.content_type.unwrap();
        let boundary = boundary.rsplit('=').next().unwrap();
        let streamed = from_source(
            Forward::new(io::Cursor::new(data.to_vec())),
            &ranges,
            None,
            16,
        );
        let streamed_boundary = streamed.content_type.unwrap();
        let streamed_boundary = streamed_boundary.rsplit('=').next().unwrap().to_owned();
        let streamed = String::from_utf8(read_all(streamed.body)).unwrap();
        assert_eq!(
            streamed.replace(&streamed_boundary, boundary),
            String::from_utf8(memory).unwrap()
        );
    }

    #[test]
    fn a_short_source_is_an_error_not_a_short_body() {
        let ranged = from_source(
            Forward::new(io::Cursor::new(b"0123".to_vec())),
            &[(2, 9)],
            None,
            10,
        );
        let ResponseBody::Reader { mut reader, .. } = ranged.body else {
            panic!("expected a reader");
        };
        let error = reader.read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn boundaries_are_random_hex() {
        let (a, b) = (boundary(), boundary());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
