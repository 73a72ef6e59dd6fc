//! Test support: the test app as a real server process, a small blocking
//! HTTP/1.1 client, and a bounded load generator.

#![allow(dead_code)]

pub(crate) mod load;

use std::io::{BufRead, BufReader, Write};
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

/// A scratch directory for one test.
pub(crate) fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("carafe-server-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The test app running as a server: master and workers in their own process
/// group, all killed when this is dropped.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) address: SocketAddr,
    pub(crate) log: PathBuf,
}

impl Server {
    /// Starts `carafe-testapp --bind 127.0.0.1:PORT ARGS` and waits until it
    /// answers `GET /`.
    pub(crate) fn start(args: &[&str]) -> Server {
        Self::start_with_env(args, &[])
    }

    pub(crate) fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Server {
        let port = free_port();
        let address: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let bind = format!("127.0.0.1:{port}");
        let mut all = vec!["--bind", bind.as_str()];
        all.extend_from_slice(args);
        let server = Self::spawn(&all, env, address);
        server.wait_ready(Duration::from_secs(20));
        server
    }

    /// Starts the test app with exactly `args` (no `--bind` added); `address`
    /// is where tests will connect.
    pub(crate) fn spawn(args: &[&str], env: &[(&str, &str)], address: SocketAddr) -> Server {
        let log = std::env::temp_dir().join(format!(
            "carafe-server-test-{}-{}.log",
            std::process::id(),
            address.port()
        ));
        let file = std::fs::File::create(&log).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_carafe-testapp"));
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .env_remove("RUST_BACKTRACE");
        for (name, value) in env {
            command.env(name, value);
        }
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command.spawn().unwrap();
        Server {
            child,
            address,
            log,
        }
    }

    pub(crate) fn wait_ready(&self, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            if let Ok(response) = get(self.address, "/")
                && response.status == 200
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

    pub(crate) fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    pub(crate) fn signal(&self, signal: i32) {
        send_signal(self.pid(), signal);
    }

    /// The master's worker processes.
    pub(crate) fn workers(&self) -> Vec<i32> {
        children(self.pid())
    }

    /// Waits until the master has `count` workers that answer; returns them.
    pub(crate) fn wait_workers(&self, count: usize, within: Duration) -> Vec<i32> {
        let deadline = Instant::now() + within;
        loop {
            let workers = self.workers();
            if workers.len() == count {
                return workers;
            }
            assert!(
                Instant::now() < deadline,
                "expected {count} workers, have {workers:?}; log:\n{}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub(crate) fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits for the master to exit; its status code.
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

impl Drop for Server {
    fn drop(&mut self) {
        // The whole process group: the master, its workers, an upgraded master.
        unsafe_free_killpg(self.pid());
        let _ = self.child.wait();
    }
}

fn unsafe_free_killpg(group: i32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{group}")])
        .stderr(Stdio::null())
        .status();
}

pub(crate) fn send_signal(pid: i32, signal: i32) {
    let status = Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{signal} {pid}");
}

/// Signal numbers (Linux).
pub(crate) mod sig {
    pub(crate) const HUP: i32 = 1;
    pub(crate) const INT: i32 = 2;
    pub(crate) const QUIT: i32 = 3;
    pub(crate) const KILL: i32 = 9;
    pub(crate) const USR1: i32 = 10;
    pub(crate) const USR2: i32 = 12;
    pub(crate) const TERM: i32 = 15;
    pub(crate) const TTIN: i32 = 21;
    pub(crate) const TTOU: i32 = 22;
}

/// The live child processes of `pid` (from `/proc/*/stat`).
pub(crate) fn children(pid: i32) -> Vec<i32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else {
            continue;
        };
        // pid (comm) state ppid ...
        let Some(rest) = stat.rsplit_once(')').map(|(_, rest)| rest) else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields.len() > 1 && fields[1] == pid.to_string() && fields[0] != "Z" {
            found.push(child);
        }
    }
    found.sort_unstable();
    found
}

pub(crate) fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| {
            stat.rsplit_once(')')
                .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z'))
        })
        .unwrap_or(false)
}

/// A parsed response.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Response {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub(crate) fn closes(&self) -> bool {
        self.header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"))
    }
}

/// Reads one response from `reader`. `Ok(None)` on a clean EOF before any
/// byte.
pub(crate) fn read_response(reader: &mut impl BufRead) -> std::io::Result<Option<Response>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    let mut response = Response {
        status,
        headers,
        body: Vec::new(),
    };
    if status == 204 || status == 304 || (100..200).contains(&status) {
        return Ok(Some(response));
    }
    if let Some(length) = response.header("content-length") {
        let length: usize = length.parse().map_err(std::io::Error::other)?;
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        response.body = body;
    } else if response
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let size = usize::from_str_radix(size.trim(), 16).map_err(std::io::Error::other)?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk)?;
            if size == 0 {
                break;
            }
            response.body.extend_from_slice(&chunk[..size]);
        }
    } else {
        reader.read_to_end(&mut response.body)?;
    }
    Ok(Some(response))
}

/// Sends raw bytes on a new connection and reads one response.
pub(crate) fn raw(address: SocketAddr, request: &[u8]) -> std::io::Result<Option<Response>> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    stream.write_all(request)?;
    read_response(&mut BufReader::new(stream))
}

/// `GET path` on a new connection (`Connection: close`).
pub(crate) fn get(address: SocketAddr, path: &str) -> std::io::Result<Response> {
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    raw(address, request.as_bytes())?
        .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::UnexpectedEof))
}
