//! The app's command line: `main` calls one function and gets `dev`,
//! `serve`, `routes` and `check` (Flask's `flask run` / `flask routes`, and
//! gunicorn's command line for `serve`).
//!
//! ```no_run
//! use std::process::ExitCode;
//!
//! use carafe::config::Config;
//! use carafe::prelude::*;
//!
//! #[get("/")]
//! fn index() -> &'static str {
//!     "Hello, World!"
//! }
//!
//! /// The app factory: the production server calls it in every worker
//! /// process, so it builds everything a worker needs (config, pools).
//! fn create_app() -> Result<App, carafe::cli::BoxError> {
//!     let config: Config = Config::load()?;
//!     let app = config.settings.apply_to(App::builder()).register(index).try_build()?;
//!     Ok(app)
//! }
//!
//! fn main() -> ExitCode {
//!     carafe::cli::run(create_app)
//! }
//! ```
//!
//! The factory returns an [`App`](crate::App) (or anything [`CliApp`]), or a
//! `Result` with one: `check` reports its error, `serve` stops when no
//! worker could boot. The runnable example is `examples/cli_app`.
//!
//! | command | what it does |
//! |---|---|
//! | `app dev [--bind HOST:PORT] [--no-reload]` | the development server (default `127.0.0.1:5000`) in development mode, reloading on changes |
//! | `app serve [--bind HOST:PORT] [-w N] [...]` | the production server; every option after `serve` is the server's (`serve --help` lists them) |
//! | `app routes [--sort endpoint\|methods\|rule\|match] [--json]` | the URL rules: endpoint, methods, rule |
//! | `app check [--bind HOST:PORT]` | builds the app, validates config, logging, the address, routes and the app's own checks ([`CliApp::problems`]: the App reports a missing static folder; templates once the App loads them); serves nothing; exit 1 on a problem |
//!
//! Every command takes `--bind HOST:PORT`, `--env MODE` (ahead of
//! `CARAFE_ENV`; `dev` defaults to development) and `--config-dir DIR`
//! (ahead of `CARAFE_CONFIG_DIR`). Both are handed to the factory's
//! [`Config::load`](crate::config::Config::load) through
//! [`Mode::select`](crate::config::Mode::select) and
//! [`Loader::select_dir`](crate::config::Loader::select_dir). Exit codes:
//! 0 success, 1 a problem, 2 a usage error.
//!
//! `serve` and `dev` set up logging from `config/logging.*` before they
//! start; in `serve`, each worker starts its own log writer thread
//! ([`crate::logging::start_worker`]) before it calls the factory.
//!
//! The parser is clap's builder API: clap's derive macros would add a
//! second `syn` (clap_derive 4.6 uses syn 3) to every app's build, about 12
//! seconds of a cold build on the project's 2-core machine.

mod app;
mod args;
mod bind;
mod check;
mod dev;
mod routes;
mod serve;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

pub use app::{AppFactory, BoxError, CliApp, IntoApp};
pub use args::{Command, Invocation, Sort, Usage, parse};
pub use bind::{Bind, BindError};
pub use routes::{RouteRow, route_rows, routes_json, routes_table};

use crate::config::{Loader, MODE_VAR, Mode};

/// Runs the command line of an app: parses `std::env::args_os()`, runs the
/// subcommand, returns the exit code for `main`.
///
/// # Examples
///
/// ```no_run
/// use carafe::prelude::*;
///
/// fn hello(_: &Request) -> &'static str {
///     "Hello, World!"
/// }
///
/// fn create_app() -> App {
///     App::builder().route("/", hello).build()
/// }
///
/// fn main() -> std::process::ExitCode {
///     carafe::cli::run(create_app)
/// }
/// ```
pub fn run<F: AppFactory>(factory: F) -> ExitCode {
    Cli::new(factory).run()
}

