//! Hooks and error handlers: order, early answers, error handlers by status
//! and by type, teardown with the error, panics (Flask's `test_basic.py`
//! and `test_user_error_handler.py`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use carafe::prelude::*;
use carafe::wrappers::test::Client;

#[derive(Debug)]
struct ZeroDivision;
impl std::fmt::Display for ZeroDivision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("division by zero")
    }
}
impl std::error::Error for ZeroDivision {}

fn fails(_: &Request) -> Result<&'static str, Error> {
    Err(ZeroDivision.into())
}

fn not_found(_: &Request) -> Result<&'static str, HttpError> {
    Err(HttpError::not_found())
}

fn forbidden(_: &Request) -> Result<&'static str, HttpError> {
    Err(HttpError::forbidden())
}

fn hello(_: &Request) -> &'static str {
    "42"
}

#[test]
fn request_processing() {
    let events = Arc::new(Mutex::new(Vec::new()));
    let (before, after) = (events.clone(), events.clone());
    let app = App::builder()
        .before_request(move |_: &Request| before.lock().unwrap().push("before"))
        .after_request(move |_: &Request, mut response: Response| {
            after.lock().unwrap().push("after");
            response
                .headers_mut()
                .insert("x-after", "1".parse().unwrap());
            response
        })
        .route("/", hello)
        .build();
    let response = Client::new(app).get("/").send();
    assert_eq!(response.text(), "42");
    assert_eq!(response.header("x-after"), Some("1"));
    assert_eq!(*events.lock().unwrap(), ["before", "after"]);
}

#[test]
fn before_request_can_answer_early() {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let reached = calls.clone();
    let app = App::builder()
        .before_request({
            let calls = calls.clone();
            move |_: &Request| calls.lock().unwrap().push(1)
        })
        .before_request({
            let calls = calls.clone();
            move |_: &Request| -> Option<&'static str> {
                calls.lock().unwrap().push(2);
                Some("hello")
            }
        })
        .before_request({
            let calls = calls.clone();
            move |_: &Request| -> Option<&'static str> {
                calls.lock().unwrap().push(3);
                Some("bye")
            }
        })
        .add_url_rule(
            carafe::routing::Rule::new("/", "index"),
            move |_: &Request| {
                reached.lock().unwrap().push(99);
                "index"
            },
        )
        .build();
    assert_eq!(Client::new(app).get("/").send().text(), "hello");
    assert_eq!(*calls.lock().unwrap(), [1, 2]);
}

#[test]
fn a_closure_needs_an_endpoint() {
    let error = App::builder()
        .route("/", |_: &Request| "index")
        .try_build()
        .unwrap_err();
    assert!(error.to_string().contains("is a closure"), "{error}");
    assert!(error.to_string().contains(file!()), "{error}");
}

#[test]
fn before_after_request_order() {
    let called = Arc::new(Mutex::new(Vec::new()));
    let push = |n: u32| {
        let called = called.clone();
        move || called.lock().unwrap().push(n)
    };
    let (b1, b2, a1, a2, t1, t2) = (push(1), push(2), push(4), push(3), push(6), push(5));
    let app = App::builder()
        .before_request(move |_: &Request| b1())
        .before_request(move |_: &Request| b2())
        .after_request(move |_: &Request, r: Response| {
            a1();
            r
        })
        .after_request(move |_: &Request, r: Response| {
            a2();
            r
        })
        .teardown_request(move |_: &Request, _: Option<&Error>| t1())
        .teardown_request(move |_: &Request, _: Option<&Error>| t2())
        .route("/", hello)
        .build();
    assert_eq!(Client::new(app).get("/").send().text(), "42");
    assert_eq!(*called.lock().unwrap(), [1, 2, 3, 4, 5, 6]);
}

#[test]
fn teardown_sees_the_error_that_ended_the_request() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (one, two) = (seen.clone(), seen.clone());
    let app = App::builder()
        .teardown_request(move |_: &Request, error: Option<&Error>| {
            one.lock()
                .unwrap()
                .push(error.is_some_and(|e| e.is::<ZeroDivision>()));
        })
        .teardown_request(move |_: &Request, error: Option<&Error>| {
            two.lock()
                .unwrap()
                .push(error.is_some_and(|e| e.is::<ZeroDivision>()));
            panic!("a teardown that fails is logged, not fatal");
        })
        .route("/", fails)
        .route("/nf", not_found)
        .build();
    let client = Client::new(app);
    let response = client.get("/").send();
    assert_eq!(response.status(), 500);
    assert!(response.text().contains("Internal Server Error"));
    assert_eq!(*seen.lock().unwrap(), [true, true]);
    // An HTTP error is an answer, not a failure: teardown sees none.
    assert_eq!(client.get("/nf").send().status(), 404);
    assert_eq!(*seen.lock().unwrap(), [true, true, false, false]);
}

