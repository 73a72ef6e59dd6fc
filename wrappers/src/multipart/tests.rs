//! Unit tests of the multipart parser: Werkzeug's test_formparser.py cases
//! (ported) and the attack corpus' multipart cases.

use std::io::{self, Read};

use super::*;
use crate::Body;

fn parse_with(body: &[u8], boundary: &str, limits: &Limits) -> Result<Parsed, FormError> {
    let mut reader = body;
    parse(&mut reader, boundary, limits)
}

fn parse_ok(body: &[u8], boundary: &str) -> Parsed {
    parse_with(body, boundary, &Limits::default()).unwrap()
}

// test_limiting (multipart half): max_content_length, max_form_memory_size, max_form_parts.
#[test]
fn werkzeug_limiting() {
    let data = b"--foo\r\nContent-Disposition: form-field; name=foo\r\n\r\n\
        Hello World\r\n\
        --foo\r\nContent-Disposition: form-field; name=bar\r\n\r\n\
        bar=baz\r\n--foo--";
    let (form, _) = parse_ok(data, "foo");
    assert_eq!(form.get("foo").unwrap(), "Hello World");
    assert_eq!(form.get("bar").unwrap(), "bar=baz");

    let limits = Limits::default().with_max_form_memory_size(7);
    assert!(matches!(
        parse_with(data, "foo", &limits),
        Err(FormError::FieldTooLarge { ref field, limit: 7 }) if field == "foo"
    ));
    let limits = Limits::default().with_max_form_memory_size(400);
    assert!(parse_with(data, "foo", &limits).is_ok());
    let limits = Limits::default().with_max_form_parts(1);
    assert!(matches!(
        parse_with(data, "foo", &limits),
        Err(FormError::TooManyParts { limit: 1 })
    ));

    let mut body = Body::from(&data[..]).with_limit(Some(20));
    assert!(matches!(
        parse(&mut body, "foo", &Limits::default()),
        Err(FormError::ContentTooLarge { limit: 20 })
    ));
}

// test_multipart_max_form_memory_size: tracked across data chunks.
#[test]
fn werkzeug_max_form_memory_size_across_chunks() {
    let mut data = b"--bound\r\nContent-Disposition: form-field; name=a\r\n\r\n".to_vec();
    data.extend(vec![b'a'; 3 * 64 * 1024]);
    data.extend_from_slice(b"\r\n--bound--");
    let limits = Limits::default().with_max_form_memory_size(100 * 1024);
    assert!(matches!(
        parse_with(&data, "bound", &limits),
        Err(FormError::FieldTooLarge { limit: 102_400, .. })
    ));
}

// test_chunk_split_on_line_break_before_epilogue.
#[test]
fn werkzeug_chunk_split_on_line_break_before_epilogue() {
    let mut data = Vec::new();
    data.extend_from_slice(b"--thirteenbytes\r\n");
    data.extend_from_slice(b"Content-Disposition: form-data; name=tx3065\r\n\r\n");
    let mut lines: Vec<Vec<u8>> = vec![vec![b'\r'; 31]; 2045];
    lines.push(vec![b'y'; 31]);
    data.extend(lines.join(&b'\n'));
    data.extend_from_slice(b"\r\n");
    let mut lines: Vec<Vec<u8>> = vec![vec![b'\r'; 31]; 2047];
    lines.push(vec![b'x'; 30]);
    data.extend(lines.join(&b'\n'));
    data.extend_from_slice(b"\r\n--thirteenbytes--");
    let (form, _) = parse_ok(&data, "thirteenbytes");
    let value = form.get("tx3065").unwrap();
    assert_eq!(value.len(), 131_072 - 64 - 1);
    assert!(value.ends_with('x'));
    assert_eq!(&value[65470..65473], "y\r\n");
}

// test_parse_form_post_data_trailing_CR.
#[test]
fn werkzeug_trailing_cr_in_file() {
    for k in [1, 2] {
        let mut sample = vec![0u8; 65535];
        sample.extend(vec![b'\r'; k]);
        let mut data =
            b"--b\r\nContent-Disposition: form-data; name=\"foo\"; filename=\"test.txt\"\r\n\r\n"
                .to_vec();
        data.extend_from_slice(&sample);
        data.extend_from_slice(b"\r\n--b--\r\n");
        let (_, files) = parse_ok(&data, "b");
        assert_eq!(files.get("foo").unwrap().bytes().unwrap(), sample);
    }
}

