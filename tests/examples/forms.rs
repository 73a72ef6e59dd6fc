//! `examples/forms`: a typed, validated contact form shown again with its
//! errors; uploads with safe names, an allow-list, no overwriting, a size
//! limit, and the files served back.

#[path = "../../examples/forms/app/mod.rs"]
#[allow(dead_code)]
mod app;

use carafe::config::{Config, Mode};
use carafe::prelude::*;
use carafe::wrappers::test::{Client, FileUpload};

/// The app in testing mode with its uploads in a fresh folder.
fn client() -> (Client<App>, tempfile::TempDir) {
    let uploads = tempfile::tempdir().unwrap();
    let config: Config<app::FormsSettings> = Config::loader()
        .dir(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/forms/config"
        ))
        .mode(Mode::Testing)
        .env([(
            "CARAFE_APP__UPLOAD_FOLDER",
            uploads.path().to_str().unwrap(),
        )])
        .load()
        .unwrap();
    (Client::new(app::build_app(&config).unwrap()), uploads)
}

const VALID: [(&str, &str); 5] = [
    ("name", "Ada Lovelace"),
    ("email", "ada@example.com"),
    ("topic", "bug"),
    ("message", "The engine skips a step."),
    ("newsletter", "on"),
];

#[test]
fn the_form_shows_its_fields() {
    let (client, _uploads) = client();
    let response = client.get("/").send();
    assert_eq!(
        (response.status(), response.header("location")),
        (StatusCode::FOUND, Some("/contact"))
    );
    let page = client.get("/contact").send().text();
    assert!(
        page.contains(r#"<form method="post" action="/contact">"#),
        "{page}"
    );
    assert!(
        page.contains(r#"<option value="question" selected>Question</option>"#),
        "{page}"
    );
    assert!(!page.contains("class=\"error\""), "{page}");
}

#[test]
fn a_valid_post_is_kept_flashed_and_redirected() {
    let (client, _uploads) = client();
    let response = client.post("/contact").form(VALID).send();
    assert_eq!(response.status(), 303);
    assert_eq!(response.header("location"), Some("/contact"));
    let page = client.get("/contact").send().text();
    assert!(
        page.contains(r#"<p class="flash success">Thanks, Ada Lovelace! We will answer soon.</p>"#),
        "{page}"
    );
    let inbox = client.get("/messages").send().text();
    assert!(inbox.contains("<h1>1 message</h1>"), "{inbox}");
    assert!(
        inbox.contains("Bug from Ada Lovelace &lt;ada@example.com&gt; (newsletter)"),
        "{inbox}"
    );
}

#[test]
fn an_invalid_post_is_shown_again_with_its_values_and_errors() {
    let (client, _uploads) = client();
    let response = client
        .post("/contact")
        .form([
            ("name", "<b>Bob</b>"),
            ("email", "bob@localhost"),
            ("topic", "spam"),
            ("message", "hi"),
        ])
        .send();
    assert_eq!(response.status(), 422);
    let page = response.text();
    assert!(
        page.contains("Please correct the 3 fields below."),
        "{page}"
    );
    // What was typed comes back, escaped.
    assert!(
        page.contains(r#"<input name="name" value="&lt;b&gt;Bob&lt;/b&gt;">"#),
        "{page}"
    );
    assert!(page.contains(r#"value="bob@localhost""#), "{page}");
    assert!(
        page.contains(r#"<textarea name="message">hi</textarea>"#),
        "{page}"
    );
    assert!(
        page.contains(r#"id="email-error">This does not look like an email address.<"#),
        "{page}"
    );
    assert!(
        page.contains(r#"id="topic-error">Choose a topic from the list.<"#),
        "{page}"
    );
    assert!(
        page.contains(r#"id="message-error">Between 10 and 2000 characters, please.<"#),
        "{page}"
    );
    assert!(!page.contains("name-error"), "the name is fine: {page}");
    assert!(!page.contains(" checked"), "the box stays unticked: {page}");

    // Fields left out are messages too; nothing was kept.
    let response = client.post("/contact").form([("name", "Eve")]).send();
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .contains("Please correct the 3 fields below."),
        "{}",
        response.text()
    );
    assert!(
        client
            .get("/messages")
            .send()
            .text()
            .contains("<h1>0 messages</h1>")
    );
    // A body of another type is an empty form; a malformed form is a 400.
    let response = client
        .post("/contact")
        .json(&serde_json::json!({"name": "x"}))
        .send();
    assert_eq!(response.status(), 422);
    let response = client
        .post("/contact")
        .content_type("multipart/form-data")
        .body("x")
        .send();
    assert_eq!(response.status(), 400);
}

#[test]
fn uploads_are_saved_under_safe_names_without_overwriting() {
    let (client, uploads) = client();
    let response = client
        .post("/upload")
        .form([("title", "Holidays")])
        .file(
            "photos",
            FileUpload::new("../../beach photo.JPG", &b"\xff\xd8\xffjpeg"[..]),
        )
        .file("photos", FileUpload::new("notes.txt", &b"sunny"[..]))
        .send();
    assert_eq!(response.status(), 303, "{}", response.text());
    let again = client
        .post("/upload")
        .file("photos", FileUpload::new("notes.txt", &b"rainy"[..]))
        .send();
    assert_eq!(again.status(), 303);

    let mut stored: Vec<String> = std::fs::read_dir(uploads.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    stored.sort();
    assert_eq!(stored, ["beach_photo.JPG", "notes-2.txt", "notes.txt"]);
    assert_eq!(
        std::fs::read(uploads.path().join("notes.txt")).unwrap(),
        b"sunny"
    );

    let page = client.get("/upload").send().text();
    assert!(
        page.contains(
            r#"<p class="flash success">Holidays: saved beach_photo.JPG, notes.txt.</p>"#
        ),
        "{page}"
    );
    assert!(
        page.contains(r#"<a href="/uploads/notes-2.txt">notes-2.txt</a>"#),
        "{page}"
    );
    let served = client.get("/uploads/notes-2.txt").send();
    assert_eq!(
        (served.status(), served.text()),
        (StatusCode::OK, "rainy".to_owned())
    );
    assert_eq!(
        served.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(client.get("/uploads/../secret").send().status(), 404);
}

#[test]
fn uploads_outside_the_allow_list_or_empty_are_refused() {
    let (client, uploads) = client();
    let response = client
        .post("/upload")
        .file(
            "photos",
            FileUpload::new("page.html", &b"<script>alert(1)</script>"[..]),
        )
        .file("photos", FileUpload::new("ok.png", &b"png"[..]))
        .send();
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .contains("page.html: only png, jpg, jpeg, gif, txt, pdf files are accepted."),
        "{}",
        response.text()
    );
    let response = client.post("/upload").form([("title", "nothing")]).send();
    assert_eq!(response.status(), 422);
    assert!(response.text().contains("Choose at least one file."));
    let response = client
        .post("/upload")
        .file("photos", FileUpload::new("..", &b"x"[..]))
        .send();
    assert_eq!(response.status(), 422);
    assert_eq!(
        std::fs::read_dir(uploads.path()).unwrap().count(),
        0,
        "nothing saved"
    );
}

#[test]
fn an_upload_over_the_limit_is_a_413_page() {
    let (client, uploads) = client();
    let big = vec![0u8; 2 * 1024 * 1024 + 1];
    let response = client
        .post("/upload")
        .file("photos", FileUpload::new("big.png", big))
        .send();
    assert_eq!(response.status(), 413);
    let page = response.text();
    assert!(
        page.contains("Uploads may be at most 2.0 MiB in all."),
        "{page}"
    );
    assert!(page.contains("max_content_length"), "{page}");
    assert_eq!(std::fs::read_dir(uploads.path()).unwrap().count(), 0);
}

#[test]
fn routes_and_check_run_through_the_command_line() {
    let uploads = tempfile::tempdir().unwrap();
    let env = [(
        "CARAFE_APP__UPLOAD_FOLDER",
        uploads.path().to_str().unwrap(),
    )];
    let output = super::support::run_example("forms", &["check"], None, &env);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("routes: 7 rules, 7 endpoints"), "{stdout}");
    let output = super::support::run_example(
        "forms",
        &["check"],
        None,
        &[("CARAFE_APP__UPLOAD_FOLDR", "/x")],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("upload_folder"),
        "did you mean"
    );
}

#[test]
#[ignore = "starts servers: run by .ci/run"]
fn serves_under_both_servers() {
    use super::support::http_get;
    let uploads = tempfile::tempdir().unwrap();
    std::fs::write(uploads.path().join("hello.txt"), "hello upload").unwrap();
    // The upload folder through a config folder: `serve` refuses
    // CARAFE_APP__* variables (carafe-server rejects unknown CARAFE_ names).
    let config = tempfile::tempdir().unwrap();
    std::fs::write(
        config.path().join("base.yaml"),
        format!(
            "secret_key: k\napp:\n  upload_folder: {}\n",
            uploads.path().display()
        ),
    )
    .unwrap();
    let config_dir = config.path().to_str().unwrap();
    super::support::under_both_servers("forms", &["--config-dir", config_dir], &[], |port| {
        let page = http_get(port, "/contact", &[]).unwrap();
        assert_eq!(page.status, 200, "{page:?}");
        assert!(page.body.contains("<h1>Contact us</h1>"), "{}", page.body);
        let file = http_get(port, "/uploads/hello.txt", &[]).unwrap();
        assert_eq!((file.status, file.body.as_str()), (200, "hello upload"));
    });
}
