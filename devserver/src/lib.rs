//! The development server: Werkzeug's `run_simple` for local work — one
//! request at a time, a request log, a reloader that rebuilds and restarts
//! the app without closing the port, build errors and panics shown in the
//! browser, static files from a folder.
//!
//! **Not for production.** It handles one request at a time, shows
//! internals on its error pages and trusts its machine. Deploy with the
//! production server (`carafe-server`) behind a proxy.
//!
//! ```no_run
//! use carafe_devserver::{Options, run_simple};
//! use carafe_wrappers::{Request, Response};
//!
//! fn app(request: Request) -> Response {
//!     Response::text(format!("Hello from {}", request.path()))
//! }
//!
//! fn main() -> Result<(), carafe_devserver::Error> {
//!     // `cargo run`, edit the handler, save: the next request sees the new code.
//!     run_simple("127.0.0.1:5000", || app, Options::default().with_static_files("/static", "static"))
//! }
//! ```
//!
//! ```text
//! WARNING: This is a development server. Do not use it in a production deployment. ...
//!  * Running on http://127.0.0.1:5000
//!  * Debugger is active (panics show the debug page to loopback clients)
//!  * Reloader: watching 3 folder(s) and 5 file(s) (cargo build --manifest-path ... --bin app --profile dev ...)
//! Press CTRL+C to quit
//! 127.0.0.1 - - [23/Nov/2026 14:05:09] "GET / HTTP/1.1" 200 16
//!  * Detected change in '/home/me/app/src/main.rs', rebuilding
//!    Compiling app v0.1.0 (/home/me/app)
//!     Finished `dev` profile [unoptimized + debuginfo] target(s) in 1.92s
//!  * Restarted: change seen 57 ms after the save, build 1.93 s, new process answering 21 ms after the build (its start-up: 20 ms)
//! ```
//!
//! # The HTTP engine
//!
//! hyper 1 on a current-thread tokio runtime, through the gateway glue of
//! `carafe_wrappers::hyper` that the production server uses too (head
//! limits, RFC 9112 Host rules, bounded bodies, header/keep-alive/write
//! timeouts). The project's first choice, `tiny_http` 0.12, was measured and
//! set aside: one request announcing a huge `Content-Length` that the
//! handler does not read aborts the process (it allocates the unread size to
//! drain it); a slow client stalls its receive loop; running out of file
//! descriptors closes its listener for good; malformed `Content-Length`
//! values let a second request be smuggled in; and it has had no release
//! since 2022. hyper rejects every smuggling case of the project's attack
//! corpus.
//!
//! # One request at a time
//!
//! As Werkzeug's default (non-threaded) server: handlers never run
//! concurrently. Connections are read and written concurrently on the
//! runtime thread, so a client that sends its request slowly or reads its
//! response slowly holds nobody up; a handler runs on the runtime thread
//! when its request body is in memory (bodies up to 8 MiB are read before
//! the handler is called) and no other handler is busy, otherwise it waits
//! its turn on the one handler thread. A handler reading a body larger than
//! 8 MiB waits for the client, within the minimum rate of
//! [`GatewayConfig`](carafe_wrappers::hyper::GatewayConfig) (240 bytes/s
//! after 5 s).
//!
//! # The request log
//!
//! One line per request on stderr, Werkzeug's format
//! (`client - - [time] "request line" status size`), the request line
//! coloured by status class on a terminal. A start-up banner gives the URL,
//! with a warning when the server is bound to anything but a loopback
//! address.
//!
//! # The reloader
//!
//! With [`Options::reload`] (the default), [`run_simple`] becomes a
//! supervisor: it binds the port, prints the banner and starts the app
//! process — the same executable with the same arguments — which inherits
//! the listening socket (`CARAFE_SERVER_FD`, like Werkzeug's
//! `WERKZEUG_SERVER_FD`) and reports on a control socket when it is
//! serving. The supervisor watches the sources (notify, debounced):
//! `src/` of the package and of every local path dependency (`.rs` files),
//! every `Cargo.toml`, `build.rs`, `Cargo.lock`, the files cargo's dep-info
//! lists for the executable (so `include_str!` files count), plus
//! [`Options::extra_files`], minus [`Options::exclude_patterns`], editors'
//! temporary files and the static folders. On a change it runs
//! `cargo build` for the same package, binary or example, profile, target
//! and features (read back from the executable's path and cargo's
//! fingerprint; see [`BuildSpec`]), while the old app process keeps
//! serving. When the build succeeds it starts the new app process next to
//! the old one and tells the old one to stop once the new one is ready:
//! requests never meet a closed port, they wait in the backlog at worst.
//!
//! When the build fails, the compiler's messages are printed on the
//! terminal and the app process is stopped: the supervisor answers every
//! request itself with a page showing them (colours rendered, `file:line`
//! listed), until a build succeeds. An app process that exits on its own or
//! fails to start gets a page too; the next change rebuilds.
//!
//! Which project to rebuild is read from what built the executable, not
//! from the working folder: `CARGO_MANIFEST_DIR` when `cargo run` set it,
//! else the sources cargo's dep-info lists for the executable, else the
//! nearest `Cargo.toml` above the working folder; the first whose
//! `cargo metadata` has the executable's target (and target folder) wins.
//! `cargo metadata` and `cargo build` run in the package's folder.
//!
//! ## Restart latency
//!
//! From the save to the new code answering, not counting the compiler:
//! **62–72 ms** measured, against a target of 300 ms. It is the 50 ms
//! debounce plus notify's delay (the change is seen 60–64 ms after the
//! save) and the new process's start-up (exec, runtime, app factory: 3–8 ms
//! after the build finished). Four runs on the shared 2-core machine:
//!
//! | | run 1 | run 2 | run 3 | run 4 |
//! |---|---:|---:|---:|---:|
//! | save → change seen by the supervisor | 62 ms | 64 ms | 60 ms | 64 ms |
//! | build finished → new process ready | 4 ms | 6 ms | 3 ms | 8 ms |
//! | **save → new code answering, minus the build** | **64 ms** | **72 ms** | **62 ms** | **72 ms** |
//! | the build itself (one crate, incremental) | 2.38 s | 2.62 s | 1.65 s | 1.56 s |
//!
//! To reproduce: `cargo test -p carafe-devserver --test main
//! an_edited_handler -- --ignored --nocapture`. The test runs a Carafe App
//! project under `cargo run`, edits its handler while a client requests
//! every 5 ms on fresh connections (no refused or failed request allowed),
//! and prints the time from the save to the new body minus the build time
//! the supervisor reports; the supervisor's own `Restarted:` line gives the
//! parts (change seen after the save, build, new process answering after
//! the build).
//!
//! Templates and static files need no restart: static folders are read at
//! each request, templates reload through the template environment's
//! auto-reload (changes to files the reloader does not watch, such as
//! templates under `src/`, do not trigger a build).
//!
//! # The debug page
//!
//! A panic in a handler is a `500`. For a client on this machine (loopback),
//! in a debug build, with [`Options::debugger`] on (the default there), the
//! page shows the panic message and location, the backtrace with the
//! application's own frames highlighted and their source lines, and the
//! request (method, URL, headers, query and form field names). Everyone else
//! gets Werkzeug's generic "Internal Server Error" page. There is no console:
//! nothing on the page runs code. The server goes on serving. See
//! [`DebugPage`].
//!
//! # Robustness
//!
//! The head limits, timeouts and body bounds of the gateway glue apply
//! ([`Options::gateway`]); the accept loop never ends on an error (running
//! out of descriptors waits and retries, 10 ms doubling to 1 s); the
//! process raises its soft limit on open files to the hard limit at start.
//! Every case of the project's attack corpus is replayed against it (see
//! the README).
//!
//! # IO boundary
//!
//! Decisions are sans-IO and unit-tested: the reloader's state machine, the
//! watch rules, fnmatch patterns, dep-info and cargo message parsing, ANSI
//! to HTML, the log format. The IO is at the edges: sockets (the server
//! loop, the control socket), processes (cargo, app processes, signals),
//! the file watcher, and reading source files for the debug page.
//!
//! # Safety
//!
//! One module, the adoption of the inherited listening socket, uses
//! `unsafe` (turning a descriptor number into an owned socket cannot be done
//! otherwise); everything else is safe code (`#![deny(unsafe_code)]`).
#![deny(unsafe_code)]

