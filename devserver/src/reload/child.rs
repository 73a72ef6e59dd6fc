//! The app process's side of the reloader protocol.
//!
//! The supervisor starts the app process (the same executable, same
//! arguments) with:
//!
//! | variable | meaning |
//! |---|---|
//! | `CARAFE_SERVER_FD` | the number of the inherited listening socket |
//! | `CARAFE_DEVSERVER_CONTROL` | the path of the supervisor's control socket (Unix) |
//! | `CARAFE_DEVSERVER_CHILD` | this process's number |
//! | `CARAFE_DEVSERVER_SUPERVISOR` | the supervisor's pid: only its direct children act on these variables |
//! | `CARAFE_DEVSERVER_UTC_OFFSET` | the local UTC offset in seconds, for the request log |
//! | `CARAFE_DEVSERVER_CRATES`, `CARAFE_DEVSERVER_ROOT` | the application's crates and workspace, for the debug page |
//!
//! The app process adopts the socket, connects to the control socket,
//! builds the application, writes `ready N` and serves. A `stop` line, or
//! the control socket closing (the supervisor is gone), makes it stop
//! accepting, finish its requests and return from `run_simple`.

use std::io::{BufRead, BufReader, Write};
use std::os::fd::RawFd;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;

use carafe_wrappers::Application;

use super::inherit::adopt_listener;
use super::state::ChildId;
use crate::{Error, Options, Server};

pub(crate) const FD_VAR: &str = "CARAFE_SERVER_FD";
pub(crate) const CONTROL_VAR: &str = "CARAFE_DEVSERVER_CONTROL";
pub(crate) const CHILD_VAR: &str = "CARAFE_DEVSERVER_CHILD";
pub(crate) const SUPERVISOR_VAR: &str = "CARAFE_DEVSERVER_SUPERVISOR";

/// What an app process started by the supervisor was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChildRole {
    pub(crate) fd: RawFd,
    pub(crate) control: PathBuf,
    pub(crate) id: ChildId,
}

impl ChildRole {
    /// The role, when this process is an app process of the supervisor
    /// that is its parent.
    pub(crate) fn from_env() -> Option<Result<ChildRole, Error>> {
        let supervisor: u32 = std::env::var(SUPERVISOR_VAR).ok()?.parse().ok()?;
        if supervisor != std::os::unix::process::parent_id() {
            // A grandchild that inherited the variables: not ours.
            return None;
        }
        let fd = std::env::var(FD_VAR).unwrap_or_default();
        let parsed = fd.parse::<RawFd>().map_err(|_| Error::InheritedSocket {
            fd: fd.clone(),
            reason: format!("{FD_VAR} is not a descriptor number"),
        });
        Some(parsed.and_then(|number| {
            let control = std::env::var_os(CONTROL_VAR).ok_or_else(|| Error::InheritedSocket {
                fd: fd.clone(),
                reason: format!("{CONTROL_VAR} is not set"),
            })?;
            let id = std::env::var(CHILD_VAR)
                .ok()
                .and_then(|id| id.parse().ok())
                .unwrap_or(0);
            Ok(ChildRole {
                fd: number,
                control: PathBuf::from(control),
                id,
            })
        }))
    }
}

/// Serves `factory()`'s application as the supervisor's app process.
pub(crate) fn run<A: Application>(
    role: ChildRole,
    factory: impl FnOnce() -> A,
    options: Options,
) -> Result<(), Error> {
    let listener = adopt_listener(role.fd).map_err(|reason| Error::InheritedSocket {
        fd: role.fd.to_string(),
        reason,
    })?;
    let mut control = UnixStream::connect(&role.control)
        .map_err(Error::io("cannot reach the reloader's control socket"))?;
    let app = factory();
    let server = Server::new(listener, options);
    let stop = server.stop_handle();
    let reader = control
        .try_clone()
        .map_err(Error::io("cannot use the reloader's control socket"))?;
    std::thread::Builder::new()
        .name("carafe-devserver-control".to_owned())
        .spawn(move || {
            for line in BufReader::new(reader).lines() {
                match line {
                    Ok(line) if line.trim() != "stop" => {}
                    _ => break,
                }
            }
            stop.stop();
        })
        .map_err(Error::io("cannot start the control thread"))?;
    control
        .write_all(format!("ready {}\n", role.id).as_bytes())
        .map_err(Error::io("cannot reach the reloader's control socket"))?;
    server.serve(app)
}
