//! The server loop: hyper on a current-thread runtime, one handler at a
//! time, an accept loop that never gives up.

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use carafe_wrappers::Application;
use carafe_wrappers::hyper::{Executor, Gateway, Peer};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::executor::Serial;
use crate::{DebugPage, Error, Options, StaticFiles, log};

/// The most threads reading response bodies (files, iterators) at once.
const BLOCKING_THREADS: usize = 8;

/// How long a stopping server waits for its open connections (a request in
/// progress, an idle keep-alive connection that may still bring one).
const DRAIN: Duration = Duration::from_secs(10);

/// Stops a [`Server`]: it stops accepting, finishes the requests in
/// progress (answering them with `Connection: close`) and returns.
///
/// # Examples
///
/// ```
/// use carafe_devserver::{Options, Server};
/// use carafe_wrappers::{Request, Response};
///
/// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// let server = Server::new(listener, Options::default().with_log_requests(false));
/// let stop = server.stop_handle();
/// let thread = std::thread::spawn(move || server.serve(|_: Request| Response::text("hi")));
/// stop.stop();
/// thread.join().unwrap().unwrap();
/// assert!(stop.is_stopped());
/// ```
#[derive(Debug, Clone)]
pub struct StopHandle {
    sender: Arc<watch::Sender<bool>>,
}

impl StopHandle {
    fn new() -> Self {
        Self {
            sender: Arc::new(watch::Sender::new(false)),
        }
    }

    /// Asks the server to stop (from any thread; more calls do nothing).
    pub fn stop(&self) {
        self.sender.send_replace(true);
    }

    /// Whether [`stop`](Self::stop) was called.
    pub fn is_stopped(&self) -> bool {
        *self.sender.borrow()
    }

    /// A future that completes once the server is asked to stop.
    fn stopped(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut receiver = self.sender.subscribe();
        async move {
            if receiver.wait_for(|stopped| *stopped).await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

/// The development server on a listening socket: the request log, static
/// files, the debug page and one handler at a time, without the reloader
/// (see [`run_simple`](crate::run_simple) for that).
///
/// # Examples
///
/// ```
/// use std::io::{Read, Write};
/// use carafe_devserver::{Options, Server};
/// use carafe_wrappers::{Request, Response};
///
/// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// let server = Server::new(listener, Options::default().with_log_requests(false));
/// let address = server.local_addr().unwrap();
/// let stop = server.stop_handle();
/// let thread = std::thread::spawn(move || server.serve(|_: Request| Response::text("hello")));
///
/// let mut stream = std::net::TcpStream::connect(address).unwrap();
/// stream.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
/// let mut answer = String::new();
/// stream.read_to_string(&mut answer).unwrap();
/// assert!(answer.starts_with("HTTP/1.1 200 OK") && answer.ends_with("hello"));
/// stop.stop();
/// thread.join().unwrap().unwrap();
/// ```
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    options: Options,
    stop: StopHandle,
}

impl Server {
    /// A server for `listener` (bound and listening) with `options` (the
    /// reloader options are not used here).
    pub fn new(listener: TcpListener, options: Options) -> Self {
        Self {
            listener,
            options,
            stop: StopHandle::new(),
        }
    }

    /// The address the server listens on.
    ///
    /// # Errors
    ///
    /// The system's error for the socket.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// A handle that stops the server from another thread.
    pub fn stop_handle(&self) -> StopHandle {
        self.stop.clone()
    }

    /// Serves `app` until stopped.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the runtime or the handler thread cannot be
    /// created. Accept errors never end the loop: running out of file
    /// descriptors makes it wait and retry.
    pub fn serve<A: Application>(self, app: A) -> Result<(), Error> {
        log::local_offset();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            // Response bodies read from files or iterators are read one chunk
            // per job on the blocking pool: a few threads are plenty, and
            // clients that stop reading must not grow the thread count.
            .max_blocking_threads(BLOCKING_THREADS)
            .thread_name("carafe-devserver")
            .build()
            .map_err(Error::io("cannot start the runtime"))?;
        let executor = Serial::start().map_err(Error::io("cannot start the handler thread"))?;
        let app = layers(app, &self.options);
        let mut gateway = Gateway::new(app)
            .with_executor(executor)
            .with_config(self.options.gateway().clone());
        if self.options.log_requests() {
            let offset = log::local_offset();
            let color = log::stderr_color();
            gateway = gateway.with_access_observer(Arc::new(move |record| {
                log::emit(&log::request_line(&record, offset, color));
            }));
        }
        self.listener
            .set_nonblocking(true)
            .map_err(Error::io("cannot configure the listening socket"))?;
        let stop = self.stop;
        let max_connections = self.options.max_connections();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(self.listener)
                .map_err(Error::io("cannot register the listening socket"))?;
            accept_loop(listener, gateway, &stop, max_connections).await;
            Ok(())
        })
    }
}

