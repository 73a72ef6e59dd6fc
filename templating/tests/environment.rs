//! The Environment: loading, escaping, globals, custom filters/tests/functions,
//! per-render scopes.

use carafe_templating::{
    Context, DirLoader, Environment, Kwargs, MemoryLoader, RenderScope, State, Value,
};

use crate::common::{BENCH_DIR, fortunes};

#[test]
fn fortunes_match_the_bench_spec_byte_for_byte() {
    let env = Environment::builder()
        .loader(DirLoader::new(BENCH_DIR).extensions(["html"]))
        .build()
        .unwrap();
    let mut context = Context::new();
    context.insert("fortunes", &fortunes());
    let html = env.render("fortunes.html", &context).unwrap();
    let expected = std::fs::read_to_string(format!("{BENCH_DIR}/expected-fortunes.html")).unwrap();
    assert_eq!(html, expected);
    assert_eq!(html.len(), 1245);
}

#[test]
fn autoescape_follows_the_extension() {
    let env = Environment::builder()
        .loader(
            MemoryLoader::new()
                .with("a.html", "{{ x }}")
                .with("a.htm", "{{ x }}")
                .with("a.xml", "{{ x }}")
                .with("a.svg", "{{ x }}")
                .with("a.txt", "{{ x }}")
                .with("a.html.txt", "{{ x }}")
                .with("safe.html", "{{ x | safe }}"),
        )
        .build()
        .unwrap();
    let mut context = Context::new();
    context.insert("x", "<a href='/'>&\"</a>");
    let escaped = "&lt;a href=&#39;/&#39;&gt;&amp;&#34;&lt;/a&gt;";
    for name in ["a.html", "a.htm", "a.xml", "a.svg"] {
        assert_eq!(env.render(name, &context).unwrap(), escaped, "{name}");
    }
    for name in ["a.txt", "a.html.txt", "safe.html"] {
        assert_eq!(
            env.render(name, &context).unwrap(),
            "<a href='/'>&\"</a>",
            "{name}"
        );
    }
}

#[test]
fn autoescape_can_be_turned_off() {
    let env = Environment::builder()
        .autoescape_extensions(Vec::<&'static str>::new())
        .template("a.html", "{{ x }}")
        .build()
        .unwrap();
    let mut context = Context::new();
    context.insert("x", "<b>");
    assert_eq!(env.render("a.html", &context).unwrap(), "<b>");
}

#[test]
fn context_wins_over_globals() {
    let env = Environment::builder()
        .global("who", &"global")
        .global("site", &serde_json::json!({"name": "Carafe", "year": 2026}))
        .template("t.txt", "{{ who }} {{ site.name }} {{ site.year }}")
        .build()
        .unwrap();
    assert_eq!(
        env.render("t.txt", &Context::new()).unwrap(),
        "global Carafe 2026"
    );
    let mut context = Context::new();
    context.insert("who", "local");
    assert_eq!(env.render("t.txt", &context).unwrap(), "local Carafe 2026");
}

#[test]
fn a_global_that_cannot_serialize_fails_the_build() {
    struct Bad;
    impl serde::Serialize for Bad {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("nope"))
        }
    }
    let err = Environment::builder()
        .global("bad", &Bad)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("global `bad`"), "{err}");
}

#[test]
fn custom_filters_tests_and_functions_are_usable_everywhere() {
    let env = Environment::builder()
        .filter("double", |x: i64, _: Kwargs, _: &State<'_>| x * 2)
        .test("big", |x: i64, kwargs: Kwargs, _: &State<'_>| {
            Ok::<_, carafe_templating::tera::Error>(x > kwargs.get::<i64>("than")?.unwrap_or(10))
        })
        .function("greet", |kwargs: Kwargs, _: &State<'_>| {
            Ok::<_, carafe_templating::tera::Error>(format!("hi {}", kwargs.must_get::<&str>("who")?))
        })
        .loader(
            MemoryLoader::new()
                .with("base.txt", "[{% block b %}{% endblock b %}]")
                .with(
                    "child.txt",
                    "{% extends \"base.txt\" %}{% block b %}{{ 21 | double }} {{ 5 is big(than=3) }} {{ greet(who='ada') }}{% endblock b %}",
                ),
        )
        .build()
        .unwrap();
    assert_eq!(
        env.render("child.txt", &Context::new()).unwrap(),
        "[42 true hi ada]"
    );
}

