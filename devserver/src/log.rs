//! The request log and the terminal's messages, in Werkzeug's format.
//!
//! ```text
//! 127.0.0.1 - - [23/Nov/2026 14:05:09] "GET /hello?x=1 HTTP/1.1" 200 13
//! ```
//!
//! On a terminal the request line is coloured by status class with
//! Werkzeug's colours: 1xx bold, 2xx plain, 304 cyan, other 3xx green, 404
//! yellow, other 4xx bold red, 5xx bold magenta. (Werkzeug leaves only `200`
//! plain and paints `201` or `204` like a 5xx; here the whole class is
//! plain.) `NO_COLOR` (any value) or `TERM=dumb` turns colours off.

use std::io::{IsTerminal, Write};
use std::sync::OnceLock;
use std::time::SystemTime;

use carafe_wrappers::hyper::AccessRecord;
use http::{StatusCode, Version};
use time::{OffsetDateTime, UtcOffset};

/// The environment variable that carries the local UTC offset (seconds) from
/// the supervisor to the app process, which may have threads already and so
/// cannot ask for it safely.
pub(crate) const OFFSET_VAR: &str = "CARAFE_DEVSERVER_UTC_OFFSET";

static OFFSET: OnceLock<UtcOffset> = OnceLock::new();

/// The local UTC offset, looked up once (it needs a single-threaded process
/// on Unix; otherwise the one passed down by the supervisor, otherwise UTC).
pub(crate) fn local_offset() -> UtcOffset {
    *OFFSET.get_or_init(|| {
        if let Some(offset) = std::env::var(OFFSET_VAR)
            .ok()
            .and_then(|seconds| seconds.parse().ok())
            .and_then(|seconds| UtcOffset::from_whole_seconds(seconds).ok())
        {
            return offset;
        }
        UtcOffset::current_local_offset().unwrap_or(UtcOffset::UTC)
    })
}

/// Whether stderr shows colours.
pub(crate) fn stderr_color() -> bool {
    static COLOR: OnceLock<bool> = OnceLock::new();
    *COLOR.get_or_init(|| {
        std::env::var_os("NO_COLOR").is_none()
            && std::env::var("TERM").map_or(true, |term| term != "dumb")
            && std::io::stderr().is_terminal()
    })
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `23/Nov/2026 14:05:09`: Python's `BaseHTTPRequestHandler.log_date_time_string`.
pub(crate) fn date_time(time: SystemTime, offset: UtcOffset) -> String {
    let time = OffsetDateTime::from(time).to_offset(offset);
    format!(
        "{:02}/{}/{:04} {:02}:{:02}:{:02}",
        time.day(),
        MONTHS[usize::from(u8::from(time.month())) - 1],
        time.year(),
        time.hour(),
        time.minute(),
        time.second()
    )
}

/// The SGR codes Werkzeug gives a request line with `status`.
fn status_style(status: StatusCode) -> Option<&'static str> {
    match status.as_u16() {
        100..=199 => Some("1"),
        200..=299 => None,
        304 => Some("36"),
        300..=399 => Some("32"),
        404 => Some("33"),
        400..=499 => Some("1;31"),
        _ => Some("1;35"),
    }
}

fn version(version: Version) -> &'static str {
    match version {
        Version::HTTP_09 => "HTTP/0.9",
        Version::HTTP_10 => "HTTP/1.0",
        Version::HTTP_2 => "HTTP/2.0",
        Version::HTTP_3 => "HTTP/3.0",
        _ => "HTTP/1.1",
    }
}

/// One line of the request log (without the newline).
pub(crate) fn request_line(record: &AccessRecord, offset: UtcOffset, color: bool) -> String {
    let client = record
        .remote_addr
        .map_or_else(|| "-".to_owned(), |address| address.ip().to_string());
    let line = format!(
        "{} {} {}",
        record.method,
        record.uri,
        version(record.version)
    );
    let line = match status_style(record.status) {
        Some(style) if color => format!("\x1b[{style}m{line}\x1b[0m"),
        _ => line,
    };
    let size = if record.complete {
        record.bytes.to_string()
    } else {
        format!("{} (incomplete)", record.bytes)
    };
    format!(
        "{client} - - [{}] \"{line}\" {} {size}",
        date_time(record.started, offset),
        record.status.as_u16()
    )
}

/// Writes `line` and a newline to stderr in one write.
pub(crate) fn emit(line: &str) {
    let mut buffer = String::with_capacity(line.len() + 1);
    buffer.push_str(line);
    buffer.push('\n');
    // Nothing to do when stderr is gone.
    let _ = std::io::stderr().lock().write_all(buffer.as_bytes());
}

/// A ` * message` line, as Werkzeug prints its own news.
pub(crate) fn info(message: &str) {
    emit(&format!(" * {message}"));
}

/// A warning in bold red on a terminal.
pub(crate) fn warning(message: &str) {
    if stderr_color() {
        emit(&format!("\x1b[1;31m{message}\x1b[0m"));
    } else {
        emit(message);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn record(status: u16, uri: &str) -> AccessRecord {
        let (head, ()) = http::Request::get(uri).body(()).unwrap().into_parts();
        // 2026-11-23 14:05:09 UTC
        let started = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_442_709);
        AccessRecord::new(
            Some("127.0.0.1:50000".parse().unwrap()),
            &head,
            StatusCode::from_u16(status).unwrap(),
            13,
            started,
        )
    }

    #[test]
    fn werkzeug_format() {
        assert_eq!(
            request_line(&record(200, "/hello?x=1"), UtcOffset::UTC, false),
            r#"127.0.0.1 - - [23/Nov/2026 14:05:09] "GET /hello?x=1 HTTP/1.1" 200 13"#
        );
    }

    #[test]
    fn local_time_is_shown() {
        let offset = UtcOffset::from_hms(2, 0, 0).unwrap();
        assert!(request_line(&record(200, "/"), offset, false).contains("[23/Nov/2026 16:05:09]"));
        let offset = UtcOffset::from_hms(-15, 0, 0).unwrap();
        assert!(request_line(&record(200, "/"), offset, false).contains("[22/Nov/2026 23:05:09]"));
    }

    #[test]
    fn colours_follow_werkzeug() {
        let colored = |status| request_line(&record(status, "/"), UtcOffset::UTC, true);
        assert!(colored(200).contains("\"GET / HTTP/1.1\""), "200 is plain");
        assert!(colored(101).contains("\"\x1b[1mGET / HTTP/1.1\x1b[0m\""));
        assert!(colored(304).contains("\x1b[36mGET"));
        assert!(colored(302).contains("\x1b[32mGET"));
        assert!(colored(404).contains("\x1b[33mGET"));
        assert!(colored(400).contains("\x1b[1;31mGET"));
        assert!(colored(500).contains("\x1b[1;35mGET"));
        assert!(
            colored(204).contains("\"GET / HTTP/1.1\""),
            "the whole 2xx class is plain"
        );
    }

    #[test]
    fn incomplete_responses_say_so() {
        let mut record = record(200, "/big");
        record.complete = false;
        assert!(request_line(&record, UtcOffset::UTC, false).ends_with("200 13 (incomplete)"));
    }
}
