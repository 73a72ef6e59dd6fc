//! `examples/corpus`: the attack-corpus app contract
//! (`../shared/attack-corpus/README.md` section 1), route by route through
//! the test client, then the corpus files that the app (not the server)
//! decides, replayed in-process. The replay over real servers is
//! `tests/corpus.rs`.

#[path = "../../examples/corpus/app.rs"]
mod app;

use std::path::Path;

use carafe::prelude::*;
use carafe::wrappers::test::{Client, FileUpload, TestResponse};

/// The files the corpus app serves (README section 1, without the 64 MiB
/// `big.bin`): `DIR/static/...` and `DIR/secret.txt` outside it.
fn fixtures() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("static/sub")).unwrap();
    std::fs::write(root.join("static/hello.txt"), "hello-static").unwrap();
    std::fs::write(root.join("static/.hidden"), "DOTFILE_CANARY").unwrap();
    std::fs::write(root.join("static/sub/index.html"), "<p>sub</p>\n").unwrap();
    std::fs::write(root.join("secret.txt"), "TOPSECRET_CANARY").unwrap();
    std::os::unix::fs::symlink("../secret.txt", root.join("static/escape")).unwrap();
    dir
}

fn client(dir: &Path) -> Client<App> {
    Client::new(app::app_with_static(dir.join("static")))
}

const CANARIES: [&str; 4] = [
    "SMUGGLED_CANARY",
    "TOPSECRET_CANARY",
    "DOTFILE_CANARY",
    "root:x:0:0",
];

/// Every header and the body, as one text, for "must not contain" checks.
fn raw_text(response: &TestResponse) -> String {
    let mut text = format!("HTTP/1.1 {}\r\n", response.status());
    for (name, value) in response.headers() {
        text.push_str(&format!(
            "{name}: {}\r\n",
            String::from_utf8_lossy(value.as_bytes())
        ));
    }
    text.push_str("\r\n");
    text.push_str(&String::from_utf8_lossy(response.body()));
    text
}

