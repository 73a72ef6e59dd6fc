//! The request's typed header accessors (Werkzeug test_wrappers.py).

use carafe_wrappers::Request;
use carafe_wrappers::headers::{HeaderError, HttpDate, IfRange};
use http::HeaderValue;

fn request_with(headers: &[(&'static str, &str)]) -> Request {
    let mut request = Request::get("/");
    for (name, value) in headers {
        request
            .headers_mut()
            .append(*name, HeaderValue::from_str(value).unwrap());
    }
    request
}

// Werkzeug test_etag_request
#[test]
fn conditional_headers() {
    let request = request_with(&[
        ("cache-control", "no-store, no-cache"),
        ("if-match", r#"W/"foo", bar, "baz""#),
        ("if-none-match", r#"W/"foo", bar, "baz""#),
        ("if-modified-since", "Tue, 22 Jan 2008 11:18:44 GMT"),
        ("if-unmodified-since", "Tue, 22 Jan 2008 11:18:44 GMT"),
    ]);
    assert!(request.cache_control().no_store());
    assert!(request.cache_control().no_cache());
    for tags in [request.if_match(), request.if_none_match()] {
        assert!(tags.contains("bar"));
        assert!(tags.contains_raw(r#"W/"foo""#));
        assert!(tags.contains_weak("foo"));
        assert!(!tags.contains("foo"));
    }
    let date: HttpDate = "Tue, 22 Jan 2008 11:18:44 GMT".parse().unwrap();
    assert_eq!(request.if_modified_since(), Some(date));
    assert_eq!(request.if_unmodified_since(), Some(date));
}

#[test]
fn absent_and_malformed_headers_read_as_empty() {
    let request = request_with(&[
        ("if-none-match", r#""unterminated"#),
        ("if-modified-since", "yesterday"),
        ("authorization", "Basic !!!"),
        ("cache-control", r#"a="b"#),
        ("if-range", ""),
    ]);
    assert!(request.if_none_match().is_empty());
    assert!(request.if_match().is_empty());
    assert_eq!(request.if_modified_since(), None);
    assert_eq!(request.authorization(), None);
    assert!(request.cache_control().is_empty());
    assert_eq!(request.if_range(), None);
    assert!(request.user_agent().is_empty());
    assert!(request.accept_charset().is_empty());
}

// Werkzeug test_ranges (request side)
#[test]
fn range() {
    assert_eq!(Request::get("/").range(), Ok(None));
    let request = request_with(&[("range", "bytes=0-499")]);
    let range = request.range().unwrap().unwrap();
    assert_eq!(range.satisfiable(1000), [(0, 499)]);
    let bad = request_with(&[("range", "bytes=-")]);
    assert!(matches!(bad.range(), Err(HeaderError::Malformed { .. })));
    let if_range = request_with(&[("if-range", "Thu, 01 Jan 1970 00:00:00 GMT")]);
    assert_eq!(
        if_range.if_range(),
        Some(IfRange::Date(HttpDate::from_unix_seconds(0).unwrap()))
    );
}

// Werkzeug test_authorization / test_authorization_with_unicode
#[test]
fn authorization() {
    let request = request_with(&[("authorization", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")]);
    let auth = request.authorization().unwrap();
    assert_eq!(auth.scheme(), "basic");
    assert_eq!(auth.username(), Some("Aladdin"));
    assert_eq!(auth.password(), Some("open sesame"));
    let request = request_with(&[(
        "authorization",
        "Basic 0YDRg9GB0YHQutC40IE60JHRg9C60LLRiw==",
    )]);
    let auth = request.authorization().unwrap();
    assert_eq!(
        (auth.username(), auth.password()),
        (Some("русскиЁ"), Some("Буквы"))
    );
    let request = request_with(&[("authorization", "Bearer eyJhbGciOi.eyJzdWIi.SflKxw")]);
    assert_eq!(
        request.authorization().unwrap().token(),
        Some("eyJhbGciOi.eyJzdWIi.SflKxw")
    );
}

// Werkzeug test_user_agent
#[test]
fn user_agent() {
    let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:94.0) Gecko/20100101 Firefox/94.0";
    let request = request_with(&[("user-agent", ua)]);
    assert_eq!(request.user_agent().as_str(), ua);
    assert_eq!(request.user_agent().to_string(), ua);
}

// Werkzeug test_access_route
#[test]
fn access_route() {
    let mut request = request_with(&[("x-forwarded-for", "192.168.1.2, 192.168.1.1")]);
    request.set_remote_addr(Some("192.168.1.3:50000".parse().unwrap()));
    assert_eq!(request.access_route(), ["192.168.1.2", "192.168.1.1"]);
    assert_eq!(
        request.remote_addr().unwrap().ip().to_string(),
        "192.168.1.3"
    );

    let mut request = Request::get("/");
    request.set_remote_addr(Some("192.168.1.3:50000".parse().unwrap()));
    assert_eq!(request.access_route(), ["192.168.1.3"]);
    assert!(Request::get("/").access_route().is_empty());

    // Several lines are one list; entries are given as they came.
    let request = request_with(&[
        ("x-forwarded-for", "203.0.113.9"),
        ("x-forwarded-for", "10.0.0.1, [2001:db8::1]"),
    ]);
    assert_eq!(
        request.access_route(),
        ["203.0.113.9", "10.0.0.1", "[2001:db8::1]"]
    );
}

#[test]
fn is_secure_follows_the_scheme() {
    let mut request = Request::get("/");
    assert!(!request.is_secure());
    request.set_scheme(http::uri::Scheme::HTTPS);
    assert!(request.is_secure());
    request.set_scheme("wss".parse().unwrap());
    assert!(request.is_secure());
    // X-Forwarded-Proto alone changes nothing: trusting it is middleware's job.
    let forwarded = request_with(&[("x-forwarded-proto", "https")]);
    assert!(!forwarded.is_secure());
}
