//! Werkzeug's tests/test_formparser.py, request-level cases (ported: the
//! cases carry over, the code does not). The multipart parser's own cases are
//! unit tests in `src/multipart/tests.rs`.

use std::io::{self, Read};
use std::sync::{Arc, Mutex};

use carafe_wrappers::test::{Client, FileUpload, RequestBuilder};
use carafe_wrappers::{Body, FormError, Limits, Request, Response};

fn urlencoded(data: &'static str) -> RequestBuilder<'static> {
    RequestBuilder::post("/")
        .body(data)
        .content_type("application/x-www-form-urlencoded")
}

// test_limiting (urlencoded half).
#[test]
fn limiting_urlencoded() {
    let data = "foo=Hello+World&bar=baz";
    let request = urlencoded(data)
        .limits(Limits::default().with_max_content_length(Some(400)))
        .build();
    assert_eq!(request.form().unwrap().get("foo").unwrap(), "Hello World");

    let request = urlencoded(data)
        .limits(Limits::default().with_max_form_memory_size(7))
        .build();
    assert!(matches!(
        request.form(),
        Err(FormError::UrlencodedTooLarge { limit: 7 })
    ));

    let request = urlencoded(data)
        .limits(Limits::default().with_max_form_memory_size(400))
        .build();
    assert_eq!(request.form().unwrap().get("foo").unwrap(), "Hello World");
}

/// A stream that records how much was read from it.
#[derive(Clone, Default)]
struct Tracked {
    data: Arc<Mutex<io::Cursor<Vec<u8>>>>,
}

impl Read for Tracked {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.data.lock().unwrap().read(buf)
    }
}

// test_limiting: "content-length was set, so request could exit early
// without reading anything".
#[test]
fn a_declared_length_over_the_limit_reads_nothing() {
    let stream = Tracked {
        data: Arc::new(Mutex::new(io::Cursor::new(b"foo=123456".to_vec()))),
    };
    let (head, ()) = http::Request::post("/")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("content-length", "10")
        .body(())
        .unwrap()
        .into_parts();
    let mut request = Request::from_parts(head, Body::from_reader(stream.clone(), Some(10)));
    request.set_limits(Limits::default().with_max_content_length(Some(4)));
    let error = request.form().unwrap_err();
    assert!(matches!(error, FormError::ContentTooLarge { limit: 4 }));
    assert_eq!(error.status(), 413);
    assert_eq!(stream.data.lock().unwrap().position(), 0);
}

// test_urlencoded_no_max: max_form_parts does not apply to urlencoded forms.
#[test]
fn urlencoded_no_max_parts() {
    let request = RequestBuilder::post("/")
        .form([("a", "1"), ("b", "2")])
        .limits(Limits::default().with_max_form_parts(1))
        .build();
    let form = request.form().unwrap();
    assert_eq!(form.get("a").unwrap(), "1");
    assert_eq!(form.get("b").unwrap(), "2");
}

// test_urlencoded_silent_decode: Werkzeug gives an empty form for a body that
// is not UTF-8; here it is a 400 naming the defect.
#[test]
fn urlencoded_invalid_utf8_is_an_error() {
    let request = RequestBuilder::post("/")
        .body(&b"\x80"[..])
        .content_type("application/x-www-form-urlencoded")
        .build();
    let error = request.form().unwrap_err();
    assert!(matches!(error, FormError::InvalidUtf8 { .. }));
    assert_eq!(error.status(), 400);
}

// test_missing_multipart_boundary: Werkzeug gives an empty form; here a 400.
#[test]
fn missing_multipart_boundary() {
    let data = "--foo\r\nContent-Disposition: form-field; name=foo\r\n\r\nHello World\r\n--foo--";
    let request = RequestBuilder::post("/")
        .body(data)
        .content_type("multipart/form-data")
        .build();
    let error = request.form().unwrap_err();
    assert!(matches!(error, FormError::MissingBoundary));
    assert_eq!(
        error.to_string(),
        "multipart/form-data content type without a boundary"
    );
}

