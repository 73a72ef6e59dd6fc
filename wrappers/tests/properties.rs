//! Property tests (bounded: a few hundred cases each) of the query, form,
//! multipart and cookie parsers: any input gives a value or a typed 4xx
//! error, never a panic, and well-formed input round-trips.

use carafe_wrappers::cookies::{parse_cookie, parse_cookie_headers};
use carafe_wrappers::test::{FileUpload, RequestBuilder};
use carafe_wrappers::{Limits, multipart, urlencoded};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        max_shrink_iters: 512,
        ..ProptestConfig::default()
    }
}

/// Text biased towards the characters that matter to the parsers.
fn tricky_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just('%'),
            Just('+'),
            Just('&'),
            Just('='),
            Just(';'),
            Just('"'),
            Just('\\'),
            Just(' '),
            prop::char::range('0', 'z'),
            any::<char>(),
        ],
        0..40,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn query_parser_is_total_and_bounded(input in tricky_text(), max in 0usize..8) {
        match urlencoded::parse(&input, max) {
            Ok(pairs) => prop_assert!(pairs.len() <= max),
            Err(error) => prop_assert_eq!(error.status(), 400),
        }
    }

    #[test]
    fn query_round_trips(pairs in prop::collection::vec((tricky_text(), tricky_text()), 0..10)) {
        let encoded = urlencoded::encode(pairs.iter().map(|(k, v)| (k, v)));
        let decoded: Vec<(String, String)> = urlencoded::parse(&encoded, 100).unwrap().into_iter().collect();
        prop_assert_eq!(decoded, pairs);
    }

    #[test]
    fn args_of_any_request_target(query in "[ -~]{0,60}") {
        let uri = format!("/?{}", query.replace(['#', ' ', '"', '<', '>', '\\', '^', '`', '{', '|', '}'], "%"));
        if let Ok(uri) = uri.parse::<http::Uri>() {
            let request = RequestBuilder::get(&uri.to_string()).build();
            if let Err(error) = request.args() {
                prop_assert_eq!(error.status(), 400);
            }
        }
    }

    #[test]
    fn form_parser_is_total(body in prop::collection::vec(any::<u8>(), 0..200), max_fields in 0usize..6) {
        let request = RequestBuilder::post("/")
            .body(body)
            .content_type("application/x-www-form-urlencoded")
            .limits(Limits::default().with_max_form_fields(max_fields).with_max_form_memory_size(150))
            .build();
        match request.form() {
            Ok(form) => prop_assert!(form.len() <= max_fields),
            Err(error) => prop_assert!(error.status().is_client_error(), "{}", error),
        }
    }

    #[test]
    fn multipart_parser_is_total_on_noise(body in prop::collection::vec(any::<u8>(), 0..300)) {
        if let Err(error) = multipart::parse(&mut &body[..], "b", &Limits::default()) {
            prop_assert!(error.status().is_client_error(), "{}", error);
        }
    }

    #[test]
    fn multipart_parser_is_total_on_damaged_bodies(
        fields in prop::collection::vec(("[a-z]{1,5}", tricky_text()), 0..4),
        file in prop::collection::vec(any::<u8>(), 0..200),
        cut in any::<prop::sample::Index>(),
        noise in prop::collection::vec(any::<u8>(), 0..8),
        at in any::<prop::sample::Index>(),
    ) {
        let request = RequestBuilder::post("/")
            .form(fields.clone())
            .file("upload", FileUpload::new("f.bin", file.clone()))
            .build();
        let content_type = request.headers()["content-type"].to_str().unwrap().to_owned();
        let boundary = content_type.split("boundary=").nth(1).unwrap().to_owned();
        let body = request.get_data().unwrap().to_vec();

        // The intact body parses to what was sent.
        let (form, files) = multipart::parse(&mut &body[..], &boundary, &Limits::default()).unwrap();
        prop_assert_eq!(form.into_iter().collect::<Vec<_>>(), fields);
        prop_assert_eq!(files.get("upload").unwrap().bytes().unwrap().to_vec(), file);

        // A cut body is an error (or, cut after the closing boundary, the same form).
        let cut_body = &body[..cut.index(body.len() + 1)];
        if let Err(error) = multipart::parse(&mut &cut_body[..], &boundary, &Limits::default()) {
            prop_assert_eq!(error.status(), 400, "{}", error);
        }

        // Noise anywhere: a value or a 4xx.
        let mut damaged = body.clone();
        let position = at.index(damaged.len() + 1);
        damaged.splice(position..position, noise);
        if let Err(error) = multipart::parse(&mut &damaged[..], &boundary, &Limits::default()) {
            prop_assert!(error.status().is_client_error(), "{}", error);
        }
    }

    #[test]
    fn multipart_part_count_is_bounded(parts in 0usize..40, max in 1usize..20) {
        let mut body = Vec::new();
        for i in 0..parts {
            body.extend_from_slice(format!("--b\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\nv\r\n").as_bytes());
        }
        body.extend_from_slice(b"--b--\r\n");
        let limits = Limits::default().with_max_form_parts(max);
        match multipart::parse(&mut &body[..], "b", &limits) {
            Ok((form, _)) => prop_assert!(form.len() == parts && parts <= max),
            Err(error) => {
                prop_assert!(parts > max);
                prop_assert_eq!(error.status(), 413);
            }
        }
    }

    #[test]
    fn cookie_parser_is_total(header in tricky_text()) {
        let cookies = parse_cookie(&header);
        for (name, _) in cookies.iter() {
            prop_assert!(!name.is_empty());
            prop_assert_eq!(name.trim(), name);
        }
    }

    #[test]
    fn cookie_headers_of_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..100), max in 0usize..120) {
        if let Ok(value) = http::HeaderValue::from_bytes(&bytes) {
            let mut headers = http::HeaderMap::new();
            headers.insert(http::header::COOKIE, value);
            match parse_cookie_headers(&headers, max) {
                Ok(_) => prop_assert!(bytes.len() <= max && std::str::from_utf8(&bytes).is_ok()),
                Err(error) => prop_assert!(error.status() == 400 || error.status() == 431),
            }
        }
    }

    #[test]
    fn simple_cookies_round_trip(pairs in prop::collection::vec(("[A-Za-z0-9_-]{1,8}", "[A-Za-z0-9_.!*-]{0,8}"), 0..8)) {
        let header = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let parsed: Vec<(String, String)> = parse_cookie(&header).into_iter().collect();
        prop_assert_eq!(parsed, pairs);
    }
}
