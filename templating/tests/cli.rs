//! `carafe-render`, run as a program: the success path, each exit status, the data
//! formats, `--out`, sandbox violations naming the cap, isolated mode.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_carafe-render");

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs the binary in `cwd` with `stdin` (closed when `None`); the process must end
/// with an exit status, never a signal.
fn run(cwd: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    let output = child.wait_with_output().unwrap();
    let code = output
        .status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal: {:?}", output.status));
    Run {
        code,
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "templates/base.html",
        "<title>{% block title %}{% endblock title %}</title>{% block body %}{% endblock body %}\n",
    );
    write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block title %}{{ title }}{% endblock title %}{% block body %}{% for i in items %}[{{ i }}]{% endfor %}{% endblock body %}\n",
    );
    write(
        "templates/mail/plain.txt",
        "Hi {{ user.name }}, you have {{ user.count }} messages.\n",
    );
    write("templates/broken.html", "line one\n{{ title | uper }}\n");
    write(
        "templates/loop.html",
        "{% for i in range(end=10000) %}{% for j in range(end=10000) %}{% endfor %}{% endfor %}",
    );
    write("templates/dump.html", "{{ __tera_context }}");
    write("data.json", r#"{"title": "A & B", "items": [1, 2]}"#);
    write("data.yaml", "title: A & B\nitems:\n  - 1\n  - 2\n");
    write("data.toml", "title = \"A & B\"\nitems = [1, 2]\n");
    write("user.yml", "user:\n  name: Ada\n  count: 3\n");
    dir
}

const PAGE: &str = "<title>A &amp; B</title>[1][2]";

#[test]
fn renders_with_json_yaml_toml_and_stdin_data() {
    let dir = project();
    let cwd = dir.path();
    for data in ["data.json", "data.yaml", "data.toml"] {
        let out = run(
            cwd,
            &["--dir", "templates", "--data", data, "page.html"],
            None,
        );
        assert_eq!(
            (out.code, out.stdout.as_str(), out.stderr.as_str()),
            (0, PAGE, ""),
            "{data}"
        );
    }
    let json = std::fs::read_to_string(cwd.join("data.json")).unwrap();
    let out = run(
        cwd,
        &["--dir", "templates", "--data", "-", "page.html"],
        Some(&json),
    );
    assert_eq!((out.code, out.stdout.as_str()), (0, PAGE));
    let out = run(cwd, &["--dir=templates", "page.html"], Some(&json));
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, PAGE),
        "JSON on stdin without --data"
    );
    let out = run(
        cwd,
        &["--dir", "templates", "--data", "user.yml", "mail/plain.txt"],
        None,
    );
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "Hi Ada, you have 3 messages.")
    );
}

#[test]
fn the_default_directory_is_the_current_one() {
    let dir = project();
    let out = run(
        &dir.path().join("templates"),
        &["--data", "../user.yml", "mail/plain.txt"],
        None,
    );
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "Hi Ada, you have 3 messages."),
        "{}",
        out.stderr
    );
}

#[test]
fn out_writes_the_file_only_on_success() {
    let dir = project();
    let cwd = dir.path();
    let out = run(
        cwd,
        &[
            "--dir",
            "templates",
            "--data",
            "data.json",
            "--out",
            "site/index.html",
            "page.html",
        ],
        None,
    );
    assert_eq!(
        out.code, 2,
        "the directory of --out must exist: {}",
        out.stderr
    );
    std::fs::create_dir(cwd.join("site")).unwrap();
    let out = run(
        cwd,
        &[
            "--dir",
            "templates",
            "--data",
            "data.json",
            "--out",
            "site/index.html",
            "page.html",
        ],
        None,
    );
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));
    assert_eq!(
        std::fs::read_to_string(cwd.join("site/index.html")).unwrap(),
        PAGE
    );
    let out = run(
        cwd,
        &[
            "--dir",
            "templates",
            "--out",
            "site/index.html",
            "broken.html",
        ],
        None,
    );
    assert_eq!(out.code, 1);
    assert_eq!(
        std::fs::read_to_string(cwd.join("site/index.html")).unwrap(),
        PAGE,
        "the old file is kept"
    );
    let leftovers: Vec<_> = std::fs::read_dir(cwd.join("site")).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
}

