//! Blueprints: prefixes, names, nesting, scoped hooks and error handlers
//! (Flask's `test_blueprints.py`).

use std::sync::{Arc, Mutex};

use carafe::prelude::*;
use carafe::routing::Rule;
use carafe::wrappers::test::Client;

fn forbidden(_: &Request) -> Result<&'static str, HttpError> {
    Err(HttpError::forbidden())
}

fn endpoint(request: &Request) -> String {
    request.endpoint().unwrap_or_default().to_owned()
}

fn says(text: &'static str) -> impl Fn(&Error, &Request) -> (StatusCode, &'static str) {
    move |_, _| (StatusCode::FORBIDDEN, text)
}

#[test]
fn blueprint_specific_error_handling() {
    let frontend = Blueprint::new("frontend")
        .error_handler(403, says("frontend says no"))
        .route("/frontend-no", forbidden);
    let backend = Blueprint::new("backend")
        .error_handler(403, says("backend says no"))
        .route("/backend-no", forbidden);
    let sideend = Blueprint::new("sideend").route("/what-is-a-sideend", forbidden);
    let app = App::builder()
        .register_blueprint(frontend)
        .register_blueprint(backend)
        .register_blueprint(sideend)
        .error_handler(403, says("application itself says no"))
        .build();
    let client = Client::new(app);
    assert_eq!(client.get("/frontend-no").send().text(), "frontend says no");
    assert_eq!(client.get("/backend-no").send().text(), "backend says no");
    assert_eq!(
        client.get("/what-is-a-sideend").send().text(),
        "application itself says no"
    );
}

#[derive(Debug)]
struct Decorated;
impl std::fmt::Display for Decorated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("decorated")
    }
}
impl std::error::Error for Decorated {}

#[test]
fn blueprint_specific_user_error_handling() {
    fn raise(_: &Request) -> Result<&'static str, Error> {
        Err(Decorated.into())
    }
    fn boom(_: &Decorated, _: &Request) -> &'static str {
        "boom"
    }
    let blue = Blueprint::new("blue")
        .error_handler_for(boom)
        .route("/decorator", raise);
    let client = Client::new(
        App::builder()
            .register_blueprint(blue)
            .route("/app", raise)
            .build(),
    );
    assert_eq!(client.get("/decorator").send().text(), "boom");
    // Outside the blueprint nobody handles it: a 500.
    assert_eq!(client.get("/app").send().status(), 500);
}

#[test]
fn blueprint_app_error_handling() {
    let errors = Blueprint::new("errors").app_error_handler(403, says("you shall not pass"));
    let forbidden_bp = Blueprint::new("forbidden_bp").route("/nope", forbidden);
    let app = App::builder()
        .route("/forbidden", forbidden)
        .register_blueprint(errors)
        .register_blueprint(forbidden_bp)
        .build();
    let client = Client::new(app);
    assert_eq!(client.get("/forbidden").send().text(), "you shall not pass");
    assert_eq!(client.get("/nope").send().text(), "you shall not pass");
}

#[test]
fn blueprint_prefix_slash() {
    fn index(_: &Request) -> StatusCode {
        StatusCode::NO_CONTENT
    }
    for (prefix, rule, url) in [
        ("", "/", "/"),
        ("/", "", "/"),
        ("/", "/", "/"),
        ("/foo", "", "/foo"),
        ("/foo/", "", "/foo/"),
        ("", "/bar", "/bar"),
        ("/foo/", "/bar", "/foo/bar"),
        ("/foo/", "bar", "/foo/bar"),
        ("/foo", "/bar", "/foo/bar"),
        ("/foo/", "//bar", "/foo/bar"),
        ("/foo//", "/bar", "/foo/bar"),
    ] {
        let bp = Blueprint::new("test").url_prefix(prefix).route(rule, index);
        let client = Client::new(App::builder().register_blueprint(bp).build());
        assert_eq!(
            client.get(url).send().status(),
            204,
            "prefix {prefix:?} rule {rule:?} url {url:?}"
        );
    }
}

