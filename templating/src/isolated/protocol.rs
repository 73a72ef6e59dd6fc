//! The framed protocol between a pool and its workers, over the worker's stdin and
//! stdout. A frame is a 4-byte big-endian length, a kind byte, and the payload (JSON
//! for control messages, raw bytes for a rendered page).

use std::io::{self, Read, Write};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::sandbox::Caps;
use crate::{Cap, Error, ForbiddenKind, Location};

pub(crate) const KIND_LOAD: u8 = 1;
pub(crate) const KIND_RENDER: u8 = 2;
pub(crate) const KIND_LOADED: u8 = 10;
pub(crate) const KIND_RENDERED: u8 = 11;
pub(crate) const KIND_FAILED: u8 = 12;

/// The largest request a worker accepts (templates plus data).
pub(crate) const MAX_REQUEST_BYTES: usize = 256 << 20;

/// What the worker renders with: the sandbox (policy and caps) or a plain
/// environment (trusted templates, crash isolation only).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) enum Mode {
    Plain,
    Sandbox(Box<SandboxSpec>),
}

/// A sandbox's configuration, as data (custom Rust filters cannot cross a process).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct SandboxSpec {
    pub(crate) caps: Caps,
    pub(crate) allow_filters: Option<Vec<String>>,
    pub(crate) deny_filters: Vec<String>,
    pub(crate) allow_functions: Option<Vec<String>>,
    pub(crate) deny_functions: Vec<String>,
    pub(crate) allow_tests: Option<Vec<String>>,
    pub(crate) deny_tests: Vec<String>,
}

/// The kernel-enforced limits a worker puts on itself.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct WorkerLimits {
    /// CPU seconds per render (`RLIMIT_CPU` soft limit, moved before each render).
    pub(crate) cpu_seconds: Option<u64>,
    /// Address space (`RLIMIT_AS`).
    pub(crate) memory_bytes: Option<u64>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Load {
    pub(crate) mode: Mode,
    pub(crate) limits: WorkerLimits,
    pub(crate) templates: Vec<(String, String, Option<PathBuf>)>,
}

/// A render request: the template name and the data as JSON text (a map, parsed by
/// the worker in document order), framed as `name length (u32, big-endian) | name |
/// data` so the data is not encoded twice.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Render<'a> {
    pub(crate) name: &'a str,
    pub(crate) data: &'a [u8],
}

impl<'a> Render<'a> {
    pub(crate) fn encode(name: &str, data: &[u8]) -> Vec<u8> {
        let mut payload = Vec::with_capacity(4 + name.len() + data.len());
        payload.extend_from_slice(&(name.len() as u32).to_be_bytes());
        payload.extend_from_slice(name.as_bytes());
        payload.extend_from_slice(data);
        payload
    }

    pub(crate) fn decode(payload: &'a [u8]) -> io::Result<Self> {
        let bad = || io::Error::new(io::ErrorKind::InvalidData, "malformed render request");
        let len = payload.get(..4).ok_or_else(bad)?;
        let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
        let name = payload
            .get(4..4usize.checked_add(len).ok_or_else(bad)?)
            .ok_or_else(bad)?;
        Ok(Render {
            name: std::str::from_utf8(name).map_err(|_| bad())?,
            data: &payload[4 + len..],
        })
    }
}

/// An [`Error`] in transit.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ErrorRecord {
    kind: String,
    message: String,
    cap: Option<String>,
    limit: Option<u64>,
    forbidden: Option<String>,
    name: Option<String>,
    location: Option<LocationRecord>,
}

#[derive(Debug, Serialize, Deserialize)]
struct LocationRecord {
    template: String,
    path: Option<PathBuf>,
    line: usize,
    column: usize,
    width: usize,
    source_line: String,
}

