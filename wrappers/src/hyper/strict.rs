//! Strict line endings in request heads (sans-IO).
//!
//! hyper's parser (httparse) accepts a bare LF as a line end. RFC 9112 §2.2
//! lets a recipient do that, but a front proxy that reads a bare LF as part
//! of a field value and a server that reads it as a line end disagree on
//! where the headers end — a request-smuggling vector (`X-Note: a\n
//! Content-Length: 43`). gunicorn answers `400`; so does Carafe.
//!
//! [`HeadScanner`] follows the byte stream of a connection the way the
//! server frames it (heads; bodies by `Content-Length` or chunked) and
//! overwrites a bare LF inside a head with a NUL byte before hyper sees it,
//! which makes hyper's parser reject the head with a `400` and close. Bodies
//! are skipped untouched. Anything the scanner does not follow exactly (a
//! framing hyper rejects anyway, `CONNECT`) turns it off for the rest of the
//! connection, so it can only ever turn a head hyper would accept into one it
//! rejects.

use memchr::memchr;

/// Lines longer than this are not kept for framing (hyper's head limits
/// reject such heads anyway, or the field is not a framing header).
const MAX_KEPT_LINE: usize = 8 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading a request head.
    Head,
    /// Skipping a body of this many bytes.
    Body(u64),
    /// Reading a chunk-size line (size so far, in extension).
    ChunkSize { size: u64, digits: bool, ext: bool },
    /// Skipping chunk data.
    ChunkData(u64),
    /// Expecting the CR LF after chunk data (`true`: the CR was seen).
    ChunkEnd(bool),
    /// Reading trailer lines (`true`: the current line is empty so far).
    Trailers(bool),
    /// Not following this connection any more.
    Off,
}

/// Follows one connection's request stream; see the module docs.
#[derive(Debug)]
pub(crate) struct HeadScanner {
    state: State,
    /// The last byte seen.
    prev: u8,
    /// The current head line (only when it may be a framing header or the
    /// request line).
    line: Vec<u8>,
    line_len: usize,
    keep_line: bool,
    first_line: bool,
    http10: bool,
    content_length: Option<u64>,
    bad_length: bool,
    transfer_encoding: Option<Vec<u8>>,
}

impl Default for HeadScanner {
    fn default() -> Self {
        Self {
            state: State::Head,
            prev: b'\n',
            line: Vec::new(),
            line_len: 0,
            keep_line: true,
            first_line: true,
            http10: false,
            content_length: None,
            bad_length: false,
            transfer_encoding: None,
        }
    }
}

impl HeadScanner {
    /// Scans bytes just read from the connection, in order; a bare LF in a
    /// head is overwritten with NUL.
    pub(crate) fn scan(&mut self, bytes: &mut [u8]) {
        let mut i = 0;
        while i < bytes.len() {
            i = match self.state {
                State::Off => return,
                State::Head => self.head(bytes, i),
                State::Body(left) => {
                    let take = left.min((bytes.len() - i) as u64);
                    self.state = match left - take {
                        0 => State::Head,
                        rest => State::Body(rest),
                    };
                    i + take as usize
                }
                State::ChunkData(left) => {
                    let take = left.min((bytes.len() - i) as u64);
                    self.state = match left - take {
                        0 => State::ChunkEnd(false),
                        rest => State::ChunkData(rest),
                    };
                    i + take as usize
                }
                _ => {
                    self.chunk_byte(bytes[i]);
                    i + 1
                }
            };
        }
        if let Some(&last) = bytes.last() {
            self.prev = last;
        }
    }

    /// Head bytes from `start`; returns where the head state ended (or the
    /// end of `bytes`).
    fn head(&mut self, bytes: &mut [u8], start: usize) -> usize {
        let mut i = start;
        loop {
            let Some(offset) = memchr(b'\n', &bytes[i..]) else {
                self.feed(&bytes[i..]);
                return bytes.len();
            };
            let lf = i + offset;
            let before = if lf > 0 { bytes[lf - 1] } else { self.prev };
            if before != b'\r' {
                // A bare LF: make the head unparsable for hyper (a 400).
                bytes[lf] = 0;
                self.state = State::Off;
                return bytes.len();
            }
            let head_ended = if self.line_len == 0 {
                // The whole line is in this read (the usual case): looked at
                // in place, not copied.
                let line = &bytes[i..lf];
                let kept = line.len() <= MAX_KEPT_LINE && (self.first_line || framing(line));
                self.end_of_line(line, line.len(), kept)
            } else {
                self.feed(&bytes[i..lf]);
                let line = std::mem::take(&mut self.line);
                let ended = self.end_of_line(&line, self.line_len, self.keep_line);
                self.line = line;
                ended
            };
            self.reset_line();
            i = lf + 1;
            if self.state == State::Off {
                // Not followed any further, not even the rest of this read.
                return bytes.len();
            }
            if head_ended {
                self.prev = b'\n';
                return i;
            }
            if i == bytes.len() {
                return i;
            }
        }
    }

