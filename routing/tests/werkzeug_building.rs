//! Werkzeug `tests/test_routing.py`, URL building cases.

use std::borrow::Cow;

use carafe_routing::{BuildError, ConvertError, Converter, Map, Method, Rule, Value};

use crate::util::*;

#[test]
fn basic_building() {
    let m = map(vec![
        Rule::new("/", "index"),
        Rule::new("/foo", "foo"),
        Rule::new("/bar/<baz>", "bar"),
        Rule::new("/bar/<int:bazi>", "bari"),
        Rule::new("/bar/<float:bazf>", "barf"),
        Rule::new("/bar/<path:bazp>", "barp"),
        Rule::new("/hehe", "blah").subdomain("blah"),
        Rule::new("/ws", "ws").websocket(true),
    ]);
    let a = m.bind("example.org").unwrap().with_subdomain("blah");
    assert_eq!(
        a.build("index", [] as [(&str, Value<'_>); 0]).unwrap(),
        "http://example.org/"
    );
    assert_eq!(a.url_for("foo").build().unwrap(), "http://example.org/foo");
    assert_eq!(
        a.url_for("bar").value("baz", "blub").build().unwrap(),
        "http://example.org/bar/blub"
    );
    assert_eq!(
        a.url_for("bari").value("bazi", 50).build().unwrap(),
        "http://example.org/bar/50"
    );
    assert_eq!(
        a.url_for("barf").value("bazf", 0.815).build().unwrap(),
        "http://example.org/bar/0.815"
    );
    assert_eq!(
        a.url_for("barp").value("bazp", "la/di").build().unwrap(),
        "http://example.org/bar/la/di"
    );
    assert_eq!(a.url_for("blah").build().unwrap(), "/hehe");
    assert!(matches!(
        a.url_for("urks").build(),
        Err(BuildError::NoRule { .. })
    ));

    let a = m
        .bind("example.org")
        .unwrap()
        .with_script_root("/test")
        .with_subdomain("blah");
    assert_eq!(
        a.url_for("index").build().unwrap(),
        "http://example.org/test/"
    );
    assert_eq!(
        a.url_for("foo").build().unwrap(),
        "http://example.org/test/foo"
    );
    assert_eq!(
        a.url_for("bar").value("baz", "blub").build().unwrap(),
        "http://example.org/test/bar/blub"
    );
    assert_eq!(
        a.url_for("barp").value("bazp", "la/di").build().unwrap(),
        "http://example.org/test/bar/la/di"
    );
    assert_eq!(a.url_for("blah").build().unwrap(), "/test/hehe");

    let a = m.bind("example.org").unwrap();
    assert_eq!(a.url_for("foo").build().unwrap(), "/foo");
    assert_eq!(
        a.url_for("foo").external(true).build().unwrap(),
        "http://example.org/foo"
    );
    let a = m.bind("example.org").unwrap().with_scheme("");
    assert_eq!(a.url_for("foo").build().unwrap(), "/foo");
    assert_eq!(
        a.url_for("foo").external(true).build().unwrap(),
        "//example.org/foo"
    );
    assert_eq!(
        a.url_for("foo")
            .external(true)
            .scheme("https")
            .build()
            .unwrap(),
        "https://example.org/foo"
    );

    let a = m.bind("example.org").unwrap().with_scheme("ws");
    assert_eq!(a.url_for("ws").build().unwrap(), "ws://example.org/ws");
    assert_eq!(
        a.url_for("foo").external(true).build().unwrap(),
        "http://example.org/foo"
    );
    assert_eq!(a.url_for("foo").build().unwrap(), "/foo");
    assert_eq!(
        a.url_for("ws").scheme("https").build().unwrap(),
        "wss://example.org/ws"
    );
}

#[test]
fn merge_slashes_build() {
    let m = map(vec![
        Rule::new("/yes//merge", "yes_merge"),
        Rule::new("/no//merge", "no_merge").merge_slashes(false),
    ]);
    let a = m.bind("localhost").unwrap();
    assert_eq!(a.url_for("yes_merge").build().unwrap(), "/yes/merge");
    assert_eq!(a.url_for("no_merge").build().unwrap(), "/no//merge");
}

#[test]
fn long_build() {
    let pattern: String = (0..10_000).map(|x| format!("/<v{x}>")).collect();
    let m = map(Rule::new(pattern, "bleep").build_only(true));
    let a = m.bind("localhost").unwrap();
    let names: Vec<String> = (0..10_000).map(|x| format!("v{x}")).collect();
    let url = a
        .url_for("bleep")
        .values(
            names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.as_str(), Value::from(i))),
        )
        .build()
        .unwrap();
    let parts: Vec<&str> = url.split('/').skip(1).collect();
    let expected: Vec<String> = (0..10_000).map(|x| x.to_string()).collect();
    assert_eq!(parts, expected);
}

#[test]
fn defaults_build() {
    let m = map(vec![
        Rule::new("/foo/", "foo").default_value("page", 1),
        Rule::new("/foo/<int:page>", "foo"),
    ]);
    let a = m.bind("example.org").unwrap();
    assert_eq!(a.url_for("foo").build().unwrap(), "/foo/");
    assert_eq!(a.url_for("foo").value("page", 1).build().unwrap(), "/foo/");
    assert_eq!(a.url_for("foo").value("page", 2).build().unwrap(), "/foo/2");
}

#[test]
fn float_no_scientific() {
    let m = map(Rule::new("/<float:v>", "a"));
    let a = m.bind("test.example").unwrap();
    let url = a.url_for("a").value("v", 0.00001).build().unwrap();
    assert!(!url.contains('e'), "{url}");
    assert_eq!(url, "/0.00001");
}

#[test]
fn greedy_build() {
    let m = map(vec![
        Rule::new("/foo", "foo"),
        Rule::new("/<path:bar>", "bar"),
        Rule::new("/<path:bar>/<path:blub>", "bar"),
    ]);
    let a = m.bind("example.org").unwrap();
    assert_eq!(a.url_for("foo").build().unwrap(), "/foo");
    assert_eq!(
        a.url_for("bar").value("bar", "blub").build().unwrap(),
        "/blub"
    );
    assert_eq!(
        a.url_for("bar")
            .value("bar", "blub")
            .value("blub", "bar")
            .build()
            .unwrap(),
        "/blub/bar"
    );
}

#[test]
fn non_string_parts() {
    let m = map(Rule::new("/<foo>", "foo"));
    let a = m.bind("example.com").unwrap();
    assert_eq!(a.url_for("foo").value("foo", 42).build().unwrap(), "/42");
}

#[test]
fn complex_routing_rules_build() {
    let m = map(vec![
        Rule::new("/", "index"),
        Rule::new("/<int:blub>", "an_int"),
        Rule::new("/<blub>", "a_string"),
        Rule::new("/foo/", "nested"),
        Rule::new("/foobar/", "nestedbar"),
        Rule::new("/foo/<path:testing>/", "nested_show"),
        Rule::new("/foo/<path:testing>/edit", "nested_edit"),
        Rule::new("/users/", "users").default_value("page", 1),
        Rule::new("/users/page/<int:page>", "users"),
        Rule::new("/foox", "foox"),
        Rule::new("/<path:bar>/<path:blub>", "barx_path_path"),
    ]);
    let a = m.bind("example.com").unwrap();
    let b = |e: &str, vals: &[(&str, Value<'static>)]| {
        a.url_for(e.to_owned())
            .values(vals.iter().map(|(k, v)| (*k, v.clone())))
            .build()
            .unwrap()
    };
    assert_eq!(b("index", &[]), "/");
    assert_eq!(b("an_int", &[("blub", 42.into())]), "/42");
    assert_eq!(b("a_string", &[("blub", "test".into())]), "/test");
    assert_eq!(b("nested", &[]), "/foo/");
    assert_eq!(b("nestedbar", &[]), "/foobar/");
    assert_eq!(
        b("nested_show", &[("testing", "1/2/3".into())]),
        "/foo/1/2/3/"
    );
    assert_eq!(
        b("nested_edit", &[("testing", "1/2/3".into())]),
        "/foo/1/2/3/edit"
    );
    assert_eq!(b("users", &[("page", 1.into())]), "/users/");
    assert_eq!(b("users", &[("page", 2.into())]), "/users/page/2");
    assert_eq!(b("foox", &[]), "/foox");
    assert_eq!(
        b(
            "barx_path_path",
            &[("bar", "1".into()), ("blub", "2/3".into())]
        ),
        "/1/2/3"
    );
}

/// Werkzeug's `ListConverter` of `test_build_values_*`: joins a list with `.`.
#[derive(Debug)]
struct ListConverter;

impl Converter for ListConverter {
    fn to_value<'a>(&self, text: Cow<'a, str>) -> Option<Value<'a>> {
        Some(Value::Str(text))
    }
    fn to_url<'v>(&self, value: &'v Value<'_>) -> Result<Cow<'v, str>, ConvertError> {
        match value {
            Value::List(items) => Ok(items
                .iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(".")
                .into()),
            other => Err(ConvertError::new(format!("expected a list, got {other}"))),
        }
    }
}

