//! Sessions and flashed messages (Flask's `test_basic.py` session and flash
//! tests), key rotation, stateless sharing between app instances, and the
//! corpus case `session-tampered`.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use carafe::prelude::*;
use carafe::wrappers::SameSite;
use carafe::wrappers::headers::HttpDate;
use carafe::wrappers::test::Client;
use carafe::{SessionConfig, SessionError};

const SECRET: &str = "test key: long enough and random enough for tests";

fn set_value(request: &Request) -> Result<&'static str, Error> {
    let value = request.form()?.get("value").cloned().unwrap_or_default();
    request.session().insert("value", value)?;
    Ok("value set")
}

fn get_value(request: &Request) -> String {
    request
        .session()
        .get::<String>("value")
        .unwrap_or_else(|| "None".into())
}

fn nothing(_: &Request) -> &'static str {
    ""
}

fn vary(response: &carafe::wrappers::test::TestResponse) -> Vec<String> {
    response
        .headers()
        .get_all("vary")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

fn set_cookie(response: &carafe::wrappers::test::TestResponse) -> String {
    response
        .header("set-cookie")
        .unwrap_or_default()
        .to_lowercase()
}

#[test]
fn session_accessed_and_vary() {
    let app = App::builder()
        .secret_key(SECRET)
        .post("/", set_value)
        .get("/", get_value)
        .get("/nothing", nothing)
        .build();
    let client = Client::new(app);
    let response = client.get("/nothing").send();
    assert!(vary(&response).is_empty());
    assert!(response.header("set-cookie").is_none());
    let response = client.post("/").form([("value", "42")]).send();
    assert_eq!(response.text(), "value set");
    assert_eq!(vary(&response), ["Cookie"]);
    assert!(response.header("set-cookie").is_some());
    let response = client.get("/").send();
    assert_eq!(response.text(), "42");
    assert_eq!(vary(&response), ["Cookie"]);
    assert!(
        response.header("set-cookie").is_none(),
        "read only: no new cookie"
    );
    let response = client.get("/nothing").send();
    assert!(vary(&response).is_empty());
}

fn set_testing(request: &Request) -> Result<&'static str, Error> {
    request.session().insert("testing", 42)?;
    Ok("Hello World")
}

fn clear_testing(request: &Request) -> Result<&'static str, Error> {
    request.session().remove("testing")?;
    Ok("Goodbye World")
}

#[test]
fn session_path_follows_the_application_root() {
    let app = App::builder()
        .secret_key(SECRET)
        .application_root("/foo")
        .route("/", set_testing)
        .build();
    let response = Client::new(app).get("/").send();
    assert!(
        set_cookie(&response).contains("path=/foo"),
        "{}",
        set_cookie(&response)
    );
}

#[test]
fn session_using_session_settings() {
    let app = App::builder()
        .secret_key(SECRET)
        .server_name("www.example.com:8080")
        .application_root("/test")
        .session(
            SessionConfig::default()
                .domain(".example.com")
                .http_only(false)
                .secure(true)
                .partitioned(true)
                .same_site(Some(SameSite::Lax))
                .path("/"),
        )
        .route("/", set_testing)
        .route("/clear", clear_testing)
        .build();
    let client = Client::new(app);
    let response = client.get("https://www.example.com:8080/").send();
    let cookie = set_cookie(&response);
    assert!(cookie.contains("domain=example.com"), "{cookie}");
    assert!(cookie.contains("path=/"));
    assert!(cookie.contains("secure"));
    assert!(!cookie.contains("httponly"));
    assert!(cookie.contains("samesite=lax"));
    assert!(cookie.contains("partitioned"));
    let response = client.get("https://www.example.com:8080/clear").send();
    let cookie = set_cookie(&response);
    assert!(cookie.starts_with("session=;"), "{cookie}");
    assert!(cookie.contains("domain=example.com"));
    assert!(cookie.contains("path=/"));
    assert!(cookie.contains("secure"));
    assert!(cookie.contains("samesite"));
    assert!(cookie.contains("partitioned"));
}

#[test]
fn session_same_site_attribute() {
    for (same_site, expected) in [
        (None, None),
        (Some(SameSite::Strict), Some("samesite=strict")),
        (Some(SameSite::Lax), Some("samesite=lax")),
    ] {
        let app = App::builder()
            .secret_key(SECRET)
            .session(SessionConfig::default().same_site(same_site))
            .route("/", set_testing)
            .build();
        let cookie = set_cookie(&Client::new(app).get("/").send());
        match expected {
            Some(attribute) => assert!(cookie.contains(attribute), "{cookie}"),
            None => assert!(!cookie.contains("samesite"), "{cookie}"),
        }
    }
}

