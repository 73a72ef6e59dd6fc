//! Werkzeug `tests/test_routing.py`: server names, subdomains, hosts.

use carafe_routing::{Map, MatchError, Method, Rule, Value};

use crate::util::*;

fn with_server(server_name: &str, rules: Vec<Rule>) -> Map {
    Map::builder()
        .server_name(server_name)
        .add(rules)
        .build()
        .unwrap()
}

#[test]
fn http_host_before_server_name() {
    let m = with_server(
        "example.com",
        vec![Rule::new("/", "index").subdomain("wiki")],
    );
    let a = m.bind_to_host("wiki.example.com", "http").unwrap();
    assert_eq!(get(&a, "/"), ok("index"));
    assert_eq!(
        a.url_for("index").external(true).build().unwrap(),
        "http://wiki.example.com/"
    );
    assert_eq!(a.url_for("index").build().unwrap(), "/");
    let a = m.bind_to_host("admin.example.com", "http").unwrap();
    assert_eq!(
        a.url_for("index").build().unwrap(),
        "http://wiki.example.com/"
    );
}

#[test]
fn invalid_subdomain_warning() {
    // Werkzeug also warns; the outcome is the default subdomain.
    let m = with_server("bar.example.com", vec![Rule::new("/foo", "foo")]);
    let a = m.bind_to_host("foo.example.com", "http").unwrap();
    assert_eq!(a.subdomain(), "");
}

#[test]
fn server_name_match_default_port() {
    for (scheme, name) in [("http", "localhost:80"), ("https", "localhost:443")] {
        let m = with_server(name, vec![Rule::new("/foo", "foo")]);
        let a = m
            .bind_to_host("localhost", scheme)
            .unwrap()
            .with_path("/foo");
        assert_eq!(a.match_request().unwrap().endpoint(), "foo", "{scheme}");
    }
}

#[test]
fn request_redirect_default_subdomain() {
    let m = map(vec![
        Rule::new("/foo", "foo")
            .default_value("bar", 42)
            .subdomain("test"),
        Rule::new("/foo/<int:bar>", "foo").subdomain("other"),
    ]);
    let a = m.bind("localhost").unwrap().with_subdomain("other");
    assert_eq!(redirect(&a, "/foo/42"), "http://test.localhost/foo");
}

#[test]
fn server_name_interpolation() {
    let rules = || {
        vec![
            Rule::new("/", "index"),
            Rule::new("/", "alt").subdomain("alt"),
        ]
    };
    let m = with_server("example.invalid", rules());
    let a = m.bind_to_host("example.invalid", "http").unwrap();
    assert_eq!(get(&a, "/"), ok("index"));
    let a = m.bind_to_host("alt.example.invalid", "http").unwrap();
    assert_eq!(get(&a, "/"), ok("alt"));
    let m = with_server("foo", rules());
    let a = m.bind_to_host("example.invalid", "http").unwrap();
    assert_eq!(a.subdomain(), "");
}

fn subdomain_map() -> Map {
    with_server(
        "app.test",
        vec![
            Rule::new("/", "index"),
            Rule::new("/", "static").subdomain("static"),
            Rule::new("/<word>", "lookup").subdomain("<lang>"),
        ],
    )
}

#[test]
fn subdomain_matching() {
    let m = subdomain_map();
    let at = |host: &str, path: &str| get(&m.bind_to_host(host, "http").unwrap(), path);
    assert_eq!(at("app.test", "/"), ok("index"));
    assert_eq!(at("static.app.test", "/"), ok("static"));
    assert_eq!(
        at("jp.app.test", "/道具"),
        ok_v("lookup", [("lang", "jp".into()), ("word", "道具".into())])
    );
    assert_eq!(
        at("jp.app.test", "/%E9%81%93%E5%85%B7"),
        ok_v("lookup", [("lang", "jp".into()), ("word", "道具".into())])
    );
    // Not under the server name: the default subdomain.
    assert_eq!(at("static.other.test", "/"), ok("index"));
    // Host variables come first in the values.
    let a = m.bind_to_host("jp.app.test", "http").unwrap();
    let hit = a.match_path("/x", &Method::GET).unwrap();
    let names: Vec<_> = hit.values().iter().map(|(k, _)| k).collect();
    assert_eq!(names, ["lang", "word"]);
}

#[test]
fn default_subdomain() {
    let m = Map::builder()
        .server_name("app.test")
        .default_subdomain("static")
        .add(vec![
            Rule::new("/", "index").subdomain(""),
            Rule::new("/", "static"),
            Rule::new("/<word>", "lookup").subdomain("<lang>"),
        ])
        .build()
        .unwrap();
    let at = |host: &str| get(&m.bind_to_host(host, "http").unwrap(), "/");
    assert_eq!(at("app.test"), ok("index"));
    assert_eq!(at("static.app.test"), ok("static"));
    assert_eq!(at("other.test"), ok("static"));
}