#[test]
fn blueprint_url_defaults() {
    fn foo(_: &Request, values: &Values<'_>) -> String {
        format!(
            "{}/{}",
            values.get_as::<i64>("bar").unwrap(),
            values.get_as::<i64>("baz").unwrap()
        )
    }
    fn bar(_: &Request, values: &Values<'_>) -> String {
        values.get_as::<i64>("bar").unwrap().to_string()
    }
    let bp = Blueprint::new("test")
        .add_url_rule(Rule::new("/foo", "foo").default_value("baz", 42), foo)
        .route("/bar", bar);
    let app = App::builder()
        .register_blueprint(bp.clone().url_prefix("/1").url_default("bar", 23))
        .register_blueprint(
            bp.with_name("test2")
                .url_prefix("/2")
                .url_default("bar", 19),
        )
        .build();
    let client = Client::new(app);
    assert_eq!(client.get("/1/foo").send().text(), "23/42");
    assert_eq!(client.get("/2/foo").send().text(), "19/42");
    assert_eq!(client.get("/1/bar").send().text(), "23");
    assert_eq!(client.get("/2/bar").send().text(), "19");
}

#[test]
fn names_are_checked() {
    for name in ["app.ui", ""] {
        let error = App::builder()
            .register_blueprint(Blueprint::new(name))
            .try_build()
            .unwrap_err();
        assert!(error.to_string().contains("blueprint name"), "{error}");
        assert!(error.to_string().contains(file!()), "{error}");
    }
}

#[test]
fn dotted_names_from_app() {
    fn app_index(request: &Request) -> Result<String, Error> {
        Ok(request.url_for("test.index")?)
    }
    fn index(request: &Request) -> Result<String, Error> {
        Ok(request.url_for("app_index")?)
    }
    let test = Blueprint::new("test").route("/test/", index);
    let client = Client::new(
        App::builder()
            .route("/", app_index)
            .register_blueprint(test)
            .build(),
    );
    assert_eq!(client.get("/").send().text(), "/test/");
    assert_eq!(client.get("/test/").send().text(), "/");
}

#[test]
fn empty_url_defaults() {
    fn something(_: &Request, values: &Values<'_>) -> String {
        values.get_as::<i64>("page").unwrap().to_string()
    }
    let bp = Blueprint::new("bp")
        .add_url_rule(
            Rule::new("/", "something").default_value("page", 1),
            something,
        )
        .add_url_rule(Rule::new("/page/<int:page>", "something"), something);
    let client = Client::new(App::builder().register_blueprint(bp).build());
    assert_eq!(client.get("/").send().text(), "1");
    assert_eq!(client.get("/page/2").send().text(), "2");
}

#[test]
fn route_custom_endpoint() {
    fn foo(request: &Request) -> String {
        endpoint(request)
    }
    fn bar_foo(request: &Request) -> String {
        endpoint(request)
    }
    let bp = Blueprint::new("bp")
        .route("/foo", foo)
        .add_url_rule(Rule::new("/bar", "bar").methods([Method::GET]), endpoint)
        .add_url_rule(
            Rule::new("/bar/123", "123").methods([Method::GET]),
            endpoint,
        )
        .route("/bar/foo", bar_foo);
    let app = App::builder()
        .register_blueprint(bp.url_prefix("/py"))
        .add_url_rule(Rule::new("/", "index"), endpoint)
        .build();
    let client = Client::new(app);
    assert_eq!(client.get("/").send().text(), "index");
    assert_eq!(client.get("/py/foo").send().text(), "bp.foo");
    assert_eq!(client.get("/py/bar").send().text(), "bp.bar");
    assert_eq!(client.get("/py/bar/123").send().text(), "bp.123");
    assert_eq!(client.get("/py/bar/foo").send().text(), "bp.bar_foo");
}

#[test]
fn custom_endpoint_with_dots_is_refused() {
    let bp = Blueprint::new("bp").add_url_rule(Rule::new("/", "a.b"), endpoint);
    let error = App::builder()
        .register_blueprint(bp)
        .try_build()
        .unwrap_err();
    assert!(
        error.to_string().contains("may not contain a dot"),
        "{error}"
    );
}

type Events = Arc<Mutex<Vec<String>>>;

fn recorder() -> Events {
    Arc::new(Mutex::new(Vec::new()))
}

fn push(events: &Events, what: &str) {
    events.lock().unwrap().push(what.to_owned());
}

#[test]
fn request_processing() {
    fn request(_: &Request) -> &'static str {
        "request"
    }
    let events = recorder();
    let (before, after, teardown) = (events.clone(), events.clone(), events.clone());
    let bp = Blueprint::new("bp")
        .before_request(move |_: &Request| push(&before, "before"))
        .after_request(move |_: &Request, response: Response| {
            push(&after, "after");
            let body = carafe::wrappers::test::TestResponse::read(response).text();
            Response::text(format!("{body}|after"))
        })
        .teardown_request(move |_: &Request, _: Option<&Error>| push(&teardown, "teardown"))
        .route("/bp", request);
    let client = Client::new(
        App::builder()
            .register_blueprint(bp)
            .route("/app", request)
            .build(),
    );
    assert_eq!(client.get("/bp").send().text(), "request|after");
    assert_eq!(*events.lock().unwrap(), ["before", "after", "teardown"]);
    // The blueprint's hooks are for its own endpoints only.
    assert_eq!(client.get("/app").send().text(), "request");
    assert_eq!(events.lock().unwrap().len(), 3);
}