#[test]
fn the_factory_builds_exactly_the_contract_routes() {
    let app = app::create_app();
    let mut rules: Vec<(String, String)> = app
        .map()
        .rules()
        .map(|rule| (rule.pattern().to_owned(), rule.endpoint().to_owned()))
        .collect();
    rules.sort();
    let expected = [
        ("/", "index"),
        ("/cookie", "cookie"),
        ("/dir/", "dir"),
        ("/echo", "echo"),
        ("/form", "form"),
        ("/go", "go"),
        ("/session", "session"),
        ("/setcookie", "setcookie"),
        ("/smuggled", "smuggled"),
        ("/static/<path:filename>", "static"),
        ("/upload", "upload"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(r, e)| ((*r).to_owned(), (*e).to_owned()))
        .collect();
    assert_eq!(rules, expected);
}

#[test]
fn the_index_answers_ok_for_get_and_post_without_reading_the_body() {
    let dir = fixtures();
    let client = client(dir.path());
    assert_eq!(client.get("/").send().text(), "ok");
    let response = client.post("/").body(vec![b'x'; 1 << 20]).send();
    assert_eq!(
        (response.status(), response.text()),
        (StatusCode::OK, "ok".to_owned())
    );
    assert_eq!(client.put("/").send().status(), 405);
    assert_eq!(client.head("/").send().status(), 200);
}

#[test]
fn echo_counts_the_body_up_to_16_mib() {
    let dir = fixtures();
    let client = client(dir.path());
    assert_eq!(client.post("/echo").body("hello").send().text(), "len=5");
    assert_eq!(client.get("/echo").send().text(), "len=0");
    let limit = 16 * 1024 * 1024;
    let full = client.post("/echo").body(vec![0u8; limit]).send();
    assert_eq!(full.text(), format!("len={limit}"));
    let chunked = client.post("/echo").body(vec![0u8; 1000]).chunked().send();
    assert_eq!(chunked.text(), "len=1000");
    let over = client.post("/echo").body(vec![0u8; limit + 1]).send();
    assert_eq!(over.status(), 413);
    assert!(over.text().contains("16777216"), "{}", over.text());
    let over = client
        .post("/echo")
        .body(vec![0u8; limit + 1])
        .chunked()
        .send();
    assert_eq!(over.status(), 413);
}

#[test]
fn the_smuggled_route_answers_its_canary() {
    let dir = fixtures();
    assert_eq!(
        client(dir.path()).get("/smuggled").send().text(),
        "SMUGGLED_CANARY"
    );
}

#[test]
fn form_counts_fields_and_refuses_one_over_the_form_memory_limit() {
    let dir = fixtures();
    let client = client(dir.path());
    let response = client
        .post("/form")
        .form([("a", "1"), ("b", "2"), ("a", "3")])
        .send();
    assert_eq!(response.text(), "fields=3");
    assert_eq!(
        client.post("/form").form::<&str, &str>([]).send().text(),
        "fields=0"
    );
    let big = "x".repeat(500_001);
    let response = client.post("/form").form([("bio", big.as_str())]).send();
    assert_eq!(response.status(), 413);
    assert!(
        response.text().contains("max_form_memory_size"),
        "{}",
        response.text()
    );
    assert_eq!(client.get("/form").send().status(), 405);
}

#[test]
fn upload_counts_parts_and_names_files_safely() {
    let dir = fixtures();
    let client = client(dir.path());
    let response = client
        .post("/upload")
        .form([("title", "two files")])
        .file("f1", FileUpload::new("../../etc/passwd", &b"x"[..]))
        .file("f2", FileUpload::new("my photo.jpg", &b"jpeg"[..]))
        .send();
    assert_eq!(response.text(), "parts=3\nnames=etc_passwd,my_photo.jpg");
}

#[test]
fn upload_refuses_more_than_1000_parts() {
    let dir = fixtures();
    let client = client(dir.path());
    let fields: Vec<(String, String)> = (0..1000).map(|i| (format!("f{i}"), "v".into())).collect();
    let response = client
        .post("/upload")
        .form(fields.clone())
        .file("f", FileUpload::new("a.txt", &b"a"[..]))
        .send();
    assert_eq!(response.status(), 413, "{}", response.text());
    assert!(
        response.text().contains("max_form_parts"),
        "{}",
        response.text()
    );
    let response = client
        .post("/upload")
        .form(fields[..999].to_vec())
        .file("f", FileUpload::new("a.txt", &b"a"[..]))
        .send();
    assert_eq!(response.text(), "parts=1000\nnames=a.txt");
}

#[test]
fn cookie_answers_the_named_cookie_or_404() {
    let dir = fixtures();
    let client = client(dir.path());
    let response = client
        .get("/cookie?name=theme")
        .header("cookie", "theme=dark; a=b")
        .send();
    assert_eq!(response.text(), "dark");
    assert_eq!(
        client
            .get("/cookie?name=missing")
            .header("cookie", "a=b")
            .send()
            .status(),
        404
    );
    assert_eq!(client.get("/cookie?name=a").send().status(), 404);
    assert_eq!(
        client.get("/cookie").send().status(),
        400,
        "the name is required"
    );
}

#[test]
fn session_names_the_user_of_a_valid_session_only() {
    let dir = fixtures();
    let client = client(dir.path());
    assert_eq!(client.get("/session").send().text(), "anonymous");

    // Another process with the same key (here: a second app) logs the user
    // in; the corpus app reads that session (stateless sessions).
    fn login(request: &Request) -> Result<&'static str, Error> {
        request.session().insert("user", "ada")?;
        Ok("logged in")
    }
    let login_app = App::builder()
        .secret_key(app::SECRET_KEY)
        .route("/login", login)
        .build();
    let login_client = Client::new(login_app);
    login_client.get("/login").send();
    let session = login_client.cookie("session").expect("a session cookie");
    let cookie = format!("session={}", session.value());
    assert_eq!(
        client
            .get("/session")
            .header("cookie", &cookie)
            .send()
            .text(),
        "user=ada"
    );

    // One changed character, a cookie made with another key, the corpus
    // file's forged cookie: anonymous.
    let mut tampered = session.value().to_owned().into_bytes();
    let middle = tampered.len() / 2;
    tampered[middle] = if tampered[middle] == b'A' { b'B' } else { b'A' };
    let tampered = format!("session={}", String::from_utf8(tampered).unwrap());
    assert_eq!(
        client
            .get("/session")
            .header("cookie", &tampered)
            .send()
            .text(),
        "anonymous"
    );
    let other = Client::new(
        App::builder()
            .secret_key("another key, just as long as the first")
            .route("/login", login)
            .build(),
    );
    other.get("/login").send();
    let foreign = format!("session={}", other.cookie("session").unwrap().value());
    assert_eq!(
        client
            .get("/session")
            .header("cookie", &foreign)
            .send()
            .text(),
        "anonymous"
    );
    let forged = "session=eyJ1c2VyIjoiYWRtaW4ifQ.ZmFrZQ.AAAAAAAAAAAAAAAAAAAAAAAAAAA";
    assert_eq!(
        client
            .get("/session")
            .header("cookie", forged)
            .send()
            .text(),
        "anonymous"
    );
}

