//! What the example tests share: the example binaries (built when missing
//! or stale), a server child process that is stopped on drop, and a plain
//! HTTP/1.1 `GET` over a socket.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

/// The binary of example `name`, built first when it is missing or older
/// than the sources (`cargo test` builds the examples with the tests; a
/// filtered run such as `--test main` does not).
pub(crate) fn example_binary(name: &str) -> PathBuf {
    static BUILT: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap().to_owned();
    let bin = dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let mut built = BUILT.lock().unwrap_or_else(PoisonError::into_inner);
    if built.iter().any(|b| b == name) {
        return bin;
    }
    let modified = std::fs::metadata(&bin).and_then(|m| m.modified()).ok();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sources = [
        "Cargo.toml",
        "src",
        "examples",
        "macros/src",
        "routing/src",
        "wrappers/src",
        "server/src",
        "devserver/src",
        "templating/src",
    ]
    .map(|part| root.join(part));
    let fresh = modified.is_some_and(|m| sources.iter().all(|path| newest(path) <= m));
    if !fresh {
        // `--workspace` unifies features as `cargo test --workspace` does,
        // so the nested build reuses its dependencies.
        let mut cargo = Command::new(env!("CARGO"));
        cargo.args(["build", "-q", "--workspace", "--example", name]);
        if dir.ends_with("release") {
            cargo.arg("--release");
        }
        let status = cargo.status().unwrap();
        assert!(status.success(), "building the {name} example failed");
    }
    built.push(name.to_owned());
    bin
}

/// The newest modification time of a file or of the files under a
/// directory.
fn newest(path: &Path) -> SystemTime {
    let mut latest = SystemTime::UNIX_EPOCH;
    let Ok(meta) = std::fs::metadata(path) else {
        return latest;
    };
    if meta.is_dir() {
        for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
            latest = latest.max(newest(&entry.path()));
        }
    } else if let Ok(modified) = meta.modified() {
        latest = modified;
    }
    latest
}

/// Runs example `name` with `args` in `dir` (the package root when
/// `None`), with a clean environment plus `env`, and waits for it.
pub(crate) fn run_example(
    name: &str,
    args: &[&str],
    dir: Option<&Path>,
    env: &[(&str, &str)],
) -> Output {
    let mut command = Command::new(example_binary(name));
    command
        .env_clear()
        .args(args)
        .current_dir(dir.unwrap_or(Path::new(env!("CARGO_MANIFEST_DIR"))));
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}

/// A port on 127.0.0.1 that was free a moment ago.
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A response read off a socket: status, headers (lowercase names), body.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) headers: HashMap<String, String>,
    pub(crate) body: String,
}

/// `GET path` on `127.0.0.1:port` with `Connection: close` and extra
/// header lines, read to the end (no chunked decoding: the examples answer
/// with a `Content-Length`).
pub(crate) fn http_get(
    port: u16,
    path: &str,
    headers: &[(&str, &str)],
) -> std::io::Result<RawResponse> {
    http_request(port, "GET", path, headers, b"")
}

/// `method path` with header lines and `body` (sent as is: the headers
/// describe it), read as [`http_get`] reads.
fn http_request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<RawResponse> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP response: {text:?}")))?;
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    Ok(RawResponse {
        status,
        headers,
        body: body.to_owned(),
    })
}

/// `POST path` with an `application/x-www-form-urlencoded` `form` and
/// extra header lines on `127.0.0.1:port`, read as [`http_get`] reads.
pub(crate) fn http_post_form(
    port: u16,
    path: &str,
    form: &str,
    headers: &[(&str, &str)],
) -> std::io::Result<RawResponse> {
    let length = form.len().to_string();
    let mut all = vec![
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Content-Length", &*length),
    ];
    all.extend_from_slice(headers);
    http_request(port, "POST", path, &all, form.as_bytes())
}

/// An example serving on 127.0.0.1, stopped (SIGTERM, then SIGKILL) when
/// dropped. Its output goes to a log file.
pub(crate) struct Served {
    pub(crate) child: Child,
    pub(crate) port: u16,
    pub(crate) log: PathBuf,
}

