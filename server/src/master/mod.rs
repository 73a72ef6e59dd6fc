//! The master (gunicorn's arbiter): binds, forks workers, watches their
//! heartbeats, and obeys signals. It never accepts a connection.
//!
//! One thread, no runtime: a `poll(2)` loop over the signal pipe and the
//! workers' heartbeat pipes, woken at least once a second.

use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use carafe_wrappers::Application;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid};

use crate::heartbeat::{self, Beat};
use crate::listeners::{self, Listener};
use crate::log::{Log, critical, error, info, warning};
use crate::process::{self, SignalPipe};
use crate::{Error, Settings, worker};

mod generations;
mod upgrade;

pub(crate) use upgrade::Program;

/// The signals the master handles.
pub(crate) const SIGNALS: &[Signal] = &[
    Signal::SIGHUP,
    Signal::SIGQUIT,
    Signal::SIGINT,
    Signal::SIGTERM,
    Signal::SIGTTIN,
    Signal::SIGTTOU,
    Signal::SIGUSR1,
    Signal::SIGUSR2,
    Signal::SIGWINCH,
    Signal::SIGCHLD,
];

/// A worker that lives shorter than this after its start counts as a crash
/// of a crash loop.
const CRASH_LOOP_LIFETIME: Duration = Duration::from_secs(1);

struct Worker {
    pid: Pid,
    beat: OwnedFd,
    generation: u64,
    spawned: Instant,
    last_beat: Instant,
    ready: bool,
    retiring: bool,
    terminated: Option<Instant>,
    killed: bool,
}

struct Stopping {
    deadline: Instant,
}

pub(crate) struct Master<'f, F> {
    settings: Settings,
    listeners: Vec<Listener>,
    signals: SignalPipe,
    workers: Vec<Worker>,
    target: usize,
    generation: u64,
    reload_started: Option<Instant>,
    factory: &'f F,
    failures: u32,
    spawn_after: Option<Instant>,
    booted: bool,
    stopping: Option<Stopping>,
    upgrade_child: Option<Pid>,
    program: Option<Program>,
    pidfile: Option<PathBuf>,
}