    /// Part of a line that does not end in this read.
    fn feed(&mut self, part: &[u8]) {
        if self.line_len == 0 && !self.first_line {
            self.keep_line = framing(part);
        }
        if self.keep_line && self.line.len() + part.len() <= MAX_KEPT_LINE {
            self.line.extend_from_slice(part);
        } else {
            self.keep_line = false;
        }
        self.line_len += part.len();
    }

    fn reset_line(&mut self) {
        self.line.clear();
        self.line_len = 0;
        // The request line is always kept (method and version matter).
        self.keep_line = self.first_line;
    }

    /// A complete line (`len` bytes with its CR; `line` is all of it when
    /// `kept`); returns whether it ended the head.
    fn end_of_line(&mut self, line: &[u8], len: usize, kept: bool) -> bool {
        if len == 1 {
            // An empty line before the request line is ignored (RFC 9112 §2.2).
            if self.first_line {
                return false;
            }
            self.end_of_head();
            return true;
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if self.first_line {
            self.first_line = false;
            if !kept || line.starts_with(b"CONNECT ") {
                self.state = State::Off;
            }
            self.http10 = line.ends_with(b"HTTP/1.0");
            return false;
        }
        if !kept {
            return false;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return false;
        };
        let (name, value) = (&line[..colon], trim(&line[colon + 1..]));
        if name.eq_ignore_ascii_case(b"content-length") {
            let parsed = std::str::from_utf8(value)
                .ok()
                .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|v| v.parse::<u64>().ok());
            match (parsed, self.content_length) {
                (Some(n), None) => self.content_length = Some(n),
                (Some(n), Some(m)) if n == m => {}
                _ => self.bad_length = true,
            }
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            let codings = self.transfer_encoding.get_or_insert_with(Vec::new);
            if !codings.is_empty() {
                codings.push(b',');
            }
            codings.extend_from_slice(value);
        }
        false
    }

    fn end_of_head(&mut self) {
        let chunked = self.transfer_encoding.as_ref().map(|codings| {
            codings
                .rsplit(|&b| b == b',')
                .next()
                .is_some_and(|last| trim(last).eq_ignore_ascii_case(b"chunked"))
        });
        self.state = match (chunked, self.content_length, self.bad_length) {
            // Framings hyper rejects (it closes the connection): stop following.
            (Some(_), Some(_), _) | (Some(false), _, _) | (_, _, true) => State::Off,
            (Some(true), None, false) if self.http10 => State::Off,
            (Some(true), None, false) => State::ChunkSize {
                size: 0,
                digits: false,
                ext: false,
            },
            (None, Some(0) | None, false) => State::Head,
            (None, Some(n), false) => State::Body(n),
        };
        self.first_line = true;
        self.http10 = false;
        self.content_length = None;
        self.transfer_encoding = None;
    }

    fn chunk_byte(&mut self, byte: u8) {
        let prev = self.prev;
        self.prev = byte;
        self.state = match (self.state, byte) {
            (State::ChunkSize { size, digits, ext }, b'\n') => {
                if prev != b'\r' || !digits {
                    State::Off
                } else if size == 0 {
                    let _ = ext;
                    State::Trailers(true)
                } else {
                    State::ChunkData(size)
                }
            }
            (State::ChunkSize { .. }, b'\r') => self.state,
            (
                State::ChunkSize {
                    size, ext: false, ..
                },
                b,
            ) if b.is_ascii_hexdigit() => {
                let digit = u64::from((b as char).to_digit(16).unwrap_or(0));
                match size.checked_mul(16).and_then(|s| s.checked_add(digit)) {
                    Some(size) => State::ChunkSize {
                        size,
                        digits: true,
                        ext: false,
                    },
                    None => State::Off,
                }
            }
            (State::ChunkSize { size, digits, .. }, _) => State::ChunkSize {
                size,
                digits,
                ext: true,
            },
            (State::ChunkEnd(false), b'\r') => State::ChunkEnd(true),
            (State::ChunkEnd(true), b'\n') => State::ChunkSize {
                size: 0,
                digits: false,
                ext: false,
            },
            (State::Trailers(empty), b'\n') => {
                if prev != b'\r' {
                    State::Off
                } else if empty {
                    self.prev = b'\n';
                    State::Head
                } else {
                    State::Trailers(true)
                }
            }
            (State::Trailers(empty), b'\r') => State::Trailers(empty),
            (State::Trailers(_), _) => State::Trailers(false),
            _ => State::Off,
        };
    }
}

