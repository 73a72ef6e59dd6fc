//! Sending files (Werkzeug test_send_file.py).

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use carafe_wrappers::headers::{EntityTag, HttpDate};
use carafe_wrappers::{Request, Response, ResponseBody, SendFile, send_file, send_from_directory};
use http::{HeaderValue, Method, StatusCode};

fn body(response: Response) -> Vec<u8> {
    match response.into_parts().1 {
        ResponseBody::Empty => Vec::new(),
        ResponseBody::Bytes(bytes) => bytes.to_vec(),
        ResponseBody::Reader { mut reader, length } => {
            let mut out = Vec::new();
            reader.read_to_end(&mut out).unwrap();
            assert_eq!(Some(out.len() as u64), length);
            out
        }
        _ => unreachable!(),
    }
}

fn request(headers: &[(&'static str, &str)]) -> Request {
    let mut request = Request::get("/");
    for (name, value) in headers {
        request
            .headers_mut()
            .append(*name, HeaderValue::from_str(value).unwrap());
    }
    request
}

/// A directory with Werkzeug's `res/index.html` and `res/test.txt` stand-ins.
fn res() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let res = dir.path().join("res");
    fs::create_dir(&res).unwrap();
    fs::write(res.join("index.html"), "<h1>Hello</h1>\n").unwrap();
    fs::write(res.join("test.txt"), "FOUND\n").unwrap();
    (dir, res)
}

// Werkzeug test_path
#[test]
fn sends_a_path() {
    let (_dir, res) = res();
    let response = send_file(res.join("index.html"), &request(&[])).unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    assert_eq!(response.headers()["content-length"], "15");
    assert_eq!(response.headers()["accept-ranges"], "bytes");
    assert!(
        matches!(
            response.body(),
            ResponseBody::Reader {
                length: Some(15),
                ..
            }
        ),
        "streamed"
    );
    assert_eq!(body(response), b"<h1>Hello</h1>\n");
}

// Werkzeug test_last_modified
#[test]
fn last_modified() {
    let (_dir, res) = res();
    let date: HttpDate = "Fri, 01 Jan 1999 00:00:00 GMT".parse().unwrap();
    let response = SendFile::new(res.join("test.txt"))
        .with_last_modified(date)
        .send(&request(&[]))
        .unwrap();
    assert_eq!(response.last_modified(), Some(date));
    let from_disk = send_file(res.join("test.txt"), &request(&[])).unwrap();
    let modified = fs::metadata(res.join("test.txt"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(from_disk.last_modified(), Some(HttpDate::from(modified)));
}

// Werkzeug test_object_mimetype_from_name / test_disposition_name
#[test]
fn disposition_and_mimetype() {
    let (_dir, res) = res();
    for (attachment, kind) in [(false, "inline"), (true, "attachment")] {
        let response = SendFile::new(res.join("test.txt"))
            .as_attachment(attachment)
            .send(&request(&[]))
            .unwrap();
        assert_eq!(
            response.headers()["content-disposition"],
            format!("{kind}; filename=test.txt").as_str()
        );
    }
    let renamed = SendFile::new(res.join("index.html"))
        .with_download_name("notes.txt")
        .send(&request(&[]))
        .unwrap();
    assert_eq!(
        renamed.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    let forced = SendFile::new(res.join("index.html"))
        .with_mimetype("application/x-custom")
        .send(&request(&[]))
        .unwrap();
    assert_eq!(forced.headers()["content-type"], "application/x-custom");
}

// Werkzeug test_non_ascii_name
#[test]
fn non_ascii_download_names() {
    let (_dir, res) = res();
    for (name, ascii, utf8) in [
        ("index.html", "index.html", None),
        (
            "Ñandú／pingüino.txt",
            "\"Nandu/pinguino.txt\"",
            Some("%C3%91and%C3%BA%EF%BC%8Fping%C3%BCino.txt"),
        ),
        ("Vögel.txt", "Vogel.txt", Some("V%C3%B6gel.txt")),
        ("те:/ст", "\":/\"", Some("%D1%82%D0%B5%3A%2F%D1%81%D1%82")),
        (
            "(тест.txt",
            "\"(.txt\"",
            Some("%28%D1%82%D0%B5%D1%81%D1%82.txt"),
        ),
        ("(test.txt", "\"(test.txt\"", None),
    ] {
        let response = SendFile::new(res.join("index.html"))
            .as_attachment(true)
            .with_download_name(name)
            .send(&request(&[]))
            .unwrap();
        let disposition = response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            disposition.contains(&format!("filename={ascii}")),
            "{disposition}"
        );
        match utf8 {
            Some(utf8) => assert!(
                disposition.contains(&format!("filename*=UTF-8''{utf8}")),
                "{disposition}"
            ),
            None => assert!(!disposition.contains("filename*"), "{disposition}"),
        }
    }
}

// Werkzeug test_no_cache_conditional_default
#[test]
fn no_cache_and_conditional_by_default() {
    let (_dir, res) = res();
    let response = SendFile::new(res.join("test.txt"))
        .with_last_modified("Sat, 11 Jul 2020 00:00:00 GMT".parse().unwrap())
        .send(&request(&[(
            "if-modified-since",
            "Sun, 12 Jul 2020 00:00:00 GMT",
        )]))
        .unwrap();
    assert_eq!(response.headers()["cache-control"], "no-cache");
    assert!(!response.headers().contains_key("expires"));
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
    assert!(body(response).is_empty());
}

// Werkzeug test_max_age
#[test]
fn max_age() {
    let (_dir, res) = res();
    for (seconds, public) in [(0, false), (60, true)] {
        let response = SendFile::new(res.join("test.txt"))
            .with_max_age(Duration::from_secs(seconds))
            .send(&request(&[]))
            .unwrap();
        let cc = response.cache_control();
        assert_eq!(cc.no_cache(), !public);
        assert_eq!(cc.public(), public);
        assert_eq!(cc.max_age(), Some(Duration::from_secs(seconds)));
        let expires: HttpDate = response.headers()["expires"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            (expires.unix_seconds() - HttpDate::now().unix_seconds() - seconds as i64).abs() <= 1
        );
        assert_eq!(response.status(), 200);
    }
}

// Werkzeug test_etag
#[test]
fn etags() {
    let (_dir, res) = res();
    let generated = send_file(res.join("test.txt"), &request(&[])).unwrap();
    let etag = generated.etag().unwrap();
    assert_eq!(etag.tag().matches('-').count(), 2);
    assert!(!etag.is_weak());
    let none = SendFile::new(res.join("test.txt"))
        .without_etag()
        .send(&request(&[]))
        .unwrap();
    assert!(!none.headers().contains_key("etag"));
    let given = SendFile::new(res.join("test.txt"))
        .with_etag(EntityTag::strong("unique").unwrap())
        .send(&request(&[]))
        .unwrap();
    assert_eq!(given.headers()["etag"], "\"unique\"");
    // The generated tag makes the file conditional.
    let again = send_file(
        res.join("test.txt"),
        &request(&[("if-none-match", &etag.to_string())]),
    )
    .unwrap();
    assert_eq!(again.status(), 304);
    fs::write(res.join("other.txt"), "FOUND\n").unwrap();
    let other_tag = send_file(res.join("other.txt"), &request(&[]))
        .unwrap()
        .etag()
        .unwrap();
    assert_ne!(other_tag, etag, "the path is part of the tag");
}

// Werkzeug test_content_encoding
#[test]
fn content_encoding() {
    let (_dir, res) = res();
    for attachment in [true, false] {
        let response = SendFile::new(res.join("test.txt"))
            .with_download_name("logo.svgz")
            .as_attachment(attachment)
            .send(&request(&[]))
            .unwrap();
        assert_eq!(
            response.headers()["content-type"],
            "image/svg+xml; charset=utf-8"
        );
        assert_eq!(
            response
                .headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap()),
            (!attachment).then_some("gzip")
        );
    }
}

// Werkzeug test_from_directory / test_from_directory_not_found
#[test]
fn from_directory() {
    let (_dir, res) = res();
    let response = send_from_directory(&res, "test.txt", &request(&[])).unwrap();
    assert_eq!(body(response), b"FOUND\n");
    for path in [
        "../res/test.txt",
        "nothing.txt",
        "null\0.txt",
        "",
        "/test.txt",
    ] {
        let error = send_from_directory(&res, path, &request(&[])).unwrap_err();
        assert_eq!(error.status(), StatusCode::NOT_FOUND, "{path:?}");
    }
    fs::create_dir(res.join("sub")).unwrap();
    assert_eq!(
        send_from_directory(&res, "sub", &request(&[]))
            .unwrap_err()
            .status(),
        404
    );
}

#[test]
fn ranges_seek_into_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("digits.bin");
    let content: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    fs::write(&path, &content).unwrap();
    let response = send_file(&path, &request(&[("range", "bytes=99990-")])).unwrap();
    assert_eq!(response.status(), 206);
    assert_eq!(
        response.headers()["content-range"],
        "bytes 99990-99999/100000"
    );
    assert_eq!(body(response), &content[99_990..]);

    let response = send_file(&path, &request(&[("range", "bytes=10-19,50000-50009")])).unwrap();
    assert_eq!(response.status(), 206);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("multipart/byteranges; boundary="));
    let length: usize = response.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let data = body(response);
    assert_eq!(data.len(), length);
    let windows = |needle: &[u8]| data.windows(needle.len()).any(|w| w == needle);
    assert!(windows(&content[10..20]) && windows(&content[50_000..50_010]));
    assert!(windows(b"Content-Range: bytes 50000-50009/100000\r\n"));
    assert!(windows(b"Content-Type: application/octet-stream\r\n"));

    let error = send_file(&path, &request(&[("range", "bytes=100000-")])).unwrap();
    assert_eq!(error.status(), 416);
    assert_eq!(error.headers()["content-range"], "bytes */100000");
}

