//! Running `cargo build` and reading its JSON messages.
//!
//! `--message-format json-diagnostic-rendered-ansi` gives every diagnostic
//! as JSON with its terminal rendering (colours included) and the path of
//! the built executable. The rendered diagnostics are printed on the
//! terminal as they come (as cargo would print them) and kept for the
//! error page; cargo's own output (stderr: progress, manifest errors) goes
//! to the terminal and is kept too.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::ansi;
use super::metadata::cargo;
use super::spec::BuildSpec;

/// The most of cargo's stderr kept for the error page (the end of it).
const OUTPUT_CAP: usize = 256 * 1024;

/// One compiler message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Diagnostic {
    /// `error`, `warning`, ...
    pub(crate) level: String,
    pub(crate) message: String,
    /// `file:line:column` of the primary span.
    pub(crate) location: Option<String>,
    /// The terminal rendering, with ANSI colours.
    pub(crate) rendered: String,
}

/// The outcome of one `cargo build`.
#[derive(Debug, Clone)]
pub(crate) struct BuildReport {
    pub(crate) success: bool,
    pub(crate) executable: Option<PathBuf>,
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// cargo's stderr (the end of it).
    pub(crate) output: String,
    pub(crate) command: String,
    pub(crate) duration: Duration,
}

impl BuildReport {
    pub(crate) fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.level.starts_with("error"))
    }
}

#[derive(Deserialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
enum Line {
    CompilerMessage {
        message: Compiler,
    },
    CompilerArtifact {
        target: ArtifactTarget,
        #[serde(default)]
        executable: Option<PathBuf>,
    },
    #[serde(other)]
    Other,
}

/// A compiler message's `message` object.
#[derive(Deserialize)]
struct Compiler {
    message: String,
    level: String,
    #[serde(default)]
    rendered: Option<String>,
    #[serde(default)]
    spans: Vec<Span>,
}

#[derive(Deserialize)]
struct Span {
    file_name: String,
    line_start: u64,
    column_start: u64,
    is_primary: bool,
}

#[derive(Deserialize)]
struct ArtifactTarget {
    name: String,
    kind: Vec<String>,
}

/// Starts `cargo build` for `spec` (on the thread that also starts app
/// processes, so no other child inherits a descriptor meant for one).
pub(crate) fn spawn(spec: &BuildSpec, color: bool) -> std::io::Result<Child> {
    Command::new(cargo())
        .current_dir(spec.package_dir())
        .args(spec.cargo_args())
        .args([
            "--message-format",
            "json-diagnostic-rendered-ansi",
            "--color",
            if color { "always" } else { "never" },
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
}

/// Reads a running build to its end (printing as it goes).
pub(crate) fn collect(
    mut child: Child,
    spec: &BuildSpec,
    color: bool,
    started: Instant,
) -> BuildReport {
    let stderr = child.stderr.take().map(|stderr| {
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            let mut reader = BufReader::new(stderr);
            let mut chunk = [0; 8192];
            loop {
                match reader.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let _ = std::io::stderr().write_all(&chunk[..n]);
                        kept.extend_from_slice(&chunk[..n]);
                        if kept.len() > OUTPUT_CAP {
                            kept.drain(..kept.len() - OUTPUT_CAP);
                        }
                    }
                }
            }
            String::from_utf8_lossy(&kept).into_owned()
        })
    });
    let mut report = BuildReport {
        success: false,
        executable: None,
        diagnostics: Vec::new(),
        output: String::new(),
        command: spec.command_line(),
        duration: Duration::ZERO,
    };
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            read_message(&line, spec, color, &mut report);
        }
    }
    report.success = child.wait().is_ok_and(|status| status.success());
    report.output = stderr
        .and_then(|thread| thread.join().ok())
        .unwrap_or_default();
    report.duration = started.elapsed();
    report
}

