//! Static files from a folder: validators, conditional and range requests,
//! edits seen at once.

use crate::support::{Process, get, get_with, temp_dir};

#[test]
fn static_files_with_conditional_requests_and_edits() {
    let dir = temp_dir();
    std::fs::write(dir.path().join("hello.txt"), "hello-static").unwrap();
    std::fs::write(dir.path().join(".hidden"), "DOTFILE_CANARY").unwrap();
    let static_dir = dir.path().to_str().unwrap();
    let server = Process::testapp(&[], &[("TESTAPP_STATIC", static_dir)]);

    let first = get(server.address, "/static/hello.txt").unwrap();
    assert_eq!((first.status, first.text().as_str()), (200, "hello-static"));
    assert_eq!(
        first.header("content-type").as_deref(),
        Some("text/plain; charset=utf-8")
    );
    let etag = first.header("etag").expect("an ETag");
    assert!(first.header("last-modified").is_some());

    let cached = get_with(
        server.address,
        "/static/hello.txt",
        &format!("If-None-Match: {etag}\r\n"),
    )
    .unwrap();
    assert_eq!(cached.status, 304);
    let range = get_with(server.address, "/static/hello.txt", "Range: bytes=6-11\r\n").unwrap();
    assert_eq!((range.status, range.text().as_str()), (206, "static"));

    // Edited on disk: the next request sees it, no restart.
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(dir.path().join("hello.txt"), "hello-edited!").unwrap();
    let edited = get_with(
        server.address,
        "/static/hello.txt",
        &format!("If-None-Match: {etag}\r\n"),
    )
    .unwrap();
    assert_eq!(
        (edited.status, edited.text().as_str()),
        (200, "hello-edited!")
    );
    assert_ne!(edited.header("etag"), Some(etag));

    assert_eq!(get(server.address, "/static/.hidden").unwrap().status, 404);
    assert_eq!(
        get(server.address, "/static/../hello.txt").unwrap().status,
        404
    );
    assert_eq!(
        get(server.address, "/static/missing.txt").unwrap().status,
        404
    );
}
