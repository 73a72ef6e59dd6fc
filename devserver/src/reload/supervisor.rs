//! The supervisor process: owns the listening socket, watches, builds,
//! starts and stops app processes, and serves the error page itself.
//!
//! Every event (file changes, build results, app processes ready or gone,
//! signals, timers) arrives on one channel; [`Reloader`] decides and this
//! module carries the actions out. Processes are started from this thread
//! only, so the listening socket, made inheritable just for an app process,
//! never leaks into a `cargo build`.

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::os::fd::AsRawFd;
use std::os::unix::net::{UnixListener, UnixStream};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use nix::fcntl::{FcntlArg, FdFlag, fcntl};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use super::cargo_build::{self, BuildReport};
use super::child::{CHILD_VAR, CONTROL_VAR, FD_VAR, SUPERVISOR_VAR};
use super::error_page::{ErrorApp, Problem};
use super::metadata::Metadata;
use super::state::{Action, ChildId, Event, Exit, Reloader};
use super::watch::{self, WatchSet};
use crate::debug::frames::{CRATES_VAR, ROOT_VAR};
use crate::{BuildSpec, Error, Options, Server, StopHandle, bind, log};

/// How long a stopping app process may take before it is killed: the
/// server's drain time and a margin.
const STOP_GRACE: Duration = Duration::from_secs(12);

/// Everything the supervisor prepared before it starts the first app
/// process: failures here turn the reloader off (run_simple then serves
/// in-process).
pub(crate) struct Plan {
    spec: BuildSpec,
    watch: WatchSet,
    workspace_root: PathBuf,
    crates: Vec<String>,
}

impl Plan {
    /// Works out what to build and watch.
    pub(crate) fn new(options: &Options) -> Result<Plan, Error> {
        let spec = match options.build() {
            Some(spec) => spec.clone(),
            None => BuildSpec::detect()?,
        }
        .absolute();
        let metadata = Metadata::load(spec.manifest_path())?;
        let (root, target) = metadata
            .find_target(spec.target(), spec.manifest_path().parent())
            .filter(|(package, _)| package.name == spec.package())
            .ok_or_else(|| Error::Build {
                reason: format!(
                    "package `{}` has no {} target named `{}`",
                    spec.package(),
                    spec.target().kind(),
                    spec.target().name()
                ),
            })?;
        let mut watch = WatchSet::new(&metadata, root, &spec, options);
        let target_dir = spec
            .target_dir()
            .map_or_else(|| metadata.target_directory.clone(), Path::to_path_buf);
        let mut dep_info = spec.executable_in(&target_dir).into_os_string();
        dep_info.push(".d");
        if let Ok(text) = std::fs::read_to_string(&dep_info) {
            watch.add_dep_info(&text);
        }
        let mut crates = vec![target.name.replace('-', "_")];
        for lib in root
            .targets
            .iter()
            .filter(|target| target.kind.iter().any(|kind| kind == "lib"))
        {
            crates.push(lib.name.replace('-', "_"));
        }
        let spec = spec.with_target_dir(Some(target_dir));
        Ok(Plan {
            spec,
            watch,
            workspace_root: metadata.workspace_root.clone(),
            crates,
        })
    }
}

/// An app process.
struct Child {
    pid: Pid,
    spawned: Instant,
}

/// The state of the supervisor's own server (the error page).
struct ErrorServer {
    app: ErrorApp,
    running: Option<(StopHandle, JoinHandle<()>)>,
}

struct Driver<'a> {
    listener: &'a TcpListener,
    options: &'a Options,
    plan: Plan,
    events: Sender<Event>,
    control_path: PathBuf,
    controls: Arc<Mutex<HashMap<ChildId, UnixStream>>>,
    children: HashMap<ChildId, Child>,
    build: Option<(Pid, Instant)>,
    built_at: Option<(Instant, Duration)>,
    changed_at: Option<(Instant, Option<Duration>)>,
    error: ErrorServer,
    color: bool,
    arg0: OsString,
    args: Vec<OsString>,
}