impl ErrorRecord {
    pub(crate) fn from_error(error: &Error) -> Self {
        let location = error.location().map(|l| LocationRecord {
            template: l.template.clone(),
            path: l.path.clone(),
            line: l.line,
            column: l.column,
            width: l.width,
            source_line: l.source_line.clone(),
        });
        let mut record = ErrorRecord {
            kind: "other".into(),
            message: error.to_string(),
            cap: None,
            limit: None,
            forbidden: None,
            name: None,
            location,
        };
        match error {
            Error::Syntax { message, .. } => {
                record.kind = "syntax".into();
                record.message = message.clone();
            }
            Error::Render { message, .. } => {
                record.kind = "render".into();
                record.message = message.clone();
            }
            Error::CapExceeded { cap, limit, .. } => {
                record.kind = "cap".into();
                record.cap = Some(cap.name().into());
                record.limit = Some(*limit);
            }
            Error::Forbidden { kind, name, .. } => {
                record.kind = "forbidden".into();
                record.forbidden = Some(kind.to_string());
                record.name = Some(name.clone());
            }
            Error::NotFound { name, suggestion } => {
                record.kind = "not_found".into();
                record.name = Some(name.clone());
                record.message = suggestion.clone().unwrap_or_default();
            }
            _ => {}
        }
        record
    }

    pub(crate) fn into_error(self) -> Error {
        let location = self.location.map(|l| {
            Box::new(Location {
                template: l.template,
                path: l.path,
                line: l.line,
                column: l.column,
                width: l.width,
                source_line: l.source_line,
            })
        });
        match self.kind.as_str() {
            "syntax" => Error::Syntax {
                message: self.message,
                location,
            },
            "render" => Error::Render {
                message: self.message,
                location,
            },
            "cap" => match self.cap.as_deref().and_then(cap_named) {
                Some(cap) => Error::CapExceeded {
                    cap,
                    limit: self.limit.unwrap_or_default(),
                    location,
                },
                None => Error::Worker {
                    message: self.message,
                },
            },
            "forbidden" => match self.forbidden.as_deref().and_then(forbidden_named) {
                Some(kind) => Error::Forbidden {
                    kind,
                    name: self.name.unwrap_or_default(),
                    location,
                },
                None => Error::Worker {
                    message: self.message,
                },
            },
            "not_found" => Error::NotFound {
                name: self.name.unwrap_or_default(),
                suggestion: Some(self.message).filter(|s| !s.is_empty()),
            },
            _ => Error::Render {
                message: self.message,
                location,
            },
        }
    }
}

fn cap_named(name: &str) -> Option<Cap> {
    [
        Cap::SourceSize,
        Cap::TemplateCount,
        Cap::OutputSize,
        Cap::RenderTime,
        Cap::NestingDepth,
        Cap::RecursionDepth,
        Cap::Iterations,
        Cap::StringLength,
        Cap::CollectionLength,
        Cap::ValueDepth,
        Cap::CpuTime,
        Cap::Memory,
        Cap::WallClock,
    ]
    .into_iter()
    .find(|cap| cap.name() == name)
}

fn forbidden_named(name: &str) -> Option<ForbiddenKind> {
    [
        ForbiddenKind::Filter,
        ForbiddenKind::Function,
        ForbiddenKind::Test,
        ForbiddenKind::Template,
        ForbiddenKind::Name,
    ]
    .into_iter()
    .find(|kind| kind.to_string() == name)
}

/// Writes one frame.
pub(crate) fn write_frame(out: &mut impl Write, kind: u8, payload: &[u8]) -> io::Result<()> {
    let len = u32::try_from(payload.len() + 1).map_err(|_| io::Error::other("frame too large"))?;
    let mut frame = Vec::with_capacity(payload.len() + 5);
    frame.extend_from_slice(&len.to_be_bytes());
    frame.push(kind);
    frame.extend_from_slice(payload);
    out.write_all(&frame)?;
    out.flush()
}

