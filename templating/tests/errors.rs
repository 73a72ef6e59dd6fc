//! Errors a user can act on: template, line, column, snippet, closest known name.

use carafe_templating::{Context, DirLoader, Environment, Error, Kwargs, MemoryLoader, State};

fn build(templates: &[(&str, &str)]) -> Result<Environment, Error> {
    Environment::builder()
        .loader(templates.iter().copied().collect::<MemoryLoader>())
        .build()
}

#[test]
fn syntax_errors_point_at_line_and_column() {
    let err = build(&[(
        "page.html",
        "<ul>\n  {% for x in items %}\n  <li>{{ x }</li>\n</ul>",
    )])
    .unwrap_err();
    let Error::Syntax { message, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(message, "found `}` but expected }}");
    let location = err.location().unwrap();
    assert_eq!((location.template(), location.line()), ("page.html", 3));
    assert_eq!(location.source_line(), "  <li>{{ x }</li>");
}

#[test]
fn unknown_filter_function_and_test_name_the_closest_one() {
    let err = build(&[("a.html", "line one\n{{ name | upercase }}")]).unwrap_err();
    assert_eq!(err.to_string(), "unknown filter `upercase` at a.html:2:11");
    let err = build(&[("a.html", "{{ name | uper }}")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown filter `uper` (did you mean `upper`?) at a.html:1:11"
    );
    let report = err.report();
    assert_eq!(
        report,
        "error: unknown filter `uper` (did you mean `upper`?)\n --> a.html:1:11\n1 | {{ name | uper }}\n  |           ^^^^"
    );

    let err = build(&[("a.html", "{{ rnge(end=3) }}")]).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("unknown function `rnge` (did you mean `range`?)"),
        "{err}"
    );
    let err = build(&[("a.html", "{% if 3 is od %}{% endif %}")]).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("unknown test `od` (did you mean `odd`?)"),
        "{err}"
    );
}

#[test]
fn custom_names_are_suggested_too() {
    let err = Environment::builder()
        .filter("markdown", |s: &str, _: Kwargs, _: &State<'_>| {
            s.to_string()
        })
        .template("a.html", "{{ x | markdwon }}")
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains("did you mean `markdown`?"),
        "{err}"
    );
}

#[test]
fn undefined_variables_and_fields_name_the_closest_one() {
    let env = build(&[
        ("a.txt", "Hello\n{{ usr.name }}"),
        ("b.txt", "{{ user.nmae }}"),
    ])
    .unwrap();
    let mut context = Context::new();
    context.insert("user", &serde_json::json!({"name": "Ada", "id": 1}));
    let err = env.render("a.txt", &context).unwrap_err();
    assert_eq!(
        err.to_string(),
        "variable `usr` is not defined (did you mean `user`?) at a.txt:2:4"
    );
    let err = env.render("b.txt", &context).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("field `nmae` is not defined (did you mean `name`?)"),
        "{err}"
    );
}

#[test]
fn missing_templates_name_the_closest_one() {
    let env = build(&[("index.html", ""), ("about.html", "")]).unwrap();
    let err = env.render("indx.html", &Context::new()).unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { suggestion: Some(s), .. } if s == "index.html"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "template `indx.html` not found (did you mean `index.html`?)"
    );

    let err = build(&[
        ("base.html", ""),
        ("child.html", "{% extends \"bse.html\" %}"),
    ])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "template `child.html` extends `bse.html`, which does not exist (did you mean `base.html`?)"
    );
    let err = build(&[
        ("header.html", ""),
        ("page.html", "\n{% include \"headr.html\" %}"),
    ])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown template `headr.html` (did you mean `header.html`?) at page.html:2:12"
    );
}

#[test]
fn cycles_are_reported_with_the_chain() {
    let err = build(&[("a", "{% include \"b\" %}"), ("b", "{% include \"a\" %}")]).unwrap_err();
    let Error::Cycle { chain } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(chain, &["a", "b", "a"]);
    let err = build(&[("a", "{% extends \"b\" %}"), ("b", "{% extends \"a\" %}")]).unwrap_err();
    assert!(matches!(err, Error::Cycle { .. }), "{err:?}");
}

#[test]
fn errors_inside_includes_point_at_the_included_file_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("partials")).unwrap();
    std::fs::write(
        dir.path().join("partials/row.html"),
        "<tr>\n<td>{{ row.price | round }}</td>\n</tr>\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("table.html"),
        "{% for row in rows %}{% include \"partials/row.html\" %}{% endfor %}\n",
    )
    .unwrap();
    let env = Environment::builder()
        .loader(DirLoader::new(dir.path()))
        .build()
        .unwrap();
    let mut context = Context::new();
    context.insert("rows", &serde_json::json!([{"price": "free"}]));
    let err = env.render("table.html", &context).unwrap_err();
    let location = err.location().expect("a location");
    assert_eq!(location.template(), "partials/row.html");
    assert_eq!(location.line(), 2);
    assert_eq!(
        location.path(),
        Some(dir.path().join("partials/row.html").as_path())
    );
    let report = err.report();
    assert!(
        report.contains(&format!(
            "{}:2:",
            dir.path().join("partials/row.html").display()
        )),
        "{report}"
    );
    assert!(!report.contains("\n\n"), "one paragraph: {report}");
}

#[test]
fn filter_errors_carry_the_message_and_position() {
    let env = Environment::builder()
        .filter("fail", |_: &str, _: Kwargs, _: &State<'_>| {
            Err::<String, _>(carafe_templating::tera::Error::message("Custom failure."))
        })
        .template("a.txt", "ok\nok {{ 'x' | fail }}")
        .build()
        .unwrap();
    let err = env.render("a.txt", &Context::new()).unwrap_err();
    assert!(matches!(err, Error::Render { .. }));
    assert_eq!(err.location().unwrap().line(), 2);
    assert!(err.to_string().contains("custom failure"), "{err}");
}
