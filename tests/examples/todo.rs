//! `examples/todo`: the complete small app, tested the way Flask's tutorial
//! tests flaskr (`test_auth.py`, `test_blog.py`, `test_db.py`): register,
//! log in and out, pages that need a login, the todos of one user only,
//! validation, pagination, the database shared by app instances, the
//! command line, and both servers.

#[path = "../../examples/todo/app/mod.rs"]
#[allow(dead_code)]
mod app;

use std::path::Path;

use carafe::config::{Config, Mode};
use carafe::prelude::*;
use carafe::wrappers::test::{Client, TestResponse};

fn config(database: &Path) -> Config<app::TodoSettings> {
    let config: Config<app::TodoSettings> = Config::loader()
        .dir(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/todo/config"))
        .mode(Mode::Testing)
        .env([("CARAFE_APP__DATABASE", database.to_str().unwrap())])
        .load()
        .unwrap();
    assert_eq!(config.app.per_page, 3, "testing.yaml");
    config
}

/// The app in testing mode on a fresh database (flaskr's `app` fixture).
fn client() -> (Client<App>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let app = app::build_app(&config(&dir.path().join("todo.sqlite3"))).unwrap();
    (Client::new(app), dir)
}

/// Another browser on the same app: its own cookies.
fn browser(client: &Client<App>) -> Client<App> {
    Client::new(client.application().clone())
}

/// A connection to the app's database file, beside the app.
fn database(client: &Client<App>) -> rusqlite::Connection {
    let path = client
        .application()
        .state::<app::Database>()
        .unwrap()
        .path();
    rusqlite::Connection::open(path).unwrap()
}

fn register(client: &Client<App>, username: &str, password: &str) -> TestResponse {
    client
        .post("/auth/register")
        .form([("username", username), ("password", password)])
        .send()
}

fn login(client: &Client<App>, username: &str, password: &str) -> TestResponse {
    client
        .post("/auth/login")
        .form([("username", username), ("password", password)])
        .send()
}

/// `ada` registered and logged in.
fn logged_in() -> (Client<App>, tempfile::TempDir) {
    let (client, dir) = client();
    assert_eq!(register(&client, "ada", "analytical engine").status(), 303);
    assert_eq!(login(&client, "ada", "analytical engine").status(), 303);
    (client, dir)
}

fn create(client: &Client<App>, title: &str, notes: &str) -> TestResponse {
    client
        .post("/create")
        .form([("title", title), ("notes", notes)])
        .send()
}

/// The ids of the todos on a list page, in order.
fn ids(page: &str) -> Vec<i64> {
    page.split(r#"id="todo-"#)
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().parse().unwrap())
        .collect()
}

#[test]
fn strangers_see_the_welcome_page_with_the_layout_and_its_stylesheet() {
    let (client, _db) = client();
    let response = client.get("/").send();
    assert_eq!(response.status(), 200);
    let page = response.text();
    assert!(page.contains("<title>Welcome · Todo</title>"), "{page}");
    assert!(
        page.contains(r#"<link rel="stylesheet" href="/static/style.css">"#),
        "{page}"
    );
    assert!(
        page.contains(r#"<li><a href="/auth/register">Register</a></li>"#),
        "{page}"
    );
    assert!(!page.contains("Log out"), "{page}");
    let css = client.get("/static/style.css").send();
    assert_eq!(css.status(), 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(css.text().contains(".todo.done .title"));
}

#[test]
fn registration_stores_a_hash_and_sends_to_the_login() {
    let (client, _db) = client();
    assert_eq!(client.get("/auth/register").send().status(), 200);
    let response = register(&client, "ada", "analytical engine");
    assert_eq!(
        (response.status(), response.header("location")),
        (StatusCode::SEE_OTHER, Some("/auth/login"))
    );
    let page = client.get("/auth/login").send().text();
    assert!(
        page.contains(r#"<div class="flash message">Registered: you can log in now.</div>"#),
        "{page}"
    );
    let hash: String = database(&client)
        .query_row(
            "SELECT password FROM user WHERE username = 'ada'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert!(hash.starts_with("pbkdf2:sha256:1000$"), "{hash}");
    assert!(!hash.contains("analytical"), "{hash}");
}

#[test]
fn registration_is_validated() {
    let (client, _db) = client();
    for (username, password, message) in [
        ("", "analytical engine", "Username is required."),
        ("   ", "analytical engine", "Username is required."),
        (
            &"a".repeat(41)[..],
            "analytical engine",
            "Username is at most 40 characters.",
        ),
        ("ada", "short", "Password needs at least 8 characters."),
    ] {
        let response = register(&client, username, password);
        assert_eq!(response.status(), 422, "{username:?} {password:?}");
        let page = response.text();
        assert!(
            page.contains(&format!(r#"<div class="flash error">{message}</div>"#)),
            "{message}: {page}"
        );
        assert!(
            page.contains(&format!(
                r#"name="username" id="username" value="{username}""#
            )),
            "the name stays: {page}"
        );
    }
    assert_eq!(register(&client, "ada", "analytical engine").status(), 303);
    let taken = register(&browser(&client), " ada ", "another password");
    assert_eq!(taken.status(), 422);
    assert!(
        taken.text().contains("User ada is already registered."),
        "{}",
        taken.text()
    );
    let count: i64 = database(&client)
        .query_row("SELECT COUNT(*) FROM user", [], |row| row.get(0))
        .unwrap();
    assert_eq!(count, 1);
}

#[test]
fn login_checks_the_password_without_telling_which_part_was_wrong() {
    let (client, _db) = client();
    register(&client, "ada", "analytical engine");
    for (username, password) in [("ada", "wrong password"), ("nobody", "analytical engine")] {
        let response = login(&client, username, password);
        assert_eq!(response.status(), 401, "{username}");
        let page = response.text();
        assert!(
            page.contains(r#"<div class="flash error">Incorrect username or password.</div>"#),
            "{page}"
        );
        assert!(page.contains(&format!(r#"value="{username}""#)), "{page}");
    }
    assert!(client.get("/").send().text().contains("Welcome"));
    let response = login(&client, "ada", "analytical engine");
    assert_eq!(
        (response.status(), response.header("location")),
        (StatusCode::SEE_OTHER, Some("/"))
    );
    let page = client.get("/").send().text();
    assert!(page.contains("<li><span>ada</span></li>"), "{page}");
    assert!(page.contains("<h1>0 open, 0 done</h1>"), "{page}");
    // The session cookie is permanent (30 days in base.yaml) and encrypted.
    let cookie = response.header("set-cookie").unwrap();
    assert!(cookie.contains("Expires="), "{cookie}");
    assert!(!cookie.contains("user_id"), "{cookie}");
}

#[test]
fn todo_pages_send_strangers_to_the_login_and_back() {
    let (client, _db) = logged_in();
    create(&client, "Write the notes", "");
    let stranger = browser(&client);
    for (method, path) in [
        (Method::GET, "/create"),
        (Method::POST, "/create"),
        (Method::GET, "/1/update"),
        (Method::POST, "/1/toggle"),
        (Method::POST, "/1/delete"),
    ] {
        let response = stranger.request(method.clone(), path).send();
        assert_eq!(response.status(), 303, "{method} {path}");
        let login = format!("/auth/login?next={path}");
        assert_eq!(
            response.header("location"),
            Some(&*login),
            "{method} {path}"
        );
    }
    let page = stranger.get("/auth/login?next=/1/update").send().text();
    assert!(
        page.contains(r#"<input type="hidden" name="next" value="/1/update">"#),
        "{page}"
    );
    register(&stranger, "bob", "babbage's engine");
    let response = stranger
        .post("/auth/login")
        .form([
            ("username", "bob"),
            ("password", "babbage's engine"),
            ("next", "/create?from=login"),
        ])
        .send();
    assert_eq!(response.header("location"), Some("/create?from=login"));
    // Nothing was changed by the stranger's requests.
    let done: i64 = database(&client)
        .query_row("SELECT done FROM todo WHERE id = 1", [], |row| row.get(0))
        .unwrap();
    assert_eq!(done, 0);
}

#[test]
fn next_only_leads_to_this_site() {
    let (client, _db) = client();
    register(&client, "ada", "analytical engine");
    for next in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
    ] {
        let response = browser(&client)
            .post("/auth/login")
            .form([
                ("username", "ada"),
                ("password", "analytical engine"),
                ("next", next),
            ])
            .send();
        assert_eq!(response.header("location"), Some("/"), "{next}");
    }
}

#[test]
fn logout_forgets_the_user_and_only_answers_post() {
    let (client, _db) = logged_in();
    assert_eq!(client.get("/auth/logout").send().status(), 405);
    let response = client.post("/auth/logout").send();
    assert_eq!(
        (response.status(), response.header("location")),
        (StatusCode::SEE_OTHER, Some("/"))
    );
    assert!(client.get("/").send().text().contains("<h1>Welcome</h1>"));
    assert_eq!(client.get("/create").send().status(), 303);
}

#[test]
fn a_todo_is_created_flashed_and_listed_escaped() {
    let (client, _db) = logged_in();
    let form = client.get("/create").send().text();
    assert!(form.contains("<title>New todo · Todo</title>"), "{form}");
    assert!(!form.contains("Delete"), "{form}");
    let response = create(&client, "  Buy <milk> & eggs  ", "two dozen");
    assert_eq!(
        (response.status(), response.header("location")),
        (StatusCode::SEE_OTHER, Some("/"))
    );
    let page = client.get("/").send().text();
    assert!(
        page.contains("<div class=\"flash message\">Added “Buy &lt;milk&gt; &amp; eggs”.</div>"),
        "{page}"
    );
    assert!(page.contains("<h1>1 open, 0 done</h1>"), "{page}");
    assert!(
        page.contains(r#"<span class="title">Buy &lt;milk&gt; &amp; eggs</span>"#),
        "{page}"
    );
    assert!(page.contains(r#"<p class="notes">two dozen</p>"#), "{page}");
    assert!(page.contains(r#"<a href="/1/update">Edit</a>"#), "{page}");
    // The date filter formats the creation time.
    let today = database(&client)
        .query_row("SELECT date('now')", [], |row| row.get::<_, String>(0))
        .unwrap();
    assert!(page.contains(&format!("<small>{today}</small>")), "{page}");
    // The flash is shown once.
    assert!(!client.get("/").send().text().contains("Added"));
}

#[test]
fn an_invalid_todo_is_shown_again_with_its_values() {
    let (client, _db) = logged_in();
    for (title, notes, message) in [
        ("", "some notes", "Title is required."),
        (&"t".repeat(201)[..], "", "Title is at most 200 characters."),
        (
            "fine",
            &"n".repeat(2001)[..],
            "Notes are at most 2000 characters.",
        ),
    ] {
        let response = create(&client, title, notes);
        assert_eq!(response.status(), 422, "{message}");
        let page = response.text();
        assert!(
            page.contains(&format!(r#"<div class="flash error">{message}</div>"#)),
            "{page}"
        );
        assert!(page.contains(&format!(r#"value="{title}""#)), "{page}");
        assert!(page.contains(&format!(">{notes}</textarea>")), "{page}");
    }
    let count: i64 = database(&client)
        .query_row("SELECT COUNT(*) FROM todo", [], |row| row.get(0))
        .unwrap();
    assert_eq!(count, 0);
}

#[test]
fn a_todo_is_updated_through_its_form() {
    let (client, _db) = logged_in();
    create(&client, "Draft", "first notes");
    let form = client.get("/1/update").send().text();
    assert!(
        form.contains("<title>Edit “Draft” · Todo</title>"),
        "{form}"
    );
    assert!(
        form.contains(r#"<form method="post" action="/1/update">"#),
        "{form}"
    );
    assert!(form.contains(">first notes</textarea>"), "{form}");
    assert!(form.contains(r#"action="/1/delete""#), "{form}");
    let invalid = client.post("/1/update").form([("title", " ")]).send();
    assert_eq!(invalid.status(), 422);
    let response = client
        .post("/1/update")
        .form([("title", "Final"), ("notes", "")])
        .send();
    assert_eq!(response.header("location"), Some("/"));
    let page = client.get("/").send().text();
    assert!(
        page.contains(r#"<span class="title">Final</span>"#),
        "{page}"
    );
    assert!(!page.contains("notes"), "{page}");
}

#[test]
fn users_see_and_change_only_their_own_todos() {
    let (ada, _db) = logged_in();
    create(&ada, "Ada's secret plan", "");
    let bob = browser(&ada);
    register(&bob, "bob", "babbage's engine");
    login(&bob, "bob", "babbage's engine");
    let page = bob.get("/").send().text();
    assert!(!page.contains("secret plan"), "{page}");
    assert!(page.contains("<h1>0 open, 0 done</h1>"), "{page}");
    for (method, path) in [
        (Method::GET, "/1/update"),
        (Method::POST, "/1/update"),
        (Method::POST, "/1/toggle"),
        (Method::POST, "/1/delete"),
    ] {
        let response = bob
            .request(method.clone(), path)
            .form([("title", "taken over")])
            .send();
        assert_eq!(response.status(), 403, "{method} {path}");
        // The app's error page: the layout, with bob logged in.
        let page = response.text();
        assert!(page.contains("<h1>403 Forbidden</h1>"), "{page}");
        assert!(page.contains("<li><span>bob</span></li>"), "{page}");
    }
    let missing = bob.get("/99/update").send();
    assert_eq!(missing.status(), 404);
    assert!(
        missing.text().contains("<p>Todo 99 does not exist.</p>"),
        "{}",
        missing.text()
    );
    let page = ada.get("/").send().text();
    assert!(
        page.contains(r#"<span class="title">Ada&#39;s secret plan</span>"#),
        "{page}"
    );
}

#[test]
fn todos_are_ticked_off_filtered_and_reopened() {
    let (client, _db) = logged_in();
    for title in ["one", "two", "three"] {
        create(&client, title, "");
    }
    let response = client.post("/2/toggle").form([("show", "open")]).send();
    assert_eq!(response.header("location"), Some("/?show=open"));
    let open = client.get("/").send().text();
    assert!(open.contains("<h1>2 open, 1 done</h1>"), "{open}");
    assert_eq!(ids(&open), [3, 1], "newest first: {open}");
    assert!(open.contains("<strong>open</strong>"), "{open}");
    let done = client.get("/?show=done").send().text();
    assert_eq!(ids(&done), [2]);
    assert!(
        done.contains(r#"<article class="todo done" id="todo-2">"#),
        "{done}"
    );
    assert!(done.contains("<button>Reopen</button>"), "{done}");
    let all = client.get("/?show=all").send().text();
    assert_eq!(ids(&all), [3, 1, 2], "open ones first: {all}");
    // The filter survives the toggle; a made-up one does not.
    let response = client.post("/2/toggle").form([("show", "evil")]).send();
    assert_eq!(response.header("location"), Some("/"));
    assert_eq!(ids(&client.get("/").send().text()), [3, 2, 1]);
    let bad = client.get("/?show=evil").send();
    assert_eq!(bad.status(), 400);
    assert_eq!(client.get("/?page=x").send().status(), 400);
}

#[test]
fn the_list_is_paged() {
    let (client, _db) = logged_in();
    for n in 1..=7 {
        create(&client, &format!("todo {n}"), "");
    }
    // Three per page (testing.yaml), newest first.
    let first = client.get("/").send().text();
    assert_eq!(ids(&first), [7, 6, 5]);
    assert!(first.contains("Page 1 of 3"), "{first}");
    assert!(
        first.contains(r#"<a rel="next" href="/?page=2&amp;show=open">Older</a>"#),
        "{first}"
    );
    assert!(!first.contains(r#"rel="prev""#), "{first}");
    let last = client.get("/?show=open&page=3").send().text();
    assert_eq!(ids(&last), [1]);
    assert!(
        last.contains(r#"<a rel="prev" href="/?page=2&amp;show=open">Newer</a>"#),
        "{last}"
    );
    assert!(!last.contains(r#"rel="next""#), "{last}");
    let beyond = client.get("/?page=9").send().text();
    assert!(beyond.contains("Nothing open."), "{beyond}");
}

#[test]
fn a_todo_is_deleted() {
    let (client, _db) = logged_in();
    create(&client, "keep", "");
    create(&client, "drop", "");
    assert_eq!(client.get("/2/delete").send().status(), 405);
    let response = client.post("/2/delete").send();
    assert_eq!(response.header("location"), Some("/"));
    let page = client.get("/").send().text();
    assert!(page.contains("Deleted “drop”."), "{page}");
    assert_eq!(ids(&page), [1]);
    assert_eq!(client.post("/2/delete").send().status(), 404);
}

#[test]
fn a_weaker_hash_is_upgraded_at_login() {
    use carafe::wrappers::{PasswordMethod, generate_password_hash_with};
    let (client, _db) = client();
    let weak: PasswordMethod = "pbkdf2:sha256:500".parse().unwrap();
    let hash = generate_password_hash_with("compiler", weak, 8).unwrap();
    database(&client)
        .execute(
            "INSERT INTO user (username, password) VALUES ('grace', ?1)",
            [&hash],
        )
        .unwrap();
    assert_eq!(login(&client, "grace", "compiler").status(), 303);
    let stored: String = database(&client)
        .query_row(
            "SELECT password FROM user WHERE username = 'grace'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert!(stored.starts_with("pbkdf2:sha256:1000$"), "{stored}");
    assert_eq!(login(&browser(&client), "grace", "compiler").status(), 303);
}

#[test]
fn the_data_outlives_the_app_and_deleting_a_user_deletes_their_todos() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("todo.sqlite3");
    {
        let client = Client::new(app::build_app(&config(&path)).unwrap());
        register(&client, "ada", "analytical engine");
        login(&client, "ada", "analytical engine");
        create(&client, "survive a restart", "");
    }
    // A new app on the same file (a restart, or another worker): the
    // schema is applied again without harm, the data is there.
    let client = Client::new(app::build_app(&config(&path)).unwrap());
    login(&client, "ada", "analytical engine");
    assert!(client.get("/").send().text().contains("survive a restart"));
    let connection = database(&client);
    connection
        .pragma_update(None, "foreign_keys", "ON")
        .unwrap();
    connection.execute("DELETE FROM user", []).unwrap();
    let left: i64 = connection
        .query_row("SELECT COUNT(*) FROM todo", [], |row| row.get(0))
        .unwrap();
    assert_eq!(left, 0, "ON DELETE CASCADE");
    // The session now names a user that does not exist: a stranger.
    assert!(client.get("/").send().text().contains("<h1>Welcome</h1>"));
}

#[test]
fn workers_creating_the_database_at_once_all_succeed() {
    super::support::open_at_once(50, "todo.sqlite3", |path| {
        app::Database::init(path).map(|_| ())
    });
}

#[test]
fn errors_are_pages_and_bodies_are_limited() {
    let (client, _db) = logged_in();
    let missing = client.get("/no/such/page").send();
    assert_eq!(missing.status(), 404);
    let page = missing.text();
    assert!(page.contains("<h1>404 Not Found</h1>"), "{page}");
    assert!(page.contains("<li><span>ada</span></li>"), "{page}");
    // max_content_length is 64 KiB (base.yaml).
    let huge = "x".repeat(70_000);
    let response = create(&client, "big", &huge);
    assert_eq!(response.status(), 413);
}

#[test]
fn the_factory_refuses_bad_settings() {
    let dir = tempfile::tempdir().unwrap();
    let mut no_key = config(&dir.path().join("a.sqlite3"));
    no_key.settings.secret_key = None;
    let error = app::build_app(&no_key).unwrap_err().to_string();
    assert!(error.contains("no secret_key in testing mode"), "{error}");
    let mut bad_hash = config(&dir.path().join("b.sqlite3"));
    bad_hash.app.hash_method = "md5".to_owned();
    let error = app::build_app(&bad_hash).unwrap_err().to_string();
    assert!(error.starts_with("app.hash_method: "), "{error}");
    let mut bad_page = config(&dir.path().join("c.sqlite3"));
    bad_page.app.per_page = 0;
    let error = app::build_app(&bad_page).unwrap_err().to_string();
    assert_eq!(error, "app.per_page must be between 1 and 100");
    let not_a_database = dir.path().join("d.sqlite3");
    std::fs::write(&not_a_database, "not a database, just text").unwrap();
    let error = app::build_app(&config(&not_a_database))
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("the database "), "{error}");
}

#[test]
fn routes_and_check_run_through_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("todo.sqlite3");
    let database = database.to_str().unwrap();
    let env = [
        ("CARAFE_APP__DATABASE", database),
        ("CARAFE_ENV", "testing"),
    ];
    let output = super::support::run_example("todo", &["check"], None, &env);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("routes: 9 rules, 9 endpoints"), "{stdout}");
    let output = super::support::run_example("todo", &["routes", "--sort", "rule"], None, &env);
    let stdout = String::from_utf8_lossy(&output.stdout);
    for endpoint in [
        "index",
        "auth.login",
        "auth.logout",
        "todos.toggle",
        "static",
    ] {
        assert!(stdout.contains(endpoint), "{endpoint}: {stdout}");
    }
    // Production without a secret key: `check` says so and fails.
    let env = [("CARAFE_APP__DATABASE", database)];
    let output = super::support::run_example("todo", &["check"], None, &env);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no secret_key in production mode: set CARAFE_SECRET_KEY"),
        "{stderr}"
    );
}

/// Over real sockets, in production mode with two worker processes and
/// then under the development server: a user registers, logs in and adds
/// todos through whichever worker answers; both workers write to and read
/// from the one SQLite file and read the one session cookie.
#[test]
#[ignore = "starts servers: run by .ci/run"]
fn serves_under_both_servers_with_the_database_shared_by_the_workers() {
    use super::support::{http_get, http_post_form};

    // The settings come from a config directory, not from `CARAFE_...`
    // variables: `serve` hands the environment to carafe-server, which
    // refuses `CARAFE_` names it does not know.
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("todo.sqlite3");
    let config = dir.path().join("config");
    std::fs::create_dir(&config).unwrap();
    std::fs::write(
        config.join("base.yaml"),
        format!(
            "secret_key: a key shared by every worker\n\
             app:\n  hash_method: \"pbkdf2:sha256:1000\"\n  per_page: 20\n  database: {}\n",
            database.display()
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap().to_owned();
    let counter = std::sync::atomic::AtomicUsize::new(0);
    super::support::under_both_servers("todo", &["--config-dir", &config], &[], |port| {
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let credentials = format!("username=user{n}&password=long+enough");
        let registered = http_post_form(port, "/auth/register", &credentials, &[]).unwrap();
        assert_eq!(registered.status, 303, "{registered:?}");
        assert_eq!(registered.headers["location"], "/auth/login");
        let logged_in = http_post_form(port, "/auth/login", &credentials, &[]).unwrap();
        assert_eq!(logged_in.status, 303, "{logged_in:?}");
        assert_eq!(logged_in.headers["location"], "/");
        let cookie = logged_in.headers["set-cookie"]
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        assert!(cookie.starts_with("session="), "{cookie}");
        let headers = [("Cookie", &*cookie)];
        for todo in 1..=6 {
            let form = format!("title=todo+{todo}&notes=");
            let created = http_post_form(port, "/create", &form, &headers).unwrap();
            assert_eq!(created.status, 303, "{created:?}");
        }
        let mine: Vec<i64> = {
            let page = http_get(port, "/?show=all", &headers).unwrap();
            ids(&page.body)
        };
        assert_eq!(mine.len(), 6);
        let toggled = http_post_form(port, &format!("/{}/toggle", mine[0]), "", &headers).unwrap();
        assert_eq!(toggled.status, 303, "{toggled:?}");
        for _ in 0..10 {
            let page = http_get(port, "/", &headers).unwrap();
            assert_eq!(page.status, 200, "{page:?}");
            assert!(
                page.body
                    .contains(&format!("<li><span>user{n}</span></li>")),
                "{}",
                page.body
            );
            assert!(
                page.body.contains("<h1>5 open, 1 done</h1>"),
                "{}",
                page.body
            );
        }
        let stranger = http_get(port, "/create", &[]).unwrap();
        assert_eq!(stranger.status, 303);
        assert_eq!(stranger.headers["location"], "/auth/login?next=/create");
        let css = http_get(port, "/static/style.css", &[]).unwrap();
        assert_eq!(css.status, 200);
        assert_eq!(http_get(port, "/missing", &headers).unwrap().status, 404);
    });
    let users: i64 = rusqlite::Connection::open(&database)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM user", [], |row| row.get(0))
        .unwrap();
    assert_eq!(users, 2, "one per server, in the one file");
}