fn host_map() -> Map {
    Map::builder()
        .host_matching(true)
        .add(vec![
            Rule::new("/", "index").host("app.test"),
            Rule::new("/", "lang").host("<lang>.app.test"),
            Rule::new("/page/", "page")
                .host("app.<domain>")
                .default_value("page", 1),
            Rule::new("/page/<int:page>/", "page").host("pages.<domain>"),
        ])
        .build()
        .unwrap()
}

#[test]
fn host_matching() {
    let m = host_map();
    let at = |host: &str, path: &str| get(&m.bind_to_host(host, "http").unwrap(), path);
    assert_eq!(at("app.test", "/"), ok("index"));
    assert_eq!(at("somewhere.test", "/"), Err(MatchError::NotFound));
    assert_eq!(
        at("en.app.test", "/"),
        ok_v("lang", [("lang", "en".into())])
    );
    assert_eq!(
        at("app.personal.test", "/page/"),
        ok_v(
            "page",
            [("domain", "personal.test".into()), ("page", Value::Int(1))]
        )
    );
    assert_eq!(
        at("app.other.test", "/page").unwrap_err().location(),
        Some("http://app.other.test/page/")
    );
    assert_eq!(
        at("pages.personal.test", "/page/1/")
            .unwrap_err()
            .location(),
        Some("http://app.personal.test/page/")
    );
}

#[test]
fn host_matching_disables_subdomain_matching() {
    assert!(!host_map().subdomain_matching());
}

#[test]
fn host_matching_build() {
    let m = host_map();
    let a = m.bind_to_host("app.test", "http").unwrap();
    assert_eq!(a.url_for("index").build().unwrap(), "/");
    let a = m.bind_to_host("app.personal.test", "http").unwrap();
    assert_eq!(
        a.url_for("page")
            .value("domain", "personal.test")
            .build()
            .unwrap(),
        "/page/"
    );
    let a = m.bind_to_host("pages.other.test", "http").unwrap();
    assert_eq!(a.url_for("index").build().unwrap(), "http://app.test/");
    let a = m.bind_to_host("app.test", "http").unwrap();
    assert_eq!(
        a.url_for("page")
            .value("domain", "personal.test")
            .build()
            .unwrap(),
        "http://app.personal.test/page/"
    );
}

#[test]
fn no_domain_matching() {
    let m = Map::builder()
        .server_name("app.test")
        .subdomain_matching(false)
        .rule(Rule::new("/", "index"))
        .build()
        .unwrap();
    for host in ["app.test", "static.app.test"] {
        let a = m.bind_to_host(host, "http").unwrap();
        assert_eq!(get(&a, "/"), ok("index"), "{host}");
    }
}

#[test]
fn server_name_casing() {
    let m = with_server(
        "example.com",
        vec![Rule::new("/", "index").subdomain("foo")],
    );
    let a = m.bind_to_host("FOO.EXAMPLE.COM", "http").unwrap();
    assert_eq!(get(&a, "/"), ok("index"));
    let a = m.bind_to_host("127.0.0.1:5000", "http").unwrap();
    assert_eq!(get(&a, "/"), Err(MatchError::NotFound));
}

#[test]
fn bind_long_idna_name_with_port() {
    let m = map(Rule::new("/", "index"));
    let name = format!("🐍{}:8443", "a".repeat(52));
    let a = m.bind(&name).unwrap();
    let (host, port) = a.server_name().split_once(':').unwrap();
    assert_eq!((host.len(), port), (63, "8443"));
}

#[test]
fn build_url_same_endpoint_multiple_hosts() {
    let m = Map::builder()
        .host_matching(true)
        .add(vec![
            Rule::new("/", "index").host("alpha.example.com"),
            Rule::new("/", "index").host("beta.example.com"),
            Rule::new("/", "gamma").host("gamma.example.com"),
        ])
        .build()
        .unwrap();
    for host in ["alpha.example.com", "AlPhA.ExAmPlE.CoM"] {
        let a = m.bind(host).unwrap();
        assert_eq!(a.url_for("index").build().unwrap(), "/");
        assert_eq!(
            a.url_for("gamma").build().unwrap(),
            "http://gamma.example.com/"
        );
    }
    for host in ["beta.example.com", "BeTa.ExAmPlE.CoM"] {
        let a = m.bind(host).unwrap();
        assert_eq!(a.url_for("index").build().unwrap(), "/");
    }
}
