//! Werkzeug `tests/test_routing.py`, matching cases.

use carafe_routing::{Map, MatchError, Method, Rule, Uuid, Value};

use crate::util::*;

#[test]
fn basic_routing() {
    let m = map(vec![
        Rule::new("/", "index"),
        Rule::new("/foo", "foo"),
        Rule::new("/bar/", "bar"),
        Rule::new("/ws", "ws").websocket(true),
        Rule::new("/", "indexws").websocket(true),
    ]);
    let a = m.bind("example.org").unwrap();
    assert_eq!(get(&a, "/"), ok("index"));
    assert_eq!(get(&a, "/foo"), ok("foo"));
    assert_eq!(get(&a, "/bar/"), ok("bar"));
    assert_eq!(redirect(&a, "/bar"), "http://example.org/bar/");
    assert_eq!(get(&a, "/blub"), Err(MatchError::NotFound));

    let a = m.bind("example.org").unwrap().with_scheme("ws");
    assert_eq!(get(&a, "/"), ok("indexws"));

    let a = m.bind("example.org").unwrap().with_script_root("/test");
    assert_eq!(redirect(&a, "/bar"), "http://example.org/test/bar/");

    let a = m.bind("example.org").unwrap().with_query("aha=muhaha");
    assert_eq!(redirect(&a, "/bar"), "http://example.org/bar/?aha=muhaha");

    // bind_to_environ(create_environ("/bar?foo=bar", "http://example.org/"))
    let a = m
        .bind_to_host("example.org", "http")
        .unwrap()
        .with_path("/bar")
        .with_query("foo=bar");
    assert_eq!(
        a.match_request().unwrap_err().location(),
        Some("http://example.org/bar/?foo=bar")
    );

    let a = m.bind("example.org").unwrap().with_scheme("wss");
    assert_eq!(get(&a, "/ws"), ok("ws"));
    let http = a.clone().with_websocket(false);
    assert_eq!(get(&http, "/ws"), Err(MatchError::WebsocketMismatch));
    assert_eq!(get(&a, "/foo"), Err(MatchError::WebsocketMismatch));

    // Werkzeug reads `Connection: Upgrade` + `Upgrade: websocket` from the
    // environ; here the caller says so.
    let a = m
        .bind_to_host("example.org", "http")
        .unwrap()
        .with_websocket(true);
    assert_eq!(get(&a, "/ws"), ok("ws"));
    let a = a.with_websocket(false);
    assert_eq!(get(&a, "/ws"), Err(MatchError::WebsocketMismatch));
}

#[test]
fn merge_slashes_match() {
    let m = map(vec![
        Rule::new("/no/tail", "no_tail"),
        Rule::new("/yes/tail/", "yes_tail"),
        Rule::new("/with/<path:path>", "with_path"),
        Rule::new("/no//merge", "no_merge").merge_slashes(false),
        Rule::new("/no/merging", "no_merging").merge_slashes(false),
    ]);
    let a = m.bind("localhost").unwrap();
    assert!(redirect(&a, "/no//tail").ends_with("/no/tail"));
    assert!(redirect(&a, "/yes//tail").ends_with("/yes/tail/"));
    assert!(redirect(&a, "/yes/tail//").ends_with("/yes/tail/"));
    redirect(&a, "//yes///tail////");
    assert_eq!(endpoint(&a, "/no/tail"), "no_tail");
    assert_eq!(endpoint(&a, "/yes/tail/"), "yes_tail");
    assert_eq!(
        get(&a, "/with/http://example.com/"),
        ok_v("with_path", [("path", "http://example.com/".into())])
    );
    assert_eq!(
        get(&a, "/with/x//y"),
        ok_v("with_path", [("path", "x//y".into())])
    );
    assert_eq!(endpoint(&a, "/no//merge"), "no_merge");
    assert_eq!(endpoint(&a, "/no/merging"), "no_merging");
    assert_eq!(get(&a, "/no//merging"), Err(MatchError::NotFound));
}

#[test]
fn merge_slash_encoding() {
    let m = map(Rule::new("/merge/<some>/path", "e"));
    let a = m.bind("localhost").unwrap();
    for (path, expected) in [
        ("/merge/%//path", "/merge/%25/path"),
        ("/merge//st/path", "/merge/st/path"),
    ] {
        assert!(redirect(&a, path).ends_with(expected), "{path}");
    }
}

