//! The test client: builders, the cookie jar across requests, redirects, raw
//! mode.

use carafe_wrappers::test::{Client, FileUpload, RequestBuilder};
use carafe_wrappers::{Request, Response};
use http::StatusCode;
use http::header::{LOCATION, SET_COOKIE};

/// Sets the cookies named in `?set=` (Set-Cookie values, `|`-separated) and
/// answers with the cookies it received.
fn cookie_app(request: Request) -> Response {
    let received: Vec<String> = request
        .cookies()
        .unwrap()
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    let mut response = Response::text(received.join("; "));
    if let Some(set) = request.args().unwrap().get("set") {
        for cookie in set.split('|') {
            response
                .headers_mut()
                .append(SET_COOKIE, cookie.parse().unwrap());
        }
    }
    response
}

#[test]
fn the_jar_keeps_cookies_across_requests() {
    let client = Client::new(cookie_app);
    client
        .get("/")
        .query("set", "a=1; Path=/|b=2; Path=/admin|c=3; Max-Age=0")
        .send();
    assert_eq!(client.get("/").send().text(), "a=1");
    assert_eq!(client.get("/admin/users").send().text(), "b=2; a=1");
    assert_eq!(client.get("/administrator").send().text(), "a=1");

    // Deleting a cookie with Max-Age=0 and an expired Expires.
    client.get("/").query("set", "a=; Path=/; Max-Age=0").send();
    assert_eq!(client.get("/admin").send().text(), "b=2");
    client
        .get("/admin/x")
        .query(
            "set",
            "b=; Path=/admin; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
        )
        .send();
    assert_eq!(client.get("/admin").send().text(), "");
}

#[test]
fn the_jar_follows_domains_and_schemes() {
    let client = Client::new(cookie_app);
    client
        .get("http://www.example.com/")
        .query(
            "set",
            "host=1|wide=2; Domain=example.com|secure=3; Secure|other=4; Domain=example.org",
        )
        .send();
    assert_eq!(
        client.get("http://www.example.com/").send().text(),
        "host=1; wide=2"
    );
    assert_eq!(
        client.get("http://api.example.com/").send().text(),
        "wide=2"
    );
    assert_eq!(client.get("http://example.org/").send().text(), "");

    client
        .get("https://www.example.com/")
        .query("set", "secure=3; Secure")
        .send();
    assert_eq!(
        client.get("https://www.example.com/").send().text(),
        "host=1; wide=2; secure=3"
    );
    assert_eq!(
        client.get("http://www.example.com/").send().text(),
        "host=1; wide=2"
    );
}

#[test]
fn cookies_can_be_set_and_read_on_the_client() {
    let client = Client::new(cookie_app);
    client.set_cookie("token", "abc");
    assert_eq!(client.get("/").send().text(), "token=abc");
    assert_eq!(client.cookie("token").unwrap().value(), "abc");
    client.delete_cookie("token");
    assert_eq!(client.get("/").send().text(), "");
    assert_eq!(client.get("/").cookie("once", "1").send().text(), "once=1");
    assert!(
        client.cookie("once").is_none(),
        "a builder cookie is not stored"
    );
}

fn login_app(request: Request) -> Response {
    match (request.method().as_str(), request.path_info()) {
        ("POST", "/login") => {
            let user = request
                .form()
                .unwrap()
                .get("user")
                .cloned()
                .unwrap_or_default();
            let mut response = Response::empty(StatusCode::SEE_OTHER);
            response
                .headers_mut()
                .insert(LOCATION, "dashboard?welcome=1".parse().unwrap());
            response.headers_mut().insert(
                SET_COOKIE,
                format!("user={user}; Path=/; HttpOnly").parse().unwrap(),
            );
            response
        }
        ("GET", "/dashboard") => {
            let user = request
                .cookies()
                .unwrap()
                .get("user")
                .cloned()
                .unwrap_or_default();
            let welcome = request.args().unwrap().contains_key("welcome");
            Response::text(format!("dashboard of {user}, welcome={welcome}"))
        }
        _ => Response::empty(StatusCode::NOT_FOUND),
    }
}

#[test]
fn follow_redirects_with_cookies_set_on_the_way() {
    let client = Client::new(login_app);
    let response = client
        .post("/login")
        .form([("user", "ada")])
        .follow_redirects(true)
        .send();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text(), "dashboard of ada, welcome=true");
    assert_eq!(
        response.history(),
        [(StatusCode::SEE_OTHER, "dashboard?welcome=1".to_owned())]
    );

    let response = client.post("/login").form([("user", "bob")]).send();
    assert_eq!(response.status(), 303);
    assert!(response.history().is_empty());
}

