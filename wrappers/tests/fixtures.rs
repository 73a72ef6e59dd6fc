//! Real clients' requests replayed from captured `.http` files
//! (`fixtures/clients/capture.py` made them), and the attack corpus' cases
//! that concern the request parsers.

use carafe_wrappers::test::{Client, parse_raw};
use carafe_wrappers::{Request, Response};

const COMMENT: &str = "Héllo wörld ☃ & co = 100% \"quoted\"";

fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|error| panic!("{full}: {error}"))
}

fn check_upload(client: &str) {
    let raw = fixture(&format!("clients/{client}.http"));
    let request = Request::from_http(parse_raw(&raw).unwrap());
    let form = request
        .form()
        .unwrap_or_else(|error| panic!("{client}: {error}"));
    assert_eq!(
        form.get("comment").map(String::as_str),
        Some(COMMENT),
        "{client}"
    );
    assert_eq!(form.len(), 1, "{client}");

    let files = request.files().unwrap();
    assert_eq!(files.len(), 2, "{client}");
    let binary = files.get("file1").unwrap();
    assert_eq!(binary.filename(), "binary.bin", "{client}");
    assert_eq!(
        binary.content_type(),
        Some("application/octet-stream"),
        "{client}"
    );
    assert_eq!(
        binary.bytes().unwrap(),
        fixture("clients/files/binary.bin"),
        "{client}"
    );
    assert_eq!(binary.size(), 3101);

    let text = files.get("file2").unwrap();
    assert_eq!(text.filename(), "ünïcödé ☃.txt", "{client}");
    assert_eq!(text.secure_filename(), "unicode_.txt", "{client}");
    assert_eq!(text.mimetype(), "text/plain", "{client}");
    assert_eq!(
        text.bytes().unwrap(),
        fixture("clients/files/unicode.txt"),
        "{client}"
    );
}

#[test]
fn chromium_form_upload() {
    check_upload("chromium");
}

#[test]
fn curl_upload() {
    check_upload("curl");
}

#[test]
fn curl_chunked_upload() {
    let raw = fixture("clients/curl-chunked.http");
    let mut request = Request::from_http(parse_raw(&raw).unwrap());
    assert_eq!(
        request.body_mut().length(),
        None,
        "a chunked body has no declared length"
    );
    check_upload("curl-chunked");
}

#[test]
fn python_requests_upload() {
    check_upload("requests");
}

#[test]
fn a_fixture_replayed_through_the_client() {
    let client = Client::new(|request: Request| {
        let files = request.files().unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|(_, file)| file.secure_filename())
            .collect();
        Response::text(format!(
            "parts={}\nnames={}",
            request.form().unwrap().len() + files.len(),
            names.join(",")
        ))
    });
    let response = client.raw(&fixture("clients/chromium.http")).unwrap();
    assert_eq!(response.text(), "parts=3\nnames=binary.bin,unicode_.txt");
}

/// The corpus app's `/upload`, `/form` and `/cookie` routes, on the toolkit.
fn corpus_app(request: Request) -> Response {
    let fail =
        |status: http::StatusCode, message: String| Response::text(message).with_status(status);
    match request.path_info() {
        "/upload" => match request.files() {
            Ok(files) => {
                let names: Vec<String> = files.iter().map(|(_, f)| f.secure_filename()).collect();
                let parts = request.form().map(|form| form.len()).unwrap_or_default() + files.len();
                Response::text(format!("parts={parts}\nnames={}", names.join(",")))
            }
            Err(error) => fail(error.status(), error.to_string()),
        },
        "/form" => match request.form() {
            Ok(form) => Response::text(format!("fields={}", form.len())),
            Err(error) => fail(error.status(), error.to_string()),
        },
        "/cookie" => {
            let name = request
                .args()
                .unwrap()
                .get("name")
                .cloned()
                .unwrap_or_default();
            match request.cookies() {
                Ok(cookies) => match cookies.get(&name) {
                    Some(value) => Response::text(value.clone()),
                    None => fail(http::StatusCode::NOT_FOUND, String::new()),
                },
                Err(error) => fail(error.status(), error.to_string()),
            }
        }
        _ => Response::text("ok"),
    }
}

#[test]
fn corpus_cookie_nameless_host_prefix() {
    let response = Client::new(corpus_app)
        .raw(&fixture("attack/cookie-nameless-host-prefix.http"))
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text(), "good");
}

#[test]
fn corpus_multipart_unterminated() {
    let response = Client::new(corpus_app)
        .raw(&fixture("attack/multipart-unterminated.http"))
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(
        response.text().contains("closing boundary"),
        "{}",
        response.text()
    );
}

#[test]
fn corpus_multipart_filename_traversal() {
    let response = Client::new(corpus_app)
        .raw(&fixture("attack/multipart-filename-traversal.http"))
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text();
    let names = text
        .lines()
        .find_map(|line| line.strip_prefix("names="))
        .unwrap();
    assert_eq!(
        names,
        "etc_passwd,windows_win.ini,abs_path.txt,_CON.txt,htaccess"
    );
    for name in names.split(',') {
        assert!(!name.contains(['/', '\\']) && !name.contains("..") && !name.starts_with('.'));
    }
}

/// A raw request with a generated body (the corpus' big files, rebuilt).
fn raw_post(path: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut raw = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    raw.extend_from_slice(body);
    raw
}

#[test]
fn corpus_multipart_5000_parts() {
    let mut body = Vec::new();
    for i in 0..5000 {
        body.extend_from_slice(
            format!("--XyZbOuNdArY\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\nv\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(b"--XyZbOuNdArY--\r\n");
    let raw = raw_post(
        "/upload",
        "multipart/form-data; boundary=XyZbOuNdArY",
        &body,
    );
    let response = Client::new(corpus_app).raw(&raw).unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(
        response.text(),
        "multipart body has more than max_form_parts (1000) parts"
    );
}

#[test]
fn corpus_multipart_part_header_1mib() {
    let mut body =
        b"--XyZbOuNdArY\r\nContent-Disposition: form-data; name=\"x\"\r\nX-Pad: ".to_vec();
    body.extend(vec![b'p'; 1 << 20]);
    body.extend_from_slice(b"\r\n\r\nv\r\n--XyZbOuNdArY--\r\n");
    let raw = raw_post(
        "/upload",
        "multipart/form-data; boundary=XyZbOuNdArY",
        &body,
    );
    let response = Client::new(corpus_app).raw(&raw).unwrap();
    assert_eq!(response.status(), 413);
    assert!(response.text().contains("max_part_header_size"));
}

#[test]
fn corpus_form_urlencoded_1mib() {
    let mut body = b"a=".to_vec();
    body.extend(vec![b'x'; 1 << 20]);
    let raw = raw_post("/form", "application/x-www-form-urlencoded", &body);
    let response = Client::new(corpus_app).raw(&raw).unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(
        response.text(),
        "urlencoded form exceeds max_form_memory_size (500000 bytes)"
    );
}