#[test]
fn app_request_processing() {
    fn request(_: &Request) -> &'static str {
        "request"
    }
    let events = recorder();
    let (before, after, teardown) = (events.clone(), events.clone(), events.clone());
    let bp = Blueprint::new("bp")
        .before_app_request(move |_: &Request| push(&before, "before"))
        .after_app_request(move |_: &Request, response: Response| {
            push(&after, "after");
            let body = carafe::wrappers::test::TestResponse::read(response).text();
            Response::text(format!("{body}|after"))
        })
        .teardown_app_request(move |_: &Request, _: Option<&Error>| push(&teardown, "teardown"));
    let client = Client::new(
        App::builder()
            .register_blueprint(bp)
            .route("/", request)
            .build(),
    );
    assert!(events.lock().unwrap().is_empty());
    assert_eq!(client.get("/").send().text(), "request|after");
    assert_eq!(*events.lock().unwrap(), ["before", "after", "teardown"]);
    assert_eq!(client.get("/").send().text(), "request|after");
    assert_eq!(events.lock().unwrap().len(), 6);
}

#[test]
fn nested_blueprint() {
    fn yes(request: &Request) -> String {
        format!("{} yes", request.endpoint().unwrap())
    }
    let grandchild = Blueprint::new("grandchild")
        .error_handler(403, says("Grandchild no"))
        .route("/", yes)
        .route("/no", forbidden);
    let child = Blueprint::new("child")
        .route("/", yes)
        .route("/no", forbidden)
        .register_blueprint(grandchild.url_prefix("/grandchild"));
    let parent = Blueprint::new("parent")
        .error_handler(403, says("Parent no"))
        .route("/", yes)
        .route("/no", forbidden)
        .register_blueprint(child.url_prefix("/child"));
    let client = Client::new(
        App::builder()
            .register_blueprint(parent.url_prefix("/parent"))
            .build(),
    );
    assert_eq!(client.get("/parent/").send().text(), "parent.yes yes");
    assert_eq!(
        client.get("/parent/child/").send().text(),
        "parent.child.yes yes"
    );
    assert_eq!(
        client.get("/parent/child/grandchild/").send().text(),
        "parent.child.grandchild.yes yes"
    );
    assert_eq!(client.get("/parent/no").send().text(), "Parent no");
    assert_eq!(client.get("/parent/child/no").send().text(), "Parent no");
    assert_eq!(
        client.get("/parent/child/grandchild/no").send().text(),
        "Grandchild no"
    );
}

#[test]
fn nested_callback_order() {
    let events = recorder();
    let before = |name: &'static str| {
        let events = events.clone();
        move |_: &Request| push(&events, name)
    };
    let teardown = |name: &'static str| {
        let events = events.clone();
        move |_: &Request, _: Option<&Error>| push(&events, name)
    };
    let after = |name: &'static str| {
        let events = events.clone();
        move |_: &Request, response: Response| {
            push(&events, name);
            response
        }
    };
    fn a(_: &Request) -> &'static str {
        "a"
    }
    let child = Blueprint::new("child")
        .before_request(before("child_before_1"))
        .before_request(before("child_before_2"))
        .after_request(after("child_after_1"))
        .after_request(after("child_after_2"))
        .teardown_request(teardown("child_teardown_1"))
        .teardown_request(teardown("child_teardown_2"))
        .route("/a", a);
    let parent = Blueprint::new("parent")
        .before_request(before("parent_before_1"))
        .before_request(before("parent_before_2"))
        .after_request(after("parent_after_1"))
        .after_request(after("parent_after_2"))
        .teardown_request(teardown("parent_teardown_1"))
        .teardown_request(teardown("parent_teardown_2"))
        .register_blueprint(child);
    let app = App::builder()
        .before_request(before("app_before_1"))
        .before_request(before("app_before_2"))
        .after_request(after("app_after_1"))
        .after_request(after("app_after_2"))
        .teardown_request(teardown("app_teardown_1"))
        .teardown_request(teardown("app_teardown_2"))
        .register_blueprint(parent)
        .build();
    assert_eq!(Client::new(app).get("/a").send().text(), "a");
    assert_eq!(
        *events.lock().unwrap(),
        [
            "app_before_1",
            "app_before_2",
            "parent_before_1",
            "parent_before_2",
            "child_before_1",
            "child_before_2",
            "child_after_2",
            "child_after_1",
            "parent_after_2",
            "parent_after_1",
            "app_after_2",
            "app_after_1",
            "child_teardown_2",
            "child_teardown_1",
            "parent_teardown_2",
            "parent_teardown_1",
            "app_teardown_2",
            "app_teardown_1",
        ]
    );
}

