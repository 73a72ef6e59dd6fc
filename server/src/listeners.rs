//! The listening sockets: bound by the master, shared by every worker.
//!
//! Sockets are opened from the `bind` settings, or adopted: from systemd
//! (`LISTEN_FDS`/`LISTEN_PID`, every passed socket, `bind` ignored), from the
//! old master of a binary upgrade (`CARAFE_FDS`, matched to `bind` by
//! address), or from `fd://N` binds.

use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::UnixListener;
use std::path::PathBuf;

use socket2::{Domain, Socket, Type};

use crate::{Bind, Error, Settings, process};

/// One listening socket.
#[derive(Debug)]
pub(crate) enum Listener {
    /// TCP.
    Tcp(std::net::TcpListener),
    /// A Unix domain socket (the path is removed at final shutdown).
    Unix(UnixListener, Option<PathBuf>),
}

impl Listener {
    /// The URL-ish form for logs: `http://127.0.0.1:8000`, `unix:/run/a.sock`.
    pub(crate) fn describe(&self) -> String {
        match self {
            Listener::Tcp(listener) => match listener.local_addr() {
                Ok(address) => format!("http://{address}"),
                Err(_) => "tcp socket".to_owned(),
            },
            Listener::Unix(listener, path) => match (listener.local_addr(), path) {
                (_, Some(path)) => format!("unix:{}", path.display()),
                (Ok(address), None) => match address.as_pathname() {
                    Some(path) => format!("unix:{}", path.display()),
                    None => "unix socket".to_owned(),
                },
                (Err(_), None) => "unix socket".to_owned(),
            },
        }
    }

    pub(crate) fn fd(&self) -> BorrowedFd<'_> {
        match self {
            Listener::Tcp(listener) => listener.as_fd(),
            Listener::Unix(listener, _) => listener.as_fd(),
        }
    }

    /// A second handle to the same socket (a worker's own copy).
    pub(crate) fn try_clone(&self) -> io::Result<Listener> {
        Ok(match self {
            Listener::Tcp(listener) => Listener::Tcp(listener.try_clone()?),
            Listener::Unix(listener, _) => Listener::Unix(listener.try_clone()?, None),
        })
    }

    fn matches(&self, bind: &Bind, address: Option<&SocketAddr>) -> bool {
        match (self, bind) {
            (Listener::Tcp(listener), Bind::Tcp { .. }) => {
                listener.local_addr().ok().as_ref() == address
            }
            (Listener::Unix(listener, _), Bind::Unix(path)) => listener
                .local_addr()
                .ok()
                .and_then(|a| a.as_pathname().map(|p| p == path))
                .unwrap_or(false),
            _ => false,
        }
    }
}

/// Adopts an inherited fd as a listener.
fn adopt(fd: RawFd) -> Result<Listener, Error> {
    let bad = |reason: String| Error::Bind {
        bind: format!("fd://{fd}"),
        reason,
    };
    let owned = process::adopt_socket_fd(fd).map_err(|error| bad(error.to_string()))?;
    process::set_cloexec(&owned).map_err(|error| bad(error.to_string()))?;
    let socket = Socket::from(owned);
    if !socket.is_listener().unwrap_or(false) {
        return Err(bad("not a listening socket".to_owned()));
    }
    socket
        .set_nonblocking(true)
        .map_err(|error| bad(error.to_string()))?;
    let domain = socket.domain().map_err(|error| bad(error.to_string()))?;
    let owned: OwnedFd = socket.into();
    Ok(if domain == Domain::UNIX {
        Listener::Unix(UnixListener::from(owned), None)
    } else {
        Listener::Tcp(std::net::TcpListener::from(owned))
    })
}

fn tcp(address: SocketAddr, settings: &Settings, bind: &Bind) -> Result<Listener, Error> {
    let failed = |error: io::Error| Error::Bind {
        bind: format!("{bind} ({address})"),
        reason: error.to_string(),
    };
    let socket = Socket::new(Domain::for_address(address), Type::STREAM, None).map_err(failed)?;
    socket.set_reuse_address(true).map_err(failed)?;
    if settings.reuse_port {
        socket.set_reuse_port(true).map_err(failed)?;
    }
    if address.is_ipv6() {
        socket.set_only_v6(true).map_err(failed)?;
    }
    socket.set_tcp_nodelay(true).map_err(failed)?;
    socket.bind(&address.into()).map_err(failed)?;
    socket
        .listen(i32::try_from(settings.backlog).unwrap_or(i32::MAX))
        .map_err(failed)?;
    socket.set_nonblocking(true).map_err(failed)?;
    socket.set_cloexec(true).map_err(failed)?;
    Ok(Listener::Tcp(socket.into()))
}

