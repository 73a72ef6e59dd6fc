//! Isolated rendering: untrusted templates rendered in child processes with hard CPU,
//! memory and wall-clock limits, the only reliable bound against a loop that writes
//! nothing or a string that doubles itself inside one expression.
//!
//! An [`IsolatedRenderer`] keeps a pool of warm worker processes, each of which has
//! loaded the template set once and renders requests from a pipe. Each worker:
//!
//! - sets `RLIMIT_AS` on itself (memory), `RLIMIT_CORE` to 0, and `RLIMIT_CPU`: a
//!   soft limit moved before each render to "CPU used so far + the per-render
//!   allowance" (the kernel sends `SIGXCPU`), under a hard limit fixed at start that
//!   bounds the worker's life (workers are replaced after 256 renders);
//! - renders with the in-process [sandbox](crate::sandbox) (policy and caps) inside
//!   those limits.
//!
//! The pool enforces the wall clock: past the deadline it kills the worker
//! (`SIGKILL`) and starts another on the next request. A worker's death is reported
//! as [`Error::CapExceeded`] naming the limit that fired ([`Cap::CpuTime`],
//! [`Cap::Memory`], [`Cap::WallClock`]); the calling process is never at risk.
//!
//! The limits are set by the worker on itself, with `nix`'s safe `setrlimit`, after
//! it starts: this crate needs no `unsafe` (`pre_exec`). The worker is an executable
//! that calls [`serve_if_requested`] first thing in `main` (the `carafe-render`
//! binary does; so can your application's own binary, which is the default program).
//!
//! ```no_run
//! use carafe_templating::isolated::{IsolatedRenderer, ProcessLimits};
//! use std::time::Duration;
//!
//! fn main() {
//!     // First thing: become a worker if the pool started this process as one.
//!     carafe_templating::isolated::serve_if_requested();
//!
//!     let renderer = IsolatedRenderer::builder()
//!         .template("page.html", "<h1>{{ title }}</h1>")
//!         .limits(ProcessLimits::default().wall_time(Duration::from_secs(1)))
//!         .build()
//!         .unwrap();
//!     let html = renderer.render("page.html", &serde_json::json!({"title": "Hi"})).unwrap();
//!     assert_eq!(html, "<h1>Hi</h1>");
//! }
//! ```
//!
//! Custom Rust filters cannot cross the process boundary: isolated templates have the
//! built-in and Carafe filters, with the same allow-lists as the sandbox.
//!
//! Cost: a render is one round trip over pipes plus the JSON encoding of the data;
//! see the crate README for the figures against in-process rendering.

mod pool;
pub(crate) mod protocol;
mod worker;

pub use worker::{WORKER_ENV, serve};

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use crate::loader::{Loader, MemoryLoader};
use crate::sandbox::Caps;
use crate::{Cap, Error};
use pool::{Launch, Pool};
use protocol::{Load, Mode, Render, SandboxSpec, WorkerLimits};

/// Turns this process into a worker when a pool started it as one (the
/// [`WORKER_ENV`] variable is set); returns otherwise. Call it first in `main`.
pub fn serve_if_requested() {
    if std::env::var_os(WORKER_ENV).is_some() {
        serve();
    }
}

/// The kernel-enforced limits of an isolated render.
///
/// | limit | default | enforced by |
/// |---|---|---|
/// | `cpu_time` | 2 s per render (whole seconds, rounded up) | `RLIMIT_CPU` in the worker (`SIGXCPU`) |
/// | `memory_bytes` | 512 MiB of address space | `RLIMIT_AS` in the worker (allocation fails, the worker aborts) |
/// | `wall_time` | 5 s per render | the pool kills the worker (`SIGKILL`) |
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use carafe_templating::isolated::ProcessLimits;
/// let limits = ProcessLimits::default().memory_bytes(256 << 20).wall_time(Duration::from_millis(500));
/// assert_eq!(limits.limit_of(carafe_templating::Cap::WallClock), Some(500));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessLimits {
    pub(crate) cpu_time: Option<Duration>,
    pub(crate) memory_bytes: Option<u64>,
    pub(crate) wall_time: Option<Duration>,
}

impl Default for ProcessLimits {
    fn default() -> Self {
        ProcessLimits {
            cpu_time: Some(Duration::from_secs(2)),
            memory_bytes: Some(512 << 20),
            wall_time: Some(Duration::from_secs(5)),
        }
    }
}

