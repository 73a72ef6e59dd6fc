//! Werkzeug `tests/test_routing.py`: rule validation, duplicates, custom
//! converters, rule factories and templates.

use std::borrow::Cow;

use carafe_routing::{
    ArgValue, ConvertError, Converter, EndpointPrefix, Map, MapBuilder, MapError, Method, Rule,
    RuleTemplate, Subdomain, Submount, Value, builtin_converter, parse_converter_args,
};

use crate::util::*;

fn build(b: MapBuilder) -> Result<Map, MapError> {
    b.build()
}

#[test]
fn no_duplicates() {
    let m = build(Map::builder().add(vec![
        Rule::new("/", "index"),
        Rule::new("/", "websocket").websocket(true),
        Rule::new("/", "sub").subdomain("a"),
        Rule::new("/method", "m").methods([Method::GET]),
        Rule::new("/method", "m").methods([Method::POST]),
    ]));
    assert!(m.is_ok(), "{m:?}");
}

#[test]
fn no_duplicates_host() {
    let m = build(Map::builder().host_matching(true).add(vec![
        Rule::new("/", "index").host("a"),
        Rule::new("/", "host").host("b"),
    ]));
    assert!(m.is_ok());
}

#[test]
fn duplicate_domain_disabled() {
    let err = build(Map::builder().subdomain_matching(false).add(vec![
        Rule::new("/", "index"),
        Rule::new("/", "sub").subdomain("a"),
    ]))
    .unwrap_err();
    assert!(matches!(err, MapError::Duplicate { .. }), "{err:?}");
}

#[test]
fn duplicate_rule() {
    let err =
        build(Map::builder().add(vec![Rule::new("/", "a"), Rule::new("/", "b")])).unwrap_err();
    assert_eq!(err.to_string(), "rule '/' -> b duplicates rule '/' -> a");
}

#[test]
fn duplicate_converter() {
    // Werkzeug calls this a duplicate; Carafe a conflict (same URLs, other
    // spelling). Both name both rules.
    let err = build(Map::builder().add(vec![
        Rule::new("/page/<a>", "a"),
        Rule::new("/page/<b>", "b"),
    ]))
    .unwrap_err();
    assert_eq!(
        err,
        MapError::Conflict {
            rule: "'/page/<b>' -> b".into(),
            existing: "'/page/<a>' -> a".into()
        }
    );
    // `<a>` and `<string:b>` are the same converter.
    assert!(
        build(Map::builder().add(vec![
            Rule::new("/page/<a>", "a"),
            Rule::new("/page/<string:b>", "b"),
        ]))
        .is_err()
    );
}

#[test]
fn no_duplicate_different_converters() {
    assert!(
        build(Map::builder().add(vec![Rule::new("/<a>", "a"), Rule::new("/<int:b>", "b")])).is_ok()
    );
}

#[test]
fn duplicate_method_overlap() {
    let err = build(Map::builder().add(vec![
        Rule::new("/", "a").methods([Method::GET, Method::POST]),
        Rule::new("/", "b").methods([Method::POST, Method::PUT]),
    ]))
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "rule '/' (POST, PUT) -> b duplicates rule '/' (GET, POST) -> a"
    );
}

#[test]
fn no_duplicate_head_options() {
    assert!(
        build(Map::builder().add(vec![
            Rule::new("/", "a").methods([Method::GET, Method::OPTIONS]),
            Rule::new("/", "b").methods([Method::POST, Method::OPTIONS]),
        ]))
        .is_ok()
    );
}

#[test]
fn duplicate_options_exact() {
    assert!(
        build(Map::builder().add(vec![
            Rule::new("/", "a").methods([Method::HEAD, Method::OPTIONS]),
            Rule::new("/", "b").methods([Method::HEAD, Method::OPTIONS]),
        ]))
        .is_err()
    );
}

