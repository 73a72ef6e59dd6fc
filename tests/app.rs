//! Dispatch through the App: routing outcomes (404, 405 with Allow, 308,
//! automatic OPTIONS, HEAD), limits, panics (Flask's `test_basic.py`).

use std::sync::{Arc, Mutex};

use carafe::prelude::*;
use carafe::routing::Rule;
use carafe::wrappers::test::{Client, RequestBuilder};
use carafe::wrappers::{Application, Limits};

fn text(_: &Request) -> &'static str {
    "Hello World"
}

fn method(request: &Request) -> String {
    request.method().to_string()
}

fn allow(response: &carafe::wrappers::test::TestResponse) -> Vec<String> {
    let mut methods: Vec<String> = response
        .header("allow")
        .unwrap_or_default()
        .split(',')
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty())
        .collect();
    methods.sort();
    methods
}

#[test]
fn options_work() {
    let app = App::builder()
        .add_url_rule(
            Rule::new("/", "index").methods([Method::GET, Method::POST]),
            text,
        )
        .build();
    let response = Client::new(app).options("/").send();
    assert_eq!(response.status(), 200);
    assert_eq!(allow(&response), ["GET", "HEAD", "OPTIONS", "POST"]);
    assert!(response.body().is_empty());
}

#[test]
fn options_on_multiple_rules() {
    fn put(_: &Request) -> &'static str {
        "Aha!"
    }
    let app = App::builder()
        .add_url_rule(
            Rule::new("/", "index").methods([Method::GET, Method::POST]),
            text,
        )
        .put("/", put)
        .build();
    let response = Client::new(app).options("/").send();
    assert_eq!(allow(&response), ["GET", "HEAD", "OPTIONS", "POST", "PUT"]);
}

#[test]
fn method_routes() {
    fn hello(_: &Request) -> &'static str {
        "Hello"
    }
    let client = Client::new(
        App::builder()
            .get("/get", hello)
            .post("/post", hello)
            .put("/put", hello)
            .delete("/delete", hello)
            .patch("/patch", hello)
            .build(),
    );
    assert_eq!(client.get("/get").send().text(), "Hello");
    assert_eq!(client.post("/post").send().text(), "Hello");
    assert_eq!(client.put("/put").send().text(), "Hello");
    assert_eq!(client.delete("/delete").send().text(), "Hello");
    assert_eq!(client.patch("/patch").send().text(), "Hello");
    assert_eq!(client.get("/post").send().status(), 405);
}

#[test]
fn automatic_options_can_be_disabled() {
    let app = App::builder()
        .add_url_rule(
            Rule::new("/", "index")
                .methods([Method::GET])
                .automatic_options(false),
            text,
        )
        .build();
    assert_eq!(Client::new(app).options("/").send().status(), 405);
}

#[test]
fn a_rule_with_options_answers_it_itself() {
    fn index(_: &Request) -> ([(&'static str, &'static str); 1], &'static str) {
        ([("x-test", "test")], "")
    }
    let app = App::builder()
        .add_url_rule(Rule::new("/", "index").methods([Method::OPTIONS]), index)
        .build();
    assert_eq!(
        Client::new(app).options("/").send().header("x-test"),
        Some("test")
    );
}

#[test]
fn request_dispatching() {
    let app = App::builder()
        .route("/", method)
        .add_url_rule(
            Rule::new("/more", "more").methods([Method::GET, Method::POST]),
            method,
        )
        .build();
    let client = Client::new(app);
    assert_eq!(client.get("/").send().text(), "GET");
    let response = client.post("/").send();
    assert_eq!(response.status(), 405);
    assert_eq!(allow(&response), ["GET", "HEAD", "OPTIONS"]);
    let response = client.head("/").send();
    assert_eq!(response.status(), 200);
    assert!(response.body().is_empty());
    assert_eq!(response.header("content-length"), Some("4"));
    assert_eq!(client.post("/more").send().text(), "POST");
    assert_eq!(client.get("/more").send().text(), "GET");
    let response = client.delete("/more").send();
    assert_eq!(response.status(), 405);
    assert_eq!(allow(&response), ["GET", "HEAD", "OPTIONS", "POST"]);
}

