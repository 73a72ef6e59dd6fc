//! Loaders: directory, memory, embedded, chain, prefix.

use carafe_templating::{
    ChainLoader, Context, DirLoader, EmbeddedLoader, Environment, MemoryLoader, PrefixLoader,
    embed_templates,
};

#[test]
fn a_directory_tree_is_loaded_with_relative_names() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("emails/parts")).unwrap();
    std::fs::write(dir.path().join("emails/parts/sig.txt"), "-- \nthe team\n").unwrap();
    std::fs::write(
        dir.path().join("emails/welcome.txt"),
        "Hi {{ name }},\n{% include \"emails/parts/sig.txt\" %}\n",
    )
    .unwrap();
    let env = Environment::builder()
        .loader(DirLoader::new(dir.path()))
        .build()
        .unwrap();
    assert_eq!(
        env.template_names(),
        ["emails/parts/sig.txt", "emails/welcome.txt"]
    );
    let mut context = Context::new();
    context.insert("name", "Ada");
    assert_eq!(
        env.render("emails/welcome.txt", &context).unwrap(),
        "Hi Ada,\n-- \nthe team"
    );
}

#[cfg(unix)]
#[test]
fn a_link_out_of_the_folder_is_not_a_template() {
    let secrets = tempfile::tempdir().unwrap();
    std::fs::write(secrets.path().join("passwd"), "root:x:0:0").unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("page.html"), "{% include \"passwd\" %}").unwrap();
    std::os::unix::fs::symlink(secrets.path().join("passwd"), dir.path().join("passwd")).unwrap();
    let err = Environment::builder()
        .loader(DirLoader::new(dir.path()))
        .build()
        .unwrap_err();
    assert!(
        err.to_string().starts_with("unknown template `passwd`"),
        "{err}"
    );
}

#[test]
fn chain_first_hit_wins_and_prefixes_mount_other_sources() {
    static THEME: &[(&str, &str)] = &[
        (
            "layout.html",
            "<theme>{% block body %}{% endblock body %}</theme>",
        ),
        ("footer.html", "theme footer"),
    ];
    let app = MemoryLoader::new()
        .with("footer.html", "app footer")
        .with("index.html", "{% extends \"layout.html\" %}{% block body %}{% include \"footer.html\" %}|{% include \"admin/menu.html\" %}{% endblock body %}");
    let admin = MemoryLoader::new().with("menu.html", "admin menu");
    let env = Environment::builder()
        .loader(
            ChainLoader::new()
                .with(app)
                .with(PrefixLoader::new().mount("admin", admin))
                .with(EmbeddedLoader::new(THEME)),
        )
        .build()
        .unwrap();
    assert_eq!(
        env.render("index.html", &Context::new()).unwrap(),
        "<theme>app footer|admin menu</theme>"
    );
    assert_eq!(
        env.render("footer.html", &Context::new()).unwrap(),
        "app footer"
    );
}

#[test]
fn several_loaders_on_the_builder_form_a_chain_after_inline_templates() {
    let env = Environment::builder()
        .loader(MemoryLoader::new().with("a", "first").with("b", "first"))
        .loader(MemoryLoader::new().with("a", "second").with("c", "second"))
        .template("b", "inline")
        .build()
        .unwrap();
    let render = |name| env.render(name, &Context::new()).unwrap();
    assert_eq!(
        (render("a"), render("b"), render("c")),
        ("first".into(), "inline".into(), "second".into())
    );
}

#[test]
fn embedded_templates_are_compiled_in() {
    static TEMPLATES: &[(&str, &str)] =
        embed_templates!("tests/fixtures/embed", ["greeting.txt", "nested/inner.txt"]);
    let env = Environment::builder()
        .loader(EmbeddedLoader::new(TEMPLATES))
        .build()
        .unwrap();
    assert_eq!(
        env.render("nested/inner.txt", &Context::new()).unwrap(),
        "inner: hello from a file"
    );
    assert!(!env.auto_reloads());
}
