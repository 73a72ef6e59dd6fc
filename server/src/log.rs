//! The error log and the access log: lines to standard streams or files.
//!
//! The master writes its (rare) lines directly. A worker starts one writer
//! thread per log right after it is forked ([`Log::start_writer`]), so its
//! runtime threads never wait for a disk; `USR1` reopens the files (log
//! rotation), as in gunicorn.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::{LogLevel, LogTarget};

enum Msg {
    Line(Vec<u8>),
    Reopen,
    Flush(mpsc::SyncSender<()>),
}

enum Output {
    Stdout,
    Stderr,
    File(PathBuf, Option<File>),
}

impl Output {
    fn new(target: &LogTarget, std_is_stdout: bool) -> Self {
        match (target, std_is_stdout) {
            (LogTarget::Std, true) => Output::Stdout,
            (LogTarget::Std, false) => Output::Stderr,
            (LogTarget::File(path), _) => {
                let file = open(path);
                Output::File(path.clone(), file)
            }
        }
    }

    fn write(&mut self, line: &[u8]) {
        // A log that cannot be written must not take the server down.
        let _ = match self {
            Output::Stdout => io::stdout().lock().write_all(line),
            Output::Stderr => io::stderr().lock().write_all(line),
            Output::File(_, Some(file)) => file.write_all(line),
            Output::File(_, None) => Ok(()),
        };
    }

    fn reopen(&mut self) {
        if let Output::File(path, file) = self {
            *file = open(path);
        }
    }
}

fn open(path: &PathBuf) -> Option<File> {
    OpenOptions::new().create(true).append(true).open(path).ok()
}

/// Where one log's lines go: written directly, or sent to a writer thread.
pub(crate) struct Sink {
    direct: Mutex<Option<Output>>,
    sender: Mutex<Option<Sender<Msg>>>,
}

impl Sink {
    fn new(output: Output) -> Self {
        Self {
            direct: Mutex::new(Some(output)),
            sender: Mutex::new(None),
        }
    }

    fn write(&self, line: Vec<u8>) {
        if let Some(sender) = self
            .sender
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
        {
            let _ = sender.send(Msg::Line(line));
            return;
        }
        if let Some(output) = self
            .direct
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_mut()
        {
            output.write(&line);
        }
    }

    /// A sender to the writer thread (access log: one clone per caller, no
    /// lock per line).
    pub(crate) fn sender(&self) -> Option<LineSender> {
        self.sender
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .map(LineSender)
    }

    fn start_writer(&self) {
        let Some(mut output) = self
            .direct
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        else {
            return;
        };
        let (sender, receiver): (Sender<Msg>, Receiver<Msg>) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("carafe-log".to_owned())
            .spawn(move || {
                for msg in receiver {
                    match msg {
                        Msg::Line(line) => output.write(&line),
                        Msg::Reopen => output.reopen(),
                        Msg::Flush(done) => {
                            let _ = done.send(());
                        }
                    }
                }
            });
        if spawned.is_ok() {
            *self.sender.lock().unwrap_or_else(PoisonError::into_inner) = Some(sender);
        }
    }

    /// Waits (at most `within`) until the writer thread wrote every line
    /// sent before.
    fn flush(&self, within: std::time::Duration) {
        let sender = self
            .sender
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(sender) = sender {
            let (done, wait) = mpsc::sync_channel(1);
            if sender.send(Msg::Flush(done)).is_ok() {
                let _ = wait.recv_timeout(within);
            }
        }
    }

    fn reopen(&self) {
        if let Some(sender) = self
            .sender
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
        {
            let _ = sender.send(Msg::Reopen);
        } else if let Some(output) = self
            .direct
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_mut()
        {
            output.reopen();
        }
    }
}

/// A handle that sends finished lines to a log's writer thread.
#[derive(Clone)]
pub(crate) struct LineSender(Sender<Msg>);

impl LineSender {
    pub(crate) fn send(&self, line: Vec<u8>) {
        let _ = self.0.send(Msg::Line(line));
    }
}

/// The process's logs.
pub(crate) struct Log {
    level: LogLevel,
    error: Sink,
    access: Option<Sink>,
}

static LOG: Mutex<Option<std::sync::Arc<Log>>> = Mutex::new(None);