#[test]
fn url_mapping_with_converters() {
    fn show(_: &Request, values: &Values<'_>) -> String {
        values
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
    let app = App::builder()
        .route("/uuid/<uuid:id>", show)
        .route("/int/<int:n>", show)
        .route("/files/<path:rest>", show)
        .build();
    let client = Client::new(app);
    let uuid = "7eb41166-9ebf-4d26-b771-ea3f54f8b383";
    assert_eq!(
        client.get(&format!("/uuid/{uuid}")).send().text(),
        format!("id={uuid}")
    );
    assert_eq!(client.get("/int/42").send().text(), "n=42");
    assert_eq!(client.get("/int/x").send().status(), 404);
    assert_eq!(client.get("/files/a/b%20c").send().text(), "rest=a/b c");
}

#[test]
fn strict_slashes_redirect_with_308() {
    fn dir(_: &Request) -> &'static str {
        "dir"
    }
    let client = Client::new(App::builder().route("/dir/", dir).build());
    let response = client.get("/dir?x=1").send();
    assert_eq!(response.status(), 308);
    assert_eq!(
        response.header("location"),
        Some("http://localhost/dir/?x=1")
    );
    assert_eq!(client.get("/dir/").send().text(), "dir");
}

#[test]
fn non_ascii_paths() {
    fn index(_: &Request) -> &'static str {
        "Hello World!"
    }
    let client = Client::new(App::builder().route("/киртест", index).build());
    let response = client
        .get("/%D0%BA%D0%B8%D1%80%D1%82%D0%B5%D1%81%D1%82")
        .send();
    assert_eq!(response.text(), "Hello World!");
    assert_eq!(client.get("/%FF").send().status(), 400);
}

#[test]
fn a_bad_host_is_a_bad_request() {
    let client = Client::new(App::builder().route("/", text).build());
    let response = client.get("/").header("host", "exa mple.com").send();
    assert_eq!(response.status(), 400);
}

#[test]
fn limits_are_applied_to_every_request() {
    fn count(request: &Request) -> Result<String, Error> {
        Ok(format!("fields={}", request.form()?.len()))
    }
    let app = App::builder()
        .limits(Limits::default().with_max_form_memory_size(20))
        .max_content_length(64)
        .post("/form", count)
        .build();
    let client = Client::new(app);
    let response = client.post("/form").form([("a", "1"), ("b", "2")]).send();
    assert_eq!(response.text(), "fields=2");
    let response = client.post("/form").form([("a", "x".repeat(30))]).send();
    assert_eq!(response.status(), 413);
    assert!(
        response.text().contains("max_form_memory_size"),
        "{}",
        response.text()
    );
    let response = client
        .post("/form")
        .body(vec![b'a'; 100])
        .content_type("application/x-www-form-urlencoded")
        .send();
    assert_eq!(response.status(), 413);
    assert!(
        response.text().contains("max_content_length"),
        "{}",
        response.text()
    );
}

#[test]
fn a_panic_is_a_500_and_the_app_keeps_serving() {
    fn boom(_: &Request) -> &'static str {
        panic!("boom")
    }
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let app = App::builder()
        .route("/boom", boom)
        .route("/", text)
        .teardown_request(move |_: &Request, error: Option<&Error>| {
            let panic = error.and_then(|e| e.downcast_ref::<carafe::Panic>());
            log.lock()
                .unwrap()
                .push(panic.map(|p| p.message().to_owned()));
        })
        .build();
    let client = Client::new(app);
    let response = client.get("/boom").send();
    assert_eq!(response.status(), 500);
    assert!(response.text().contains("Internal Server Error"));
    assert_eq!(client.get("/").send().text(), "Hello World");
    assert_eq!(*seen.lock().unwrap(), [Some("boom".to_owned()), None]);
}

