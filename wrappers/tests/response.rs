//! Response constructors, finishing and cookies (Werkzeug test_wrappers.py,
//! test_http.py cookie dumping).

use std::io::{Cursor, Read};
use std::time::Duration;

use bytes::Bytes;
use carafe_wrappers::headers::{CacheControl, HttpDate};
use carafe_wrappers::{Response, ResponseBody, SameSite, SetCookie, SetCookieError};
use http::{HeaderValue, Method, StatusCode};

fn body(response: Response) -> Vec<u8> {
    match response.into_parts().1 {
        ResponseBody::Empty => Vec::new(),
        ResponseBody::Bytes(bytes) => bytes.to_vec(),
        ResponseBody::Reader { mut reader, .. } => {
            let mut out = Vec::new();
            reader.read_to_end(&mut out).unwrap();
            out
        }
        ResponseBody::Chunks(chunks) => chunks.flat_map(|c| c.unwrap().to_vec()).collect(),
        _ => unreachable!(),
    }
}

#[test]
fn constructors() {
    let json = Response::json(&serde_json::json!({"a": [1, 2]}));
    assert_eq!(json.status(), 200);
    assert_eq!(json.headers()["content-type"], "application/json");
    assert_eq!(body(json), b"{\"a\":[1,2]}\n");
    let html = Response::html("<p>hi</p>");
    assert_eq!(html.headers()["content-type"], "text/html; charset=utf-8");
    let no_content = Response::no_content();
    assert_eq!(no_content.status(), StatusCode::NO_CONTENT);
    assert_eq!(no_content.body().length(), Some(0));
    let reader = Response::from_reader(Cursor::new(b"abc".to_vec()), None);
    assert_eq!(reader.body().length(), None);
    assert_eq!(body(reader), b"abc");
    let chunks =
        Response::from_chunks(vec![Ok(Bytes::from("a")), Ok(Bytes::from("b"))].into_iter());
    assert_eq!(body(chunks), b"ab");
}

#[test]
fn chainable_setters() {
    let date = HttpDate::from_unix_seconds(0).unwrap();
    let response = Response::text("x")
        .with_status(StatusCode::CREATED)
        .with_header("x-a", HeaderValue::from_static("1"))
        .with_last_modified(date)
        .with_cache_control(CacheControl::new().with_no_store());
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["x-a"], "1");
    assert_eq!(response.last_modified(), Some(date));
    assert!(response.cache_control().no_store());
    let cleared = response.with_cache_control(CacheControl::new());
    assert!(!cleared.headers().contains_key("cache-control"));
}

// Werkzeug test_auto_content_length
#[test]
fn content_length_is_set_when_known() {
    let mut response = Response::text("Hello World!");
    response.prepare_for(&Method::GET);
    assert_eq!(response.headers()["content-length"], "12");
    let mut sized = Response::from_reader(Cursor::new(vec![0; 7]), Some(7));
    sized.prepare_for(&Method::GET);
    assert_eq!(sized.headers()["content-length"], "7");
    let mut streamed = Response::from_chunks(std::iter::once(Ok(Bytes::from("x"))));
    streamed.prepare_for(&Method::GET);
    assert!(!streamed.headers().contains_key("content-length"));
    // A stale value is corrected; Transfer-Encoding is the server's business.
    let mut stale = Response::text("abc")
        .with_header("content-length", HeaderValue::from_static("999"))
        .with_header("transfer-encoding", HeaderValue::from_static("chunked"));
    stale.prepare_for(&Method::GET);
    assert_eq!(stale.headers()["content-length"], "3");
    assert!(!stale.headers().contains_key("transfer-encoding"));
}

// Werkzeug test_response_304_no_content_length
#[test]
fn not_modified_has_no_entity_headers() {
    let mut response = Response::text("Test")
        .with_status(StatusCode::NOT_MODIFIED)
        .with_last_modified(HttpDate::from_unix_seconds(0).unwrap())
        .with_header("etag", HeaderValue::from_static("\"a\""))
        .with_header(
            "expires",
            HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"),
        );
    response.prepare_for(&Method::GET);
    for gone in ["content-length", "content-type", "last-modified"] {
        assert!(!response.headers().contains_key(gone), "{gone}");
    }
    for kept in ["etag", "expires"] {
        assert!(response.headers().contains_key(kept), "{kept}");
    }
    assert!(body(response).is_empty());
}

