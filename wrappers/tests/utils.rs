//! Redirects and path joining (Werkzeug test_utils.py, test_security.py).

use std::io::Read;
use std::path::Path;

use carafe_wrappers::{
    Dotfiles, RedirectError, Response, ResponseBody, UnsafePath, is_safe_redirect, safe_join,
    safe_join_with,
};
use http::StatusCode;

fn text(response: Response) -> String {
    match response.into_parts().1 {
        ResponseBody::Bytes(bytes) => String::from_utf8(bytes.to_vec()).unwrap(),
        ResponseBody::Reader { mut reader, .. } => {
            let mut out = String::new();
            reader.read_to_string(&mut out).unwrap();
            out
        }
        other => panic!("unexpected body {other:?}"),
    }
}

// Werkzeug test_redirect
#[test]
fn redirect() {
    for (url, status, expected) in [
        ("http://example.com", None, "http://example.com"),
        (
            "/füübär",
            Some(StatusCode::MOVED_PERMANENTLY),
            "/f%C3%BC%C3%BCb%C3%A4r",
        ),
        (
            "http://☃.example.com/",
            Some(StatusCode::TEMPORARY_REDIRECT),
            "http://xn--n3h.example.com/",
        ),
        ("itms-services://?url=abc", None, "itms-services://?url=abc"),
    ] {
        let response = match status {
            None => Response::redirect(url).unwrap(),
            Some(status) => Response::redirect_with_status(url, status).unwrap(),
        };
        assert_eq!(response.status(), status.unwrap_or(StatusCode::SEE_OTHER));
        assert_eq!(response.headers()["location"], expected);
        assert_eq!(
            response.headers()["content-type"],
            "text/html; charset=utf-8"
        );
        assert_eq!(text(response).matches(url).count(), 2, "{url}");
    }
}

#[test]
fn redirect_statuses() {
    for code in [301, 302, 303, 307, 308] {
        let status = StatusCode::from_u16(code).unwrap();
        assert_eq!(
            Response::redirect_with_status("/", status)
                .unwrap()
                .status(),
            status
        );
    }
    for code in [200, 300, 304, 305, 404] {
        let status = StatusCode::from_u16(code).unwrap();
        assert_eq!(
            Response::redirect_with_status("/", status).unwrap_err(),
            RedirectError::NotARedirect { status }
        );
    }
}

// Werkzeug test_redirect_xss
#[test]
fn redirect_pages_escape_the_target() {
    let page =
        text(Response::redirect(r#"http://example.com/?xss="><script>alert(1)</script>"#).unwrap());
    assert!(!page.contains("<script>alert(1)</script>"));
    let page =
        text(Response::redirect(r#"http://example.com/?xss="onmouseover="alert(1)"#).unwrap());
    assert!(!page.contains(r#"href="http://example.com/?xss="onmouseover="alert(1)""#));
}

#[test]
fn control_characters_never_reach_location() {
    for target in [
        "/x\r\nSet-Cookie: injected=1",
        "/x\nLocation: //evil",
        "/\0",
        "/a\tb",
        "/\u{7f}",
    ] {
        let error = Response::redirect(target).unwrap_err();
        assert!(
            matches!(error, RedirectError::ControlCharacter { .. }),
            "{target:?}"
        );
        assert_eq!(error.status(), 400);
    }
}

// Werkzeug test_location_header_autocorrect (the backslash case)
#[test]
fn backslashes_are_encoded() {
    let response = Response::redirect(r"/\\test.example?q").unwrap();
    assert_eq!(response.headers()["location"], "/%5C%5Ctest.example?q");
}

#[test]
fn safe_redirect_targets() {
    for safe in [
        "/",
        "/account",
        "/a/b?next=%2F%2Fx#frag",
        "profile",
        "?page=2",
        "#top",
        "/path:with:colons",
    ] {
        assert!(is_safe_redirect(safe), "{safe:?}");
    }
    for unsafe_target in [
        "",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "http://evil.example",
        "HTTPS://evil.example",
        "javascript:alert(1)",
        "data:text/html,x",
        " /x",
        "\t//evil.example",
        "/x ",
        "/x\r\nSet-Cookie: a=b",
        "/%0d%0a\r",
    ] {
        assert!(!is_safe_redirect(unsafe_target), "{unsafe_target:?}");
    }
}

// Werkzeug test_safe_join
#[test]
fn safe_join_cases() {
    assert_eq!(safe_join("a", "b/c").unwrap(), Path::new("a/b/c"));
    assert_eq!(safe_join("a", "../b/c"), Err(UnsafePath::ParentSegment));
    assert_eq!(safe_join("a", "//b/c"), Err(UnsafePath::Absolute));
    assert_eq!(safe_join("a", "b\\c"), Err(UnsafePath::Backslash));
    assert_eq!(
        safe_join("a", "b/CON"),
        Err(UnsafePath::DeviceName {
            segment: "CON".to_owned()
        })
    );
    assert_eq!(
        safe_join("static", "css/.hidden.css"),
        Err(UnsafePath::Dotfile {
            segment: ".hidden.css".to_owned()
        })
    );
    assert_eq!(
        safe_join_with("static", "css/.hidden.css", Dotfiles::Allow).unwrap(),
        Path::new("static/css/.hidden.css")
    );
    assert_eq!(
        safe_join_with("static", "../x", Dotfiles::Allow),
        Err(UnsafePath::ParentSegment)
    );
}

// Werkzeug test_safe_join_empty_trusted
#[test]
fn safe_join_with_an_empty_directory_stays_relative() {
    assert_eq!(safe_join("", "x.txt").unwrap(), Path::new("./x.txt"));
    assert_eq!(safe_join("", "/etc/passwd"), Err(UnsafePath::Absolute));
}
