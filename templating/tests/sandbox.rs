//! The sandbox: same output as the Environment, its policy, and every cap.

use std::time::Duration;

use carafe_templating::sandbox::{Caps, Sandbox};
use carafe_templating::{
    Cap, Context, Environment, Error, ForbiddenKind, Kwargs, MemoryLoader, State,
};

use crate::common::{BENCH_DIR, fortunes};

/// Templates that use every construct the sandbox instruments, with tricky
/// whitespace control.
fn tricky_templates() -> MemoryLoader {
    MemoryLoader::new()
        .with("base.html", "<main>{% block body %}{% endblock body %}</main>")
        .with(
            "page.html",
            "{% extends \"base.html\" %}{% block body %}\n\
             {%- for x in items -%}\n  [{{ x }}]\n{%- endfor %}\n\
             {% for k, v in map %}{{ k }}={{ v }};{% else %}none{% endfor %}\n\
             {{ [a * 2 for a in items if a > 1] }}|{{ [[b for b in r] for r in rows] }}\n\
             {% set total = items | length -%}\n  {{ total }}\n\
             {% set_global g = \"<g>\" %}{{ g }}\n\
             {% set block | upper -%}\n  captured {{ total }}\n{%- endset %}[{{ block }}]\n\
             {% filter upper %}{% for x in items %}{{ x }}{% endfor %}{% endfilter %}\n\
             {{<badge label=\"hi\" />}}{% <card title=\"t\"> %}{% for x in items %}{{ x }}{% endfor %}{% </card> %}\n\
             {% include \"part.html\" %}{% raw %}{% for x in y %}{% endraw %}{# {% for %} #}\n\
             {% for c in \"héé\" %}{{ loop.index }}{{ c }}{% endfor %}\n\
             {%- endblock body %}",
        )
        .with(
            "components.html",
            "{% component badge(label) -%}\n  <b>{{ label }}</b>\n{%- endcomponent badge %}\
             {% component card(title) %}<div>{{ title }}:{{ body }}</div>{% endcomponent card %}",
        )
        .with("part.html", "{% for i in range(end=3) %}{{ i }}{% endfor %}")
}

fn tricky_context() -> Context {
    let mut context = Context::new();
    context.insert("items", &vec![1, 2, 3]);
    context.insert("rows", &vec![vec![1, 2], vec![3]]);
    context.insert("map", &serde_json::json!({"b": 2, "a": 1}));
    context
}

#[test]
fn instrumented_templates_render_exactly_as_the_environment_does() {
    let env = Environment::builder()
        .loader(tricky_templates())
        .build()
        .unwrap();
    let sandbox = Sandbox::builder()
        .loader(tricky_templates())
        .build()
        .unwrap();
    let context = tricky_context();
    let expected = env.render("page.html", &context).unwrap();
    assert_eq!(sandbox.render("page.html", &context).unwrap(), expected);
    assert!(expected.contains("[1]"), "{expected}");
}

#[test]
fn fortunes_render_the_same_in_the_sandbox() {
    let sandbox = Sandbox::builder()
        .loader(carafe_templating::DirLoader::new(BENCH_DIR).extensions(["html"]))
        .build()
        .unwrap();
    let mut context = Context::new();
    context.insert("fortunes", &fortunes());
    let expected = std::fs::read_to_string(format!("{BENCH_DIR}/expected-fortunes.html")).unwrap();
    assert_eq!(sandbox.render("fortunes.html", &context).unwrap(), expected);
}

#[test]
fn errors_point_at_the_source_as_written() {
    let sandbox = Sandbox::builder()
        .template(
            "a.txt",
            "{% for x in items %}{{ x }}{% endfor %} {{ missing }}\n{% set y = [1] %}{{ y.z }}",
        )
        .build()
        .unwrap();
    let err = sandbox.render("a.txt", &tricky_context()).unwrap_err();
    let location = err.location().unwrap();
    assert_eq!(
        (location.line(), location.column()),
        (1, 44),
        "{}",
        err.report()
    );
    assert_eq!(
        location.source_line(),
        "{% for x in items %}{{ x }}{% endfor %} {{ missing }}"
    );
    assert!(!err.report().contains("__carafe"), "{}", err.report());

    let err = Sandbox::builder()
        .template("b.txt", "{% for x in items %}\n{{ x | uper }}{% endfor %}")
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown filter `uper` (did you mean `upper`?) at b.txt:2:8"
    );
}

#[test]
fn a_cap_error_points_at_the_loop() {
    let sandbox = Sandbox::builder()
        .caps(Caps::default().max_iterations(10))
        .template("a.txt", "ok\n  {% for x in range(end=50) %}{% endfor %}")
        .build()
        .unwrap();
    let err = sandbox.render("a.txt", &Context::new()).unwrap_err();
    assert_eq!(err.cap(), Some(Cap::Iterations));
    let location = err.location().unwrap();
    assert_eq!(
        (location.line(), location.column()),
        (2, 15),
        "{}",
        err.report()
    );
}