// test_premature_end_of_file: Werkzeug gives an empty form, we a 400.
#[test]
fn werkzeug_premature_end_of_file_is_an_error() {
    let data = b"--foo\r\n\
        Content-Disposition: form-data; name=\"test\"; filename=\"test.txt\"\r\n\
        Content-Type: text/plain\r\n\r\n\
        file contents and no end";
    let error = parse_with(data, "foo", &Limits::default()).unwrap_err();
    assert!(matches!(error, FormError::Malformed { .. }), "{error:?}");
    assert_eq!(error.status(), 400);
}

// test_file_no_content_type.
#[test]
fn werkzeug_file_no_content_type() {
    let data = b"--foo\r\n\
        Content-Disposition: form-data; name=\"test\"; filename=\"test.txt\"\r\n\r\n\
        file contents\r\n--foo--";
    let (_, files) = parse_ok(data, "foo");
    let file = files.get("test").unwrap();
    assert_eq!(file.filename(), "test.txt");
    assert_eq!(file.bytes().unwrap(), "file contents");
    assert_eq!(file.content_type(), None);
}

// test_extra_newline: a preamble before the first boundary.
#[test]
fn werkzeug_extra_newline() {
    let data = b"\r\n\r\n--foo\r\n\
        Content-Disposition: form-data; name=\"foo\"\r\n\r\n\
        a string\r\n\
        --foo--";
    let (form, files) = parse_ok(data, "foo");
    assert!(files.is_empty());
    assert_eq!(form.get("foo").unwrap(), "a string");
}

// test_headers.
#[test]
fn werkzeug_headers() {
    let data = b"--foo\r\n\
        Content-Disposition: form-data; name=\"foo\"; filename=\"foo.txt\"\r\n\
        X-Custom-Header: blah\r\n\
        Content-Type: text/plain; charset=utf-8\r\n\r\n\
        file contents, just the contents\r\n\
        --foo--";
    let (_, files) = parse_ok(data, "foo");
    let foo = files.get("foo").unwrap();
    assert_eq!(foo.mimetype(), "text/plain");
    assert_eq!(foo.mimetype_params().get("charset").unwrap(), "utf-8");
    assert_eq!(foo.headers()["content-type"], foo.content_type().unwrap());
    assert_eq!(foo.content_type(), Some("text/plain; charset=utf-8"));
    assert_eq!(foo.headers()["x-custom-header"], "blah");
}

// test_nonstandard_line_endings: only CRLF is accepted (RFC 7578); Werkzeug
// also takes bare LF and CR. Those bodies are a 400 here, never a wrong form.
#[test]
fn werkzeug_nonstandard_line_endings_are_rejected() {
    for ending in [&b"\n"[..], b"\r"] {
        let data = [
            &b"--foo"[..],
            b"Content-Disposition: form-data; name=foo",
            b"",
            b"this is just bar",
            b"--foo",
            b"Content-Disposition: form-data; name=bar",
            b"",
            b"blafasel",
            b"--foo--",
        ]
        .join(ending);
        assert!(parse_with(&data, "foo", &Limits::default()).is_err());
    }
}

// test_failures: a part without headers, a body without the closing boundary.
#[test]
fn werkzeug_failures() {
    let data = b"--foo\r\n\r\nHello World\r\n--foo--";
    let error = parse_with(data, "foo", &Limits::default()).unwrap_err();
    assert!(matches!(error, FormError::Malformed { .. }), "{error:?}");
    let data = b"--foo\r\nX-Other: 1\r\n\r\nHello World\r\n--foo--";
    let error = parse_with(data, "foo", &Limits::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "malformed multipart body: part without a content-disposition header"
    );
    let data = b"--foo\r\nContent-Disposition: form-field; name=foo\r\n\r\nHello World\r\n";
    assert!(matches!(
        parse_with(data, "foo", &Limits::default()),
        Err(FormError::Malformed { .. })
    ));
}

// test_empty_multipart.
#[test]
fn werkzeug_empty_multipart() {
    let (form, files) = parse_ok(b"--boundary--", "boundary");
    assert!(form.is_empty() && files.is_empty());
}

