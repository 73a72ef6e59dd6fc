//! HTTP errors (Werkzeug test_exceptions.py).

use std::io::Read;

use carafe_wrappers::headers::{HeaderError, HttpDate, WwwAuthenticate};
use carafe_wrappers::{
    Body, BodyError, HttpError, Request, Response, ResponseBody, RetryAfter, abort,
};
use http::{Method, StatusCode};

fn text(response: Response) -> String {
    match response.into_parts().1 {
        ResponseBody::Bytes(bytes) => String::from_utf8(bytes.to_vec()).unwrap(),
        ResponseBody::Reader { mut reader, .. } => {
            let mut out = String::new();
            reader.read_to_string(&mut out).unwrap();
            out
        }
        other => panic!("unexpected body {other:?}"),
    }
}

/// Every status Werkzeug's exceptions module defines.
const WERKZEUG_STATUSES: [u16; 31] = [
    400, 401, 403, 404, 405, 406, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422,
    423, 424, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505,
];

// Werkzeug test_aborter_general and test_response_body
#[test]
fn every_werkzeug_status_renders_its_page() {
    for code in WERKZEUG_STATUSES {
        let status = StatusCode::from_u16(code).unwrap();
        let error = abort(status);
        assert_eq!(error.status(), status);
        let description = error.description().expect("werkzeug describes every one");
        let html = error.html();
        assert!(
            html.starts_with("<!doctype html>\n<html lang=en>\n"),
            "{code}"
        );
        assert!(html.contains(&format!(
            "<title>{code} {}</title>",
            error.name().replace('\'', "&#39;")
        )));
        let escaped = description.replace('"', "&#34;").replace('\'', "&#39;");
        assert!(html.contains(&format!("<p>{escaped}</p>")), "{code}");
        let response = error.into_page();
        assert_eq!(response.status(), status);
        assert_eq!(
            response.headers()["content-type"],
            "text/html; charset=utf-8"
        );
    }
}

#[test]
fn constructors_name_their_status() {
    let pairs: [(HttpError, u16); 6] = [
        (HttpError::bad_request(), 400),
        (HttpError::not_found(), 404),
        (HttpError::uri_too_long(), 414),
        (HttpError::im_a_teapot(), 418),
        (HttpError::unavailable_for_legal_reasons(), 451),
        (HttpError::http_version_not_supported(), 505),
    ];
    for (error, code) in pairs {
        assert_eq!(error.status().as_u16(), code);
    }
}

// Werkzeug test_exception_repr
#[test]
fn display() {
    assert_eq!(
        HttpError::not_found().to_string(),
        "404 Not Found: The requested URL was not found on the server. If you entered the URL \
         manually please check your spelling and try again."
    );
    assert_eq!(
        HttpError::not_found()
            .with_description("Not There")
            .to_string(),
        "404 Not Found: Not There"
    );
    let unknown = abort(StatusCode::from_u16(599).unwrap());
    assert_eq!(unknown.to_string(), "599 Unknown");
    assert_eq!(unknown.description(), None);
    assert!(unknown.html().contains("<p></p>"));
}

// Werkzeug test_abort_description_markup: descriptions are escaped in pages
#[test]
fn descriptions_are_escaped() {
    let error = HttpError::bad_request().with_description("<script>alert(1)</script>\nline two");
    let html = error.html();
    assert!(!html.contains("<script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;<br>line two"));
    let json: serde_json::Value = serde_json::from_str(&error.json()).unwrap();
    assert_eq!(json["description"], "<script>alert(1)</script>\nline two");
}

// Werkzeug test_method_not_allowed_methods
#[test]
fn method_not_allowed_lists_allow() {
    let error = HttpError::method_not_allowed([Method::GET, Method::HEAD, Method::POST]);
    assert_eq!(error.headers()["allow"], "GET, HEAD, POST");
    assert!(
        error
            .description()
            .unwrap()
            .contains("The method is not allowed")
    );
    assert_eq!(error.into_page().headers()["allow"], "GET, HEAD, POST");
}

// Werkzeug test_unauthorized_www_authenticate
#[test]
fn unauthorized_carries_its_challenges() {
    let basic = WwwAuthenticate::basic("test");
    let digest = WwwAuthenticate::new("digest")
        .with_param("realm", "test")
        .with_param("nonce", "test");
    let error = HttpError::unauthorized([basic.clone()]);
    assert_eq!(
        error.headers()["www-authenticate"],
        basic.to_string().as_str()
    );
    let response = HttpError::unauthorized([digest.clone(), basic.clone()]).into_page();
    let values: Vec<_> = response
        .headers()
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(values, [digest.to_string(), basic.to_string()]);
    assert!(
        HttpError::unauthorized([])
            .headers()
            .get("www-authenticate")
            .is_none()
    );
}

// Werkzeug test_response_header_content_type_should_contain_charset
#[test]
fn pages_declare_their_charset() {
    let response = HttpError::new(StatusCode::IM_A_TEAPOT).into_page();
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
}