#[test]
fn denied_filters_functions_and_tests_are_refused_at_build() {
    let build = |builder: carafe_templating::sandbox::SandboxBuilder, source: &str| {
        builder.template("t.html", source).build().unwrap_err()
    };
    let err = build(
        Sandbox::builder().deny_filter("safe"),
        "<p>\n{{ html | safe }}</p>",
    );
    assert!(
        matches!(&err, Error::Forbidden { kind: ForbiddenKind::Filter, name, .. } if name == "safe"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "the sandbox does not allow the filter `safe` at t.html:2:11"
    );
    let err = build(
        Sandbox::builder().deny_function("range"),
        "{{ range(end=3) }}",
    );
    assert!(
        matches!(
            err,
            Error::Forbidden {
                kind: ForbiddenKind::Function,
                ..
            }
        ),
        "{err:?}"
    );
    let err = build(
        Sandbox::builder().allow_tests(["odd"]),
        "{% if 3 is even %}{% endif %}",
    );
    assert!(
        matches!(
            err,
            Error::Forbidden {
                kind: ForbiddenKind::Test,
                ..
            }
        ),
        "{err:?}"
    );
    let err = build(
        Sandbox::builder().allow_filters(["upper"]),
        "{% filter lower %}x{% endfilter %}",
    );
    assert!(
        matches!(
            err,
            Error::Forbidden {
                kind: ForbiddenKind::Filter,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn custom_filters_and_functions_are_allowed_and_globals_are_explicit() {
    let sandbox = Sandbox::builder()
        .filter("shout", |s: &str, _: Kwargs, _: &State<'_>| {
            s.to_uppercase()
        })
        .function("answer", |_: Kwargs, _: &State<'_>| 42)
        .global("site", &"Carafe")
        .template("t.txt", "{{ site | shout }} {{ answer() }}")
        .template("leak.txt", "{{ HOME }}")
        .build()
        .unwrap();
    assert_eq!(
        sandbox.render("t.txt", &Context::new()).unwrap(),
        "CARAFE 42"
    );
    let err = sandbox.render("leak.txt", &Context::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "variable `HOME` is not defined (available: site) at leak.txt:1:4"
    );
}

#[test]
fn load_time_caps() {
    let err = Sandbox::builder()
        .caps(Caps::default().max_source_bytes(10))
        .template("big.txt", "0123456789abc")
        .build()
        .unwrap_err();
    assert_eq!(err.cap(), Some(Cap::SourceSize));
    assert_eq!(err.location().unwrap().column(), 11);

    let err = Sandbox::builder()
        .caps(Caps::default().max_templates(2))
        .loader(
            MemoryLoader::new()
                .with("a", "")
                .with("b", "")
                .with("c", ""),
        )
        .build()
        .unwrap_err();
    assert_eq!(err.cap(), Some(Cap::TemplateCount));

    let err = Sandbox::builder()
        .caps(Caps::default().max_nesting_depth(3))
        .template("deep.txt", "{% if a %}{% if b %}{% for x in y %}\n{% if c %}{% endif %}{% endfor %}{% endif %}{% endif %}")
        .build()
        .unwrap_err();
    assert_eq!(err.cap(), Some(Cap::NestingDepth));
    assert_eq!(err.location().unwrap().line(), 2);
}

fn render_err(caps: Caps, source: &str, context: &Context) -> Error {
    Sandbox::builder()
        .caps(caps)
        .template("t.html", source)
        .build()
        .unwrap()
        .render("t.html", context)
        .unwrap_err()
}

#[test]
fn render_time_caps() {
    let mut context = Context::new();
    context.insert("items", &(0..100).collect::<Vec<_>>());
    let caps = Caps::default().max_render_time(Duration::ZERO);
    let err = render_err(
        caps,
        "{% for i in items %}{% for j in items %}{{ i }}{% endfor %}{% endfor %}",
        &context,
    );
    assert_eq!(err.cap(), Some(Cap::RenderTime));

    let err = render_err(
        Caps::default().max_output_bytes(50),
        "{% for i in items %}{{ i }},{% endfor %}",
        &context,
    );
    assert_eq!(err.cap(), Some(Cap::OutputSize));

    let err = render_err(
        Caps::default().max_iterations(1000),
        "{% for i in items %}{% for j in items %}{% endfor %}{% endfor %}",
        &context,
    );
    assert_eq!(err.cap(), Some(Cap::Iterations));

    let err = render_err(
        Caps::default().max_string_bytes(100),
        "{% set s = 'x' %}{% for i in items %}{% set_global s = s ~ s %}{% endfor %}",
        &context,
    );
    assert_eq!(err.cap(), Some(Cap::StringLength));

    let err = render_err(
        Caps::default().max_collection_items(50),
        "{{ range(end=51) | length }}",
        &context,
    );
    assert_eq!(err.cap(), Some(Cap::CollectionLength));

    let err = render_err(
        Caps::default().max_value_depth(5),
        "{% set a = 1 %}{% for i in items %}{% set_global a = [a] %}{% endfor %}",
        &context,
    );
    assert_eq!(err.cap(), Some(Cap::ValueDepth));

    let err = render_err(
        Caps::default().max_recursion_depth(3),
        "{% component r(n) %}{% if n > 0 %}{{<r n={n - 1} />}}{% endif %}{% endcomponent r %}{{<r n={5} />}}",
        &context,
    );
    assert_eq!(err.cap(), Some(Cap::RecursionDepth));
}

#[test]
fn within_the_caps_everything_renders() {
    let caps = Caps::default().max_recursion_depth(6).max_iterations(40);
    let sandbox = Sandbox::builder()
        .caps(caps)
        .template("r.txt", "{% component r(n) %}{{ n }}{% if n > 0 %}{{<r n={n - 1} />}}{% endif %}{% endcomponent r %}{{<r n={5} />}}")
        .template("l.txt", "{% for i in range(end=6) %}{% for j in range(end=5) %}{% endfor %}{% endfor %}ok")
        .build()
        .unwrap();
    assert_eq!(sandbox.render("r.txt", &Context::new()).unwrap(), "543210");
    // 6 + 6 * 5 = 36 iterations, within 40; and the budget is per render.
    for _ in 0..3 {
        assert_eq!(sandbox.render("l.txt", &Context::new()).unwrap(), "ok");
    }
}

#[test]
fn panics_in_filters_are_caught() {
    let sandbox = Sandbox::builder()
        .filter("boom", |_: &str, _: Kwargs, _: &State<'_>| -> String {
            panic!("kaboom")
        })
        .template("t.txt", "{{ 'x' | boom }}")
        .template("ok.txt", "fine")
        .build()
        .unwrap();
    let err = sandbox.render("t.txt", &Context::new()).unwrap_err();
    assert!(
        matches!(&err, Error::Panicked { message } if message == "kaboom"),
        "{err:?}"
    );
    assert_eq!(sandbox.render("ok.txt", &Context::new()).unwrap(), "fine");
}

#[test]
fn sandbox_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Sandbox>();
}

#[test]
fn render_with_gives_custom_functions_per_render_values() {
    struct Tenant(&'static str);
    let sandbox = Sandbox::builder()
        .function("tenant", |_: Kwargs, _: &State<'_>| {
            carafe_templating::RenderScope::current::<Tenant>().map_or("none", |t| t.0)
        })
        .template("t.txt", "{{ tenant() }}")
        .build()
        .unwrap();
    let scope = carafe_templating::RenderScope::new().with(Tenant("acme"));
    assert_eq!(
        sandbox
            .render_with("t.txt", &Context::new(), &scope)
            .unwrap(),
        "acme"
    );
    assert_eq!(sandbox.render("t.txt", &Context::new()).unwrap(), "none");
}

#[test]
fn autoescape_and_trailing_newline_are_configurable() {
    let sandbox = Sandbox::builder()
        .autoescape_extensions([".tpl"])
        .keep_trailing_newline(true)
        .template("a.tpl", "{{ x }}\n")
        .template("b.html", "{{ x }}")
        .build()
        .unwrap();
    let mut context = Context::new();
    context.insert("x", "<b>");
    assert_eq!(sandbox.render("a.tpl", &context).unwrap(), "&lt;b&gt;\n");
    assert_eq!(sandbox.render("b.html", &context).unwrap(), "<b>");
}

#[test]
fn loops_reached_from_a_loop_are_always_counted() {
    let mut context = Context::new();
    context.insert("items", &(0..1000).collect::<Vec<_>>());
    let sandbox = Sandbox::builder()
        .caps(Caps::default().max_render_time(Duration::from_secs(60)))
        .template("inner.html", "{% for x in items %}{% endfor %}")
        .template("outer.html", "{% for i in items %}{% include \"inner.html\" %}{% endfor %}")
        .template("base.html", "{% block b %}{% for x in items %}{% endfor %}{% endblock b %}")
        .template("child.html", "{% extends \"base.html\" %}{% block b %}{% for i in items %}{{ super() }}{% endfor %}{% endblock b %}")
        .template("once.html", "{% for x in items %}{% endfor %}done")
        .build()
        .unwrap();
    for name in ["outer.html", "child.html"] {
        let err = sandbox.render(name, &context).unwrap_err();
        assert_eq!(err.cap(), Some(Cap::Iterations), "{name}: {err:?}");
    }
    // A loop that runs once over the caller's data is not charged.
    let tight = Sandbox::builder()
        .caps(Caps::default().max_iterations(10))
        .template("once.html", "{% for x in items %}{% endfor %}done")
        .build()
        .unwrap();
    assert_eq!(tight.render("once.html", &context).unwrap(), "done");
}