/// Whether a header line may be a framing header (Content-Length,
/// Transfer-Encoding): only those are looked at.
fn framing(line: &[u8]) -> bool {
    matches!(line.first(), Some(b'c' | b'C' | b't' | b'T'))
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))
        .map_or(start, |e| e + 1);
    &bytes[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Scans `input` split at `cut` (as two reads) and returns the result.
    fn scanned(input: &[u8], cut: usize) -> Vec<u8> {
        let mut bytes = input.to_vec();
        let mut scanner = HeadScanner::default();
        let (a, b) = bytes.split_at_mut(cut);
        scanner.scan(a);
        scanner.scan(b);
        bytes
    }

    fn every_split(input: &[u8]) -> Vec<u8> {
        let whole = scanned(input, input.len());
        for cut in 0..input.len() {
            assert_eq!(scanned(input, cut), whole, "split at {cut}");
        }
        whole
    }

    #[test]
    fn bare_lf_in_a_head_is_poisoned() {
        let input = b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Note: a\nContent-Length: 43\r\n\r\n";
        let out = every_split(input);
        let at = input.windows(2).position(|w| w == b"a\n").unwrap() + 1;
        assert_eq!(out[at], 0);
        assert_eq!(out.iter().filter(|&&b| b == 0).count(), 1);

        let out = every_split(b"GET / HTTP/1.1\nHost: localhost\n\n");
        assert_eq!(out[14], 0);
    }

    #[test]
    fn crlf_heads_and_bodies_are_untouched() {
        let input: &[u8] = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\na\nb\nc\
              GET / HTTP/1.1\r\nHost: x\r\n\r\n\
              POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;ext\r\n\n\n\n\r\n0\r\nT: 1\r\n\r\n\
              GET /last HTTP/1.1\r\nhost: x\r\n\r\n";
        assert_eq!(every_split(input), input);
    }

    #[test]
    fn a_bare_lf_in_the_second_pipelined_head_is_found() {
        let input: &[u8] =
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n\n\n\nGET / HTTP/1.1\nHost: x\r\n\r\n";
        let out = every_split(input);
        let second = input.len() - "\nHost: x\r\n\r\n".len();
        assert_eq!(out[second], 0);
        assert_eq!(
            &out[..second],
            &input[..second],
            "the body's LFs are untouched"
        );
    }

    #[test]
    fn a_request_line_too_long_to_keep_turns_it_off_however_it_is_read() {
        let mut input = b"GET /".to_vec();
        input.resize(MAX_KEPT_LINE + 10, b'a');
        input.extend_from_slice(b" HTTP/1.1\r\nHost: x\n\n");
        assert!(every_split(&input) == input, "a byte was changed");
        for cut in [input.len(), 100, MAX_KEPT_LINE + 20] {
            let mut scanner = HeadScanner::default();
            let mut bytes = input.clone();
            let (a, b) = bytes.split_at_mut(cut);
            scanner.scan(a);
            scanner.scan(b);
            assert_eq!(scanner.state, State::Off, "split at {cut}");
        }
    }

    #[test]
    fn nothing_after_a_connect_line_is_touched() {
        // A tunnel's bytes follow the head; a bare LF in them is data.
        let input: &[u8] = b"CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\nGET / HTTP/1.1\nX: y\n\n";
        assert_eq!(every_split(input), input);
    }

    #[test]
    fn framings_hyper_rejects_turn_it_off() {
        // CL + TE: hyper answers 400 and closes; the rest is not scanned.
        let input: &[u8] = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nGET / HTTP/1.1\nX: y\n\n";
        assert_eq!(every_split(input), input);
        let mut scanner = HeadScanner::default();
        scanner.scan(&mut input.to_vec());
        assert_eq!(scanner.state, State::Off);
    }
}
