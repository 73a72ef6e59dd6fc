//! Settings through the real binary: precedence, logs, pid file, user,
//! umask, trusted proxies (issue 7, point 4).

use std::io::{BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use crate::support::{Server, free_port, get, read_response, sig, temp_dir};

fn wait_for(what: &str, within: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn flags_beat_the_environment_which_beats_the_file() {
    let dir = temp_dir("precedence");
    let file = dir.join("server.toml");
    std::fs::write(&file, "workers = 3\nkeepalive = 5\n").unwrap();
    let config = file.to_str().unwrap();

    let server = Server::start(&["--config", config]);
    server.wait_workers(3, Duration::from_secs(10));
    drop(server);

    let server = Server::start_with_env(&["-c", config], &[("CARAFE_WORKERS", "2")]);
    server.wait_workers(2, Duration::from_secs(10));
    drop(server);

    let server = Server::start_with_env(
        &["-c", config, "-w", "1"],
        &[("CARAFE_WORKERS", "2"), ("CARAFE_CMD_ARGS", "--workers 4")],
    );
    server.wait_workers(1, Duration::from_secs(10));
    drop(server);

    let server = Server::start_with_env(
        &["--config", config],
        &[("CARAFE_WORKERS", "2"), ("CARAFE_CMD_ARGS", "--workers 4")],
    );
    server.wait_workers(4, Duration::from_secs(10));
}

#[test]
fn bad_settings_stop_the_start_with_a_message_naming_them() {
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    for (args, expected) in [
        (vec!["--workers", "0"], "workers"),
        (vec!["--wrokers", "2"], "did you mean `--workers`"),
        (vec!["--timeout", "soon"], "timeout"),
        (vec!["--bind", "127.0.0.1:http"], "bind"),
    ] {
        let mut all = vec!["--bind", bind.as_str()];
        all.extend(args);
        let mut server = Server::spawn(&all, &[], bind.parse().unwrap());
        assert_eq!(server.wait_exit(Duration::from_secs(10)), Some(1));
        let log = server.log_text();
        assert!(log.contains(expected), "{expected:?} not in {log:?}");
    }
}

#[test]
fn access_log_in_apache_combined_format_and_usr1_reopens_it() {
    let dir = temp_dir("accesslog");
    let access = dir.join("access.log");
    let server = Server::start(&[
        "--access-logfile",
        access.to_str().unwrap(),
        "--workers",
        "2",
    ]);
    let mut stream = std::net::TcpStream::connect(server.address).unwrap();
    stream
        .write_all(
            b"GET /plaintext?x=1 HTTP/1.1\r\nHost: x\r\nReferer: http://ref/\"q\"\r\n\
              User-Agent: test-agent/1.0\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
    read_response(&mut BufReader::new(stream)).unwrap().unwrap();
    wait_for("the access log line", Duration::from_secs(5), || {
        std::fs::read_to_string(&access).is_ok_and(|text| text.contains("/plaintext?x=1"))
    });
    let text = std::fs::read_to_string(&access).unwrap();
    let line = text.lines().find(|l| l.contains("/plaintext?x=1")).unwrap();
    // 127.0.0.1 - - [23/Nov/2026:21:47:54 +0000] "GET /plaintext?x=1 HTTP/1.1" 200 13 "http://ref/\"q\"" "test-agent/1.0"
    assert!(line.starts_with("127.0.0.1 - - ["), "{line}");
    assert!(
        line.contains(" +0000] \"GET /plaintext?x=1 HTTP/1.1\" 200 13 "),
        "{line}"
    );
    assert!(
        line.ends_with(" \"http://ref/\\\"q\\\"\" \"test-agent/1.0\""),
        "{line}"
    );
    let date = &line[line.find('[').unwrap() + 1..line.find(']').unwrap()];
    assert_eq!(date.len(), "23/Nov/2026:21:47:54 +0000".len(), "{date}");

    // Log rotation: move the file away, USR1, the log starts again.
    let rotated = dir.join("access.log.1");
    std::fs::rename(&access, &rotated).unwrap();
    server.signal(sig::USR1);
    std::thread::sleep(Duration::from_millis(300));
    wait_for("a new access log", Duration::from_secs(10), || {
        let _ = get(server.address, "/after-rotation");
        std::fs::read_to_string(&access).is_ok_and(|text| text.contains("/after-rotation"))
    });
    assert!(
        !std::fs::read_to_string(&rotated)
            .unwrap()
            .contains("/after-rotation")
    );
}

#[test]
fn error_log_and_pid_file() {
    let dir = temp_dir("errorlog");
    let errors = dir.join("error.log");
    let pidfile = dir.join("app.pid");
    let mut server = Server::start(&[
        "--error-logfile",
        errors.to_str().unwrap(),
        "--pid",
        pidfile.to_str().unwrap(),
        "--log-level",
        "info",
    ]);
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(pid, server.pid());
    let log = std::fs::read_to_string(&errors).unwrap();
    assert!(log.contains("[INFO] starting carafe-server"), "{log}");
    assert!(
        log.contains(&format!(
            "[{pid}] [INFO] listening at: http://{}",
            server.address
        )),
        "{log}"
    );
    let _ = get(server.address, "/panic");
    wait_for("the panic in the error log", Duration::from_secs(5), || {
        std::fs::read_to_string(&errors).is_ok_and(|log| log.contains("[ERROR] panicked at"))
    });
    server.signal(sig::TERM);
    assert_eq!(server.wait_exit(Duration::from_secs(10)), Some(0));
    assert!(!pidfile.exists());
}

#[test]
fn umask_applies_to_the_unix_socket() {
    let dir = temp_dir("umask");
    let socket = dir.join("app.sock");
    let bind = format!("unix:{}", socket.display());
    let port = free_port();
    let tcp = format!("127.0.0.1:{port}");
    let server = Server::spawn(
        &["--bind", &tcp, "--bind", &bind, "--umask", "077"],
        &[],
        tcp.parse().unwrap(),
    );
    server.wait_ready(Duration::from_secs(10));
    let mode = std::fs::metadata(&socket).unwrap().permissions().mode();
    assert_eq!(mode & 0o077, 0, "mode {mode:o}");
    let mut stream = UnixStream::connect(&socket).unwrap();
    stream
        .write_all(b"GET /scheme HTTP/1.1\r\nHost: x\r\nX-Forwarded-Proto: https\r\nConnection: close\r\n\r\n")
        .unwrap();
    let response = read_response(&mut BufReader::new(stream)).unwrap().unwrap();
    assert_eq!(
        response.text(),
        "https",
        "a unix-socket peer is a trusted proxy"
    );
}

#[test]
fn forwarded_allow_ips_decides_whose_scheme_headers_count() {
    let request =
        b"GET /scheme HTTP/1.1\r\nHost: x\r\nX-Forwarded-Proto: https\r\nConnection: close\r\n\r\n";
    let trusted = Server::start(&[]);
    let answer = crate::support::raw(trusted.address, request)
        .unwrap()
        .unwrap();
    assert_eq!(answer.text(), "https", "127.0.0.1 is trusted by default");
    assert_eq!(get(trusted.address, "/scheme").unwrap().text(), "http");
    drop(trusted);
    let untrusted = Server::start(&["--forwarded-allow-ips", "10.0.0.0/8"]);
    let answer = crate::support::raw(untrusted.address, request)
        .unwrap()
        .unwrap();
    assert_eq!(answer.text(), "http");
}

#[test]
fn workers_run_as_the_configured_user() {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let root = status
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0"));
    if !root {
        eprintln!("skipped: switching users needs root");
        return;
    }
    let server = Server::start(&["--user", "nobody", "--group", "nogroup", "--workers", "1"]);
    let workers = server.wait_workers(1, Duration::from_secs(5));
    let status = std::fs::read_to_string(format!("/proc/{}/status", workers[0])).unwrap();
    let uid = status.lines().find(|l| l.starts_with("Uid:")).unwrap();
    let gid = status.lines().find(|l| l.starts_with("Gid:")).unwrap();
    assert_eq!(uid.split_whitespace().nth(2), Some("65534"), "{uid}");
    assert_eq!(gid.split_whitespace().nth(2), Some("65534"), "{gid}");
    assert_eq!(get(server.address, "/plaintext").unwrap().status, 200);
    // The master keeps its user.
    let master = std::fs::read_to_string(format!("/proc/{}/status", server.pid())).unwrap();
    assert!(
        master
            .lines()
            .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
    );
}

#[test]
fn hup_reloads_the_config_file_and_replaces_the_workers() {
    let dir = temp_dir("hup");
    let file = dir.join("server.toml");
    std::fs::write(&file, "workers = 2\n").unwrap();
    let server = Server::start(&["--config", file.to_str().unwrap()]);
    let before = server.wait_workers(2, Duration::from_secs(10));
    std::fs::write(&file, "workers = 3\nkeepalive = 7\n").unwrap();
    server.signal(sig::HUP);
    wait_for("three new workers", Duration::from_secs(20), || {
        let now = server.workers();
        now.len() == 3 && now.iter().all(|pid| !before.contains(pid))
    });
    // A broken file keeps the running settings.
    std::fs::write(&file, "workers = \"many\"\n").unwrap();
    let current = server.workers();
    server.signal(sig::HUP);
    wait_for(
        "the reload error in the log",
        Duration::from_secs(10),
        || {
            server
                .log_text()
                .contains("HUP: keeping the current settings")
        },
    );
    assert_eq!(server.workers(), current);
    assert_eq!(get(server.address, "/plaintext").unwrap().status, 200);
}

#[test]
fn a_process_that_already_runs_threads_is_refused() {
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let mut server = Server::spawn(
        &["--bind", &bind],
        &[("TESTAPP_THREAD_BEFORE_RUN", "1")],
        bind.parse().unwrap(),
    );
    assert_eq!(server.wait_exit(Duration::from_secs(10)), Some(1));
    let log = server.log_text();
    assert!(log.contains("forking it is not safe"), "{log}");
}