#[test]
fn error_handling() {
    let app = App::builder()
        .error_handler(404, |_: &Error, _: &Request| {
            (StatusCode::NOT_FOUND, "not found")
        })
        .error_handler(500, |_: &Error, _: &Request| {
            (StatusCode::INTERNAL_SERVER_ERROR, "internal server error")
        })
        .error_handler_for(|_: &HttpError, _: &Request| (StatusCode::FORBIDDEN, "forbidden"))
        .route("/", not_found)
        .route("/error", fails)
        .route("/forbidden", forbidden)
        .build();
    let client = Client::new(app);
    let response = client.get("/").send();
    assert_eq!(
        (response.status(), response.text()),
        (StatusCode::NOT_FOUND, "not found".into())
    );
    let response = client.get("/error").send();
    assert_eq!(
        (response.status(), response.text()),
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal server error".into()
        )
    );
    let response = client.get("/forbidden").send();
    assert_eq!(
        (response.status(), response.text()),
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
    // Routing errors go to the handlers too.
    assert_eq!(client.get("/missing").send().text(), "not found");
}

#[test]
fn error_handling_processing() {
    let app = App::builder()
        .error_handler(500, |_: &Error, _: &Request| {
            (StatusCode::INTERNAL_SERVER_ERROR, "internal server error")
        })
        .after_request(|_: &Request, mut response: Response| {
            response
                .headers_mut()
                .insert("content-type", "text/x-special".parse().unwrap());
            response
        })
        .route("/", fails)
        .build();
    let response = Client::new(app).get("/").send();
    assert_eq!(response.header("content-type"), Some("text/x-special"));
    assert_eq!(response.text(), "internal server error");
}

#[test]
fn before_request_and_routing_errors() {
    let app = App::builder()
        .before_request(|request: &Request| {
            request.session().is_empty();
        })
        .error_handler(404, |_: &Error, request: &Request| {
            (
                StatusCode::NOT_FOUND,
                format!("endpoint {:?}", request.endpoint()),
            )
        })
        .build();
    let response = Client::new(app).get("/").send();
    assert_eq!(response.status(), 404);
    assert_eq!(response.text(), "endpoint None");
}

#[test]
fn user_error_handling() {
    let app = App::builder()
        .error_handler_for(|error: &ZeroDivision, _: &Request| format!("caught {error}"))
        .route("/", fails)
        .build();
    let response = Client::new(app).get("/").send();
    assert_eq!(
        (response.status(), response.text()),
        (StatusCode::OK, "caught division by zero".into())
    );
}

#[test]
fn error_handler_after_processor_error() {
    for trigger in ["before", "after"] {
        let app = App::builder()
            .before_request(move |_: &Request| {
                assert_ne!(trigger, "before", "boom before");
            })
            .after_request(move |_: &Request, response: Response| {
                assert_ne!(trigger, "after", "boom after");
                response
            })
            .route("/", hello)
            .error_handler(500, |_: &Error, _: &Request| {
                (StatusCode::INTERNAL_SERVER_ERROR, "Hello Server Error")
            })
            .build();
        let response = Client::new(app).get("/").send();
        assert_eq!(response.status(), 500, "{trigger}");
        assert_eq!(response.text(), "Hello Server Error", "{trigger}");
    }
}

#[test]
fn an_error_in_an_error_handler_is_a_500() {
    let app = App::builder()
        .error_handler(
            404,
            |_: &Error, _: &Request| -> Result<&'static str, Error> {
                Err(Error::msg("the 404 page is broken"))
            },
        )
        .build();
    let response = Client::new(app).get("/missing").send();
    assert_eq!(response.status(), 500);
}

#[test]
fn http_errors_are_negotiated() {
    let client = Client::new(App::builder().route("/", not_found).build());
    let response = client.get("/").header("accept", "application/json").send();
    assert_eq!(response.status(), 404);
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(response.json::<serde_json::Value>()["code"], 404);
    let response = client.get("/").send();
    assert_eq!(
        response.header("content-type"),
        Some("text/html; charset=utf-8")
    );
}

#[test]
fn toolkit_client_errors_keep_their_status() {
    fn form(request: &Request) -> Result<String, Error> {
        Ok(request.form()?.len().to_string())
    }
    fn json(request: &Request) -> Result<String, Error> {
        let value: serde_json::Value = request.json()?;
        Ok(value.to_string())
    }
    let app = App::builder()
        .max_content_length(10)
        .post("/form", form)
        .post("/json", json)
        .build();
    let client = Client::new(app);
    let response = client.post("/form").form([("a", "x".repeat(20))]).send();
    assert_eq!(response.status(), 413);
    let response = client
        .post("/json")
        .body("{}")
        .content_type("text/plain")
        .send();
    assert_eq!(response.status(), 415);
    let response = client
        .post("/json")
        .body("{x")
        .content_type("application/json")
        .send();
    assert_eq!(response.status(), 400);
}

#[test]
fn propagation_in_testing_mode() {
    fn boom(_: &Request) -> &'static str {
        panic!("propagated")
    }
    let torn_down = Arc::new(AtomicUsize::new(0));
    let count = torn_down.clone();
    let app = App::builder()
        .testing(true)
        .teardown_request(move |_: &Request, _: Option<&Error>| {
            count.fetch_add(1, Ordering::Relaxed);
        })
        .route("/", boom)
        .build();
    let client = Client::new(app);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| client.get("/").send()));
    let payload = outcome.unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"propagated"));
    assert_eq!(torn_down.load(Ordering::Relaxed), 1);
}
