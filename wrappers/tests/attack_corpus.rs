//! The `static-*`, `redirect-*` and `inject-*` cases of the project's attack
//! corpus (`shared/attack-corpus`, README §4.8 and §4.9), replayed against a
//! small app built the way the corpus app is: `send_from_directory` for
//! `/static/<path>`, `is_safe_redirect` for `/go?next=`, `set_cookie` for
//! `/setcookie?v=`. Each test names its corpus file; the request targets are
//! copied from those files, and the expectations from `expect.tsv`.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use carafe_wrappers::{
    HttpError, Request, Response, ResponseBody, SetCookie, is_safe_redirect, send_from_directory,
};
use http::{HeaderValue, Method};
use percent_encoding::percent_decode_str;

/// The files of `replay.py --make-fixtures`.
fn fixtures() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let static_dir = dir.path().join("static");
    fs::create_dir_all(static_dir.join("sub")).unwrap();
    fs::write(static_dir.join("hello.txt"), "hello-static").unwrap();
    fs::write(static_dir.join(".hidden"), "DOTFILE_CANARY").unwrap();
    fs::write(static_dir.join("sub/index.html"), "<p>sub</p>").unwrap();
    fs::write(dir.path().join("secret.txt"), "TOPSECRET_CANARY").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("../secret.txt", static_dir.join("escape")).unwrap();
    (dir, static_dir)
}