#[test]
fn nesting_url_prefixes() {
    fn index(_: &Request) -> &'static str {
        "index"
    }
    for (parent_prefix, child_prefix) in [
        (Some("/parent"), Some("/child")),
        (Some("/parent/"), Some("child")),
        (Some("/parent"), Some("/child/")),
    ] {
        let mut child = Blueprint::new("child").route("/", index);
        if let Some(prefix) = child_prefix {
            child = child.url_prefix(prefix);
        }
        let mut parent = Blueprint::new("parent").register_blueprint(child);
        if let Some(prefix) = parent_prefix {
            parent = parent.url_prefix(prefix);
        }
        let client = Client::new(App::builder().register_blueprint(parent).build());
        assert_eq!(client.get("/parent/child/").send().status(), 200);
    }
}

#[test]
fn nesting_subdomains() {
    fn index(_: &Request) -> &'static str {
        "child"
    }
    let child = Blueprint::new("child").route("/child/", index);
    let parent = Blueprint::new("parent").register_blueprint(child);
    let app = App::builder()
        .server_name("example.test")
        .register_blueprint(parent.subdomain("api"))
        .build();
    let client = Client::new(app);
    assert_eq!(
        client.get("http://api.example.test/child/").send().status(),
        200
    );
    assert_eq!(
        client.get("http://example.test/child/").send().status(),
        404
    );
}

#[test]
fn child_and_parent_subdomain() {
    fn index(_: &Request) -> &'static str {
        "child"
    }
    let child = Blueprint::new("child").subdomain("api").route("/", index);
    let parent = Blueprint::new("parent").register_blueprint(child);
    let app = App::builder()
        .server_name("example.test")
        .register_blueprint(parent.subdomain("parent"))
        .build();
    let client = Client::new(app);
    let response = client.get("http://api.parent.example.test/").send();
    assert_eq!(
        (response.status(), response.text()),
        (StatusCode::OK, "child".into())
    );
    assert_eq!(
        client.get("http://parent.example.test/").send().status(),
        404
    );
}

#[test]
fn registering_a_name_twice_is_refused() {
    fn index(_: &Request) -> &'static str {
        ""
    }
    let bp = Blueprint::new("bp").route("/", index);
    let error = App::builder()
        .register_blueprint(bp.clone())
        .register_blueprint(bp.clone().url_prefix("/other"))
        .try_build()
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("a blueprint named 'bp' is already registered")
    );
    let app = App::builder()
        .register_blueprint(bp.clone())
        .register_blueprint(bp.with_name("bp2").url_prefix("/other"))
        .build();
    assert_eq!(
        app.endpoints().collect::<Vec<_>>(),
        ["bp.index", "bp2.index"]
    );
}

#[test]
fn relative_url_for_in_a_blueprint() {
    fn index(request: &Request) -> Result<String, Error> {
        Ok(request.url_for(".about")?)
    }
    fn about(request: &Request) -> Result<String, Error> {
        Ok(request.url_for(".index")?)
    }
    let bp = Blueprint::new("frontend")
        .url_prefix("/de")
        .route("/", index)
        .route("/about", about);
    let client = Client::new(
        App::builder()
            .register_blueprint(bp.clone())
            .register_blueprint(bp.with_name("other").url_prefix("/en"))
            .build(),
    );
    assert_eq!(client.get("/de/").send().text(), "/de/about");
    assert_eq!(client.get("/de/about").send().text(), "/de/");
    assert_eq!(client.get("/en/").send().text(), "/en/about");
}

#[test]
fn blueprint_errors_do_not_catch_routing_404s() {
    let bp = Blueprint::new("bp")
        .url_prefix("/bp")
        .error_handler(404, says("bp"))
        .route("/x", forbidden);
    let client = Client::new(App::builder().register_blueprint(bp).build());
    let response = client.get("/bp/missing").send();
    assert_eq!(response.status(), 404);
    assert!(response.text().contains("Not Found"));
}
