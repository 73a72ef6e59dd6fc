//! The attack corpus (`../shared/attack-corpus`) replayed over real
//! sockets against `examples/corpus`, the corpus app contract on the App,
//! under the production server (`corpus serve`) and then the development
//! server (`corpus dev --no-reload`). `replay.py` checks every file
//! against `expect.tsv`; the test fails unless both runs end `0 failed`,
//! and prints which files failed on which server. `.ci/run` runs it (with
//! `ulimit -n 4096`: the replay opens about 1500 connections).

use std::path::Path;
use std::process::Command;

use crate::examples::support::{Served, corpus_dir, http_get};

/// What one replay run printed.
struct Replay {
    server: &'static str,
    summary: String,
    failures: Vec<String>,
    output: String,
    log: String,
}

impl Replay {
    fn passed(&self) -> bool {
        self.summary.ends_with(" 0 failed") && self.failures.is_empty()
    }
}

/// Starts the corpus app with `args` in `fixtures` and replays the corpus
/// against it.
fn replay(server: &'static str, args: &[&str], corpus: &Path, fixtures: &Path) -> Replay {
    let mut served = Served::start("corpus", args, fixtures, &[]);
    // The app serves `static/` of its working directory.
    let hello = http_get(served.port, "/static/hello.txt", &[]).unwrap();
    assert_eq!(
        (hello.status, hello.body.as_str()),
        (200, "hello-static"),
        "{hello:?}"
    );
    assert!(hello.headers.contains_key("last-modified"), "{hello:?}");
    let output = Command::new("python3")
        .arg(corpus.join("replay.py"))
        .args(["--url", &format!("http://127.0.0.1:{}", served.port)])
        .args(["--pid", &served.pid().to_string()])
        .arg("-v")
        .output()
        .expect("python3 runs");
    served.stop();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let summary = stdout
        .lines()
        .rev()
        .find(|line| line.ends_with(" failed"))
        .unwrap_or("(no summary: replay.py did not finish)")
        .to_owned();
    let failures = stdout
        .lines()
        .filter(|line| line.starts_with("FAIL "))
        .map(str::to_owned)
        .collect();
    Replay {
        server,
        summary,
        failures,
        output: format!("{stdout}\n{stderr}"),
        log: served.log_text(),
    }
}

/// The last `n` bytes of `text` (or a few more, to a character boundary).
fn tail(text: &str, n: usize) -> &str {
    let mut start = text.len().saturating_sub(n);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    &text[start..]
}

#[test]
#[ignore = "slow (about 5 minutes: the corpus waits out 30 and 60 s deadlines, once per server): run by .ci/run"]
fn the_corpus_example_passes_the_attack_corpus_under_both_servers() {
    let Some(corpus) = corpus_dir() else {
        eprintln!(
            "skipped: no attack corpus at ../shared/attack-corpus (set CARAFE_ATTACK_CORPUS to its directory)"
        );
        return;
    };
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("skipped: python3 is not installed (replay.py needs it)");
        return;
    }
    let fixtures = tempfile::tempdir().unwrap();
    let made = Command::new("python3")
        .arg(corpus.join("replay.py"))
        .arg("--make-fixtures")
        .arg(fixtures.path())
        .status()
        .unwrap();
    assert!(made.success(), "replay.py --make-fixtures failed");

    let runs = [
        // Two workers, as the corpus's reference gunicorn ran: with one, the
        // 1000 idle connections of `idle-keepalive` fill the worker's
        // `--worker-connections` (1000) and the liveness probes wait.
        replay(
            "production server (corpus serve --workers 2)",
            &["serve", "--bind", "{bind}", "--workers", "2"],
            &corpus,
            fixtures.path(),
        ),
        replay(
            "development server (corpus dev --no-reload)",
            &["dev", "--no-reload", "--bind", "{bind}"],
            &corpus,
            fixtures.path(),
        ),
    ];
    let mut report = String::new();
    for run in &runs {
        report.push_str(&format!("== {}: {}\n", run.server, run.summary));
        for failure in &run.failures {
            report.push_str(&format!("   {failure}\n"));
        }
    }
    println!("{report}");
    for run in runs.iter().filter(|run| !run.passed()) {
        println!(
            "---- {}: replay output\n{}\n---- server log (last 4000 bytes)\n{}",
            run.server,
            run.output,
            tail(&run.log, 4000)
        );
    }
    assert!(runs.iter().all(Replay::passed), "{report}");
}
