//! The pipe between a worker and the master: one byte per message.
//!
//! A worker writes `r` once it accepts connections, `h` every heartbeat
//! interval while it is healthy, `s` when a handler has run longer than
//! `timeout` (the master kills it), and `q` when it retires on its own
//! (`max_requests`; the master starts its replacement at once). A worker
//! whose pipe stays silent longer than `timeout` is killed too.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use nix::errno::Errno;
use nix::fcntl::OFlag;

/// What a worker tells the master.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Beat {
    /// Accepting connections.
    Ready,
    /// Alive.
    Alive,
    /// A handler is stuck beyond `timeout`.
    Stuck,
    /// Retiring (recycled after `max_requests`).
    Quitting,
}

impl Beat {
    fn byte(self) -> u8 {
        match self {
            Beat::Ready => b'r',
            Beat::Alive => b'h',
            Beat::Stuck => b's',
            Beat::Quitting => b'q',
        }
    }

    fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            b'r' => Some(Beat::Ready),
            b'h' => Some(Beat::Alive),
            b's' => Some(Beat::Stuck),
            b'q' => Some(Beat::Quitting),
            _ => None,
        }
    }
}

/// A new heartbeat pipe: (master's read end, worker's write end), both
/// non-blocking and close-on-exec.
pub(crate) fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    Ok(nix::unistd::pipe2(OFlag::O_NONBLOCK | OFlag::O_CLOEXEC)?)
}

/// Sends one message. `Err` when the master is gone (the read end closed).
pub(crate) fn send(fd: BorrowedFd<'_>, beat: Beat) -> io::Result<()> {
    match nix::unistd::write(fd, &[beat.byte()]) {
        // A full pipe: the master is behind; the next beat will do.
        Ok(_) | Err(Errno::EAGAIN) => Ok(()),
        Err(error) => Err(error.into()),
    }
}

/// Reads every message waiting on the master's end; `None` when the worker
/// closed its end.
pub(crate) fn receive(fd: &impl AsFd) -> Option<Vec<Beat>> {
    let mut beats = Vec::new();
    let mut buffer = [0u8; 64];
    loop {
        match nix::unistd::read(fd.as_fd(), &mut buffer) {
            Ok(0) => return if beats.is_empty() { None } else { Some(beats) },
            Ok(n) => beats.extend(buffer[..n].iter().copied().filter_map(Beat::from_byte)),
            Err(Errno::EINTR) => {}
            Err(_) => return Some(beats),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let (read, write) = pipe().unwrap();
        send(write.as_fd(), Beat::Ready).unwrap();
        send(write.as_fd(), Beat::Alive).unwrap();
        send(write.as_fd(), Beat::Quitting).unwrap();
        assert_eq!(
            receive(&read).unwrap(),
            vec![Beat::Ready, Beat::Alive, Beat::Quitting]
        );
        assert_eq!(receive(&read).unwrap(), vec![]);
        drop(write);
        assert_eq!(receive(&read), None);
    }
}
