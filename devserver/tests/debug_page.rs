//! Panics: the debug page for loopback clients, and the server goes on.

use crate::support::{Process, get, post};

#[test]
fn a_panic_shows_the_debug_page_and_the_server_goes_on() {
    let server = Process::testapp(&[], &[]);
    let page = post(
        server.address,
        "/panic?next=/home",
        "application/x-www-form-urlencoded",
        b"user=ada&password=hunter2&remember=on",
    )
    .unwrap();
    assert_eq!(page.status, 500);
    assert_eq!(page.header("connection").as_deref(), Some("close"));
    let html = page.text();
    assert!(html.contains("<h1>Panic in a handler</h1>"), "{html}");
    assert!(html.contains("the /panic route panics"));
    assert!(
        html.contains("tests/support/testapp.rs:"),
        "the panic's location"
    );
    // The handler's frame is the application's: highlighted, with its source.
    let user_frame = html
        .split("<div class=\"frame user\">")
        .nth(1)
        .expect("a highlighted frame");
    assert!(
        user_frame.contains("carafe_devserver_testapp::route"),
        "{user_frame}"
    );
    assert!(
        user_frame.contains("<span class=\"current\">")
            && user_frame.contains("panic!(&#34;the /panic route panics&#34;);"),
        "source lines around the frame: {user_frame}"
    );
    // The request: method, URL, headers, query and form keys, no values.
    assert!(html.contains("<code>POST</code>"));
    assert!(html.contains("http://localhost/panic?next=/home"));
    assert!(html.contains("<code>content-type</code>"));
    assert!(html.contains("<tr><th>Query keys</th><td><code>next</code></td></tr>"));
    assert!(
        html.contains("<tr><th>Form keys</th><td><code>user, password, remember</code></td></tr>")
    );
    assert!(!html.contains("hunter2"), "form values are not shown");
    assert!(!html.contains("<script"), "nothing runs");

    assert_eq!(get(server.address, "/").unwrap().text(), "ok");
    let log = server.wait_log(
        "\"POST /panic?next=/home HTTP/1.1\" 500",
        1,
        std::time::Duration::from_secs(5),
    );
    assert!(
        log.contains("panicked at"),
        "the terminal shows the panic: {log}"
    );
}
