//! Content negotiation: Accept, Accept-Language, Accept-Charset,
//! Accept-Encoding (Werkzeug test_http.py and test_wrappers.py).

use carafe_wrappers::Request;
use carafe_wrappers::headers::{Accept, AcceptCharset, AcceptEncoding, AcceptLanguage};

fn items<'a>(iter: impl Iterator<Item = (&'a str, f32)>) -> Vec<(String, f32)> {
    iter.map(|(v, q)| (v.to_owned(), q)).collect()
}

// Werkzeug TestHTTPUtility::test_accept (plain Accept rules: AcceptEncoding here)
#[test]
fn plain_accept() {
    let a: AcceptEncoding = "en-us,ru;q=0.5".parse().unwrap();
    assert_eq!(
        a.iter().map(|(v, _)| v).collect::<Vec<_>>(),
        ["en-us", "ru"]
    );
    assert_eq!(a.best(), Some("en-us"));
    assert_eq!(a.find("ru"), Some(1));
    assert_eq!(a.find("de"), None);
    assert_eq!(a.to_string(), "en-us,ru;q=0.5");
}

// Werkzeug test_accept_parameter_with_space
#[test]
fn parameter_with_space() {
    let a: Accept = r#"application/x-special; z="a b";q=0.5"#.parse().unwrap();
    assert_eq!(a.quality(r#"application/x-special; z="a b""#), 0.5);
}

// Werkzeug test_mime_accept
#[test]
fn mime_accept() {
    let a: Accept = "text/xml,application/xml,application/xhtml+xml,\
                     application/foo;quiet=no; bar=baz;q=0.6,\
                     text/html;q=0.9,text/plain;q=0.8,image/png,*/*;q=0.5"
        .parse()
        .unwrap();
    assert_eq!(a.quality("image/png"), 1.0);
    assert_eq!(a.quality("text/plain"), 0.8);
    assert_eq!(a.quality("foo/bar"), 0.5);
    assert_eq!(a.quality("application/foo;quiet=no; bar=baz"), 0.6);
    let index = a.find("foo/bar").unwrap();
    assert_eq!(a.iter().nth(index), Some(("*/*", 0.5)));
    // Werkzeug raises for an invalid server-side media type; here it matches nothing.
    assert_eq!(a.quality("missing"), 0.0);
}

// Werkzeug test_accept_matches
#[test]
fn accept_matches() {
    let a: Accept = "text/xml,application/xml,application/xhtml+xml,\
                     text/html;q=0.9,text/plain;q=0.8,image/png"
        .parse()
        .unwrap();
    assert_eq!(
        a.best_match(["text/html", "application/xhtml+xml"]),
        Some("application/xhtml+xml")
    );
    assert_eq!(a.best_match(["text/html"]), Some("text/html"));
    assert_eq!(a.best_match(["foo/bar"]), None);
    assert_eq!(
        a.best_match(["foo/bar", "bar/foo"]).unwrap_or("foo/bar"),
        "foo/bar"
    );
    assert_eq!(
        a.best_match(["application/xml", "text/xml"]),
        Some("application/xml")
    );
}

// Werkzeug test_accept_mime_specificity
#[test]
fn mime_specificity() {
    let a: Accept = "text/*, text/html, text/html;level=1, */*".parse().unwrap();
    assert_eq!(
        a.best_match(["text/html; version=1", "text/html"]),
        Some("text/html")
    );
    assert_eq!(
        a.best_match(["text/html", "text/html; level=1"]),
        Some("text/html; level=1")
    );
    // Sorted most specific first.
    assert_eq!(
        a.iter().map(|(v, _)| v).collect::<Vec<_>>(),
        ["text/html; level=1", "text/html", "text/*", "*/*"]
    );
}

// Werkzeug test_language_accept
#[test]
fn language_accept() {
    let a: AcceptLanguage = "de-AT,de;q=0.8,en;q=0.5".parse().unwrap();
    assert_eq!(a.best(), Some("de-AT"));
    assert!(a.contains("de_AT"));
    assert!(a.contains("en"));
    assert_eq!(a.quality("de-at"), 1.0);
    assert_eq!(a.quality("en"), 0.5);
}

// Werkzeug LanguageAccept.best_match fallbacks (test_accept.py, test_language_accept)
#[test]
fn language_fallbacks() {
    let a: AcceptLanguage = "en-US,fr-FR;q=0.5".parse().unwrap();
    // Exact (normalised) match first.
    assert_eq!(a.best_match(["fr_fr", "en-us"]), Some("en-us"));
    // The client's primary tags: "en-US" accepts "en".
    assert_eq!(a.best_match(["de", "en"]), Some("en"));
    // The offers' primary tags: "en-GB" offered, client accepts "en".
    let b: AcceptLanguage = "en;q=0.9, fr".parse().unwrap();
    assert_eq!(b.best_match(["en-GB", "de"]), Some("en-GB"));
    assert_eq!(b.best_match(["de", "it"]), None);
}

// Werkzeug _CharsetAccept normalisation through codecs.lookup
#[test]
fn charset_accept() {
    let a: AcceptCharset = "ISO-8859-1, utf-8;q=0.7".parse().unwrap();
    assert_eq!(a.best(), Some("ISO-8859-1"));
    assert!(a.contains("iso-8859-1"));
    assert!(a.contains("UTF8"));
    assert!(!a.contains("utf7"));
    assert_eq!(a.quality("utf-8"), 0.7);
    assert_eq!(a.quality("utf7"), 0.0);
}

// Werkzeug TestRegression::test_best_match_works
#[test]
fn best_match_ignores_broken_items() {
    let a: Accept = "foo=,application/xml,application/xhtml+xml,\
                     text/html;q=0.9,text/plain;q=0.8,image/png,*/*;q=0.5"
        .parse()
        .unwrap();
    assert_eq!(a.best_match(["foo/bar"]), Some("foo/bar"));
}

// Werkzeug test_accept_invalid_float
#[test]
fn invalid_quality_values_drop_the_item() {
    for q in [
        "q=.5",
        "q=+0.5",
        "q=0.5_1",
        "q*=UTF-8''%F0%9F%AF%B0.%F0%9F%AF%B5",
    ] {
        let a: AcceptLanguage = format!("en,jp;{q}").parse().unwrap();
        assert_eq!(a.iter().map(|(v, _)| v).collect::<Vec<_>>(), ["en"], "{q}");
    }
}

// Werkzeug test_accept_valid_int_one_zero
#[test]
fn integer_quality_values() {
    let parse = |v: &str| v.parse::<AcceptLanguage>().unwrap();
    assert_eq!(parse("en;q=1"), parse("en;q=1.0"));
    assert_eq!(parse("en;q=0"), parse("en;q=0.0"));
    assert_eq!(parse("en;q=5"), parse("en;q=5.0"));
    assert!(parse("en;q=5").is_empty());
}

#[test]
fn quality_zero_refuses() {
    let a: AcceptEncoding = "gzip;q=0, *".parse().unwrap();
    assert_eq!(a.best_match(["gzip", "br"]), Some("br"));
    assert_eq!(a.best_match(["gzip"]), None);
}

#[test]
fn unclosed_quote_is_an_error() {
    assert!(r#"text/html; a="b"#.parse::<Accept>().is_err());
}

// Werkzeug test_wrappers.py::test_accept
#[test]
fn request_accessors() {
    let mut request = Request::get("/");
    let headers = request.headers_mut();
    headers.insert(
        "accept",
        "text/xml,application/xml,application/xhtml+xml,\
         text/html;q=0.9,text/plain;q=0.8,image/png,*/*;q=0.5"
            .parse()
            .unwrap(),
    );
    headers.insert("accept-encoding", "gzip,deflate".parse().unwrap());
    headers.insert("accept-language", "en-us,en;q=0.5".parse().unwrap());
    let expected: Accept = [
        ("text/xml", 1.0),
        ("application/xml", 1.0),
        ("application/xhtml+xml", 1.0),
        ("image/png", 1.0),
        ("text/html", 0.9),
        ("text/plain", 0.8),
        ("*/*", 0.5),
    ]
    .into_iter()
    .collect();
    assert_eq!(request.accept(), expected);
    assert_eq!(
        items(request.accept().iter()),
        items(expected.iter()),
        "sorted by quality, client order kept"
    );
    let encodings: AcceptEncoding = [("gzip", 1.0), ("deflate", 1.0)].into_iter().collect();
    assert_eq!(request.accept_encoding(), encodings);
    let languages: AcceptLanguage = [("en-us", 1.0), ("en", 0.5)].into_iter().collect();
    assert_eq!(request.accept_language(), languages);

    let mut empty = Request::get("/");
    empty.headers_mut().insert("accept", "".parse().unwrap());
    assert_eq!(empty.accept(), Accept::new());
}

#[test]
fn several_accept_lines_are_one_list() {
    let mut request = Request::get("/");
    request
        .headers_mut()
        .append("accept", "text/html;q=0.5".parse().unwrap());
    request
        .headers_mut()
        .append("accept", "application/json".parse().unwrap());
    assert_eq!(
        request
            .accept()
            .best_match(["text/html", "application/json"]),
        Some("application/json")
    );
}

#[test]
fn mime_helpers() {
    let browser: Accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        .parse()
        .unwrap();
    assert!(browser.accepts_html() && browser.accepts_xhtml() && browser.accepts_json());
    let api: Accept = "application/json".parse().unwrap();
    assert!(api.accepts_json() && !api.accepts_html());
    // "*/not-*" from a client is invalid and matches nothing.
    let broken: Accept = "*/html".parse().unwrap();
    assert!(!broken.contains("text/html"));
}