/// Handles one line of cargo's stdout.
pub(crate) fn read_message(line: &str, spec: &BuildSpec, color: bool, report: &mut BuildReport) {
    match serde_json::from_str::<Line>(line) {
        Ok(Line::CompilerMessage { message }) => {
            let rendered = message.rendered.unwrap_or_else(|| message.message.clone());
            let shown = if color {
                rendered.clone()
            } else {
                ansi::strip(&rendered)
            };
            let _ = std::io::stderr().write_all(shown.as_bytes());
            let location = message
                .spans
                .iter()
                .find(|span| span.is_primary)
                .map(|span| {
                    format!(
                        "{}:{}:{}",
                        span.file_name, span.line_start, span.column_start
                    )
                });
            report.diagnostics.push(Diagnostic {
                level: message.level,
                message: message.message,
                location,
                rendered,
            });
        }
        Ok(Line::CompilerArtifact { target, executable }) => {
            if target.name == spec.target().name()
                && target.kind.iter().any(|kind| kind == spec.target().kind())
                && executable.is_some()
            {
                report.executable = executable;
            }
        }
        Ok(Line::Other) => {}
        // Not JSON: a line some tool printed; keep it with cargo's output.
        Err(_) => {
            let _ = writeln!(std::io::stderr(), "{line}");
            report.output.push_str(line);
            report.output.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BuildTarget;

    fn report() -> BuildReport {
        BuildReport {
            success: false,
            executable: None,
            diagnostics: Vec::new(),
            output: String::new(),
            command: String::new(),
            duration: Duration::ZERO,
        }
    }

    #[test]
    fn reads_diagnostics_and_the_executable() {
        let spec = BuildSpec::new("Cargo.toml", "app", BuildTarget::Bin("app".into()));
        let mut report = report();
        read_message(
            r#"{"reason":"compiler-message","package_id":"x","manifest_path":"/w/Cargo.toml","target":{"name":"app","kind":["bin"]},"message":{"rendered":"\u001b[1merror[E0308]\u001b[0m: mismatched types\n --> src/main.rs:3:18\n","$message_type":"diagnostic","children":[],"code":{"code":"E0308","explanation":null},"level":"error","message":"mismatched types","spans":[{"byte_end":1,"byte_start":0,"column_end":20,"column_start":18,"expansion":null,"file_name":"src/main.rs","is_primary":true,"label":null,"line_end":3,"line_start":3,"suggested_replacement":null,"suggestion_applicability":null,"text":[]}]}}"#,
            &spec,
            false,
            &mut report,
        );
        read_message(
            r#"{"reason":"compiler-artifact","package_id":"x","manifest_path":"/w/Cargo.toml","target":{"name":"app","kind":["bin"],"crate_types":["bin"],"required-features":[],"src_path":"/w/src/main.rs","edition":"2024","doctest":false,"test":true},"profile":{},"features":[],"filenames":["/w/target/debug/app"],"executable":"/w/target/debug/app","fresh":false}"#,
            &spec,
            false,
            &mut report,
        );
        read_message(
            r#"{"reason":"build-finished","success":true}"#,
            &spec,
            false,
            &mut report,
        );
        read_message("plain text", &spec, false, &mut report);
        assert_eq!(
            report.diagnostics,
            [Diagnostic {
                level: "error".to_owned(),
                message: "mismatched types".to_owned(),
                location: Some("src/main.rs:3:18".to_owned()),
                rendered:
                    "\u{1b}[1merror[E0308]\u{1b}[0m: mismatched types\n --> src/main.rs:3:18\n"
                        .to_owned(),
            }]
        );
        assert_eq!(report.errors().count(), 1);
        assert_eq!(
            report.executable,
            Some(PathBuf::from("/w/target/debug/app"))
        );
        assert_eq!(report.output, "plain text\n");
    }

    #[test]
    fn other_targets_are_not_the_executable() {
        let spec = BuildSpec::new("Cargo.toml", "app", BuildTarget::Example("demo".into()));
        let mut report = report();
        read_message(
            r#"{"reason":"compiler-artifact","target":{"name":"demo","kind":["bin"]},"executable":"/w/target/debug/demo"}"#,
            &spec,
            false,
            &mut report,
        );
        assert_eq!(report.executable, None);
    }
}
