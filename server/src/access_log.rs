//! The access log: one line per request in Apache's combined format.

use std::fmt::Write as _;
use std::sync::Arc;

use carafe_wrappers::hyper::{AccessObserver, AccessRecord};
use http::header::HeaderValue;

use crate::log::{Log, civil};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Apache's combined log format:
/// `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"`, time in UTC.
/// Quotes, backslashes and control bytes in the quoted fields are escaped
/// (`\"`, `\\`, `\xHH`), as Apache does, so a client cannot forge lines.
pub(crate) fn combined(record: &AccessRecord) -> String {
    let mut line = String::with_capacity(160);
    match record.remote_addr {
        Some(address) => {
            let _ = write!(line, "{}", address.ip());
        }
        None => line.push('-'),
    }
    let (year, month, day, h, m, s) = civil(record.started);
    let _ = write!(
        line,
        " - - [{day:02}/{}/{year}:{h:02}:{m:02}:{s:02} +0000] \"",
        MONTHS[(month - 1) as usize]
    );
    escape(&mut line, record.method.as_str().as_bytes());
    line.push(' ');
    escape(&mut line, record.uri.to_string().as_bytes());
    let _ = write!(line, " {:?}\" {} ", record.version, record.status.as_u16());
    if record.bytes == 0 {
        line.push('-');
    } else {
        let _ = write!(line, "{}", record.bytes);
    }
    quoted(&mut line, record.referer.as_ref());
    quoted(&mut line, record.user_agent.as_ref());
    line.push('\n');
    line
}

fn quoted(line: &mut String, value: Option<&HeaderValue>) {
    line.push_str(" \"");
    match value {
        Some(value) => escape(line, value.as_bytes()),
        None => line.push('-'),
    }
    line.push('"');
}

fn escape(line: &mut String, bytes: &[u8]) {
    for &byte in bytes {
        match byte {
            b'"' => line.push_str("\\\""),
            b'\\' => line.push_str("\\\\"),
            0x20..=0x7e => line.push(byte as char),
            _ => {
                let _ = write!(line, "\\x{byte:02x}");
            }
        }
    }
}

/// The observer that writes every finished request to the access log, when
/// the worker has one.
pub(crate) fn observer() -> Option<AccessObserver> {
    let sender = Log::access_sender()?;
    Some(Arc::new(move |record: AccessRecord| {
        sender.send(combined(&record).into_bytes());
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn combined_format_matches_apache() {
        let (head, ()) = http::Request::get("/a?b=c")
            .header("referer", "http://x/\"q\"")
            .header("user-agent", "curl/8.0")
            .body(())
            .unwrap()
            .into_parts();
        let record = carafe_wrappers::hyper::AccessRecord::new(
            Some("127.0.0.1:5000".parse().unwrap()),
            &head,
            http::StatusCode::OK,
            13,
            UNIX_EPOCH + Duration::from_secs(971_211_336),
        );
        assert_eq!(
            combined(&record),
            "127.0.0.1 - - [10/Oct/2000:20:55:36 +0000] \"GET /a?b=c HTTP/1.1\" 200 13 \
             \"http://x/\\\"q\\\"\" \"curl/8.0\"\n"
        );
    }
}
