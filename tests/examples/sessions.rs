//! `examples/sessions`: registration with hashed passwords, login with
//! "remember me" and a safe `next`, logout, a login-only blueprint,
//! flashed messages, hash upgrades, key rotation.

#[path = "../../examples/sessions/app/mod.rs"]
#[allow(dead_code)]
mod app;

use std::path::Path;

use carafe::config::{Config, Mode, Secret};
use carafe::prelude::*;
use carafe::wrappers::headers::HttpDate;
use carafe::wrappers::test::Client;

fn config(database: &Path) -> Config<app::AuthSettings> {
    let config: Config<app::AuthSettings> = Config::loader()
        .dir(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/sessions/config"
        ))
        .mode(Mode::Testing)
        .env([("CARAFE_APP__DATABASE", database.to_str().unwrap())])
        .load()
        .unwrap();
    assert_eq!(config.app.hash_method, "pbkdf2:sha256:1000", "testing.yaml");
    config
}

/// The app in testing mode on a fresh database.
fn client() -> (Client<App>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let app = app::build_app(&config(&dir.path().join("users.sqlite3"))).unwrap();
    (Client::new(app), dir)
}

fn register(
    client: &Client<App>,
    name: &str,
    password: &str,
) -> carafe::wrappers::test::TestResponse {
    client
        .post("/register")
        .form([
            ("name", name),
            ("password", password),
            ("confirm", password),
        ])
        .send()
}

fn users(client: &Client<App>) -> &app::Users {
    client.application().state::<app::Users>().unwrap()
}

#[test]
fn the_session_keeps_values_for_anonymous_visitors() {
    let (client, _db) = client();
    let page = client.get("/").send();
    assert!(page.text().contains("Hello, stranger!"), "{}", page.text());
    assert!(page.text().contains("Visit number 1."), "{}", page.text());
    let cookie = page.header("set-cookie").unwrap().to_owned();
    assert!(cookie.starts_with("session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Expires"),
        "a browser-session cookie: {cookie}"
    );
    assert!(client.get("/").send().text().contains("Visit number 2."));
    // The cookie is encrypted: the value is not readable in it.
    assert!(!cookie.contains("visits"), "{cookie}");
}