#[test]
fn go_redirects_only_to_targets_on_the_site() {
    let dir = fixtures();
    let client = client(dir.path());
    let cases = [
        ("/go?next=/account%3Ftab%3D1", "/account?tab=1"),
        ("/go?next=profile", "profile"),
        ("/go?next=//evil.example/x", "/"),
        ("/go?next=/%5Cevil.example", "/"),
        ("/go?next=https://evil.example/", "/"),
        ("/go?next=javascript:alert(1)", "/"),
        ("/go", "/"),
    ];
    for (uri, location) in cases {
        let response = client.get(uri).send();
        assert_eq!(response.status(), 303, "{uri}");
        assert_eq!(response.header("location"), Some(location), "{uri}");
        assert!(response.header("set-cookie").is_none(), "{uri}");
    }
    for uri in [
        "/go?next=/x%0d%0aSet-Cookie:%20injected=1",
        "/go?next=/a%00b",
        "/go?next=%09//evil.example",
    ] {
        let response = client.get(uri).send();
        assert_eq!(response.status(), 400, "{uri}");
        assert!(
            response.text().contains("control character"),
            "{uri}: {}",
            response.text()
        );
        assert!(
            response.header("set-cookie").is_none() && response.header("location").is_none(),
            "{uri}"
        );
    }
}

#[test]
fn setcookie_sets_c_and_never_lets_the_value_break_out() {
    let dir = fixtures();
    let client = client(dir.path());
    let response = client.get("/setcookie?v=hello").send();
    assert_eq!(response.text(), "set");
    assert_eq!(
        response.header("set-cookie"),
        Some("c=hello; HttpOnly; Path=/; SameSite=Lax")
    );
    assert_eq!(client.cookie("c").unwrap().value(), "hello");

    for uri in [
        "/setcookie?v=a%0d%0aX-Injected:%201",
        "/setcookie?v=a;%20Domain=evil.example;%20Path=/",
    ] {
        let response = client.get(uri).send();
        assert!(
            response.status() == 200 || response.status() == 400,
            "{uri}: {}",
            response.status()
        );
        assert!(response.headers().get("x-injected").is_none(), "{uri}");
        for value in response.headers().get_all("set-cookie") {
            let value = value.to_str().unwrap().to_ascii_lowercase();
            assert!(!value.contains("; domain="), "{uri}: {value}");
            assert!(
                !value.contains('\n') && !value.contains('\r'),
                "{uri}: {value}"
            );
        }
    }
}

#[test]
fn dir_is_a_strict_slash_rule() {
    let dir = fixtures();
    let client = client(dir.path());
    assert_eq!(client.get("/dir/").send().text(), "dir");
    let response = client.get("/dir").send();
    assert_eq!(response.status(), 308);
    assert_eq!(response.header("location"), Some("http://localhost/dir/"));
}

