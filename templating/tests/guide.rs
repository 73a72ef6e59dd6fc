//! The Jinja2 guide's Tera 2 examples (`docs/jinja2.md`) render as the guide says.

use carafe_templating::{Context, Environment, MemoryLoader};

fn render(templates: &[(&str, &str)], name: &str, data: serde_json::Value) -> String {
    let loader: MemoryLoader = templates.iter().copied().collect();
    let env = Environment::builder().loader(loader).build().unwrap();
    env.render(name, &Context::from_serialize(&data).unwrap())
        .unwrap()
}

#[test]
fn macros_become_components() {
    let ui = "{% component ui.button(label, kind=\"primary\") %}<button class=\"{{ kind }}\">{{ label }}</button>{% endcomponent ui.button %}\
              {% component ui.card(title) %}<div><h2>{{ title }}</h2>{{ body }}</div>{% endcomponent ui.card %}";
    let page = "{{<ui.button label=\"Save\" />}}|{{<ui.button label={user.name} kind=\"danger\" />}}|\
                {% <ui.card title=\"Title\"> %}<p>inside</p>{% </ui.card> %}";
    let out = render(
        &[("ui.html", ui), ("page.html", page)],
        "page.html",
        serde_json::json!({"user": {"name": "Ada"}}),
    );
    assert_eq!(
        out,
        "<button class=\"primary\">Save</button>|<button class=\"danger\">Ada</button>|<div><h2>Title</h2><p>inside</p></div>"
    );
}

#[test]
fn loops_and_sets() {
    let page = "{% for x in xs %}{{ loop.length - loop.index0 }}{{ [\"a\", \"b\"][loop.index0 % 2] }} {% else %}empty{% endfor %}|\
                {% for x in xs | selectattr(attribute=\"ok\") %}{{ x.n }}{% endfor %}|{{ [x.n for x in xs if x.ok] }}|\
                {% set_global total = 0 %}{% for x in xs %}{% set_global total = total + x.n %}{% endfor %}{{ total }}|\
                {% for k, v in d %}{{ k }}={{ v }};{% endfor %}|{% set s | upper %}shout{% endset %}{{ s }}|\
                {% for p in d | dictsort %}{{ p[0] }}{% endfor %}";
    let data = serde_json::json!({"xs": [{"n": 1, "ok": true}, {"n": 2, "ok": false}, {"n": 3, "ok": true}], "d": {"b": 1, "a": 2}});
    assert_eq!(
        render(&[("p.txt", page)], "p.txt", data),
        "3a 2b 1a |13|[1, 3]|6|a=2;b=1;|SHOUT|ab"
    );
}

#[test]
fn expressions() {
    let page = "{{ user?.address?.city | default(value=\"-\") }}|{{ [...xs, 4] }}|{% set m2 = {...m, \"k\": 2} %}{{ m2.k }}|\
                {{ range(start=1, end=10, step_by=4) }}|{{ \"yes\" if xs else \"no\" }}|{{ xs[1:] }}|{{ true }}{{ none }}";
    let data = serde_json::json!({"user": {"name": "Ada"}, "xs": [1, 2, 3], "m": {"k": 1}});
    assert_eq!(
        render(&[("p.txt", page)], "p.txt", data),
        "-|[1, 2, 3, 4]|2|[1, 5, 9]|yes|[2, 3]|true"
    );
}

#[test]
fn inheritance_and_filters_by_name() {
    let base = "<title>{% block title %}Site{% endblock title %}</title>";
    let page = "{% extends \"base.html\" %}{% block title %}{{ super() }} - {{ t | replace(from=\"a\", to=\"o\") | truncate(length=5) }}{% endblock title %}";
    let out = render(
        &[("base.html", base), ("page.html", page)],
        "page.html",
        serde_json::json!({"t": "banana bread"}),
    );
    assert_eq!(out, "<title>Site - bonon…</title>");
    let tests = "{{ 9 is divisible_by(divisor=3) }} {{ 'abc' is starting_with(pat='a') }} {{ {} is map }} {{ [] is array }}";
    assert_eq!(
        render(&[("t.txt", tests)], "t.txt", serde_json::json!({})),
        "true true true true"
    );
}
