//! A real Cargo project, a Carafe App (the `carafe` crate by path) served
//! by the development server under the reloader with `cargo run`: the
//! reloader's end-to-end tests.
//!
//! Every project is a fresh folder with the same package name, built into
//! one target folder under `CARGO_TARGET_TMPDIR`, so the dependencies are
//! compiled once for all tests (and all runs). The tests using it take a
//! lock: they share that target folder and its executable.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::{Process, free_port, temp_dir};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Serialises the tests that build and run projects.
pub(crate) fn lock() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The workspace holding this crate.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The target folder all projects share.
pub(crate) fn target_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("reload-projects")
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// The `main.rs` of the projects: a Carafe App whose `/` answers `BODY`
/// (upper-cased with the feature `shout`), `/pid` its process id, `/panic`
/// panics, `/page` renders `templates/page.html` (auto-reload on); served by
/// `run_simple` with the reloader, `static/` under `/static`.
pub(crate) fn main_rs(body: &str) -> String {
    format!(
        r#"use std::sync::OnceLock;

use carafe::prelude::*;
use carafe::templating::{{Context, DirLoader, Environment}};
use carafe_devserver::{{Options, run_simple}};

fn text() -> String {{
    let text = String::from({body:?});
    if cfg!(feature = "shout") {{ text.to_uppercase() }} else {{ text }}
}}

fn index(_: &Request) -> String {{
    text()
}}

fn pid(_: &Request) -> String {{
    std::process::id().to_string()
}}

fn boom(_: &Request) -> String {{
    panic!("the handler panicked")
}}

static TEMPLATES: OnceLock<Environment> = OnceLock::new();

fn page(_: &Request) -> Html<String> {{
    let templates = TEMPLATES.get().expect("the templates");
    Html(templates.render("page.html", &Context::new()).unwrap_or_else(|error| error.to_string()))
}}

fn create_app() -> App {{
    let templates = Environment::builder()
        .loader(DirLoader::new("templates"))
        .auto_reload(true)
        .build()
        .expect("the templates load");
    let _ = TEMPLATES.set(templates);
    App::builder()
        .debug(true)
        .route("/", index)
        .route("/pid", pid)
        .route("/panic", boom)
        .route("/page", page)
        .build()
}}

fn main() {{
    let bind = std::env::args().nth(1).expect("the address");
    let options = Options::default().with_static_files("/static", "static");
    run_simple(&bind, create_app, options).unwrap();
}}
"#
    )
}

/// A project folder.
pub(crate) struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    /// A project whose `src/main.rs` is `main`.
    pub(crate) fn new(main: &str) -> Project {
        let dir = temp_dir();
        let workspace = workspace();
        let manifest = format!(
            r#"[package]
name = "reload-demo"
version = "0.1.0"
edition = "2024"
publish = false

[features]
shout = []

[dependencies]
carafe = {{ path = {:?} }}
carafe-devserver = {{ path = {:?} }}

[workspace]
"#,
            workspace.clone(),
            workspace.join("devserver"),
        );
        std::fs::write(dir.path().join("Cargo.toml"), manifest).unwrap();
        // The workspace's lock file: the same versions, no registry lookups.
        std::fs::copy(workspace.join("Cargo.lock"), dir.path().join("Cargo.lock")).unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::create_dir_all(dir.path().join("static")).unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join("templates/page.html"), "<p>{{ 1 + 1 }}</p>").unwrap();
        std::fs::write(dir.path().join("src/main.rs"), main).unwrap();
        Project { dir }
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `contents` to `file` (relative to the project).
    pub(crate) fn write(&self, file: &str, contents: &str) {
        std::fs::write(self.dir.path().join(file), contents).unwrap();
    }

    /// `cargo build ARGS` (the first one compiles the dependencies).
    pub(crate) fn build(&self, args: &[&str]) {
        let output = Command::new(cargo())
            .arg("build")
            .args(args)
            .current_dir(self.path())
            .env("CARGO_TARGET_DIR", target_dir())
            .env_remove("CARGO_MANIFEST_DIR")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "cargo build failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// The built executable started directly (not by `cargo run`) with the
    /// working folder `cwd`, the environment of this test process (whose
    /// `CARGO_MANIFEST_DIR` names this crate, not the project); waits
    /// until something answers.
    pub(crate) fn run_executable_in(&self, cwd: &Path) -> Process {
        self.build(&[]);
        let address: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let mut command = Command::new(target_dir().join("debug/reload-demo"));
        command
            .arg(address.to_string())
            .current_dir(cwd)
            .env("CARGO", cargo())
            .env("CARGO_TARGET_DIR", target_dir());
        let process = Process::spawn(command, address);
        process.wait_ready(Duration::from_secs(120));
        process
    }

    /// `cargo run ARGS -- 127.0.0.1:PORT` in its own process group; waits
    /// until something answers.
    pub(crate) fn run(&self, args: &[&str]) -> Process {
        self.build(args);
        let address: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let mut command = Command::new(cargo());
        command
            .arg("run")
            .args(args)
            .arg("--")
            .arg(address.to_string())
            .current_dir(self.path())
            .env("CARGO_TARGET_DIR", target_dir())
            .env_remove("CARGO_MANIFEST_DIR");
        let process = Process::spawn(command, address);
        process.wait_ready(Duration::from_secs(120));
        process
    }
}
