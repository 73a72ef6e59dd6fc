//! The parent side: a pool of warm worker processes, each with the templates loaded,
//! and the exchange of one request with a deadline.

use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::Signal;

use super::ProcessLimits;
use super::protocol::{
    ErrorRecord, KIND_FAILED, KIND_LOAD, KIND_LOADED, KIND_RENDER, KIND_RENDERED, take_frame,
};
use super::worker::{MAX_RENDERS_PER_WORKER, WORKER_ENV};
use crate::{Cap, Error};

/// How a worker is started and what it is told.
pub(crate) struct Launch {
    pub(crate) program: PathBuf,
    pub(crate) args: Vec<OsString>,
    /// The serialized load request, sent to every new worker.
    pub(crate) load: Vec<u8>,
    pub(crate) limits: ProcessLimits,
    pub(crate) max_response: usize,
    pub(crate) load_timeout: Duration,
}

pub(crate) struct Pool {
    launch: Launch,
    state: Mutex<State>,
    returned: Condvar,
    max_workers: usize,
    max_idle: usize,
}

struct State {
    idle: Vec<Worker>,
    live: usize,
}

pub(crate) struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: ChildStdout,
    stderr: ChildStderr,
    buffer: Vec<u8>,
    chunk: Vec<u8>,
    renders: u64,
}

enum Failure {
    Timeout,
    Died,
    Io(io::Error),
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Self {
        match error.kind() {
            io::ErrorKind::BrokenPipe | io::ErrorKind::UnexpectedEof => Failure::Died,
            _ => Failure::Io(error),
        }
    }
}

fn worker_error(message: impl Into<String>) -> Error {
    Error::Worker {
        message: message.into(),
    }
}