/// Runs the reloader until it is told to stop.
pub(crate) fn supervise(listener: TcpListener, options: &Options, plan: Plan) -> Result<(), Error> {
    let executable =
        std::env::current_exe().map_err(Error::io("cannot find the running executable"))?;
    let address = listener
        .local_addr()
        .map_err(Error::io("cannot read the listening address"))?;
    let (events, inbox) = mpsc::channel();

    let control_dir = tempfile::Builder::new()
        .prefix("carafe-devserver-")
        .tempdir()
        .map_err(Error::io("cannot create the control socket's folder"))?;
    let control_path = control_dir.path().join("control.sock");
    let control =
        UnixListener::bind(&control_path).map_err(Error::io("cannot create the control socket"))?;
    let controls = Arc::new(Mutex::new(HashMap::new()));
    listen_control(control, Arc::clone(&controls), events.clone())?;

    let changes = events.clone();
    let _watcher = watch::start(&plan.watch, options.debounce(), move |paths| {
        let _ = changes.send(Event::Changed(paths));
    })?;

    let mut signals = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ])
    .map_err(Error::io("cannot handle signals"))?;
    let signal_handle = signals.handle();
    let shutdown = events.clone();
    std::thread::Builder::new()
        .name("carafe-devserver-signals".to_owned())
        .spawn(move || {
            for _ in signals.forever() {
                if shutdown.send(Event::Shutdown).is_err() {
                    break;
                }
            }
        })
        .map_err(Error::io("cannot handle signals"))?;

    let mut extra = Vec::new();
    if options.debugger() {
        extra
            .push("Debugger is active (panics show the debug page to loopback clients)".to_owned());
    }
    extra.push(format!(
        "Reloader: {} ({})",
        plan.watch.summary(),
        plan.spec.command_line()
    ));
    bind::banner(address, &extra);

    let mut argv = std::env::args_os();
    let arg0 = argv
        .next()
        .unwrap_or_else(|| executable.clone().into_os_string());
    let mut driver = Driver {
        listener: &listener,
        options,
        plan,
        events,
        control_path,
        controls,
        children: HashMap::new(),
        build: None,
        built_at: None,
        changed_at: None,
        error: ErrorServer {
            app: ErrorApp::default(),
            running: None,
        },
        color: log::stderr_color(),
        arg0,
        args: argv.collect(),
    };
    let (mut reloader, actions) = Reloader::new(executable);
    let mut exit = driver.perform(actions);
    let mut signalled = false;
    while exit.is_none() {
        let Ok(event) = inbox.recv() else { break };
        match &event {
            Event::Shutdown if signalled => {
                // A second Ctrl-C: no more waiting.
                driver.kill_all();
                break;
            }
            Event::Shutdown => signalled = true,
            _ => {}
        }
        driver.observe(&event);
        exit = driver.perform(reloader.on(event));
    }
    driver.finish();
    signal_handle.close();
    drop(control_dir);
    Ok(())
}

/// Accepts app processes on the control socket: `ready N` registers them.
fn listen_control(
    control: UnixListener,
    controls: Arc<Mutex<HashMap<ChildId, UnixStream>>>,
    events: Sender<Event>,
) -> Result<(), Error> {
    std::thread::Builder::new()
        .name("carafe-devserver-control".to_owned())
        .spawn(move || {
            for stream in control.incoming() {
                let Ok(stream) = stream else { continue };
                let controls = Arc::clone(&controls);
                let events = events.clone();
                let _ = std::thread::Builder::new()
                    .name("carafe-devserver-child".to_owned())
                    .spawn(move || {
                        let Ok(writer) = stream.try_clone() else {
                            return;
                        };
                        let mut lines = BufReader::new(stream).lines();
                        let id = match lines.next() {
                            Some(Ok(line)) => line
                                .strip_prefix("ready ")
                                .and_then(|id| id.trim().parse::<ChildId>().ok()),
                            _ => None,
                        };
                        let Some(id) = id else { return };
                        controls
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .insert(id, writer);
                        if events.send(Event::Ready(id)).is_err() {
                            return;
                        }
                        // Hold the connection until the app process ends.
                        for _ in lines {}
                    });
            }
        })
        .map_err(Error::io("cannot start the control thread"))?;
    Ok(())
}