/// The command line, adjustable before it runs.
///
/// # Examples
///
/// ```
/// use carafe::cli::{Cli, CliApp};
/// use carafe::routing::{Map, Rule};
/// use carafe::wrappers::{Application, Request, Response};
///
/// struct App(Map);
/// impl Application for App {
///     fn handle(&self, _: Request) -> Response {
///         Response::text("hi")
///     }
/// }
/// impl CliApp for App {
///     fn url_map(&self) -> Option<&Map> {
///         Some(&self.0)
///     }
/// }
///
/// let create_app = || App(Map::builder().rule(Rule::new("/", "index")).build().unwrap());
/// let (mut out, mut err) = (Vec::new(), Vec::new());
/// let code = Cli::new(create_app)
///     .name("hello")
///     .run_with(["hello", "routes", "--json"], &mut out, &mut err);
/// assert_eq!(code, std::process::ExitCode::SUCCESS);
/// assert_eq!(String::from_utf8(out).unwrap(), "[{\"endpoint\":\"index\",\"methods\":null,\"rule\":\"/\"}]\n");
/// ```
#[derive(Debug)]
pub struct Cli<F> {
    factory: F,
    name: Option<String>,
    config_dir: Option<PathBuf>,
}

impl<F: AppFactory> Cli<F> {
    /// The command line of the app `factory` builds.
    pub fn new(factory: F) -> Self {
        Self {
            factory,
            name: None,
            config_dir: None,
        }
    }

    /// The program name in help and errors (default: the executable's
    /// file name).
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The config directory when `--config-dir` is not given (ahead of
    /// `CARAFE_CONFIG_DIR`).
    #[must_use]
    pub fn config_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.config_dir = Some(dir.into());
        self
    }

    /// Runs with the process's arguments and standard streams.
    pub fn run(self) -> ExitCode {
        let mut out = std::io::stdout();
        let mut err = std::io::stderr();
        self.run_with(std::env::args_os(), &mut out, &mut err)
    }

    /// Runs with these arguments (the first is the program name), writing
    /// what `routes` and `check` print to `out` and errors to `err`. `serve`
    /// and `dev` run servers and write their logs to the process's streams.
    pub fn run_with<I, T>(self, args: I, out: &mut dyn Write, err: &mut dyn Write) -> ExitCode
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
        let name = self.name.clone().unwrap_or_else(|| {
            args.first()
                .map(PathBuf::from)
                .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .unwrap_or_else(|| "app".to_owned())
        });
        let invocation = match args::parse_as(&name, args) {
            Ok(invocation) => invocation,
            Err(usage) => {
                let stream: &mut dyn Write = if usage.is_error() { err } else { out };
                let _ = write!(stream, "{usage}");
                return ExitCode::from(usage.exit_code());
            }
        };
        if let Some(dir) = invocation.config_dir.clone().or(self.config_dir.clone()) {
            Loader::select_dir(dir);
        }
        match invocation.env {
            Some(mode) => {
                Mode::select(mode);
            }
            None if matches!(invocation.command, Command::Dev { .. })
                && std::env::var_os(MODE_VAR).is_none_or(|v| v.is_empty()) =>
            {
                Mode::select(Mode::Development);
            }
            None => {}
        }
        if let Err(error) = Mode::current() {
            let _ = writeln!(err, "error: {error}");
            return ExitCode::from(2);
        }
        match invocation.command {
            Command::Routes { sort, json, .. } => self.routes(sort, json, out, err),
            Command::Check { bind } => check::check(&self.factory, bind.as_ref(), out, err),
            Command::Serve { server_args } => {
                if let Err(code) = setup_logging(err) {
                    return code;
                }
                serve::serve(&self.factory, server_args, err)
            }
            Command::Dev { bind, reload } => {
                if let Err(code) = setup_logging(err) {
                    return code;
                }
                dev::dev(&self.factory, &bind, reload, err)
            }
        }
    }

    fn routes(&self, sort: Sort, json: bool, out: &mut dyn Write, err: &mut dyn Write) -> ExitCode {
        let app = match check::build_app(&self.factory) {
            Ok(app) => app,
            Err(error) => {
                let _ = writeln!(err, "error: {error}");
                return ExitCode::from(1);
            }
        };
        let Some(map) = app.url_map() else {
            let _ = writeln!(err, "error: the app has no URL map to list");
            return ExitCode::from(1);
        };
        let rows = route_rows(map, sort);
        let text = if json {
            routes_json(&rows)
        } else {
            routes_table(&rows)
        };
        let _ = out.write_all(text.as_bytes());
        ExitCode::SUCCESS
    }
}

/// Loads `config/logging.*` and installs it, before a server starts.
fn setup_logging(err: &mut dyn Write) -> Result<(), ExitCode> {
    match crate::logging::setup() {
        Ok(_) => Ok(()),
        Err(error) => {
            let _ = writeln!(err, "error: {error}");
            Err(ExitCode::from(1))
        }
    }
}
