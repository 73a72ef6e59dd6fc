//! What handlers return (Flask's `test_response_types`), and the HEAD
//! finishing.

use carafe::prelude::*;
use carafe::wrappers::test::Client;

#[get("/text")]
fn text() -> &'static str {
    "Hello"
}

#[get("/string")]
fn string() -> String {
    "Hällo Wörld".to_owned()
}

#[get("/html")]
fn html() -> Html<&'static str> {
    Html("<p>Hello</p>")
}

#[get("/bytes")]
fn bytes() -> Vec<u8> {
    vec![0, 1, 2]
}

#[derive(serde::Serialize)]
struct Message {
    message: &'static str,
}

#[get("/json")]
fn json() -> Json<Message> {
    Json(Message {
        message: "Hello, World!",
    })
}

#[get("/value")]
fn value() -> serde_json::Value {
    serde_json::json!({"a": [1, 2]})
}

#[get("/status")]
fn status() -> (StatusCode, &'static str) {
    (StatusCode::CREATED, "created")
}

#[get("/headers")]
fn headers() -> ([(&'static str, &'static str); 2], &'static str) {
    ([("x-a", "1"), ("content-type", "text/csv")], "a,b")
}

#[get("/all")]
fn all() -> (StatusCode, Vec<(&'static str, String)>, Html<String>) {
    (
        StatusCode::ACCEPTED,
        vec![("x-n", "3".into())],
        Html("<b>3</b>".into()),
    )
}

#[get("/redirect")]
fn redirect() -> Redirect {
    Redirect::to("/text")
}

#[get("/result/<int:n>")]
fn result(n: i64) -> Result<String, HttpError> {
    if n > 0 {
        Ok(n.to_string())
    } else {
        Err(HttpError::bad_request())
    }
}

#[get("/response")]
fn response() -> Response {
    Response::text("raw").with_status(StatusCode::IM_A_TEAPOT)
}

#[get("/empty")]
fn empty() -> StatusCode {
    StatusCode::NO_CONTENT
}

fn client() -> Client<App> {
    Client::new(
        App::builder()
            .register(text)
            .register(string)
            .register(html)
            .register(bytes)
            .register(json)
            .register(value)
            .register(status)
            .register(headers)
            .register(all)
            .register(redirect)
            .register(result)
            .register(response)
            .register(empty)
            .build(),
    )
}

#[test]
fn response_types() {
    let client = client();
    let r = client.get("/text").send();
    assert_eq!(
        (r.text(), r.header("content-type")),
        ("Hello".into(), Some("text/plain; charset=utf-8"))
    );
    assert_eq!(client.get("/string").send().text(), "Hällo Wörld");
    let r = client.get("/html").send();
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    let r = client.get("/bytes").send();
    assert_eq!(
        (r.body().as_ref(), r.header("content-type")),
        (&[0u8, 1, 2][..], Some("application/octet-stream"))
    );
    let r = client.get("/json").send();
    assert_eq!(r.text(), r#"{"message":"Hello, World!"}"#);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(client.get("/value").send().text(), r#"{"a":[1,2]}"#);
    let r = client.get("/status").send();
    assert_eq!(
        (r.status(), r.text()),
        (StatusCode::CREATED, "created".into())
    );
    let r = client.get("/headers").send();
    assert_eq!(
        (r.header("x-a"), r.header("content-type")),
        (Some("1"), Some("text/csv"))
    );
    let r = client.get("/all").send();
    assert_eq!(
        (r.status(), r.header("x-n"), r.text()),
        (StatusCode::ACCEPTED, Some("3"), "<b>3</b>".into())
    );
    let r = client.get("/redirect").send();
    assert_eq!(
        (r.status(), r.header("location")),
        (StatusCode::FOUND, Some("/text"))
    );
    assert_eq!(client.get("/result/3").send().text(), "3");
    assert_eq!(client.get("/result/0").send().status(), 400);
    assert_eq!(client.get("/response").send().status(), 418);
    let r = client.get("/empty").send();
    assert_eq!(
        (r.status(), r.header("content-length")),
        (StatusCode::NO_CONTENT, None)
    );
}

#[test]
fn head_keeps_the_length_and_drops_the_body() {
    let client = client();
    let r = client.head("/string").send();
    assert_eq!(r.status(), 200);
    assert_eq!(r.header("content-length"), Some("13"));
    assert!(r.body().is_empty());
}
