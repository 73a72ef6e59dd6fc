//! Typed headers' wire formats (Werkzeug test_http.py): dates, entity
//! tags, ranges, authorization, cache control.

use std::time::Duration;

use carafe_wrappers::headers::{
    Authorization, ByteRangeSpec, CacheControl, ContentRange, Credentials, ETags, EntityTag,
    HeaderError, HttpDate, IfRange, Range, TypedHeader, UserAgent, WwwAuthenticate,
};
use http::{HeaderMap, HeaderValue};

/// Seconds since the epoch of a UTC date and time, counted day by day
/// (independently of the crate's calendar arithmetic).
fn utc(year: i64, month: u32, day: u32, h: i64, m: i64, s: i64) -> i64 {
    let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let year_days = |y: i64| if leap(y) { 366 } else { 365 };
    let mut days: i64 = if year >= 1970 {
        (1970..year).map(year_days).sum()
    } else {
        -(year..1970).map(year_days).sum::<i64>()
    };
    let months = [
        31,
        if leap(year) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    days += months[..month as usize - 1].iter().sum::<i64>() + i64::from(day) - 1;
    days * 86_400 + h * 3600 + m * 60 + s
}

// Werkzeug test_parse_date
#[test]
fn parse_date() {
    let parse = |v: &str| v.parse::<HttpDate>().ok().map(HttpDate::unix_seconds);
    assert_eq!(
        parse("Sun, 06 Nov 1994 08:49:37 GMT    "),
        Some(784_111_777)
    );
    assert_eq!(parse("Sunday, 06-Nov-94 08:49:37 GMT"), Some(784_111_777));
    assert_eq!(parse(" Sun Nov  6 08:49:37 1994"), Some(784_111_777));
    assert_eq!(parse("foo"), None);
    assert_eq!(
        parse(" Sun 02 Feb 1343 08:49:37 GMT"),
        Some(utc(1343, 2, 2, 8, 49, 37))
    );
    assert_eq!(parse("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
    assert_eq!(parse("Thu, 33 Jan 1970 00:00:00 GMT"), None);
    assert_eq!(parse("Fri, 29 Feb 2019 00:00:00 GMT"), None);
    assert_eq!(parse("Thu, 29 Feb 2024 00:00:00 GMT"), Some(1_709_164_800));
    assert_eq!(parse("Thu, 01 Jan 1970 24:00:00 GMT"), None);
    assert_eq!(parse(""), None);
}

// Werkzeug test_http_date
#[test]
fn http_date() {
    let show = |seconds: i64| HttpDate::from_unix_seconds(seconds).unwrap().to_string();
    assert_eq!(show(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
    // A zone offset is converted to GMT.
    let eight_west: HttpDate = "Sun, 06 Nov 1994 08:49:37 -0800".parse().unwrap();
    assert_eq!(eight_west.to_string(), "Sun, 06 Nov 1994 16:49:37 GMT");
    assert_eq!(show(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    assert_eq!(show(utc(1, 1, 1, 0, 0, 0)), "Mon, 01 Jan 0001 00:00:00 GMT");
    assert_eq!(
        show(utc(999, 1, 1, 0, 0, 0)),
        "Tue, 01 Jan 0999 00:00:00 GMT"
    );
    assert_eq!(
        show(utc(1000, 1, 1, 0, 0, 0)),
        "Wed, 01 Jan 1000 00:00:00 GMT"
    );
    assert_eq!(
        show(utc(2020, 1, 1, 0, 0, 0)),
        "Wed, 01 Jan 2020 00:00:00 GMT"
    );
}

#[test]
fn dates_and_system_time() {
    let date = HttpDate::from_unix_seconds(1_201_000_724).unwrap();
    assert_eq!(HttpDate::from(date.to_system_time()), date);
    let before = std::time::UNIX_EPOCH - Duration::from_millis(1500);
    assert_eq!(HttpDate::from(before).unix_seconds(), -2);
}

// Werkzeug test_etags
#[test]
fn etags() {
    assert_eq!(EntityTag::strong("foo").unwrap().to_string(), r#""foo""#);
    assert_eq!(EntityTag::weak("foo").unwrap().to_string(), r#"W/"foo""#);
    let parse = |v: &str| v.parse::<EntityTag>().unwrap();
    assert_eq!(parse(r#""foo""#), EntityTag::strong("foo").unwrap());
    assert_eq!(parse(r#"W/"foo""#), EntityTag::weak("foo").unwrap());
    assert!(EntityTag::strong("a\"b").is_err());

    let tags: ETags = r#""foo", "bar", W/"baz", blar"#.parse().unwrap();
    let mut strong: Vec<_> = tags
        .iter()
        .filter(|t| !t.is_weak())
        .map(|t| t.tag())
        .collect();
    strong.sort_unstable();
    assert_eq!(strong, ["bar", "blar", "foo"]);
    assert!(tags.contains("foo"));
    assert!(!tags.contains("baz"));
    assert!(tags.contains_weak("baz"));
    assert!(tags.contains("blar"));
    assert!(tags.contains_raw(r#"W/"baz""#));
    assert!(tags.contains_raw(r#""foo""#));
    assert_eq!(tags.to_string(), r#""foo", "bar", W/"baz", "blar""#);
}

// Werkzeug test_etags_nonzero
#[test]
fn a_weak_tag_alone_is_not_empty() {
    let tags: ETags = r#"W/"foo""#.parse().unwrap();
    assert!(!tags.is_empty());
    assert!(tags.contains_raw(r#"W/"foo""#));
}

#[test]
fn etag_lists_reject_broken_quoting() {
    assert!(r#""foo"#.parse::<ETags>().is_err());
    assert!(r#""a" "b""#.parse::<ETags>().is_err());
    assert!("a b".parse::<ETags>().is_err());
    assert!("".parse::<ETags>().unwrap().is_empty());
    assert!(" , ,".parse::<ETags>().unwrap().is_empty());
    assert!(r#""a", *"#.parse::<ETags>().unwrap().is_any());
}

// Werkzeug TestRange::test_if_range_parsing
#[test]
fn if_range() {
    let tag: IfRange = r#""Test""#.parse().unwrap();
    assert_eq!(tag, IfRange::ETag(EntityTag::strong("Test").unwrap()));
    assert_eq!(tag.to_string(), r#""Test""#);
    // A weak tag is kept, and never matches (RFC 9110 §13.1.5).
    let weak: IfRange = r#"W/"Test""#.parse().unwrap();
    assert_eq!(weak, IfRange::ETag(EntityTag::weak("Test").unwrap()));
    // Broken (unquoted) tags are supported too.
    let unquoted: IfRange = "unquoted".parse().unwrap();
    assert_eq!(unquoted.to_string(), r#""unquoted""#);
    let date: IfRange = "Thu, 01 Jan 1970 00:00:00 GMT".parse().unwrap();
    assert_eq!(date, IfRange::Date(HttpDate::from_unix_seconds(0).unwrap()));
    assert_eq!(date.to_string(), "Thu, 01 Jan 1970 00:00:00 GMT");
    assert!("".parse::<IfRange>().is_err());
}

// Werkzeug TestRange::test_range_parsing
#[test]
fn range_parsing() {
    let parse = |v: &str| v.parse::<Range>();
    assert!(parse("bytes=52").is_err());
    let r = parse("bytes=52-").unwrap();
    assert_eq!(
        (r.unit(), r.specs()),
        ("bytes", &[ByteRangeSpec::From { first: 52 }][..])
    );
    assert_eq!(r.to_string(), "bytes=52-");
    let r = parse("bytes=52-99").unwrap();
    assert_eq!(
        r.specs(),
        [ByteRangeSpec::FromTo {
            first: 52,
            last: 99
        }]
    );
    assert_eq!(r.to_string(), "bytes=52-99");
    let r = parse("bytes=52-99,-1000").unwrap();
    assert_eq!(
        r.specs(),
        [
            ByteRangeSpec::FromTo {
                first: 52,
                last: 99
            },
            ByteRangeSpec::Suffix { length: 1000 }
        ]
    );
    assert_eq!(r.to_string(), "bytes=52-99,-1000");
    let r = parse("bytes = 1 - 100").unwrap();
    assert_eq!(r.to_string(), "bytes=1-100");
    let r = parse("AWesomes=0-999").unwrap();
    assert_eq!(r.unit(), "awesomes");
    assert_eq!(r.to_string(), "awesomes=0-999");
    for bad in [
        "bytes=-",
        "bytes=bad",
        "bytes=bad-1",
        "bytes=-bad",
        "bytes=52-99, bad",
        "🯱🯲🯳",
        "+1-",
        "1-1_23",
        "bytes=+1-2",
        "bytes=1-2,",
        "bytes=5-1",
    ] {
        assert!(
            matches!(
                parse(bad),
                Err(HeaderError::Malformed {
                    header: "range",
                    ..
                })
            ),
            "{bad}"
        );
    }
}

#[test]
fn range_order_and_limits() {
    // Overlapping, descending, or anything after an open range: refused (Werkzeug).
    for bad in [
        "bytes=0-5,3-8",
        "bytes=10-20,0-5",
        "bytes=0-,5-9",
        "bytes=-5,0-1",
    ] {
        assert!(bad.parse::<Range>().is_err(), "{bad}");
    }
    assert!("bytes=0-5,6-8".parse::<Range>().is_ok());
    let many = (0..65)
        .map(|i| format!("{}-{}", i * 10, i * 10 + 1))
        .collect::<Vec<_>>();
    let error = format!("bytes={}", many.join(","))
        .parse::<Range>()
        .unwrap_err();
    assert_eq!(
        error,
        HeaderError::TooManyRanges {
            count: 65,
            limit: 64
        }
    );
    assert_eq!(error.status(), 416);
    assert!(
        format!("bytes={}", many[..64].join(","))
            .parse::<Range>()
            .is_ok()
    );
}

// Werkzeug Range.range_for_length, with RFC 9110's suffix rule
#[test]
fn satisfiable_ranges() {
    let range = |v: &str| v.parse::<Range>().unwrap();
    assert_eq!(range("bytes=0-499").satisfiable(1000), [(0, 499)]);
    assert_eq!(range("bytes=6-666").satisfiable(11), [(6, 10)]);
    assert_eq!(range("bytes=-5").satisfiable(11), [(6, 10)]);
    assert_eq!(range("bytes=-500").satisfiable(11), [(0, 10)]);
    assert!(range("bytes=-0").satisfiable(11).is_empty());
    assert!(range("bytes=11-").satisfiable(11).is_empty());
    assert_eq!(
        range("bytes=0-1,4-5,11-20").satisfiable(11),
        [(0, 1), (4, 5)]
    );
    assert_eq!(
        range("bytes=0-4,5-9").satisfiable(11),
        [(0, 9)],
        "adjacent ranges merge"
    );
    assert!(range("items=0-4").satisfiable(11).is_empty());
}

// Werkzeug TestRange::test_content_range_parsing and test_content_range_invalid_int
#[test]
fn content_range() {
    let r: ContentRange = "bytes 0-98/*".parse().unwrap();
    assert_eq!(
        (r.unit(), r.range(), r.complete_length()),
        ("bytes", Some((0, 98)), None)
    );
    assert_eq!(r.to_string(), "bytes 0-98/*");
    assert!("bytes 0-98/*asdfsa".parse::<ContentRange>().is_err());
    assert!("bytes */-1".parse::<ContentRange>().is_err());
    assert!("bytes */*".parse::<ContentRange>().is_err());
    let r: ContentRange = "bytes 0-99/100".parse().unwrap();
    assert_eq!(r.to_string(), "bytes 0-99/100");
    let r: ContentRange = "bytes */100".parse().unwrap();
    assert_eq!((r.range(), r.complete_length()), (None, Some(100)));
    assert_eq!(r.to_string(), "bytes */100");
    for bad in ["*/🯱🯲🯳", "1-+2/3", "1_23-125/*", "0-100/100", "5-4/10"] {
        assert!(
            format!("bytes {bad}").parse::<ContentRange>().is_err(),
            "{bad}"
        );
    }
}

// Werkzeug test_authorization_header
#[test]
fn authorization() {
    let parse = |v: &str| v.parse::<Authorization>().unwrap();
    let a = parse("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    assert_eq!(
        (a.scheme(), a.username(), a.password()),
        ("basic", Some("Aladdin"), Some("open sesame"))
    );
    let a = parse("Basic 0YDRg9GB0YHQutC40IE60JHRg9C60LLRiw==");
    assert_eq!(
        (a.username(), a.password()),
        (Some("русскиЁ"), Some("Буквы"))
    );
    let a = parse("Basic 5pmu6YCa6K+dOuS4reaWhw==");
    assert_eq!((a.username(), a.password()), (Some("普通话"), Some("中文")));

    let a = parse(
        r#"Digest username="Mufasa", realm="testrealm@host.invalid", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
    );
    assert_eq!(a.scheme(), "digest");
    assert_eq!(a.username(), Some("Mufasa"));
    assert_eq!(a.param("realm"), Some("testrealm@host.invalid"));
    assert_eq!(a.param("nonce"), Some("dcd98b7102dd2f0e8b11d0f600bfb0c093"));
    assert_eq!(a.param("uri"), Some("/dir/index.html"));
    assert_eq!(a.param("qop"), Some("auth"));
    assert_eq!(a.param("nc"), Some("00000001"));
    assert_eq!(a.param("cnonce"), Some("0a4f113b"));
    assert_eq!(
        a.param("response"),
        Some("6629fae49393a05397450978507c4ef1")
    );
    assert_eq!(a.param("opaque"), Some("5ccc069c403ebaf9f0171e9517f40e41"));

    assert!("".parse::<Authorization>().is_err());
    let foo = parse("foo");
    assert_eq!((foo.scheme(), foo.token()), ("foo", Some("")));
}

// Werkzeug test_authorization_ignore_invalid_parameters
#[test]
fn authorization_ignores_invalid_parameters() {
    let a: Authorization = "Digest foo, bar=, =qux, =".parse().unwrap();
    assert_eq!(a.to_string(), r#"Digest foo, bar="""#);
}

// Werkzeug test_authorization_token_padding / test_www_authenticate_token_padding
#[test]
fn tokens_with_base64_padding() {
    for token in [
        "VGhpcyBoYXMgYmFzZTY0IHBhZGRpbmc=",
        "VGhpcyBoYXMgYmFzZTY0IHBhZGRpbmcuLg==",
    ] {
        let a: Authorization = format!("Token {token}").parse().unwrap();
        assert_eq!((a.scheme(), a.token()), ("token", Some(token)));
        let w: WwwAuthenticate = format!("Token {token}").parse().unwrap();
        assert_eq!((w.scheme(), w.token()), ("token", Some(token)));
    }
}

// Werkzeug test_authorization_basic_incorrect_padding / test_bad_authorization_header_encoding
#[test]
fn broken_basic_credentials() {
    assert!("Basic foo".parse::<Authorization>().is_err());
    // base64 of b"\xffser:pass": not UTF-8.
    assert!("Basic /3NlcjpwYXNz".parse::<Authorization>().is_err());
}

// Werkzeug test_authorization_eq
#[test]
fn authorization_equality() {
    let basic: Authorization = "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==".parse().unwrap();
    assert_eq!(basic, Authorization::basic("Aladdin", "open sesame"));
    let bearer: Authorization = "Bearer abc".parse().unwrap();
    assert_eq!(bearer, Authorization::bearer("abc"));
    assert_ne!(basic, bearer);
    assert_eq!(bearer.credentials(), &Credentials::Token("abc".to_owned()));
}

// Werkzeug test_authorization_to_header
#[test]
fn authorization_round_trips() {
    for value in [
        "Basic V2Vya3pldWc6V2VrcnpldWc=",
        r#"Digest username=Mufasa, realm="testrealm@host.invalid", nonce=dcd98b7102dd2f0e8b11d0f600bfb0c093, uri="/dir/index.html", qop=auth, nc=00000001, cnonce=0a4f113b, response=6629fae49393a05397450978507c4ef1, opaque=5ccc069c403ebaf9f0171e9517f40e41"#,
    ] {
        assert_eq!(value.parse::<Authorization>().unwrap().to_string(), value);
    }
}

// Werkzeug test_www_authenticate_header / test_www_authenticate_eq
#[test]
fn www_authenticate() {
    let wa: WwwAuthenticate = r#"Basic realm="WallyWorld""#.parse().unwrap();
    assert_eq!(
        (wa.scheme(), wa.param("realm")),
        ("basic", Some("WallyWorld"))
    );
    assert_eq!(
        wa.with_param("realm", "Foo Bar").to_string(),
        r#"Basic realm="Foo Bar""#
    );
    assert_eq!(WwwAuthenticate::bearer().to_string(), "Bearer");
    let wa: WwwAuthenticate = r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#
        .parse()
        .unwrap();
    assert_eq!(wa.scheme(), "digest");
    assert_eq!(wa.param("realm"), Some("testrealm@host.com"));
    assert_eq!(wa.param("qop"), Some("auth,auth-int"));
    assert_eq!(
        wa.param("nonce"),
        Some("dcd98b7102dd2f0e8b11d0f600bfb0c093")
    );
    assert_eq!(wa.param("opaque"), Some("5ccc069c403ebaf9f0171e9517f40e41"));
    assert_eq!(
        "broken".parse::<WwwAuthenticate>().unwrap().scheme(),
        "broken"
    );
    assert!("".parse::<WwwAuthenticate>().is_err());
    assert_eq!(
        "Basic realm=abc".parse::<WwwAuthenticate>().unwrap(),
        WwwAuthenticate::basic("abc")
    );
    assert_ne!(
        WwwAuthenticate::basic("abc"),
        WwwAuthenticate::new("token").with_token("abc")
    );
}

// Werkzeug test_wrappers.py::test_authenticate_quoted_qop
#[test]
fn digest_challenges_quote_their_parameters() {
    let wa = WwwAuthenticate::new("digest")
        .with_param("realm", "REALM")
        .with_param("nonce", "NONCE")
        .with_param("qop", "auth, auth-int");
    assert_eq!(
        wa.to_string(),
        r#"Digest realm="REALM", nonce="NONCE", qop="auth, auth-int""#
    );
    assert_eq!(
        wa.with_param("qop", "auth").to_string(),
        r#"Digest realm="REALM", nonce="NONCE", qop="auth""#
    );
}

// Werkzeug test_cache_control_header
#[test]
fn cache_control() {
    let cc: CacheControl = "max-age=0, no-cache".parse().unwrap();
    assert_eq!(cc.max_age(), Some(Duration::ZERO));
    assert!(cc.no_cache());
    let cc: CacheControl = r#"private, community="UCI""#.parse().unwrap();
    assert!(cc.private());
    assert_eq!(cc.directive("community"), Some(Some("UCI")));

    let cc = CacheControl::new();
    assert!(!cc.no_cache() && !cc.private());
    let cc = cc.with_no_cache().with_private();
    assert!(cc.no_cache() && cc.private());
    let cc = cc.without("private");
    assert!(!cc.private());
    let cc = cc.with_max_age(Duration::from_millis(3100));
    assert_eq!(cc.max_age(), Some(Duration::from_secs(3)));
    assert_eq!(cc.directive("max-age"), Some(Some("3")));
    let cc = cc
        .without("max-age")
        .with_s_maxage(Duration::from_millis(3100));
    assert_eq!(cc.s_maxage(), Some(Duration::from_secs(3)));
    assert_eq!(cc.without("s-maxage").to_string(), "no-cache");
    // A malformed number reads as absent; the directive is still there.
    let cc: CacheControl = "max-age=soon, Must-Revalidate".parse().unwrap();
    assert_eq!(cc.max_age(), None);
    assert!(cc.must_revalidate());
}

#[test]
fn typed_headers_from_a_header_map() {
    let mut headers = HeaderMap::new();
    assert_eq!(Range::from_headers(&headers), Ok(None));
    headers.insert("range", "bytes=0-1".parse().unwrap());
    assert!(Range::from_headers(&headers).unwrap().is_some());
    headers.append("range", "bytes=5-6".parse().unwrap());
    assert!(
        Range::from_headers(&headers).is_err(),
        "two Range lines are one malformed value"
    );

    let mut headers = HeaderMap::new();
    headers.insert("user-agent", HeaderValue::from_bytes(b"caf\xe9").unwrap());
    assert_eq!(
        UserAgent::from_headers(&headers),
        Err(HeaderError::NotText {
            header: "user-agent"
        })
    );
    let value = UserAgent::new("bad\r\nvalue")
        .to_header_value()
        .unwrap_err();
    assert!(matches!(
        value,
        HeaderError::InvalidValue {
            header: "user-agent",
            ..
        }
    ));
}