#[test]
fn missing_secret_key() {
    fn write(request: &Request) -> String {
        let read = request.session().get::<String>("missing_key");
        let error = request.session().insert("foo", 42).unwrap_err();
        let pop = request.session().remove("foo").unwrap_err();
        assert!(matches!(pop, SessionError::NoSecretKey));
        format!("{read:?} {error}")
    }
    let response = Client::new(App::builder().route("/", write).build())
        .get("/")
        .send();
    let text = response.text();
    assert!(text.starts_with("None "), "{text}");
    assert!(text.contains("session is unavailable"), "{text}");
    assert!(response.header("set-cookie").is_none());
}

fn set_a(request: &Request) -> Result<&'static str, Error> {
    request.session().insert("a", 1)?;
    Ok("")
}

fn dump(request: &Request) -> Json<serde_json::Value> {
    let session = request.session();
    let map: serde_json::Map<String, serde_json::Value> = session
        .keys()
        .into_iter()
        .filter_map(|k| session.get_value(&k).map(|v| (k, v)))
        .collect();
    Json(serde_json::Value::Object(map))
}

fn keyed(secret: &str, fallbacks: &[&str]) -> App {
    App::builder()
        .secret_key(secret)
        .secret_key_fallbacks(fallbacks.iter().copied())
        .post("/", set_a)
        .get("/", dump)
        .build()
}

/// Sends one request to `app` with the cookie the client holds, and keeps
/// what the app sets: several apps behind one "load balancer".
fn through(app: App, client_cookie: &Mutex<Option<String>>, method: Method) -> String {
    let client = Client::new(app);
    if let Some(value) = client_cookie.lock().unwrap().as_ref() {
        client.set_cookie("session", value);
    }
    let response = client.request(method, "/").send();
    if let Some(cookie) = client.cookie("session") {
        *client_cookie.lock().unwrap() = Some(cookie.value().to_owned());
    }
    response.text()
}

#[test]
fn secret_key_fallbacks() {
    let jar = Mutex::new(None);
    through(keyed("0 key", &["-1 key", "-2 key"]), &jar, Method::POST);
    assert_eq!(
        through(keyed("0 key", &["-1 key", "-2 key"]), &jar, Method::GET),
        r#"{"a":1}"#
    );
    // Another key: the session cannot be read and is empty.
    assert_eq!(through(keyed("? key", &[]), &jar, Method::GET), "{}");
    // Rotated: the old key is a fallback, the session still reads.
    assert_eq!(
        through(keyed("+1 key", &["0 key", "-1 key"]), &jar, Method::GET),
        r#"{"a":1}"#
    );
    // A new cookie is written with the newest key only.
    through(keyed("+1 key", &["0 key"]), &jar, Method::POST);
    assert_eq!(
        through(keyed("+1 key", &[]), &jar, Method::GET),
        r#"{"a":1}"#
    );
    assert_eq!(through(keyed("0 key", &[]), &jar, Method::GET), "{}");
}

#[test]
fn two_instances_share_sessions() {
    let jar = Mutex::new(None);
    through(keyed(SECRET, &[]), &jar, Method::POST);
    // A different App value (another process, in production) with the key.
    assert_eq!(through(keyed(SECRET, &[]), &jar, Method::GET), r#"{"a":1}"#);
}

#[test]
fn session_expiration() {
    fn set(request: &Request) -> Result<&'static str, Error> {
        let permanent = request.args()?.get("permanent").is_some();
        request.session().insert("test", 42)?;
        request.session().set_permanent(permanent)?;
        Ok("")
    }
    fn test(request: &Request) -> String {
        request.session().is_permanent().to_string()
    }
    let client = Client::new(
        App::builder()
            .secret_key(SECRET)
            .route("/", set)
            .route("/test", test)
            .build(),
    );
    let response = client.get("/?permanent=1").send();
    let cookie = response.header("set-cookie").unwrap().to_owned();
    let expires = cookie
        .split("; ")
        .find_map(|part| part.strip_prefix("Expires="))
        .unwrap();
    let expires: HttpDate = expires.parse().unwrap();
    let expected = SystemTime::now() + Duration::from_secs(31 * 24 * 3600);
    let delta = SystemTime::from(expires)
        .duration_since(expected)
        .or_else(|e| Ok::<_, ()>(e.duration()))
        .unwrap();
    assert!(delta < Duration::from_secs(60), "{cookie}");
    assert_eq!(client.get("/test").send().text(), "true");
    let response = client.get("/").send();
    assert!(!response.header("set-cookie").unwrap().contains("Expires="));
}

