//! Templates through the app: a template folder with inheritance and
//! autoescaping, `request`, `session`, `url_for`, `static_url` and flashed
//! messages inside templates, errors with file and line, auto-reload in
//! debug (Flask's `test_templating.py` cases where they apply).

use std::fs;
use std::path::Path;
use std::sync::{Arc, Mutex};

use carafe::prelude::*;
use carafe::wrappers::test::Client;

const SECRET: &str = "templates test secret, long and random enough";

fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

fn page(request: &Request) -> Result<Html<String>, Error> {
    let name = request
        .args()?
        .get("t")
        .cloned()
        .unwrap_or_else(|| "page.html".into());
    render_template(
        request,
        &name,
        &serde_json::json!({"title": "Tom & Jerry", "items": ["<a>", "b"]}),
    )
}

fn save(request: &Request) -> Result<Redirect, Error> {
    request.session().insert("user", "ada")?;
    request.flash("saved")?;
    request.flash_category("error", "careful")?;
    Ok(Redirect::see_other("/"))
}

fn app(dir: &Path) -> App {
    App::builder()
        .secret_key(SECRET)
        .template_folder(dir)
        .static_folder(dir)
        .route("/", page)
        .route("/save", save)
        .register_blueprint(
            Blueprint::new("admin")
                .url_prefix("/admin")
                .route("/", page),
        )
        .build()
}

#[test]
fn inheritance_and_escaping() {
    let dir = folder(&[
        (
            "base.html",
            "<title>{% block title %}{% endblock title %}</title>{% block body %}{% endblock body %}\n",
        ),
        (
            "page.html",
            "{% extends \"base.html\" %}{% block title %}{{ title }}{% endblock title %}{% block body %}{% for i in items %}[{{ i }}]{% endfor %}{% endblock body %}",
        ),
        ("plain.txt", "{{ title }} {{ items | join(sep=',') }}"),
    ]);
    let client = Client::new(app(dir.path()));
    let response = client.get("/").send();
    assert_eq!(
        response.text(),
        "<title>Tom &amp; Jerry</title>[&lt;a&gt;][b]"
    );
    assert_eq!(
        response.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    // Not escaped: .txt is not markup.
    assert_eq!(
        client.get("/?t=plain.txt").send().text(),
        "Tom & Jerry <a>,b"
    );
}

#[test]
fn request_url_for_and_static_url() {
    let dir = folder(&[(
        "links.html",
        "{{ request.method }} {{ request.path }} {{ request.endpoint }} {{ request.args.q | default(value='-') }} \
         {{ url_for(endpoint='page') }} {{ url_for(endpoint='.page') }} \
         {{ url_for(endpoint='admin.page', n=2, _anchor='top') }} \
         {{ url_for(endpoint='page', _external=true) }} {{ static_url(filename='css/site.css') }}",
    )]);
    let client = Client::new(app(dir.path()));
    assert_eq!(
        client.get("/?t=links.html&q=x").send().text(),
        "GET / page x / / /admin/?n=2#top http://localhost/ /static/css/site.css"
    );
    assert_eq!(
        client.get("/admin/?t=links.html").send().text(),
        "GET /admin/ admin.page - / /admin/ /admin/?n=2#top http://localhost/ /static/css/site.css"
    );
}

#[test]
fn session_and_flashes() {
    let dir = folder(&[
        (
            "flashes.html",
            "{{ session.user }}|{% for m in get_flashed_messages() %}{{ m }};{% endfor %}|\
             {% for c in get_flashed_messages(with_categories=true, category_filter=['error']) %}{{ c[0] }}={{ c[1] }}{% endfor %}",
        ),
        ("quiet.html", "nothing here"),
    ]);
    let client = Client::new(app(dir.path()));
    client.get("/save").send();
    // A page that does not show the messages leaves them for the next one.
    let response = client.get("/?t=quiet.html").send();
    assert_eq!(response.text(), "nothing here");
    assert!(
        response.header("vary").is_none(),
        "the session was not read"
    );
    let response = client.get("/?t=flashes.html").send();
    assert_eq!(response.text(), "ada|saved;careful;|error=careful");
    assert_eq!(response.header("vary"), Some("Cookie"));
    assert_eq!(client.get("/?t=flashes.html").send().text(), "ada||");
}

#[test]
fn template_errors_name_the_file_and_line() {
    let dir = folder(&[("broken.html", "line one\n{% if %}\n")]);
    let error = App::builder()
        .template_folder(dir.path())
        .try_build()
        .unwrap_err()
        .to_string();
    assert!(error.contains("broken.html"), "{error}");
    assert!(error.contains(":2"), "{error}");

    let dir = folder(&[("undefined.html", "ok\n{{ missing.name }}")]);
    let seen = Arc::new(Mutex::new(String::new()));
    let log = seen.clone();
    let app = App::builder()
        .template_folder(dir.path())
        .route("/", page)
        .teardown_request(move |_: &Request, error: Option<&Error>| {
            *log.lock().unwrap() = error.map(ToString::to_string).unwrap_or_default();
        })
        .build();
    let response = Client::new(app).get("/?t=undefined.html").send();
    assert_eq!(response.status(), 500);
    let message = seen.lock().unwrap().clone();
    assert!(message.contains("undefined.html:2"), "{message}");
    let response = Client::new(App::builder().route("/", page).build())
        .get("/")
        .send();
    assert_eq!(response.status(), 500, "no templates at all");
}

#[test]
fn templates_reload_in_debug_only() {
    let dir = folder(&[("page.html", "one")]);
    let debug = Client::new(
        App::builder()
            .debug(true)
            .propagate_exceptions(false)
            .template_folder(dir.path())
            .route("/", page)
            .build(),
    );
    let frozen = Client::new(
        App::builder()
            .template_folder(dir.path())
            .route("/", page)
            .build(),
    );
    assert_eq!(debug.get("/").send().text(), "one");
    assert_eq!(frozen.get("/").send().text(), "one");
    // A different length, so the change is seen whatever the clock resolution.
    fs::write(dir.path().join("page.html"), "two, changed").unwrap();
    assert_eq!(debug.get("/").send().text(), "two, changed");
    assert_eq!(frozen.get("/").send().text(), "one");
}

#[test]
fn a_filter_from_the_app() {
    let app = App::builder()
        .templates(|env| {
            env.filter(
                "shout",
                |s: &str, _: carafe::templating::Kwargs, _: &carafe::templating::State<'_>| {
                    s.to_uppercase()
                },
            )
            .template("page.html", "{{ title | shout }}")
        })
        .route("/", page)
        .build();
    assert_eq!(Client::new(app).get("/").send().text(), "TOM &amp; JERRY");
}
