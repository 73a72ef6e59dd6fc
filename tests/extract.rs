//! Extractors in `#[route]` handlers: URL values typed by the parameter,
//! query, form, JSON, files, cookies, state, raw body; rejections are 4xx
//! with a body that says why.

use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use carafe::prelude::*;
use carafe::wrappers::test::{Client, FileUpload};

#[derive(serde::Deserialize)]
struct Search {
    q: String,
    page: Option<u32>,
    tag: Vec<String>,
}

#[get("/search")]
fn search(Query(search): Query<Search>) -> String {
    format!(
        "{} p{} [{}]",
        search.q,
        search.page.unwrap_or(1),
        search.tag.join(",")
    )
}

#[get("/users/<int:id>/posts/<slug>")]
fn post(id: u32, slug: String, request: &Request) -> String {
    format!("user {id} post {slug} via {}", request.method())
}

#[derive(serde::Deserialize)]
struct Signup {
    email: String,
    age: u8,
}

#[post("/signup")]
fn signup(Form(form): Form<Signup>) -> String {
    format!("{} ({})", form.email, form.age)
}

#[derive(serde::Deserialize, serde::Serialize)]
struct Item {
    name: String,
    qty: u32,
}

#[post("/items")]
fn create_item(Json(item): Json<Item>) -> (StatusCode, Json<Item>) {
    (
        StatusCode::CREATED,
        Json(Item {
            qty: item.qty * 2,
            ..item
        }),
    )
}

#[post("/upload")]
fn upload(
    request: &Request,
    Form(fields): Form<std::collections::HashMap<String, String>>,
) -> Result<String, Error> {
    let files = request.files()?;
    let file = files.get("file").ok_or_else(HttpError::bad_request)?;
    Ok(format!(
        "{} {} bytes, title {}",
        file.secure_filename(),
        file.size(),
        fields.get("title").cloned().unwrap_or_default()
    ))
}

#[post("/files")]
fn files(files: Files<'_>) -> String {
    files.keys().collect::<Vec<_>>().join(",")
}

#[get("/cookies")]
fn cookies(cookies: Cookies<'_>) -> String {
    cookies
        .get("theme")
        .cloned()
        .unwrap_or_else(|| "light".into())
}

struct Counter {
    hits: AtomicU64,
}

#[get("/count")]
fn count(counter: State<Counter>) -> String {
    (counter.hits.fetch_add(1, Ordering::Relaxed) + 1).to_string()
}

#[get("/missing-state")]
fn missing_state(_counter: State<String>) -> &'static str {
    "unreachable"
}

#[post("/raw")]
fn raw(body: Bytes) -> String {
    format!("{} bytes", body.len())
}

#[post("/text")]
fn text(body: String) -> String {
    body.to_uppercase()
}

#[get("/session")]
fn session(session: Session<'_>) -> String {
    session
        .get::<String>("user")
        .unwrap_or_else(|| "anonymous".into())
}

fn client() -> Client<App> {
    Client::new(
        App::builder()
            .secret_key("extractor tests secret, long enough")
            .state(Counter {
                hits: AtomicU64::new(0),
            })
            .register(search)
            .register(post)
            .register(signup)
            .register(create_item)
            .register(upload)
            .register(files)
            .register(cookies)
            .register(count)
            .register(missing_state)
            .register(raw)
            .register(text)
            .register(session)
            .build(),
    )
}

#[test]
fn url_values_are_typed_by_the_parameter() {
    let client = client();
    assert_eq!(
        client.get("/users/42/posts/hello-world").send().text(),
        "user 42 post hello-world via GET"
    );
    // Not an int: no rule matches. An int out of range for the parameter's
    // type is no such resource either.
    assert_eq!(client.get("/users/x/posts/a").send().status(), 404);
    assert_eq!(
        client.get("/users/99999999999/posts/a").send().status(),
        404
    );
}

#[test]
fn query() {
    let client = client();
    assert_eq!(
        client.get("/search?q=rust&tag=a&tag=b&page=").send().text(),
        "rust p1 [a,b]"
    );
    let response = client.get("/search?page=2").send();
    assert_eq!(response.status(), 400);
    assert!(
        response
            .text()
            .contains("Invalid query string: field `q`: missing.")
    );
    let response = client.get("/search?q=x&page=two").send();
    assert_eq!(response.status(), 400);
    assert!(
        response.text().contains("field `page`"),
        "{}",
        response.text()
    );
}

#[test]
fn form() {
    let client = client();
    let response = client
        .post("/signup")
        .form([("email", "a@b.c"), ("age", "41")])
        .send();
    assert_eq!(response.text(), "a@b.c (41)");
    let response = client
        .post("/signup")
        .form([("email", "a@b.c"), ("age", "-1")])
        .send();
    assert_eq!(response.status(), 400);
    assert!(response.text().contains("field `age`"));
}

#[test]
fn json() {
    let client = client();
    let response = client
        .post("/items")
        .json(&serde_json::json!({"name": "tea", "qty": 2}))
        .send();
    assert_eq!(response.status(), 201);
    assert_eq!(
        response.json::<serde_json::Value>(),
        serde_json::json!({"name": "tea", "qty": 4})
    );
    let response = client
        .post("/items")
        .body("{}")
        .content_type("text/plain")
        .send();
    assert_eq!(response.status(), 415);
    let response = client
        .post("/items")
        .body("{\"name\": 1}")
        .content_type("application/json")
        .header("accept", "application/json")
        .send();
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json();
    assert!(
        body["description"].as_str().unwrap().contains("line 1"),
        "{body}"
    );
}

#[test]
fn files_and_form() {
    let client = client();
    let response = client
        .post("/upload")
        .form([("title", "Holiday")])
        .file("file", FileUpload::new("../../etc/passwd", &b"root"[..]))
        .send();
    assert_eq!(response.text(), "etc_passwd 4 bytes, title Holiday");
    let response = client
        .post("/files")
        .file("a", FileUpload::new("a.txt", &b"1"[..]))
        .file("b", FileUpload::new("b.txt", &b"2"[..]))
        .send();
    assert_eq!(response.text(), "a,b");
}

#[test]
fn cookies_state_body_session() {
    let client = client();
    assert_eq!(
        client
            .get("/cookies")
            .header("cookie", "theme=dark")
            .send()
            .text(),
        "dark"
    );
    assert_eq!(client.get("/cookies").send().text(), "light");
    assert_eq!(client.get("/count").send().text(), "1");
    assert_eq!(client.get("/count").send().text(), "2");
    let response = client.get("/missing-state").send();
    assert_eq!(response.status(), 500);
    assert_eq!(
        client.post("/raw").body(vec![0u8; 10]).send().text(),
        "10 bytes"
    );
    assert_eq!(client.post("/text").body("abc").send().text(), "ABC");
    assert_eq!(
        client.post("/text").body(vec![0xff, 0xfe]).send().status(),
        400
    );
    assert_eq!(client.get("/session").send().text(), "anonymous");
}
