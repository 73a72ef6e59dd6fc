//! Opening the listening socket, and the start-up banner.

use std::net::{IpAddr, SocketAddr, TcpListener, ToSocketAddrs};

use socket2::{Domain, Protocol, Socket, Type};

use crate::{Error, log};

/// Connections waiting to be accepted, e.g. while the reloader swaps the app
/// process (the kernel caps it at `net.core.somaxconn`).
const BACKLOG: i32 = 1024;

/// Binds `address` (`host:port`; the first resolved address that binds
/// wins) with `SO_REUSEADDR`, as Werkzeug does, so a restart does not wait
/// for old connections in `TIME_WAIT`.
pub(crate) fn bind(address: &str) -> Result<TcpListener, Error> {
    let resolved: Vec<SocketAddr> = address
        .to_socket_addrs()
        .map_err(|source| Error::Resolve {
            address: address.to_owned(),
            source: Some(source),
        })?
        .collect();
    let mut last = None;
    for candidate in &resolved {
        match bind_one(*candidate) {
            Ok(listener) => return Ok(listener),
            Err(error) => last = Some(error),
        }
    }
    Err(match last {
        Some(source) => Error::Bind {
            address: address.to_owned(),
            source,
        },
        None => Error::Resolve {
            address: address.to_owned(),
            source: None,
        },
    })
}

fn bind_one(address: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = Socket::new(
        Domain::for_address(address),
        Type::STREAM,
        Some(Protocol::TCP),
    )?;
    socket.set_reuse_address(true)?;
    if address.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.bind(&address.into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}

/// `http://127.0.0.1:5000`, `http://[::1]:5000`.
pub(crate) fn url(address: SocketAddr) -> String {
    format!("http://{address}")
}

/// A line of the banner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Line {
    /// Bold red on a terminal.
    Warning(String),
    /// ` * text`.
    Info(String),
    Plain(String),
}

/// The start-up banner: Werkzeug's warning, the URL(s), a louder warning
/// when the server is reachable from other machines.
pub(crate) fn banner_lines(address: SocketAddr, extra: &[String]) -> Vec<Line> {
    let mut lines = vec![Line::Warning(
        "WARNING: This is a development server. Do not use it in a production deployment. \
         Use a production server (carafe-server) instead."
            .to_owned(),
    )];
    let ip = address.ip();
    if ip.is_unspecified() {
        lines.push(Line::Info(format!("Running on all addresses ({ip})")));
        let loopback = match ip {
            IpAddr::V4(_) => IpAddr::from([127, 0, 0, 1]),
            IpAddr::V6(_) => IpAddr::from([0, 0, 0, 0, 0, 0, 0, 1]),
        };
        lines.push(Line::Info(format!(
            "Running on {}",
            url(SocketAddr::new(loopback, address.port()))
        )));
    } else {
        lines.push(Line::Info(format!("Running on {}", url(address))));
    }
    if !ip.is_loopback() {
        lines.push(Line::Warning(format!(
            "WARNING: bound to {address}: the server is reachable from other machines. \
             The debug page is shown to loopback clients only."
        )));
    }
    lines.extend(extra.iter().cloned().map(Line::Info));
    lines.push(Line::Plain("Press CTRL+C to quit".to_owned()));
    lines
}

/// Prints the banner on stderr.
pub(crate) fn banner(address: SocketAddr, extra: &[String]) {
    for line in banner_lines(address, extra) {
        match line {
            Line::Warning(text) => log::warning(&text),
            Line::Info(text) => log::info(&text),
            Line::Plain(text) => log::emit(&text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binds_and_reports_errors() {
        let listener = bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let taken = bind(&format!("127.0.0.1:{port}")).unwrap_err();
        assert!(matches!(taken, Error::Bind { .. }), "{taken}");
        assert!(taken.to_string().contains("cannot listen on 127.0.0.1:"));
        let unresolvable = bind("no-such-host.invalid:80").unwrap_err();
        assert!(
            matches!(unresolvable, Error::Resolve { .. }),
            "{unresolvable}"
        );
        assert!(matches!(
            bind("nonsense").unwrap_err(),
            Error::Resolve { .. }
        ));
    }

    #[test]
    fn a_louder_warning_when_reachable_from_other_machines() {
        let warnings = |address: &str| {
            banner_lines(address.parse().unwrap(), &[])
                .into_iter()
                .filter(|line| matches!(line, Line::Warning(_)))
                .count()
        };
        assert_eq!(warnings("127.0.0.1:5000"), 1, "Werkzeug's warning only");
        assert_eq!(warnings("[::1]:5000"), 1);
        assert_eq!(warnings("0.0.0.0:5000"), 2);
        assert_eq!(warnings("192.168.1.20:5000"), 2);
        let lines = banner_lines(
            "0.0.0.0:5000".parse().unwrap(),
            &["Debugger is active".to_owned()],
        );
        assert!(lines.contains(&Line::Info("Running on all addresses (0.0.0.0)".to_owned())));
        assert!(lines.contains(&Line::Info("Running on http://127.0.0.1:5000".to_owned())));
        assert!(lines.contains(&Line::Info("Debugger is active".to_owned())));
        assert_eq!(
            lines.last(),
            Some(&Line::Plain("Press CTRL+C to quit".to_owned()))
        );
    }

    #[test]
    fn urls() {
        assert_eq!(
            url("127.0.0.1:5000".parse().unwrap()),
            "http://127.0.0.1:5000"
        );
        assert_eq!(url("[::1]:5000".parse().unwrap()), "http://[::1]:5000");
    }
}
