//! The points of issue 2 that Werkzeug's tests do not cover, one test each.

use std::borrow::Cow;

use carafe_routing::{
    BadRequest, BuildError, ConvertError, Converter, EndpointPrefix, Map, MapError, MatchError,
    Method, Rule, Submount, Uuid, Value,
};

use crate::util::*;

#[test]
fn converter_arguments() {
    let m = map(vec![
        Rule::new("/code/<string(minlength=2, maxlength=8):code>", "code"),
        Rule::new("/lang/<string(length=2):c>", "lang"),
        Rule::new(
            "/n/<int(fixed_digits=3, min=1, max=999, signed=true):n>",
            "n",
        ),
        Rule::new("/x/<float(signed=true):x>", "x"),
        Rule::new(r#"/p/<any(about, help, "contact us"):page>"#, "page"),
        Rule::new("/u/<uuid:u>", "u"),
    ]);
    let a = m.bind("example.com").unwrap();
    assert_eq!(endpoint(&a, "/code/ab"), "code");
    assert_eq!(get(&a, "/code/a"), Err(MatchError::NotFound));
    assert_eq!(get(&a, "/code/abcdefghi"), Err(MatchError::NotFound));
    assert_eq!(get(&a, "/lang/fr"), ok_v("lang", [("c", "fr".into())]));
    assert_eq!(get(&a, "/lang/fra"), Err(MatchError::NotFound));
    assert_eq!(get(&a, "/n/007"), ok_v("n", [("n", Value::Int(7))]));
    assert_eq!(get(&a, "/n/7"), Err(MatchError::NotFound));
    assert_eq!(get(&a, "/n/000"), Err(MatchError::NotFound));
    assert_eq!(get(&a, "/x/-1.5"), ok_v("x", [("x", Value::Float(-1.5))]));
    assert_eq!(
        get(&a, "/p/contact%20us"),
        ok_v("page", [("page", "contact us".into())])
    );
    assert_eq!(get(&a, "/p/contact"), Err(MatchError::NotFound));
    let u: Uuid = "a8098c1a-f86e-11da-bd1a-00112444be1e".parse().unwrap();
    assert_eq!(
        get(&a, "/u/A8098C1A-F86E-11DA-BD1A-00112444BE1E"),
        ok_v("u", [("u", Value::Uuid(u))])
    );
}

/// Even numbers only, tried before `int` (lower weight).
#[derive(Debug)]
struct Even;

impl Converter for Even {
    fn to_value<'a>(&self, text: Cow<'a, str>) -> Option<Value<'a>> {
        let n: i64 = text.parse().ok()?;
        (n % 2 == 0).then_some(Value::Int(n))
    }
    fn to_url<'v>(&self, value: &'v Value<'_>) -> Result<Cow<'v, str>, ConvertError> {
        Ok(value.to_string().into())
    }
    fn weight(&self) -> u32 {
        10
    }
}

#[test]
fn custom_converter_weight_and_fallthrough() {
    let m = Map::builder()
        .converter("even", |_| Ok(Even))
        .add(vec![
            Rule::new("/n/<int:n>", "int"),
            Rule::new("/n/<even:n>", "even"),
            Rule::new("/n/<name>", "name"),
        ])
        .build()
        .unwrap();
    let a = m.bind("h").unwrap();
    assert_eq!(endpoint(&a, "/n/4"), "even");
    assert_eq!(endpoint(&a, "/n/3"), "int");
    assert_eq!(endpoint(&a, "/n/x"), "name");
}

#[test]
fn syntax_errors_name_rule_and_column() {
    let err = Map::builder()
        .rule(Rule::new("/users/<int:id", "user"))
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid rule '/users/<int:id' at column 15: variable not closed with '>' (endpoint user)"
    );
    let err = Map::builder()
        .rule(Rule::new("/a/<intt:id>", "a"))
        .build()
        .unwrap_err();
    assert!(
        matches!(err, MapError::UnknownConverter { column: 4, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("unknown converter 'intt' at column 4")
    );
    let err = Map::builder()
        .rule(Rule::new("/a/<int(digits=3):id>", "a"))
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "rule '/a/<int(digits=3):id>' -> a: converter 'int' of variable 'id' unknown argument 'digits' (known: fixed_digits, min, max, signed)"
    );
}

