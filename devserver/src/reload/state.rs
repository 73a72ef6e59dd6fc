//! The reloader's decisions, sans IO: events in, actions out.
//!
//! The supervisor keeps at most one app process serving and one starting:
//!
//! - a change starts a build (a change during a build marks it stale: it is
//!   discarded and another build starts when it ends);
//! - a good build starts a new app process next to the one serving; when the
//!   new one reports ready, the old one is told to stop (it stops accepting
//!   and finishes its requests): the port always has an acceptor or a
//!   backlog, never a refusal;
//! - a failed build stops the app process and the supervisor answers every
//!   request with the error page, until an app process is ready again;
//! - an app process that exits on its own (or before it was ready) gets a
//!   page too; the next change rebuilds;
//! - a stop that takes too long becomes a kill;
//! - shutting down stops everything, then exits.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use super::cargo_build::BuildReport;
use super::error_page::Problem;

/// Numbers the app processes of one supervisor.
pub(crate) type ChildId = u64;

/// How an app process ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Exit {
    pub(crate) code: Option<i32>,
    pub(crate) signal: Option<i32>,
}

impl Exit {
    fn describe(&self) -> String {
        match (self.code, self.signal) {
            (Some(code), _) => format!("exit status {code}"),
            (None, Some(signal)) => format!("killed by signal {signal}"),
            (None, None) => "unknown status".to_owned(),
        }
    }

    fn interrupted(&self) -> bool {
        self.signal == Some(2)
    }
}

/// Something that happened.
#[derive(Debug)]
pub(crate) enum Event {
    /// Relevant files changed.
    Changed(Vec<PathBuf>),
    /// A build ended.
    Built(Arc<BuildReport>),
    /// An app process is serving.
    Ready(ChildId),
    /// An app process ended.
    Exited(ChildId, Exit),
    /// A stopping app process had its time.
    StopTimeout(ChildId),
    /// Ctrl-C, `SIGTERM`.
    Shutdown,
}

/// Something to do.
#[derive(Debug, Clone)]
pub(crate) enum Action {
    /// Run `cargo build`.
    Build,
    /// Start an app process from `executable`.
    Spawn(ChildId, PathBuf),
    /// Ask an app process to stop (and arm its timeout).
    Stop(ChildId),
    /// Kill an app process.
    Kill(ChildId),
    /// Answer requests with this page (starting the supervisor's server).
    Show(Problem),
    /// Stop answering requests.
    Hide,
    /// Say something on the terminal.
    Say(String),
    /// Exit the supervisor with this status.
    Exit(i32),
}

/// The reloader's state.
#[derive(Debug)]
pub(crate) struct Reloader {
    serving: Option<ChildId>,
    starting: Option<ChildId>,
    stopping: BTreeSet<ChildId>,
    building: bool,
    stale: bool,
    showing: bool,
    shutting_down: bool,
    last: ChildId,
}

impl Reloader {
    /// A reloader whose first app process runs `executable` (already built).
    pub(crate) fn new(executable: PathBuf) -> (Self, Vec<Action>) {
        let reloader = Self {
            serving: None,
            starting: Some(1),
            stopping: BTreeSet::new(),
            building: false,
            stale: false,
            showing: false,
            shutting_down: false,
            last: 1,
        };
        (reloader, vec![Action::Spawn(1, executable)])
    }

    /// The app process serving requests.
    #[cfg(test)]
    pub(crate) fn serving(&self) -> Option<ChildId> {
        self.serving
    }

    fn stop(&mut self, child: ChildId, actions: &mut Vec<Action>) {
        if self.stopping.insert(child) {
            actions.push(Action::Stop(child));
        }
    }

    fn show(&mut self, problem: Problem, actions: &mut Vec<Action>) {
        if let Some(child) = self.serving.take() {
            self.stop(child, actions);
        }
        if let Some(child) = self.starting.take() {
            self.stop(child, actions);
        }
        self.showing = true;
        actions.push(Action::Show(problem));
    }

    fn finished(&self) -> bool {
        self.serving.is_none() && self.starting.is_none() && self.stopping.is_empty()
    }