fn list_map() -> Map {
    Map::builder()
        .converter("list", |_| Ok(ListConverter))
        .rule(Rule::new("/<int:v>", "int"))
        .rule(Rule::new("/<list:v>", "list"))
        .build()
        .unwrap()
}

#[test]
fn build_values_dict() {
    let m = list_map();
    let a = m.bind("localhost").unwrap();
    assert_eq!(a.url_for("int").value("v", 1).build().unwrap(), "/1");
    // None: the value is left out, so no rule fits.
    assert!(matches!(
        a.url_for("int").build(),
        Err(BuildError::NoRule { .. })
    ));
    assert!(matches!(
        a.url_for("int").value("v", vec![1]).build(),
        Err(BuildError::InvalidValue { .. })
    ));
    assert_eq!(a.url_for("list").value("v", vec![1]).build().unwrap(), "/1");
    assert_eq!(
        a.url_for("list").value("v", vec![1, 2]).build().unwrap(),
        "/1.2"
    );
    assert!(matches!(
        a.url_for("list").value("v", 1).build(),
        Err(BuildError::InvalidValue { .. })
    ));
}

#[test]
fn build_values_multidict() {
    // A MultiDict is repeated names here: one value stays a value, several
    // become a list.
    let m = list_map();
    let a = m.bind("localhost").unwrap();
    assert_eq!(a.url_for("int").value("v", 1).build().unwrap(), "/1");
    assert!(a.url_for("int").build().is_err());
    assert!(
        a.url_for("int")
            .value("v", 1)
            .value("v", 2)
            .build()
            .is_err()
    );
    assert!(a.url_for("list").value("v", 1).build().is_err());
    assert_eq!(
        a.url_for("list")
            .value("v", 1)
            .value("v", 2)
            .build()
            .unwrap(),
        "/1.2"
    );
}

