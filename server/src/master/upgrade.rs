//! Binary upgrade (`USR2`) and the pid file.

use std::ffi::CString;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use carafe_wrappers::Application;
use nix::unistd::ForkResult;

use super::Master;
use crate::listeners::{self, Listener};
use crate::log::{error, info, warning};
use crate::process;

/// What the master needs to re-execute itself (`USR2`).
pub(crate) struct Program {
    pub(crate) path: CString,
    pub(crate) args: Vec<CString>,
}

impl Program {
    /// This program, as it was started.
    pub(crate) fn current() -> Option<Self> {
        let path = std::env::current_exe().ok()?;
        let path = CString::new(path.as_os_str().as_bytes()).ok()?;
        let args = std::env::args_os()
            .map(|arg| CString::new(arg.as_bytes()))
            .collect::<Result<Vec<_>, _>>()
            .ok()?;
        Some(Self { path, args })
    }
}

impl<F, A> Master<'_, F>
where
    F: Fn() -> A,
    A: Application,
{
    /// `USR2`: starts a new master from the executable on disk, with the
    /// listening sockets inherited (`CARAFE_FDS`). This master keeps serving
    /// until it gets `TERM`.
    pub(super) fn upgrade(&mut self) {
        if self.upgrade_child.is_some() {
            warning!("USR2: an upgrade is already running");
            return;
        }
        let Some(program) = &self.program else {
            error!("USR2: the path of this executable is unknown");
            return;
        };
        let mut env: Vec<CString> = std::env::vars_os()
            .filter(|(name, _)| {
                !matches!(
                    name.as_bytes(),
                    b"CARAFE_FDS" | b"LISTEN_FDS" | b"LISTEN_PID" | b"LISTEN_FDNAMES"
                )
            })
            .filter_map(|(name, value)| {
                let mut pair = name.as_bytes().to_vec();
                pair.push(b'=');
                pair.extend_from_slice(value.as_bytes());
                CString::new(pair).ok()
            })
            .collect();
        if let Ok(fds) = CString::new(format!(
            "CARAFE_FDS={}",
            listeners::fds_env(&self.listeners)
        )) {
            env.push(fds);
        }
        match process::fork() {
            Ok(ForkResult::Child) => {
                let _ = process::reset_signal_dispositions();
                for fd in self.signals.raw_fds() {
                    process::close_raw(fd);
                }
                for worker in &self.workers {
                    process::close_raw(worker.beat.as_raw_fd());
                }
                let keep: Vec<_> = self.listeners.iter().map(Listener::fd).collect();
                let error = process::exec(&program.path, &program.args, &env, &keep);
                eprintln!("USR2: cannot execute the new master: {error}");
                std::process::exit(1);
            }
            Ok(ForkResult::Parent { child }) => {
                info!("USR2: started a new master (pid:{child})");
                self.upgrade_child = Some(child);
                if let Some(path) = &self.pidfile {
                    let _ = std::fs::rename(path, oldbin(path));
                }
            }
            Err(error) => error!("USR2: cannot fork: {error}"),
        }
    }

    pub(super) fn write_pidfile(&self) {
        if let Some(path) = &self.pidfile
            && let Err(error) = std::fs::write(path, format!("{}\n", std::process::id()))
        {
            error!("cannot write the pid file {}: {error}", path.display());
        }
    }

    pub(super) fn restore_pidfile(&self) {
        if let Some(path) = &self.pidfile
            && std::fs::rename(oldbin(path), path).is_err()
        {
            self.write_pidfile();
        }
    }

    pub(super) fn cleanup(&mut self) {
        if let Some(path) = &self.pidfile {
            for candidate in [path.clone(), oldbin(path)] {
                let ours = std::fs::read_to_string(&candidate)
                    .ok()
                    .and_then(|text| text.trim().parse::<u32>().ok())
                    == Some(std::process::id());
                if ours {
                    let _ = std::fs::remove_file(candidate);
                }
            }
        }
        if self.upgrade_child.is_none() {
            listeners::remove_socket_files(&self.listeners);
        }
    }
}

fn oldbin(path: &std::path::Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".oldbin");
    PathBuf::from(name)
}
