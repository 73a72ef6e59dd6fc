//! The master: binding, signals, transitions under load (issue 7, point 1).

use std::io::{BufReader, Write};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use crate::support::load::{Load, Options};
use crate::support::{
    Server, alive, children, free_port, get, read_response, send_signal, sig, temp_dir,
};

fn read_pid(path: &std::path::Path) -> Option<i32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

fn wait_until(what: &str, within: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn every_transition_under_load_refuses_no_connection_and_fails_no_request() {
    let dir = temp_dir("transitions");
    let pidfile = dir.join("master.pid");
    let pidfile_arg = pidfile.to_str().unwrap().to_owned();
    let mut server = Server::start(&[
        "--workers",
        "2",
        "--pid",
        &pidfile_arg,
        "--graceful-timeout",
        "10",
    ]);
    let first = server.wait_workers(2, Duration::from_secs(10));
    // Keep-alive connections and a new connection per request, all the time.
    let keepalive = Load::start(
        server.address,
        Options {
            threads: 3,
            max_time: Duration::from_secs(120),
            ..Options::default()
        },
    );
    let fresh = Load::start(
        server.address,
        Options {
            threads: 2,
            keepalive: false,
            max_time: Duration::from_secs(120),
            ..Options::default()
        },
    );
    let progress = |n| {
        keepalive.wait_progress(n, Duration::from_secs(20));
        fresh.wait_progress(n, Duration::from_secs(20));
    };
    progress(300);

    // TTIN: one more worker.
    server.signal(sig::TTIN);
    server.wait_workers(3, Duration::from_secs(10));
    progress(300);

    // TTOU: one fewer (the oldest stops gracefully).
    server.signal(sig::TTOU);
    let after_ttou = server.wait_workers(2, Duration::from_secs(15));
    progress(300);

    // HUP: new workers serve before the old ones stop.
    server.signal(sig::HUP);
    wait_until(
        "HUP to replace every worker",
        Duration::from_secs(20),
        || {
            let now = server.workers();
            now.len() == 2 && now.iter().all(|pid| !after_ttou.contains(pid))
        },
    );
    progress(300);

    // USR2: a new master from the executable, sharing the sockets; then TERM
    // to the old one, which drains.
    let old_master = server.pid();
    server.signal(sig::USR2);
    let mut new_master = 0;
    wait_until(
        "the new master to write its pid file",
        Duration::from_secs(20),
        || {
            new_master = read_pid(&pidfile).unwrap_or(0);
            new_master != 0 && new_master != old_master
        },
    );
    wait_until("the new master's workers", Duration::from_secs(20), || {
        children(new_master).len() == 2
    });
    assert_eq!(read_pid(&dir.join("master.pid.oldbin")), Some(old_master));
    progress(300);
    send_signal(old_master, sig::TERM);
    assert_eq!(
        server.wait_exit(Duration::from_secs(20)),
        Some(0),
        "{}",
        server.log_text()
    );
    progress(300);

    let keepalive = keepalive.finish();
    let fresh = fresh.finish();
    for stats in [&keepalive, &fresh] {
        assert!(
            stats.failures.is_empty(),
            "{:#?}\n{}",
            stats.failures,
            server.log_text()
        );
    }
    println!(
        "transitions: {} keep-alive requests on {} connections, {} requests on new connections, workers {:?}",
        keepalive.ok, keepalive.connections, fresh.ok, fresh.pids
    );
    // Every worker of every generation served requests.
    assert!(
        first
            .iter()
            .any(|pid| fresh.pids.contains(pid) || keepalive.pids.contains(pid))
    );
    let served_by_new: Vec<i32> = children(new_master);
    assert!(
        served_by_new
            .iter()
            .any(|pid| fresh.pids.contains(pid) || keepalive.pids.contains(pid)),
        "the new master's workers served nothing"
    );
    send_signal(new_master, sig::TERM);
    wait_until("the new master to stop", Duration::from_secs(20), || {
        !alive(new_master)
    });
    assert!(!pidfile.exists(), "the pid file is removed at exit");
}

#[test]
fn term_finishes_requests_in_flight_then_exits() {
    let mut server = Server::start(&["--workers", "1", "--graceful-timeout", "10"]);
    let address = server.address;
    let slow = std::thread::spawn(move || get(address, "/sleep?ms=1500"));
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    server.signal(sig::TERM);
    let response = slow.join().unwrap().unwrap();
    assert_eq!(response.text(), "slept");
    assert_eq!(server.wait_exit(Duration::from_secs(10)), Some(0));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(get(address, "/").is_err(), "nothing listens any more");
}

#[test]
fn graceful_timeout_bounds_a_term() {
    let mut server = Server::start(&["--workers", "1", "--graceful-timeout", "1"]);
    let address = server.address;
    let slow = std::thread::spawn(move || get(address, "/sleep?ms=20000"));
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    server.signal(sig::TERM);
    assert_eq!(server.wait_exit(Duration::from_secs(10)), Some(0));
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert!(slow.join().unwrap().is_err());
}

#[test]
fn int_and_quit_stop_at_once() {
    for signal in [sig::INT, sig::QUIT] {
        let mut server = Server::start(&["--workers", "2", "--graceful-timeout", "30"]);
        let address = server.address;
        let workers = server.wait_workers(2, Duration::from_secs(5));
        let slow = std::thread::spawn(move || get(address, "/sleep?ms=20000"));
        std::thread::sleep(Duration::from_millis(300));
        let started = Instant::now();
        server.signal(signal);
        assert_eq!(server.wait_exit(Duration::from_secs(10)), Some(0));
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        assert!(slow.join().unwrap().is_err());
        assert!(workers.iter().all(|pid| !alive(*pid)));
    }
}

#[test]
fn a_killed_worker_is_replaced_within_a_second_and_others_are_unaffected() {
    let server = Server::start(&["--workers", "2"]);
    let workers = server.wait_workers(2, Duration::from_secs(5));
    let load = Load::start(
        server.address,
        Options {
            threads: 4,
            max_time: Duration::from_secs(60),
            ..Options::default()
        },
    );
    load.wait_progress(200, Duration::from_secs(20));
    let victim = workers[0];
    let killed = Instant::now();
    send_signal(victim, sig::KILL);
    let replaced = loop {
        let now = server.workers();
        if now.len() == 2 && !now.contains(&victim) {
            break killed.elapsed();
        }
        assert!(killed.elapsed() < Duration::from_secs(5), "{now:?}");
        std::thread::sleep(Duration::from_millis(5));
    };
    assert!(
        replaced < Duration::from_secs(1),
        "replaced after {replaced:?}"
    );
    load.wait_progress(300, Duration::from_secs(20));
    let stats = load.finish();
    // Only connections of the killed worker may have failed.
    for failure in &stats.failures {
        assert!(
            failure.pid == Some(victim) || (failure.fresh && failure.pid.is_none()),
            "a request on another worker failed: {failure:?}"
        );
    }
    assert!(stats.failures.len() <= 4, "{:?}", stats.failures);
    assert!(server.log_text().contains("exited unexpectedly"));
}

#[test]
fn a_crash_loop_backs_off() {
    let server = Server::start_with_env(&["--workers", "1"], &[("TESTAPP_DIE_AFTER_MS", "100")]);
    std::thread::sleep(Duration::from_secs(3));
    let log = server.log_text();
    let boots = log.matches("booting worker").count();
    // Without back-off a worker living 100 ms would be started ~30 times in
    // 3 s; with 100, 200, 400, 800 ms pauses, about 6.
    assert!((3..=10).contains(&boots), "{boots} boots:\n{log}");
    assert!(log.contains("crash loop"), "{log}");
}

#[test]
fn a_first_worker_that_fails_to_boot_stops_the_master() {
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let mut server = Server::spawn(
        &["--bind", &bind],
        &[("TESTAPP_BOOT_PANIC", "1")],
        bind.parse().unwrap(),
    );
    let status = server.wait_exit(Duration::from_secs(10));
    assert_eq!(status, Some(1), "{}", server.log_text());
    let log = server.log_text();
    assert!(log.contains("failed to boot"), "{log}");
}

#[test]
fn binds_several_addresses_and_a_unix_socket() {
    let dir = temp_dir("binds");
    let socket = dir.join("app.sock");
    let (a, b) = (free_port(), free_port());
    let (bind_a, bind_b) = (format!("127.0.0.1:{a}"), format!("127.0.0.1:{b}"));
    let unix = format!("unix:{}", socket.display());
    let server = Server::spawn(
        &["--bind", &bind_a, "-b", &bind_b, "--bind", &unix],
        &[],
        bind_a.parse().unwrap(),
    );
    server.wait_ready(Duration::from_secs(10));
    assert_eq!(get(bind_b.parse().unwrap(), "/").unwrap().text(), "ok");
    let mut stream = UnixStream::connect(&socket).unwrap();
    stream
        .write_all(b"GET /plaintext HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let response = read_response(&mut BufReader::new(stream)).unwrap().unwrap();
    assert_eq!(response.text(), "Hello, World!");
    drop(server);
}

#[test]
fn adopts_sockets_passed_by_systemd() {
    // A parent that opens the socket, passes it as fd 3 with LISTEN_FDS and
    // LISTEN_PID, and becomes the server (exec keeps the pid).
    let port = free_port();
    let script = format!(
        "import os, socket, sys\n\
         s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n\
         s.bind(('127.0.0.1', {port})); s.listen(16)\n\
         os.dup2(s.fileno(), 3); os.set_inheritable(3, True)\n\
         os.environ['LISTEN_FDS'] = '1'; os.environ['LISTEN_PID'] = str(os.getpid())\n\
         os.execv(sys.argv[1], [sys.argv[1], '--bind', '127.0.0.1:1'])\n"
    );
    let log = std::env::temp_dir().join(format!("carafe-systemd-{port}.log"));
    let file = std::fs::File::create(&log).unwrap();
    let mut command = std::process::Command::new("python3");
    command
        .args(["-c", &script, env!("CARGO_BIN_EXE_carafe-testapp")])
        .stdout(file.try_clone().unwrap())
        .stderr(file);
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let child = command.spawn().unwrap();
    let server = Server {
        child,
        address: format!("127.0.0.1:{port}").parse().unwrap(),
        log,
    };
    server.wait_ready(Duration::from_secs(10));
    assert_eq!(
        get(server.address, "/plaintext").unwrap().text(),
        "Hello, World!"
    );
    assert!(
        server
            .log_text()
            .contains(&format!("listening at: http://127.0.0.1:{port}"))
    );
}