#[test]
fn strict_slashes_redirect() {
    let m = map(vec![
        Rule::new("/bar/", "get").methods([Method::GET]),
        Rule::new("/bar", "post").methods([Method::POST]),
        Rule::new("/foo/", "foo").methods([Method::POST]),
        Rule::new("/<path:var>/", "path").methods([Method::GET]),
    ]);
    let a = m.bind("example.org").unwrap();
    assert_eq!(req(&a, "/bar/", Method::GET), ok("get"));
    assert_eq!(req(&a, "/bar", Method::POST), ok("post"));
    assert_eq!(
        req(&a, "/abc/", Method::GET),
        ok_v("path", [("var", "abc".into())])
    );
    redirect_m(&a, "/bar", Method::GET);
    assert!(matches!(
        req(&a, "/bar/", Method::POST),
        Err(MatchError::MethodNotAllowed { .. })
    ));
    let err = a.match_path("/foo", &Method::POST).unwrap_err();
    assert_eq!(err.status(), 308);
    assert_eq!(
        redirect_m(&a, "/abc", Method::GET),
        "http://example.org/abc/"
    );

    // Defined in the other order.
    let m = map(vec![
        Rule::new("/bar", "post").methods([Method::POST]),
        Rule::new("/bar/", "get").methods([Method::GET]),
    ]);
    let a = m.bind("example.org").unwrap();
    assert_eq!(req(&a, "/bar/", Method::GET), ok("get"));
    assert_eq!(req(&a, "/bar", Method::POST), ok("post"));
    redirect_m(&a, "/bar", Method::GET);
    assert!(matches!(
        req(&a, "/bar/", Method::POST),
        Err(MatchError::MethodNotAllowed { .. })
    ));

    // Only the slash rule.
    let m = map(Rule::new("/bar/", "get").methods([Method::GET]));
    let a = m.bind("example.org").unwrap();
    assert_eq!(req(&a, "/bar/", Method::GET), ok("get"));
    redirect_m(&a, "/bar", Method::GET);
    assert!(matches!(
        req(&a, "/bar/", Method::POST),
        Err(MatchError::MethodNotAllowed { .. })
    ));
}

#[test]
fn strict_slashes_leaves_dont_consume() {
    let m = Map::builder()
        .strict_slashes(false)
        .add(vec![
            Rule::new("/path1", "leaf"),
            Rule::new("/path1/", "branch"),
            Rule::new("/path2", "leaf").strict_slashes(false),
            Rule::new("/path2/", "branch"),
            Rule::new("/path3", "leaf"),
            Rule::new("/path3/", "branch").strict_slashes(false),
            Rule::new("/path4", "leaf").strict_slashes(false),
            Rule::new("/path4/", "branch").strict_slashes(false),
            Rule::new("/path5", "leaf"),
        ])
        .build()
        .unwrap();
    let a = m.bind("example.org").unwrap();
    for (path, e) in [
        ("/path1", "leaf"),
        ("/path1/", "branch"),
        ("/path2", "leaf"),
        ("/path2/", "branch"),
        ("/path3", "leaf"),
        ("/path3/", "branch"),
        ("/path4", "leaf"),
        ("/path4/", "branch"),
        ("/path5/", "leaf"),
    ] {
        assert_eq!(get(&a, path), ok(e), "{path}");
    }
}

#[test]
fn environ_defaults() {
    let m = map(vec![Rule::new("/foo", "foo"), Rule::new("/bar", "bar")]);
    let a = m
        .bind_to_host("localhost", "http")
        .unwrap()
        .with_path("/foo");
    assert_eq!(get(&a, "/foo"), ok("foo"));
    assert_eq!(a.match_request().unwrap().endpoint(), "foo");
    assert_eq!(get(&a, "/bar"), ok("bar"));
    assert_eq!(get(&a, "/bars"), Err(MatchError::NotFound));
}

#[test]
fn environ_nonascii_pathinfo() {
    let m = map(vec![Rule::new("/", "index"), Rule::new("/лошадь", "horse")]);
    let a = m.bind("localhost").unwrap();
    assert_eq!(get(&a, "/"), ok("index"));
    assert_eq!(get(&a, "/лошадь"), ok("horse"));
    // The raw path as a server receives it.
    assert_eq!(
        get(&a, "/%D0%BB%D0%BE%D1%88%D0%B0%D0%B4%D1%8C"),
        ok("horse")
    );
    assert_eq!(
        get(&a, "/%d0%bb%d0%be%d1%88%d0%b0%d0%b4%d1%8c"),
        ok("horse")
    );
    assert_eq!(get(&a, "/барсук"), Err(MatchError::NotFound));
}

