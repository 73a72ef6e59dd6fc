//! Every limit of `Limits`, hit: the status, and a message naming the limit.
//! Nothing is silently truncated.

use std::io::{self, Read};

use carafe_wrappers::test::{FileUpload, RequestBuilder};
use carafe_wrappers::{Body, BodyError, FormError, Limits, Request};

#[test]
fn defaults_are_werkzeugs_and_gunicorns() {
    let limits = Limits::default();
    assert_eq!(limits.max_content_length(), None);
    assert_eq!(limits.max_form_memory_size(), 500_000);
    assert_eq!(limits.max_form_parts(), 1000);
    assert_eq!(limits.max_part_header_size(), 8190);
    assert_eq!(limits.max_cookie_header_size(), 8190);
    assert_eq!(limits.max_query_fields(), 1000);
    assert_eq!(limits.max_form_fields(), 1000);
    assert_eq!(limits.file_memory_threshold(), 500 * 1024);
}

fn form_error(builder: RequestBuilder<'_>, limits: Limits) -> FormError {
    builder.limits(limits).build().form().unwrap_err()
}

#[test]
fn form_limits_give_413_naming_the_limit() {
    let cases = [
        (
            form_error(
                RequestBuilder::post("/").form([("a", "123456789")]),
                Limits::default().with_max_content_length(Some(5)),
            ),
            "request body exceeds max_content_length (5 bytes)",
        ),
        (
            form_error(
                RequestBuilder::post("/").form([("a", "1"), ("b", "2"), ("c", "3")]),
                Limits::default().with_max_form_fields(2),
            ),
            "urlencoded form has more than max_form_fields (2) fields",
        ),
        (
            form_error(
                RequestBuilder::post("/").form([("a", "1".repeat(20))]),
                Limits::default().with_max_form_memory_size(10),
            ),
            "urlencoded form exceeds max_form_memory_size (10 bytes)",
        ),
        (
            form_error(
                RequestBuilder::post("/")
                    .form([("bio", "x".repeat(20))])
                    .file("f", FileUpload::new("f", "x")),
                Limits::default().with_max_form_memory_size(10),
            ),
            "form field `bio` exceeds max_form_memory_size (10 bytes)",
        ),
        (
            form_error(
                RequestBuilder::post("/")
                    .form([("a", "1"), ("b", "2")])
                    .file("f", FileUpload::new("f", "x")),
                Limits::default().with_max_form_parts(2),
            ),
            "multipart body has more than max_form_parts (2) parts",
        ),
        (
            form_error(
                RequestBuilder::post("/").file("f", FileUpload::new("f".repeat(300), "x")),
                Limits::default().with_max_part_header_size(100),
            ),
            "multipart part headers exceed max_part_header_size (100 bytes)",
        ),
    ];
    for (error, message) in cases {
        assert_eq!(error.status(), 413, "{error}");
        assert_eq!(error.to_string(), message);
    }
}

#[test]
fn a_file_over_no_memory_limit_is_fine() {
    let request = RequestBuilder::post("/")
        .file("f", FileUpload::new("big", vec![1u8; 100_000]))
        .limits(
            Limits::default()
                .with_max_form_memory_size(10)
                .with_file_memory_threshold(1000),
        )
        .build();
    let file = request.files().unwrap().get("f").unwrap().clone();
    assert!(file.is_spooled());
    assert_eq!(file.size(), 100_000);
}

// "A chunked body over the limit is a 413, not a cut-off form."
#[test]
fn a_chunked_body_over_the_limit_is_413() {
    let body = format!("a=1&b={}", "x".repeat(1000));
    let request = RequestBuilder::post("/")
        .body(body.clone())
        .content_type("application/x-www-form-urlencoded")
        .chunked()
        .limits(Limits::default().with_max_content_length(Some(100)))
        .build();
    assert!(matches!(
        request.form(),
        Err(FormError::ContentTooLarge { limit: 100 })
    ));

    let request = RequestBuilder::post("/")
        .body(body)
        .content_type("application/x-www-form-urlencoded")
        .chunked()
        .limits(Limits::default().with_max_form_memory_size(100))
        .build();
    assert!(matches!(
        request.form(),
        Err(FormError::UrlencodedTooLarge { limit: 100 })
    ));

    let request = RequestBuilder::post("/")
        .file("f", FileUpload::new("f", vec![0u8; 10_000]))
        .chunked()
        .limits(Limits::default().with_max_content_length(Some(5_000)))
        .build();
    let error = request.files().unwrap_err();
    assert!(
        matches!(error, FormError::ContentTooLarge { limit: 5_000 }),
        "{error:?}"
    );
}

/// A reader that panics if read: the body must not be touched.
struct Untouchable;

impl Read for Untouchable {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        panic!("the body was read");
    }
}

fn absurd(content_type: &str) -> Request {
    let (head, ()) = http::Request::post("/")
        .header("content-type", content_type)
        .header("content-length", "1099511627776")
        .body(())
        .unwrap()
        .into_parts();
    let mut request = Request::from_parts(head, Body::from_reader(Untouchable, Some(1 << 40)));
    request.set_limits(Limits::default().with_max_content_length(Some(16 << 20)));
    request
}

#[test]
fn an_absurd_content_length_is_413_before_reading() {
    let error = absurd("application/x-www-form-urlencoded")
        .form()
        .unwrap_err();
    assert_eq!(error.status(), 413);
    assert_eq!(
        error.to_string(),
        "request body exceeds max_content_length (16777216 bytes)"
    );
    let error = absurd("multipart/form-data; boundary=x")
        .files()
        .unwrap_err();
    assert_eq!(error.status(), 413);
    let error = absurd("application/octet-stream").get_data().unwrap_err();
    assert!(matches!(error, BodyError::TooLarge { limit: 16_777_216 }));
    let error = absurd("application/json")
        .json::<serde_json::Value>()
        .unwrap_err();
    assert_eq!(error.status(), 413);
}