    /// What to do about `event`.
    pub(crate) fn on(&mut self, event: Event) -> Vec<Action> {
        let mut actions = Vec::new();
        match event {
            Event::Changed(paths) => {
                if self.shutting_down {
                    return actions;
                }
                if self.building {
                    self.stale = true;
                } else {
                    self.building = true;
                    let shown: Vec<String> = paths
                        .iter()
                        .take(3)
                        .map(|path| format!("'{}'", path.display()))
                        .collect();
                    let more = paths.len().saturating_sub(3);
                    actions.push(Action::Say(format!(
                        "Detected change in {}{}, rebuilding",
                        shown.join(", "),
                        if more > 0 {
                            format!(" and {more} more")
                        } else {
                            String::new()
                        }
                    )));
                    actions.push(Action::Build);
                }
            }
            Event::Built(report) => {
                self.building = false;
                if self.shutting_down {
                    return actions;
                }
                if self.stale {
                    self.stale = false;
                    self.building = true;
                    actions.push(Action::Say(
                        "Files changed during the build, rebuilding".to_owned(),
                    ));
                    actions.push(Action::Build);
                    return actions;
                }
                match (&report.executable, report.success) {
                    (Some(executable), true) => {
                        if let Some(child) = self.starting.take() {
                            self.stop(child, &mut actions);
                        }
                        self.last += 1;
                        self.starting = Some(self.last);
                        actions.push(Action::Spawn(self.last, executable.clone()));
                    }
                    _ => {
                        let errors = report.errors().count();
                        actions.push(Action::Say(format!(
                            "Build failed ({errors} error{}); serving the error page until a build succeeds",
                            if errors == 1 { "" } else { "s" }
                        )));
                        self.show(Problem::Build(report), &mut actions);
                    }
                }
            }
            Event::Ready(child) => {
                if self.starting != Some(child) || self.shutting_down {
                    return actions;
                }
                self.starting = None;
                if let Some(old) = self.serving.replace(child) {
                    self.stop(old, &mut actions);
                }
                if self.showing {
                    self.showing = false;
                    actions.push(Action::Hide);
                }
            }
            Event::Exited(child, exit) => {
                self.stopping.remove(&child);
                let was_starting = self.starting == Some(child);
                let was_serving = self.serving == Some(child);
                if was_starting {
                    self.starting = None;
                }
                if was_serving {
                    self.serving = None;
                }
                if (was_starting || was_serving) && !self.shutting_down {
                    if exit.interrupted() {
                        // Ctrl-C reached the app process first.
                        return self.on(Event::Shutdown);
                    }
                    let status = exit.describe();
                    if was_starting {
                        actions.push(Action::Say(format!(
                            "The new app process exited ({status}) before it was ready"
                        )));
                        self.show(Problem::Startup(status), &mut actions);
                    } else {
                        actions.push(Action::Say(format!("The app process exited ({status})")));
                        self.show(Problem::Exited(status), &mut actions);
                    }
                }
                if self.shutting_down && self.finished() {
                    actions.push(Action::Exit(0));
                }
            }
            Event::StopTimeout(child) => {
                if self.stopping.contains(&child) {
                    actions.push(Action::Kill(child));
                }
            }
            Event::Shutdown => {
                if self.shutting_down {
                    return actions;
                }
                self.shutting_down = true;
                if let Some(child) = self.serving.take() {
                    self.stop(child, &mut actions);
                }
                if let Some(child) = self.starting.take() {
                    self.stop(child, &mut actions);
                }
                if self.showing {
                    self.showing = false;
                    actions.push(Action::Hide);
                }
                if self.finished() {
                    actions.push(Action::Exit(0));
                }
            }
        }
        actions
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn report(success: bool) -> Arc<BuildReport> {
        Arc::new(BuildReport {
            success,
            executable: success.then(|| PathBuf::from("/t/debug/app")),
            diagnostics: Vec::new(),
            output: String::new(),
            command: "cargo build".to_owned(),
            duration: Duration::from_secs(1),
        })
    }

    /// The actions without the terminal messages, as short words.
    fn words(actions: &[Action]) -> Vec<String> {
        actions
            .iter()
            .filter_map(|action| match action {
                Action::Build => Some("build".to_owned()),
                Action::Spawn(child, _) => Some(format!("spawn {child}")),
                Action::Stop(child) => Some(format!("stop {child}")),
                Action::Kill(child) => Some(format!("kill {child}")),
                Action::Show(Problem::Build(_)) => Some("show build".to_owned()),
                Action::Show(Problem::Startup(_)) => Some("show startup".to_owned()),
                Action::Show(Problem::Exited(_)) => Some("show exited".to_owned()),
                Action::Hide => Some("hide".to_owned()),
                Action::Exit(code) => Some(format!("exit {code}")),
                Action::Say(_) => None,
            })
            .collect()
    }

    fn exit(code: i32) -> Exit {
        Exit {
            code: Some(code),
            signal: None,
        }
    }

    fn started() -> Reloader {
        let (mut reloader, actions) = Reloader::new("/t/debug/app".into());
        assert_eq!(words(&actions), ["spawn 1"]);
        assert!(words(&reloader.on(Event::Ready(1))).is_empty());
        assert_eq!(reloader.serving(), Some(1));
        reloader
    }

    #[test]
    fn a_good_build_swaps_processes_after_the_new_one_is_ready() {
        let mut reloader = started();
        assert_eq!(
            words(&reloader.on(Event::Changed(vec!["src/main.rs".into()]))),
            ["build"]
        );
        assert_eq!(words(&reloader.on(Event::Built(report(true)))), ["spawn 2"]);
        assert_eq!(
            reloader.serving(),
            Some(1),
            "the old process serves until then"
        );
        assert_eq!(words(&reloader.on(Event::Ready(2))), ["stop 1"]);
        assert_eq!(reloader.serving(), Some(2));
        assert!(words(&reloader.on(Event::Exited(1, exit(0)))).is_empty());
    }

    #[test]
    fn changes_during_a_build_rebuild_and_discard_the_stale_result() {
        let mut reloader = started();
        reloader.on(Event::Changed(vec!["a.rs".into()]));
        assert!(words(&reloader.on(Event::Changed(vec!["b.rs".into()]))).is_empty());
        assert_eq!(words(&reloader.on(Event::Built(report(true)))), ["build"]);
        assert_eq!(words(&reloader.on(Event::Built(report(true)))), ["spawn 2"]);
    }

    #[test]
    fn a_failed_build_shows_the_page_until_a_good_one_is_ready() {
        let mut reloader = started();
        reloader.on(Event::Changed(vec!["a.rs".into()]));
        assert_eq!(
            words(&reloader.on(Event::Built(report(false)))),
            ["stop 1", "show build"]
        );
        assert_eq!(reloader.serving(), None);
        assert!(words(&reloader.on(Event::Exited(1, exit(0)))).is_empty());
        // Still broken: the page is refreshed.
        reloader.on(Event::Changed(vec!["a.rs".into()]));
        assert_eq!(
            words(&reloader.on(Event::Built(report(false)))),
            ["show build"]
        );
        reloader.on(Event::Changed(vec!["a.rs".into()]));
        assert_eq!(words(&reloader.on(Event::Built(report(true)))), ["spawn 2"]);
        assert_eq!(words(&reloader.on(Event::Ready(2))), ["hide"]);
    }

    #[test]
    fn a_process_that_dies_gets_a_page() {
        let mut reloader = started();
        assert_eq!(
            words(&reloader.on(Event::Exited(1, exit(101)))),
            ["show exited"]
        );
        reloader.on(Event::Changed(vec!["a.rs".into()]));
        assert_eq!(words(&reloader.on(Event::Built(report(true)))), ["spawn 2"]);
        assert_eq!(
            words(&reloader.on(Event::Exited(2, exit(101)))),
            ["show startup"],
            "the new one failed at start-up"
        );
    }

    #[test]
    fn a_new_build_replaces_a_process_still_starting() {
        let mut reloader = started();
        reloader.on(Event::Changed(vec!["a.rs".into()]));
        reloader.on(Event::Built(report(true)));
        reloader.on(Event::Changed(vec!["a.rs".into()]));
        assert_eq!(
            words(&reloader.on(Event::Built(report(true)))),
            ["stop 2", "spawn 3"]
        );
        assert!(words(&reloader.on(Event::Ready(2))).is_empty(), "stale");
        assert_eq!(words(&reloader.on(Event::Ready(3))), ["stop 1"]);
    }

    #[test]
    fn slow_stops_become_kills() {
        let mut reloader = started();
        reloader.on(Event::Changed(vec!["a.rs".into()]));
        reloader.on(Event::Built(report(true)));
        reloader.on(Event::Ready(2));
        assert_eq!(words(&reloader.on(Event::StopTimeout(1))), ["kill 1"]);
        reloader.on(Event::Exited(
            1,
            Exit {
                code: None,
                signal: Some(9),
            },
        ));
        assert!(words(&reloader.on(Event::StopTimeout(1))).is_empty());
    }

    #[test]
    fn shutdown_stops_everything_then_exits() {
        let mut reloader = started();
        assert_eq!(words(&reloader.on(Event::Shutdown)), ["stop 1"]);
        assert!(words(&reloader.on(Event::Changed(vec!["a.rs".into()]))).is_empty());
        assert_eq!(words(&reloader.on(Event::Exited(1, exit(0)))), ["exit 0"]);
    }

    #[test]
    fn ctrl_c_in_the_app_process_shuts_down() {
        let mut reloader = started();
        let interrupted = Exit {
            code: None,
            signal: Some(2),
        };
        assert_eq!(
            words(&reloader.on(Event::Exited(1, interrupted))),
            ["exit 0"]
        );
    }

    #[test]
    fn shutdown_while_showing_the_page() {
        let mut reloader = started();
        reloader.on(Event::Changed(vec!["a.rs".into()]));
        reloader.on(Event::Built(report(false)));
        reloader.on(Event::Exited(1, exit(0)));
        assert_eq!(words(&reloader.on(Event::Shutdown)), ["hide", "exit 0"]);
    }
}