#[test]
fn the_app_is_shared_across_threads() {
    fn echo(_: &Request, values: &Values<'_>) -> String {
        values.get_as::<String>("n").unwrap()
    }
    let app = App::builder().route("/<n>", echo).build();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let app = app.clone();
            std::thread::spawn(move || {
                for i in 0..50 {
                    let path = format!("/{t}-{i}");
                    let response = app.handle(Request::get(&path));
                    let body = carafe::wrappers::test::TestResponse::read(response).text();
                    assert_eq!(body, &path[1..]);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
}

#[test]
fn the_mount_point_stays_out_of_routing() {
    fn index(request: &Request) -> Result<String, Error> {
        Ok(format!(
            "{} {}",
            request.path_info(),
            request.url_for("index")?
        ))
    }
    let app = App::builder().route("/page", index).build();
    let request = RequestBuilder::get("/shop/page")
        .script_root("/shop")
        .build();
    let response = carafe::wrappers::test::TestResponse::read(app.handle(request));
    assert_eq!(response.text(), "/page /shop/page");
}

#[test]
fn static_files_as_the_corpus_app_serves_them() {
    let dir = tempfile::tempdir().unwrap();
    let static_dir = dir.path().join("static");
    std::fs::create_dir_all(static_dir.join("sub")).unwrap();
    std::fs::write(static_dir.join("hello.txt"), "hello-static").unwrap();
    std::fs::write(static_dir.join(".hidden"), "DOTFILE_CANARY").unwrap();
    std::fs::write(static_dir.join("sub/index.html"), "<p>sub</p>").unwrap();
    std::fs::write(dir.path().join("secret.txt"), "TOPSECRET_CANARY").unwrap();
    std::os::unix::fs::symlink("../secret.txt", static_dir.join("escape")).unwrap();
    let mut settings = carafe::config::Settings::default();
    settings.send_file_max_age_default = Some(std::time::Duration::from_secs(3600));
    let app = App::builder()
        .settings(&settings)
        .static_folder(&static_dir)
        .build();
    let client = Client::new(app);
    let response = client.get("/static/hello.txt").send();
    assert_eq!(response.text(), "hello-static");
    assert!(
        response
            .header("cache-control")
            .unwrap()
            .contains("max-age=3600")
    );
    assert_eq!(
        client.get("/static/sub/index.html").send().text(),
        "<p>sub</p>"
    );
    for path in [
        "/static/.hidden",
        "/static/escape",
        "/static/../secret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/..%2fsecret.txt",
        "/static/%00",
    ] {
        let response = client.get(path).send();
        assert!(
            matches!(response.status().as_u16(), 400 | 404),
            "{path}: {}",
            response.status()
        );
        assert!(!response.text().contains("CANARY"), "{path}");
    }
    let response = client
        .get("/static/hello.txt")
        .header("range", "bytes=0-4")
        .send();
    assert_eq!(
        (response.status(), response.text()),
        (StatusCode::PARTIAL_CONTENT, "hello".into())
    );
}

/// One request over a real socket: the status code.
fn status_over_tcp(address: std::net::SocketAddr, path: &str) -> u16 {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

#[test]
fn a_real_server_keeps_serving_after_a_panic() {
    fn boom(_: &Request) -> &'static str {
        panic!("boom over tcp")
    }
    let app = App::builder().route("/boom", boom).route("/", text).build();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let options = carafe_devserver::Options::default()
        .with_debugger(false)
        .with_log_requests(false);
    let server = carafe_devserver::Server::new(listener, options);
    let address = server.local_addr().unwrap();
    let stop = server.stop_handle();
    let thread = std::thread::spawn(move || server.serve(app));
    assert_eq!(status_over_tcp(address, "/boom"), 500);
    assert_eq!(status_over_tcp(address, "/"), 200);
    assert_eq!(status_over_tcp(address, "/boom"), 500);
    assert_eq!(status_over_tcp(address, "/missing"), 404);
    stop.stop();
    // Wake the accept loop so it sees the stop.
    let _ = std::net::TcpStream::connect(address);
    thread.join().unwrap().unwrap();
}
