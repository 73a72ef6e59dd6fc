//! Conditional and range responses (Werkzeug test_wrappers.py and
//! test_http.py::test_is_resource_modified*).

use std::io::{Cursor, Read};
use std::time::Duration;

use bytes::Bytes;
use carafe_wrappers::headers::{CacheControl, EntityTag, HttpDate};
use carafe_wrappers::{Decision, Request, Response, ResponseBody, Validators, evaluate};
use http::{HeaderMap, HeaderValue, Method, StatusCode};

fn request(method: Method, headers: &[(&'static str, &str)]) -> Request {
    let (mut head, ()) = http::Request::builder()
        .method(method)
        .uri("/")
        .body(())
        .unwrap()
        .into_parts();
    for (name, value) in headers {
        head.headers
            .append(*name, HeaderValue::from_str(value).unwrap());
    }
    Request::from_parts(head, carafe_wrappers::Body::empty())
}

fn get(headers: &[(&'static str, &str)]) -> Request {
    request(Method::GET, headers)
}

fn body(response: Response) -> Vec<u8> {
    let (_, body) = response.into_parts();
    match body {
        ResponseBody::Empty => Vec::new(),
        ResponseBody::Bytes(bytes) => bytes.to_vec(),
        ResponseBody::Reader { mut reader, length } => {
            let mut out = Vec::new();
            reader.read_to_end(&mut out).unwrap();
            if let Some(length) = length {
                assert_eq!(out.len() as u64, length, "declared length");
            }
            out
        }
        ResponseBody::Chunks(chunks) => chunks.flat_map(|c| c.unwrap().to_vec()).collect(),
        _ => unreachable!(),
    }
}

fn hello_with_etag() -> Response {
    let mut response = Response::text("Hello World");
    assert_eq!(response.etag(), None);
    assert!(response.add_etag());
    let cc = CacheControl::new()
        .with_must_revalidate()
        .with_max_age(Duration::from_secs(60));
    let mut response = response.with_cache_control(cc);
    response
        .headers_mut()
        .insert("content-length", HeaderValue::from_static("11"));
    assert_eq!(
        response.headers()["cache-control"],
        "must-revalidate, max-age=60"
    );
    response
}

// Werkzeug test_etag_response
#[test]
fn if_none_match_gives_304() {
    let response = hello_with_etag();
    let etag = response.etag().unwrap();
    assert!(!response.headers().contains_key("date"));
    let request = get(&[("if-none-match", &etag.to_string())]);
    let mut response = response.make_conditional(&request);
    assert!(response.headers().contains_key("date"));
    response.prepare_for(request.method());
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
    assert!(!response.headers().contains_key("content-length"));
    assert!(!response.headers().contains_key("content-type"));
    assert_eq!(response.headers()["etag"], etag.to_string().as_str());
    assert!(body(response).is_empty());

    // The date is not overridden.
    let date = HttpDate::from_unix_seconds(1337).unwrap().to_string();
    let response = Response::text("Hello World")
        .with_header("date", HeaderValue::from_str(&date).unwrap())
        .make_conditional(&request);
    assert_eq!(response.headers()["date"], date.as_str());

    // The content length is only set when missing (prepare_for corrects it later).
    let mut response = Response::text("Hello World")
        .with_header("content-length", HeaderValue::from_static("999"))
        .make_conditional(&request);
    assert_eq!(response.headers()["content-length"], "999");
    response.prepare_for(&Method::GET);
    assert_eq!(response.headers()["content-length"], "11");
}

// Werkzeug test_etag_response_412
#[test]
fn if_match_mismatch_gives_412_with_the_body() {
    let response = hello_with_etag();
    let etag = response.etag().unwrap();
    let request = get(&[("if-match", &format!(r#""{}xyz""#, etag.tag()))]);
    let mut response = response.make_conditional(&request);
    assert!(response.headers().contains_key("date"));
    response.prepare_for(request.method());
    assert_eq!(response.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(body(response), b"Hello World");
}

// Werkzeug test_etag_response_freezing / generate_etag: a strong hash of the data
#[test]
fn add_etag_hashes_the_body() {
    let mut a = Response::text("Hello World");
    let mut b = Response::html("Hello World");
    let mut c = Response::text("Hello World!");
    assert!(a.add_etag() && b.add_etag() && c.add_etag());
    assert_eq!(a.etag(), b.etag());
    assert_ne!(a.etag(), c.etag());
    assert!(!a.etag().unwrap().is_weak());
    // An existing tag is kept; a stream is not read.
    let mut tagged = Response::text("x").with_etag(&EntityTag::weak("mine").unwrap());
    assert!(tagged.add_etag());
    assert_eq!(tagged.etag(), EntityTag::weak("mine").ok());
    let mut stream = Response::from_reader(Cursor::new(b"abc".to_vec()), Some(3));
    assert!(!stream.add_etag());
    assert_eq!(stream.etag(), None);
}

// Werkzeug test_advertise_accept_ranges
#[test]
fn accept_ranges_is_advertised_when_the_length_is_known() {
    let response = Response::empty(StatusCode::OK).make_conditional(&get(&[]));
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["accept-ranges"], "bytes");
    assert!(!response.headers().contains_key("content-range"));
    let chunks = std::iter::once(Ok(Bytes::from_static(b"x")));
    let streamed = Response::from_chunks(chunks).make_conditional(&get(&[]));
    assert!(!streamed.headers().contains_key("accept-ranges"));
}

// Werkzeug test_range_request_basic
#[test]
fn single_range() {
    let response = Response::text("Hello World").make_conditional(&get(&[("range", "bytes=0-4")]));
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(response.headers()["accept-ranges"], "bytes");
    assert_eq!(response.headers()["content-range"], "bytes 0-4/11");
    assert_eq!(response.headers()["content-length"], "5");
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    assert_eq!(body(response), b"Hello");
}

// Werkzeug test_range_request_out_of_bound
#[test]
fn range_past_the_end_is_clipped() {
    let response =
        Response::text("Hello World").make_conditional(&get(&[("range", "bytes=6-666")]));
    assert_eq!(response.status(), 206);
    assert_eq!(response.headers()["content-range"], "bytes 6-10/11");
    assert_eq!(response.headers()["content-length"], "5");
    assert_eq!(body(response), b"World");
}

// Werkzeug test_range_request_with_file / test_range_request_with_complete_file
#[test]
fn ranges_of_a_reader() {
    let content = b"Hello World, from a reader".to_vec();
    let length = content.len() as u64;
    for (range, expected, content_range) in [
        ("bytes=0-0", &content[..1], "bytes 0-0/26".to_owned()),
        (
            &format!("bytes=0-{}", length - 1)[..],
            &content[..],
            format!("bytes 0-{}/{length}", length - 1),
        ),
        ("bytes=-6", &content[20..], "bytes 20-25/26".to_owned()),
    ] {
        let response = Response::from_reader(Cursor::new(content.clone()), Some(length))
            .make_conditional(&get(&[("range", range)]));
        assert_eq!(response.status(), 206, "{range}");
        assert_eq!(response.headers()["content-range"], content_range.as_str());
        assert_eq!(
            response.headers()["content-length"],
            expected.len().to_string().as_str()
        );
        assert_eq!(body(response), expected);
    }
}

// Werkzeug test_range_request_without_complete_length
#[test]
fn no_ranges_without_a_known_nonzero_length() {
    let empty = Response::empty(StatusCode::OK).make_conditional(&get(&[("range", "bytes=0-10")]));
    assert_eq!(empty.status(), 200);
    let unknown = Response::from_reader(Cursor::new(b"Hello World".to_vec()), None)
        .make_conditional(&get(&[("range", "bytes=0-10")]));
    assert_eq!(unknown.status(), 200);
    assert_eq!(body(unknown), b"Hello World");
}

// Werkzeug test_invalid_range_request
#[test]
fn invalid_and_unsatisfiable_ranges_give_416() {
    for range in [
        "bytes=-",
        "bytes=11-",
        "bytes=20-30",
        "bytes=5-1",
        "bytes=0-1,0-2",
    ] {
        let response = Response::text("Hello World").make_conditional(&get(&[("range", range)]));
        assert_eq!(
            response.status(),
            StatusCode::RANGE_NOT_SATISFIABLE,
            "{range}"
        );
        assert_eq!(response.headers()["content-range"], "bytes */11");
    }
    // A unit other than bytes is ignored.
    let response = Response::text("Hello World").make_conditional(&get(&[("range", "items=0-1")]));
    assert_eq!(response.status(), 200);
}

/// Splits a `multipart/byteranges` body into `(content-range, data)` parts.
fn byteranges(content_type: &str, body: &[u8]) -> Vec<(String, Vec<u8>)> {
    let boundary = content_type
        .strip_prefix("multipart/byteranges; boundary=")
        .expect("a multipart content type");
    let delimiter = format!("--{boundary}");
    let text = String::from_utf8(body.to_vec()).unwrap();
    assert!(text.starts_with(&delimiter));
    assert!(text.ends_with(&format!("\r\n--{boundary}--\r\n")));
    let inner = &text[..text.len() - boundary.len() - 6];
    inner
        .split(&format!("{delimiter}\r\n"))
        .skip(1)
        .map(|part| {
            let (head, data) = part.split_once("\r\n\r\n").unwrap();
            let data = data.strip_suffix("\r\n").unwrap_or(data);
            let range = head
                .lines()
                .find_map(|line| line.strip_prefix("Content-Range: "))
                .unwrap()
                .to_owned();
            assert!(head.contains("Content-Type: text/plain; charset=utf-8"));
            (range, data.as_bytes().to_vec())
        })
        .collect()
}

#[test]
fn several_ranges_give_multipart_byteranges() {
    let expected = vec![
        ("bytes 0-0/11".to_owned(), b"H".to_vec()),
        ("bytes 4-7/11".to_owned(), b"o Wo".to_vec()),
        ("bytes 9-10/11".to_owned(), b"ld".to_vec()),
    ];
    let range = [("range", "bytes=0-0,4-7,-2")];
    let in_memory = Response::text("Hello World").make_conditional(&get(&range));
    let streamed = Response::from_reader(Cursor::new(b"Hello World".to_vec()), Some(11))
        .with_header(
            "content-type",
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )
        .make_conditional(&get(&range));
    for response in [in_memory, streamed] {
        assert_eq!(response.status(), 206);
        assert!(!response.headers().contains_key("content-range"));
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        let length: usize = response.headers()["content-length"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let data = body(response);
        assert_eq!(data.len(), length);
        assert_eq!(byteranges(&content_type, &data), expected);
    }
}

#[test]
fn overlapping_suffix_ranges_are_merged() {
    let response =
        Response::text("Hello World").make_conditional(&get(&[("range", "bytes=0-8,-5")]));
    assert_eq!(response.status(), 206);
    assert_eq!(response.headers()["content-range"], "bytes 0-10/11");
    assert_eq!(body(response), b"Hello World");
}

#[test]
fn head_gets_the_headers_of_get() {
    let head = request(Method::HEAD, &[("range", "bytes=0-4")]);
    let mut response = Response::text("Hello World").make_conditional(&head);
    response.prepare_for(head.method());
    assert_eq!(response.status(), 206);
    assert_eq!(response.headers()["content-length"], "5");
    assert!(body(response).is_empty());
}

#[test]
fn only_get_and_head_and_200_are_touched() {
    let post = request(
        Method::POST,
        &[("if-none-match", "*"), ("range", "bytes=0-1")],
    );
    let response = Response::text("Hello World").make_conditional(&post);
    assert_eq!(response.status(), 200);
    assert!(!response.headers().contains_key("date"));
    let not_found = Response::text("missing")
        .with_status(StatusCode::NOT_FOUND)
        .make_conditional(&get(&[("if-none-match", "*")]));
    assert_eq!(not_found.status(), 404);
}

#[test]
fn precondition_order_follows_rfc_9110() {
    let v1 = EntityTag::strong("v1").unwrap();
    let noon = HttpDate::from_unix_seconds(1_199_188_800).unwrap(); // 2008-01-01 12:00
    let validators = Validators::new()
        .with_etag(v1.clone())
        .with_last_modified(noon)
        .with_length(11);
    let decide = |method: Method, headers: &[(&'static str, &str)]| {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        evaluate(&method, &map, &validators)
    };
    use Decision::*;
    assert_eq!(decide(Method::GET, &[]), Full);
    assert_eq!(decide(Method::GET, &[("if-match", "*")]), Full);
    assert_eq!(decide(Method::GET, &[("if-match", r#""v1""#)]), Full);
    assert_eq!(
        decide(Method::GET, &[("if-match", r#"W/"v1""#)]),
        PreconditionFailed
    );
    assert_eq!(
        decide(Method::PUT, &[("if-match", r#""v0""#)]),
        PreconditionFailed
    );
    assert_eq!(
        decide(Method::GET, &[("if-match", r#""unterminated"#)]),
        PreconditionFailed
    );
    let before = "Tue, 01 Jan 2008 11:00:00 GMT";
    let after = "Tue, 01 Jan 2008 13:00:00 GMT";
    assert_eq!(
        decide(Method::PUT, &[("if-unmodified-since", before)]),
        PreconditionFailed
    );
    assert_eq!(decide(Method::PUT, &[("if-unmodified-since", after)]), Full);
    // If-Match wins over If-Unmodified-Since.
    assert_eq!(
        decide(
            Method::PUT,
            &[("if-match", "*"), ("if-unmodified-since", before)]
        ),
        Full
    );
    assert_eq!(
        decide(Method::GET, &[("if-none-match", r#"W/"v1""#)]),
        NotModified
    );
    assert_eq!(decide(Method::HEAD, &[("if-none-match", "*")]), NotModified);
    assert_eq!(
        decide(Method::DELETE, &[("if-none-match", "*")]),
        PreconditionFailed
    );
    // If-None-Match wins over If-Modified-Since.
    assert_eq!(
        decide(
            Method::GET,
            &[("if-none-match", r#""v0""#), ("if-modified-since", after)]
        ),
        Full
    );
    assert_eq!(
        decide(Method::GET, &[("if-modified-since", after)]),
        NotModified
    );
    assert_eq!(decide(Method::GET, &[("if-modified-since", before)]), Full);
    assert_eq!(decide(Method::POST, &[("if-modified-since", after)]), Full);
    assert_eq!(
        decide(Method::GET, &[("if-modified-since", "garbage")]),
        Full
    );
    // A range request whose preconditions pass.
    assert_eq!(
        decide(Method::GET, &[("range", "bytes=0-0")]),
        Partial(vec![(0, 0)])
    );
    assert_eq!(decide(Method::POST, &[("range", "bytes=0-0")]), Full);
}

// Werkzeug test_is_resource_modified and test_is_resource_modified_for_range_requests
#[test]
fn werkzeug_resource_modified_cases() {
    let twelve_thirty = "Tue, 01 Jan 2008 12:30:00 GMT";
    let at =
        |h: i64, m: i64| HttpDate::from_unix_seconds(1_199_145_600 + h * 3600 + m * 60).unwrap();
    let headers = |pairs: &[(&'static str, &str)]| {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    };
    let awesome = EntityTag::strong("awesome").unwrap();

    // Any method is evaluated; with no condition, "modified".
    let tagged = Validators::new().with_etag(awesome.clone());
    assert_eq!(
        evaluate(&Method::POST, &HeaderMap::new(), &tagged),
        Decision::Full
    );
    let none_match = headers(&[("if-none-match", r#""awesome""#)]);
    assert_eq!(
        evaluate(&Method::GET, &none_match, &tagged),
        Decision::NotModified
    );

    let since = headers(&[("if-modified-since", twelve_thirty)]);
    let at_noon = Validators::new().with_last_modified(at(12, 0));
    let at_one = Validators::new().with_last_modified(at(13, 0));
    assert_eq!(
        evaluate(&Method::GET, &since, &at_noon),
        Decision::NotModified
    );
    assert_eq!(evaluate(&Method::GET, &since, &at_one), Decision::Full);

    // If-Range without Range is ignored.
    let if_range_only = headers(&[
        ("if-modified-since", twelve_thirty),
        ("if-range", r#""other""#),
    ]);
    let v = Validators::new()
        .with_last_modified(at(12, 30))
        .with_length(11);
    assert_eq!(
        evaluate(&Method::GET, &if_range_only, &v),
        Decision::NotModified
    );

    // If-Range with a tag: the range is served only for the same strong tag.
    let ranged = |if_range: &str| headers(&[("range", "bytes=0-0"), ("if-range", if_range)]);
    let v = Validators::new().with_etag(awesome.clone()).with_length(11);
    assert_eq!(
        evaluate(&Method::GET, &ranged(r#""awesome""#), &v),
        Decision::Partial(vec![(0, 0)])
    );
    assert_eq!(
        evaluate(&Method::GET, &ranged(r#""not_the_same""#), &v),
        Decision::Full
    );
    assert_eq!(
        evaluate(&Method::GET, &ranged(r#"W/"awesome""#), &v),
        Decision::Full
    );

    // If-Range with a date: only the exact modification date serves the range.
    let one_thirty = "Tue, 01 Jan 2008 13:30:00 GMT";
    let modified_at = |date| Validators::new().with_last_modified(date).with_length(11);
    assert_eq!(
        evaluate(&Method::GET, &ranged(one_thirty), &modified_at(at(14, 0))),
        Decision::Full
    );
    assert_eq!(
        evaluate(&Method::GET, &ranged(one_thirty), &modified_at(at(13, 30))),
        Decision::Partial(vec![(0, 0)])
    );
}

#[test]
fn streams_keep_their_preconditions() {
    let chunks = std::iter::once(Ok(Bytes::from_static(b"data")));
    let response = Response::from_chunks(chunks)
        .with_etag(&EntityTag::strong("s").unwrap())
        .make_conditional(&get(&[("if-none-match", r#""s""#), ("range", "bytes=0-1")]));
    assert_eq!(response.status(), 304);
    let chunks = std::iter::once(Ok(Bytes::from_static(b"data")));
    let response = Response::from_chunks(chunks).make_conditional(&get(&[("range", "bytes=0-1")]));
    assert_eq!(response.status(), 200, "no range without a length");
}

#[test]
fn errors_are_negotiated() {
    let response = Response::text("Hello World").make_conditional(&get(&[
        ("range", "bytes=50-"),
        ("accept", "application/json"),
    ]));
    assert_eq!(response.status(), 416);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.headers()["content-range"], "bytes */11");
}
