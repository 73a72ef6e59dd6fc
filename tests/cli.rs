//! The app's command line: parsing, `routes` and `check` in-process, and the
//! `cli_app` example binary run as a user would (including a real `serve`
//! on 127.0.0.1 with two workers).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Output, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant};

use carafe::cli::{Cli, CliApp, Sort};
use carafe::routing::{Map, Method, Rule};
use carafe::wrappers::{Application, Request, Response};

// ------------------------------------------------------------ in-process

struct TestApp(Map);

impl Application for TestApp {
    fn handle(&self, _: Request) -> Response {
        Response::text("test")
    }
}

impl CliApp for TestApp {
    fn url_map(&self) -> Option<&Map> {
        Some(&self.0)
    }

    fn problems(&self) -> Vec<String> {
        self.0
            .rules()
            .filter(|r| r.endpoint() == "broken")
            .map(|r| format!("no handler for endpoint `broken` ({})", r.pattern()))
            .collect()
    }
}

fn shop() -> TestApp {
    TestApp(
        Map::builder()
            .rule(Rule::new("/", "index").methods([Method::GET]))
            .rule(Rule::new("/cart", "cart.show").methods([Method::GET]))
            .rule(Rule::new("/cart", "cart.add").methods([Method::POST]))
            .rule(Rule::new("/items/<int:id>", "item").methods([
                Method::GET,
                Method::PUT,
                Method::DELETE,
            ]))
            .build()
            .unwrap(),
    )
}

