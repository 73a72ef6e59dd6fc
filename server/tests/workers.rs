//! Workers: concurrency, blocking handlers, panics, keep-alive, timeout,
//! recycling (issue 7, point 2).

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::support::load::{Load, Options};
use crate::support::{Server, get, read_response};

#[test]
fn a_handler_sleeping_one_second_delays_no_other_request() {
    let server = Server::start(&["--workers", "1"]);
    let address = server.address;
    let sleepers: Vec<_> = (0..3)
        .map(|_| std::thread::spawn(move || get(address, "/sleep?ms=1500").unwrap()))
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    // New connections and one keep-alive connection, while three handlers sleep.
    let mut stream = BufReader::new(TcpStream::connect(address).unwrap());
    let mut slowest = Duration::ZERO;
    for i in 0..60 {
        let started = Instant::now();
        let response = if i % 2 == 0 {
            get(address, "/plaintext").unwrap()
        } else {
            stream
                .get_mut()
                .write_all(b"GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n")
                .unwrap();
            read_response(&mut stream).unwrap().unwrap()
        };
        assert_eq!(response.text(), "Hello, World!");
        slowest = slowest.max(started.elapsed());
    }
    assert!(
        slowest < Duration::from_millis(300),
        "slowest fast request took {slowest:?}"
    );
    for sleeper in sleepers {
        let response = sleeper.join().unwrap();
        assert_eq!(response.text(), "slept");
    }
}

#[test]
fn a_panicking_handler_is_a_500_and_the_worker_lives() {
    let server = Server::start(&["--workers", "1"]);
    let workers = server.wait_workers(1, Duration::from_secs(5));
    let pid_before = get(server.address, "/pid").unwrap().text();
    for _ in 0..5 {
        let response = get(server.address, "/panic").unwrap();
        assert_eq!(response.status, 500);
        assert!(response.text().contains("panicked"));
    }
    assert_eq!(get(server.address, "/pid").unwrap().text(), pid_before);
    assert_eq!(server.workers(), workers, "no worker was replaced");
    assert!(
        server.log_text().contains("the /panic route panics"),
        "the panic is logged"
    );
}

#[test]
fn many_connections_are_served_concurrently() {
    let server = Server::start(&["--workers", "1"]);
    let load = Load::start(
        server.address,
        Options {
            path: "/plaintext".to_owned(),
            threads: 50,
            max_requests: 40,
            max_time: Duration::from_secs(30),
            ..Options::default()
        },
    );
    // Every one of 50 open connections is waiting on a 300 ms handler at the
    // same time: they are all in flight together or this takes 15 s.
    let started = Instant::now();
    let sleepers: Vec<_> = (0..50)
        .map(|_| {
            let address = server.address;
            std::thread::spawn(move || get(address, "/sleep?ms=300").unwrap().status)
        })
        .collect();
    for sleeper in sleepers {
        assert_eq!(sleeper.join().unwrap(), 200);
    }
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let stats = load.join();
    assert!(stats.failures.is_empty(), "{:?}", stats.failures);
    assert_eq!(stats.ok, 50 * 40);
}

#[test]
fn idle_keepalive_connections_close_after_keepalive() {
    let server = Server::start(&["--keep-alive", "1"]);
    let mut stream = BufReader::new(TcpStream::connect(server.address).unwrap());
    stream
        .get_mut()
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    // Requests 600 ms apart keep the connection open past the keep-alive.
    for i in 0..3 {
        if i > 0 {
            std::thread::sleep(Duration::from_millis(600));
        }
        stream
            .get_mut()
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        assert_eq!(read_response(&mut stream).unwrap().unwrap().status, 200);
    }
    let idle = Instant::now();
    let mut rest = Vec::new();
    let n = stream.read_to_end(&mut rest).unwrap();
    assert_eq!(n, 0, "the server closes without sending anything");
    let waited = idle.elapsed();
    assert!(
        waited >= Duration::from_millis(950) && waited < Duration::from_millis(1700),
        "closed after {waited:?} of idleness"
    );
}

#[test]
fn a_worker_stuck_longer_than_timeout_is_killed_and_replaced() {
    let server = Server::start(&["--workers", "2", "--timeout", "2"]);
    let before = server.wait_workers(2, Duration::from_secs(5));
    let address = server.address;
    let stuck = std::thread::spawn(move || get(address, "/sleep?ms=60000"));
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    // The other worker keeps serving meanwhile.
    let mut served = 0;
    let replaced = loop {
        assert_eq!(get(address, "/plaintext").unwrap().status, 200);
        served += 1;
        let now = server.workers();
        if now.len() == 2 && now != before {
            break started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no replacement: {now:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        replaced < Duration::from_secs(5),
        "replaced after {replaced:?}"
    );
    assert!(served > 10);
    // The stuck request's connection died with its worker.
    assert!(stuck.join().unwrap().is_err());
    assert!(
        server.log_text().contains("WORKER TIMEOUT"),
        "{}",
        server.log_text()
    );
}

#[test]
fn max_requests_recycles_workers_without_failing_a_request() {
    let server = Server::start(&[
        "--workers",
        "1",
        "--max-requests",
        "40",
        "--max-requests-jitter",
        "10",
    ]);
    let load = Load::start(
        server.address,
        Options {
            threads: 4,
            max_requests: 100,
            ..Options::default()
        },
    );
    let stats = load.join();
    assert!(stats.failures.is_empty(), "{:?}", stats.failures);
    assert_eq!(stats.ok, 400);
    // 400 requests, at most 50 per worker.
    assert!(stats.pids.len() >= 8, "{:?}", stats.pids);
}