#[test]
fn head_and_unconditional() {
    let (_dir, res) = res();
    let (mut parts, body_stream) = Request::get("/").into_parts();
    parts.method = Method::HEAD;
    let head_request = Request::from_parts(parts, body_stream);
    let mut response = send_file(res.join("test.txt"), &head_request).unwrap();
    response.prepare_for(head_request.method());
    assert_eq!(response.headers()["content-length"], "6");
    assert!(body(response).is_empty());

    let ignoring = SendFile::new(res.join("test.txt"))
        .unconditional()
        .send(&request(&[("range", "bytes=0-1"), ("if-none-match", "*")]))
        .unwrap();
    assert_eq!(ignoring.status(), 200);
    assert_eq!(body(ignoring), b"FOUND\n");
}

#[test]
fn response_file() {
    let (_dir, res) = res();
    let response = Response::file(res.join("test.txt")).unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    assert!(response.etag().is_some() && response.last_modified().is_some());
    let ranged = response.make_conditional(&request(&[("range", "bytes=1-2")]));
    assert_eq!(ranged.status(), 206);
    assert_eq!(body(ranged), b"OU");
    assert_eq!(
        Response::file(Path::new("/nonexistent/x"))
            .unwrap_err()
            .status(),
        404
    );
}

#[test]
fn a_large_file_is_streamed_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.bin");
    let file = fs::File::create(&path).unwrap();
    file.set_len(64 * 1024 * 1024).unwrap(); // sparse where the file system allows
    let response = send_file(&path, &request(&[])).unwrap();
    match response.body() {
        ResponseBody::Reader { length, .. } => assert_eq!(*length, Some(64 * 1024 * 1024)),
        other => panic!("expected a streamed body, got {other:?}"),
    }
    let (_, body) = response.into_parts();
    let ResponseBody::Reader { mut reader, .. } = body else {
        unreachable!()
    };
    let mut first = [1u8; 8192];
    assert_eq!(reader.read(&mut first).unwrap(), 8192);
    assert!(first.iter().all(|b| *b == 0));
}