fn unix(path: &PathBuf, settings: &Settings) -> Result<Listener, Error> {
    let failed = |error: io::Error| Error::Bind {
        bind: format!("unix:{}", path.display()),
        reason: error.to_string(),
    };
    // A socket file left by a previous run is replaced, as gunicorn does;
    // anything else at that path is an error.
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if meta.file_type().is_socket() {
            std::fs::remove_file(path).map_err(failed)?;
        } else {
            return Err(failed(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "a file that is not a socket exists at this path",
            )));
        }
    }
    let socket = Socket::new(Domain::UNIX, Type::STREAM, None).map_err(failed)?;
    let address = socket2::SockAddr::unix(path).map_err(failed)?;
    socket.bind(&address).map_err(failed)?;
    socket
        .listen(i32::try_from(settings.backlog).unwrap_or(i32::MAX))
        .map_err(failed)?;
    socket.set_nonblocking(true).map_err(failed)?;
    socket.set_cloexec(true).map_err(failed)?;
    let owned: OwnedFd = socket.into();
    Ok(Listener::Unix(
        UnixListener::from(owned),
        Some(path.clone()),
    ))
}

/// The inherited sockets, by fd (`LISTEN_FDS` or `CARAFE_FDS`).
fn inherited(systemd: bool) -> Vec<RawFd> {
    if systemd {
        let pid_matches = std::env::var("LISTEN_PID")
            .ok()
            .and_then(|pid| pid.parse::<i32>().ok())
            .is_some_and(|pid| pid == process::pid().as_raw());
        let count = std::env::var("LISTEN_FDS")
            .ok()
            .and_then(|count| count.parse::<RawFd>().ok())
            .unwrap_or(0);
        if pid_matches && count > 0 {
            return (3..3 + count).collect();
        }
        return Vec::new();
    }
    std::env::var("CARAFE_FDS")
        .ok()
        .map(|fds| {
            fds.split(',')
                .filter_map(|fd| fd.trim().parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// Opens (or adopts) every listening socket the settings ask for. `keep`
/// holds the listeners of a previous configuration (`HUP`), reused when the
/// address is the same.
pub(crate) fn open(settings: &Settings, keep: Vec<Listener>) -> Result<Vec<Listener>, Error> {
    let systemd = inherited(true);
    if !systemd.is_empty() && keep.is_empty() {
        return systemd.into_iter().map(adopt).collect();
    }
    let mut pool: Vec<Listener> = keep;
    for fd in inherited(false) {
        pool.push(adopt(fd)?);
    }
    let mut listeners = Vec::new();
    for bind in &settings.bind {
        match bind {
            Bind::Fd(fd) => {
                let found = pool
                    .iter()
                    .position(|l| l.fd().as_raw_fd() == *fd)
                    .map(|i| pool.swap_remove(i));
                listeners.push(match found {
                    Some(listener) => listener,
                    None => adopt(*fd)?,
                });
            }
            Bind::Tcp { .. } => {
                for address in bind.resolve()? {
                    let found = pool
                        .iter()
                        .position(|l| l.matches(bind, Some(&address)))
                        .map(|i| pool.swap_remove(i));
                    listeners.push(match found {
                        Some(listener) => listener,
                        None => tcp(address, settings, bind)?,
                    });
                }
            }
            Bind::Unix(path) => {
                let found = pool
                    .iter()
                    .position(|l| l.matches(bind, None))
                    .map(|i| pool.swap_remove(i));
                listeners.push(match found {
                    Some(listener) => listener,
                    None => unix(path, settings)?,
                });
            }
        }
    }
    // Whatever was inherited or kept and is no longer wanted closes here.
    drop(pool);
    Ok(listeners)
}

/// The `CARAFE_FDS` value for a new master (binary upgrade).
pub(crate) fn fds_env(listeners: &[Listener]) -> String {
    listeners
        .iter()
        .map(|l| l.fd().as_raw_fd().to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// Removes the socket files of Unix listeners (final shutdown).
pub(crate) fn remove_socket_files(listeners: &[Listener]) {
    for listener in listeners {
        if let Listener::Unix(_, Some(path)) = listener {
            let _ = std::fs::remove_file(path);
        }
    }
}