#[test]
fn static_serves_the_folder_and_nothing_out_of_it() {
    let dir = fixtures();
    let client = client(dir.path());
    let hello = client.get("/static/hello.txt").send();
    assert_eq!(
        (hello.status(), hello.text()),
        (StatusCode::OK, "hello-static".to_owned())
    );
    assert_eq!(
        client.get("/static/sub/index.html").send().text(),
        "<p>sub</p>\n"
    );
    let range = client
        .get("/static/hello.txt")
        .header("range", "bytes=0-4")
        .send();
    assert_eq!(
        (range.status(), range.text()),
        (StatusCode::PARTIAL_CONTENT, "hello".to_owned())
    );
    for uri in [
        "/static/.hidden",
        "/static/escape",
        "/static/../secret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/..%2fsecret.txt",
        "/static/..%5csecret.txt",
        "/static/hello.txt%00.png",
        "/static//etc/passwd",
        "/static/missing.txt",
    ] {
        let response = client.get(uri).send();
        assert!(
            matches!(response.status().as_u16(), 400 | 404 | 308),
            "{uri}: {}",
            response.status()
        );
        let text = raw_text(&response);
        for canary in CANARIES.iter().chain(&["hello-static"]) {
            assert!(!text.contains(canary), "{uri} leaked {canary}");
        }
        if let Some(location) = response.header("location") {
            assert!(!location.starts_with("//"), "{uri}: {location}");
        }
    }
}

