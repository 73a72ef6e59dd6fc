//! Limits and timeouts (issue 7, point 3): over a limit → 400/413/414/431
//! and close; slow clients cannot hold a connection forever.

use std::io::{BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::support::{Response, Server, read_response, temp_dir};

/// Sends `request`, reads one response, then checks the server closed the
/// connection.
fn answer_and_close(address: SocketAddr, request: &[u8]) -> Response {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut reader = BufReader::new(stream);
    let response = read_response(&mut reader).unwrap().expect("a response");
    let mut rest = Vec::new();
    match reader.read_to_end(&mut rest) {
        Ok(_) => assert!(rest.is_empty(), "bytes after the response: {rest:?}"),
        Err(error) => assert_eq!(error.kind(), ErrorKind::ConnectionReset, "{error}"),
    }
    response
}

fn get_with(address: SocketAddr, target: &str, headers: &str) -> Response {
    let request = format!("GET {target} HTTP/1.1\r\nHost: localhost\r\n{headers}\r\n");
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    read_response(&mut BufReader::new(stream)).unwrap().unwrap()
}

#[test]
fn gunicorn_default_head_limits() {
    let server = Server::start(&[]);
    let address = server.address;

    let long = format!(
        "GET /{} HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "a".repeat(4100)
    );
    let response = answer_and_close(address, long.as_bytes());
    assert_eq!(response.status, 414);
    assert!(
        response.text().contains("limit_request_line (4094 bytes)"),
        "{}",
        response.text()
    );
    // Just under the limit: 4094 = "GET /" + n + " HTTP/1.1".
    let fits = format!("/{}", "a".repeat(4094 - 14));
    assert_eq!(
        get_with(address, &fits, "Connection: close\r\n").status,
        404
    );

    let big = format!(
        "GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: {}\r\n\r\n",
        "v".repeat(8190)
    );
    let response = answer_and_close(address, big.as_bytes());
    assert_eq!(response.status, 431);
    assert!(response.text().contains("\"x-big\""), "{}", response.text());

    let mut many = String::from("GET / HTTP/1.1\r\nHost: localhost\r\n");
    for i in 0..100 {
        many.push_str(&format!("X-{i}: 1\r\n"));
    }
    many.push_str("\r\n");
    assert_eq!(answer_and_close(address, many.as_bytes()).status, 431);
}

#[test]
fn configured_head_limits() {
    let server = Server::start(&[
        "--limit-request-line",
        "100",
        "--limit-request-fields",
        "5",
        "--limit-request-field-size",
        "64",
    ]);
    let address = server.address;
    let target = format!("/{}", "a".repeat(100));
    let request = format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(answer_and_close(address, request.as_bytes()).status, 414);
    assert_eq!(
        get_with(address, "/plaintext", "Connection: close\r\n").status,
        200
    );

    let field = format!("X-A: {}\r\n", "b".repeat(60));
    assert_eq!(
        answer_and_close(
            address,
            format!("GET / HTTP/1.1\r\nHost: x\r\n{field}\r\n").as_bytes()
        )
        .status,
        431
    );
    // Host + 5 more = 6 fields.
    let six = "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\nE: 1\r\n\r\n";
    assert_eq!(answer_and_close(address, six.as_bytes()).status, 431);
    let five = "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 1\r\nC: 1\r\nConnection: close\r\n\r\n";
    assert_eq!(answer_and_close(address, five.as_bytes()).status, 200);
}

#[test]
fn host_rules_of_rfc_9112() {
    let server = Server::start(&[]);
    let missing = answer_and_close(server.address, b"GET / HTTP/1.1\r\n\r\n");
    assert_eq!(missing.status, 400);
    assert!(missing.text().contains("Host"), "{}", missing.text());
    let two = answer_and_close(
        server.address,
        b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    );
    assert_eq!(two.status, 400);
    let http10 = answer_and_close(server.address, b"GET / HTTP/1.0\r\n\r\n");
    assert_eq!(http10.status, 200, "HTTP/1.0 needs no Host");
}

#[test]
fn a_declared_body_over_the_app_limit_is_413_before_it_is_read() {
    let server = Server::start(&[]);
    let started = Instant::now();
    let response = answer_and_close(
        server.address,
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1099511627776\r\n\r\n",
    );
    assert_eq!(response.status, 413);
    assert!(
        response.text().contains("max_content_length"),
        "{}",
        response.text()
    );
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[test]
fn an_endless_chunked_body_is_413_after_the_app_limit() {
    let server = Server::start(&[]);
    let mut stream = TcpStream::connect(server.address).unwrap();
    stream
        .write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        .unwrap();
    let chunk = format!("10000\r\n{}\r\n", "z".repeat(0x10000));
    let reader = stream.try_clone().unwrap();
    let answered = std::thread::spawn(move || {
        let mut reader = BufReader::new(reader);
        read_response(&mut reader).unwrap().unwrap()
    });
    let mut sent = 0usize;
    while !answered.is_finished() && sent < 64 << 20 {
        if stream.write_all(chunk.as_bytes()).is_err() {
            break;
        }
        sent += 0x10000;
    }
    let response = answered.join().unwrap();
    assert_eq!(response.status, 413);
    assert!(sent < 32 << 20, "answered only after {sent} bytes");
    assert!(
        sent >= 16 << 20,
        "answered after {sent} bytes, before the limit"
    );
}

#[test]
fn a_slow_head_is_dropped_after_header_timeout() {
    let server = Server::start(&["--header-timeout", "1"]);
    let mut stream = TcpStream::connect(server.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let started = Instant::now();
    stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    // hyper answers 408 or closes; never a 2xx.
    assert!(!String::from_utf8_lossy(&rest).contains(" 200 "));
}

/// The header timeout runs between requests, from the end of the previous
/// one: a handler slower than it is not cut off, and a head trickling in on
/// a kept-alive connection (reads keep the keep-alive timer from closing it)
/// is dropped about `header_timeout` after the previous response.
#[test]
fn the_header_timeout_spares_a_slow_handler_and_times_the_next_head_on_the_connection() {
    let server = Server::start(&["--header-timeout", "1", "--keepalive", "10"]);
    let stream = TcpStream::connect(server.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    writer
        .write_all(b"GET /sleep?ms=1600 HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let response = read_response(&mut reader).unwrap().expect("a response");
    assert_eq!((response.status, &response.body[..]), (200, &b"slept"[..]));

    let answered = Instant::now();
    writer.write_all(b"GET / HTTP/1.1\r\n").unwrap();
    let mut dropped = None;
    for line in 0..40 {
        std::thread::sleep(Duration::from_millis(100));
        if writer
            .write_all(format!("X-Line-{line}: trickle\r\n").as_bytes())
            .is_err()
        {
            dropped = Some(answered.elapsed());
            break;
        }
        // A closed connection shows on the read side first.
        reader
            .get_ref()
            .set_read_timeout(Some(Duration::from_millis(1)))
            .unwrap();
        let mut byte = [0u8; 1];
        match reader.read(&mut byte) {
            Ok(0) => {
                dropped = Some(answered.elapsed());
                break;
            }
            Ok(_) => panic!("an answer to a head that never ended"),
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => {
                dropped = Some(answered.elapsed());
                break;
            }
        }
    }
    let dropped = dropped.expect("the trickling head was still read after 4 s");
    assert!(
        dropped >= Duration::from_millis(900) && dropped < Duration::from_secs(3),
        "{dropped:?}"
    );
}

#[test]
fn a_slow_body_is_dropped_below_the_minimum_rate() {
    let server = Server::start(&["--body-min-rate", "1000", "--body-rate-grace", "1"]);
    let mut stream = TcpStream::connect(server.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    stream
        .write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
        .unwrap();
    stream.write_all(&[b'z'; 100]).unwrap();
    let started = Instant::now();
    let mut received = Vec::new();
    let mut closed = false;
    while started.elapsed() < Duration::from_secs(10) {
        let _ = stream.write_all(b"z");
        let mut buffer = [0u8; 4096];
        match stream.read(&mut buffer) {
            Ok(0) => {
                closed = true;
                break;
            }
            Ok(n) => received.extend_from_slice(&buffer[..n]),
            Err(error)
                if error.kind() == ErrorKind::WouldBlock || error.kind() == ErrorKind::TimedOut => {
            }
            Err(_) => {
                closed = true;
                break;
            }
        }
    }
    let waited = started.elapsed();
    assert!(closed, "still open after {waited:?}");
    assert!(waited < Duration::from_secs(4), "{waited:?}");
    let text = String::from_utf8_lossy(&received);
    assert!(text.is_empty() || text.starts_with("HTTP/1.1 4"), "{text}");
}

#[test]
fn a_client_that_does_not_read_is_dropped_after_write_timeout() {
    let dir = temp_dir("noread");
    let file = std::fs::File::create(dir.join("big.bin")).unwrap();
    file.set_len(64 << 20).unwrap();
    let static_dir = dir.to_str().unwrap().to_owned();
    let server = Server::start_with_env(
        &["--write-timeout", "1"],
        &[("TESTAPP_STATIC", &static_dir)],
    );
    let mut stream = TcpStream::connect(server.address).unwrap();
    stream
        .write_all(b"GET /static/big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    std::thread::sleep(Duration::from_secs(3));
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut total = 0usize;
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => total += n,
        }
    }
    assert!(
        total < 32 << 20,
        "received {total} bytes: the stalled writer was not dropped"
    );
    // The worker is fine.
    assert_eq!(
        get_with(server.address, "/plaintext", "Connection: close\r\n").status,
        200
    );
}

#[test]
fn worker_connections_caps_concurrent_connections() {
    let server = Server::start(&[
        "--workers",
        "1",
        "--worker-connections",
        "2",
        "--keep-alive",
        "30",
    ]);
    let open = |path: &str| {
        let mut stream = TcpStream::connect(server.address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream
            .write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
            .unwrap();
        stream
    };
    let a = open("/");
    let b = open("/");
    for stream in [&a, &b] {
        let response = read_response(&mut BufReader::new(stream.try_clone().unwrap()));
        assert_eq!(response.unwrap().unwrap().status, 200);
    }
    // A third connection waits in the listen queue...
    let c = open("/plaintext");
    c.set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut probe = [0u8; 1];
    let early = (&c).read(&mut probe);
    assert!(
        early.is_err(),
        "answered while two connections were open: {early:?}"
    );
    // ...until one of the two closes.
    drop(a);
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let response = read_response(&mut BufReader::new(c)).unwrap().unwrap();
    assert_eq!(response.text(), "Hello, World!");
    drop(b);
}