#[test]
fn invalid_rule() {
    let err = build(Map::builder().rule(Rule::new("/<int()>", "test"))).unwrap_err();
    match err {
        MapError::Parse { error, endpoint } => {
            assert_eq!((endpoint.as_str(), error.column()), ("test", 8));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn rule_websocket_methods() {
    assert!(
        build(
            Map::builder().rule(
                Rule::new("/ws", "ws")
                    .websocket(true)
                    .methods([Method::POST])
            )
        )
        .is_err()
    );
    assert!(
        build(
            Map::builder().rule(Rule::new("/ws", "ws").websocket(true).methods([
                Method::GET,
                Method::HEAD,
                Method::OPTIONS,
                Method::POST
            ]))
        )
        .is_err()
    );
    assert!(
        build(
            Map::builder().rule(Rule::new("/ws", "ws").websocket(true).methods([
                Method::GET,
                Method::HEAD,
                Method::OPTIONS
            ]))
        )
        .is_ok()
    );
}

#[test]
fn map_repr() {
    let m = map(vec![
        Rule::new("/wat", "enter"),
        Rule::new("/woop", "foobar"),
    ]);
    assert_eq!(
        m.to_string(),
        "Map([<Rule '/wat' -> enter>, <Rule '/woop' -> foobar>])"
    );
}

#[test]
fn converter_parser() {
    let args = parse_converter_args("test, a=1, b=3.0").unwrap();
    assert_eq!(args.positional(), [ArgValue::Str("test".into())]);
    assert_eq!(args.keyword("a"), Some(&ArgValue::Int(1)));
    assert_eq!(args.keyword("b"), Some(&ArgValue::Float(3.0)));
    assert!(parse_converter_args("").unwrap().is_empty());
    assert_eq!(
        parse_converter_args("a, b, c,").unwrap().positional().len(),
        3
    );
    assert_eq!(
        parse_converter_args("True, False, None")
            .unwrap()
            .positional(),
        [ArgValue::Bool(true), ArgValue::Bool(false), ArgValue::None]
    );
    assert_eq!(
        parse_converter_args(r#""foo", "bar""#)
            .unwrap()
            .positional(),
        [ArgValue::Str("foo".into()), ArgValue::Str("bar".into())]
    );
    assert!(parse_converter_args("min=0;max=500").is_err());
}

#[test]
fn default_converters() {
    // Werkzeug subclasses Map to add `foo`; here it is registered.
    let m = Map::builder()
        .converter("foo", |args| builtin_converter("string", args).unwrap())
        .converter("bar", |args| builtin_converter("string", args).unwrap())
        .add(vec![
            Rule::new("/a/<foo:a>", "a"),
            Rule::new("/b/<foo:b>", "b"),
            Rule::new("/c/<c>", "c"),
        ])
        .build()
        .unwrap();
    let a = m.bind("example.org").unwrap();
    assert_eq!(get(&a, "/a/1"), ok_v("a", [("a", "1".into())]));
    assert_eq!(get(&a, "/b/2"), ok_v("b", [("b", "2".into())]));
    assert_eq!(get(&a, "/c/3"), ok_v("c", [("c", "3".into())]));
    // Registering on one builder does not change others.
    assert!(build(Map::builder().rule(Rule::new("/a/<foo:a>", "a"))).is_err());
}

/// Two `\w\w+` words separated by `/`, as a pair.
#[derive(Debug)]
struct TwoValueConverter;

fn word(s: &str, min: usize) -> bool {
    s.chars().count() >= min && s.chars().all(|c| c.is_alphanumeric() || c == '_')
}

impl Converter for TwoValueConverter {
    fn to_value<'a>(&self, text: Cow<'a, str>) -> Option<Value<'a>> {
        let (one, two) = text.split_once('/')?;
        (word(one, 2) && word(two, 2)).then(|| Value::from(vec![one.to_owned(), two.to_owned()]))
    }
    fn to_url<'v>(&self, value: &'v Value<'_>) -> Result<Cow<'v, str>, ConvertError> {
        match value {
            Value::List(v) if v.len() == 2 => Ok(format!("{}/{}", v[0], v[1]).into()),
            other => Err(ConvertError::new(format!("expected a pair, got {other}"))),
        }
    }
    fn matches_slash(&self) -> bool {
        true
    }
}

#[test]
fn converter_with_tuples() {
    let m = Map::builder()
        .converter("two", |_| Ok(TwoValueConverter))
        .rule(Rule::new("/<two:foo>/", "handler"))
        .build()
        .unwrap();
    let a = m.bind("example.org").unwrap();
    assert_eq!(
        get(&a, "/qwert/yuiop/"),
        ok_v(
            "handler",
            [("foo", Value::from(vec!["qwert", "yuiop"]).into_owned())]
        )
    );
    assert_eq!(
        a.url_for("handler")
            .value("foo", vec!["a1", "b2"])
            .build()
            .unwrap(),
        "/a1/b2/"
    );
}

#[test]
fn part_isolating_default() {
    let m = Map::builder()
        .converter("two", |_| Ok(TwoValueConverter))
        .rule(Rule::new("/<two:values>/", "two"))
        .build()
        .unwrap();
    let a = m.bind("localhost").unwrap();
    assert_eq!(
        get(&a, "/ab/cd/"),
        ok_v(
            "two",
            [("values", Value::from(vec!["ab", "cd"]).into_owned())]
        )
    );
}

/// Werkzeug's `test_nested_regex_groups` date pattern, checked by hand:
/// `YYYYMMDDTHHMMSS[.fff]Z` or `YYYY-MM-DDTHH:MM:SS[.fff]Z`.
#[derive(Debug)]
struct DateConverter;

fn date_ok(s: &str) -> bool {
    let Some(body) = s.strip_suffix('Z') else {
        return false;
    };
    let (main, frac) = match body.find(['.', ',']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    if let Some(f) = frac
        && !(1..=3).contains(&f.len())
    {
        return false;
    }
    if frac.is_some_and(|f| !f.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    let shape: String = main
        .chars()
        .map(|c| if c.is_ascii_digit() { 'd' } else { c })
        .collect();
    shape == "ddddddddTdddddd" || shape == "dddd-dd-ddTdd:dd:dd"
}

impl Converter for DateConverter {
    fn to_value<'a>(&self, text: Cow<'a, str>) -> Option<Value<'a>> {
        date_ok(&text).then_some(Value::Str(text))
    }
    fn to_url<'v>(&self, value: &'v Value<'_>) -> Result<Cow<'v, str>, ConvertError> {
        Ok(value.to_string().into())
    }
    fn matches_slash(&self) -> bool {
        true
    }
}

#[test]
fn nested_regex_groups() {
    let m = Map::builder()
        .converter("date", |_| Ok(DateConverter))
        .rule(Rule::new("/<date:start>/<date:end>/", "handler"))
        .build()
        .unwrap();
    let a = m.bind("example.org").unwrap();
    assert_eq!(
        get(&a, "/2023-02-16T23:36:36.266Z/2023-02-16T23:46:36.266Z/"),
        ok_v(
            "handler",
            [
                ("start", "2023-02-16T23:36:36.266Z".into()),
                ("end", "2023-02-16T23:46:36.266Z".into())
            ]
        )
    );
}

/// `[^/:]+\.[^/:]+` by hand.
#[derive(Debug)]
struct DottedConverter;

impl Converter for DottedConverter {
    fn to_value<'a>(&self, text: Cow<'a, str>) -> Option<Value<'a>> {
        let (a, b) = text.split_once('.')?;
        let ok = |s: &str| !s.is_empty() && !s.contains([':', '/']);
        (ok(a) && ok(b)).then_some(Value::Str(text))
    }
    fn to_url<'v>(&self, value: &'v Value<'_>) -> Result<Cow<'v, str>, ConvertError> {
        Ok(value.to_string().into())
    }
}

