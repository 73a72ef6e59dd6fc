//! Werkzeug's tests/test_wrappers.py, request side: args, form and data,
//! the body read twice, JSON, values, content type descriptors.

use carafe_wrappers::test::{Client, RequestBuilder};
use carafe_wrappers::{JsonError, MultiDict, Request, Response};

fn pairs(dict: &MultiDict) -> Vec<(&str, &str)> {
    dict.iter().map(|(k, v)| (k, v.as_str())).collect()
}

// test_base_request.
#[test]
fn base_request() {
    let request = RequestBuilder::get("/?foo=bar&foo=hehe").build();
    assert_eq!(
        pairs(request.args().unwrap()),
        [("foo", "bar"), ("foo", "hehe")]
    );
    assert!(request.form().unwrap().is_empty());
    assert_eq!(request.data().unwrap(), "");

    for builder in [
        RequestBuilder::post("/?blub=blah"),
        RequestBuilder::patch("/?blub=blah"),
    ] {
        let request = builder
            .body("foo=blub+hehe&blah=42")
            .content_type("application/x-www-form-urlencoded")
            .build();
        assert_eq!(pairs(request.args().unwrap()), [("blub", "blah")]);
        assert_eq!(
            pairs(request.form().unwrap()),
            [("foo", "blub hehe"), ("blah", "42")]
        );
        assert_eq!(request.data().unwrap(), "");
    }

    let json = r#"{"foo": "bar", "blub": "blah"}"#;
    let request = RequestBuilder::post("/?a=b")
        .body(json)
        .content_type("application/json")
        .build();
    assert_eq!(request.data().unwrap(), json);
    assert_eq!(pairs(request.args().unwrap()), [("a", "b")]);
    assert!(request.form().unwrap().is_empty());
}

// test_query_string_is_bytes: the raw query stays raw.
#[test]
fn query_string_is_raw() {
    let request = Request::get("/?foo=%2f");
    assert_eq!(request.query_string(), "foo=%2f");
    assert_eq!(request.args().unwrap().get("foo").unwrap(), "/");
}

fn form_request() -> Request {
    RequestBuilder::post("/")
        .body("foo=Hello+World")
        .content_type("application/x-www-form-urlencoded")
        .build()
}

// test_data_descriptor_triggers_parsing.
#[test]
fn data_triggers_form_parsing() {
    let request = form_request();
    assert_eq!(request.data().unwrap(), "");
    assert_eq!(request.form().unwrap().get("foo").unwrap(), "Hello World");
}

// test_get_data_method_parsing_caching_behavior.
#[test]
fn get_data_caching_behaviour() {
    // get_data() caches, so the form stays available.
    let request = form_request();
    assert_eq!(request.get_data().unwrap(), "foo=Hello+World");
    assert_eq!(request.form().unwrap().get("foo").unwrap(), "Hello World");
    assert_eq!(request.get_data().unwrap(), "foo=Hello+World");

    // The form first: the parse consumes the stream.
    let request = form_request();
    assert_eq!(request.form().unwrap().get("foo").unwrap(), "Hello World");
    assert_eq!(request.get_data().unwrap(), "");

    // An uncached read (the stream itself) trashes everything.
    let mut request = form_request();
    assert_eq!(request.body_mut().read_all().unwrap(), "foo=Hello+World");
    assert_eq!(request.body_mut().read_all().unwrap(), "");
    assert!(request.form().unwrap().is_empty());

    // data() starts the form parser.
    let request = form_request();
    assert_eq!(request.data().unwrap(), "");
    assert_eq!(request.form().unwrap().get("foo").unwrap(), "Hello World");
}

// test_other_method_payload.
#[test]
fn other_method_payload() {
    let request = RequestBuilder::new(http::Method::from_bytes(b"MADE_UP").unwrap(), "/")
        .body("Hello World")
        .content_type("text/plain")
        .build();
    assert_eq!(request.get_data().unwrap(), "Hello World");
}

