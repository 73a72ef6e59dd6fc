//! The public entry point: settings in, a running master out.

use carafe_wrappers::Application;

use crate::log::Log;
use crate::master::{Master, Program};
use crate::{Error, Settings, listeners, process};

/// The production server: a master process and `workers` worker processes,
/// each serving the application made by the factory.
///
/// ```no_run
/// use carafe_server::{Server, Settings};
/// use carafe_wrappers::{Request, Response};
///
/// fn main() -> Result<(), carafe_server::Error> {
///     let settings = Settings::from_args(std::env::args().skip(1))?;
///     Server::new(settings).run(|| |_: Request| Response::text("Hello, World!"))
/// }
/// ```
#[derive(Debug)]
pub struct Server {
    settings: Settings,
}

impl Server {
    /// A server with these settings.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_server::{Server, Settings};
    ///
    /// let server = Server::new(Settings::default());
    /// assert_eq!(server.settings().workers, 1);
    /// ```
    pub fn new(settings: Settings) -> Self {
        Self { settings }
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Binds, starts the workers and runs the master until it is stopped
    /// (`TERM`, `INT`, `QUIT`). `factory` is called once in every worker
    /// process, right after it starts: create runtimes, pools, connections
    /// and background threads there, not before `run`.
    ///
    /// Call it from the main thread of a process that has started no other
    /// thread (workers are forked): it returns [`Error::Threaded`] otherwise.
    ///
    /// # Errors
    ///
    /// Bad settings, an address that cannot be bound, a first worker that
    /// fails to boot, a process that already runs threads.
    pub fn run<F, A>(self, factory: F) -> Result<(), Error>
    where
        F: Fn() -> A,
        A: Application,
    {
        let settings = self.settings;
        settings.validate()?;
        if let Some(threads) = process::thread_count()
            && threads > 1
        {
            return Err(Error::Threaded { threads });
        }
        Log::install(
            settings.loglevel,
            &settings.errorlog,
            settings.accesslog.as_ref(),
        );
        nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(settings.umask));
        raise_open_files_limit();
        let listeners = listeners::open(&settings, Vec::new())?;
        let program = Program::current();
        Master::new(settings, listeners, &factory, program)?.run()
    }
}

/// Raises the soft limit on open files to the hard limit: every connection
/// is a file descriptor, and the usual soft limit (1024) is lower than
/// `worker_connections` plus the listen backlog.
fn raise_open_files_limit() {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    if let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE)
        && soft < hard
    {
        let _ = setrlimit(Resource::RLIMIT_NOFILE, hard, hard);
    }
}
