//! Where formatted lines go: written directly (one lock, one write per line),
//! or handed to a writer thread so request threads never wait for a disk.
//!
//! A process starts with direct writes; [`Sink::start_thread`] switches to the
//! thread. The thread belongs to the process that started it: a forked child
//! sees that the thread is not its own and writes directly until it starts
//! its own (the production server's workers do, right after fork).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tracing_subscriber::fmt::MakeWriter;

use super::config::Output;

/// Lines queued for the writer thread before writers wait (backpressure: a
/// slow disk slows logging down, it never drops or piles up lines).
const QUEUE: usize = 8_192;

/// An open output.
#[derive(Debug)]
enum Target {
    Stdout,
    Stderr,
    File { path: PathBuf, file: File },
}

impl Target {
    fn open(output: &Output) -> io::Result<Target> {
        Ok(match output {
            Output::Stdout => Target::Stdout,
            Output::Stderr => Target::Stderr,
            Output::File(path) => Target::File {
                file: open_append(path)?,
                path: path.clone(),
            },
        })
    }

    fn try_clone(&self) -> io::Result<Target> {
        Ok(match self {
            Target::Stdout => Target::Stdout,
            Target::Stderr => Target::Stderr,
            Target::File { path, file } => Target::File {
                path: path.clone(),
                file: file.try_clone()?,
            },
        })
    }

    fn write(&mut self, line: &[u8]) {
        // A log that cannot be written must not take the app down.
        let _ = match self {
            Target::Stdout => io::stdout().lock().write_all(line),
            Target::Stderr => io::stderr().lock().write_all(line),
            Target::File { file, .. } => file.write_all(line),
        };
    }

    fn flush(&mut self) {
        let _ = match self {
            Target::Stdout => io::stdout().lock().flush(),
            Target::Stderr => io::stderr().lock().flush(),
            Target::File { file, .. } => file.flush(),
        };
    }

    /// Opens the file again (after log rotation moved it away).
    fn reopen(&mut self) {
        if let Target::File { path, file } = self
            && let Ok(reopened) = open_append(path)
        {
            *file = reopened;
        }
    }
}

fn open_append(path: &PathBuf) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

enum Msg {
    Line(Vec<u8>),
    Reopen,
    Flush(mpsc::Sender<()>),
}

struct Thread {
    sender: SyncSender<Msg>,
    pid: u32,
}

struct State {
    direct: Target,
    thread: Option<Thread>,
}

/// The destination shared by every event of one subscriber.
pub(crate) struct Sink {
    state: Mutex<State>,
}

impl Sink {
    pub(crate) fn open(output: &Output) -> io::Result<Arc<Sink>> {
        Ok(Arc::new(Sink {
            state: Mutex::new(State {
                direct: Target::open(output)?,
                thread: None,
            }),
        }))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The writer thread's sender, if this process started it.
    fn sender(state: &State) -> Option<SyncSender<Msg>> {
        state
            .thread
            .as_ref()
            .filter(|thread| thread.pid == std::process::id())
            .map(|thread| thread.sender.clone())
    }

    pub(crate) fn write_line(&self, line: Vec<u8>) {
        let mut state = self.state();
        match Self::sender(&state) {
            Some(sender) => {
                drop(state);
                if let Err(mpsc::SendError(Msg::Line(line))) = sender.send(Msg::Line(line)) {
                    // The thread is gone: write it here rather than lose it.
                    self.state().direct.write(&line);
                }
            }
            None => state.direct.write(&line),
        }
    }

    /// Starts this process's writer thread; `false` when it runs already.
    pub(crate) fn start_thread(&self) -> io::Result<bool> {
        let mut state = self.state();
        if Self::sender(&state).is_some() {
            return Ok(false);
        }
        let mut target = state.direct.try_clone()?;
        let (sender, receiver): (SyncSender<Msg>, Receiver<Msg>) = mpsc::sync_channel(QUEUE);
        std::thread::Builder::new()
            .name("carafe-log".to_owned())
            .spawn(move || {
                for msg in receiver {
                    match msg {
                        Msg::Line(line) => target.write(&line),
                        Msg::Reopen => target.reopen(),
                        Msg::Flush(done) => {
                            target.flush();
                            let _ = done.send(());
                        }
                    }
                }
            })?;
        state.thread = Some(Thread {
            sender,
            pid: std::process::id(),
        });
        Ok(true)
    }

    /// Waits (at most `timeout`) until every line sent so far is written.
    pub(crate) fn flush(&self, timeout: Duration) -> bool {
        let mut state = self.state();
        match Self::sender(&state) {
            Some(sender) => {
                drop(state);
                let (done, wait) = mpsc::channel();
                sender.send(Msg::Flush(done)).is_ok() && wait.recv_timeout(timeout).is_ok()
            }
            None => {
                state.direct.flush();
                true
            }
        }
    }

    /// Reopens a log file (`SIGUSR1` after rotation, as in gunicorn).
    pub(crate) fn reopen(&self) {
        let mut state = self.state();
        state.direct.reopen();
        if let Some(sender) = Self::sender(&state) {
            drop(state);
            let _ = sender.send(Msg::Reopen);
        }
    }
}

/// The `MakeWriter` handed to tracing-subscriber: one [`LineWriter`] per
/// event.
#[derive(Clone)]
pub(crate) struct SinkWriter(pub(crate) Arc<Sink>);

impl<'a> MakeWriter<'a> for SinkWriter {
    type Writer = LineWriter<'a>;

    fn make_writer(&'a self) -> LineWriter<'a> {
        LineWriter {
            sink: &self.0,
            buffer: Vec::new(),
        }
    }
}

/// Collects one event's output and passes it on whole when dropped, so lines
/// of concurrent events never interleave.
pub(crate) struct LineWriter<'a> {
    sink: &'a Sink,
    buffer: Vec<u8>,
}

impl Write for LineWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for LineWriter<'_> {
    fn drop(&mut self) {
        if !self.buffer.is_empty() {
            self.sink.write_line(std::mem::take(&mut self.buffer));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_reach_the_file_directly_and_through_the_thread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        let sink = Sink::open(&Output::File(path.clone())).unwrap();
        sink.write_line(b"one\n".to_vec());
        assert!(sink.start_thread().unwrap());
        assert!(!sink.start_thread().unwrap(), "one thread per process");
        for i in 0..20_000 {
            sink.write_line(format!("line {i}\n").into_bytes());
        }
        assert!(sink.flush(Duration::from_secs(10)));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("one\nline 0\n"));
        assert_eq!(text.lines().count(), 20_001);
        assert!(text.ends_with("line 19999\n"));
    }

    #[test]
    fn reopen_follows_a_rotated_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        let sink = Sink::open(&Output::File(path.clone())).unwrap();
        sink.write_line(b"before\n".to_vec());
        std::fs::rename(&path, dir.path().join("app.log.1")).unwrap();
        sink.reopen();
        sink.write_line(b"after\n".to_vec());
        sink.flush(Duration::from_secs(5));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "after\n");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("app.log.1")).unwrap(),
            "before\n"
        );
    }
}