/// The corpus files whose outcome the app decides (cookies, sessions,
/// forms, uploads, static files, redirects), replayed in-process: accepted
/// statuses, text the body must hold, text nothing may hold.
#[test]
fn the_app_level_corpus_files_get_their_expected_outcome_in_process() {
    let Some(corpus) = super::support::corpus_dir() else {
        eprintln!(
            "skipped: no attack corpus at ../shared/attack-corpus (set CARAFE_ATTACK_CORPUS)"
        );
        return;
    };
    type Case = (
        &'static str,
        &'static [u16],
        Option<&'static str>,
        &'static [&'static str],
    );
    let cases: &[Case] = &[
        (
            "cookie-nameless-host-prefix",
            &[200],
            Some("good"),
            &["evil"],
        ),
        ("session-tampered", &[200], Some("anonymous"), &["admin"]),
        ("body-gzip-bomb", &[200, 413, 415], None, &[]),
        ("form-urlencoded-1mib", &[413, 200], None, &[]),
        ("multipart-5000-parts", &[413], None, &[]),
        ("multipart-part-header-1mib", &[413, 400], None, &[]),
        ("multipart-unterminated", &[400, 200], None, &[]),
        (
            "multipart-filename-traversal",
            &[200],
            Some("names="),
            &["../", "..\\"],
        ),
        ("static-dotdot", &[404, 400], None, &[]),
        ("static-dotdot-pct", &[404, 400], None, &[]),
        ("static-dotdot-pct-slash", &[404, 400], None, &[]),
        ("static-backslash-pct", &[404, 400], None, &[]),
        (
            "static-double-slash-abs",
            &[404, 308],
            None,
            &["\r\nlocation: //"],
        ),
        ("static-nul", &[400, 404], None, &["hello-static"]),
        ("static-dotfile", &[404], None, &[]),
        ("static-symlink-escape", &[404, 403], None, &[]),
        (
            "static-range-1000",
            &[416, 200],
            None,
            &["multipart/byteranges"],
        ),
        (
            "redirect-double-slash",
            &[404, 308],
            None,
            &["\r\nlocation: //", "\r\nlocation: /\\"],
        ),
        (
            "redirect-next-scheme-relative",
            &[303, 400],
            None,
            &["\r\nlocation: //"],
        ),
        (
            "inject-crlf-location",
            &[400],
            None,
            &["\r\nset-cookie: injected"],
        ),
        (
            "inject-crlf-set-cookie",
            &[200, 400],
            None,
            &["\r\nx-injected:"],
        ),
        (
            "inject-cookie-attr",
            &[200, 400],
            None,
            &["; domain=evil.example"],
        ),
    ];
    let dir = fixtures();
    let client = client(dir.path());
    let mut failures = Vec::new();
    for (name, statuses, body, forbid) in cases {
        let raw = std::fs::read(corpus.join(format!("{name}.http"))).unwrap();
        let response = match client.raw(&raw) {
            Ok(response) => response,
            Err(error) => {
                failures.push(format!("{name}: the raw request does not parse: {error}"));
                continue;
            }
        };
        let text = raw_text(&response);
        let lower = text.to_ascii_lowercase();
        if !statuses.contains(&response.status().as_u16()) {
            failures.push(format!(
                "{name}: status {} not in {statuses:?}",
                response.status()
            ));
        }
        if response.status() == 200 && body.is_some_and(|body| !response.text().contains(body)) {
            failures.push(format!("{name}: body {:?} lacks {body:?}", response.text()));
        }
        for needle in forbid.iter().chain(&CANARIES) {
            if lower.contains(&needle.to_ascii_lowercase()) {
                failures.push(format!("{name}: the response holds {needle:?}"));
            }
        }
        if *name == "multipart-filename-traversal" {
            let names = response.text();
            let names = names
                .lines()
                .find_map(|l| l.strip_prefix("names="))
                .unwrap_or_default()
                .to_owned();
            for file in names.split(',') {
                if file.contains('/')
                    || file.contains('\\')
                    || file.starts_with('.')
                    || file.contains("..")
                {
                    failures.push(format!("{name}: unsafe file name {file:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn routes_and_check_run_through_the_command_line() {
    let dir = fixtures();
    let output = super::support::run_example(
        "corpus",
        &["routes", "--sort", "rule"],
        Some(dir.path()),
        &[],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rules: Vec<&str> = stdout
        .lines()
        .skip(2)
        .filter_map(|line| line.split_whitespace().last())
        .collect();
    assert_eq!(
        rules,
        [
            "/",
            "/cookie",
            "/dir/",
            "/echo",
            "/form",
            "/go",
            "/session",
            "/setcookie",
            "/smuggled",
            "/static/<path:filename>",
            "/upload"
        ]
    );

    let output = super::support::run_example("corpus", &["check"], Some(dir.path()), &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("routes: 11 rules, 11 endpoints"),
        "{stdout}"
    );
    assert!(stdout.ends_with("ok\n"), "{stdout}");

    // Without `static/` in the working directory, check says so.
    let empty = tempfile::tempdir().unwrap();
    let output = super::support::run_example("corpus", &["check"], Some(empty.path()), &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("static folder static does not exist"),
        "{stderr}"
    );
}

/// The contract's "nothing else from the working directory": a `config/`
/// (the CLI's default configuration directory) and a `templates/` beside
/// `static/` are not read, however broken they are.
#[test]
fn nothing_but_static_is_read_from_the_working_directory() {
    let dir = fixtures();
    std::fs::create_dir(dir.path().join("config")).unwrap();
    for file in ["base.yaml", "production.yaml", "logging.yaml"] {
        std::fs::write(dir.path().join("config").join(file), "not: [valid yaml\n").unwrap();
    }
    std::fs::create_dir(dir.path().join("templates")).unwrap();
    std::fs::write(dir.path().join("templates/broken.html"), "{% if %}").unwrap();
    let output = super::support::run_example("corpus", &["check"], Some(dir.path()), &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Its own configuration directory: no settings files, logging.yaml.
    assert!(
        stdout.contains("config: no files, defaults"),
        "its own config: {stdout}"
    );
    assert!(stdout.contains("logging: warn (Text)"), "{stdout}");
    assert!(!stdout.contains(dir.path().to_str().unwrap()), "{stdout}");
}