#[test]
fn build_append_unknown() {
    let m = map(Rule::new("/", "a"));
    let a = m.bind("localhost").unwrap();
    let cases: Vec<(Vec<Value<'static>>, &str)> = vec![
        (vec![], ""),
        (vec!["".into()], "?v="),
        (vec![0.into()], "?v=0"),
        (vec![1.0.into()], "?v=1.0"),
        (vec![1.into(), 2.into()], "?v=1&v=2"),
        (vec![1.into(), "".into(), 2.into()], "?v=1&v=&v=2"),
        (vec!["1+2".into()], "?v=1%2B2"),
        (vec![Value::from(vec![1, 2])], "?v=1&v=2"),
    ];
    for (values, expected) in cases {
        let mut b = a.url_for("a");
        let mut c = a.url_for("a").append_unknown(false);
        for v in &values {
            b = b.value("v", v.clone());
            c = c.value("v", v.clone());
        }
        assert_eq!(b.build().unwrap(), format!("/{expected}"), "{values:?}");
        assert_eq!(c.build().unwrap(), "/");
    }
}

#[test]
fn build_drop_none() {
    let m = map(Rule::new("/flob/<flub>", "endp"));
    let a = m.bind("localhost").unwrap();
    assert!(a.url_for("endp").build().is_err());
    let url = a.url_for("endp").value("flub", "x").build().unwrap();
    assert!(!url.contains("flop"));
}

#[test]
fn method_fallback() {
    let m = map(vec![
        Rule::new("/", "index").methods([Method::GET]),
        Rule::new("/<name>", "hello_name").methods([Method::GET]),
        Rule::new("/select", "hello_select").methods([Method::POST]),
        Rule::new("/search_get", "search").methods([Method::GET]),
        Rule::new("/search_post", "search").methods([Method::POST]),
    ]);
    let a = m.bind("example.com").unwrap();
    assert_eq!(a.url_for("index").build().unwrap(), "/");
    assert_eq!(a.url_for("index").method(Method::GET).build().unwrap(), "/");
    assert_eq!(
        a.url_for("hello_name")
            .value("name", "foo")
            .build()
            .unwrap(),
        "/foo"
    );
    assert_eq!(a.url_for("hello_select").build().unwrap(), "/select");
    assert_eq!(
        a.url_for("hello_select")
            .method(Method::POST)
            .build()
            .unwrap(),
        "/select"
    );
    assert_eq!(a.url_for("search").build().unwrap(), "/search_get");
    assert_eq!(
        a.url_for("search").method(Method::GET).build().unwrap(),
        "/search_get"
    );
    assert_eq!(
        a.url_for("search").method(Method::POST).build().unwrap(),
        "/search_post"
    );
}