impl<'f, F, A> Master<'f, F>
where
    F: Fn() -> A,
    A: Application,
{
    pub(crate) fn new(
        settings: Settings,
        listeners: Vec<Listener>,
        factory: &'f F,
        program: Option<Program>,
    ) -> Result<Self, Error> {
        let signals = SignalPipe::install(SIGNALS)
            .map_err(|error| Error::io("installing signal handlers", error))?;
        Ok(Self {
            target: settings.workers,
            pidfile: settings.pidfile.clone(),
            settings,
            listeners,
            signals,
            workers: Vec::new(),
            generation: 0,
            reload_started: None,
            factory,
            failures: 0,
            spawn_after: None,
            booted: false,
            stopping: None,
            upgrade_child: None,
            program,
        })
    }

    pub(crate) fn run(mut self) -> Result<(), Error> {
        info!(
            "starting carafe-server {} (master pid {})",
            env!("CARGO_PKG_VERSION"),
            std::process::id()
        );
        for listener in &self.listeners {
            info!("listening at: {}", listener.describe());
        }
        self.write_pidfile();
        let result = self.main_loop();
        self.cleanup();
        result
    }

    fn main_loop(&mut self) -> Result<(), Error> {
        loop {
            if self.stopping.is_none() {
                self.manage();
            }
            if self.stopping.is_some() && self.workers.is_empty() {
                info!("shutting down: master");
                return Ok(());
            }
            self.wait();
            self.read_heartbeats();
            for signal in self.signals.drain() {
                self.handle_signal(signal);
            }
            self.reap()?;
            self.enforce_timeouts();
        }
    }

    /// Sleeps until a signal, a heartbeat or the next deadline (at most 1 s,
    /// less when `timeout` is short).
    fn wait(&mut self) {
        let mut timeout = Duration::from_secs(1);
        if !self.settings.timeout.is_zero() {
            timeout = timeout
                .min(self.settings.timeout / 4)
                .max(Duration::from_millis(10));
        }
        if let Some(after) = self.spawn_after {
            timeout = timeout.min(after.saturating_duration_since(Instant::now()));
        }
        let millis = u16::try_from(timeout.as_millis()).unwrap_or(1000);
        let mut fds = Vec::with_capacity(self.workers.len() + 1);
        fds.push(PollFd::new(self.signals.read_fd(), PollFlags::POLLIN));
        for worker in &self.workers {
            fds.push(PollFd::new(worker.beat.as_fd(), PollFlags::POLLIN));
        }
        // EINTR (a signal arrived) is as good as a readable fd.
        let _ = poll(&mut fds, PollTimeout::from(millis));
    }

    fn read_heartbeats(&mut self) {
        let now = Instant::now();
        let mut stuck = Vec::new();
        for worker in &mut self.workers {
            let Some(beats) = heartbeat::receive(&worker.beat) else {
                continue;
            };
            for beat in beats {
                worker.last_beat = now;
                match beat {
                    Beat::Ready => {
                        worker.ready = true;
                        self.booted = true;
                    }
                    Beat::Alive => {}
                    Beat::Stuck => stuck.push(worker.pid),
                    Beat::Quitting => worker.retiring = true,
                }
            }
        }
        for pid in stuck {
            critical!("WORKER TIMEOUT (pid:{pid}): a handler ran longer than timeout");
            self.kill_worker(pid, Signal::SIGKILL);
        }
    }

    fn handle_signal(&mut self, signal: Signal) {
        match signal {
            Signal::SIGCHLD | Signal::SIGWINCH => {}
            Signal::SIGTTIN => {
                self.target += 1;
                info!("TTIN: number of workers is now {}", self.target);
            }
            Signal::SIGTTOU => {
                self.target = self.target.saturating_sub(1).max(1);
                info!("TTOU: number of workers is now {}", self.target);
            }
            Signal::SIGHUP => self.reload(),
            Signal::SIGTERM => self.stop(true),
            Signal::SIGINT | Signal::SIGQUIT => self.stop(false),
            Signal::SIGUSR1 => {
                info!("USR1: reopening the log files");
                Log::reopen();
                for worker in &self.workers {
                    let _ = kill(worker.pid, Signal::SIGUSR1);
                }
            }
            Signal::SIGUSR2 => self.upgrade(),
            _ => {}
        }
    }

    fn spawn(&mut self) -> Result<(), Error> {
        let (read, write) = heartbeat::pipe().map_err(|e| Error::io("creating a pipe", e))?;
        let master = process::pid();
        match process::fork().map_err(|e| Error::io("forking a worker", e))? {
            ForkResult::Child => {
                let status = catch_unwind(AssertUnwindSafe(|| {
                    if process::reset_signal_dispositions().is_err() {
                        return 1;
                    }
                    // The master's fds are not the worker's business. Their
                    // owners (in this copy of the master's memory) are never
                    // dropped here: the child ends with `exit`.
                    for fd in self.signals.raw_fds() {
                        process::close_raw(fd);
                    }
                    for worker in &self.workers {
                        process::close_raw(worker.beat.as_raw_fd());
                    }
                    drop(read);
                    let setup = worker::Setup {
                        listeners: &self.listeners,
                        settings: &self.settings,
                        beat: write,
                        master,
                    };
                    let status = worker::run(setup, self.factory);
                    Log::flush();
                    status
                }));
                std::process::exit(status.unwrap_or(1));
            }
            ForkResult::Parent { child } => {
                drop(write);
                let now = Instant::now();
                info!("booting worker with pid: {child}");
                self.workers.push(Worker {
                    pid: child,
                    beat: read,
                    generation: self.generation,
                    spawned: now,
                    last_beat: now,
                    ready: false,
                    retiring: false,
                    terminated: None,
                    killed: false,
                });
                Ok(())
            }
        }
    }

    fn terminate(&mut self, pid: Pid) {
        if let Some(worker) = self.workers.iter_mut().find(|w| w.pid == pid)
            && worker.terminated.is_none()
        {
            worker.terminated = Some(Instant::now());
            let _ = kill(pid, Signal::SIGTERM);
        }
    }

    fn kill_worker(&mut self, pid: Pid, signal: Signal) {
        if let Some(worker) = self.workers.iter_mut().find(|w| w.pid == pid) {
            worker.killed = true;
            let _ = kill(pid, signal);
        }
    }

    fn reap(&mut self) -> Result<(), Error> {
        loop {
            let status = match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) | Err(_) => return Ok(()),
                Ok(status) => status,
            };
            let (pid, description, code) = match status {
                WaitStatus::Exited(pid, code) => (pid, format!("exit code {code}"), Some(code)),
                WaitStatus::Signaled(pid, signal, _) => (pid, format!("signal {signal}"), None),
                _ => continue,
            };
            if Some(pid) == self.upgrade_child {
                warning!("the new master (pid:{pid}) exited ({description})");
                self.upgrade_child = None;
                self.restore_pidfile();
                continue;
            }
            let Some(index) = self.workers.iter().position(|w| w.pid == pid) else {
                continue;
            };
            let worker = self.workers.swap_remove(index);
            let expected = self.stopping.is_some()
                || worker.terminated.is_some()
                || worker.retiring
                || worker.killed;
            if expected {
                info!("worker exiting (pid:{pid})");
                continue;
            }
            error!("worker (pid:{pid}) exited unexpectedly ({description})");
            if code == Some(worker::BOOT_ERROR) && !self.booted {
                self.stop(false);
                return Err(Error::WorkerBoot {
                    status: description,
                });
            }
            if worker.spawned.elapsed() < CRASH_LOOP_LIFETIME || !worker.ready {
                self.failures += 1;
                let exponent = self.failures.min(7) - 1;
                let delay =
                    (Duration::from_millis(100) * 2u32.pow(exponent)).min(Duration::from_secs(10));
                warning!(
                    "worker crash loop: {} quick exits in a row; next start in {} ms",
                    self.failures,
                    delay.as_millis()
                );
                self.spawn_after = Some(Instant::now() + delay);
            } else {
                self.failures = 0;
            }
        }
    }

    /// Kills workers silent longer than `timeout`, and stopping workers past
    /// `graceful_timeout`.
    fn enforce_timeouts(&mut self) {
        let now = Instant::now();
        let timeout = self.settings.timeout;
        let graceful = self.settings.graceful_timeout;
        let mut kills = Vec::new();
        for worker in &self.workers {
            if worker.killed {
                continue;
            }
            if let Some(since) = worker.terminated
                && now.duration_since(since) > graceful
            {
                warning!(
                    "worker (pid:{}) still running after graceful_timeout",
                    worker.pid
                );
                kills.push(worker.pid);
            } else if !timeout.is_zero() && now.duration_since(worker.last_beat) > timeout {
                critical!(
                    "WORKER TIMEOUT (pid:{}): silent for {} s",
                    worker.pid,
                    timeout.as_secs_f64()
                );
                kills.push(worker.pid);
            }
        }
        if let Some(stopping) = &self.stopping
            && now > stopping.deadline
        {
            kills.extend(self.workers.iter().filter(|w| !w.killed).map(|w| w.pid));
        }
        for pid in kills {
            self.kill_worker(pid, Signal::SIGKILL);
        }
    }

    fn stop(&mut self, graceful: bool) {
        if self.stopping.is_some() {
            if !graceful {
                for worker in &self.workers {
                    let _ = kill(worker.pid, Signal::SIGQUIT);
                }
            }
            return;
        }
        info!(
            "{} shutdown",
            if graceful {
                "graceful (TERM)"
            } else {
                "fast (INT/QUIT)"
            }
        );
        let signal = if graceful {
            Signal::SIGTERM
        } else {
            Signal::SIGQUIT
        };
        let now = Instant::now();
        for worker in &mut self.workers {
            worker.terminated.get_or_insert(now);
            let _ = kill(worker.pid, signal);
        }
        self.stopping = Some(Stopping {
            deadline: now + self.settings.graceful_timeout,
        });
        // The sockets stay open in the workers until they stop accepting;
        // the master's copies close now.
        if self.upgrade_child.is_none() {
            listeners::remove_socket_files(&self.listeners);
        }
        self.listeners.clear();
    }
}
