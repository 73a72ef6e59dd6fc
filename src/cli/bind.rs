//! `--bind HOST:PORT`.

use std::fmt;
use std::net::{SocketAddr, ToSocketAddrs};
use std::str::FromStr;

/// An address to listen on, `HOST:PORT` (`[::1]:8000` for IPv6).
///
/// # Examples
///
/// ```
/// use carafe::cli::Bind;
///
/// let bind: Bind = "127.0.0.1:5000".parse().unwrap();
/// assert_eq!(bind.host(), "127.0.0.1");
/// assert_eq!(bind.port(), 5000);
/// assert_eq!("[::1]:8000".parse::<Bind>().unwrap().to_string(), "[::1]:8000");
/// assert!("localhost".parse::<Bind>().is_err());
/// assert!("localhost:http".parse::<Bind>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bind {
    host: String,
    port: u16,
}

impl Bind {
    /// An address from its parts.
    ///
    /// # Examples
    ///
    /// ```
    /// let bind = carafe::cli::Bind::new("localhost", 5000);
    /// assert_eq!(bind.to_string(), "localhost:5000");
    /// ```
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        Self {
            host: host.into(),
            port,
        }
    }

    /// The host: a name, an IPv4 address or an IPv6 address (without
    /// brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Resolves the host (a DNS lookup for names).
    ///
    /// # Errors
    ///
    /// The name does not resolve.
    ///
    /// # Examples
    ///
    /// ```
    /// let bind: carafe::cli::Bind = "127.0.0.1:8000".parse().unwrap();
    /// assert_eq!(bind.resolve().unwrap()[0].port(), 8000);
    /// ```
    pub fn resolve(&self) -> std::io::Result<Vec<SocketAddr>> {
        let addrs: Vec<SocketAddr> = (self.host.as_str(), self.port).to_socket_addrs()?.collect();
        if addrs.is_empty() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("{} resolves to no address", self.host),
            ));
        }
        Ok(addrs)
    }
}

impl fmt::Display for Bind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// Why a `--bind` value is not `HOST:PORT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindError {
    value: String,
    reason: &'static str,
}

impl fmt::Display for BindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid address {:?}: {}", self.value, self.reason)
    }
}

impl std::error::Error for BindError {}

impl FromStr for Bind {
    type Err = BindError;

    fn from_str(value: &str) -> Result<Bind, BindError> {
        let error = |reason| BindError {
            value: value.to_owned(),
            reason,
        };
        if value.starts_with("unix:") {
            return Err(error("unix sockets are for `serve` only"));
        }
        let (host, port) = if let Some(rest) = value.strip_prefix('[') {
            let (host, rest) = rest
                .split_once(']')
                .ok_or_else(|| error("missing `]` after an IPv6 address"))?;
            if host.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(error("not an IPv6 address in brackets"));
            }
            let port = rest
                .strip_prefix(':')
                .ok_or_else(|| error("expected HOST:PORT"))?;
            (host, port)
        } else {
            let (host, port) = value
                .rsplit_once(':')
                .ok_or_else(|| error("expected HOST:PORT"))?;
            if host.contains(':') {
                return Err(error("write IPv6 addresses in brackets: [::1]:8000"));
            }
            (host, port)
        };
        if host.is_empty() {
            return Err(error("the host is empty"));
        }
        if host
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "/\\@?#".contains(c))
        {
            return Err(error("the host holds characters a host name cannot"));
        }
        let port = port
            .parse::<u16>()
            .map_err(|_| error("the port is not a number from 0 to 65535"))?;
        Ok(Bind::new(host, port))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hosts_and_ports() {
        for (text, host, port) in [
            ("localhost:5000", "localhost", 5000),
            ("0.0.0.0:80", "0.0.0.0", 80),
            ("[::]:8000", "::", 8000),
            ("example.com:0", "example.com", 0),
        ] {
            let bind: Bind = text.parse().unwrap();
            assert_eq!((bind.host(), bind.port()), (host, port), "{text}");
            assert_eq!(bind.to_string(), text);
        }
        for bad in [
            "",
            ":80",
            "host:",
            "host:99999",
            "host:-1",
            "::1:80",
            "[::1:80",
            "[nope]:80",
            "unix:/tmp/s",
            "a b:80",
            "host:80x",
            "[::1]80",
        ] {
            assert!(bad.parse::<Bind>().is_err(), "{bad}");
        }
    }
}
