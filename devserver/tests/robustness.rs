//! Hostile and broken clients: huge bodies, slow bodies, descriptor
//! exhaustion, and the attack corpus.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::support::{Process, get, parse};

#[test]
fn a_huge_content_length_the_handler_ignores() {
    let server = Process::testapp(&[], &[]);
    for path in ["/", "/echo"] {
        let mut stream = TcpStream::connect(server.address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream
            .write_all(
                format!(
                    "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1099511627776\r\n\r\nsome bytes"
                )
                .as_bytes(),
            )
            .unwrap();
        let started = Instant::now();
        let mut raw = Vec::new();
        // The server answers and closes without waiting for the body.
        stream.read_to_end(&mut raw).unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{path}: {:?}",
            started.elapsed()
        );
        let response = parse(&raw);
        match path {
            "/" => assert_eq!((response.status, response.text().as_str()), (200, "ok")),
            _ => assert_eq!(response.status, 413, "{}", response.text()),
        }
    }
    assert_eq!(get(server.address, "/").unwrap().text(), "ok");
}

#[test]
fn a_client_that_announces_a_body_and_stops_is_dropped_after_the_read_timeout() {
    let server = Process::testapp(&[], &[]);
    // Under the 8 MiB read before the handler: the server reads it while
    // serving others, and gives up at the minimum rate (240 B/s after 5 s).
    let mut stalled = TcpStream::connect(server.address).unwrap();
    stalled
        .write_all(
            b"POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 500000\r\n\r\n0123456789",
        )
        .unwrap();
    let started = Instant::now();
    for _ in 0..3 {
        assert_eq!(get(server.address, "/").unwrap().text(), "ok");
    }
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "the stalled client held the server: {:?}",
        started.elapsed()
    );
    stalled
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut raw = Vec::new();
    let _ = stalled.read_to_end(&mut raw);
    let held = started.elapsed();
    assert!(
        held >= Duration::from_secs(4) && held < Duration::from_secs(10),
        "the connection was closed after {held:?}"
    );
    assert!(
        raw.is_empty() || parse(&raw).status == 408,
        "{}",
        String::from_utf8_lossy(&raw)
    );
    assert!(
        !server.log_text().contains("\"POST /echo HTTP/1.1\" 200"),
        "the handler never saw a truncated body"
    );
    assert_eq!(get(server.address, "/").unwrap().text(), "ok");
}

#[test]
fn a_large_slow_body_holds_the_server_no_longer_than_the_rate_limit() {
    let server = Process::testapp(&[], &[]);
    // Above the 8 MiB read before the handler: the handler waits for it.
    let mut slow = TcpStream::connect(server.address).unwrap();
    slow.write_all(b"POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 9000000\r\n\r\n")
        .unwrap();
    slow.write_all(&[b'z'; 100]).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    assert_eq!(get(server.address, "/").unwrap().text(), "ok");
    let waited = started.elapsed();
    // 240 bytes/s after a 5 s grace: the slow client is dropped by then.
    assert!(waited < Duration::from_secs(9), "held for {waited:?}");
    slow.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut rest = Vec::new();
    let _ = slow.read_to_end(&mut rest);
    assert_eq!(get(server.address, "/").unwrap().text(), "ok");
}

#[test]
fn descriptor_exhaustion_backs_off_and_recovers() {
    let server = Process::testapp(&[], &[("TESTAPP_NOFILE", "48")]);
    // Hold more connections than the server has descriptors for.
    let held: Vec<TcpStream> = (0..60)
        .map(|_| TcpStream::connect(server.address).unwrap())
        .collect();
    let log = server.wait_log("accept failed", 1, Duration::from_secs(10));
    assert!(log.contains("Too many open files"), "{log}");
    // A request made now waits in the backlog, it is not refused...
    let address = server.address;
    let waiting = std::thread::spawn(move || get(address, "/pid"));
    std::thread::sleep(Duration::from_millis(300));
    drop(held);
    // ...and is answered once descriptors are free again.
    let answer = waiting.join().unwrap().unwrap();
    assert_eq!(answer.status, 200, "{}", server.log_text());
    assert_eq!(get(server.address, "/").unwrap().text(), "ok");
    let log = server.log_text();
    let reports = log.matches("accept failed").count();
    assert!(
        reports <= 3,
        "one report per run of failures, not one per retry: {log}"
    );
}
