//! `examples/blueprints`: prefixes, nested and twice-registered
//! blueprints, blueprint-scoped hooks and error handlers, `url_for` across
//! blueprints.

#[path = "../../examples/blueprints/app/mod.rs"]
mod app;

use carafe::prelude::*;
use carafe::wrappers::test::Client;

const ADMIN: &str = "Basic YWRtaW46czNjcmV0"; // admin:s3cret

fn client() -> Client<App> {
    Client::new(app::app_with_password("s3cret"))
}

#[test]
fn every_blueprint_endpoint_is_prefixed_by_name() {
    let app = app::create_app();
    let mut endpoints: Vec<&str> = app.endpoints().collect();
    endpoints.sort_unstable();
    assert_eq!(
        endpoints,
        [
            "admin.dashboard",
            "admin.users.list",
            "admin.users.show",
            "api.v1.items.list",
            "api.v1.items.show",
            "api.v2.items.list",
            "api.v2.items.show",
            "pages.about",
            "pages.index",
        ]
    );
}

#[test]
fn the_index_links_to_other_blueprints_with_url_for() {
    let response = client().get("/").send();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let text = response.text();
    for link in [
        "href=\"/about\"",
        "href=\"/admin/\"",
        "href=\"/admin/users/\"",
        "href=\"/api/v1/items/7\"",
        "href=\"/api/v2/items/7\"",
    ] {
        assert!(text.contains(link), "{link} in {text}");
    }
    let about = client().get("/about").send();
    assert_eq!(about.text(), "endpoint pages.about in blueprint pages");
}

#[test]
fn a_blueprint_can_add_a_hook_for_the_whole_app() {
    let client = client();
    for uri in ["/", "/api/v1/items/", "/admin/", "/nowhere"] {
        let response = client.get(uri).send();
        assert_eq!(
            response.header("x-content-type-options"),
            Some("nosniff"),
            "{uri}"
        );
    }
}

#[test]
fn admin_pages_need_basic_auth_and_are_never_cached() {
    let client = client();
    for uri in ["/admin/", "/admin/users/", "/admin/users/1"] {
        let response = client.get(uri).send();
        assert_eq!(response.status(), 401, "{uri}");
        assert_eq!(
            response.header("www-authenticate"),
            Some("Basic realm=admin"),
            "{uri}"
        );
        assert_eq!(response.header("cache-control"), Some("no-store"), "{uri}");
        let wrong = client
            .get(uri)
            .header("authorization", "Basic YWRtaW46YWRtaW4=")
            .send();
        assert_eq!(
            wrong.status(),
            401,
            "{uri}: admin:admin is not the password"
        );
    }
    let response = client.get("/admin/").header("authorization", ADMIN).send();
    assert_eq!(response.text(), "admin dashboard: 3 users");
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let list = client
        .get("/admin/users/")
        .header("authorization", ADMIN)
        .send()
        .text();
    assert!(
        list.contains("<a href=\"/admin/users/2\">grace</a>"),
        "{list}"
    );
    let user = client
        .get("/admin/users/3")
        .header("authorization", ADMIN)
        .send();
    assert_eq!(user.text(), "user 3: linus");
    // Outside the admin blueprint, no hook of it runs.
    assert_eq!(client.get("/about").send().header("cache-control"), None);
}

#[test]
fn error_handlers_belong_to_their_blueprint() {
    let client = client();
    // admin.users' own 404 page.
    let response = client
        .get("/admin/users/9")
        .header("authorization", ADMIN)
        .send();
    assert_eq!(
        (response.status(), response.text()),
        (
            StatusCode::NOT_FOUND,
            "no such user: /admin/users/9".to_owned()
        )
    );
    // api's JSON errors.
    let response = client.get("/api/v1/items/101").send();
    assert_eq!(response.status(), 404);
    assert_eq!(response.header("content-type"), Some("application/json"));
    let body: serde_json::Value = response.json();
    assert_eq!(
        body,
        serde_json::json!({"error": {"status": 404, "message": "no item 101"}})
    );
    let response = client.post("/api/v2/items/1").send();
    assert_eq!(response.status(), 405);
    assert_eq!(response.json::<serde_json::Value>()["error"]["status"], 405);
    assert_eq!(response.header("allow"), Some("GET, HEAD, OPTIONS"));
    // A URL under /api/ that matches no rule: the app's handler, in JSON.
    let response = client.get("/api/v3/items/").send();
    assert_eq!(response.json::<serde_json::Value>()["error"]["status"], 404);
    // Everything else: the app's HTML 404, which escapes the path.
    let response = client.get("/%3Cscript%3E").send();
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        response.text().contains("<code>/&lt;script&gt;</code>"),
        "{}",
        response.text()
    );
}

#[test]
fn one_blueprint_registered_twice_gets_two_names_and_defaults() {
    let client = client();
    let v1: serde_json::Value = client.get("/api/v1/items/").send().json();
    assert_eq!(
        v1,
        serde_json::json!({"endpoint": "api.v1.items.list", "version": "1", "items": [1, 2, 3]})
    );
    let v2: serde_json::Value = client.get("/api/v2/items/5").send().json();
    assert_eq!(
        v2,
        serde_json::json!({
            "id": 5,
            "version": "2",
            "endpoint": "api.v2.items.show",
            "blueprints": ["api.v2.items", "api.v2", "api"],
        })
    );
}

#[test]
fn routes_and_check_run_through_the_command_line() {
    let output =
        super::support::run_example("blueprints", &["routes", "--sort", "rule"], None, &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("admin.users.show"), "{stdout}");
    assert!(stdout.contains("/api/v2/items/<int:id>"), "{stdout}");
    let output = super::support::run_example("blueprints", &["check"], None, &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("routes: 9 rules, 9 endpoints"), "{stdout}");
}

#[test]
#[ignore = "starts servers: run by .ci/run"]
fn serves_under_both_servers() {
    super::support::under_both_servers("blueprints", &[], &[], |port| {
        let index = super::support::http_get(port, "/", &[]).unwrap();
        assert_eq!(index.status, 200);
        assert!(
            index.body.contains("href=\"/api/v2/items/7\""),
            "{}",
            index.body
        );
        let admin = super::support::http_get(
            port,
            "/admin/users/1",
            &[("authorization", "Basic YWRtaW46YWRtaW4=")],
        )
        .unwrap();
        assert_eq!((admin.status, admin.body.as_str()), (200, "user 1: ada"));
        assert_eq!(
            super::support::http_get(port, "/admin/", &[])
                .unwrap()
                .status,
            401
        );
    });
}
