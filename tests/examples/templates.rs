//! `examples/templates`: inheritance, components, autoescaping,
//! `url_for()`/`static_url()` in templates, flashed messages, a text
//! template, a templated error page, reloading in debug mode.

#[path = "../../examples/templates/app.rs"]
#[allow(dead_code)]
mod app;

use std::path::Path;

use carafe::config::{Config, Mode, Settings};
use carafe::prelude::*;
use carafe::wrappers::test::Client;

fn config(mode: Mode) -> Config {
    Config::loader()
        .dir(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/templates/config"
        ))
        .mode(mode)
        .env(Vec::<(String, String)>::new())
        .load()
        .unwrap()
}

fn client() -> Client<App> {
    Client::new(app::build_app(&config(Mode::Testing)))
}

#[test]
fn the_index_extends_the_layout_with_components_and_links() {
    let response = client().get("/").send();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let page = response.text();
    // The child's title block, with the parent's text through super().
    assert!(page.contains("<title>Articles · Carafe</title>"), "{page}");
    assert!(
        page.contains(r#"<link rel="stylesheet" href="/static/site.css">"#),
        "{page}"
    );
    // The navigation from a template global, links built by url_for().
    assert!(
        page.contains(r#"<a href="/articles/escaping">Autoescaping</a>"#),
        "{page}"
    );
    assert!(
        page.contains(r#"<a href="/articles/urls">Links &amp; assets</a>"#),
        "{page}"
    );
    // One ui.card component per article, with a truncated summary.
    assert_eq!(page.matches(r#"<div class="card">"#).count(), 3, "{page}");
    assert!(
        page.contains("<p>A base layout with blocks that child tem…</p>"),
        "{page}"
    );
    assert!(
        page.contains("<footer>Rendered by Carafe.</footer>"),
        "{page}"
    );
}

#[test]
fn untrusted_text_is_escaped_and_trusted_markup_is_not() {
    let page = client().get("/").send().text();
    assert!(!page.contains("<script>"), "{page}");
    assert!(
        page.contains("<blockquote>&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt; Nice &amp; tidy!</blockquote>"),
        "{page}"
    );
    assert!(
        page.contains(r#"<p class="notice"><em>Comments are moderated.</em></p>"#),
        "{page}"
    );
}

#[test]
fn an_article_page_fills_blocks_and_sees_the_request() {
    let page = client().get("/articles/urls").send().text();
    assert!(
        page.contains("<title>Links &amp; assets · Carafe</title>"),
        "{page}"
    );
    assert!(
        page.contains(r#"<span class="tag">#routing</span>"#),
        "{page}"
    );
    assert!(
        page.contains(r#"<form method="post" action="/articles/urls/like">"#),
        "{page}"
    );
    assert!(page.contains("<small>GET /articles/urls</small>"), "{page}");
    assert!(
        page.contains("<footer>Rendered by Carafe. Article urls.</footer>"),
        "{page}"
    );
    assert_eq!(client().get("/articles/nothing").send().status(), 404);
}

#[test]
fn flashed_messages_show_once_with_their_category() {
    let client = client();
    let response = client.post("/articles/escaping/like").send();
    assert_eq!(response.status(), 303);
    assert_eq!(response.header("location"), Some("/articles/escaping"));
    let page = client.get("/articles/escaping").send().text();
    assert!(
        page.contains(r#"<p class="flash success">You liked “Autoescaping”.</p>"#),
        "{page}"
    );
    let again = client.get("/articles/escaping").send().text();
    assert!(!again.contains("flash"), "shown once: {again}");

    let client = client.follow_redirects(true);
    let page = client.post("/articles/%3Cb%3E/like").send().text();
    assert!(
        page.contains(r#"<p class="flash error">There is no article “&lt;b&gt;” to like.</p>"#),
        "{page}"
    );
}

#[test]
fn a_text_template_is_not_escaped() {
    let response = client().get("/email/Ada%20%3Cada%40example.com%3E").send();
    assert_eq!(
        response.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    let text = response.text();
    assert!(
        text.starts_with("Hello Ada <ada@example.com>,\n\n3 articles"),
        "{text}"
    );
    assert!(
        text.contains("- Links & assets: http://localhost/articles/urls"),
        "{text}"
    );
}

#[test]
fn the_404_page_is_a_template() {
    let response = client().get("/no/%3Cwhere%3E").send();
    assert_eq!(response.status(), 404);
    let page = response.text();
    assert!(page.contains("<title>Not found · Carafe</title>"), "{page}");
    assert!(page.contains("<code>/no/&lt;where&gt;</code>"), "{page}");
    let css = client().get("/static/site.css").send();
    assert_eq!(css.status(), 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
}

/// A copy of the example's templates, to edit.
fn copy_templates() -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(Path::new(app::TEMPLATES), dir.path());
    dir
}

#[test]
fn templates_reload_in_development_and_not_in_production() {
    for (mode, reloads) in [(Mode::Development, true), (Mode::Production, false)] {
        let dir = copy_templates();
        let app = app::app_builder(&config(mode), dir.path(), Path::new(app::STATIC)).build();
        assert_eq!(app.debug(), reloads, "{mode}: debug follows the mode");
        let client = Client::new(app);
        assert!(
            client
                .get("/")
                .send()
                .text()
                .contains("<footer>Rendered by Carafe.</footer>")
        );
        let base = dir.path().join("base.html");
        let text = std::fs::read_to_string(&base).unwrap();
        std::fs::write(&base, text.replace("Rendered by Carafe.", "Edited.")).unwrap();
        let page = client.get("/").send().text();
        assert_eq!(
            page.contains("<footer>Edited.</footer>"),
            reloads,
            "{mode}: {page}"
        );
    }
}

#[test]
fn a_broken_template_stops_the_start_up_naming_file_and_line() {
    let dir = copy_templates();
    std::fs::write(
        dir.path().join("articles/show.html"),
        "{% extends \"base.html\" %}\n{% block content %}\n{{ article.title | shout }}\n{% endblock content %}\n",
    )
    .unwrap();
    let config = Config::from_parts(Settings::default(), (), Mode::Production);
    let error = app::app_builder(&config, dir.path(), Path::new(app::STATIC))
        .try_build()
        .unwrap_err();
    let message = error.to_string();
    assert!(message.contains("unknown filter `shout`"), "{message}");
    assert!(message.contains("articles/show.html:3:20"), "{message}");
}

#[test]
fn routes_and_check_run_through_the_command_line() {
    let output = super::support::run_example("templates", &["check"], None, &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("routes: 5 rules, 5 endpoints"), "{stdout}");
    let output = super::support::run_example("templates", &["routes", "--sort", "rule"], None, &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("/articles/<slug>/like"), "{stdout}");
    assert!(stdout.contains("/static/<path:filename>"), "{stdout}");
}

#[test]
#[ignore = "starts servers: run by .ci/run"]
fn serves_under_both_servers() {
    use super::support::http_get;
    super::support::under_both_servers("templates", &[], &[], |port| {
        let page = http_get(port, "/articles/escaping", &[]).unwrap();
        assert_eq!(page.status, 200, "{page:?}");
        assert!(
            page.body.contains("<title>Autoescaping · Carafe</title>"),
            "{}",
            page.body
        );
        let css = http_get(port, "/static/site.css", &[]).unwrap();
        assert_eq!(css.status, 200);
        assert_eq!(http_get(port, "/missing", &[]).unwrap().status, 404);
    });
}