#[test]
fn template_errors_exit_1_with_a_one_paragraph_message() {
    let dir = project();
    let cwd = dir.path();
    let out = run(cwd, &["--dir", "templates", "page.html"], None);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .starts_with("carafe-render: error: variable `title` is not defined"),
        "{}",
        out.stderr
    );
    let out = run(cwd, &["--dir", "templates", "broken.html"], None);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("unknown filter `uper` (did you mean `upper`?)"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("templates/broken.html:2:12"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.trim_end().contains("\n\n"),
        "one paragraph: {}",
        out.stderr
    );
    let out = run(cwd, &["--dir", "templates", "pgae.html"], None);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("template `pgae.html` not found (did you mean `page.html`?)"),
        "{}",
        out.stderr
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = project();
    let cwd = dir.path();
    std::fs::write(cwd.join("data.csv"), "a,b").unwrap();
    std::fs::write(cwd.join("list.json"), "[1, 2]").unwrap();
    std::fs::write(cwd.join("bad.json"), "{\"title\": ").unwrap();
    std::fs::write(cwd.join("bad.yaml"), "a: [1, 2").unwrap();
    for (args, message) in [
        (
            &["--frobnicate", "page.html"][..],
            "unknown option `--frobnicate`",
        ),
        (&["--dir", "templates"][..], "missing TEMPLATE"),
        (
            &["--dir", "nowhere", "page.html"][..],
            "--dir nowhere: not a directory",
        ),
        (
            &["--dir", "templates", "--data", "data.csv", "page.html"][..],
            "unknown format",
        ),
        (
            &["--dir", "templates", "--data", "missing.json", "page.html"][..],
            "--data missing.json",
        ),
        (
            &["--dir", "templates", "--data", "list.json", "page.html"][..],
            "must be a map",
        ),
        (
            &["--dir", "templates", "--data", "bad.json", "page.html"][..],
            "bad.json: invalid value",
        ),
        (
            &["--dir", "templates", "--data", "bad.yaml", "page.html"][..],
            "bad.yaml: invalid value",
        ),
    ] {
        let out = run(cwd, args, None);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(message), "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("usage: carafe-render"),
            "{args:?}: {}",
            out.stderr
        );
    }
    let out = run(cwd, &["--dir", "templates", "page.html"], Some("not json"));
    assert_eq!(out.code, 2, "{}", out.stderr);
    let out = run(cwd, &["--help"], None);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout
            .contains("exit status: 0 rendered; 1 template error or sandbox limit; 2 usage error")
    );
}

#[test]
fn hostile_data_is_refused_not_a_crash() {
    let dir = project();
    let cwd = dir.path();
    let deep_json = format!("{{\"a\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let out = run(
        cwd,
        &["--dir", "templates", "--data", "-", "page.html"],
        Some(&deep_json),
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    let laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\ni: [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
    std::fs::write(cwd.join("laughs.yaml"), laughs).unwrap();
    let out = run(
        cwd,
        &["--dir", "templates", "--data", "laughs.yaml", "page.html"],
        None,
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    let deep_toml = format!("a = {}1{}\n", "[".repeat(50_000), "]".repeat(50_000));
    std::fs::write(cwd.join("deep.toml"), deep_toml).unwrap();
    let out = run(
        cwd,
        &["--dir", "templates", "--data", "deep.toml", "page.html"],
        None,
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn sandbox_violations_name_the_cap() {
    let dir = project();
    let cwd = dir.path();
    let out = run(cwd, &["--dir", "templates", "--sandbox", "loop.html"], None);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("sandbox cap `max_iterations` exceeded (limit: 100000 iterations)"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("loop.html:1:44"), "{}", out.stderr);
    let out = run(cwd, &["--dir", "templates", "--sandbox", "dump.html"], None);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("the sandbox does not allow the name `__tera_context`"),
        "{}",
        out.stderr
    );
    // Without --sandbox, the same templates are trusted.
    let out = run(
        cwd,
        &["--dir", "templates", "dump.html"],
        Some("{\"x\": 1}"),
    );
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "{&#34;x&#34;: 1}"),
        "{}",
        out.stderr
    );
    let out = run(
        cwd,
        &[
            "--dir",
            "templates",
            "--sandbox",
            "--data",
            "data.json",
            "page.html",
        ],
        None,
    );
    assert_eq!((out.code, out.stdout.as_str()), (0, PAGE));
}

#[test]
fn isolated_mode_reports_the_process_limit_that_killed_the_render() {
    let dir = project();
    let cwd = dir.path();
    let out = run(
        cwd,
        &[
            "--dir",
            "templates",
            "--isolated",
            "--data",
            "data.json",
            "page.html",
        ],
        None,
    );
    assert_eq!((out.code, out.stdout.as_str()), (0, PAGE), "{}", out.stderr);
    let out = run(
        cwd,
        &["--dir", "templates", "--isolated", "loop.html"],
        None,
    );
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("`max_iterations`"), "{}", out.stderr);
    // One expression that builds 256 MiB: no in-process hook runs inside it; the
    // worker's RLIMIT_AS (512 MiB) makes the allocation fail, the worker aborts, and
    // the parent reports the memory limit.
    fn tree(depth: u32) -> String {
        if depth == 0 {
            "s".to_string()
        } else {
            format!("({} ~ {})", tree(depth - 1), tree(depth - 1))
        }
    }
    let bomb = format!(
        "{{% set s = '0123456789abcdef' %}}{{% for i in range(end=16) %}}{{% set_global s = s ~ s %}}{{% endfor %}}{{% if {} %}}built{{% endif %}}",
        tree(8)
    );
    std::fs::write(cwd.join("templates/bomb.html"), bomb).unwrap();
    let out = run(
        cwd,
        &["--dir", "templates", "--isolated", "bomb.html"],
        None,
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("process limit `memory_bytes` exceeded")
            || out.stderr.contains("process limit `wall_time` exceeded"),
        "{}",
        out.stderr
    );
}
