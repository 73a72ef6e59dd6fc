//! Auto-reload: changed, added and removed templates are picked up on the next render;
//! a broken edit keeps the last good version serving.

use std::fs;

use carafe_templating::{Context, DirLoader, Environment, Error};

fn render(env: &Environment, name: &str) -> Result<String, Error> {
    env.render(name, &Context::new())
}

#[test]
fn changes_additions_and_removals_are_seen_on_the_next_render() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.txt"), "one").unwrap();
    let env = Environment::builder()
        .loader(DirLoader::new(dir.path()))
        .auto_reload(true)
        .build()
        .unwrap();
    assert_eq!(render(&env, "a.txt").unwrap(), "one");

    fs::write(dir.path().join("a.txt"), "version two").unwrap();
    assert_eq!(render(&env, "a.txt").unwrap(), "version two");

    fs::write(dir.path().join("b.txt"), "[{% include \"a.txt\" %}]").unwrap();
    assert_eq!(render(&env, "b.txt").unwrap(), "[version two]");

    fs::remove_file(dir.path().join("b.txt")).unwrap();
    assert!(matches!(render(&env, "b.txt"), Err(Error::NotFound { .. })));
    assert!(env.reload_error().is_none());
}

#[test]
fn a_broken_edit_keeps_the_last_good_version_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("base.html"),
        "<b>{% block x %}{% endblock x %}</b>",
    )
    .unwrap();
    fs::write(
        dir.path().join("page.html"),
        "{% extends \"base.html\" %}{% block x %}good{% endblock x %}",
    )
    .unwrap();
    let env = Environment::builder()
        .loader(DirLoader::new(dir.path()))
        .auto_reload(true)
        .build()
        .unwrap();
    assert_eq!(render(&env, "page.html").unwrap(), "<b>good</b>");

    fs::write(
        dir.path().join("page.html"),
        "{% extends \"base.html\" %}{% block x %}{{ oops }{% endblock x %}",
    )
    .unwrap();
    assert_eq!(
        render(&env, "page.html").unwrap(),
        "<b>good</b>",
        "still the last good version"
    );
    let error = env.reload_error().expect("the broken edit is reported");
    assert_eq!(error.location().unwrap().template(), "page.html");
    let refresh = env.refresh().unwrap_err();
    assert_eq!(refresh.to_string(), error.to_string());

    fs::write(
        dir.path().join("page.html"),
        "{% extends \"base.html\" %}{% block x %}fixed{% endblock x %}",
    )
    .unwrap();
    assert_eq!(render(&env, "page.html").unwrap(), "<b>fixed</b>");
    assert!(env.reload_error().is_none());
}

#[test]
fn without_auto_reload_the_environment_is_frozen() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.txt"), "one").unwrap();
    let env = Environment::builder()
        .loader(DirLoader::new(dir.path()))
        .build()
        .unwrap();
    fs::write(dir.path().join("a.txt"), "changed").unwrap();
    assert_eq!(render(&env, "a.txt").unwrap(), "one");
    assert!(!env.refresh().unwrap());
    assert!(!env.auto_reloads());
}

#[test]
fn a_vanished_directory_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("templates");
    fs::create_dir(&path).unwrap();
    fs::write(path.join("a.txt"), "still here").unwrap();
    let env = Environment::builder()
        .loader(DirLoader::new(&path))
        .auto_reload(true)
        .build()
        .unwrap();
    fs::remove_dir_all(&path).unwrap();
    assert_eq!(render(&env, "a.txt").unwrap(), "still here");
    assert!(matches!(
        env.reload_error().as_deref(),
        Some(Error::Io { .. })
    ));
}

#[test]
fn the_reload_interval_spaces_the_checks() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.txt"), "one").unwrap();
    let env = Environment::builder()
        .loader(DirLoader::new(dir.path()))
        .auto_reload(true)
        .reload_interval(std::time::Duration::from_secs(3600))
        .build()
        .unwrap();
    fs::write(dir.path().join("a.txt"), "second").unwrap();
    assert_eq!(
        render(&env, "a.txt").unwrap(),
        "one",
        "not checked again within the interval"
    );
    assert!(env.refresh().unwrap(), "refresh checks now");
    assert_eq!(render(&env, "a.txt").unwrap(), "second");
}
