//! The bench example (`examples/bench`, the app of `../shared/bench/SPEC.md`)
//! through the test client: every endpoint's status, media type and exact
//! body, and every route of the GitHub table.

#[path = "../examples/bench/app.rs"]
mod app;
#[path = "../examples/bench/fortunes.rs"]
mod fortunes;
#[path = "../examples/bench/github.rs"]
mod github;

use carafe::App;
use carafe::prelude::Method;
use carafe::wrappers::test::{Client, FileUpload, TestResponse};

const FORM_BODY: &str = "name=J%C3%BCrgen+M%C3%BCller&email=juergen%40example.com&age=42\
&city=M%C3%BCnchen&country=DE&message=Hello+there%2C+this+is+a+test+message+with+some+%26+\
special+%3D+chars&subscribe=on&color=%23ff8800&lang=de-DE&token=abcdef0123456789";
const BOUNDARY: &str = "----benchBoundary7MA4YWxkTrZu0gW";
const FORTUNES_PAGE: &str = include_str!("../examples/bench/expected/fortunes.html");

fn client() -> Client<App> {
    Client::new(app::create_app().expect("the bench app builds"))
}

/// The status, the media type (before `;`) and the body.
fn summary(response: &TestResponse) -> (u16, String, String) {
    let media = response.header("content-type").unwrap_or_default();
    let media = media
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    (response.status().as_u16(), media, response.text())
}

fn ok(media: &str, body: &str) -> (u16, String, String) {
    (200, media.to_owned(), body.to_owned())
}

#[test]
fn plaintext() {
    let response = client().get("/plaintext").send();
    assert_eq!(summary(&response), ok("text/plain", "Hello, World!"));
    assert_eq!(
        response.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
}

#[test]
fn json() {
    let response = client().get("/json").send();
    assert_eq!(
        summary(&response),
        ok("application/json", r#"{"message":"Hello, World!"}"#)
    );
}

#[test]
fn users() {
    let client = client();
    let response = client.get("/users/42/posts/hello-world").send();
    assert_eq!(
        summary(&response),
        ok("text/plain", "user 42 post hello-world")
    );
    assert_eq!(client.get("/users/abc/posts/x").send().status(), 404);
}

#[test]
fn issue_answers_every_method_of_its_path() {
    let client = client();
    let response = client.get("/repos/pallets/flask/issues/1234").send();
    assert_eq!(
        summary(&response),
        ok("text/plain", "issue 1234 of pallets/flask")
    );
    let response = client.patch("/repos/a/b/issues/7").send();
    assert_eq!(summary(&response), ok("text/plain", "issue 7 of a/b"));
    // Not an int: the issue rule does not match, the table's fully dynamic
    // `/repos/<owner>/<repo>/<archive_format>/<ref>` does (as in Werkzeug).
    let response = client.get("/repos/a/b/issues/seven").send();
    assert_eq!(summary(&response), ok("text/plain", "ok"));
    let response = client.delete("/repos/a/b/issues/7").send();
    assert_eq!(response.status(), 405);
    let mut allow: Vec<&str> = response
        .header("allow")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .collect();
    allow.sort_unstable();
    assert_eq!(allow, ["GET", "HEAD", "OPTIONS", "PATCH"]);
}

#[test]
fn fortunes_page_is_byte_for_byte_the_reference() {
    let response = client().get("/fortunes").send();
    assert_eq!(summary(&response), ok("text/html", FORTUNES_PAGE));
    assert_eq!(response.body().len(), 1245);
}

#[test]
fn form() {
    let response = client()
        .post("/form")
        .content_type("application/x-www-form-urlencoded")
        .body(FORM_BODY)
        .send();
    assert_eq!(
        summary(&response),
        ok("text/plain", "fields=10 name=Jürgen Müller")
    );
}

/// 1 MiB of deterministic bytes full of CR, LF and `-` (and near-misses of
/// the boundary), as the spec's pseudo-random payload is.
fn upload_payload() -> Vec<u8> {
    let mut state: u64 = 42;
    let mut data: Vec<u8> = (0..1 << 20)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            b"\r\n-x"[(state % 4) as usize]
        })
        .collect();
    let near_miss = format!("\r\n--{}", &BOUNDARY[..BOUNDARY.len() - 1]);
    data[1000..1000 + near_miss.len()].copy_from_slice(near_miss.as_bytes());
    data
}

#[test]
fn upload_reads_the_whole_part() {
    let data = upload_payload();
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"blob.bin\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&data);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    assert_eq!(body.len(), 1_048_760, "the spec's upload body length");
    // Held in memory (the default of the bench app) and spooled to a
    // temporary file (`BENCH_SPOOL=1`, Werkzeug's threshold): same answer.
    for spool in [false, true] {
        let limits = app::limits(spool);
        assert_eq!(limits.file_memory_threshold() < data.len(), spool);
        let client = Client::new(app::build_app(limits).unwrap());
        let response = client
            .post("/upload")
            .content_type(format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(body.clone())
            .send();
        assert_eq!(summary(&response), ok("text/plain", "1048576"));
    }
}

#[test]
fn upload_without_the_file_part_is_a_400() {
    let response = client()
        .post("/upload")
        .file("other", FileUpload::new("a.bin", &b"abc"[..]))
        .send();
    assert_eq!(
        (response.status().as_u16(), response.text()),
        (400, "no file".to_owned())
    );
}

/// A URL for a table path: `{x}` gets a value no static sibling has, the
/// issue number an integer, a catch-all two segments.
fn sample_url(path: &str) -> String {
    path.split('/')
        .enumerate()
        .map(|(index, segment)| {
            if segment == "{number}" && path == github::ISSUE_PATH {
                "7".to_owned()
            } else if segment.starts_with("{*") {
                format!("v{index}/rest")
            } else if segment.starts_with('{') {
                format!("v{index}")
            } else {
                segment.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn every_table_route_answers_its_methods() {
    let paths = github::paths();
    assert_eq!(paths.len(), 154, "distinct paths");
    let routes: usize = paths.iter().map(|(_, methods)| methods.len()).sum();
    assert_eq!(routes, 239, "routes");
    let client = client();
    for (path, methods) in &paths {
        let url = sample_url(path);
        for method in methods {
            let response = client.request(method.clone(), &url).send();
            let want = if *path == github::ISSUE_PATH {
                "issue 7 of v2/v3"
            } else {
                "ok"
            };
            assert_eq!(
                summary(&response),
                ok("text/plain", want),
                "{method} {url} (table path {path})"
            );
        }
    }
}

#[test]
fn table_paths_refuse_other_methods_and_unknown_paths_are_404() {
    let client = client();
    let response = client.request(Method::POST, "/events").send();
    assert_eq!(response.status(), 405);
    assert_eq!(client.get("/no/such/route").send().status(), 404);
    let response = client.get("/repos/a/b/git/refs/heads/main").send();
    assert_eq!(summary(&response), ok("text/plain", "ok"));
}

#[test]
fn rules_are_the_table_plus_the_bench_routes() {
    let app = app::create_app().expect("the bench app builds");
    assert_eq!(app.map().rules().count(), 154 + 6);
    assert_eq!(
        github::rule_pattern("/repos/{owner}/{repo}/contents/{*path}"),
        "/repos/<owner>/<repo>/contents/<path:path>"
    );
    assert_eq!(
        github::rule_pattern(github::ISSUE_PATH),
        "/repos/<owner>/<repo>/issues/<int:number>"
    );
}
