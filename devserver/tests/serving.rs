//! The request log, the banner, one request at a time.

use std::time::{Duration, Instant};

use crate::support::{Process, get, post};

/// `dd/Mon/yyyy hh:mm:ss` between brackets.
fn is_log_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 20
        && bytes[2] == b'/'
        && bytes[6] == b'/'
        && bytes[11] == b' '
        && bytes[14] == b':'
        && bytes[17] == b':'
        && text[..2].chars().all(|c| c.is_ascii_digit())
        && text[3..6].chars().all(|c| c.is_ascii_alphabetic())
}

#[test]
fn banner_and_request_log_in_werkzeug_format() {
    let server = Process::testapp(&[], &[]);
    let plaintext = get(server.address, "/plaintext?x=1").unwrap();
    assert_eq!(plaintext.text(), "Hello, World!");
    assert_eq!(get(server.address, "/missing").unwrap().status, 404);

    let log = server.wait_log("\"GET /missing HTTP/1.1\" 404", 1, Duration::from_secs(5));
    assert!(
        log.contains("WARNING: This is a development server."),
        "{log}"
    );
    assert!(
        log.contains(&format!(" * Running on http://{}\n", server.address)),
        "{log}"
    );
    assert!(log.contains("Press CTRL+C to quit"), "{log}");
    assert!(!log.contains("reachable from other machines"), "{log}");
    let line = log
        .lines()
        .find(|line| line.contains("/plaintext"))
        .unwrap();
    // 127.0.0.1 - - [23/Nov/2026 14:05:09] "GET /plaintext?x=1 HTTP/1.1" 200 13
    let (client, rest) = line.split_once(" - - [").unwrap();
    assert_eq!(client, "127.0.0.1");
    let (time, rest) = rest.split_once("] ").unwrap();
    assert!(is_log_time(time), "{time}");
    assert_eq!(rest, "\"GET /plaintext?x=1 HTTP/1.1\" 200 13");
    assert!(!log.contains('\u{1b}'), "NO_COLOR: no colours");
}

#[test]
fn one_request_at_a_time() {
    let server = Process::testapp(&[], &[]);
    let address = server.address;
    let started = Instant::now();
    // Requests without a body run on the runtime thread; those with a body
    // larger than the 8 MiB read ahead on the handler thread: neither
    // overlaps the other.
    let big = vec![b'x'; 9 * 1024 * 1024];
    let clients: Vec<_> = (0..6)
        .map(|i| {
            let big = big.clone();
            std::thread::spawn(move || {
                let response = if i % 2 == 0 {
                    get(address, "/sleep?ms=150")
                } else {
                    post(address, "/sleep?ms=150", "application/octet-stream", &big)
                };
                response.unwrap().text()
            })
        })
        .collect();
    for client in clients {
        assert_eq!(client.join().unwrap(), "slept");
    }
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "six 150 ms handlers in {:?}: they overlapped",
        started.elapsed()
    );
    assert_eq!(get(address, "/concurrency").unwrap().text(), "max=1");
}

#[test]
fn slow_clients_do_not_hold_the_server() {
    use std::io::Write;

    let server = Process::testapp(&[], &[]);
    let address = server.address;
    // A client that sends half a head, and one that sends a tenth of a body.
    let mut head = std::net::TcpStream::connect(address).unwrap();
    head.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
        .unwrap();
    let mut body = std::net::TcpStream::connect(address).unwrap();
    body.write_all(
        b"POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n0123456789",
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    for _ in 0..5 {
        assert_eq!(get(address, "/plaintext").unwrap().status, 200);
    }
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "slow clients held the server: {:?}",
        started.elapsed()
    );
    drop((head, body));
}

#[test]
fn ctrl_c_stops_the_server_even_when_it_started_with_sigint_ignored() {
    // A background job of a shell without job control starts with SIGINT
    // ignored (and so do some harnesses); `trap '' INT` then `exec` does the
    // same. The server handles the signal itself: the request in progress
    // finishes, then it exits.
    let port = crate::support::free_port();
    let address: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut command = std::process::Command::new("sh");
    command.args([
        "-c",
        "trap '' INT; exec \"$0\" --bind \"$1\"",
        env!("CARGO_BIN_EXE_carafe-devserver-testapp"),
        &address.to_string(),
    ]);
    let mut server = Process::spawn(command, address);
    server.wait_ready(Duration::from_secs(20));
    let slow = std::thread::spawn(move || get(address, "/sleep?ms=2000").unwrap());
    // The handler sleeps 2 s: signal while it runs.
    std::thread::sleep(Duration::from_millis(500));
    server.signal("INT");
    assert_eq!(
        slow.join().unwrap().text(),
        "slept",
        "the request in progress finishes"
    );
    assert_eq!(
        server.wait_exit(Duration::from_secs(15)),
        Some(0),
        "{}",
        server.log_text()
    );
}