#[test]
fn regex() {
    let m = Map::builder()
        .converter("regex", |_| Ok(DottedConverter))
        .rule(Rule::new("/<regex:value>", "regex"))
        .build()
        .unwrap();
    let a = m.bind("localhost").unwrap();
    assert_eq!(
        get(&a, "/asdfsa.asdfs"),
        ok_v("regex", [("value", "asdfsa.asdfs".into())])
    );
}

#[test]
fn rule_templates() {
    let testcase = RuleTemplate::new(
        [
            Submount::new(
                "/test/$app",
                vec![
                    Rule::new("/foo/", "handle_foo"),
                    Rule::new("/bar/", "handle_bar"),
                    Rule::new("/baz/", "handle_baz"),
                ],
            )
            .into_rules_vec(),
            EndpointPrefix::new(
                "${app}",
                vec![
                    Rule::new("/${app}-blah", "bar"),
                    Rule::new("/${app}-meh", "baz"),
                ],
            )
            .into_rules_vec(),
            Subdomain::new(
                "$app",
                vec![Rule::new("/blah", "x_bar"), Rule::new("/meh", "x_baz")],
            )
            .into_rules_vec(),
        ]
        .concat(),
    );
    let mut b = Map::builder();
    for app in ["test1", "test2", "test3", "test4"] {
        b = b.add(testcase.apply(&[("app", app)]).unwrap());
    }
    let m = b.build().unwrap();
    let mut out: Vec<(String, String, String)> = m
        .rules()
        .map(|r| {
            (
                r.pattern().to_owned(),
                r.subdomain_pattern().unwrap_or("").to_owned(),
                r.endpoint().to_owned(),
            )
        })
        .collect();
    out.sort();
    let mut expected = Vec::new();
    for (rule, sub, ep) in [
        ("/blah", "$", "x_bar"),
        ("/meh", "$", "x_baz"),
        ("/test/$/bar/", "", "handle_bar"),
        ("/test/$/baz/", "", "handle_baz"),
        ("/test/$/foo/", "", "handle_foo"),
        ("/$-blah", "", "$bar"),
        ("/$-meh", "", "$baz"),
    ] {
        for app in ["test1", "test2", "test3", "test4"] {
            expected.push((
                rule.replace('$', app),
                sub.replace('$', app),
                ep.replace('$', app),
            ));
        }
    }
    expected.sort();
    assert_eq!(out, expected);
}

trait IntoRulesVec {
    fn into_rules_vec(self) -> Vec<Rule>;
}

impl<F: carafe_routing::RuleFactory> IntoRulesVec for F {
    fn into_rules_vec(self) -> Vec<Rule> {
        self.into_rules()
    }
}