#[test]
fn matching_order_and_rejection() {
    let m = map(vec![
        Rule::new("/page/<int(max=10):n>", "small"),
        Rule::new("/page/<name>", "named"),
        Rule::new("/page/new", "new"),
        Rule::new("/docs/<name>.<ext>", "doc"),
        Rule::new("/static/<path:f>/edit", "edit"),
        Rule::new("/static/<path:f>", "static"),
    ]);
    let a = m.bind("h").unwrap();
    assert_eq!(endpoint(&a, "/page/new"), "new");
    assert_eq!(endpoint(&a, "/page/7"), "small");
    // The int converter rejects 50: the next rule takes it.
    assert_eq!(get(&a, "/page/50"), ok_v("named", [("name", "50".into())]));
    assert_eq!(
        get(&a, "/docs/a.tar.gz"),
        ok_v("doc", [("name", "a.tar".into()), ("ext", "gz".into())])
    );
    assert_eq!(
        get(&a, "/static/css/site.css/edit"),
        ok_v("edit", [("f", "css/site.css".into())])
    );
    assert_eq!(
        get(&a, "/static/css/site.css"),
        ok_v("static", [("f", "css/site.css".into())])
    );
    // Decoded after matching; %2F is data.
    assert_eq!(
        get(&a, "/page/a%2Fb%20c"),
        ok_v("named", [("name", "a/b c".into())])
    );
    assert_eq!(
        get(&a, "/page/%FF%FE"),
        Err(MatchError::BadRequest(BadRequest::InvalidUtf8))
    );
}

#[test]
fn methods() {
    let purge = Method::from_bytes(b"PURGE").unwrap();
    let m = map(vec![
        Rule::new("/any", "any"),
        Rule::new("/get", "get").methods([Method::GET]),
        Rule::new("/get", "post").methods([Method::POST]),
        Rule::new("/own", "own").methods([Method::GET, Method::OPTIONS]),
    ]);
    let a = m.bind("h").unwrap();
    assert_eq!(req(&a, "/any", purge.clone()), ok("any"));
    assert_eq!(req(&a, "/get", Method::HEAD), ok("get"));
    assert_eq!(req(&a, "/get", Method::POST), ok("post"));
    assert_eq!(
        req(&a, "/get", Method::OPTIONS),
        Err(MatchError::AutomaticOptions {
            allowed: vec![Method::GET, Method::HEAD, Method::OPTIONS, Method::POST]
        })
    );
    assert_eq!(
        req(&a, "/get", purge),
        Err(MatchError::MethodNotAllowed {
            allowed: vec![Method::GET, Method::HEAD, Method::OPTIONS, Method::POST]
        })
    );
    // A rule listing OPTIONS handles it itself.
    assert_eq!(req(&a, "/own", Method::OPTIONS), ok("own"));
}

#[test]
fn slashes_and_redirects() {
    let m = Map::builder()
        .add(vec![
            Rule::new("/branch/", "branch"),
            Rule::new("/leaf", "leaf"),
            Rule::new("/loose/", "loose").strict_slashes(false),
            Rule::new("/a/b", "ab"),
            Rule::new("/old/<int:id>", "old").redirect_to("/new/<id>"),
            Rule::new("/rel/<int:id>", "rel").redirect_to("new/<id>"),
            Rule::new("/ext", "ext").redirect_to("https://other.example/x"),
        ])
        .build()
        .unwrap();
    let a = m
        .bind("example.com")
        .unwrap()
        .with_script_root("/app")
        .with_query("q=1&r=2");
    assert_eq!(
        redirect(&a, "/branch"),
        "http://example.com/app/branch/?q=1&r=2"
    );
    assert_eq!(get(&a, "/leaf/"), Err(MatchError::NotFound));
    assert_eq!(endpoint(&a, "/loose"), "loose");
    assert_eq!(
        redirect(&a, "//a///b"),
        "http://example.com/app/a/b?q=1&r=2"
    );
    assert_eq!(redirect(&a, "/old/3"), "http://example.com/new/3");
    assert_eq!(redirect(&a, "/rel/3"), "http://example.com/app/new/3");
    assert_eq!(redirect(&a, "/ext"), "https://other.example/x");
    let m = Map::builder()
        .strict_slashes(false)
        .merge_slashes(false)
        .rule(Rule::new("/branch/", "branch"))
        .rule(Rule::new("/a/b", "ab"))
        .build()
        .unwrap();
    let a = m.bind("h").unwrap();
    assert_eq!(endpoint(&a, "/branch"), "branch");
    assert_eq!(get(&a, "//a//b"), Err(MatchError::NotFound));
}