#[test]
fn an_absurd_length_without_a_limit_is_not_allocated() {
    // No max_content_length: the declared 1 TiB is not reserved up front; the
    // short body that really comes is a 400 (it ended early), not an abort.
    let (head, ()) = http::Request::post("/").body(()).unwrap().into_parts();
    let request = Request::from_parts(head, Body::from_reader(&b"tiny"[..], Some(1 << 40)));
    let error = request.get_data().unwrap_err();
    assert!(matches!(error, BodyError::Incomplete { received: 4, .. }));
    assert_eq!(error.status(), 400);
}

#[test]
fn query_fields_limit_is_400() {
    let query: Vec<String> = (0..1001).map(|i| format!("k{i}=v")).collect();
    let request = Request::get(&format!("/?{}", query.join("&")));
    let error = request.args().unwrap_err();
    assert_eq!(error.status(), 400);
    assert_eq!(
        error.to_string(),
        "query string has more than max_query_fields (1000) fields"
    );
    let request = Request::get(&format!("/?{}", query[..1000].join("&")));
    assert_eq!(request.args().unwrap().len(), 1000);
}

#[test]
fn cookie_header_limit_is_431() {
    let big = format!("a={}", "x".repeat(9000));
    let request = RequestBuilder::get("/").header("cookie", &big).build();
    let error = request.cookies().unwrap_err();
    assert_eq!(error.status(), 431);
    assert_eq!(
        error.to_string(),
        "cookie header is 9002 bytes, over max_cookie_header_size (8190 bytes)"
    );

    // Several Cookie headers count together.
    let request = RequestBuilder::get("/")
        .header("cookie", "a=".to_owned() + &"x".repeat(5000))
        .header("cookie", "b=".to_owned() + &"y".repeat(5000))
        .build();
    assert_eq!(request.cookies().unwrap_err().status(), 431);

    let mut request = RequestBuilder::get("/").header("cookie", &big).build();
    request.set_limits(Limits::default().with_max_cookie_header_size(10_000));
    assert_eq!(request.cookies().unwrap().get("a").unwrap().len(), 9000);
}

#[test]
fn invalid_utf8_in_cookies_is_400() {
    let request = RequestBuilder::get("/")
        .header("cookie", &b"a=\xff\xfe"[..])
        .build();
    let error = request.cookies().unwrap_err();
    assert_eq!(error.status(), 400);
}

#[test]
fn a_truncated_body_is_400_not_a_short_form() {
    let (head, ()) = http::Request::post("/")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(())
        .unwrap()
        .into_parts();
    let request = Request::from_parts(head, Body::from_reader(&b"a=1&b=2"[..], Some(100)));
    let error = request.form().unwrap_err();
    assert_eq!(error.status(), 400);
    assert!(
        error.to_string().contains("ended after 7 of 100 bytes"),
        "{error}"
    );
}

#[test]
fn errors_are_given_again_on_later_calls() {
    let request = RequestBuilder::post("/")
        .form([("a", "1"), ("b", "2")])
        .limits(Limits::default().with_max_form_fields(1))
        .build();
    let first = request.form().unwrap_err().to_string();
    assert_eq!(request.form().unwrap_err().to_string(), first);
    assert_eq!(request.files().unwrap_err().to_string(), first);
}

/// A handler in the usual shape: parse errors turn into `HttpError` with `?`.
fn upload(request: &Request) -> Result<carafe_wrappers::Response, carafe_wrappers::HttpError> {
    let title = request.form()?.get("title").cloned().unwrap_or_default();
    let files = request.files()?.len();
    let page: u32 = request
        .args_as::<std::collections::HashMap<String, u32>>()?
        .get("page")
        .copied()
        .unwrap_or(1);
    Ok(carafe_wrappers::Response::text(format!(
        "{title}: {files} files, page {page}"
    )))
}

#[test]
fn parse_errors_reach_the_client_as_error_pages_naming_the_limit() {
    let client = carafe_wrappers::test::Client::new(|request: Request| {
        upload(&request).unwrap_or_else(|error| error.into_response_for(&request))
    });
    let ok = client
        .post("/?page=2")
        .form([("title", "t")])
        .file("f", FileUpload::new("a", "x"))
        .send();
    assert_eq!(ok.text(), "t: 1 files, page 2");

    let fields: Vec<(String, String)> = (0..1001)
        .map(|i| (format!("f{i}"), "v".to_owned()))
        .collect();
    let too_many = client
        .post("/")
        .form(fields)
        .file("f", FileUpload::new("a", "x"))
        .send();
    assert_eq!(too_many.status(), 413);
    assert!(
        too_many
            .text()
            .contains("Multipart body has more than max_form_parts (1000) parts."),
        "{}",
        too_many.text()
    );

    let bad_page = client.post("/?page=two").form([("title", "t")]).send();
    assert_eq!(bad_page.status(), 400);
    assert!(
        bad_page.text().contains("field `page`"),
        "{}",
        bad_page.text()
    );

    let json = client
        .post("/")
        .header("accept", "application/json")
        .body("--x\r\n")
        .content_type("multipart/form-data; boundary=x")
        .send();
    assert_eq!(json.status(), 400);
    assert_eq!(json.header("content-type"), Some("application/json"));
    assert!(json.text().contains("closing boundary"), "{}", json.text());
}