// Werkzeug test_204_and_1XX_response_has_no_content_length / test_malformed_204_response_has_no_content_length
#[test]
fn no_content_and_informational_have_no_body() {
    for status in [StatusCode::NO_CONTENT, StatusCode::CONTINUE] {
        let mut response = Response::text("test").with_status(status);
        assert_eq!(response.body().length(), Some(4));
        response.prepare_for(&Method::GET);
        assert_eq!(response.status(), status);
        assert!(!response.headers().contains_key("content-length"));
        assert!(body(response).is_empty(), "the data must not be sent");
    }
}

#[test]
fn head_keeps_the_get_headers() {
    let mut response = Response::from_reader(Cursor::new(vec![1; 100]), Some(100));
    response.prepare_for(&Method::HEAD);
    assert_eq!(response.headers()["content-length"], "100");
    assert!(matches!(response.body(), ResponseBody::Empty));
}

// Werkzeug test_location_header_autocorrect (autocorrect off, the default since 2.1)
#[test]
fn location_stays_as_given() {
    let mut response =
        Response::text("Hello World!").with_header("location", HeaderValue::from_static("/test"));
    response.prepare_for(&Method::GET);
    assert_eq!(response.headers()["location"], "/test");
    let relative = Response::redirect("../test").unwrap();
    assert_eq!(relative.headers()["location"], "../test");
}

fn cookie(value: &SetCookie) -> String {
    value
        .to_header_value()
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned()
}

/// Werkzeug's defaults (no HttpOnly, no SameSite), to port its cases.
fn werkzeug_like(name: &str, value: &str) -> SetCookie {
    SetCookie::new(name, value)
        .with_http_only(false)
        .with_same_site(None)
}

// Werkzeug TestSetCookie::test_secure / test_httponly / test_secure_and_httponly / test_samesite
#[test]
fn set_cookie_attributes() {
    let base = || {
        werkzeug_like("foo", "bar")
            .with_max_age(Duration::from_secs(60))
            .with_expires(HttpDate::from_unix_seconds(0).unwrap())
            .with_path(Some("/blub"))
            .with_domain("example.org")
    };
    let prefix = "foo=bar; Domain=example.org; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60";
    assert_eq!(
        cookie(&base().with_secure(true)),
        format!("{prefix}; Secure; Path=/blub")
    );
    assert_eq!(
        cookie(&base().with_http_only(true)),
        format!("{prefix}; HttpOnly; Path=/blub")
    );
    assert_eq!(
        cookie(&base().with_secure(true).with_http_only(true)),
        format!("{prefix}; Secure; HttpOnly; Path=/blub")
    );
    assert_eq!(
        cookie(&base().with_same_site(Some(SameSite::Strict))),
        format!("{prefix}; Path=/blub; SameSite=Strict")
    );
    let mut response = Response::text("x");
    response.set_cookie(base().with_secure(true)).unwrap();
    assert_eq!(
        response.headers()["set-cookie"],
        format!("{prefix}; Secure; Path=/blub").as_str()
    );
}

