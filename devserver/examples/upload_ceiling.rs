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

/// Requests on one connection until the client closes it.
fn serve(stream: TcpStream) -> io::Result<()> {
    let mut reader = BufReader::with_capacity(64 * 1024, stream.try_clone()?);
    stream.set_nodelay(true)?;
    let mut writer = stream;
    let mut body = Vec::new();
    let mut line = String::new();
    loop {
        let mut length = 0usize;
        let mut first = true;
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            if line == "\r\n" && !first {
                break;
            }
            first = false;
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        body.resize(length, 0);
        reader.read_exact(&mut body)?;
        let answer = part_length(&body).to_string();
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{answer}",
            answer.len()
        );
        writer.write_all(response.as_bytes())?;
    }
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