impl ProcessLimits {
    /// No limit at all (crash isolation only).
    pub fn none() -> Self {
        ProcessLimits {
            cpu_time: None,
            memory_bytes: None,
            wall_time: None,
        }
    }

    /// CPU time per render (rounded up to whole seconds, at least one).
    pub fn cpu_time(mut self, time: Duration) -> Self {
        self.cpu_time = Some(time);
        self
    }

    /// The worker's address space, in bytes.
    pub fn memory_bytes(mut self, bytes: u64) -> Self {
        self.memory_bytes = Some(bytes);
        self
    }

    /// Wall-clock time per render.
    pub fn wall_time(mut self, time: Duration) -> Self {
        self.wall_time = Some(time);
        self
    }

    /// The configured value of [`Cap::CpuTime`] (ms), [`Cap::Memory`] (bytes) or
    /// [`Cap::WallClock`] (ms).
    pub fn limit_of(&self, cap: Cap) -> Option<u64> {
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        match cap {
            Cap::CpuTime => self.cpu_time.map(ms),
            Cap::Memory => self.memory_bytes,
            Cap::WallClock => self.wall_time.map(ms),
            _ => None,
        }
    }
}

/// Renders templates in a pool of worker processes under [`ProcessLimits`].
pub struct IsolatedRenderer {
    pool: Pool,
}

impl IsolatedRenderer {
    /// Starts configuring an isolated renderer.
    pub fn builder() -> IsolatedBuilder {
        IsolatedBuilder::new()
    }

    /// Renders `name` with `data` (anything serializable to a map: a struct,
    /// `serde_json::Value`, a `tera::Value`), in a worker.
    pub fn render<T: serde::Serialize + ?Sized>(
        &self,
        name: &str,
        data: &T,
    ) -> Result<String, Error> {
        let data = serde_json::to_vec(data).map_err(|e| Error::Value {
            message: e.to_string(),
        })?;
        self.pool.render(&Render::encode(name, &data))
    }
}

impl std::fmt::Debug for IsolatedRenderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IsolatedRenderer").finish_non_exhaustive()
    }
}

/// Configures an [`IsolatedRenderer`]: templates, the sandbox's caps and
/// allow-lists (or plain trusted rendering), process limits, the worker program.
pub struct IsolatedBuilder {
    inline: Option<MemoryLoader>,
    loaders: Vec<Box<dyn Loader>>,
    mode: Mode,
    limits: ProcessLimits,
    program: Option<PathBuf>,
    args: Vec<OsString>,
    workers: usize,
    warm: usize,
    load_timeout: Duration,
}

impl IsolatedBuilder {
    fn new() -> Self {
        IsolatedBuilder {
            inline: None,
            loaders: Vec::new(),
            mode: Mode::Sandbox(Box::default()),
            limits: ProcessLimits::default(),
            program: None,
            args: Vec::new(),
            workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
            warm: 1,
            load_timeout: Duration::from_secs(10),
        }
    }

    fn spec(&mut self) -> &mut SandboxSpec {
        if let Mode::Plain = self.mode {
            self.mode = Mode::Sandbox(Box::default());
        }
        match &mut self.mode {
            Mode::Sandbox(spec) => spec,
            Mode::Plain => unreachable!("set just above"),
        }
    }

    /// Adds a template.
    pub fn template(mut self, name: impl Into<String>, source: impl Into<String>) -> Self {
        self.inline
            .get_or_insert_with(MemoryLoader::new)
            .insert(name, source);
        self
    }

    /// Adds a loader's templates (read once, in this process, when building).
    pub fn loader(mut self, loader: impl Loader) -> Self {
        self.loaders.push(Box::new(loader));
        self
    }

    /// The sandbox caps applied inside the workers.
    pub fn caps(mut self, caps: Caps) -> Self {
        self.spec().caps = caps;
        self
    }