// Werkzeug test_dump_cookie (max_age without expires adds a synced Expires)
#[test]
fn max_age_syncs_expires() {
    let value =
        cookie(&werkzeug_like("foo", "bar baz blub").with_max_age(Duration::from_secs(360)));
    let parts: Vec<&str> = value.split("; ").collect();
    assert_eq!(parts[0], r#"foo="bar baz blub""#);
    let expires: HttpDate = parts[1].strip_prefix("Expires=").unwrap().parse().unwrap();
    let delta = expires.unix_seconds() - HttpDate::now().unix_seconds();
    assert!((358..=360).contains(&delta), "{delta}");
    assert_eq!(&parts[2..], ["Max-Age=360", "Path=/"]);
}

// Werkzeug test_cookie_samesite_attribute / test_cookie_partitioned(_sets_secure)
#[test]
fn same_site_and_partitioned() {
    for (same_site, expected) in [
        (Some(SameSite::Strict), "foo=bar; SameSite=Strict"),
        (Some(SameSite::Lax), "foo=bar; SameSite=Lax"),
        (Some(SameSite::None), "foo=bar; SameSite=None"),
        (None, "foo=bar"),
    ] {
        let value = werkzeug_like("foo", "bar")
            .with_same_site(same_site)
            .with_path(None);
        assert_eq!(cookie(&value), expected);
    }
    for secure in [true, false] {
        let value = werkzeug_like("foo", "bar")
            .with_partitioned(true)
            .with_secure(secure);
        assert_eq!(cookie(&value), "foo=bar; Secure; Path=/; Partitioned");
    }
}

// Werkzeug test_cookie_domain_resolving / test_cookie_domain_encoding
#[test]
fn cookie_domains() {
    assert_eq!(
        cookie(&werkzeug_like("foo", "bar").with_domain("\u{2603}.com")),
        "foo=bar; Domain=xn--n3h.com; Path=/"
    );
    assert_eq!(
        cookie(&werkzeug_like("foo", "bar").with_domain("foo.com")),
        "foo=bar; Domain=foo.com; Path=/"
    );
}

// Werkzeug test_cookie_unicode_dumping and the value quoting of test_cookie_quoting
#[test]
fn values_are_quoted_like_werkzeug() {
    assert_eq!(
        cookie(&werkzeug_like("foo", "\u{2603}")),
        r#"foo="\342\230\203"; Path=/"#
    );
    assert_eq!(
        cookie(&werkzeug_like("foo", "foo,bar")),
        r#"foo="foo\054bar"; Path=/"#
    );
    assert_eq!(cookie(&werkzeug_like("key", "xxx/")), "key=xxx/; Path=/");
}

#[test]
fn safe_defaults() {
    assert_eq!(
        cookie(&SetCookie::new("id", "1")),
        "id=1; HttpOnly; Path=/; SameSite=Lax"
    );
}

#[test]
fn delete_cookie() {
    let mut response = Response::text("bye");
    response.delete_cookie("session").unwrap();
    response
        .set_cookie(
            SetCookie::removal("pref")
                .with_path(Some("/app"))
                .with_domain("example.org"),
        )
        .unwrap();
    let values: Vec<_> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        values,
        [
            "session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/; SameSite=Lax",
            "pref=; Domain=example.org; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/app; SameSite=Lax",
        ]
    );
    assert!(matches!(
        response.delete_cookie("bad name"),
        Err(SetCookieError::InvalidName { .. })
    ));
}

#[test]
fn cookie_errors_leave_the_response_alone() {
    let mut response = Response::text("x");
    assert!(response.set_cookie(SetCookie::new("a;b", "c")).is_err());
    assert!(
        response
            .set_cookie(SetCookie::new("a", "c").with_domain("evil;x"))
            .is_err()
    );
    assert!(
        response
            .set_cookie(SetCookie::new("a", "x".repeat(5000)))
            .is_err()
    );
    assert!(!response.headers().contains_key("set-cookie"));
    let error = SetCookie::new("big", "x".repeat(5000))
        .to_header_value()
        .unwrap_err();
    assert!(error.to_string().contains("limit: 4093"));
    assert!(
        SetCookie::new("big", "x".repeat(5000))
            .with_max_size(0)
            .to_header_value()
            .is_ok()
    );
}

// What `set_cookie` writes, the request side's `parse_cookie` (Werkzeug's
// rules) reads back unchanged, injection attempts included.
#[test]
fn cookies_round_trip_through_the_request_parser() {
    for value in [
        "a\r\nX-Injected: 1",
        "a; Domain=evil.example; Path=/",
        "\u{2603} snow",
        "q\"uo\\te",
        "foo,bar",
        "plain",
        "",
    ] {
        let header = SetCookie::new("c", value).to_header_value().unwrap();
        let pair = header
            .to_str()
            .unwrap()
            .split("; HttpOnly")
            .next()
            .unwrap()
            .to_owned();
        let parsed = carafe_wrappers::cookies::parse_cookie(&pair);
        assert_eq!(parsed.get("c").unwrap(), value, "{pair}");
    }
}
