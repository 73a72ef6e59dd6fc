//! The reloader end to end: a real Cargo project run with `cargo run`,
//! edited while a client keeps requesting. Slow (the first run compiles the
//! dependencies into `CARGO_TARGET_TMPDIR`): run by `.ci/run`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::support::project::{Project, lock, main_rs};
use crate::support::{Process, get};

/// What the client saw for one request: the status and body, or the error.
type Seen = (Instant, Result<(u16, String), String>);

/// A client that requests `GET /` on a fresh connection every 5 ms and
/// records every answer and every failure.
struct Client {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Vec<Seen>>,
}

impl Client {
    fn start(address: SocketAddr) -> Client {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut seen = Vec::new();
            let deadline = Instant::now() + Duration::from_secs(300);
            while !flag.load(Ordering::SeqCst) && Instant::now() < deadline {
                let result = get(address, "/")
                    .map(|response| (response.status, response.text()))
                    .map_err(|error| error.to_string());
                seen.push((Instant::now(), result));
                std::thread::sleep(Duration::from_millis(5));
            }
            seen
        });
        Client { stop, thread }
    }

    fn finish(self) -> Vec<Seen> {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().unwrap()
    }
}

/// Waits until `GET /` answers `body`; when that happened.
fn wait_for(server: &Process, body: &str, within: Duration) -> Instant {
    let deadline = Instant::now() + within;
    loop {
        if let Ok(response) = get(server.address, "/")
            && response.text() == body
        {
            return Instant::now();
        }
        assert!(
            Instant::now() < deadline,
            "never answered {body:?}; log:\n{}",
            server.log_text()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The build time the supervisor reported for its last restart.
fn last_build_seconds(log: &str) -> f64 {
    let line = log
        .lines()
        .rev()
        .find(|line| line.contains("Restarted:"))
        .expect("a restart line");
    let after = line.split("build ").nth(1).unwrap();
    after.split(" s").next().unwrap().parse().unwrap()
}

#[test]
#[ignore = "slow (builds a Cargo project): run by .ci/run"]
fn an_edited_handler_answers_with_no_refused_connection() {
    let _lock = lock();
    let project = Project::new(&main_rs("version 1"));
    // With a feature: the rebuild must keep it (read back from cargo's
    // fingerprint of the running executable).
    let server = project.run(&["--features", "shout"]);
    assert_eq!(get(server.address, "/").unwrap().text(), "VERSION 1");
    let first_pid = get(server.address, "/pid").unwrap().text();

    let client = Client::start(server.address);
    std::thread::sleep(Duration::from_millis(200));
    let saved = Instant::now();
    project.write("src/main.rs", &main_rs("version 2"));
    let answered = wait_for(&server, "VERSION 2", Duration::from_secs(180));
    std::thread::sleep(Duration::from_millis(300));
    let seen = client.finish();

    let failures: Vec<_> = seen.iter().filter(|(_, result)| result.is_err()).collect();
    assert!(
        failures.is_empty(),
        "refused or failed requests: {failures:?}"
    );
    let bodies: Vec<&str> = seen
        .iter()
        .filter_map(|(_, result)| result.as_ref().ok().map(|(_, body)| body.as_str()))
        .collect();
    assert!(
        bodies
            .iter()
            .all(|body| *body == "VERSION 1" || *body == "VERSION 2"),
        "{bodies:?}"
    );
    assert_eq!(bodies.last(), Some(&"VERSION 2"));
    assert_ne!(
        get(server.address, "/pid").unwrap().text(),
        first_pid,
        "a new process"
    );

    let log = server.wait_log("Restarted:", 1, Duration::from_secs(5));
    let build = Duration::from_secs_f64(last_build_seconds(&log));
    let total = answered - saved;
    let latency = total.saturating_sub(build);
    eprintln!(
        "restart: {} ms from the save to the new code answering, build {} ms, \
         so {} ms without the compiler; supervisor: {}",
        total.as_millis(),
        build.as_millis(),
        latency.as_millis(),
        log.lines()
            .find(|line| line.contains("Restarted:"))
            .unwrap()
    );
    assert!(
        latency < Duration::from_secs(1),
        "restart latency without the compiler: {latency:?}"
    );
    assert!(log.contains("Detected change in '"), "{log}");
}

#[test]
#[ignore = "slow (builds a Cargo project): run by .ci/run"]
fn started_from_another_projects_folder_it_rebuilds_its_own_project() {
    let _lock = lock();
    let project = Project::new(&main_rs("mine"));
    // The working folder is another Cargo project with a binary of the
    // same name; the environment's CARGO_MANIFEST_DIR is this test crate's.
    // Neither may be taken for the project the executable was built from.
    let decoy = crate::support::temp_dir();
    std::fs::write(
        decoy.path().join("Cargo.toml"),
        "[package]\nname = \"decoy\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         [[bin]]\nname = \"reload-demo\"\npath = \"src/main.rs\"\n\n[workspace]\n",
    )
    .unwrap();
    for dir in ["src", "static", "templates"] {
        std::fs::create_dir_all(decoy.path().join(dir)).unwrap();
    }
    std::fs::write(decoy.path().join("src/main.rs"), "fn main() {}\n").unwrap();
    std::fs::write(decoy.path().join("templates/page.html"), "decoy").unwrap();

    let server = project.run_executable_in(decoy.path());
    assert_eq!(get(server.address, "/").unwrap().text(), "mine");
    let log = server.log_text();
    let manifest = project.path().join("Cargo.toml");
    assert!(
        log.contains(&format!("--manifest-path {}", manifest.display())),
        "the project's own manifest: {log}"
    );
    project.write("src/main.rs", &main_rs("mine, edited"));
    wait_for(&server, "mine, edited", Duration::from_secs(180));
}

#[test]
#[ignore = "slow (builds a Cargo project): run by .ci/run"]
fn a_compile_error_is_shown_in_the_browser_until_fixed() {
    let _lock = lock();
    let project = Project::new(&main_rs("before"));
    let server = project.run(&[]);
    let client = Client::start(server.address);

    let broken = main_rs("broken").replace("String::from(\"broken\")", "String::from(42)");
    assert_ne!(broken, main_rs("broken"));
    project.write("src/main.rs", &broken);
    let deadline = Instant::now() + Duration::from_secs(180);
    let page = loop {
        let response = get(server.address, "/").unwrap();
        if response.status == 500 {
            break response;
        }
        assert!(
            Instant::now() < deadline,
            "no error page; log:\n{}",
            server.log_text()
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let html = page.text();
    assert_eq!(page.header("x-carafe-devserver").as_deref(), Some("no-app"));
    assert!(html.contains("<h1>Build failed</h1>"), "{html}");
    assert!(
        html.contains("<li><code>src/main.rs:"),
        "file:line listed: {html}"
    );
    assert!(html.contains("error[E0277]"), "{html}");
    assert!(html.contains("<span style="), "colours rendered: {html}");
    assert!(!html.contains('\u{1b}'));
    // Every path and method gets it.
    assert_eq!(get(server.address, "/pid").unwrap().status, 500);
    let log = server.log_text();
    assert!(
        log.contains("error[E0277]"),
        "the terminal shows it too: {log}"
    );

    project.write("src/main.rs", &main_rs("after"));
    wait_for(&server, "after", Duration::from_secs(180));
    std::thread::sleep(Duration::from_millis(100));
    let seen = client.finish();
    let failures: Vec<_> = seen.iter().filter(|(_, result)| result.is_err()).collect();
    assert!(
        failures.is_empty(),
        "refused or failed requests: {failures:?}"
    );
    let statuses: Vec<u16> = seen
        .iter()
        .filter_map(|(_, result)| result.as_ref().ok().map(|(status, _)| *status))
        .collect();
    assert!(
        statuses.contains(&500) && statuses.last() == Some(&200),
        "{statuses:?}"
    );
}

#[test]
#[ignore = "slow (builds a Cargo project): run by .ci/run"]
fn an_app_that_fails_to_start_gets_a_page_and_recovers() {
    let _lock = lock();
    let project = Project::new(&main_rs("fine"));
    let server = project.run(&[]);
    let failing = main_rs("fine").replace(
        "run_simple(&bind, create_app, options)",
        "run_simple(&bind, || -> App { panic!(\"no database\") }, options)",
    );
    assert_ne!(failing, main_rs("fine"));
    project.write("src/main.rs", &failing);
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let response = get(server.address, "/").unwrap();
        if response.status == 500 && response.text().contains("The app did not start") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no start-up page; log:\n{}",
            server.log_text()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    project.write("src/main.rs", &main_rs("fine again"));
    wait_for(&server, "fine again", Duration::from_secs(180));
}

#[test]
#[ignore = "slow (builds a Cargo project): run by .ci/run"]
fn static_files_and_non_source_files_need_no_restart() {
    let _lock = lock();
    let project = Project::new(&main_rs("app"));
    project.write("static/style.css", "body { color: red }");
    let server = project.run(&[]);
    assert_eq!(
        get(server.address, "/static/style.css").unwrap().text(),
        "body { color: red }"
    );
    let pid = get(server.address, "/pid").unwrap().text();

    project.write("static/style.css", "body { color: blue }");
    project.write("src/notes.html", "<p>not Rust</p>");
    assert_eq!(
        get(server.address, "/static/style.css").unwrap().text(),
        "body { color: blue }"
    );
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        get(server.address, "/pid").unwrap().text(),
        pid,
        "no restart"
    );
    assert!(
        !server.log_text().contains("Detected change"),
        "{}",
        server.log_text()
    );
}

#[test]
#[ignore = "slow (builds a Cargo project): run by .ci/run"]
fn templates_reload_without_a_restart() {
    let _lock = lock();
    let project = Project::new(&main_rs("app"));
    let server = project.run(&[]);
    assert_eq!(get(server.address, "/page").unwrap().text(), "<p>2</p>");
    let pid = get(server.address, "/pid").unwrap().text();

    project.write("templates/page.html", "<h1>{{ 6 * 7 }}</h1>");
    assert_eq!(get(server.address, "/page").unwrap().text(), "<h1>42</h1>");
    // A broken edit: the last good version keeps serving.
    project.write("templates/page.html", "<h1>{{ 6 * }}</h1>");
    assert_eq!(get(server.address, "/page").unwrap().text(), "<h1>42</h1>");
    project.write("templates/page.html", "<h1>fixed</h1>");
    assert_eq!(
        get(server.address, "/page").unwrap().text(),
        "<h1>fixed</h1>"
    );

    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        get(server.address, "/pid").unwrap().text(),
        pid,
        "no restart"
    );
    assert!(
        !server.log_text().contains("Detected change"),
        "{}",
        server.log_text()
    );
}

#[test]
#[ignore = "slow (builds a Cargo project): run by .ci/run"]
fn panics_show_the_debug_page_with_the_projects_own_frames() {
    let _lock = lock();
    let project = Project::new(&main_rs("app"));
    let server = project.run(&[]);
    let page = get(server.address, "/panic").unwrap();
    assert_eq!(page.status, 500);
    let html = page.text();
    let user = html
        .split("<div class=\"frame user\">")
        .nth(1)
        .expect("a highlighted frame");
    assert!(user.contains("reload_demo::boom"), "{user}");
    assert!(
        user.contains("panic!(&#34;the handler panicked&#34;)"),
        "{user}"
    );
    assert_eq!(get(server.address, "/").unwrap().text(), "app");
}

#[test]
#[ignore = "slow (builds a Cargo project): run by .ci/run"]
fn ctrl_c_stops_the_supervisor_and_the_app_process() {
    let _lock = lock();
    let project = Project::new(&main_rs("app"));
    let mut server = project.run(&[]);
    let child: i32 = get(server.address, "/pid").unwrap().text().parse().unwrap();
    // The terminal sends SIGINT to the whole foreground process group.
    let status = std::process::Command::new("kill")
        .args(["-INT", "--", &format!("-{}", server.pid())])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(
        server.wait_exit(Duration::from_secs(15)).is_some(),
        "the supervisor exits"
    );
    assert!(
        !std::path::Path::new(&format!("/proc/{child}")).exists()
            || std::fs::read_to_string(format!("/proc/{child}/stat"))
                .is_ok_and(|stat| stat.contains(") Z ")),
        "the app process exits"
    );
    assert!(get(server.address, "/").is_err(), "the port is closed");
}