#[test]
fn includes_components_and_blocks_work_across_loaders() {
    let env = Environment::builder()
        .loader(
            MemoryLoader::new()
                .with(
                    "components.html",
                    "{% component badge(label) %}<b>{{ label }}</b>{% endcomponent badge %}",
                )
                .with("header.html", "<h1>{{ title }}</h1>")
                .with(
                    "page.html",
                    "{% include \"header.html\" %}{{<badge label={title} />}}",
                ),
        )
        .build()
        .unwrap();
    let mut context = Context::new();
    context.insert("title", "A&B");
    assert_eq!(
        env.render("page.html", &context).unwrap(),
        "<h1>A&amp;B</h1><b>A&amp;B</b>"
    );
}

#[test]
fn render_with_gives_functions_per_render_values_without_rebuilding() {
    #[derive(Debug)]
    struct Request {
        root: String,
    }
    let env = Environment::builder()
        .function("url_for", |kwargs: Kwargs, _: &State<'_>| {
            let endpoint = kwargs.must_get::<&str>("endpoint")?;
            let request = RenderScope::current::<Request>().ok_or_else(|| {
                carafe_templating::tera::Error::message("url_for needs a request")
            })?;
            Ok::<_, carafe_templating::tera::Error>(format!("{}/{endpoint}", request.root))
        })
        .template("a.html", "<a href=\"{{ url_for(endpoint='x') }}\">")
        .build()
        .unwrap();
    let roots = ["/one", "/two", "/three"];
    let outputs: Vec<Vec<String>> = std::thread::scope(|s| {
        let handles: Vec<_> = roots
            .iter()
            .map(|root| {
                let env = &env;
                s.spawn(move || {
                    let scope = RenderScope::new().with(Request {
                        root: root.to_string(),
                    });
                    (0..50)
                        .map(|_| env.render_with("a.html", &Context::new(), &scope).unwrap())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (outputs, root) in outputs.iter().zip(roots) {
        assert!(
            outputs
                .iter()
                .all(|o| o == &format!("<a href=\"{root}/x\">")),
            "{outputs:?}"
        );
    }
    let err = env.render("a.html", &Context::new()).unwrap_err();
    assert!(err.to_string().contains("url_for needs a request"), "{err}");
}

#[test]
fn render_to_and_render_str_and_render_block() {
    let env = Environment::builder()
        .global("n", &3)
        .template(
            "p.html",
            "<p>{% block inner %}{{ n }}{% endblock inner %}</p>",
        )
        .build()
        .unwrap();
    let mut out = Vec::new();
    env.render_to("p.html", &Context::new(), &mut out).unwrap();
    assert_eq!(out, b"<p>3</p>");
    assert_eq!(
        env.render_block("p.html", "inner", &Context::new())
            .unwrap(),
        "3"
    );
    assert_eq!(
        env.render_str("{{ '<' ~ n }}", &Context::new(), true)
            .unwrap(),
        "&lt;3"
    );
    assert_eq!(
        env.render_str("{{ '<' ~ n }}", &Context::new(), false)
            .unwrap(),
        "<3"
    );
}

#[test]
fn values_from_rust_round_trip() {
    let env = Environment::builder()
        .template("t.txt", "{{ m.a }}-{{ m.b | length }}-{{ v }}")
        .build()
        .unwrap();
    let mut context = Context::new();
    context.insert("m", &serde_json::json!({"a": 1, "b": [1, 2, 3]}));
    context.insert_value("v", Value::from(2.5));
    assert_eq!(env.render("t.txt", &context).unwrap(), "1-3-2.5");
}

#[test]
fn render_str_errors_point_into_the_string() {
    let env = Environment::builder().build().unwrap();
    let err = env
        .render_str("ok\n{{ missing }}", &Context::new(), false)
        .unwrap_err();
    let location = err.location().unwrap();
    assert_eq!(
        (location.line(), location.source_line()),
        (2, "{{ missing }}")
    );
}
