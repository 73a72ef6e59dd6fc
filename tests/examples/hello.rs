//! `examples/hello.rs`, the README's main example: two `#[get]` handlers,
//! a typed rule variable, the app's command line: through the test client,
//! run as a program, and under both servers. (Its own `#[cfg(test)]`
//! module, run by `cargo test` through `test = true`, is compiled in here
//! too.)

#[path = "../../examples/hello.rs"]
#[allow(dead_code)]
mod app;

use carafe::prelude::*;
use carafe::wrappers::test::Client;

#[test]
fn it_says_hello_to_the_world_and_by_name() {
    let client = Client::new(app::create_app());
    let response = client.get("/").send();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(response.text(), "Hello, World!");
    // The rule variable is percent-decoded before the handler sees it;
    // the handler's text is not HTML, so nothing is escaped.
    assert_eq!(
        client.get("/hello/Ada%20L.").send().text(),
        "Hello, Ada L.!"
    );
    assert_eq!(client.get("/hello/%3Cb%3E").send().text(), "Hello, <b>!");
    assert_eq!(client.get("/hello/a/b").send().status(), 404);
    let post = client.post("/").send();
    assert_eq!(post.status(), 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD, OPTIONS"));
    let head = client.head("/").send();
    assert_eq!((head.status(), head.body().len()), (StatusCode::OK, 0));
}

#[test]
fn without_a_command_it_answers_through_the_test_client() {
    let output = super::support::run_example("hello", &[], None, &[]);
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with(
            "GET / -> 200 OK: Hello, World!\nGET /hello/Carafe -> 200 OK: Hello, Carafe!\n"
        ),
        "{stdout}"
    );
}

#[test]
fn routes_and_check_run_through_the_command_line() {
    let output = super::support::run_example("hello", &["routes", "--json"], None, &[]);
    assert!(output.status.success());
    let routes: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let endpoints: Vec<&str> = routes
        .as_array()
        .unwrap()
        .iter()
        .map(|route| route["endpoint"].as_str().unwrap())
        .collect();
    assert!(endpoints.contains(&"index"), "{routes}");
    assert!(endpoints.contains(&"hello"), "{routes}");
    let output = super::support::run_example("hello", &["check"], None, &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
#[ignore = "starts servers: run by .ci/run"]
fn serves_under_both_servers() {
    use super::support::http_get;
    super::support::under_both_servers("hello", &[], &[], |port| {
        let page = http_get(port, "/", &[]).unwrap();
        assert_eq!((page.status, page.body.as_str()), (200, "Hello, World!"));
        let page = http_get(port, "/hello/Carafe", &[]).unwrap();
        assert_eq!(page.body, "Hello, Carafe!");
        assert_eq!(http_get(port, "/missing", &[]).unwrap().status, 404);
    });
}
