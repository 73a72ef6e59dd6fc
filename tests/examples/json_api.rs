//! `examples/json_api`: a JSON REST API through the test client, with the
//! example's own config folder in testing mode (token `test-token`, two
//! books per page).

// `create_app` (which loads the config of the process's mode) runs in the
// command-line tests below; here the app is built from a testing config.
#[path = "../../examples/json_api/app/mod.rs"]
#[allow(dead_code)]
mod app;

use carafe::config::{Config, Mode};
use carafe::prelude::*;
use carafe::wrappers::test::Client;
use serde_json::{Value, json};

const TOKEN: &str = "Bearer test-token";

fn client() -> Client<App> {
    let config: Config<app::ApiSettings> = Config::loader()
        .dir(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/json_api/config"
        ))
        .mode(Mode::Testing)
        .env(Vec::<(String, String)>::new())
        .load()
        .unwrap();
    assert_eq!(config.app.page_size, 2, "testing.yaml");
    Client::new(app::build_app(&config))
}

fn add(client: &Client<App>, book: Value) -> Value {
    let response = client
        .post("/api/books")
        .header("authorization", TOKEN)
        .json(&book)
        .send();
    assert_eq!(response.status(), 201, "{}", response.text());
    response.json()
}

fn error_of(response: &carafe::wrappers::test::TestResponse) -> (u16, String) {
    assert_eq!(
        response.header("content-type"),
        Some("application/json"),
        "{}",
        response.text()
    );
    let body: Value = response.json();
    assert_eq!(
        body["error"]["status"],
        response.status().as_u16(),
        "{body}"
    );
    (
        response.status().as_u16(),
        body["error"]["message"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn create_read_update_delete() {
    let client = client();
    let response = client
        .post("/api/books")
        .header("authorization", TOKEN)
        .json(&json!({"title": "Dune", "author": "Frank Herbert", "year": 1965}))
        .send();
    assert_eq!(response.status(), 201);
    assert_eq!(response.header("location"), Some("/api/books/1"));
    let created: Value = response.json();
    assert_eq!(
        created,
        json!({"id": 1, "title": "Dune", "author": "Frank Herbert", "year": 1965, "tags": []})
    );

    let response = client.get("/api/books/1").send();
    assert_eq!(response.json::<Value>(), created);
    assert_eq!(response.header("etag"), Some("\"1-1\""));

    let response = client
        .put("/api/books/1")
        .header("authorization", TOKEN)
        .json(&json!({"title": "Dune", "author": "Frank Herbert", "year": 1965, "tags": ["sf"]}))
        .send();
    assert_eq!(response.status(), 200, "{}", response.text());
    assert_eq!(response.json::<Value>()["tags"], json!(["sf"]));
    assert_eq!(response.header("etag"), Some("\"1-2\""));

    let response = client
        .patch("/api/books/1")
        .header("authorization", TOKEN)
        .json(&json!({"year": 1966}))
        .send();
    assert_eq!(response.json::<Value>()["year"], 1966);
    assert_eq!(
        response.json::<Value>()["tags"],
        json!(["sf"]),
        "PATCH keeps what it does not name"
    );

    let response = client
        .delete("/api/books/1")
        .header("authorization", TOKEN)
        .send();
    assert_eq!(response.status(), 204);
    assert!(response.body().is_empty());
    let response = client.get("/api/books/1").send();
    assert_eq!(error_of(&response), (404, "no book 1".to_owned()));
    let response = client
        .delete("/api/books/1")
        .header("authorization", TOKEN)
        .send();
    assert_eq!(error_of(&response), (404, "no book 1".to_owned()));
}

#[test]
fn writes_need_the_bearer_token() {
    let client = client();
    let book = json!({"title": "T", "author": "A"});
    for token in [
        None,
        Some("Bearer wrong-token"),
        Some("Basic dGVzdC10b2tlbjo="),
        Some("Bearer test-tokeN"),
    ] {
        let mut request = client.post("/api/books").json(&book);
        if let Some(token) = token {
            request = request.header("authorization", token);
        }
        let response = request.send();
        let (status, message) = error_of(&response);
        assert_eq!(status, 401, "{token:?}");
        assert!(message.contains("Authorization: Bearer"), "{message}");
        assert_eq!(
            response.header("www-authenticate"),
            Some("Bearer"),
            "{token:?}"
        );
    }
    add(&client, book);
    assert_eq!(client.delete("/api/books/1").send().status(), 401);
    assert_eq!(
        client
            .patch("/api/books/1")
            .json(&json!({}))
            .send()
            .status(),
        401
    );
    assert_eq!(
        client.get("/api/books/1").send().status(),
        200,
        "reading needs no token"
    );
}

#[test]
fn bodies_are_typed_and_rejections_are_json() {
    let client = client();
    let post = |body: &'static str, content_type: &str| {
        client
            .post("/api/books")
            .header("authorization", TOKEN)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let (status, _) = error_of(&post("title=x", "application/x-www-form-urlencoded"));
    assert_eq!(status, 415);
    let (status, message) = error_of(&post(
        "{\"title\": \"x\",\n \"author\": }",
        "application/json",
    ));
    assert_eq!(status, 400);
    assert!(message.contains("line 2"), "{message}");
    let (status, message) = error_of(&post("{\"title\": \"x\"}", "application/json"));
    assert_eq!(status, 400);
    assert!(message.contains("author"), "{message}");
    let (status, message) = error_of(&post(
        "{\"title\": \"x\", \"author\": \"y\", \"isbn\": 1}",
        "application/json",
    ));
    assert_eq!(status, 400);
    assert!(message.contains("isbn"), "{message}");
    let (status, _) = error_of(&post(
        "{\"title\": \"x\", \"author\": \"y\", \"year\": \"1965\"}",
        "application/json",
    ));
    assert_eq!(status, 400);

    let big = format!(
        "{{\"title\": \"{}\", \"author\": \"y\"}}",
        "x".repeat(1 << 20)
    );
    let response = client
        .post("/api/books")
        .header("authorization", TOKEN)
        .json(&serde_json::from_str::<Value>(&big).unwrap())
        .send();
    let (status, message) = error_of(&response);
    assert_eq!(status, 413);
    assert!(
        message.contains("1048576"),
        "the limit of base.yaml: {message}"
    );
}

#[test]
fn invalid_values_are_422_naming_each_field() {
    let client = client();
    let response = client
        .post("/api/books")
        .header("authorization", TOKEN)
        .json(&json!({"title": "  ", "author": "A", "year": 3000, "tags": ["ok", ""]}))
        .send();
    assert_eq!(response.status(), 422);
    assert_eq!(
        response.json::<Value>(),
        json!({"error": {
            "status": 422,
            "message": "the book is not valid",
            "fields": {
                "title": "must not be empty",
                "year": "must be between -3000 and 2100",
                "tags": "tags must not be empty",
            },
        }})
    );
    add(&client, json!({"title": "T", "author": "A"}));
    let response = client
        .patch("/api/books/1")
        .header("authorization", TOKEN)
        .json(&json!({"author": ""}))
        .send();
    assert_eq!(response.status(), 422);
    assert_eq!(
        client.get("/api/books/1").send().json::<Value>()["author"],
        "A",
        "nothing changed"
    );
}

#[test]
fn lists_are_filtered_and_paged_with_next_links() {
    let client = client();
    for (title, author, tag) in [
        ("Dune", "Frank Herbert", "sf"),
        ("Emma", "Jane Austen", "classic"),
        ("Dune Messiah", "Frank Herbert", "sf"),
        ("Persuasion", "Jane Austen", "classic"),
        ("Children of Dune", "Frank Herbert", "sf"),
    ] {
        add(
            &client,
            json!({"title": title, "author": author, "tags": [tag]}),
        );
    }
    let page: Value = client.get("/api/books").send().json();
    assert_eq!(
        (page["total"].clone(), page["per_page"].clone()),
        (json!(5), json!(2))
    );
    assert_eq!(page["next"], "/api/books?page=2&per_page=2");
    let titles = |page: &Value| -> Vec<String> {
        page["books"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["title"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(titles(&page), ["Dune", "Emma"]);

    let page: Value = client
        .get("/api/books?author=Frank%20Herbert")
        .send()
        .json();
    assert_eq!(titles(&page), ["Dune", "Dune Messiah"]);
    let next = page["next"].as_str().unwrap().to_owned();
    assert_eq!(next, "/api/books?page=2&per_page=2&author=Frank+Herbert");
    let page: Value = client.get(&next).send().json();
    assert_eq!(titles(&page), ["Children of Dune"]);
    assert_eq!(page["next"], Value::Null);

    let page: Value = client
        .get("/api/books?tag=classic&per_page=10")
        .send()
        .json();
    assert_eq!(titles(&page), ["Emma", "Persuasion"]);
    let page: Value = client.get("/api/books?page=9").send().json();
    assert_eq!(page["books"], json!([]));

    let (status, message) = error_of(&client.get("/api/books?page=0").send());
    assert_eq!((status, message.as_str()), (400, "page starts at 1"));
    let (status, _) = error_of(&client.get("/api/books?per_page=1000").send());
    assert_eq!(status, 400);
    let (status, message) = error_of(&client.get("/api/books?page=two").send());
    assert_eq!(status, 400);
    assert!(message.contains("page"), "{message}");
}

#[test]
fn etags_give_304_and_if_match_guards_writes() {
    let client = client();
    add(&client, json!({"title": "T", "author": "A"}));
    let response = client
        .get("/api/books/1")
        .header("if-none-match", "\"1-1\"")
        .send();
    assert_eq!(response.status(), 304);
    assert!(response.body().is_empty());
    assert_eq!(
        client
            .get("/api/books/1")
            .header("if-none-match", "\"1-0\"")
            .send()
            .status(),
        200
    );

    let stale = client
        .patch("/api/books/1")
        .header("authorization", TOKEN)
        .header("if-match", "\"1-0\"")
        .json(&json!({"title": "U"}))
        .send();
    assert_eq!(error_of(&stale).0, 412);
    let current = client
        .patch("/api/books/1")
        .header("authorization", TOKEN)
        .header("if-match", "\"1-1\"")
        .json(&json!({"title": "U"}))
        .send();
    assert_eq!(current.status(), 200);
    assert_eq!(current.header("etag"), Some("\"1-2\""));
    let stale = client
        .delete("/api/books/1")
        .header("authorization", TOKEN)
        .header("if-match", "\"1-1\"")
        .send();
    assert_eq!(error_of(&stale).0, 412);
    assert_eq!(
        client.get("/api/books/1").send().json::<Value>()["title"],
        "U"
    );
}

#[test]
fn routing_errors_are_json_too() {
    let client = client();
    let response = client.delete("/api/books");
    let response = response.send();
    assert_eq!(error_of(&response).0, 405);
    assert_eq!(response.header("allow"), Some("GET, HEAD, OPTIONS, POST"));
    assert_eq!(error_of(&client.get("/api/authors").send()).0, 404);
    assert_eq!(error_of(&client.get("/api/books/x").send()).0, 404);
}

#[test]
fn routes_and_check_run_through_the_command_line() {
    let output = super::support::run_example("json_api", &["routes", "--json"], None, &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let routes: Value = serde_json::from_slice(&output.stdout).unwrap();
    let endpoints: Vec<&str> = routes
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["endpoint"].as_str().unwrap())
        .collect();
    assert_eq!(
        endpoints,
        [
            "books.create",
            "books.list",
            "books.remove",
            "books.replace",
            "books.show",
            "books.update"
        ]
    );

    let output = super::support::run_example("json_api", &["check"], None, &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("mode: production"), "{stdout}");
    assert!(stdout.contains("base.yaml"), "{stdout}");
    // A token too short fails the factory, and check says so.
    let output = super::support::run_example(
        "json_api",
        &["check"],
        None,
        &[("CARAFE_APP__API_TOKEN", "short")],
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("app.api_token is shorter than 8 characters"),
        "{stderr}"
    );
    assert!(!stderr.contains("\"short\""), "{stderr}");
}

#[test]
#[ignore = "starts servers: run by .ci/run"]
fn serves_under_both_servers() {
    use super::support::http_get;
    super::support::under_both_servers("json_api", &[], &[], |port| {
        let list = http_get(port, "/api/books", &[]).unwrap();
        assert_eq!(list.status, 200, "{list:?}");
        assert_eq!(
            serde_json::from_str::<Value>(&list.body).unwrap()["total"],
            0
        );
        let missing = http_get(port, "/api/books/1", &[]).unwrap();
        assert_eq!(missing.status, 404);
        assert_eq!(
            serde_json::from_str::<Value>(&missing.body).unwrap()["error"]["message"],
            "no book 1"
        );
    });
}