impl Pool {
    pub(crate) fn new(launch: Launch, max_workers: usize, max_idle: usize) -> Self {
        Pool {
            launch,
            state: Mutex::new(State {
                idle: Vec::new(),
                live: 0,
            }),
            returned: Condvar::new(),
            max_workers: max_workers.max(1),
            max_idle,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts `count` workers now (templates are checked by the first one).
    pub(crate) fn warm(&self, count: usize) -> Result<(), Error> {
        let mut started = Vec::new();
        for _ in 0..count.max(1) {
            self.lock().live += 1;
            match self.spawn() {
                Ok(worker) => started.push(worker),
                Err(error) => {
                    self.lock().live -= 1;
                    for worker in started {
                        self.checkin(worker);
                    }
                    return Err(error);
                }
            }
        }
        for worker in started {
            self.checkin(worker);
        }
        Ok(())
    }

    fn checkout(&self) -> Result<Worker, Error> {
        let mut state = self.lock();
        loop {
            if let Some(worker) = state.idle.pop() {
                return Ok(worker);
            }
            if state.live < self.max_workers {
                state.live += 1;
                drop(state);
                return self.spawn().inspect_err(|_| {
                    self.lock().live -= 1;
                    self.returned.notify_one();
                });
            }
            state = self
                .returned
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn checkin(&self, worker: Worker) {
        let mut state = self.lock();
        if worker.renders < MAX_RENDERS_PER_WORKER && state.idle.len() < self.max_idle {
            state.idle.push(worker);
        } else {
            state.live -= 1;
            drop(state);
            worker.stop();
        }
        self.returned.notify_one();
    }

    fn discard(&self) {
        self.lock().live -= 1;
        self.returned.notify_one();
    }

    fn spawn(&self) -> Result<Worker, Error> {
        let launch = &self.launch;
        let mut child = Command::new(&launch.program)
            .args(&launch.args)
            .env(WORKER_ENV, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                worker_error(format!("cannot start `{}`: {e}", launch.program.display()))
            })?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(worker_error("the worker's pipes are missing"));
        };
        for fd in [stdin.as_fd(), stdout.as_fd(), stderr.as_fd()] {
            fcntl(fd, FcntlArg::F_SETFL(OFlag::O_NONBLOCK))
                .map_err(|e| worker_error(format!("fcntl: {e}")))?;
        }
        let mut worker = Worker {
            child,
            stdin,
            stdout,
            stderr,
            buffer: Vec::new(),
            chunk: vec![0; 64 * 1024],
            renders: 0,
        };
        let deadline = Instant::now() + launch.load_timeout;
        match worker.exchange(KIND_LOAD, &launch.load, deadline, launch.max_response) {
            Ok((KIND_LOADED, _)) => Ok(worker),
            Ok((KIND_FAILED, record)) => {
                worker.stop();
                Err(decode_error(&record))
            }
            Ok((kind, _)) => {
                worker.stop();
                Err(worker_error(format!(
                    "unexpected answer {kind} to the load request"
                )))
            }
            Err(failure) => Err(worker.fail(failure, launch)),
        }
    }

    /// Renders one request on a worker; a worker that fails is not reused.
    pub(crate) fn render(&self, request: &[u8]) -> Result<String, Error> {
        let mut worker = self.checkout()?;
        // No wall-clock limit (or one too large to add to now): a year.
        let year = Duration::from_secs(86_400 * 365);
        let now = Instant::now();
        let deadline = now
            .checked_add(self.launch.limits.wall_time.unwrap_or(year))
            .unwrap_or(now + year);
        worker.renders += 1;
        match worker.exchange(KIND_RENDER, request, deadline, self.launch.max_response) {
            Ok((KIND_RENDERED, page)) => {
                self.checkin(worker);
                String::from_utf8(page).map_err(|_| worker_error("the worker sent invalid UTF-8"))
            }
            Ok((KIND_FAILED, record)) => {
                self.checkin(worker);
                Err(decode_error(&record))
            }
            Ok((kind, _)) => {
                self.discard();
                worker.stop();
                Err(worker_error(format!(
                    "unexpected answer {kind} to a render request"
                )))
            }
            Err(failure) => {
                self.discard();
                Err(worker.fail(failure, &self.launch))
            }
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        for worker in self.lock().idle.drain(..) {
            worker.stop();
        }
    }
}

fn decode_error(record: &[u8]) -> Error {
    match serde_json::from_slice::<ErrorRecord>(record) {
        Ok(record) => record.into_error(),
        Err(e) => worker_error(format!("unreadable error from the worker: {e}")),
    }
}

fn remaining(deadline: Instant) -> Result<PollTimeout, Failure> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(Failure::Timeout);
    }
    let millis = u32::try_from(left.as_millis().max(1)).unwrap_or(u32::MAX);
    Ok(PollTimeout::try_from(millis).unwrap_or(PollTimeout::MAX))
}

fn wait_for(
    fd: std::os::fd::BorrowedFd<'_>,
    flags: PollFlags,
    deadline: Instant,
) -> Result<(), Failure> {
    loop {
        let mut fds = [PollFd::new(fd, flags)];
        match poll(&mut fds, remaining(deadline)?) {
            Ok(0) => return Err(Failure::Timeout),
            Ok(_) => return Ok(()),
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(Failure::Io(io::Error::from(e))),
        }
    }
}

impl Worker {
    /// Sends one frame and waits for one answer, both before `deadline`.
    fn exchange(
        &mut self,
        kind: u8,
        payload: &[u8],
        deadline: Instant,
        max: usize,
    ) -> Result<(u8, Vec<u8>), Failure> {
        let len = u32::try_from(payload.len() + 1)
            .map_err(|_| Failure::Io(io::Error::other("request too large")))?;
        let mut frame = Vec::with_capacity(payload.len() + 5);
        frame.extend_from_slice(&len.to_be_bytes());
        frame.push(kind);
        frame.extend_from_slice(payload);
        let mut written = 0;
        while written < frame.len() {
            match self.stdin.write(&frame[written..]) {
                Ok(0) => return Err(Failure::Died),
                Ok(n) => written += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    wait_for(self.stdin.as_fd(), PollFlags::POLLOUT, deadline)?;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        loop {
            if let Some(answer) = take_frame(&mut self.buffer, max).map_err(Failure::Io)? {
                return Ok(answer);
            }
            match self.stdout.read(&mut self.chunk) {
                Ok(0) => return Err(Failure::Died),
                Ok(n) => self.buffer.extend_from_slice(&self.chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    wait_for(self.stdout.as_fd(), PollFlags::POLLIN, deadline)?;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Kills and reaps the worker, and explains what went wrong in terms of the limit
    /// that fired.
    fn fail(mut self, failure: Failure, launch: &Launch) -> Error {
        let limits = &launch.limits;
        let ms =
            |d: Option<Duration>| d.map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        match failure {
            Failure::Timeout => {
                let _ = self.child.kill();
                let _ = self.child.wait();
                Error::CapExceeded {
                    cap: Cap::WallClock,
                    limit: ms(limits.wall_time),
                    location: None,
                }
            }
            Failure::Io(error) => {
                let _ = self.child.kill();
                let _ = self.child.wait();
                worker_error(format!("cannot talk to the worker: {error}"))
            }
            Failure::Died => {
                // It closed its end: it is dying or dead. Give it a moment, then make sure.
                let status = wait_briefly(&mut self.child);
                let mut stderr = Vec::new();
                let _ = (&mut self.stderr).take(64 * 1024).read_to_end(&mut stderr);
                let stderr = String::from_utf8_lossy(&stderr).trim().to_string();
                classify(status, &stderr, limits)
            }
        }
    }

    /// Ends a healthy worker.
    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_briefly(child: &mut Child) -> Option<ExitStatus> {
    let until = Instant::now() + Duration::from_secs(2);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < until => std::thread::sleep(Duration::from_millis(2)),
            _ => {
                let _ = child.kill();
                return child.wait().ok();
            }
        }
    }
}

/// Names the limit behind a worker's death.
fn classify(status: Option<ExitStatus>, stderr: &str, limits: &ProcessLimits) -> Error {
    let ms =
        |d: Option<Duration>| d.map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    let cpu = Error::CapExceeded {
        cap: Cap::CpuTime,
        limit: ms(limits.cpu_time),
        location: None,
    };
    let memory = Error::CapExceeded {
        cap: Cap::Memory,
        limit: limits.memory_bytes.unwrap_or_default(),
        location: None,
    };
    let Some(status) = status else {
        return worker_error("the worker vanished");
    };
    let detail = if stderr.is_empty() {
        String::new()
    } else {
        format!(": {stderr}")
    };
    match status.signal().and_then(|s| Signal::try_from(s).ok()) {
        Some(Signal::SIGXCPU) => cpu,
        // The hard CPU limit, or the kernel's out-of-memory killer.
        Some(Signal::SIGKILL) if limits.cpu_time.is_some() => cpu,
        Some(Signal::SIGKILL) => memory,
        Some(Signal::SIGABRT) if stderr.contains("memory allocation") => memory,
        Some(Signal::SIGSEGV | Signal::SIGBUS) if stderr.contains("overflowed its stack") => {
            worker_error(format!("the worker overflowed its stack{detail}"))
        }
        Some(signal) => worker_error(format!("the worker died by {signal}{detail}")),
        None => worker_error(format!("the worker exited with {status}{detail}")),
    }
}