#[test]
fn builders_for_every_kind_of_body() {
    let echo = Client::new(|request: Request| {
        let form = request.form().unwrap().clone();
        let files = request.files().unwrap().clone();
        let summary = format!(
            "{} {} form={:?} files={:?} data={:?}",
            request.method(),
            request.mimetype(),
            form.iter().collect::<Vec<_>>(),
            files
                .iter()
                .map(|(k, f)| (k.to_owned(), f.filename().to_owned(), f.size()))
                .collect::<Vec<_>>(),
            String::from_utf8_lossy(&request.get_data().unwrap()),
        );
        Response::text(summary)
    });
    assert_eq!(
        echo.post("/").form([("a", "1")]).send().text(),
        "POST application/x-www-form-urlencoded form=[(\"a\", \"1\")] files=[] data=\"\""
    );
    assert_eq!(
        echo.put("/")
            .form([("a", "1")])
            .file("f", FileUpload::new("x.txt", "hello"))
            .send()
            .text(),
        "PUT multipart/form-data form=[(\"a\", \"1\")] files=[(\"f\", \"x.txt\", 5)] data=\"\""
    );
    assert_eq!(
        echo.patch("/")
            .json(&serde_json::json!({"k": [1]}))
            .send()
            .text(),
        "PATCH application/json form=[] files=[] data=\"{\\\"k\\\":[1]}\""
    );
    assert_eq!(
        echo.delete("/")
            .body("raw")
            .content_type("text/plain")
            .send()
            .text(),
        "DELETE text/plain form=[] files=[] data=\"raw\""
    );
}

#[test]
fn headers_mount_point_and_address_reach_the_application() {
    let client = Client::new(|request: Request| {
        Response::text(format!(
            "{} {} {} {:?} {}",
            request.root_url(),
            request.path(),
            request.headers()["x-token"].to_str().unwrap(),
            request.remote_addr(),
            request.url(),
        ))
    });
    let response = client
        .get("/app/page")
        .script_root("/app")
        .header("x-token", "t")
        .remote_addr("192.0.2.1:1234".parse().unwrap())
        .send();
    assert_eq!(
        response.text(),
        "http://localhost/app/ /page t Some(192.0.2.1:1234) http://localhost/app/page"
    );
}

#[test]
fn raw_mode_replays_chunked_requests() {
    let client = Client::new(|request: Request| {
        Response::text(format!(
            "{:?}",
            request.form().unwrap().iter().collect::<Vec<_>>()
        ))
    });
    let raw = b"POST /f HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
        Transfer-Encoding: chunked\r\n\r\n5\r\na=1&b\r\n2\r\n=2\r\n0\r\n\r\n";
    assert_eq!(
        client.raw(raw).unwrap().text(),
        "[(\"a\", \"1\"), (\"b\", \"2\")]"
    );
    let error = client
        .raw(b"POST /f HTTP/1.1\r\nContent-Length: 5\r\n\r\nab")
        .unwrap_err();
    assert_eq!(error.to_string(), "the body has 2 of 5 bytes");
}

#[test]
fn a_request_built_alone_is_the_same_request() {
    let request = RequestBuilder::post("https://example.com/x?q=1")
        .form([("a", "b")])
        .build();
    assert_eq!(request.scheme().as_str(), "https");
    assert_eq!(request.host(), "example.com");
    assert_eq!(request.headers()["host"], "example.com");
    assert_eq!(request.headers()["content-length"], "3");
    assert_eq!(request.form().unwrap().get("a").unwrap(), "b");
}

#[test]
fn responses_are_finished_as_a_server_finishes_them() {
    let client = Client::new(|_: Request| Response::text("hello"));
    let head = client.request(http::Method::HEAD, "/").send();
    assert_eq!(head.status(), StatusCode::OK);
    assert!(head.body().is_empty(), "HEAD has no body");
    assert_eq!(
        head.headers()["content-length"],
        "5",
        "but keeps the length"
    );

    let get = client.request(http::Method::GET, "/").send();
    assert_eq!(get.text(), "hello");
    assert_eq!(get.headers()["content-length"], "5");

    let no_content =
        Client::new(|_: Request| Response::text("dropped").with_status(StatusCode::NO_CONTENT));
    let response = no_content.request(http::Method::GET, "/").send();
    assert!(response.body().is_empty());
    assert!(response.headers().get("content-length").is_none());
}