/// Reads one frame (blocking); `Ok(None)` at a clean end of input.
pub(crate) fn read_frame(input: &mut impl Read, max: usize) -> io::Result<Option<(u8, Vec<u8>)>> {
    let mut header = [0u8; 4];
    match input.read_exact(&mut header) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u32::from_be_bytes(header) as usize;
    if len == 0 || len > max.saturating_add(1) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("bad frame length {len}"),
        ));
    }
    let mut body = vec![0u8; len];
    input.read_exact(&mut body)?;
    let kind = body.remove(0);
    Ok(Some((kind, body)))
}

/// Splits frames out of a byte buffer filled incrementally; `None` until complete.
pub(crate) fn take_frame(buffer: &mut Vec<u8>, max: usize) -> io::Result<Option<(u8, Vec<u8>)>> {
    if buffer.len() < 4 {
        return Ok(None);
    }
    let len = u32::from_be_bytes([buffer[0], buffer[1], buffer[2], buffer[3]]) as usize;
    if len == 0 || len > max.saturating_add(1) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("bad frame length {len}"),
        ));
    }
    if buffer.len() < 4 + len {
        return Ok(None);
    }
    let kind = buffer[4];
    let payload = buffer[5..4 + len].to_vec();
    buffer.drain(..4 + len);
    Ok(Some((kind, payload)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_whole_and_in_pieces() {
        let mut wire = Vec::new();
        write_frame(&mut wire, KIND_RENDERED, b"hello").unwrap();
        write_frame(&mut wire, KIND_FAILED, b"").unwrap();
        let mut reader = &wire[..];
        assert_eq!(
            read_frame(&mut reader, 100).unwrap(),
            Some((KIND_RENDERED, b"hello".to_vec()))
        );
        assert_eq!(
            read_frame(&mut reader, 100).unwrap(),
            Some((KIND_FAILED, Vec::new()))
        );
        assert_eq!(read_frame(&mut reader, 100).unwrap(), None);

        let mut buffer = Vec::new();
        let mut frames = Vec::new();
        for byte in &wire {
            buffer.push(*byte);
            while let Some(frame) = take_frame(&mut buffer, 100).unwrap() {
                frames.push(frame);
            }
        }
        assert_eq!(frames.len(), 2);
    }

    #[test]
    fn oversized_frames_are_refused() {
        let mut wire = Vec::new();
        write_frame(&mut wire, KIND_RENDERED, &[0; 50]).unwrap();
        assert!(read_frame(&mut &wire[..], 10).is_err());
        assert!(take_frame(&mut wire.clone(), 10).is_err());
        assert!(read_frame(&mut &[0u8, 0, 0, 0][..], 10).is_err());
    }

    #[test]
    fn render_requests_round_trip_and_refuse_garbage() {
        let payload = Render::encode("pages/a.html", br#"{"x": 1}"#);
        assert_eq!(
            Render::decode(&payload).unwrap(),
            Render {
                name: "pages/a.html",
                data: br#"{"x": 1}"#
            }
        );
        for garbage in [
            &b""[..],
            b"\x00\x00",
            b"\x00\x00\x00\x09abc",
            b"\xff\xff\xff\xff",
            b"\x00\x00\x00\x01\xff",
        ] {
            assert!(Render::decode(garbage).is_err(), "{garbage:?}");
        }
    }

    #[test]
    fn errors_survive_the_trip() {
        let original = Error::CapExceeded {
            cap: Cap::Iterations,
            limit: 7,
            location: Some(Box::new(Location::at_offset("t.html", "ab\ncd", 3, 1))),
        };
        let json = serde_json::to_string(&ErrorRecord::from_error(&original)).unwrap();
        let back: ErrorRecord = serde_json::from_str(&json).unwrap();
        let back = back.into_error();
        assert_eq!(back.report(), original.report());
        assert_eq!(back.cap(), Some(Cap::Iterations));
        let forbidden = Error::Forbidden {
            kind: ForbiddenKind::Template,
            name: "x".into(),
            location: None,
        };
        let back = ErrorRecord::from_error(&forbidden).into_error();
        assert_eq!(back.to_string(), forbidden.to_string());
    }
}