#[test]
fn session_stored_last() {
    fn dump_foo(request: &Request) -> String {
        format!("{:?}", request.session().get::<i64>("foo"))
    }
    let app = App::builder()
        .secret_key(SECRET)
        .after_request(|request: &Request, response: Response| {
            request.session().insert("foo", 42).unwrap();
            response
        })
        .route("/", dump_foo)
        .build();
    let client = Client::new(app);
    assert_eq!(client.get("/").send().text(), "None");
    assert_eq!(client.get("/").send().text(), "Some(42)");
}

#[test]
fn session_values_are_json() {
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Cart {
        items: Vec<(u32, String)>,
        total: f64,
    }
    fn put(request: &Request) -> Result<&'static str, Error> {
        let cart = Cart {
            items: vec![(1, "<tea>".into()), (2, "naïve".into())],
            total: 9.5,
        };
        request.session().insert("cart", &cart)?;
        request.session().insert("t", (1, 2, 3))?;
        Ok("")
    }
    fn get(request: &Request) -> String {
        let cart: Cart = request.session().get("cart").unwrap();
        let tuple: (u8, u8, u8) = request.session().get("t").unwrap();
        format!("{} {} {:?}", cart.items[1].1, cart.total, tuple)
    }
    let client = Client::new(
        App::builder()
            .secret_key(SECRET)
            .post("/", put)
            .get("/", get)
            .build(),
    );
    client.post("/").send();
    assert_eq!(client.get("/").send().text(), "naïve 9.5 (1, 2, 3)");
}

#[test]
fn session_cookie_setting() {
    fn bump(request: &Request) -> Result<String, Error> {
        let permanent = request.args()?.get("permanent").is_some();
        let value = request.session().get::<i64>("foo").unwrap_or(0) + 1;
        request.session().insert("foo", value)?;
        request.session().set_permanent(permanent)?;
        Ok(value.to_string())
    }
    fn read(request: &Request) -> String {
        request.session().get::<i64>("foo").unwrap_or(0).to_string()
    }
    for (permanent, refresh, expect_header) in [
        (true, true, true),
        (true, false, false),
        (false, true, false),
        (false, false, false),
    ] {
        let app = App::builder()
            .secret_key(SECRET)
            .session(SessionConfig::default().refresh_each_request(refresh))
            .route("/bump", bump)
            .route("/read", read)
            .build();
        let client = Client::new(app);
        let bump_url = if permanent {
            "/bump?permanent=1"
        } else {
            "/bump"
        };
        assert_eq!(client.get(bump_url).send().text(), "1");
        assert_eq!(client.get(bump_url).send().text(), "2");
        assert_eq!(client.get(bump_url).send().text(), "3");
        let response = client.get("/read").send();
        assert_eq!(response.text(), "3");
        assert_eq!(
            response.header("set-cookie").is_some(),
            expect_header,
            "permanent {permanent} refresh {refresh}"
        );
    }
}

#[test]
fn session_vary_cookie() {
    fn set(request: &Request) -> Result<&'static str, Error> {
        request.session().insert("test", "test")?;
        Ok("")
    }
    fn get(request: &Request) -> String {
        request.session().get::<String>("test").unwrap_or_default()
    }
    fn clear(request: &Request) -> Result<&'static str, Error> {
        request.session().clear()?;
        Ok("")
    }
    fn vary_cookie_set(request: &Request) -> Result<Response, Error> {
        request.session().insert("test", "test")?;
        let mut response = Response::text("");
        response
            .headers_mut()
            .insert("vary", "Cookie".parse().unwrap());
        Ok(response)
    }
    fn vary_other(request: &Request) -> Result<Response, Error> {
        request.session().insert("test", "test")?;
        let mut response = Response::text("");
        response
            .headers_mut()
            .insert("vary", "Accept-Encoding, Accept-Language".parse().unwrap());
        Ok(response)
    }
    let client = Client::new(
        App::builder()
            .secret_key(SECRET)
            .route("/set", set)
            .route("/get", get)
            .route("/clear", clear)
            .route("/vary-cookie-header-set", vary_cookie_set)
            .route("/vary-header-set", vary_other)
            .route("/no-vary-header", nothing)
            .build(),
    );
    for path in ["/set", "/get", "/clear", "/vary-cookie-header-set"] {
        assert_eq!(vary(&client.get(path).send()), ["Cookie"], "{path}");
    }
    assert_eq!(
        vary(&client.get("/vary-header-set").send()),
        ["Accept-Encoding, Accept-Language", "Cookie"]
    );
    assert!(vary(&client.get("/no-vary-header").send()).is_empty());
}