impl Driver<'_> {
    /// Terminal news about events, and the timings of a restart.
    fn observe(&mut self, event: &Event) {
        match event {
            Event::Changed(paths) if self.changed_at.is_none() => {
                // How long after the save the change was seen.
                let newest = paths
                    .iter()
                    .filter_map(|path| std::fs::metadata(path).and_then(|m| m.modified()).ok())
                    .max();
                let detected = newest.and_then(|time| SystemTime::now().duration_since(time).ok());
                self.changed_at = Some((Instant::now(), detected));
            }
            Event::Ready(id) => {
                let swap = self.children.get(id).map(|child| child.spawned.elapsed());
                if let (Some((built, build_time)), Some(swap)) = (self.built_at.take(), swap) {
                    let detected = self
                        .changed_at
                        .take()
                        .and_then(|(_, detected)| detected)
                        .map_or_else(String::new, |detected| {
                            format!("change seen {} ms after the save, ", detected.as_millis())
                        });
                    log::info(&format!(
                        "Restarted: {detected}build {:.2} s, new process answering {} ms after \
                         the build (its start-up: {} ms)",
                        build_time.as_secs_f64(),
                        built.elapsed().as_millis(),
                        swap.as_millis()
                    ));
                }
            }
            Event::Built(report) => {
                self.build = None;
                self.built_at = Some((Instant::now(), report.duration));
                if !report.success {
                    // The timing of a restart starts at the change that led to it.
                    self.changed_at = None;
                }
            }
            Event::Exited(id, _) => {
                self.children.remove(id);
                self.controls
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(id);
            }
            _ => {}
        }
    }

    /// Carries out `actions`; `Some(code)` when the supervisor must exit.
    fn perform(&mut self, actions: Vec<Action>) -> Option<i32> {
        for action in actions {
            match action {
                Action::Build => self.build(),
                Action::Spawn(id, executable) => self.spawn(id, &executable),
                Action::Stop(id) => self.stop(id),
                Action::Kill(id) => {
                    if let Some(child) = self.children.get(&id) {
                        let _ = kill(child.pid, Signal::SIGKILL);
                    }
                }
                Action::Show(problem) => self.show(&problem),
                Action::Hide => self.hide(),
                Action::Say(message) => log::info(&message),
                Action::Exit(code) => return Some(code),
            }
        }
        None
    }

    fn build(&mut self) {
        let spec = self.plan.spec.clone();
        let color = self.color;
        let started = Instant::now();
        let events = self.events.clone();
        match cargo_build::spawn(&spec, color) {
            Ok(child) => {
                self.build = Some((Pid::from_raw(child.id() as i32), started));
                let _ = std::thread::Builder::new()
                    .name("carafe-devserver-build".to_owned())
                    .spawn(move || {
                        let report = cargo_build::collect(child, &spec, color, started);
                        let _ = events.send(Event::Built(Arc::new(report)));
                    });
            }
            Err(error) => {
                let report = BuildReport {
                    success: false,
                    executable: None,
                    diagnostics: Vec::new(),
                    output: format!("cannot run cargo: {error}"),
                    command: spec.command_line(),
                    duration: started.elapsed(),
                };
                let _ = self.events.send(Event::Built(Arc::new(report)));
            }
        }
    }

    fn spawn(&mut self, id: ChildId, executable: &Path) {
        let spawned = Instant::now();
        match self.start_process(id, executable) {
            Ok(child) => {
                let pid = Pid::from_raw(child.id() as i32);
                self.children.insert(id, Child { pid, spawned });
                let events = self.events.clone();
                let mut child = child;
                let _ = std::thread::Builder::new()
                    .name("carafe-devserver-wait".to_owned())
                    .spawn(move || {
                        let exit = match child.wait() {
                            Ok(status) => Exit {
                                code: status.code(),
                                signal: status.signal(),
                            },
                            Err(_) => Exit {
                                code: None,
                                signal: None,
                            },
                        };
                        let _ = events.send(Event::Exited(id, exit));
                    });
            }
            Err(error) => {
                log::warning(&format!("cannot start {}: {error}", executable.display()));
                let _ = self.events.send(Event::Exited(
                    id,
                    Exit {
                        code: Some(127),
                        signal: None,
                    },
                ));
            }
        }
    }

    /// Starts the app process with an inheritable copy of the listening
    /// socket (closed here right after).
    fn start_process(
        &self,
        id: ChildId,
        executable: &Path,
    ) -> std::io::Result<std::process::Child> {
        let inherited = self.listener.try_clone()?;
        fcntl(&inherited, FcntlArg::F_SETFD(FdFlag::empty())).map_err(std::io::Error::from)?;
        let mut command = Command::new(executable);
        command
            .arg0(&self.arg0)
            .args(&self.args)
            .env(FD_VAR, inherited.as_raw_fd().to_string())
            .env(CONTROL_VAR, &self.control_path)
            .env(CHILD_VAR, id.to_string())
            .env(SUPERVISOR_VAR, std::process::id().to_string())
            .env(
                log::OFFSET_VAR,
                log::local_offset().whole_seconds().to_string(),
            )
            .env(CRATES_VAR, self.plan.crates.join(","))
            .env(ROOT_VAR, &self.plan.workspace_root);
        let child = command.spawn();
        drop(inherited);
        child
    }

    fn stop(&mut self, id: ChildId) {
        let control = self
            .controls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&id);
        match control {
            Some(mut control) => {
                let _ = control.write_all(b"stop\n");
            }
            None => {
                // Not ready yet: it has served nothing.
                if let Some(child) = self.children.get(&id) {
                    let _ = kill(child.pid, Signal::SIGKILL);
                }
            }
        }
        let events = self.events.clone();
        let _ = std::thread::Builder::new()
            .name("carafe-devserver-timer".to_owned())
            .spawn(move || {
                std::thread::sleep(STOP_GRACE);
                let _ = events.send(Event::StopTimeout(id));
            });
    }

    fn show(&mut self, problem: &Problem) {
        self.error.app.set(problem);
        if self.error.running.is_some() {
            return;
        }
        let listener = match self.listener.try_clone() {
            Ok(listener) => listener,
            Err(error) => {
                log::warning(&format!("cannot serve the error page: {error}"));
                return;
            }
        };
        let options = Options::default()
            .with_reload(false)
            .with_debugger(false)
            .with_log_requests(self.options.log_requests())
            .with_gateway(self.options.gateway().clone());
        let server = Server::new(listener, options);
        let stop = server.stop_handle();
        let app = self.error.app.clone();
        match std::thread::Builder::new()
            .name("carafe-devserver-errors".to_owned())
            .spawn(move || {
                if let Err(error) = server.serve(app) {
                    log::warning(&format!("the error page server stopped: {error}"));
                }
            }) {
            Ok(thread) => self.error.running = Some((stop, thread)),
            Err(error) => log::warning(&format!("cannot serve the error page: {error}")),
        }
    }

    fn hide(&mut self) {
        if let Some((stop, _thread)) = self.error.running.take() {
            // The thread ends once its connections are done; nobody waits.
            stop.stop();
        }
    }

    fn kill_all(&mut self) {
        for child in self.children.values() {
            let _ = kill(child.pid, Signal::SIGKILL);
        }
    }

    fn finish(&mut self) {
        if let Some((pid, _)) = self.build.take() {
            let _ = kill(pid, Signal::SIGTERM);
        }
        self.hide();
    }
}
