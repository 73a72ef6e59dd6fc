//! Process control: fork, exec, signal dispositions and the signal pipe.
//!
//! The only module of this crate with `unsafe` code; the crate docs
//! ("Process control and `unsafe`") say why each use is sound.
#![allow(unsafe_code)]

use std::ffi::CString;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicI32, Ordering};

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, FdFlag, OFlag, fcntl};
use nix::sys::signal::{
    SaFlags, SigAction, SigHandler, SigSet, SigmaskHow, Signal, sigaction, sigprocmask,
};
use nix::unistd::{ForkResult, Pid};

/// The write end of the master's signal pipe, for the signal handler.
static SIGNAL_PIPE: AtomicI32 = AtomicI32::new(-1);

/// The signal handler of the master: writes the signal number to the pipe
/// (async-signal-safe: one atomic load and one `write(2)`, errno preserved).
extern "C" fn on_signal(signal: libc::c_int) {
    let saved = Errno::last_raw();
    let fd = SIGNAL_PIPE.load(Ordering::Relaxed);
    if fd >= 0 {
        let byte = signal as u8;
        // SAFETY: `write(2)` is async-signal-safe; the buffer is one live byte
        // on this stack frame; a full pipe (EAGAIN, the fd is non-blocking)
        // only drops a duplicate wake-up.
        unsafe { libc::write(fd, (&raw const byte).cast(), 1) };
    }
    Errno::set_raw(saved);
}

/// A pipe that receives the number of every signal in `signals`.
pub(crate) struct SignalPipe {
    read: OwnedFd,
    write: OwnedFd,
}

impl SignalPipe {
    /// Installs handlers for `signals` that write to a new non-blocking pipe.
    pub(crate) fn install(signals: &[Signal]) -> io::Result<Self> {
        let (read, write) = nix::unistd::pipe2(OFlag::O_NONBLOCK | OFlag::O_CLOEXEC)?;
        SIGNAL_PIPE.store(write.as_raw_fd(), Ordering::SeqCst);
        let action = SigAction::new(
            SigHandler::Handler(on_signal),
            SaFlags::SA_RESTART,
            SigSet::empty(),
        );
        for &signal in signals {
            // SAFETY: the handler only performs async-signal-safe operations
            // (see `on_signal`), and it reads its fd from an atomic that is
            // set before the handler is installed.
            unsafe { sigaction(signal, &action) }?;
        }
        Ok(Self { read, write })
    }

    /// The read end (to poll).
    pub(crate) fn read_fd(&self) -> BorrowedFd<'_> {
        self.read.as_fd()
    }

    /// Every signal received since the last call, in order.
    pub(crate) fn drain(&self) -> Vec<Signal> {
        let mut signals = Vec::new();
        let mut buffer = [0u8; 64];
        while let Ok(n @ 1..) = nix::unistd::read(&self.read, &mut buffer) {
            signals.extend(
                buffer[..n]
                    .iter()
                    .filter_map(|&byte| Signal::try_from(i32::from(byte)).ok()),
            );
        }
        signals
    }

    /// The raw fds of the pipe (a forked worker closes them).
    pub(crate) fn raw_fds(&self) -> [RawFd; 2] {
        [self.read.as_raw_fd(), self.write.as_raw_fd()]
    }
}

/// Every signal whose disposition a worker resets.
const RESET: &[Signal] = &[
    Signal::SIGHUP,
    Signal::SIGINT,
    Signal::SIGQUIT,
    Signal::SIGTERM,
    Signal::SIGUSR1,
    Signal::SIGUSR2,
    Signal::SIGCHLD,
    Signal::SIGTTIN,
    Signal::SIGTTOU,
    Signal::SIGWINCH,
    Signal::SIGALRM,
];

