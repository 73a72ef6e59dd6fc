//! Test support: the test app as a real server process, and a small
//! blocking HTTP/1.1 client.

#![allow(dead_code)]

pub(crate) mod project;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A free port on 127.0.0.1 (bound, then released).
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A scratch folder for one test, removed when dropped.
pub(crate) fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("carafe-devserver-test-")
        .tempdir()
        .unwrap()
}

/// A server process (its own process group, killed when dropped), its
/// stdout and stderr in a log file.
pub(crate) struct Process {
    pub(crate) child: Child,
    pub(crate) address: SocketAddr,
    pub(crate) log: PathBuf,
}

impl Process {
    /// Starts the test app on a free port with `args` and `env`, and waits
    /// until it answers `GET /`.
    pub(crate) fn testapp(args: &[&str], env: &[(&str, &str)]) -> Process {
        let port = free_port();
        let bind = format!("127.0.0.1:{port}");
        let mut all = vec!["--bind", bind.as_str()];
        all.extend_from_slice(args);
        let mut command = Command::new(env!("CARGO_BIN_EXE_carafe-devserver-testapp"));
        command.args(&all);
        for (name, value) in env {
            command.env(name, value);
        }
        let process = Process::spawn(command, bind.parse().unwrap());
        process.wait_ready(Duration::from_secs(20));
        process
    }

    /// Starts `command` (output to a log file, own process group).
    pub(crate) fn spawn(mut command: Command, address: SocketAddr) -> Process {
        let log = std::env::temp_dir().join(format!(
            "carafe-devserver-test-{}-{}.log",
            std::process::id(),
            address.port()
        ));
        let file = std::fs::File::create(&log).unwrap();
        command
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .env_remove("RUST_BACKTRACE")
            .env("NO_COLOR", "1");
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command.spawn().unwrap();
        Process {
            child,
            address,
            log,
        }
    }

    pub(crate) fn wait_ready(&self, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            if let Ok(response) = get(self.address, "/")
                && response.status != 0
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not start; log:\n{}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub(crate) fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the log contains `text` (`n` times); the log.
    pub(crate) fn wait_log(&self, text: &str, n: usize, within: Duration) -> String {
        let deadline = Instant::now() + within;
        loop {
            let log = self.log_text();
            if log.matches(text).count() >= n {
                return log;
            }
            assert!(
                Instant::now() < deadline,
                "{text:?} not in the log ({n} times) after {within:?}:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub(crate) fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Sends `signal` to the process.
    pub(crate) fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([format!("-{signal}"), self.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit; its exit code.
    pub(crate) fn wait_exit(&mut self, within: Duration) -> Option<i32> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.pid())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// A response, read until the server closed the connection.
#[derive(Debug, Default)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) head: String,
    pub(crate) body: Vec<u8>,
}

impl Response {
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A header's value (case-insensitive name).
    pub(crate) fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }
}

/// Parses one response from `raw` (the whole connection).
pub(crate) fn parse(raw: &[u8]) -> Response {
    let Some(end) = raw.windows(4).position(|window| window == b"\r\n\r\n") else {
        return Response::default();
    };
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|status| status.parse().ok())
        .unwrap_or(0);
    let mut body = raw[end + 4..].to_vec();
    let response = Response {
        status,
        head,
        body: Vec::new(),
    };
    if let Some(length) = response
        .header("content-length")
        .and_then(|l| l.parse::<usize>().ok())
    {
        body.truncate(length);
    }
    Response { body, ..response }
}

/// Sends `request` (raw bytes) and reads until the server closes.
pub(crate) fn exchange(address: SocketAddr, request: &[u8]) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.write_all(request)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    Ok(parse(&raw))
}

/// `GET path` with `Connection: close`.
pub(crate) fn get(address: SocketAddr, path: &str) -> std::io::Result<Response> {
    exchange(
        address,
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

/// `GET path` with extra header lines (`Name: value\r\n` each).
pub(crate) fn get_with(
    address: SocketAddr,
    path: &str,
    headers: &str,
) -> std::io::Result<Response> {
    exchange(
        address,
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n{headers}Connection: close\r\n\r\n")
            .as_bytes(),
    )
}

/// `POST path` with a body and a content type.
pub(crate) fn post(
    address: SocketAddr,
    path: &str,
    content_type: &str,
    body: &[u8],
) -> std::io::Result<Response> {
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    exchange(address, &request)
}