#[test]
fn defaults() {
    let m = map(vec![
        Rule::new("/foo/", "foo").default_value("page", 1),
        Rule::new("/foo/<int:page>", "foo"),
    ]);
    let a = m.bind("example.org").unwrap();
    assert_eq!(get(&a, "/foo/"), ok_v("foo", [("page", Value::Int(1))]));
    assert_eq!(redirect(&a, "/foo/1"), "http://example.org/foo/");
    assert_eq!(get(&a, "/foo/2"), ok_v("foo", [("page", Value::Int(2))]));
}

#[test]
fn negative() {
    let m = map(vec![
        Rule::new("/foos/<int(signed=True):page>", "foos"),
        Rule::new("/bars/<float(signed=True):page>", "bars"),
        Rule::new("/foo/<int:page>", "foo"),
        Rule::new("/bar/<float:page>", "bar"),
    ]);
    let a = m.bind("example.org").unwrap();
    assert_eq!(
        get(&a, "/foos/-2"),
        ok_v("foos", [("page", Value::Int(-2))])
    );
    assert_eq!(
        get(&a, "/foos/-50"),
        ok_v("foos", [("page", Value::Int(-50))])
    );
    assert_eq!(
        get(&a, "/bars/-2.0"),
        ok_v("bars", [("page", Value::Float(-2.0))])
    );
    assert_eq!(
        get(&a, "/bars/-0.185"),
        ok_v("bars", [("page", Value::Float(-0.185))])
    );
    for path in ["/foo/-2", "/foo/-50", "/bar/-0.185", "/bar/-2.0"] {
        assert_eq!(get(&a, path), Err(MatchError::NotFound), "{path}");
    }
}

#[test]
fn greedy() {
    let m = map(vec![
        Rule::new("/foo", "foo"),
        Rule::new("/<path:bar>", "bar"),
        Rule::new("/<path:bar>/<path:blub>", "bar"),
    ]);
    let a = m.bind("example.org").unwrap();
    assert_eq!(get(&a, "/foo"), ok("foo"));
    assert_eq!(get(&a, "/blub"), ok_v("bar", [("bar", "blub".into())]));
    assert_eq!(
        get(&a, "/he/he"),
        ok_v("bar", [("bar", "he".into()), ("blub", "he".into())])
    );
}

#[test]
fn path() {
    let m = map(vec![
        Rule::new("/", "page").default_value("name", "FrontPage"),
        Rule::new("/Special", "special"),
        Rule::new("/<int:year>", "year"),
        Rule::new("/<path:name>:foo", "foopage"),
        Rule::new("/<path:name>:<path:name2>", "twopage"),
        Rule::new("/<path:name>", "page"),
        Rule::new("/<path:name>/edit", "editpage"),
        Rule::new("/<path:name>/silly/<path:name2>", "sillypage"),
        Rule::new("/<path:name>/silly/<path:name2>/edit", "editsillypage"),
        Rule::new("/Talk:<path:name>", "talk"),
        Rule::new("/User:<username>", "user"),
        Rule::new("/User:<username>/<path:name>", "userpage"),
        Rule::new(
            "/User:<username>/comment/<int:id>-<int:replyId>",
            "usercomment",
        ),
        Rule::new("/Files/<path:file>", "files"),
        Rule::new("/<admin>/<manage>/<things>", "admin"),
    ]);
    let a = m.bind("example.org").unwrap();
    assert_eq!(get(&a, "/"), ok_v("page", [("name", "FrontPage".into())]));
    assert_eq!(redirect(&a, "/FrontPage"), "http://example.org/");
    assert_eq!(get(&a, "/Special"), ok("special"));
    assert_eq!(get(&a, "/2007"), ok_v("year", [("year", Value::Int(2007))]));
    assert_eq!(
        get(&a, "/Some:foo"),
        ok_v("foopage", [("name", "Some".into())])
    );
    assert_eq!(
        get(&a, "/Some:bar"),
        ok_v(
            "twopage",
            [("name", "Some".into()), ("name2", "bar".into())]
        )
    );
    assert_eq!(
        get(&a, "/Some/Page"),
        ok_v("page", [("name", "Some/Page".into())])
    );
    assert_eq!(
        get(&a, "/Some/Page/edit"),
        ok_v("editpage", [("name", "Some/Page".into())])
    );
    assert_eq!(
        get(&a, "/Foo/silly/bar"),
        ok_v(
            "sillypage",
            [("name", "Foo".into()), ("name2", "bar".into())]
        )
    );
    assert_eq!(
        get(&a, "/Foo/silly/bar/edit"),
        ok_v(
            "editsillypage",
            [("name", "Foo".into()), ("name2", "bar".into())]
        )
    );
    assert_eq!(
        get(&a, "/Talk:Foo/Bar"),
        ok_v("talk", [("name", "Foo/Bar".into())])
    );
    assert_eq!(
        get(&a, "/User:thomas"),
        ok_v("user", [("username", "thomas".into())])
    );
    assert_eq!(
        get(&a, "/User:thomas/projects/werkzeug"),
        ok_v(
            "userpage",
            [
                ("username", "thomas".into()),
                ("name", "projects/werkzeug".into())
            ]
        )
    );
    assert_eq!(
        get(&a, "/User:thomas/comment/123-456"),
        ok_v(
            "usercomment",
            [
                ("username", "thomas".into()),
                ("id", Value::Int(123)),
                ("replyId", Value::Int(456))
            ]
        )
    );
    assert_eq!(
        get(&a, "/Files/downloads/werkzeug/0.2.zip"),
        ok_v("files", [("file", "downloads/werkzeug/0.2.zip".into())])
    );
    assert_eq!(
        get(&a, "/Jerry/eats/cheese"),
        ok_v(
            "admin",
            [
                ("admin", "Jerry".into()),
                ("manage", "eats".into()),
                ("things", "cheese".into())
            ]
        )
    );
}