// test_parse_form_data_put_without_content / _get_without_content /
// test_parse_bad_content_type: no form, and the body is left alone.
#[test]
fn no_form_without_a_form_content_type() {
    for request in [
        RequestBuilder::put("/foo").build(),
        RequestBuilder::get("/foo").build(),
        RequestBuilder::post("/")
            .body("x=1")
            .content_type("bad-mime-type")
            .build(),
        RequestBuilder::post("/")
            .body("x=1")
            .content_type(", ")
            .build(),
    ] {
        assert!(request.form().unwrap().is_empty());
        assert!(request.files().unwrap().is_empty());
    }
    let request = RequestBuilder::post("/")
        .body("x=1")
        .content_type("text/plain")
        .build();
    assert!(request.form().unwrap().is_empty());
    assert_eq!(request.get_data().unwrap(), "x=1");
}

/// The consumer app of test_formparser: `?object=text` gives the text field,
/// otherwise the named file's filename, field name, content type and bytes.
fn form_data_consumer(request: Request) -> Response {
    let object = request
        .args()
        .unwrap()
        .get("object")
        .cloned()
        .unwrap_or_default();
    if object == "text" {
        return Response::text(format!(
            "{:?}",
            request.form().unwrap().get("text").unwrap()
        ));
    }
    let files = request.files().unwrap();
    let file = files.get(&object).unwrap();
    let mut body = format!(
        "{:?}\n{:?}\n{:?}\n",
        file.filename(),
        file.name(),
        file.content_type().unwrap_or("")
    )
    .into_bytes();
    file.reader().unwrap().read_to_end(&mut body).unwrap();
    Response::new(carafe_wrappers::ResponseBody::Bytes(body.into()))
}

// TestMultiPart::test_basic, with files made by the test client.
#[test]
fn multipart_basic() {
    let client = Client::new(form_data_consumer);
    let png = [
        0x89u8, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', 0, 0, 0, 13,
    ];
    let send = |object: &str| {
        client
            .post(&format!("/?object={object}"))
            .form([("text", "this is another text with ümläüts")])
            .file(
                "file1",
                FileUpload::new("gtk-apply.png", png.to_vec()).content_type("image/png"),
            )
            .file(
                "file2",
                FileUpload::new("gtk-no.png", &b"second"[..]).content_type("image/png"),
            )
            .send()
    };
    let response = send("file1");
    let mut expected = b"\"gtk-apply.png\"\n\"file1\"\n\"image/png\"\n".to_vec();
    expected.extend_from_slice(&png);
    assert_eq!(response.body().as_ref(), &expected[..]);
    assert_eq!(
        send("file2").text(),
        "\"gtk-no.png\"\n\"file2\"\n\"image/png\"\nsecond"
    );
    assert_eq!(send("text").text(), "\"this is another text with ümläüts\"");
}

// test_form_parsing_failed (test_wrappers): a body that is not multipart.
#[test]
fn form_parsing_failed() {
    let request = RequestBuilder::post("/")
        .body("--blah\r\n")
        .content_type("multipart/form-data; boundary=foo")
        .build();
    let error = request.form().unwrap_err();
    assert_eq!(error.status(), 400);
    assert_eq!(request.files().unwrap_err().to_string(), error.to_string());
}

// test_file_closing, in Rust terms: a spooled file lives as long as a clone
// of it (the temporary file goes with the last one, see src/file.rs).
#[test]
fn a_spooled_file_outlives_the_request_in_its_clones() {
    let big = vec![7u8; 600 * 1024];
    let request = RequestBuilder::post("/")
        .file("f", FileUpload::new("big.bin", big.clone()))
        .build();
    let file = request.files().unwrap().get("f").unwrap().clone();
    assert!(file.is_spooled());
    let mut reader = file.reader().unwrap();
    let mut content = Vec::new();
    reader.read_to_end(&mut content).unwrap();
    assert_eq!(content, big);
    drop(request);
    assert_eq!(
        file.bytes().unwrap().len(),
        big.len(),
        "a clone keeps the file alive"
    );
}