/// A query parameter, decoded as a form field (`+` is a space).
fn param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == name).then(|| {
            percent_decode_str(&value.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

/// The corpus app's routes that this crate's utilities serve.
fn app(static_dir: &Path, request: &Request) -> Response {
    let path = request.path_info();
    let query = request.query_string();
    if let Some(rest) = path.strip_prefix("/static/") {
        // As a router's `<path:...>` converter: percent-decoded once.
        let decoded = percent_decode_str(rest).decode_utf8_lossy();
        return send_from_directory(static_dir, &decoded, request)
            .unwrap_or_else(|error| error.into_response_for(request));
    }
    match path {
        "/go" => {
            let next = param(query, "next").unwrap_or_default();
            let target = if is_safe_redirect(&next) {
                next.as_str()
            } else {
                "/"
            };
            Response::redirect(target)
                .unwrap_or_else(|error| HttpError::new(error.status()).into_page())
        }
        "/setcookie" => {
            let value = param(query, "v").unwrap_or_default();
            let mut response = Response::text("set");
            match response.set_cookie(SetCookie::new("c", value)) {
                Ok(()) => response,
                Err(_) => HttpError::bad_request().into_page(),
            }
        }
        _ => HttpError::not_found().into_page(),
    }
}

/// The response as it goes on the wire (status line, headers, body), after
/// the finishing a server does.
fn wire(mut response: Response, method: &Method) -> (u16, String) {
    response.prepare_for(method);
    let status = response.status().as_u16();
    let mut text = format!("HTTP/1.1 {status}\r\n");
    for (name, value) in response.headers() {
        text.push_str(&format!(
            "{name}: {}\r\n",
            String::from_utf8_lossy(value.as_bytes())
        ));
    }
    text.push_str("\r\n");
    match response.into_parts().1 {
        ResponseBody::Bytes(bytes) => text.push_str(&String::from_utf8_lossy(&bytes)),
        ResponseBody::Reader { mut reader, .. } => {
            let mut body = Vec::new();
            reader.read_to_end(&mut body).unwrap();
            text.push_str(&String::from_utf8_lossy(&body));
        }
        _ => {}
    }
    (status, text)
}

/// Replays `target` (with extra headers) and checks the accepted statuses
/// and the forbidden strings (case-insensitive, as `replay.py` checks them).
fn replay(
    file: &str,
    target: &str,
    headers: &[(&'static str, &str)],
    accept: &[u16],
    forbid: &[&str],
) -> String {
    let (_dir, static_dir) = fixtures();
    let mut request = Request::get(target);
    for (name, value) in headers {
        request
            .headers_mut()
            .insert(*name, HeaderValue::from_str(value).unwrap());
    }
    let (status, text) = wire(app(&static_dir, &request), &Method::GET);
    assert!(
        accept.contains(&status),
        "{file}: status {status}, expected {accept:?}\n{text}"
    );
    let lower = text.to_lowercase();
    for canary in [
        "SMUGGLED_CANARY",
        "TOPSECRET_CANARY",
        "DOTFILE_CANARY",
        "root:x:0:0",
    ]
    .iter()
    .chain(forbid)
    {
        assert!(
            !lower.contains(&canary.to_lowercase()),
            "{file}: {canary:?} in\n{text}"
        );
    }
    text
}

#[test]
fn static_controls_are_served() {
    let text = replay("(control)", "/static/hello.txt", &[], &[200], &[]);
    assert!(text.ends_with("hello-static"));
    replay("(control)", "/static/sub/index.html", &[], &[200], &[]);
}

#[test]
fn static_dotdot() {
    replay(
        "static-dotdot.http",
        "/static/../secret.txt",
        &[],
        &[404, 400],
        &[],
    );
}

#[test]
fn static_dotdot_pct() {
    replay(
        "static-dotdot-pct.http",
        "/static/%2e%2e/secret.txt",
        &[],
        &[404, 400],
        &[],
    );
    // Double encoding: one decode leaves "%2e%2e", which is refused too.
    replay(
        "(double-encoded)",
        "/static/%252e%252e/secret.txt",
        &[],
        &[404, 400],
        &[],
    );
}

#[test]
fn static_dotdot_pct_slash() {
    replay(
        "static-dotdot-pct-slash.http",
        "/static/..%2fsecret.txt",
        &[],
        &[404, 400],
        &[],
    );
}

#[test]
fn static_backslash_pct() {
    replay(
        "static-backslash-pct.http",
        "/static/..%5csecret.txt",
        &[],
        &[404, 400],
        &[],
    );
}

#[test]
fn static_double_slash_abs() {
    replay(
        "static-double-slash-abs.http",
        "/static//etc/passwd",
        &[],
        &[404],
        &["\r\nlocation: //"],
    );
}

#[test]
fn static_nul() {
    replay(
        "static-nul.http",
        "/static/hello.txt%00.png",
        &[],
        &[400, 404],
        &["hello-static"],
    );
}

#[test]
fn static_dotfile() {
    replay("static-dotfile.http", "/static/.hidden", &[], &[404], &[]);
}

#[cfg(unix)]
#[test]
fn static_symlink_escape() {
    replay(
        "static-symlink-escape.http",
        "/static/escape",
        &[],
        &[404, 403],
        &[],
    );
}

#[test]
fn static_range_1000() {
    let ranges = vec!["0-0,0-1,0-2,0-3,0-4"; 200].join(",");
    let text = replay(
        "static-range-1000.http",
        "/static/hello.txt",
        &[("range", &format!("bytes={ranges}"))],
        &[416, 200],
        &["multipart/byteranges"],
    );
    assert!(
        text.len() < 2048,
        "a small answer, not a huge multipart: {} bytes",
        text.len()
    );
}

#[test]
fn redirect_double_slash() {
    // The target `//evil.example` must never become a scheme-relative Location.
    assert!(!is_safe_redirect("//evil.example"));
    replay(
        "redirect-double-slash.http",
        "/go?next=//evil.example",
        &[],
        &[303],
        &["\r\nlocation: //", "\r\nlocation: /\\"],
    );
}

#[test]
fn redirect_next_scheme_relative() {
    let text = replay(
        "redirect-next-scheme-relative.http",
        "/go?next=//evil.example/x",
        &[],
        &[303, 400],
        &["\r\nlocation: //"],
    );
    assert!(text.contains("\r\nlocation: /\r\n"), "{text}");
}

#[test]
fn inject_crlf_location() {
    let text = replay(
        "inject-crlf-location.http",
        "/go?next=/x%0d%0aSet-Cookie:%20injected=1",
        &[],
        &[400, 303],
        &["\r\nset-cookie: injected"],
    );
    assert!(text.contains("\r\nlocation: /\r\n"), "{text}");
    // Redirecting to the raw value is refused outright.
    assert!(Response::redirect("/x\r\nSet-Cookie: injected=1").is_err());
}

#[test]
fn inject_crlf_set_cookie() {
    let text = replay(
        "inject-crlf-set-cookie.http",
        "/setcookie?v=a%0d%0aX-Injected:%201",
        &[],
        &[200, 400],
        &["\r\nx-injected:"],
    );
    assert!(
        text.contains(r#"set-cookie: c="a\015\012X-Injected: 1"; HttpOnly; Path=/; SameSite=Lax"#),
        "{text}"
    );
}

#[test]
fn inject_cookie_attr() {
    let text = replay(
        "inject-cookie-attr.http",
        "/setcookie?v=a;%20Domain=evil.example;%20Path=/",
        &[],
        &[200, 400],
        &["; domain=evil.example"],
    );
    assert!(
        text.contains(r#"set-cookie: c="a\073 Domain=evil.example\073 Path=/"; HttpOnly"#),
        "{text}"
    );
}