/// The application with the development server's layers around it: the
/// debug page outermost (it sees panics from everything), then static files.
fn layers<A: Application>(app: A, options: &Options) -> Box<dyn Application> {
    let app: Box<dyn Application> = if options.static_files().is_empty() {
        Box::new(app)
    } else {
        let mut files = StaticFiles::new(app);
        for (prefix, directory) in options.static_files() {
            files = files.with_directory(prefix, directory.clone());
        }
        Box::new(files)
    };
    Box::new(DebugPage::new(app).with_debugger(options.debugger()))
}

/// Accepts connections while fewer than `max_connections` are open (the
/// others wait in the listen backlog), until `stop`.
async fn accept_loop<A: Application, E: Executor>(
    listener: tokio::net::TcpListener,
    gateway: Gateway<A, E>,
    stop: &StopHandle,
    max_connections: usize,
) {
    let mut connections = JoinSet::new();
    let mut backoff = Backoff::default();
    let stopped = stop.stopped();
    tokio::pin!(stopped);
    loop {
        tokio::select! {
            biased;
            () = &mut stopped => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept(), if connections.len() < max_connections => match accepted {
                Ok((stream, peer)) => {
                    backoff.reset();
                    // Small responses go out at once (no Nagle delay).
                    let _ = stream.set_nodelay(true);
                    connections.spawn(gateway.serve_connection(
                        stream,
                        Peer::new(Some(peer)),
                        stop.stopped(),
                    ));
                }
                Err(error) => {
                    let (delay, report) = backoff.failed(&error);
                    if report {
                        log::warning(&format!(
                            "accept failed: {error}; retrying every {} ms at most",
                            Backoff::MAX.as_millis()
                        ));
                    }
                    if !delay.is_zero() {
                        tokio::time::sleep(delay).await;
                    }
                }
            }
        }
    }
    // Stop accepting: queued connections are left to the next process (the
    // reloader's new app process or the supervisor) or refused when none.
    drop(listener);
    let drained = tokio::time::timeout(DRAIN, async {
        while connections.join_next().await.is_some() {}
    });
    if drained.await.is_err() {
        log::warning(&format!(
            "{} connection(s) still open after {} s; closing them",
            connections.len(),
            DRAIN.as_secs()
        ));
    }
}

/// How the accept loop reacts to errors: errors about one connection (it
/// was reset before it was accepted) are retried at once; running out of
/// descriptors or memory waits, doubling from 10 ms to 1 s, so the loop
/// neither spins nor dies while the condition lasts.
#[derive(Debug, Default)]
pub(crate) struct Backoff {
    delay: Option<Duration>,
}

impl Backoff {
    const MIN: Duration = Duration::from_millis(10);
    const MAX: Duration = Duration::from_secs(1);

    /// After an error: how long to wait, and whether to report it (the
    /// first of a run of failures).
    pub(crate) fn failed(&mut self, error: &io::Error) -> (Duration, bool) {
        let per_connection = matches!(
            error.kind(),
            io::ErrorKind::ConnectionAborted
                | io::ErrorKind::ConnectionReset
                | io::ErrorKind::Interrupted
                | io::ErrorKind::WouldBlock
        );
        if per_connection {
            return (Duration::ZERO, false);
        }
        let report = self.delay.is_none();
        let delay = self
            .delay
            .map_or(Self::MIN, |delay| (delay * 2).min(Self::MAX));
        self.delay = Some(delay);
        (delay, report)
    }

    /// After a successful accept.
    pub(crate) fn reset(&mut self) {
        self.delay = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_ceiling_and_resets() {
        let mut backoff = Backoff::default();
        let emfile = io::Error::from_raw_os_error(24);
        assert_eq!(backoff.failed(&emfile), (Duration::from_millis(10), true));
        assert_eq!(backoff.failed(&emfile), (Duration::from_millis(20), false));
        for _ in 0..10 {
            backoff.failed(&emfile);
        }
        assert_eq!(backoff.failed(&emfile), (Duration::from_secs(1), false));
        backoff.reset();
        assert_eq!(backoff.failed(&emfile).0, Duration::from_millis(10));
    }

    #[test]
    fn per_connection_errors_are_retried_at_once() {
        let mut backoff = Backoff::default();
        let aborted = io::Error::from(io::ErrorKind::ConnectionAborted);
        assert_eq!(backoff.failed(&aborted), (Duration::ZERO, false));
    }
}