// test_file_rfc2231_filename_continuations (without the folded header lines,
// which the part header parser does not accept).
#[test]
fn werkzeug_rfc2231_filename_continuations() {
    let data = b"--foo\r\n\
        Content-Type: text/plain; charset=utf-8\r\n\
        Content-Disposition: form-data; name=rfc2231; filename*0*=ascii''a%20b%20; filename*1*=c%20d%20; filename*2=\"e f.txt\"\r\n\r\n\
        file contents\r\n--foo--";
    let (_, files) = parse_ok(data, "foo");
    let file = files.get("rfc2231").unwrap();
    assert_eq!(file.filename(), "a b c d e f.txt");
    assert_eq!(file.bytes().unwrap(), "file contents");
}

#[test]
fn text_fields_follow_their_charset() {
    let data = b"--b\r\nContent-Disposition: form-data; name=latin\r\nContent-Type: text/plain; charset=ISO-8859-1\r\n\r\n\xe9t\xe9\r\n\
        --b\r\nContent-Disposition: form-data; name=utf8\r\n\r\n\xc3\xa9t\xc3\xa9\r\n--b--";
    let (form, _) = parse_ok(data, "b");
    assert_eq!(form.get("latin").unwrap(), "été");
    assert_eq!(form.get("utf8").unwrap(), "été");

    let data = b"--b\r\nContent-Disposition: form-data; name=bad\r\n\r\n\xe9t\xe9\r\n--b--";
    assert!(matches!(
        parse_with(data, "b", &Limits::default()),
        Err(FormError::InvalidUtf8 { ref field }) if field == "bad"
    ));
}

#[test]
fn a_boundary_lookalike_inside_data_is_data() {
    let data = b"--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n\r\n\
        --XyZ without CRLF before it\r\n-- XyZ\r\n--XyY\r\n\r\n--XyZ--";
    let (_, files) = parse_ok(data, "XyZ");
    assert_eq!(
        files.get("f").unwrap().bytes().unwrap(),
        "--XyZ without CRLF before it\r\n-- XyZ\r\n--XyY\r\n"
    );
}

// RFC 2046: a delimiter (CRLF, `--`, boundary) must not occur in a part, even
// as the start of a longer line; such a body is malformed, a 400.
#[test]
fn a_delimiter_inside_data_is_malformed() {
    let data = b"--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n\r\n\
        text\r\n--XyZZ more\r\n--XyZ--";
    let error = parse_with(data, "XyZ", &Limits::default()).unwrap_err();
    assert!(matches!(error, FormError::Malformed { .. }), "{error:?}");
}

#[test]
fn missing_or_absurd_boundary() {
    assert!(matches!(
        parse_with(b"--\r\n", "", &Limits::default()),
        Err(FormError::MissingBoundary)
    ));
    let long = "x".repeat(201);
    assert!(matches!(
        parse_with(b"", &long, &Limits::default()),
        Err(FormError::MissingBoundary)
    ));
}

/// A reader that yields the same byte forever (a body without end).
struct Endless(u8);

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        buf.fill(self.0);
        Ok(buf.len())
    }
}

#[test]
fn a_body_without_any_boundary_stops_at_the_header_limit() {
    let mut reader = Endless(b'a');
    let error = parse(&mut reader, "XyZ", &Limits::default()).unwrap_err();
    assert!(matches!(
        error,
        FormError::PartHeaderTooLarge { limit: 8190 }
    ));
    assert_eq!(error.status(), 413);
}

#[test]
fn a_part_header_without_end_stops_at_the_header_limit() {
    let head = b"--XyZ\r\nContent-Disposition: form-data; name=\"x\"\r\nX-Pad: ";
    let mut reader = head.chain(Endless(b'p'));
    let error = parse(&mut reader, "XyZ", &Limits::default()).unwrap_err();
    assert!(matches!(error, FormError::PartHeaderTooLarge { .. }));
}

// Attack corpus: multipart-part-header-1mib.http (413 or 400).
#[test]
fn corpus_part_header_1mib() {
    let mut data =
        b"--XyZbOuNdArY\r\nContent-Disposition: form-data; name=\"x\"\r\nX-Pad: ".to_vec();
    data.extend(vec![b'p'; 1 << 20]);
    data.extend_from_slice(b"\r\n\r\nv\r\n--XyZbOuNdArY--\r\n");
    let error = parse_with(&data, "XyZbOuNdArY", &Limits::default()).unwrap_err();
    assert!(matches!(
        error,
        FormError::PartHeaderTooLarge { limit: 8190 }
    ));
    assert_eq!(
        error.to_string(),
        "multipart part headers exceed max_part_header_size (8190 bytes)"
    );
}