// Werkzeug test_retry_after_mixin
#[test]
fn retry_after() {
    let error = HttpError::too_many_requests().with_retry_after(RetryAfter::Seconds(20));
    assert_eq!(error.headers()["retry-after"], "20");
    let date: HttpDate = "Sat, 04 Jan 2020 18:52:16 GMT".parse().unwrap();
    let error = HttpError::service_unavailable().with_retry_after(RetryAfter::Date(date));
    assert_eq!(
        error.headers()["retry-after"],
        "Sat, 04 Jan 2020 18:52:16 GMT"
    );
}

#[test]
fn range_not_satisfiable_names_the_length() {
    let response = HttpError::range_not_satisfiable(Some(11)).into_page();
    assert_eq!(response.headers()["content-range"], "bytes */11");
    assert!(HttpError::range_not_satisfiable(None).headers().is_empty());
}

#[test]
fn limits_are_named() {
    let error = HttpError::payload_too_large("max_form_memory_size", 500_000);
    assert_eq!(error.status(), 413);
    assert!(text(error.into_page()).contains("max_form_memory_size = 500000"));
    let error = HttpError::request_header_fields_too_large("max_cookie_header_size", 8190);
    assert_eq!(error.status(), 431);
    assert!(error.to_string().contains("max_cookie_header_size = 8190"));
}

#[test]
fn body_errors_become_http_errors() {
    let mut body = Body::from("0123456789").with_limit(Some(4));
    let error = HttpError::from(body.read_all().unwrap_err());
    assert_eq!(error.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        error
            .description()
            .unwrap()
            .contains("max_content_length = 4")
    );

    let broken = BodyError::Io(std::io::Error::other("reset"));
    let error = HttpError::from(broken);
    assert_eq!(error.status(), StatusCode::BAD_REQUEST);
    use std::error::Error;
    assert_eq!(
        error.source().unwrap().to_string(),
        "could not read the request body: reset"
    );
}

#[test]
fn header_errors_become_http_errors() {
    let error = HttpError::from(
        "bytes=9-1"
            .parse::<carafe_wrappers::headers::Range>()
            .unwrap_err(),
    );
    assert_eq!(error.status(), 400);
    assert_eq!(
        error.description(),
        Some("Malformed range header: \"bytes=9-1\".")
    );
    let too_many = HttpError::from(HeaderError::TooManyRanges {
        count: 100,
        limit: 64,
    });
    assert_eq!(too_many.status(), 416);
}

fn accepting(accept: &str) -> Request {
    let mut request = Request::get("/");
    request
        .headers_mut()
        .insert("accept", accept.parse().unwrap());
    request
}

#[test]
fn pages_are_negotiated() {
    let json_clients = [
        "application/json",
        "application/json, text/plain, */*",
        "text/html;q=0.5, application/json",
        "application/*",
    ];
    for accept in json_clients {
        let response = HttpError::not_found().into_response_for(&accepting(accept));
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "{accept}"
        );
        assert_eq!(response.headers()["vary"], "Accept");
        let json: serde_json::Value = serde_json::from_str(&text(response)).unwrap();
        assert_eq!(json["code"], 404);
        assert_eq!(json["name"], "Not Found");
        assert!(
            json["description"]
                .as_str()
                .unwrap()
                .starts_with("The requested URL")
        );
    }
    let html_clients = [
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "*/*",
        "",
        "application/json;q=0, text/html",
        "text/html, application/json",
    ];
    for accept in html_clients {
        let response = HttpError::not_found().into_response_for(&accepting(accept));
        assert_eq!(
            response.headers()["content-type"],
            "text/html; charset=utf-8",
            "{accept:?}"
        );
    }
    let plain = HttpError::not_found().into_response_for(&Request::get("/"));
    assert_eq!(plain.headers()["content-type"], "text/html; charset=utf-8");
}

#[test]
fn errors_convert_into_responses() {
    let response: Response = HttpError::gone().into();
    assert_eq!(response.status(), 410);
    fn handler() -> Result<Response, HttpError> {
        Err(abort(StatusCode::CONFLICT))
    }
    let response = handler().unwrap_or_else(Response::from);
    assert_eq!(response.status(), 409);
    let from_status: HttpError = StatusCode::NOT_FOUND.into();
    assert_eq!(
        from_status.description(),
        HttpError::not_found().description()
    );
    assert!(text(response).contains("<h1>Conflict</h1>"));
}

#[test]
fn utility_errors_convert_for_the_question_mark() {
    use carafe_wrappers::{SetCookie, safe_join};
    fn redirect(target: &str) -> Result<Response, HttpError> {
        Ok(Response::redirect(target)?)
    }
    assert_eq!(redirect("/x\r\ny").unwrap_err().status(), 400);
    fn cookie(name: &str) -> Result<Response, HttpError> {
        Response::text("x")
            .with_cookie(SetCookie::new(name, "v"))
            .map_err(HttpError::from)
    }
    assert_eq!(cookie("a b").unwrap_err().status(), 500);
    fn join(path: &str) -> Result<std::path::PathBuf, HttpError> {
        Ok(safe_join("static", path)?)
    }
    assert_eq!(join("../x").unwrap_err().status(), 404);
}