impl Served {
    /// Starts example `name` with `args` (where `{bind}` is replaced by
    /// `127.0.0.1:PORT`) in `dir`, and waits until `GET /` gets any answer.
    pub(crate) fn start(name: &str, args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Served {
        Served::start_logged(name, args, dir, dir, env)
    }

    /// As [`Served::start`], with the log file in `log_dir`.
    pub(crate) fn start_logged(
        name: &str,
        args: &[&str],
        dir: &Path,
        log_dir: &Path,
        env: &[(&str, &str)],
    ) -> Served {
        let port = free_port();
        let bind = format!("127.0.0.1:{port}");
        let log = log_dir.join(format!("{name}-{}.log", args.first().unwrap_or(&"run")));
        let log_file = std::fs::File::create(&log).unwrap();
        let mut command = Command::new(example_binary(name));
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .args(args.iter().map(|arg| arg.replace("{bind}", &bind)))
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().unwrap())
            .stderr(log_file);
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command.spawn().unwrap();
        let mut served = Served { child, port, log };
        let started = Instant::now();
        loop {
            if http_get(port, "/", &[]).is_ok() {
                return served;
            }
            if let Ok(Some(status)) = served.child.try_wait() {
                panic!(
                    "{name} {args:?} exited with {status}:\n{}",
                    served.log_text()
                );
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{name} {args:?} does not answer on {bind}:\n{}",
                served.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The process id (the master's, for the production server).
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the server wrote so far.
    pub(crate) fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Stops the server: SIGTERM, then SIGKILL after 10 s.
    pub(crate) fn stop(&mut self) {
        use nix::sys::signal::{Signal, kill};
        use nix::unistd::Pid;
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let pid = Pid::from_raw(self.child.id() as i32);
        let _ = kill(pid, Signal::SIGTERM);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `../shared/attack-corpus` next to the repository (or
/// `$CARAFE_ATTACK_CORPUS`), if it is there.
pub(crate) fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("CARAFE_ATTACK_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/attack-corpus"));
    (dir.join("expect.tsv").is_file() && dir.join("replay.py").is_file()).then_some(dir)
}

/// Runs `check` against example `name` served by the production server
/// (`serve --workers 2`) and then by the development server
/// (`dev --no-reload`), from the package root, with `extra` arguments.
pub(crate) fn under_both_servers(
    name: &str,
    extra: &[&str],
    env: &[(&str, &str)],
    check: impl Fn(u16),
) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let logs = tempfile::tempdir().unwrap();
    for server in [
        &["serve", "--bind", "{bind}", "--workers", "2"][..],
        &["dev", "--no-reload", "--bind", "{bind}"][..],
    ] {
        let args: Vec<&str> = server.iter().chain(extra).copied().collect();
        let mut served = Served::start_logged(name, &args, dir, logs.path(), env);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(served.port)));
        served.stop();
        if let Err(panic) = result {
            eprintln!("{name} {args:?} log:\n{}", served.log_text());
            std::panic::resume_unwind(panic);
        }
    }
}

/// What the production server's workers do right after fork, `rounds`
/// times: 8 threads open (and create) a fresh database file at the same
/// moment with `open`; every one must succeed (one failing to boot stops
/// the server).
pub(crate) fn open_at_once<E: std::fmt::Display>(
    rounds: usize,
    file_name: &str,
    open: impl Fn(&Path) -> Result<(), E> + Sync,
) {
    for round in 0..rounds {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(file_name);
        let start = std::sync::Barrier::new(8);
        std::thread::scope(|scope| {
            let openers: Vec<_> = (0..8)
                .map(|_| {
                    scope.spawn(|| {
                        start.wait();
                        open(&path).map_err(|error| error.to_string())
                    })
                })
                .collect();
            for opener in openers {
                assert_eq!(opener.join().unwrap(), Ok(()), "round {round}");
            }
        });
    }
}