#[test]
fn permanent_sessions_refresh_and_vary() {
    fn login(request: &Request) -> Result<&'static str, Error> {
        request.session().insert("user_id", 1)?;
        request.session().set_permanent(true)?;
        Ok("")
    }
    let client = Client::new(
        App::builder()
            .secret_key(SECRET)
            .route("/login", login)
            .route("/ignored", nothing)
            .build(),
    );
    assert_eq!(vary(&client.get("/login").send()), ["Cookie"]);
    assert_eq!(vary(&client.get("/ignored").send()), ["Cookie"]);
}

#[test]
fn tampered_cookies_are_an_empty_session() {
    // The corpus case `session-tampered.http` (expect: `200 anonymous`,
    // never `admin`), replayed raw.
    fn session(request: &Request) -> String {
        match request.session().get::<String>("user") {
            Some(user) => format!("user={user}"),
            None => "anonymous".into(),
        }
    }
    let client = Client::new(
        App::builder()
            .secret_key(SECRET)
            .route("/session", session)
            .build(),
    );
    let raw = b"GET /session HTTP/1.1\r\nHost: localhost\r\nCookie: session=eyJ1c2VyIjoiYWRtaW4ifQ.ZmFrZQ.AAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n\r\n";
    let response = client.raw(raw).unwrap();
    assert_eq!(
        (response.status(), response.text()),
        (StatusCode::OK, "anonymous".into())
    );

    // A real cookie with one byte changed.
    fn login(request: &Request) -> Result<&'static str, Error> {
        request.session().insert("user", "admin")?;
        Ok("")
    }
    let app = App::builder()
        .secret_key(SECRET)
        .route("/session", session)
        .route("/login", login)
        .build();
    let client = Client::new(app);
    client.get("/login").send();
    let value = client.cookie("session").unwrap().value().to_owned();
    assert_eq!(client.get("/session").send().text(), "user=admin");
    let mut bytes = value.into_bytes();
    let middle = bytes.len() / 2;
    bytes[middle] = if bytes[middle] == b'A' { b'B' } else { b'A' };
    client.set_cookie("session", std::str::from_utf8(&bytes).unwrap());
    assert_eq!(client.get("/session").send().text(), "anonymous");
}

#[test]
fn the_session_is_encrypted() {
    fn login(request: &Request) -> Result<&'static str, Error> {
        request.session().insert("user", "admin-secret-name")?;
        Ok("")
    }
    let client = Client::new(App::builder().secret_key(SECRET).route("/", login).build());
    let response = client.get("/").send();
    let cookie = response.header("set-cookie").unwrap();
    assert!(!cookie.contains("admin"), "{cookie}");
    let value = client.cookie("session").unwrap().value().to_owned();
    assert!(!value.contains("admin-secret-name"));
}

#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_warning_above_4kb() {
    fn big(request: &Request) -> Result<&'static str, Error> {
        request.session().insert("blob", "x".repeat(5000))?;
        Ok("")
    }
    fn small(request: &Request) -> Result<&'static str, Error> {
        request.session().insert("blob", "x")?;
        Ok("")
    }
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let client = Client::new(
        App::builder()
            .secret_key(SECRET)
            .route("/big", big)
            .route("/small", small)
            .build(),
    );
    tracing::subscriber::with_default(subscriber, || {
        client.get("/small").send();
        assert!(logs.0.lock().unwrap().is_empty());
        let response = client.get("/big").send();
        assert!(response.header("set-cookie").unwrap().len() > 4093);
    });
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("WARN"), "{text}");
    assert!(text.contains("more than browsers keep (4093)"), "{text}");
}

#[test]
fn flashes() {
    fn flash(request: &Request) -> Result<&'static str, Error> {
        request.flash("Hello World")?;
        request.flash_category("error", "Hello World")?;
        request.flash_category("warning", "<em>Testing</em>")?;
        Ok("")
    }
    fn show(request: &Request) -> String {
        let first = request.flashed_messages();
        // The same for the rest of the request.
        assert_eq!(first, request.flashed_messages());
        first
            .iter()
            .map(|f| format!("{}:{}", f.category, f.message))
            .collect::<Vec<_>>()
            .join("|")
    }
    let client = Client::new(
        App::builder()
            .secret_key(SECRET)
            .route("/", flash)
            .route("/show", show)
            .build(),
    );
    client.get("/").send();
    assert_eq!(
        client.get("/show").send().text(),
        "message:Hello World|error:Hello World|warning:<em>Testing</em>"
    );
    assert_eq!(client.get("/show").send().text(), "");
}