#[test]
fn dispatch() {
    // Werkzeug's `dispatch` is `match` plus calling the view; the routing
    // outcomes are what matter here.
    let m = map(vec![Rule::new("/", "root"), Rule::new("/foo/", "foo")]);
    let a = m.bind("localhost").unwrap();
    assert_eq!(get(&a, "/"), ok("root"));
    assert_eq!(
        a.match_path("/foo", &Method::GET).unwrap_err().status(),
        308
    );
    assert_eq!(
        a.match_path("/bar", &Method::GET).unwrap_err().status(),
        404
    );
}

#[test]
fn request_direct_charset_bug() {
    let m = map(Rule::new("/öäü/", "e"));
    let a = m.bind("localhost").unwrap();
    assert_eq!(redirect(&a, "/öäü"), "http://localhost/%C3%B6%C3%A4%C3%BC/");
    assert_eq!(
        redirect(&a, "/%C3%B6%C3%A4%C3%BC"),
        "http://localhost/%C3%B6%C3%A4%C3%BC/"
    );
}

#[test]
fn request_redirect_default() {
    let m = map(vec![
        Rule::new("/foo", "foo").default_value("bar", 42),
        Rule::new("/foo/<int:bar>", "foo"),
    ]);
    let a = m.bind("localhost").unwrap();
    assert_eq!(redirect(&a, "/foo/42"), "http://localhost/foo");
}

#[test]
fn adapter_match_return_rule() {
    let m = map(Rule::new("/foo/", "foo"));
    let a = m.bind("localhost").unwrap();
    let hit = a.match_path("/foo/", &Method::GET).unwrap();
    assert_eq!(hit.rule().pattern(), "/foo/");
    assert!(hit.values().is_empty());
}

#[test]
fn complex_routing_rules() {
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
    assert_eq!(get(&a, "/"), ok("index"));
    assert_eq!(get(&a, "/42"), ok_v("an_int", [("blub", Value::Int(42))]));
    assert_eq!(
        get(&a, "/blub"),
        ok_v("a_string", [("blub", "blub".into())])
    );
    assert_eq!(get(&a, "/foo/"), ok("nested"));
    assert_eq!(get(&a, "/foobar/"), ok("nestedbar"));
    assert_eq!(
        get(&a, "/foo/1/2/3/"),
        ok_v("nested_show", [("testing", "1/2/3".into())])
    );
    assert_eq!(
        get(&a, "/foo/1/2/3/edit"),
        ok_v("nested_edit", [("testing", "1/2/3".into())])
    );
    assert_eq!(get(&a, "/users/"), ok_v("users", [("page", Value::Int(1))]));
    assert_eq!(
        get(&a, "/users/page/2"),
        ok_v("users", [("page", Value::Int(2))])
    );
    assert_eq!(get(&a, "/foox"), ok("foox"));
    assert_eq!(
        get(&a, "/1/2/3"),
        ok_v(
            "barx_path_path",
            [("bar", "1".into()), ("blub", "2/3".into())]
        )
    );
}