#[test]
fn blueprints_with_prefixes() {
    let bp = |name: &str, prefix: &str| {
        EndpointPrefix::new(
            format!("{name}."),
            Submount::new(
                prefix,
                vec![Rule::new("/", "index"), Rule::new("/<int:id>", "show")],
            ),
        )
    };
    let m = Map::builder()
        .add(bp("admin", "/admin"))
        .add(bp("shop", "/shop/"))
        .build()
        .unwrap();
    let a = m.bind("h").unwrap();
    assert_eq!(endpoint(&a, "/admin/"), "admin.index");
    assert_eq!(
        get(&a, "/shop/3"),
        ok_v("shop.show", [("id", Value::Int(3))])
    );
    assert_eq!(
        a.url_for("shop.show").value("id", 4).build().unwrap(),
        "/shop/4"
    );
}

#[test]
fn building() {
    let m = map(vec![
        Rule::new("/n/<int(fixed_digits=4):n>", "n"),
        Rule::new("/s/<name>", "s"),
        Rule::new("/item", "item").methods([Method::GET]),
        Rule::new("/item/save", "item").methods([Method::POST]),
    ]);
    let a = m.bind("example.com").unwrap().with_scheme("https");
    assert_eq!(a.url_for("n").value("n", 42).build().unwrap(), "/n/0042");
    assert_eq!(
        a.url_for("s").value("name", "a b/ü?").build().unwrap(),
        "/s/a%20b%2F%C3%BC%3F"
    );
    assert_eq!(
        a.url_for("s")
            .value("name", "x")
            .value("tag", "a&b")
            .value("tag", "c")
            .anchor("sec 2")
            .build()
            .unwrap(),
        "/s/x?tag=a%26b&tag=c#sec%202"
    );
    assert_eq!(
        a.url_for("item").method(Method::POST).build().unwrap(),
        "/item/save"
    );
    assert_eq!(
        a.url_for("item").external(true).build().unwrap(),
        "https://example.com/item"
    );
    match a.url_for("itme").build() {
        Err(err @ BuildError::NoRule { .. }) => {
            assert!(
                err.to_string().ends_with("did you mean 'item' instead?"),
                "{err}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_map_validates_at_build_time_only() {
    let cases: Vec<(Vec<Rule>, &str)> = vec![
        (
            vec![Rule::new("/x", "a"), Rule::new("/x", "b")],
            "rule '/x' -> b duplicates rule '/x' -> a",
        ),
        (
            vec![Rule::new("/x/<int:a>", "a"), Rule::new("/x/<int:b>", "b")],
            "rule '/x/<int:b>' -> b conflicts with rule '/x/<int:a>' -> a: they match the same urls",
        ),
        (
            vec![Rule::new("/x/<a>", "a").redirect_to("/y/<b>")],
            "rule '/x/<a>' -> a: redirect placeholder '<b>' is not a variable of the rule",
        ),
        (
            vec![Rule::new("/", "a").subdomain("<path:p>")],
            "rule <path:p>|'/' -> a: variable 'p' matches '/' and cannot be in a host",
        ),
    ];
    for (rules, message) in cases {
        let err = Map::builder().add(rules).build().unwrap_err();
        assert_eq!(err.to_string(), message);
    }
    // Same pattern, other methods: fine.
    assert!(
        Map::builder()
            .rule(Rule::new("/x", "a").methods([Method::GET]))
            .rule(Rule::new("/x", "b").methods([Method::POST]))
            .build()
            .is_ok()
    );
}

#[test]
fn values_convert_to_handler_types() {
    let m = map(Rule::new("/<int:id>/<float:x>/<uuid:u>/<name>", "e"));
    let a = m.bind("h").unwrap();
    let hit = a
        .match_path(
            "/7/0.5/a8098c1a-f86e-11da-bd1a-00112444be1e/ann",
            &Method::GET,
        )
        .unwrap();
    assert_eq!(hit.get::<u8>("id").unwrap(), 7);
    assert_eq!(hit.get::<i64>("id").unwrap(), 7);
    assert_eq!(hit.get::<f32>("x").unwrap(), 0.5);
    assert_eq!(hit.get::<String>("name").unwrap(), "ann");
    assert_eq!(
        hit.get::<Uuid>("u").unwrap().to_string(),
        "a8098c1a-f86e-11da-bd1a-00112444be1e"
    );
    assert_eq!(hit.get::<Option<i32>>("id").unwrap(), Some(7));
    assert!(hit.get::<i64>("name").is_err());
    assert!(hit.get::<u8>("missing").is_err());
}