fn run_in_process<F: carafe::cli::AppFactory>(
    factory: F,
    args: &[&str],
) -> (ExitCode, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut argv = vec!["shop"];
    argv.extend_from_slice(args);
    let code = Cli::new(factory).run_with(argv, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[test]
fn routes_prints_a_table_sorted_by_endpoint() {
    let (code, out, err) = run_in_process(shop, &["routes"]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    assert_eq!(
        out,
        "Endpoint   Methods           Rule\n\
         ---------  ----------------  ---------------\n\
         cart.add   POST              /cart\n\
         cart.show  GET               /cart\n\
         index      GET               /\n\
         item       DELETE, GET, PUT  /items/<int:id>\n"
    );
}

#[test]
fn routes_sorts_and_prints_json() {
    for (sort, expected) in [
        ("rule", ["/", "/cart", "/cart", "/items/<int:id>"]),
        ("match", ["/", "/cart", "/cart", "/items/<int:id>"]),
        ("methods", ["/items/<int:id>", "/", "/cart", "/cart"]),
    ] {
        let (code, out, _) = run_in_process(shop, &["routes", "--json", "--sort", sort]);
        assert_eq!(code, ExitCode::SUCCESS);
        let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
        let rules: Vec<&str> = rows.iter().map(|r| r["rule"].as_str().unwrap()).collect();
        assert_eq!(rules, expected, "--sort {sort}");
    }
    let (_, out, _) = run_in_process(shop, &["routes", "--json", "-s", "rule"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    // Equal rules are ordered by endpoint.
    assert_eq!(rows[1]["endpoint"], "cart.add");
    assert_eq!(rows[1]["methods"], serde_json::json!(["POST"]));
    assert_eq!(rows[2]["endpoint"], "cart.show");
    assert_eq!(carafe::cli::route_rows(&shop().0, Sort::Rule).len(), 4);
}

#[test]
fn routes_and_check_read_the_apps_url_map() {
    fn page(_: &Request) -> &'static str {
        "page"
    }
    let create_app = || {
        carafe::App::builder()
            .route("/", page)
            .register_blueprint(
                carafe::Blueprint::new("admin")
                    .url_prefix("/admin")
                    .route("/", page)
                    .post("/users", page),
            )
            .build()
    };
    let (code, out, err) = run_in_process(create_app, &["routes", "--sort", "rule"]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    assert_eq!(
        out,
        "Endpoint    Methods  Rule\n\
         ----------  -------  ------------\n\
         page        GET      /\n\
         admin.page  GET      /admin/\n\
         admin.page  POST     /admin/users\n"
    );

    // A registration error: check reports what the App says, names both rules.
    let conflicting = || {
        carafe::App::builder()
            .route("/", page)
            .route("/", page)
            .try_build()
    };
    let (code, _, err) = run_in_process(conflicting, &["check"]);
    assert_eq!(code, ExitCode::from(1));
    assert!(
        err.contains("problem: app: the app factory failed:"),
        "{err}"
    );
}

#[test]
fn routes_reports_a_factory_that_fails() {
    let failing =
        || -> Result<TestApp, std::io::Error> { Err(std::io::Error::other("database is down")) };
    let (code, out, err) = run_in_process(failing, &["routes"]);
    assert_eq!(code, ExitCode::from(1));
    assert!(out.is_empty());
    assert!(
        err.contains("the app factory failed: database is down"),
        "{err}"
    );
}

#[test]
fn check_reports_the_apps_problems_and_panics() {
    let broken = || {
        TestApp(
            Map::builder()
                .rule(Rule::new("/x", "broken"))
                .build()
                .unwrap(),
        )
    };
    let (code, out, err) = run_in_process(broken, &["check"]);
    assert_eq!(code, ExitCode::from(1), "{out}{err}");
    assert!(out.contains("routes: 1 rule, 1 endpoint"), "{out}");
    assert!(
        err.contains("problem: app: no handler for endpoint `broken` (/x)"),
        "{err}"
    );
    assert!(err.contains("1 problem found"), "{err}");

    let panics = || -> TestApp { panic!("registration conflict: /a twice") };
    let (code, _, err) = run_in_process(panics, &["check"]);
    assert_eq!(code, ExitCode::from(1));
    assert!(
        err.contains("the app factory panicked: registration conflict: /a twice"),
        "{err}"
    );

    let (code, out, err) = run_in_process(shop, &["check", "--bind", "127.0.0.1:8000"]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    assert!(out.contains("bind: 127.0.0.1:8000"), "{out}");
    assert!(out.ends_with("ok\n"), "{out}");
}

#[test]
fn check_loads_every_template_and_names_the_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().to_owned();
    std::fs::write(
        folder.join("base.html"),
        "<main>{% block body %}{% endblock %}</main>\n",
    )
    .unwrap();
    std::fs::write(
        folder.join("page.html"),
        "{% extends \"base.html\" %}\n{% block body %}\n<p>{{ title | uper }}</p>\n{% endblock %}\n",
    )
    .unwrap();
    let create_app = {
        let folder = folder.clone();
        move || carafe::App::builder().template_folder(&folder).try_build()
    };
    let (code, out, err) = run_in_process(create_app.clone(), &["check"]);
    assert_eq!(code, ExitCode::from(1), "{out}{err}");
    assert!(err.contains("the templates do not load"), "{err}");
    // The unknown filter, where it is, and the filter that was probably meant.
    assert!(err.contains("unknown filter `uper`"), "{err}");
    assert!(err.contains("page.html:3:15"), "{err}");
    assert!(err.contains("`upper`"), "{err}");

    std::fs::write(
        folder.join("page.html"),
        "{% extends \"base.html\" %}\n{% block body %}\n<p>{{ title | upper }}</p>\n{% endblock %}\n",
    )
    .unwrap();
    let (code, out, err) = run_in_process(create_app, &["check"]);
    assert_eq!(code, ExitCode::SUCCESS, "{out}{err}");
    assert!(out.ends_with("ok\n"), "{out}");
}

#[test]
fn check_notes_secrets_read_as_plain_values() {
    #[derive(serde::Deserialize)]
    struct Db {
        #[allow(dead_code)]
        db_password: String,
    }

    let factory = || -> Result<TestApp, carafe::config::ConfigError> {
        let _config: carafe::config::Config<Db> = carafe::config::Config::loader()
            .mode(carafe::config::Mode::Production)
            .env([("CARAFE_APP__DB_PASSWORD", "hunter2")])
            .load()?;
        Ok(shop())
    };
    let (code, out, err) = run_in_process(factory, &["check"]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    assert!(
        out.contains(
            "config: note: key `app.db_password` is named like a secret but is not read as a Secret"
        ),
        "{out}"
    );
    assert!(!out.contains("hunter2"), "{out}");
}

#[test]
fn usage_errors_exit_with_2_and_help_with_0() {
    let (code, out, err) = run_in_process(shop, &["routes", "--sort", "size"]);
    assert_eq!(code, ExitCode::from(2));
    assert!(out.is_empty());
    assert!(err.contains("size") && err.contains("endpoint"), "{err}");

    let (code, out, _) = run_in_process(shop, &["routes", "--help"]);
    assert_eq!(code, ExitCode::SUCCESS);
    assert!(
        out.contains("--sort") && out.contains("--json") && out.contains("--bind"),
        "{out}"
    );

    let (code, _, err) = run_in_process(shop, &["check", "--bind", "8000"]);
    assert_eq!(code, ExitCode::from(2));
    assert!(err.contains("HOST:PORT"), "{err}");
}

// ------------------------------------------------------ the example binary

fn example_binary() -> PathBuf {
    static BUILD: Once = Once::new();
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap().to_owned();
    let bin = dir
        .join("examples")
        .join(format!("cli_app{}", std::env::consts::EXE_SUFFIX));
    BUILD.call_once(|| {
        // `cargo test` builds the examples with the tests; a filtered run
        // (`--test main`) does not, and an example older than the sources
        // is stale: build it then. (Not always: a nested `cargo build -p`
        // may unify features differently from a `--workspace` run and
        // rebuild dependencies for nothing.)
        let built = std::fs::metadata(&bin).and_then(|m| m.modified()).ok();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let sources = [
            "Cargo.toml",
            "src",
            "examples/cli_app",
            "routing/src",
            "wrappers/src",
            "server/src",
            "templating/src",
        ]
        .map(|part| root.join(part));
        let fresh = built.is_some_and(|built| sources.iter().all(|path| newest(path) <= built));
        if !fresh {
            let mut cargo = Command::new(env!("CARGO"));
            cargo.args(["build", "-q", "-p", "carafe", "--example", "cli_app"]);
            if dir.ends_with("release") {
                cargo.arg("--release");
            }
            let status = cargo.status().unwrap();
            assert!(status.success(), "building the cli_app example failed");
        }
    });
    bin
}

/// The newest modification time of a file or of the files under a
/// directory.
fn newest(path: &Path) -> std::time::SystemTime {
    let mut latest = std::time::SystemTime::UNIX_EPOCH;
    let Ok(meta) = std::fs::metadata(path) else {
        return latest;
    };
    if meta.is_dir() {
        for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
            latest = latest.max(newest(&entry.path()));
        }
    } else if let Ok(modified) = meta.modified() {
        latest = modified;
    }
    latest
}

/// Runs the example with a clean environment plus `env`.
fn example(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(example_binary());
    command.env_clear().args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_example_lists_its_routes_and_passes_check() {
    let output = example(&["routes", "--sort", "rule"], &[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        "Endpoint  Methods      Rule\n\
         --------  -----------  ---------------\n\
         index     GET          /\n\
         health    GET          /health\n\
         user      DELETE, GET  /users/<int:id>\n"
    );

    let output = example(&["check"], &[]);
    let stdout = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        text(&output.stderr)
    );
    assert!(stdout.starts_with("mode: production\n"), "{stdout}");
    assert!(
        stdout.contains("base.yaml") && stdout.contains("production.toml"),
        "{stdout}"
    );
    assert!(
        stdout.contains("logging: info,cli_app=debug (Json) to stderr"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("routes: 3 rules, 3 endpoints\nok\n"),
        "{stdout}"
    );
}

#[test]
fn the_mode_comes_from_env_flag_or_carafe_env() {
    for (args, env, mode) in [
        (
            &["--env", "development", "check"][..],
            &[][..],
            "development",
        ),
        (&["check", "-e", "testing"], &[], "testing"),
        (&["check"], &[("CARAFE_ENV", "testing")], "testing"),
        (
            &["--env", "production", "check"],
            &[("CARAFE_ENV", "testing")],
            "production",
        ),
    ] {
        let output = example(args, env);
        let stdout = text(&output.stdout);
        assert!(
            output.status.success(),
            "{args:?}: {}",
            text(&output.stderr)
        );
        assert!(
            stdout.starts_with(&format!("mode: {mode}\n")),
            "{args:?}: {stdout}"
        );
        assert!(
            stdout.contains(&format!("{mode}.")),
            "{args:?} reads the mode's file: {stdout}"
        );
    }
    let output = example(&["check"], &[("CARAFE_ENV", "staging")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("unknown mode \"staging\" in CARAFE_ENV"));
}

#[test]
fn check_fails_on_bad_config_and_app_problems() {
    let output = example(&["check"], &[("CARAFE_MAX_FORM_PARTS", "lots")]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(
            "problem: config: environment variable CARAFE_MAX_FORM_PARTS (key `max_form_parts`)"
        ),
        "{stderr}"
    );

    let output = example(&["check"], &[("CARAFE_APP__GREETING", "  ")]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr)
            .contains("problem: app: the app factory failed: app.greeting is empty"),
        "{}",
        text(&output.stderr)
    );

    // The App's own check: a static folder that does not exist.
    let output = example(
        &["check"],
        &[("CARAFE_APP__STATIC_FOLDER", "/no/such/static")],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr)
            .contains("problem: app: the static folder /no/such/static does not exist"),
        "{}",
        text(&output.stderr)
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.yaml"), "app:\n  greeting: hi\n").unwrap();
    std::fs::write(dir.path().join("logging.yaml"), "level: chatty\n").unwrap();
    let output = example(
        &["check", "--config-dir", dir.path().to_str().unwrap()],
        &[],
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("problem: logging:") && stderr.contains("logging.yaml:1:8"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "missing key `app.api_token`: set it in a config file or with CARAFE_APP__API_TOKEN"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("2 problems found"), "{stderr}");
}

#[test]
fn serve_help_lists_the_servers_options() {
    let output = example(&["serve", "--help"], &[]);
    assert!(output.status.success());
    let stdout = text(&output.stdout);
    assert!(stdout.contains("Usage: cli_app serve"), "{stdout}");
    assert!(stdout.contains("-w, --workers N"), "{stdout}");
    assert!(stdout.contains("--graceful-timeout"), "{stdout}");
}

#[test]
fn serve_leaves_the_apps_carafe_variables_to_the_app() {
    // The app's configuration and carafe-server share the CARAFE_ namespace:
    // the server reads its own names and ignores the others (warning about
    // one that looks like a misspelt server setting).
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("base.yaml"),
        "app:\n  greeting: Hello from base\n  api_token: t\n",
    )
    .unwrap();
    let port = free_port();
    let child = Command::new(example_binary())
        .env_clear()
        .envs([
            ("CARAFE_ENV", "production"),
            ("CARAFE_CONFIG_DIR", dir.path().to_str().unwrap()),
            ("CARAFE_SECRET_KEY", "k3y-never-shown"),
            ("CARAFE_APP__GREETING", "Hello from the environment"),
            ("CARAFE_WORKERS", "1"),
            ("CARAFE_WORKRES", "2"),
        ])
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (status, stderr) = serve_then_stop(
        child,
        port,
        Duration::from_secs(30),
        nix::sys::signal::Signal::SIGTERM,
        || {
            let response = get(port, "/").unwrap();
            assert!(
                response.ends_with("Hello from the environment (production mode)"),
                "{response}"
            );
        },
    );
    assert!(status.is_some_and(|s| s.success()), "{status:?}: {stderr}");
    assert!(
        stderr.contains("warning: ignoring CARAFE_WORKRES") && stderr.contains("CARAFE_WORKERS?"),
        "{stderr}"
    );
    for name in ["CARAFE_ENV", "CARAFE_SECRET_KEY", "CARAFE_APP__GREETING"] {
        assert!(!stderr.contains(&format!("ignoring {name}")), "{stderr}");
    }
    assert!(!stderr.contains("k3y-never-shown"), "{stderr}");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn get(port: u16, path: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}

fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_runs_the_factory_in_each_worker_with_the_selected_mode() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    std::fs::write(
        dir.path().join("base.yaml"),
        "app:\n  greeting: Hello from base\n  api_token: t0k3n-never-logged\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("testing.yaml"),
        "app:\n  greeting: Hello from testing\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("logging.yaml"),
        format!(
            "level: warn\ntargets:\n  cli_app: debug\nformat: json\noutput: {}\n",
            log.display()
        ),
    )
    .unwrap();
    let port = free_port();
    let child = Command::new(example_binary())
        .env_clear()
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--workers",
            "2",
            "--env",
            "testing",
            "--config-dir",
            dir.path().to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Stop the master gracefully (TERM), as an operator would.
    let (status, stderr) = serve_then_stop(
        child,
        port,
        Duration::from_secs(30),
        nix::sys::signal::Signal::SIGTERM,
        || {
            let response = get(port, "/").unwrap();
            assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
            assert!(
                response.ends_with("Hello from testing (testing mode)"),
                "{response}"
            );
            let response = get(port, "/users/42").unwrap();
            assert!(response.ends_with("user 42"), "{response}");
            let response = get(port, "/nowhere").unwrap();
            assert!(response.starts_with("HTTP/1.1 404"), "{response}");

            // Each worker built the app and logged through its own writer thread.
            let lines = || -> Vec<serde_json::Value> {
                std::fs::read_to_string(&log)
                    .unwrap_or_default()
                    .lines()
                    .filter_map(|line| serde_json::from_str(line).ok())
                    .collect()
            };
            wait_for("the workers' log lines", Duration::from_secs(10), || {
                let lines = lines();
                lines
                    .iter()
                    .filter(|l| l["fields"]["message"] == "app created")
                    .count()
                    == 2
                    && lines.iter().any(|l| l["fields"]["message"] == "index")
            });
            let text = std::fs::read_to_string(&log).unwrap();
            assert!(!text.contains("t0k3n-never-logged"), "{text}");
            assert!(
                text.contains("[redacted]"),
                "the config was logged, redacted: {text}"
            );
        },
    );
    let status = status.expect("the server did not stop within 30 s of TERM");
    assert!(status.success(), "{status}: {stderr}");
    assert!(stderr.contains("booting worker"), "{stderr}");
}

/// Waits until `child` listens on `port` (within `ready`), runs `check`,
/// stops the child with `signal` and returns its exit status (`None`: it
/// did not stop within 30 s and was killed) and what it wrote on stderr. A
/// failing `check` fails the test after printing that stderr.
fn serve_then_stop(
    mut child: std::process::Child,
    port: u16,
    ready: Duration,
    signal: nix::sys::signal::Signal,
    check: impl FnOnce(),
) -> (Option<std::process::ExitStatus>, String) {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        wait_for("the server to listen", ready, || {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        check();
    }));
    let status = interrupt(&mut child, signal);
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    if let Err(panic) = result {
        eprintln!("server stderr:\n{stderr}");
        std::panic::resume_unwind(panic);
    }
    (status, stderr)
}

/// Sends `signal` to a server process we started and waits for it (at
/// most 30 s, then kills it: `None`).
fn interrupt(
    child: &mut std::process::Child,
    signal: nix::sys::signal::Signal,
) -> Option<std::process::ExitStatus> {
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
    let _ = nix::sys::signal::kill(pid, signal);
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn dev_serves_the_app_in_development_mode() {
    let port = free_port();
    let child = Command::new(example_binary())
        .env_clear()
        .args(["dev", "--no-reload", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (status, stderr) = serve_then_stop(
        child,
        port,
        Duration::from_secs(30),
        nix::sys::signal::Signal::SIGINT,
        || {
            let response = get(port, "/").unwrap();
            assert!(
                response.ends_with("Hello, developer (development mode)"),
                "dev selects development mode: {response}"
            );
            let response = get(port, "/users/5").unwrap();
            assert!(response.ends_with("user 5"), "{response}");
        },
    );
    assert!(
        status.is_some(),
        "the dev server did not stop on Ctrl-C: {stderr}"
    );
    assert!(stderr.contains("This is a development server"), "{stderr}");
    assert!(
        stderr.contains("\"GET /users/5 HTTP/1.1\" 200"),
        "the request log: {stderr}"
    );
}

#[test]
fn dev_with_the_reloader_runs_the_command_line_again_in_the_app_process() {
    // The reloader's supervisor starts this program again with the same
    // arguments; that process must parse `dev` again and serve the app. It
    // needs cargo (to know how to rebuild): keep PATH and the target dir.
    let port = free_port();
    let exe = example_binary();
    let target_dir = exe
        .parent()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .unwrap();
    let mut command = Command::new(&exe);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("CARAFE_") {
            command.env_remove(name);
        }
    }
    let child = command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CARGO_TARGET_DIR", target_dir)
        .args([
            "--env",
            "testing",
            "dev",
            "--bind",
            &format!("127.0.0.1:{port}"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (status, stderr) = serve_then_stop(
        child,
        port,
        Duration::from_secs(60),
        nix::sys::signal::Signal::SIGINT,
        || {
            let response = get(port, "/").unwrap();
            assert!(
                response.ends_with("Hello, test (testing mode)"),
                "the app process got --env from the same arguments: {response}"
            );
        },
    );
    assert!(
        status.is_some(),
        "the supervisor did not stop on Ctrl-C: {stderr}"
    );
    wait_for(
        "the app process to stop listening",
        Duration::from_secs(10),
        || TcpStream::connect(("127.0.0.1", port)).is_err(),
    );
    assert!(stderr.contains("Reloader: watching"), "{stderr}");
}