#[test]
fn protocol_joining_bug() {
    let m = map(Rule::new("/<foo>", "x"));
    let a = m.bind("example.org").unwrap();
    assert_eq!(a.url_for("x").value("foo", "x:y").build().unwrap(), "/x:y");
    assert_eq!(
        a.url_for("x")
            .value("foo", "x:y")
            .external(true)
            .build()
            .unwrap(),
        "http://example.org/x:y"
    );
}

#[test]
fn external_building_with_port() {
    let m = map(Rule::new("/", "index"));
    let a = m.bind("example.org:5000").unwrap();
    assert_eq!(
        a.url_for("index").external(true).build().unwrap(),
        "http://example.org:5000/"
    );
    let m = Map::builder()
        .server_name("example.org:5000")
        .rule(Rule::new("/", "index"))
        .build()
        .unwrap();
    let a = m.bind_to_host("example.org:5000", "http").unwrap();
    assert_eq!(
        a.url_for("index").external(true).build().unwrap(),
        "http://example.org:5000/"
    );
    // Wrong server name: the default subdomain.
    let m = Map::builder()
        .server_name("example.org")
        .rule(Rule::new("/", "index"))
        .build()
        .unwrap();
    let a = m.bind_to_host("example.org:5000", "http").unwrap();
    assert_eq!(a.subdomain(), "");
}

#[test]
fn adapter_url_parameter_sorting() {
    // Werkzeug sorts with a custom key (here: by value); Carafe sorts by name.
    let m = Map::builder()
        .sort_parameters(true)
        .rule(Rule::new("/", "index"))
        .build()
        .unwrap();
    let a = m.bind("localhost").unwrap();
    let url = a
        .url_for("index")
        .value("z", 30)
        .value("x", 20)
        .value("y", 10)
        .external(true)
        .build()
        .unwrap();
    assert_eq!(url, "http://localhost/?x=20&y=10&z=30");
}

#[test]
fn double_defaults_build() {
    for prefix in ["", "/aaa"] {
        let m = map(vec![
            Rule::new(format!("{prefix}/"), "x")
                .defaults_from([("foo", Value::from(1)), ("bar", Value::from(false))]),
            Rule::new(format!("{prefix}/<int:foo>"), "x").default_value("bar", false),
            Rule::new(format!("{prefix}/bar/"), "x")
                .defaults_from([("foo", Value::from(1)), ("bar", Value::from(true))]),
            Rule::new(format!("{prefix}/bar/<int:foo>"), "x").default_value("bar", true),
        ]);
        let a = m.bind("example.com").unwrap();
        let b = |foo: Option<i64>, bar: bool| {
            let mut u = a.url_for("x").value("bar", bar);
            if let Some(f) = foo {
                u = u.value("foo", f);
            }
            u.build().unwrap()
        };
        assert_eq!(b(Some(1), false), format!("{prefix}/"));
        assert_eq!(b(Some(2), false), format!("{prefix}/2"));
        assert_eq!(b(None, false), format!("{prefix}/"));
        assert_eq!(b(Some(1), true), format!("{prefix}/bar/"));
        assert_eq!(b(Some(2), true), format!("{prefix}/bar/2"));
        assert_eq!(b(None, true), format!("{prefix}/bar/"));
    }
}

#[test]
fn alias_builds() {
    let m = map(vec![
        Rule::new("/", "index"),
        Rule::new("/index.html", "index").alias(true),
        Rule::new("/users/", "users").default_value("page", 1),
        Rule::new("/users/index.html", "users")
            .default_value("page", 1)
            .alias(true),
        Rule::new("/users/page/<int:page>", "users"),
        Rule::new("/users/page-<int:page>.html", "users").alias(true),
    ]);
    let a = m.bind("example.com").unwrap();
    assert_eq!(a.url_for("index").build().unwrap(), "/");
    assert_eq!(
        a.url_for("users").value("page", 1).build().unwrap(),
        "/users/"
    );
    assert_eq!(
        a.url_for("users").value("page", 2).build().unwrap(),
        "/users/page/2"
    );
}

#[test]
fn build_url_with_arg_self_and_keyword() {
    for name in ["self", "class"] {
        let m = map(Rule::new(format!("/foo/<string:{name}>"), "foo"));
        let a = m.bind("example.org").unwrap().with_subdomain("blah");
        assert_eq!(
            a.url_for("foo").value(name, "bar").build().unwrap(),
            "http://example.org/foo/bar"
        );
    }
}