/// Puts back the default disposition of every signal the master handles and
/// unblocks all signals (in a child, right after `fork`): a worker that kept
/// the master's handlers would write to the master's pipe and ignore `TERM`.
/// `SIGPIPE` stays ignored, as Rust programs expect.
pub(crate) fn reset_signal_dispositions() -> io::Result<()> {
    SIGNAL_PIPE.store(-1, Ordering::SeqCst);
    let default = SigAction::new(SigHandler::SigDfl, SaFlags::empty(), SigSet::empty());
    for &signal in RESET {
        // SAFETY: installing SIG_DFL runs no code of ours in signal context.
        unsafe { sigaction(signal, &default) }?;
    }
    let ignore = SigAction::new(SigHandler::SigIgn, SaFlags::empty(), SigSet::empty());
    // SAFETY: as above, SIG_IGN runs nothing.
    unsafe { sigaction(Signal::SIGPIPE, &ignore) }?;
    sigprocmask(SigmaskHow::SIG_SETMASK, Some(&SigSet::empty()), None)?;
    Ok(())
}

/// Forks the process.
///
/// Called only by the master, which checked at startup that it runs a single
/// thread and starts none ([`thread_count`]), so the child is a complete copy
/// of a single-threaded process and may run any code.
pub(crate) fn fork() -> io::Result<ForkResult> {
    // SAFETY: the calling process is single-threaded (checked by the master at
    // startup, and the master never starts threads), so no lock can be held by
    // a thread that does not exist in the child.
    Ok(unsafe { nix::unistd::fork() }?)
}

/// Replaces the process image with `program` (binary upgrade), with the
/// environment `env`, keeping `keep` open across the exec. Returns only on
/// error.
pub(crate) fn exec(
    program: &CString,
    args: &[CString],
    env: &[CString],
    keep: &[BorrowedFd<'_>],
) -> io::Error {
    for fd in keep {
        if let Err(error) = fcntl(fd, FcntlArg::F_SETFD(FdFlag::empty())) {
            return error.into();
        }
    }
    match nix::unistd::execve(program, args, env) {
        Ok(never) => match never {},
        Err(error) => error.into(),
    }
}

/// Marks `fd` close-on-exec (inherited sockets, once adopted).
pub(crate) fn set_cloexec(fd: impl AsFd) -> io::Result<()> {
    fcntl(fd, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC))?;
    Ok(())
}

/// Closes `fd` if it is open (a forked worker closes the master's pipes).
pub(crate) fn close_raw(fd: RawFd) {
    // SAFETY: `fd` is an fd the master owns and that this child inherited
    // through fork; nothing in the child refers to it (the child never
    // touches the master's `OwnedFd` values for these, it forgets them).
    unsafe { libc::close(fd) };
}

/// Takes ownership of an inherited socket, given by number: `LISTEN_FDS`
/// (systemd), `CARAFE_FDS` (the old master of a binary upgrade) or an
/// `fd://N` bind.
///
/// # Errors
///
/// When `fd` is not open or is not a socket.
pub(crate) fn adopt_socket_fd(fd: RawFd) -> io::Result<OwnedFd> {
    if fd < 0 {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "negative fd"));
    }
    // SAFETY: `fstat` writes into the zeroed `stat` buffer we own; an fd that
    // is not open makes it fail with EBADF, nothing else.
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: see above; `&raw mut stat` is a valid pointer for the call.
    if unsafe { libc::fstat(fd, &raw mut stat) } != 0 {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            "not an open file descriptor",
        ));
    }
    if stat.st_mode & libc::S_IFMT != libc::S_IFSOCK {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a socket"));
    }
    // SAFETY: the fd is open (checked above) and was handed to this process
    // to own by its parent or its operator; nothing else in this process
    // holds it (it is adopted once, at startup, before any other fd is owned
    // under that number).
    Ok(unsafe { <OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd) })
}

/// How many threads this process runs (Linux: `/proc/self/status`); `None`
/// when unknown.
pub(crate) fn thread_count() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("Threads:"))
        .and_then(|count| count.trim().parse().ok())
}

/// The id of this process.
pub(crate) fn pid() -> Pid {
    nix::unistd::getpid()
}
