//! A real Cargo project that uses the development server, run under the
//! reloader with `cargo run`: the reloader's end-to-end tests.
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

/// A handler-returning `main.rs` for the projects: `BODY` is the response
/// text; the feature `shout` upper-cases it; `static/` is served.
pub(crate) fn main_rs(body: &str) -> String {
    format!(
        r#"use carafe_devserver::{{Options, run_simple}};
use carafe_wrappers::{{Request, Response}};

fn text() -> String {{
    let text = String::from({body:?});
    if cfg!(feature = "shout") {{ text.to_uppercase() }} else {{ text }}
}}

fn app(request: Request) -> Response {{
    match request.path_info() {{
        "/pid" => Response::text(std::process::id().to_string()),
        "/panic" => panic!("the handler panicked"),
        _ => Response::text(text()),
    }}
}}

fn main() {{
    let bind = std::env::args().nth(1).expect("the address");
    let options = Options::default().with_static_files("/static", "static");
    run_simple(&bind, || app, options).unwrap();
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
carafe-devserver = {{ path = {:?} }}
carafe-wrappers = {{ path = {:?} }}

[workspace]
"#,
            workspace.join("devserver"),
            workspace.join("wrappers"),
        );
        std::fs::write(dir.path().join("Cargo.toml"), manifest).unwrap();
        // The workspace's lock file: the same versions, no registry lookups.
        std::fs::copy(workspace.join("Cargo.lock"), dir.path().join("Cargo.lock")).unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::create_dir_all(dir.path().join("static")).unwrap();
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