    /// Only these filters (see [`SandboxBuilder::allow_filters`](crate::sandbox::SandboxBuilder::allow_filters)).
    pub fn allow_filters<I: IntoIterator<Item = S>, S: Into<String>>(mut self, names: I) -> Self {
        self.spec().allow_filters = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Denies a filter.
    pub fn deny_filter(mut self, name: impl Into<String>) -> Self {
        self.spec().deny_filters.push(name.into());
        self
    }

    /// Only these functions.
    pub fn allow_functions<I: IntoIterator<Item = S>, S: Into<String>>(mut self, names: I) -> Self {
        self.spec().allow_functions = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Denies a function.
    pub fn deny_function(mut self, name: impl Into<String>) -> Self {
        self.spec().deny_functions.push(name.into());
        self
    }

    /// Only these tests.
    pub fn allow_tests<I: IntoIterator<Item = S>, S: Into<String>>(mut self, names: I) -> Self {
        self.spec().allow_tests = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Denies a test.
    pub fn deny_test(mut self, name: impl Into<String>) -> Self {
        self.spec().deny_tests.push(name.into());
        self
    }

    /// Trusted templates: render with a plain [`Environment`](crate::Environment) (all
    /// filters, no caps), keeping only the process isolation and limits.
    pub fn plain(mut self) -> Self {
        self.mode = Mode::Plain;
        self
    }

    /// The process limits (default [`ProcessLimits::default`]).
    pub fn limits(mut self, limits: ProcessLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The worker executable: a program that calls [`serve_if_requested`] (or is
    /// `carafe-render`). Default: the current executable.
    pub fn program(
        mut self,
        program: impl Into<PathBuf>,
        args: impl IntoIterator<Item = impl Into<OsString>>,
    ) -> Self {
        self.program = Some(program.into());
        self.args = args.into_iter().map(Into::into).collect();
        self
    }

    /// The most workers alive at once (default: the number of CPUs); renders beyond
    /// that wait for a free worker.
    pub fn workers(mut self, max: usize) -> Self {
        self.workers = max.max(1);
        self
    }

    /// Workers started by [`build`](IsolatedBuilder::build) (default 1, at least 1: the
    /// first one checks the templates).
    pub fn warm(mut self, count: usize) -> Self {
        self.warm = count.max(1);
        self
    }

    /// Loads the templates, starts the warm workers (which check the templates) and
    /// returns the renderer.
    pub fn build(self) -> Result<IsolatedRenderer, Error> {
        if std::env::var_os(WORKER_ENV).is_some() {
            // A worker that went on to build a pool of its own would start workers of
            // its own, and so on: the program does not call `serve_if_requested` first.
            return Err(Error::Worker {
                message: format!(
                    "this process was started as a template worker ({WORKER_ENV} is set) but its main did not call serve_if_requested() first"
                ),
            });
        }
        let program = match self.program {
            Some(program) => program,
            None => std::env::current_exe().map_err(|e| Error::Worker {
                message: format!("cannot find the current executable: {e}"),
            })?,
        };
        let mut loaders = self.loaders;
        if let Some(inline) = self.inline {
            loaders.insert(0, Box::new(inline));
        }
        let mut templates = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for loader in &loaders {
            for source in loader.load()? {
                if seen.insert(source.name().to_string()) {
                    let (name, text, path) = source.into_parts();
                    templates.push((name, text, path));
                }
            }
        }
        let max_response = match &self.mode {
            Mode::Sandbox(spec) => usize::try_from(spec.caps.output_bytes())
                .unwrap_or(usize::MAX)
                .saturating_add(1 << 20),
            Mode::Plain => 1 << 30,
        };
        let limits = WorkerLimits {
            cpu_seconds: self
                .limits
                .cpu_time
                .map(|d| d.as_secs().saturating_add(u64::from(d.subsec_nanos() > 0))),
            memory_bytes: self.limits.memory_bytes,
        };
        let load = serde_json::to_vec(&Load {
            mode: self.mode,
            limits,
            templates,
        })
        .map_err(|e| Error::Value {
            message: e.to_string(),
        })?;
        let pool = Pool::new(
            Launch {
                program,
                args: self.args,
                load,
                limits: self.limits,
                max_response,
                load_timeout: self.load_timeout,
            },
            self.workers,
            self.workers,
        );
        pool.warm(self.warm.min(self.workers))?;
        Ok(IsolatedRenderer { pool })
    }
}

impl std::fmt::Debug for IsolatedBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IsolatedBuilder")
            .field("mode", &self.mode)
            .field("limits", &self.limits)
            .field("program", &self.program)
            .finish_non_exhaustive()
    }
}