#[test]
fn registration_hashes_the_password_and_logs_in() {
    let (client, _db) = client();
    let response = register(&client, "Ada", "analytical engine");
    assert_eq!(response.status(), 303, "{}", response.text());
    assert_eq!(response.header("location"), Some("/account/"));
    let page = client.get("/account/").send().text();
    assert!(
        page.contains(r#"<p class="flash success">Welcome, ada!</p>"#),
        "{page}"
    );
    assert!(page.contains("<h1>Account of ada</h1>"), "{page}");
    let stored = users(&client).get("ada").unwrap().unwrap();
    assert!(
        stored.password_hash.starts_with("pbkdf2:sha256:1000$"),
        "{}",
        stored.password_hash
    );
    assert!(!stored.password_hash.contains("analytical"));
}

#[test]
fn registration_is_validated() {
    let (client, _db) = client();
    let response = client
        .post("/register")
        .form([("name", "a b"), ("password", "short"), ("confirm", "short")])
        .send();
    assert_eq!(response.status(), 422);
    let page = response.text();
    assert!(
        page.contains(r#"id="name-error">3 to 32 letters, digits or _.<"#),
        "{page}"
    );
    assert!(
        page.contains(r#"id="password-error">At least 8 characters.<"#),
        "{page}"
    );
    let response = client
        .post("/register")
        .form([
            ("name", "bob"),
            ("password", "long enough"),
            ("confirm", "long enougH"),
        ])
        .send();
    assert!(
        response
            .text()
            .contains(r#"id="confirm-error">The passwords differ.<"#)
    );
    assert_eq!(register(&client, "bob", "long enough").status(), 303);
    let taken = register(
        &Client::new(client.application().clone()),
        "BOB",
        "another one",
    );
    assert_eq!(taken.status(), 422);
    assert!(taken.text().contains("This name is taken."));
}

#[test]
fn login_checks_the_password_without_telling_which_part_was_wrong() {
    let (client, _db) = client();
    register(&client, "ada", "analytical engine");
    let fresh = Client::new(client.application().clone());
    for (name, password) in [("ada", "wrong password"), ("nobody", "analytical engine")] {
        let response = fresh
            .post("/login")
            .form([("name", name), ("password", password)])
            .send();
        assert_eq!(response.status(), 401, "{name}");
        assert!(
            response.text().contains("Wrong name or password."),
            "{name}"
        );
        assert!(
            response.text().contains(&format!(r#"value="{name}""#)),
            "{name}: the name stays"
        );
    }
    assert!(fresh.get("/").send().text().contains("Hello, stranger!"));
    let response = fresh
        .post("/login")
        .form([("name", "Ada"), ("password", "analytical engine")])
        .send();
    assert_eq!(
        (response.status(), response.header("location")),
        (StatusCode::SEE_OTHER, Some("/account/"))
    );
    assert!(fresh.get("/").send().text().contains("Hello, ada!"));
}

#[test]
fn remember_me_makes_the_session_permanent() {
    let (client, _db) = client();
    register(&client, "ada", "analytical engine");
    let fresh = Client::new(client.application().clone());
    let response = fresh
        .post("/login")
        .form([
            ("name", "ada"),
            ("password", "analytical engine"),
            ("remember", "on"),
        ])
        .send();
    let cookie = response.header("set-cookie").unwrap().to_owned();
    // Expires in 7 days (`permanent_session_lifetime` in base.yaml).
    let expires: HttpDate = cookie
        .split("; ")
        .find_map(|part| part.strip_prefix("Expires="))
        .unwrap_or_else(|| panic!("no Expires: {cookie}"))
        .parse()
        .unwrap();
    let in_seconds = expires.unix_seconds() - HttpDate::now().unix_seconds();
    assert!(
        (7 * 86400 - 60..=7 * 86400).contains(&in_seconds),
        "{in_seconds} s: {cookie}"
    );
    assert!(
        fresh
            .get("/account/")
            .send()
            .text()
            .contains("This browser stays logged in.")
    );
}

#[test]
fn account_pages_send_strangers_to_the_login_and_back() {
    let (client, _db) = client();
    register(
        &Client::new(client.application().clone()),
        "ada",
        "analytical engine",
    );
    let response = client.get("/account/?tab=security").send();
    assert_eq!(response.status(), 303);
    let login = response.header("location").unwrap().to_owned();
    assert_eq!(login, "/login?next=/account/?tab%3Dsecurity");
    let page = client.get(&login).send().text();
    assert!(
        page.contains(r#"<p class="flash error">Please log in first.</p>"#),
        "{page}"
    );
    assert!(
        page.contains(r#"<input type="hidden" name="next" value="/account/?tab=security">"#),
        "{page}"
    );
    let response = client
        .post("/login")
        .form([
            ("name", "ada"),
            ("password", "analytical engine"),
            ("next", "/account/?tab=security"),
        ])
        .send();
    assert_eq!(response.header("location"), Some("/account/?tab=security"));
    assert_eq!(client.get("/account/?tab=security").send().status(), 200);
    assert_eq!(
        client.post("/account/password").send().status(),
        422,
        "logged in: the form, not a redirect"
    );
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
        let fresh = Client::new(client.application().clone());
        let response = fresh
            .post("/login")
            .form([
                ("name", "ada"),
                ("password", "analytical engine"),
                ("next", next),
            ])
            .send();
        assert_eq!(response.header("location"), Some("/account/"), "{next}");
    }
}

#[test]
fn logout_forgets_the_user() {
    let (client, _db) = client();
    register(&client, "ada", "analytical engine");
    assert!(client.get("/").send().text().contains("Hello, ada!"));
    let response = client.post("/logout").send();
    assert_eq!(
        (response.status(), response.header("location")),
        (StatusCode::SEE_OTHER, Some("/"))
    );
    let page = client.get("/").send().text();
    assert!(page.contains("Hello, stranger!"), "{page}");
    assert!(
        page.contains(r#"<p class="flash info">Logged out.</p>"#),
        "{page}"
    );
    assert_eq!(client.get("/account/").send().status(), 303);
    assert_eq!(
        client.get("/logout").send().status(),
        405,
        "only POST logs out"
    );
}

#[test]
fn passwords_can_be_changed() {
    let (client, _db) = client();
    register(&client, "ada", "analytical engine");
    let wrong = client
        .post("/account/password")
        .form([("current", "nope"), ("new", "difference engine")])
        .send();
    assert_eq!(wrong.status(), 422);
    assert!(wrong.text().contains("The current password is wrong."));
    let response = client
        .post("/account/password")
        .form([
            ("current", "analytical engine"),
            ("new", "difference engine"),
        ])
        .send();
    assert_eq!(response.status(), 303);
    let fresh = Client::new(client.application().clone());
    let old = fresh
        .post("/login")
        .form([("name", "ada"), ("password", "analytical engine")])
        .send();
    assert_eq!(old.status(), 401);
    let new = fresh
        .post("/login")
        .form([("name", "ada"), ("password", "difference engine")])
        .send();
    assert_eq!(new.status(), 303);
}

#[test]
fn a_weaker_hash_is_upgraded_at_login() {
    use carafe::wrappers::{PasswordMethod, generate_password_hash_with};
    let (client, _db) = client();
    let weak: PasswordMethod = "pbkdf2:sha256:500".parse().unwrap();
    let user = app::User {
        name: "grace".to_owned(),
        password_hash: generate_password_hash_with("compiler", weak, 8).unwrap(),
    };
    assert!(users(&client).add(&user).unwrap());
    let response = client
        .post("/login")
        .form([("name", "grace"), ("password", "compiler")])
        .send();
    assert_eq!(response.status(), 303);
    let stored = users(&client).get("grace").unwrap().unwrap();
    assert!(
        stored.password_hash.starts_with("pbkdf2:sha256:1000$"),
        "{}",
        stored.password_hash
    );
}

#[test]
fn sessions_survive_a_key_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("users.sqlite3");
    let mut old = config(&database);
    old.settings.secret_key = Some(Secret::new("the old key, long and random".to_owned()));
    let before = Client::new(app::build_app(&old).unwrap());
    register(&before, "ada", "analytical engine");
    let cookie = format!("session={}", before.cookie("session").unwrap().value());

    // The same users, a new key, the old one as a fallback: still logged in.
    let mut rotated = config(&database);
    rotated.settings.secret_key = Some(Secret::new(
        "the new key, longer and more random".to_owned(),
    ));
    rotated.settings.secret_key_fallbacks =
        vec![Secret::new("the old key, long and random".to_owned())];
    let after = Client::new(app::build_app(&rotated).unwrap());
    let page = after.get("/").header("cookie", &cookie).send();
    assert!(page.text().contains("Hello, ada!"), "{}", page.text());
    // Without the fallback, the old cookie is just no session.
    let mut new_only = config(&database);
    new_only.settings.secret_key = rotated.settings.secret_key.clone();
    let strict = Client::new(app::build_app(&new_only).unwrap());
    assert!(
        strict
            .get("/")
            .header("cookie", &cookie)
            .send()
            .text()
            .contains("Hello, stranger!")
    );
}

#[test]
fn workers_opening_a_new_database_at_once_all_succeed() {
    super::support::open_at_once(100, "users.sqlite3", |path| {
        app::Users::open(path, carafe::wrappers::PasswordMethod::default()).map(|_| ())
    });
}

#[test]
fn routes_and_check_run_through_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("users.sqlite3");
    let env = [("CARAFE_APP__DATABASE", database.to_str().unwrap())];
    let output = super::support::run_example("sessions", &["check"], None, &env);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("routes: 8 rules, 8 endpoints"), "{stdout}");
    let env = [
        ("CARAFE_APP__DATABASE", database.to_str().unwrap()),
        ("CARAFE_APP__HASH_METHOD", "md5"),
    ];
    let output = super::support::run_example("sessions", &["check"], None, &env);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("app.hash_method"), "{stderr}");
}

/// Over real sockets with two worker processes: a user registered through
/// one worker logs in through any, and the session cookie is read by both.
#[test]
#[ignore = "starts servers: run by .ci/run"]
fn serves_under_both_servers_sharing_sessions_across_workers() {
    use super::support::http_get;
    use std::io::{Read, Write};

    fn post(port: u16, path: &str, form: &str, cookie: &str) -> (u16, String) {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            stream,
            "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nCookie: {cookie}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
            form.len()
        )
        .unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        let status = text[9..12].parse().unwrap();
        let cookie = text
            .lines()
            .find_map(|l| {
                l.strip_prefix("set-cookie: ")
                    .or_else(|| l.strip_prefix("Set-Cookie: "))
            })
            .map(|c| c.split(';').next().unwrap().to_owned())
            .unwrap_or_default();
        (status, cookie)
    }

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::create_dir(&config).unwrap();
    std::fs::write(
        config.join("base.yaml"),
        format!(
            "secret_key: a key shared by every worker\napp:\n  hash_method: \"pbkdf2:sha256:1000\"\n  database: {}\n",
            dir.path().join("users.sqlite3").display()
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap().to_owned();
    let counter = std::sync::atomic::AtomicUsize::new(0);
    super::support::under_both_servers("sessions", &["--config-dir", &config], &[], |port| {
        let name = format!(
            "user{}",
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let form = format!("name={name}&password=long+enough&confirm=long+enough");
        let (status, cookie) = post(port, "/register", &form, "");
        assert_eq!(status, 303);
        assert!(cookie.starts_with("session="), "{cookie}");
        // The requests land on either worker: each reads the cookie and
        // finds the user in the shared database.
        for _ in 0..20 {
            let page = http_get(port, "/account/", &[("cookie", &cookie)]).unwrap();
            assert_eq!(page.status, 200, "{page:?}");
            assert!(
                page.body.contains(&format!("Account of {name}")),
                "{}",
                page.body
            );
        }
        let (status, _) = post(
            port,
            "/login",
            &format!("name={name}&password=long+enough"),
            "",
        );
        assert_eq!(status, 303);
    });
}