#[test]
fn any_converter_build_validates_value() {
    let m = map(Rule::new("/<any(patient, provider):value>", "actor"));
    let a = m.bind("localhost").unwrap();
    assert_eq!(
        a.url_for("actor")
            .value("value", "patient")
            .build()
            .unwrap(),
        "/patient"
    );
    assert_eq!(
        a.url_for("actor")
            .value("value", "provider")
            .build()
            .unwrap(),
        "/provider"
    );
    let err = a
        .url_for("actor")
        .value("value", "invalid")
        .build()
        .unwrap_err();
    match &err {
        BuildError::InvalidValue { message, .. } => {
            assert_eq!(message, "'invalid' is not one of 'patient', 'provider'");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unicode_building() {
    let m = map(vec![
        Rule::new("/войти/", "enter"),
        Rule::new("/foo+bar/", "foobar"),
    ]);
    let a = m.bind("☃.example.com").unwrap();
    assert_eq!(
        a.url_for("enter").external(true).build().unwrap(),
        "http://xn--n3h.example.com/%D0%B2%D0%BE%D0%B9%D1%82%D0%B8/"
    );
    assert_eq!(
        a.url_for("foobar").external(true).build().unwrap(),
        "http://xn--n3h.example.com/foo+bar/"
    );
}

#[test]
fn finding_closest_match() {
    let suggestion = |m: &Map, endpoint: &str, values: &[&str], method: Option<Method>| {
        let a = m.bind("example.com").unwrap();
        let mut b = a.url_for(endpoint.to_owned());
        for v in values {
            b = b.value(*v, "");
        }
        if let Some(method) = method {
            b = b.method(method);
        }
        match b.build() {
            Err(BuildError::NoRule { suggestion, .. }) => {
                suggestion.map(|s| (s.endpoint.clone(), s.pattern.clone()))
            }
            other => panic!("{other:?}"),
        }
    };
    // By endpoint.
    let m = map(vec![
        Rule::new("/foo/", "users.here"),
        Rule::new("/wat/", "admin.users"),
        Rule::new("/woop", "foo.users"),
    ]);
    assert_eq!(
        suggestion(&m, "admin.user", &[], None).unwrap().0,
        "admin.users"
    );
    // By values.
    let m = map(vec![
        Rule::new("/user/id/<id>/", "users"),
        Rule::new("/user/<slug>/", "users"),
        Rule::new("/user/emails/<email>/", "users"),
    ]);
    assert_eq!(
        suggestion(&m, "x", &["slug"], None).unwrap().1,
        "/user/<slug>/"
    );
    // By method.
    let m = map(vec![
        Rule::new("/post/", "foobar").methods([Method::POST]),
        Rule::new("/get/", "foobar").methods([Method::GET]),
        Rule::new("/put/", "foobar").methods([Method::PUT]),
    ]);
    for (method, pattern) in [
        (Method::POST, "/post/"),
        (Method::GET, "/get/"),
        (Method::PUT, "/put/"),
    ] {
        assert_eq!(
            suggestion(&m, "invalid", &[], Some(method)).unwrap().1,
            pattern
        );
    }
    // None exist.
    let m = Map::builder().build().unwrap();
    assert_eq!(suggestion(&m, "invalid", &[], None), None);
}

#[test]
fn error_message_without_suggested_rule() {
    let m = map(Rule::new("/foo/", "world").methods([Method::GET]));
    let a = m.bind("example.com").unwrap();
    let err = a.url_for("urks").build().unwrap_err().to_string();
    assert!(
        err.starts_with("could not build url for endpoint 'urks';"),
        "{err}"
    );
    let err = a
        .url_for("world")
        .method(Method::POST)
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("could not build url for endpoint 'world' ('POST');"),
        "{err}"
    );
    let err = a
        .url_for("urks")
        .value("user_id", 5)
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("could not build url for endpoint 'urks' with values ['user_id'];"),
        "{err}"
    );
}

#[test]
fn error_message_suggestion() {
    let m = map(Rule::new("/foo/<id>/", "world").methods([Method::GET]));
    let a = m.bind("example.com").unwrap();
    let err = a.url_for("helloworld").build().unwrap_err().to_string();
    assert!(err.contains("did you mean 'world' instead?"), "{err}");
    let err = a.url_for("world").build().unwrap_err().to_string();
    assert!(
        err.contains("did you forget to specify values ['id']?"),
        "{err}"
    );
    assert!(!err.contains("did you mean to use methods"), "{err}");
    let err = a
        .url_for("world")
        .value("id", 2)
        .method(Method::POST)
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("did you mean to use methods ['GET', 'HEAD']?"),
        "{err}"
    );
}
