//! Adopting the listening socket the supervisor passed down.
//!
//! This is the crate's only `unsafe` code, and it cannot be avoided: a
//! descriptor inherited across `exec` is a bare number, and turning a
//! number into an owned socket is `unsafe` in Rust's I/O-safety model
//! (`OwnedFd::from_raw_fd`). The number is checked before it is adopted:
//! it must be open, a socket, a listening stream socket of the IPv4 or IPv6
//! family; the caller only passes numbers from `CARAFE_SERVER_FD` when the
//! parent process is the supervisor that set it (not when a grandchild
//! inherited the variable); and a process adopts at most one descriptor
//! this way, once.
#![allow(unsafe_code)]

use std::net::TcpListener;
use std::os::fd::{BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};

use nix::fcntl::{FcntlArg, FdFlag, fcntl};
use nix::sys::stat::{SFlag, fstat};
use socket2::{SockRef, Type};

static ADOPTED: AtomicBool = AtomicBool::new(false);

/// Takes ownership of the listening socket `fd`.
pub(crate) fn adopt_listener(fd: RawFd) -> Result<TcpListener, String> {
    if fd <= 2 {
        return Err("the number is one of stdin, stdout and stderr".to_owned());
    }
    // SAFETY: `fcntl(F_GETFD)` reads the descriptor flags of any number; it
    // touches no memory and fails with EBADF when the number is not open.
    if unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0 {
        return Err("the descriptor is not open".to_owned());
    }
    {
        // SAFETY: the descriptor is open (checked just above) and nothing
        // in this block closes it; the borrow ends with the block.
        let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
        let stat = fstat(borrowed).map_err(|error| error.to_string())?;
        if SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT != SFlag::S_IFSOCK {
            return Err("the descriptor is not a socket".to_owned());
        }
        let socket = SockRef::from(&borrowed);
        if socket.r#type().map_err(|error| error.to_string())? != Type::STREAM {
            return Err("the socket is not a stream socket".to_owned());
        }
        if !socket.is_listener().map_err(|error| error.to_string())? {
            return Err("the socket is not listening".to_owned());
        }
        let address = socket.local_addr().map_err(|error| error.to_string())?;
        if address.as_socket().is_none() {
            return Err("the socket is not an IPv4 or IPv6 socket".to_owned());
        }
    }
    if ADOPTED.swap(true, Ordering::SeqCst) {
        return Err("this process already adopted its listening socket".to_owned());
    }
    // SAFETY: the supervisor passed this open listening socket for this
    // process to own (checked above), nothing else in the process knows the
    // number, and `ADOPTED` makes sure it is adopted only once.
    let owned = unsafe { OwnedFd::from_raw_fd(fd) };
    // Not inherited any further (the app's own subprocesses).
    fcntl(&owned, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC)).map_err(|error| error.to_string())?;
    Ok(TcpListener::from(owned))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_a_listening_socket() {
        assert!(adopt_listener(1).unwrap_err().contains("stdin"));
        assert!(adopt_listener(1_000_000).unwrap_err().contains("not open"));
        let file = std::fs::File::open("/dev/null").unwrap();
        let fd = std::os::fd::AsRawFd::as_raw_fd(&file);
        assert!(adopt_listener(fd).unwrap_err().contains("not a socket"));
        let connected = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let fd = std::os::fd::AsRawFd::as_raw_fd(&connected);
        assert!(
            adopt_listener(fd)
                .unwrap_err()
                .contains("not a stream socket")
        );
        let unbound = socket2::Socket::new(socket2::Domain::IPV4, Type::STREAM, None).unwrap();
        let fd = std::os::fd::AsRawFd::as_raw_fd(&unbound);
        assert!(adopt_listener(fd).unwrap_err().contains("not listening"));
    }

    #[test]
    fn adopts_a_listening_socket_once() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let fd = std::os::fd::IntoRawFd::into_raw_fd(listener);
        let adopted = adopt_listener(fd).unwrap();
        assert_eq!(adopted.local_addr().unwrap(), address);
        let flags = fcntl(&adopted, FcntlArg::F_GETFD).unwrap();
        assert!(FdFlag::from_bits_truncate(flags).contains(FdFlag::FD_CLOEXEC));
        let again = std::os::fd::AsRawFd::as_raw_fd(&adopted);
        assert!(
            adopt_listener(again)
                .unwrap_err()
                .contains("already adopted")
        );
    }
}
