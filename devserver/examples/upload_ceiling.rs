//! The ceiling for the upload benchmark on this machine: a server that does
//! less than any real one must, so no server can go faster here.
//!
//! A thread per connection (no single-thread limit at all), blocking reads of
//! the head and of the whole body into a buffer reused from request to
//! request, and the length of the one multipart part found from its first
//! blank line and the closing delimiter at the end: no scan of the part for
//! boundaries, no copy beyond the kernel's, no log. It answers `POST /upload`
//! of `../shared/bench/SPEC.md` (anything else gets the same treatment).
//!
//! ```text
//! cargo run --release -p carafe-devserver --example upload_ceiling -- --bind 127.0.0.1:8000
//! devserver/bench/upload_ceiling.sh        # beside Werkzeug's dev server, one run
//! ```

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let bind = args
        .iter()
        .position(|arg| arg == "--bind")
        .and_then(|at| args.get(at + 1))
        .map_or("127.0.0.1:8000", String::as_str);
    let listener = TcpListener::bind(bind)?;
    eprintln!("upload ceiling on http://{bind}");
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        std::thread::spawn(move || {
            // A client that goes away ends its connection, nothing else.
            let _ = serve(stream);
        });
    }
    Ok(())
}

/// Limits of this toy (gunicorn's head limits; bodies up to 64 MiB): past
/// one the client gets the status and the connection is closed.
const MAX_LINE: u64 = 8190;
const MAX_FIELDS: usize = 100;
const MAX_BODY: usize = 64 << 20;

/// Requests on one connection until the client closes it.
fn serve(stream: TcpStream) -> io::Result<()> {
    let mut reader = BufReader::with_capacity(64 * 1024, stream.try_clone()?);
    stream.set_nodelay(true)?;
    let mut writer = stream;
    let mut body = Vec::new();
    loop {
        let (status, answer) = match read_head(&mut reader)? {
            None => return Ok(()),
            Some(Ok(length)) => {
                body.resize(length, 0);
                reader.read_exact(&mut body)?;
                ("200 OK", part_length(&body).to_string())
            }
            Some(Err(refusal)) => refusal,
        };
        let response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{answer}",
            answer.len()
        );
        writer.write_all(response.as_bytes())?;
        if !status.starts_with("200") {
            return Ok(());
        }
    }
}

/// A status line and a message.
type Refusal = (&'static str, String);

/// Reads one request head: `None` at the end of the connection, else the
/// body's `Content-Length` or why the request is refused.
fn read_head(reader: &mut impl BufRead) -> io::Result<Option<Result<usize, Refusal>>> {
    let mut length = 0;
    let mut line = Vec::new();
    for index in 0..=MAX_FIELDS + 1 {
        line.clear();
        if reader.take(MAX_LINE + 1).read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        if !line.ends_with(b"\n") && line.len() as u64 <= MAX_LINE {
            // The client went away in the middle of a head.
            return Ok(None);
        }
        if !line.ends_with(b"\n") {
            let what = if index == 0 {
                "request line"
            } else {
                "header field"
            };
            let status = if index == 0 {
                "414 URI Too Long"
            } else {
                "431 Request Header Fields Too Large"
            };
            return Ok(Some(Err((
                status,
                format!("{what} longer than {MAX_LINE} bytes\n"),
            ))));
        }
        if index > 0 && (line == b"\r\n" || line == b"\n") {
            return Ok(Some(Ok(length)));
        }
        let text = String::from_utf8_lossy(&line);
        if let Some((name, value)) = text.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = match value.trim().parse::<usize>() {
                Ok(length) if length <= MAX_BODY => length,
                Ok(_) => {
                    let message = format!("body over {MAX_BODY} bytes\n");
                    return Ok(Some(Err(("413 Content Too Large", message))));
                }
                Err(_) => {
                    let message = "invalid Content-Length\n".to_owned();
                    return Ok(Some(Err(("400 Bad Request", message))));
                }
            };
        }
    }
    let message = format!("more than {MAX_FIELDS} header fields\n");
    Ok(Some(Err(("431 Request Header Fields Too Large", message))))
}

/// The length of the single part: from the blank line after its headers to
/// the `\r\n--boundary--` at the end.
fn part_length(body: &[u8]) -> usize {
    let start = body
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .map_or(0, |at| at + 4);
    let tail = body.len().saturating_sub(256);
    let end = body[tail..]
        .windows(4)
        .rposition(|window| window == b"\r\n--")
        .map_or(body.len(), |at| tail + at);
    end.saturating_sub(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(raw: &[u8]) -> Option<Result<usize, &'static str>> {
        read_head(&mut &raw[..])
            .unwrap()
            .map(|head| head.map_err(|(status, _)| status))
    }

    #[test]
    fn heads_within_the_limits_give_their_length() {
        assert_eq!(
            head(b"POST /upload HTTP/1.1\r\nContent-Length: 12\r\n\r\n"),
            Some(Ok(12))
        );
        assert_eq!(head(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"), Some(Ok(0)));
        assert_eq!(head(b""), None);
    }

    #[test]
    fn garbage_and_oversized_heads_are_refused() {
        let long_line = [b"GET /".as_slice(), &[b'a'; 9000], b" HTTP/1.1\r\n\r\n"].concat();
        assert_eq!(head(&long_line), Some(Err("414 URI Too Long")));
        let long_field = [
            b"GET / HTTP/1.1\r\nX: ".as_slice(),
            &[b'a'; 9000],
            b"\r\n\r\n",
        ]
        .concat();
        assert_eq!(
            head(&long_field),
            Some(Err("431 Request Header Fields Too Large"))
        );
        let many = [
            b"GET / HTTP/1.1\r\n".as_slice(),
            &b"X: y\r\n".repeat(200),
            b"\r\n",
        ]
        .concat();
        assert_eq!(
            head(&many),
            Some(Err("431 Request Header Fields Too Large"))
        );
        let huge = b"POST / HTTP/1.1\r\nContent-Length: 99999999999999\r\n\r\n";
        assert_eq!(head(huge), Some(Err("413 Content Too Large")));
        let bad = b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n";
        assert_eq!(head(bad), Some(Err("400 Bad Request")));
        let unfinished = b"GET / HTTP/1.1\r\nHost: x";
        assert_eq!(head(unfinished), None, "the client went away");
        assert_eq!(
            part_length(b"\xff\x00garbage"),
            9,
            "no delimiters: the whole body"
        );
    }
}