mod bind;
mod debug;
mod error;
mod executor;
mod html;
mod log;
mod options;
mod reload;
mod serve;
mod static_files;

pub use debug::DebugPage;
pub use error::Error;
pub use options::Options;
pub use reload::spec::{BuildSpec, BuildTarget};
pub use serve::{Server, StopHandle};
pub use static_files::StaticFiles;

use carafe_wrappers::Application;

/// Runs the development server on `address` (`"127.0.0.1:5000"`,
/// `"localhost:5000"`, `"0.0.0.0:5000"` to be reachable from other
/// machines), serving the application `app_factory` builds, until Ctrl-C.
///
/// With [`Options::reload`], this process becomes the reloader's supervisor
/// and `app_factory` runs only in the app processes it starts (the same
/// program, run again: it calls `run_simple` again and finds out from its
/// environment that it is an app process). Without it, or when the reloader
/// cannot work out how to rebuild the program (a warning says why), the
/// application is served in this process.
///
/// # Errors
///
/// [`Error::Resolve`] / [`Error::Bind`] when the address cannot be used,
/// [`Error::InheritedSocket`] when an app process's socket is unusable,
/// [`Error::Io`] for the runtime, the control socket or signals.
///
/// # Examples
///
/// ```no_run
/// use carafe_devserver::{Options, run_simple};
/// use carafe_wrappers::{Request, Response};
///
/// run_simple(
///     "127.0.0.1:5000",
///     || |_: Request| Response::text("hello"),
///     Options::default().with_reload(false),
/// )
/// .unwrap();
/// ```
pub fn run_simple<A, F>(address: &str, app_factory: F, options: Options) -> Result<(), Error>
where
    A: Application,
    F: FnOnce() -> A,
{
    if let Some(role) = reload::child::ChildRole::from_env() {
        return reload::child::run(role?, app_factory, options);
    }
    // Before any thread exists: the local time zone can only be read then.
    log::local_offset();
    raise_open_files_limit();
    let listener = bind::bind(address)?;
    if options.reload() {
        match reload::supervisor::Plan::new(&options) {
            Ok(plan) => return reload::supervisor::supervise(listener, &options, plan),
            Err(error) => log::warning(&format!("the reloader is off: {error}")),
        }
    }
    let local = listener
        .local_addr()
        .map_err(error::Error::io("cannot read the listening address"))?;
    let mut extra = Vec::new();
    if options.debugger() {
        extra
            .push("Debugger is active (panics show the debug page to loopback clients)".to_owned());
    }
    bind::banner(local, &extra);
    let server = Server::new(listener, options);
    stop_on_signals(server.stop_handle())?;
    server.serve(app_factory())
}

/// Ctrl-C or `SIGTERM` stops the server (requests in progress finish); a
/// second one ends the process at once. Handled explicitly, so a server
/// started with `SIGINT` ignored (a background job of a shell without job
/// control, some test harnesses) still stops on it.
fn stop_on_signals(stop: StopHandle) -> Result<(), Error> {
    let mut signals = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
    ])
    .map_err(Error::io("cannot handle signals"))?;
    std::thread::Builder::new()
        .name("carafe-devserver-signals".to_owned())
        .spawn(move || {
            for signal in signals.forever() {
                if stop.is_stopped() {
                    std::process::exit(128 + signal);
                }
                stop.stop();
            }
        })
        .map_err(Error::io("cannot handle signals"))?;
    Ok(())
}

/// Raises the soft limit on open files to the hard limit (as Go's runtime
/// does): holding many idle connections must not starve the listener.
fn raise_open_files_limit() {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    if let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE)
        && soft < hard
    {
        let _ = setrlimit(Resource::RLIMIT_NOFILE, hard, hard);
    }
}