// A header block just over the limit (caught exactly, not by the pull budget).
#[test]
fn a_header_block_just_over_the_limit() {
    let pad = "p".repeat(200);
    let data = format!(
        "--b\r\nContent-Disposition: form-data; name=\"x\"\r\nX-Pad: {pad}\r\n\r\nv\r\n--b--\r\n"
    );
    let limits = Limits::default().with_max_part_header_size(200);
    assert!(matches!(
        parse_with(data.as_bytes(), "b", &limits),
        Err(FormError::PartHeaderTooLarge { limit: 200 })
    ));
    let limits = Limits::default().with_max_part_header_size(300);
    assert!(parse_with(data.as_bytes(), "b", &limits).is_ok());
}

fn many_parts(count: usize) -> Vec<u8> {
    let mut data = Vec::new();
    for i in 0..count {
        data.extend_from_slice(
            format!("--XyZbOuNdArY\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\nv\r\n")
                .as_bytes(),
        );
    }
    data.extend_from_slice(b"--XyZbOuNdArY--\r\n");
    data
}

// Attack corpus: multipart-5000-parts.http (413); and 100k parts.
#[test]
fn corpus_5000_and_100k_parts() {
    for count in [5000, 100_000] {
        let data = many_parts(count);
        let error = parse_with(&data, "XyZbOuNdArY", &Limits::default()).unwrap_err();
        assert!(matches!(error, FormError::TooManyParts { limit: 1000 }));
        assert_eq!(error.status(), 413);
    }
    let (form, _) = parse_ok(&many_parts(1000), "XyZbOuNdArY");
    assert_eq!(form.len(), 1000);
}

// Attack corpus: multipart-unterminated.http (400 or parts=0).
#[test]
fn corpus_unterminated() {
    let data = b"--XyZbOuNdArY\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nvalue-without-closing-boundary\r\n";
    let error = parse_with(data, "XyZbOuNdArY", &Limits::default()).unwrap_err();
    assert_eq!(error.status(), 400);
    assert_eq!(
        error.to_string(),
        "malformed multipart body: the body ends before the closing boundary"
    );
}

// Attack corpus: multipart-filename-traversal.http (names made safe).
#[test]
fn corpus_filename_traversal() {
    let data = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/attack/multipart-filename-traversal.http"
    ))
    .unwrap();
    let body_start = memchr::memmem::find(&data, b"\r\n\r\n").unwrap() + 4;
    let (_, files) = parse_ok(&data[body_start..], "XyZbOuNdArY");
    let names: Vec<(&str, String)> = files
        .iter()
        .map(|(_, file)| (file.filename(), file.secure_filename()))
        .collect();
    assert_eq!(
        names,
        [
            ("../../etc/passwd", "etc_passwd".to_owned()),
            ("..\\..\\windows\\win.ini", "windows_win.ini".to_owned()),
            ("/abs/path.txt", "abs_path.txt".to_owned()),
            ("CON.txt", "_CON.txt".to_owned()),
            (".htaccess", "htaccess".to_owned()),
        ]
    );
}

#[test]
fn truncated_inside_headers_and_after_boundary() {
    for data in [
        &b"--b\r\nContent-Disposition: form-da"[..],
        b"--b",
        b"--b\r\n",
        b"",
        b"no boundary at all",
    ] {
        let error = parse_with(data, "b", &Limits::default()).unwrap_err();
        assert_eq!(
            error.status(),
            400,
            "{:?}: {error:?}",
            String::from_utf8_lossy(data)
        );
    }
}

#[test]
fn files_spool_past_the_memory_threshold() {
    let big = vec![b'z'; 200_000];
    let mut data = Vec::new();
    for name in ["a", "b", "c"] {
        data.extend_from_slice(
            format!("--b\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}.bin\"\r\n\r\n").as_bytes(),
        );
        data.extend_from_slice(&big);
        data.extend_from_slice(b"\r\n");
    }
    data.extend_from_slice(b"--b--\r\n");
    let limits = Limits::default().with_file_memory_threshold(450_000);
    let (_, files) = parse_with(&data, "b", &limits).unwrap();
    let spooled: Vec<bool> = files.iter().map(|(_, f)| f.is_spooled()).collect();
    assert_eq!(spooled, [false, false, true]);
    for (_, file) in files.iter() {
        assert_eq!(file.bytes().unwrap(), big);
    }
}