#[test]
fn uuid_converter() {
    let m = map(Rule::new("/a/<uuid:a_uuid>", "a"));
    let a = m.bind("example.org").unwrap();
    let hit = a
        .match_path("/a/a8098c1a-f86e-11da-bd1a-00112444be1e", &Method::GET)
        .unwrap();
    let u: Uuid = hit.get("a_uuid").unwrap();
    assert_eq!(u.to_string(), "a8098c1a-f86e-11da-bd1a-00112444be1e");
}

#[test]
fn anyconverter() {
    let m = map(vec![
        Rule::new("/<any(a1, a2):a>", "no_dot"),
        Rule::new("/<any(a.1, a.2):a>", "yes_dot"),
    ]);
    let a = m.bind("example.org").unwrap();
    assert_eq!(get(&a, "/a1"), ok_v("no_dot", [("a", "a1".into())]));
    assert_eq!(get(&a, "/a2"), ok_v("no_dot", [("a", "a2".into())]));
    assert_eq!(get(&a, "/a.1"), ok_v("yes_dot", [("a", "a.1".into())]));
    assert_eq!(get(&a, "/a.2"), ok_v("yes_dot", [("a", "a.2".into())]));
}

#[test]
fn implicit_head() {
    let m = map(vec![
        Rule::new("/get", "a").methods([Method::GET]),
        Rule::new("/post", "b").methods([Method::POST]),
    ]);
    let a = m.bind("example.org").unwrap();
    assert_eq!(req(&a, "/get", Method::HEAD), ok("a"));
    assert!(matches!(
        req(&a, "/post", Method::HEAD),
        Err(MatchError::MethodNotAllowed { .. })
    ));
}

#[test]
fn allowed_methods_querying() {
    // Werkzeug has no automatic OPTIONS; with it on, OPTIONS joins the set.
    let rules = || {
        vec![
            Rule::new("/<foo>", "a").methods([Method::GET, Method::HEAD]),
            Rule::new("/foo", "b").methods([Method::POST]),
        ]
    };
    let m = Map::builder()
        .automatic_options(false)
        .add(rules())
        .build()
        .unwrap();
    let a = m.bind("example.org").unwrap();
    assert_eq!(
        a.allowed_methods("/foo"),
        [Method::GET, Method::HEAD, Method::POST]
    );
    let m = map(rules());
    let a = m.bind("example.org").unwrap();
    assert_eq!(
        a.allowed_methods("/foo"),
        [Method::GET, Method::HEAD, Method::OPTIONS, Method::POST]
    );
}

#[test]
fn alias_redirects() {
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
    for (path, target) in [
        ("/index.html", "/"),
        ("/users/index.html", "/users/"),
        ("/users/page-2.html", "/users/page/2"),
        ("/users/page-1.html", "/users/"),
    ] {
        assert_eq!(
            redirect(&a, path),
            format!("http://example.com{target}"),
            "{path}"
        );
    }
    let q = m.bind("example.com").unwrap().with_query("foo=bar");
    assert_eq!(
        redirect(&q, "/users/page-1.html"),
        "http://example.com/users/?foo=bar"
    );
}

#[test]
fn double_defaults() {
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
        let x = |foo: i64, bar: bool| ok_v("x", [("foo", foo.into()), ("bar", bar.into())]);
        assert_eq!(get(&a, &format!("{prefix}/")), x(1, false));
        assert_eq!(get(&a, &format!("{prefix}/2")), x(2, false));
        assert_eq!(get(&a, &format!("{prefix}/bar/")), x(1, true));
        assert_eq!(get(&a, &format!("{prefix}/bar/2")), x(2, true));
    }
}

#[test]
fn redirect_path_quoting() {
    let m = map(vec![
        Rule::new("/<category>", "category").default_value("page", 1),
        Rule::new("/<category>/page/<int:page>", "category"),
    ]);
    let a = m.bind("example.com").unwrap();
    assert_eq!(
        redirect(&a, "/foo bar/page/1"),
        "http://example.com/foo%20bar"
    );
    assert_eq!(
        redirect(&a, "/foo%20bar/page/1"),
        "http://example.com/foo%20bar"
    );
}

