//! Every header parser is a total function: arbitrary input gives a value or
//! a typed error, never a panic; what parses and prints parses back to the
//! same value. Bounded: 256 cases per property, inputs up to 256 characters.

use carafe_wrappers::headers::{
    Accept, AcceptLanguage, Authorization, CacheControl, ContentRange, ETags, EntityTag, HttpDate,
    IfRange, Range, TypedHeader, WwwAuthenticate,
};
use carafe_wrappers::{Decision, Response, Validators, evaluate, safe_join};
use http::{HeaderMap, HeaderValue, Method};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        ..ProptestConfig::default()
    }
}

/// Text made of the characters header grammars care about, so the parsers'
/// branches are reached (not just "no `=` found").
fn header_text() -> impl Strategy<Value = String> {
    proptest::string::string_regex(
        r#"([a-zA-Z0-9]|bytes|W/|"|\\|,|;|=|-|\*|/|\.|q=|:| |\t|é|🯱|GMT|Jan|Basic |Bearer |Digest ){0,40}"#,
    )
    .unwrap()
}

/// Any bytes a header value may hold, and some it may not.
fn header_bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..256)
}

/// Parses `text` as `T`; when it parses, printing and parsing again gives
/// the same value (the wire format round-trips).
fn total<T>(text: &str)
where
    T: std::str::FromStr + std::fmt::Display + PartialEq + std::fmt::Debug,
{
    if let Ok(value) = text.parse::<T>() {
        let printed = value.to_string();
        let again = printed.parse::<T>();
        assert!(
            again.is_ok(),
            "{text:?} printed as {printed:?}, which does not parse"
        );
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn range_parser_is_total(text in header_text(), raw in any::<String>()) {
        for input in [&text, &raw] {
            total::<Range>(input);
            if let Ok(range) = input.parse::<Range>() {
                prop_assert!(range.specs().len() <= Range::MAX_RANGES);
                prop_assert_eq!(range.to_string().parse::<Range>().unwrap(), range.clone());
                for length in [0, 1, 11, u64::MAX] {
                    for (first, last) in range.satisfiable(length) {
                        prop_assert!(first <= last && last < length);
                    }
                }
            }
            total::<ContentRange>(input);
            total::<IfRange>(input);
        }
    }

    #[test]
    fn numeric_ranges_round_trip(specs in proptest::collection::vec((0u64..1_000_000, 0u64..1000), 1..70)) {
        let mut first = 0;
        let mut parts = Vec::new();
        for (gap, width) in specs {
            let start = first + gap;
            parts.push(format!("{start}-{}", start + width));
            first = start + width + 1;
        }
        let text = format!("bytes={}", parts.join(","));
        match text.parse::<Range>() {
            Ok(range) => prop_assert_eq!(range.to_string(), text),
            Err(error) => prop_assert!(parts.len() > Range::MAX_RANGES, "{error}"),
        }
    }

    #[test]
    fn accept_parser_is_total(text in header_text(), raw in any::<String>()) {
        for input in [&text, &raw] {
            if let Ok(accept) = input.parse::<Accept>() {
                let _ = accept.best_match(["text/html", "application/json", "*/*", "bad"]);
                for (_, q) in accept.iter() {
                    prop_assert!((0.0..=1.0).contains(&q));
                }
                let reparsed: Accept = accept.to_string().parse().unwrap();
                prop_assert_eq!(reparsed.len(), accept.len());
            }
            if let Ok(languages) = input.parse::<AcceptLanguage>() {
                let _ = languages.best_match(["en-US", "de", "", "-"]);
            }
        }
    }

    #[test]
    fn etag_list_parser_is_total(text in header_text(), raw in any::<String>()) {
        for input in [&text, &raw] {
            if let Ok(tags) = input.parse::<ETags>() {
                let reparsed: ETags = tags.to_string().parse().unwrap();
                prop_assert_eq!(reparsed, tags);
            }
            total::<EntityTag>(input);
        }
    }

    #[test]
    fn date_parser_is_total(text in header_text(), raw in any::<String>(), seconds in -62_135_596_800i64..253_402_300_800) {
        for input in [&text, &raw] {
            total::<HttpDate>(input);
        }
        let date = HttpDate::from_unix_seconds(seconds).unwrap();
        prop_assert_eq!(date.to_string().parse::<HttpDate>().unwrap(), date);
    }

    #[test]
    fn dates_in_every_format_parse(seconds in 0i64..4_102_444_800) {
        let date = HttpDate::from_unix_seconds(seconds).unwrap();
        let imf = date.to_string(); // "Sun, 06 Nov 1994 08:49:37 GMT"
        let parts: Vec<&str> = imf.split(' ').collect();
        let (day, month, year, time) = (parts[1], parts[2], parts[3], parts[4]);
        let asctime = format!("Sun {month} {:>2} {time} {year}", day.trim_start_matches('0'));
        prop_assert_eq!(asctime.parse::<HttpDate>().unwrap(), date);
        if (1969..2069).contains(&year.parse::<i64>().unwrap()) {
            let rfc850 = format!("Sunday, {day}-{month}-{} {time} GMT", &year[2..]);
            prop_assert_eq!(rfc850.parse::<HttpDate>().unwrap(), date);
        }
    }

    #[test]
    fn authorization_parser_is_total(text in header_text(), raw in any::<String>(), user in "[^:\r\n]{0,20}", password in any::<String>()) {
        for input in [&text, &raw] {
            total::<Authorization>(input);
            total::<WwwAuthenticate>(input);
            total::<CacheControl>(input);
        }
        let basic = Authorization::basic(user.clone(), password.clone());
        let parsed: Authorization = basic.to_string().parse().unwrap();
        prop_assert_eq!(parsed.username(), Some(user.as_str()));
        prop_assert_eq!(parsed.password(), Some(password.as_str()));
    }

    #[test]
    fn header_bytes_never_panic(bytes in header_bytes()) {
        let Ok(value) = HeaderValue::from_bytes(&bytes) else { return Ok(()) };
        let _ = Range::from_header_value(&value);
        let _ = Accept::from_header_value(&value);
        let _ = Authorization::from_header_value(&value);
        let _ = IfRange::from_header_value(&value);
        let _ = CacheControl::from_header_value(&value);
        let _ = ContentRange::from_header_value(&value);
        let mut headers = HeaderMap::new();
        for name in ["range", "if-range", "if-match", "if-none-match", "if-modified-since", "if-unmodified-since"] {
            headers.insert(name, value.clone());
        }
        let validators = Validators::new()
            .with_etag(EntityTag::strong("x").unwrap())
            .with_length(100);
        let decision = evaluate(&Method::GET, &headers, &validators);
        if let Decision::Partial(ranges) = decision {
            prop_assert!(!ranges.is_empty() && ranges.len() <= Range::MAX_RANGES);
        }
    }

    #[test]
    fn conditional_responses_never_panic(range in header_text(), if_range in header_text()) {
        let mut request = carafe_wrappers::Request::get("/");
        for (name, value) in [("range", &range), ("if-range", &if_range)] {
            if let Ok(value) = HeaderValue::from_str(value) {
                request.headers_mut().insert(name, value);
            }
        }
        let response = Response::text("Hello World").make_conditional(&request);
        prop_assert!([200u16, 206, 416].contains(&response.status().as_u16()));
    }

    #[test]
    fn safe_join_never_escapes(path in r#"([a-z]|\.|/|\\|%|2|e|f|5|c|0|:|\x00|CON){0,30}"#) {
        if let Ok(joined) = safe_join("root", &path) {
            prop_assert!(joined.starts_with("root"));
            for component in joined.components() {
                prop_assert!(!matches!(component, std::path::Component::ParentDir));
                let name = component.as_os_str().to_string_lossy().into_owned();
                prop_assert!(!name.starts_with('.') || name == "." , "{}", name);
            }
        }
    }
}