// test_values.
#[test]
fn values_combine_args_and_form() {
    let request = RequestBuilder::post("/?a=1")
        .form([("a", "2"), ("b", "2")])
        .build();
    let values = request.values().unwrap();
    assert_eq!(values.get("a").unwrap(), "1");
    assert_eq!(values.get("b").unwrap(), "2");

    let request = RequestBuilder::get("/?a=1")
        .form([("a", "2"), ("b", "2")])
        .build();
    let values = request.values().unwrap();
    assert_eq!(values.get("a").unwrap(), "1");
    assert!(!values.contains_key("b"));
}

// test_common_request_descriptors / test_request_mimetype_always_lowercase.
#[test]
fn content_type_descriptors() {
    let request = RequestBuilder::post("/")
        .content_type("text/html; charset=utf-8")
        .header("content-length", "23")
        .build();
    assert_eq!(
        request.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    assert_eq!(request.mimetype(), "text/html");
    assert_eq!(pairs(&request.mimetype_params()), [("charset", "utf-8")]);
    assert_eq!(request.content_length(), Some(23));
    assert_eq!(
        RequestBuilder::post("/")
            .content_type("APPLICATION/JSON")
            .build()
            .mimetype(),
        "application/json"
    );
}

// TestJSON::test_request.
#[test]
fn json_request() {
    let request = RequestBuilder::post("/")
        .json(&serde_json::json!({"ä": "b"}))
        .build();
    assert_eq!(
        request.json::<serde_json::Value>().unwrap(),
        serde_json::json!({"ä": "b"})
    );
    assert!(
        !request.get_data().unwrap().is_empty(),
        "the JSON read keeps the data"
    );
}

// TestJSON::test_bad_content_type.
#[test]
fn json_bad_content_type() {
    let request = RequestBuilder::post("/")
        .json(&[1, 2, 3])
        .content_type("text/plain")
        .build();
    let error = request.json::<Vec<u8>>().unwrap_err();
    assert!(
        matches!(error, JsonError::UnsupportedMediaType { ref mimetype } if mimetype == "text/plain")
    );
    assert_eq!(error.status(), 415);
    assert_eq!(
        error.to_string(),
        "expected a json body, got content type text/plain"
    );
    assert_eq!(request.force_json::<Vec<u8>>().unwrap(), [1, 2, 3]);
}

// TestJSON::test_bad_data.
#[test]
fn json_bad_data_names_the_position() {
    let request = RequestBuilder::post("/")
        .body(r#"{"a":}"#)
        .content_type("application/json")
        .build();
    let error = request.json::<serde_json::Value>().unwrap_err();
    assert!(matches!(
        error,
        JsonError::Invalid {
            line: 1,
            column: 6,
            ..
        }
    ));
    assert_eq!(error.status(), 400);
    assert_eq!(
        error.to_string(),
        "invalid json at line 1 column 6: expected value"
    );
}

#[test]
fn json_body_over_the_limit_is_413() {
    let request = RequestBuilder::post("/")
        .json(&vec![0u8; 100])
        .limits(carafe_wrappers::Limits::default().with_max_content_length(Some(10)))
        .build();
    let error = request.json::<Vec<u8>>().unwrap_err();
    assert_eq!(error.status(), 413);
    assert_eq!(
        error.to_string(),
        "request body exceeds max_content_length (10 bytes)"
    );
}

// The Werkzeug-shaped application of test_request_application, through the client.
#[test]
fn an_application_reads_what_the_client_sends() {
    let client = Client::new(|request: Request| {
        let args = request.args().unwrap();
        Response::text(format!(
            "{} {} {}",
            request.method(),
            args.get("name").cloned().unwrap_or_default(),
            request
                .cookies()
                .unwrap()
                .get("c")
                .cloned()
                .unwrap_or_default()
        ))
    });
    let response = client
        .get("/")
        .query("name", "Wörld")
        .cookie("c", "v")
        .send();
    assert_eq!(response.text(), "GET Wörld v");
}