#[test]
fn unicode_rules() {
    let m = map(vec![
        Rule::new("/войти/", "enter"),
        Rule::new("/foo+bar/", "foobar"),
    ]);
    let a = m.bind("☃.example.com").unwrap();
    assert_eq!(
        redirect(&a, "/войти"),
        "http://xn--n3h.example.com/%D0%B2%D0%BE%D0%B9%D1%82%D0%B8/"
    );
    assert_eq!(get(&a, "/войти/"), ok("enter"));
    assert_eq!(
        redirect(&a, "/foo+bar"),
        "http://xn--n3h.example.com/foo+bar/"
    );
    assert_eq!(get(&a, "/foo+bar/"), ok("foobar"));
}

#[test]
fn empty_path_info() {
    let m = map(Rule::new("/", "index"));
    let b = m.bind("example.com").unwrap().with_script_root("/approot");
    assert_eq!(redirect(&b, ""), "http://example.com/approot/");
    let a = m.bind("example.com").unwrap();
    assert_eq!(redirect(&a, ""), "http://example.com/");
}

#[test]
fn both_bind_and_match_path_info_are_none() {
    let m = map(Rule::new("/", "index"));
    let a = m.bind("example.org").unwrap();
    assert_eq!(a.match_request().unwrap().endpoint(), "index");
}

#[test]
fn path_weighting() {
    let m = map(vec![
        Rule::new("/<path:path>/c", "simple"),
        Rule::new("/<path:path>/<a>/<b>", "complex"),
    ]);
    let a = m.bind("localhost").unwrap().with_path("/a/b/c");
    let hit = a.match_request().unwrap();
    assert_eq!(hit.endpoint(), "simple");
    assert_eq!(hit.get::<String>("path").unwrap(), "a/b");
}

#[test]
fn newline_match() {
    let m = map(Rule::new("/hello", "hello"));
    let a = m.bind("localhost").unwrap();
    assert_eq!(get(&a, "/hello\n"), Err(MatchError::NotFound));
    assert_eq!(get(&a, "/hello%0a"), Err(MatchError::NotFound));
}

#[test]
fn weighting() {
    let m = map(vec![
        Rule::new("/<int:value>", "int"),
        Rule::new("/<uuid:value>", "uuid"),
    ]);
    let a = m.bind("localhost").unwrap();
    let u: Uuid = "2b5b0911-fdcf-4dd2-921b-28ace88db8a0".parse().unwrap();
    assert_eq!(
        get(&a, "/2b5b0911-fdcf-4dd2-921b-28ace88db8a0"),
        ok_v("uuid", [("value", Value::Uuid(u))])
    );
}

#[test]
fn strict_slashes_false() {
    let m = map(vec![
        Rule::new("/path1", "leaf_path").strict_slashes(false),
        Rule::new("/path2/", "branch_path").strict_slashes(false),
        Rule::new("/<path:path>", "leaf_path_converter").strict_slashes(false),
    ]);
    let a = m.bind("example.org").unwrap();
    assert_eq!(get(&a, "/path1"), ok("leaf_path"));
    assert_eq!(get(&a, "/path1/"), ok("leaf_path"));
    assert_eq!(get(&a, "/path2"), ok("branch_path"));
    assert_eq!(get(&a, "/path2/"), ok("branch_path"));
    assert_eq!(
        get(&a, "/any"),
        ok_v("leaf_path_converter", [("path", "any".into())])
    );
    assert_eq!(
        get(&a, "/any/"),
        ok_v("leaf_path_converter", [("path", "any/".into())])
    );
}

#[test]
fn multiple_converters_per_part() {
    let m = map(Rule::new("/v<int:major>.<int:minor>", "version"));
    let a = m.bind("localhost").unwrap();
    assert_eq!(
        get(&a, "/v1.2"),
        ok_v(
            "version",
            [("major", Value::Int(1)), ("minor", Value::Int(2))]
        )
    );
}

#[test]
fn static_regex_escape() {
    let m = map(Rule::new("/.<int:value>", "dotted"));
    let a = m.bind("localhost").unwrap();
    assert_eq!(get(&a, "/.2"), ok_v("dotted", [("value", Value::Int(2))]));
    assert_eq!(get(&a, "/a2"), Err(MatchError::NotFound));
}
