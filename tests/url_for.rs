//! URL building through the request (Flask's `TestUrlFor` and
//! `test_url_generation`), and the compile-time checked `url_for!`.

use carafe::prelude::*;
use carafe::routing::Rule;
use carafe::wrappers::test::Client;
use carafe::{UrlError, UrlFor};

/// An app whose `/` answers with what `build` makes of the request.
fn answer(build: fn(&Request) -> Result<String, Error>) -> Client<App> {
    fn hello(_: &Request) -> &'static str {
        ""
    }
    Client::new(
        App::builder()
            .add_url_rule(Rule::new("/", "index"), build)
            .add_url_rule(
                Rule::new("/hello/<name>", "hello").methods([Method::POST]),
                hello,
            )
            .build(),
    )
}

#[test]
fn url_generation() {
    let client = answer(|request| {
        Ok(format!(
            "{} {}",
            request.url_for(UrlFor::new("hello").value("name", "test x"))?,
            request.url_for(UrlFor::new("hello").value("name", "test x").external(true))?
        ))
    });
    assert_eq!(
        client.get("/").send().text(),
        "/hello/test%20x http://localhost/hello/test%20x"
    );
}

#[test]
fn anchor_scheme_and_alternation() {
    let client = answer(|request| {
        Ok([
            request.url_for(UrlFor::new("index").anchor("x y"))?,
            request.url_for(UrlFor::new("index").external(true).scheme("https"))?,
            request.url_for(UrlFor::new("index").scheme("https"))?,
            request.url_for(UrlFor::new("index").external(true))?,
        ]
        .join(" "))
    });
    assert_eq!(
        client.get("/").send().text(),
        "/#x%20y https://localhost/ https://localhost/ http://localhost/"
    );
    let client = answer(|request| {
        match request.url_for(UrlFor::new("index").scheme("https").external(false)) {
            Err(UrlError::SchemeNotExternal) => Ok("refused".into()),
            other => Ok(format!("{other:?}")),
        }
    });
    assert_eq!(client.get("/").send().text(), "refused");
}

#[test]
fn url_with_method() {
    fn myview(request: &Request) -> Result<String, Error> {
        Ok([
            request.url_for(UrlFor::new("myview").method(Method::GET))?,
            request.url_for(UrlFor::new("myview").value("id", 42).method(Method::GET))?,
            request.url_for(UrlFor::new("myview").method(Method::POST))?,
        ]
        .join(" "))
    }
    let app = App::builder()
        .add_url_rule(
            Rule::new("/myview/", "myview").methods([Method::GET]),
            myview,
        )
        .add_url_rule(
            Rule::new("/myview/<int:id>", "myview").methods([Method::GET]),
            myview,
        )
        .add_url_rule(
            Rule::new("/myview/create", "myview").methods([Method::POST]),
            myview,
        )
        .build();
    assert_eq!(
        Client::new(app).get("/myview/").send().text(),
        "/myview/ /myview/42 /myview/create"
    );
}

#[test]
fn build_errors_suggest_and_become_500s() {
    fn broken(request: &Request) -> Result<String, Error> {
        Ok(request.url_for("helo")?)
    }
    let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let log = seen.clone();
    let app = App::builder()
        .route("/hello", broken)
        .teardown_request(move |_: &Request, error: Option<&Error>| {
            *log.lock().unwrap() = error.map(|e| e.to_string()).unwrap_or_default();
        })
        .build();
    assert_eq!(Client::new(app).get("/hello").send().status(), 500);
    let message = seen.lock().unwrap().clone();
    assert!(
        message.contains("could not build url for endpoint 'helo'"),
        "{message}"
    );
    assert!(
        message.contains("did you mean 'broken' instead?"),
        "{message}"
    );
}

#[test]
fn urls_outside_requests_need_a_server_name() {
    fn index(_: &Request) -> &'static str {
        ""
    }
    let app = App::builder().route("/", index).build();
    assert_eq!(app.url_for("index"), Err(UrlError::NoServerName));
    let app = App::builder()
        .server_name("example.com:8080")
        .route("/", index)
        .build();
    assert_eq!(app.url_for("index").unwrap(), "http://example.com:8080/");
}

#[test]
fn subdomain_urls_are_external() {
    fn index(request: &Request) -> Result<String, Error> {
        Ok(format!(
            "{} {}",
            request.url_for("api.index")?,
            request.url_for("home")?
        ))
    }
    let api = Blueprint::new("api").subdomain("api").route("/", index);
    let app = App::builder()
        .server_name("example.com")
        .register_blueprint(api)
        .add_url_rule(Rule::new("/home", "home"), index)
        .build();
    let client = Client::new(app);
    assert_eq!(
        client.get("http://api.example.com/").send().text(),
        "/ http://example.com/home"
    );
    assert_eq!(
        client.get("http://example.com/home").send().text(),
        "http://api.example.com/ /home"
    );
}

#[get("/users/<int:id>")]
fn user(id: i64, request: &Request) -> Result<String, Error> {
    let next = request.url_for(url_for!(user, id = id + 1))?;
    let named = request.url_for(url_for!(profile, name = "Ada Lovelace").anchor("bio"))?;
    let owned = String::from("bob");
    let borrowed = request.url_for(url_for!(profile, name = &owned).value("tab", 2))?;
    let plain = request.url_for(url_for!(home))?;
    Ok(format!("{next} {named} {borrowed} {plain}"))
}

#[get("/profiles/<name>")]
fn profile(name: String) -> String {
    name
}

#[get("/")]
fn home() -> &'static str {
    "home"
}

#[test]
fn url_for_macro() {
    let app = App::builder()
        .register(user)
        .register(profile)
        .register(home)
        .build();
    assert_eq!(
        Client::new(app).get("/users/1").send().text(),
        "/users/2 /profiles/Ada%20Lovelace#bio /profiles/bob?tab=2 /"
    );
}

#[test]
fn url_for_macro_follows_the_blueprint() {
    let site = Blueprint::new("site")
        .url_prefix("/site")
        .register(user)
        .register(profile)
        .register(home);
    let admin = Blueprint::new("admin")
        .url_prefix("/admin")
        .register(user)
        .register(profile)
        .register(home);
    let app = App::builder()
        .register_blueprint(site)
        .register_blueprint(admin)
        .build();
    let client = Client::new(app);
    assert_eq!(
        client.get("/admin/users/1").send().text(),
        "/admin/users/2 /admin/profiles/Ada%20Lovelace#bio /admin/profiles/bob?tab=2 /admin/"
    );
    assert_eq!(
        client.get("/site/users/7").send().text(),
        "/site/users/8 /site/profiles/Ada%20Lovelace#bio /site/profiles/bob?tab=2 /site/"
    );
}

#[test]
fn an_unregistered_route_is_an_error() {
    fn link(request: &Request) -> String {
        match request.url_for(url_for!(profile, name = "x")) {
            Err(UrlError::NotRegistered { handler }) => format!("not registered: {handler}"),
            other => format!("{other:?}"),
        }
    }
    let app = App::builder().route("/", link).build();
    assert_eq!(
        Client::new(app).get("/").send().text(),
        "not registered: profile"
    );
}