impl Log {
    /// Installs the logs described by the settings (again on `HUP`).
    pub(crate) fn install(level: LogLevel, errorlog: &LogTarget, accesslog: Option<&LogTarget>) {
        let log = Log {
            level,
            error: Sink::new(Output::new(errorlog, false)),
            access: accesslog.map(|target| Sink::new(Output::new(target, true))),
        };
        *LOG.lock().unwrap_or_else(PoisonError::into_inner) = Some(std::sync::Arc::new(log));
    }

    fn current() -> Option<std::sync::Arc<Log>> {
        LOG.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Starts the writer threads (in a worker, right after fork).
    pub(crate) fn start_writers() {
        if let Some(log) = Self::current() {
            log.error.start_writer();
            if let Some(access) = &log.access {
                access.start_writer();
            }
        }
    }

    /// Writes out what the writer threads still hold (a worker, before it
    /// exits), waiting at most half a second.
    pub(crate) fn flush() {
        if let Some(log) = Self::current() {
            let within = std::time::Duration::from_millis(250);
            log.error.flush(within);
            if let Some(access) = &log.access {
                access.flush(within);
            }
        }
    }

    /// Reopens the log files (`USR1`).
    pub(crate) fn reopen() {
        if let Some(log) = Self::current() {
            log.error.reopen();
            if let Some(access) = &log.access {
                access.reopen();
            }
        }
    }

    /// The access log's line sender, when there is an access log and its
    /// writer runs.
    pub(crate) fn access_sender() -> Option<LineSender> {
        Self::current()?.access.as_ref()?.sender()
    }
}

/// Writes one line to the error log, gunicorn's format:
/// `[2024-01-15 10:00:00 +0000] [PID] [LEVEL] message`.
pub(crate) fn log(level: LogLevel, message: std::fmt::Arguments<'_>) {
    let Some(log) = Log::current() else {
        eprintln!("{message}");
        return;
    };
    if level < log.level {
        return;
    }
    let name = match level {
        LogLevel::Debug => "DEBUG",
        LogLevel::Info => "INFO",
        LogLevel::Warning => "WARNING",
        LogLevel::Error => "ERROR",
        LogLevel::Critical => "CRITICAL",
    };
    let (date, time) = utc_now();
    let line = format!(
        "[{date} {time} +0000] [{}] [{name}] {message}\n",
        std::process::id()
    );
    log.error.write(line.into_bytes());
}

/// `error!`-style helpers.
macro_rules! info {
    ($($arg:tt)*) => { $crate::log::log($crate::LogLevel::Info, format_args!($($arg)*)) };
}
macro_rules! warning {
    ($($arg:tt)*) => { $crate::log::log($crate::LogLevel::Warning, format_args!($($arg)*)) };
}
macro_rules! error {
    ($($arg:tt)*) => { $crate::log::log($crate::LogLevel::Error, format_args!($($arg)*)) };
}
macro_rules! critical {
    ($($arg:tt)*) => { $crate::log::log($crate::LogLevel::Critical, format_args!($($arg)*)) };
}
pub(crate) use {critical, error, info, warning};

/// Civil date and time in UTC: (`YYYY-MM-DD`, `HH:MM:SS`).
pub(crate) fn utc_now() -> (String, String) {
    let (year, month, day, h, m, s) = civil(SystemTime::now());
    (
        format!("{year:04}-{month:02}-{day:02}"),
        format!("{h:02}:{m:02}:{s:02}"),
    )
}

/// (year, month, day, hour, minute, second) in UTC.
pub(crate) fn civil(time: SystemTime) -> (i64, u32, u32, u32, u32, u32) {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn civil_dates() {
        assert_eq!(civil(UNIX_EPOCH), (1970, 1, 1, 0, 0, 0));
        // 2000-02-29 12:34:56 UTC
        let leap = UNIX_EPOCH + Duration::from_secs(951_827_696);
        assert_eq!(civil(leap), (2000, 2, 29, 12, 34, 56));
        // 2038-01-19 03:14:08 UTC
        let t = UNIX_EPOCH + Duration::from_secs(2_147_483_648);
        assert_eq!(civil(t), (2038, 1, 19, 3, 14, 8));
    }
}
