//! Where the server listens: `HOST:PORT`, `unix:PATH` or `fd://N`.

use std::fmt;
use std::net::{SocketAddr, ToSocketAddrs};
use std::os::fd::RawFd;
use std::path::PathBuf;
use std::str::FromStr;

use crate::Error;

/// One `bind` value, as gunicorn spells it.
///
/// - `HOST:PORT` (`127.0.0.1:8000`, `[::1]:8000`, `localhost:8000`: every
///   address the name resolves to); `:PORT` and a bare `HOST` (port 8000) are
///   accepted as gunicorn accepts them,
/// - `unix:PATH` — a Unix domain socket,
/// - `fd://N` — an already open listening socket inherited as file
///   descriptor `N`.
///
/// Sockets can also be inherited from systemd (`LISTEN_FDS`); see the crate docs.
///
/// # Examples
///
/// ```
/// use carafe_server::Bind;
///
/// let bind: Bind = "127.0.0.1:8000".parse().unwrap();
/// assert_eq!(bind.to_string(), "127.0.0.1:8000");
/// assert_eq!("unix:/run/app.sock".parse::<Bind>().unwrap(), Bind::Unix("/run/app.sock".into()));
/// assert_eq!("fd://3".parse::<Bind>().unwrap(), Bind::Fd(3));
/// assert!("127.0.0.1:99999".parse::<Bind>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Bind {
    /// A host name or address and a port.
    Tcp {
        /// The host (name or address, IPv6 without brackets).
        host: String,
        /// The port.
        port: u16,
    },
    /// A Unix domain socket at this path.
    Unix(PathBuf),
    /// An inherited listening socket.
    Fd(RawFd),
}

impl Bind {
    /// The addresses a TCP bind resolves to (empty for the other kinds).
    ///
    /// # Errors
    ///
    /// [`Error::Bind`] when the host name does not resolve.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_server::Bind;
    ///
    /// let bind: Bind = "127.0.0.1:8000".parse().unwrap();
    /// assert_eq!(bind.resolve().unwrap(), vec!["127.0.0.1:8000".parse().unwrap()]);
    /// ```
    pub fn resolve(&self) -> Result<Vec<SocketAddr>, Error> {
        match self {
            Bind::Tcp { host, port } => {
                let addresses: Vec<SocketAddr> = (host.as_str(), *port)
                    .to_socket_addrs()
                    .map_err(|error| Error::Bind {
                        bind: self.to_string(),
                        reason: format!("cannot resolve the host: {error}"),
                    })?
                    .collect();
                if addresses.is_empty() {
                    return Err(Error::Bind {
                        bind: self.to_string(),
                        reason: "the host resolves to no address".to_owned(),
                    });
                }
                Ok(addresses)
            }
            Bind::Unix(_) | Bind::Fd(_) => Ok(Vec::new()),
        }
    }
}

impl FromStr for Bind {
    type Err = Error;

    fn from_str(value: &str) -> Result<Self, Error> {
        let invalid = |reason: &str| Error::Setting {
            name: "bind".to_owned(),
            value: value.to_owned(),
            reason: reason.to_owned(),
        };
        if let Some(path) = value.strip_prefix("unix:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err(invalid("a unix socket needs a path"));
            }
            return Ok(Bind::Unix(PathBuf::from(path)));
        }
        if let Some(fd) = value.strip_prefix("fd://") {
            return fd
                .parse::<RawFd>()
                .ok()
                .filter(|fd| *fd >= 0)
                .map(Bind::Fd)
                .ok_or_else(|| invalid("fd:// needs a file descriptor number"));
        }
        let (host, port) = if let Some(rest) = value.strip_prefix('[') {
            let (host, after) = rest
                .split_once(']')
                .ok_or_else(|| invalid("an IPv6 address needs a closing bracket"))?;
            match after {
                "" => (host, None),
                _ => match after.strip_prefix(':') {
                    Some(port) => (host, Some(port)),
                    None => return Err(invalid("expected ':PORT' after the IPv6 address")),
                },
            }
        } else {
            match value.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (value, None),
            }
        };
        let port = match port {
            None => 8000,
            Some(port) => port
                .parse::<u16>()
                .map_err(|_| invalid("the port must be a number from 0 to 65535"))?,
        };
        let host = if host.is_empty() { "0.0.0.0" } else { host };
        if host.contains(|c: char| c.is_whitespace() || c == '/') {
            return Err(invalid("not a host name or address"));
        }
        Ok(Bind::Tcp {
            host: host.to_owned(),
            port,
        })
    }
}

impl fmt::Display for Bind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bind::Tcp { host, port } if host.contains(':') => write!(f, "[{host}]:{port}"),
            Bind::Tcp { host, port } => write!(f, "{host}:{port}"),
            Bind::Unix(path) => write!(f, "unix:{}", path.display()),
            Bind::Fd(fd) => write!(f, "fd://{fd}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gunicorn_spellings() {
        let cases = [
            ("127.0.0.1:8000", "127.0.0.1:8000"),
            (":8080", "0.0.0.0:8080"),
            ("localhost", "localhost:8000"),
            ("[::1]:9000", "[::1]:9000"),
            ("[::1]", "[::1]:8000"),
            ("unix:/tmp/a.sock", "unix:/tmp/a.sock"),
            ("unix:///tmp/a.sock", "unix:/tmp/a.sock"),
            ("fd://5", "fd://5"),
        ];
        for (input, shown) in cases {
            assert_eq!(input.parse::<Bind>().unwrap().to_string(), shown, "{input}");
        }
    }

    #[test]
    fn bad_binds_name_the_problem() {
        for bad in [
            "1.2.3.4:http",
            "[::1",
            "unix:",
            "fd://x",
            "fd://-1",
            "a b:80",
            "[::1]x",
        ] {
            let error = bad.parse::<Bind>().unwrap_err();
            assert!(error.to_string().contains("bind"), "{bad}: {error}");
        }
    }

    #[test]
    fn resolves_numeric_addresses() {
        let bind: Bind = "127.0.0.1:0".parse().unwrap();
        assert_eq!(
            bind.resolve().unwrap(),
            vec!["127.0.0.1:0".parse().unwrap()]
        );
    }
}
