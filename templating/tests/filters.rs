//! The Jinja2 filters Carafe adds, compared with outputs recorded from Jinja2 3.1
//! (`tests/jinja2/gen_cases.py` writes `tests/fixtures/jinja2-cases.json`).

use carafe_templating::data::{Format, context_from_value, parse_value};
use carafe_templating::{Context, Environment};

#[test]
fn filters_match_jinja2() {
    // Parsed in document order: Jinja2 iterates dicts in insertion order.
    let fixture = parse_value(Format::Json, include_str!("fixtures/jinja2-cases.json")).unwrap();
    let cases = fixture
        .get_from_path("cases")
        .and_then(|c| c.as_array())
        .unwrap();
    assert!(cases.len() > 50, "the fixture has all cases");
    let mut failures = Vec::new();
    for case in cases {
        let field = |name: &str| case.get_from_path(name).unwrap().clone();
        let name = field("name").as_str().unwrap().to_string();
        let escaped = field("autoescape").as_bool() == Some(true);
        let template = format!("{name}.{}", if escaped { "html" } else { "txt" });
        let env = match Environment::builder()
            .template(&template, field("tera").as_str().unwrap())
            .build()
        {
            Ok(env) => env,
            Err(e) => {
                failures.push(format!("{name}: does not load: {e}"));
                continue;
            }
        };
        let context = context_from_value(field("context")).unwrap();
        let expected = field("expected");
        let expected = expected.as_str().unwrap();
        match env.render(&template, &context) {
            Ok(out) if out == expected => {}
            Ok(out) => failures.push(format!(
                "{name}:\n  jinja2: {expected:?}\n  carafe: {out:?}"
            )),
            Err(e) => failures.push(format!("{name}: {}", e.report())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn filter_errors_are_clear() {
    let env = Environment::builder()
        .template("a.txt", "{{ 'x' | date }}")
        .template("b.txt", "{{ 'x' | wordwrap(width=0) }}")
        .template("c.txt", "{{ [1] | batch(linecount=0) }}")
        .template("d.txt", "{{ '%d' | format(args=['x']) }}")
        .template("e.txt", "{{ '%s %s' | format(args=[1]) }}")
        .template("f.txt", "{{ 3 | dictsort }}")
        .template("g.txt", "{{ [1] | select(test='nope') }}")
        .template("h.txt", "{{ {'a b': 1} | xmlattr }}")
        .build()
        .unwrap();
    let expectations = [
        ("a.txt", "date: `x` is not an ISO 8601 date or date-time"),
        ("b.txt", "wordwrap: invalid width 0"),
        ("c.txt", "batch: linecount must be at least 1"),
        ("d.txt", "format: %d needs a number"),
        ("e.txt", "format: not enough arguments"),
        ("f.txt", "dictsort expects a map"),
        ("g.txt", "unknown test `nope`"),
        ("h.txt", "xmlattr: invalid character in attribute name"),
    ];
    for (name, needle) in expectations {
        let err = env.render(name, &Context::new()).unwrap_err();
        assert!(err.to_string().contains(needle), "{name}: {err}");
        assert_eq!(err.location().unwrap().line(), 1, "{name}");
    }
}

#[test]
fn jinja_filters_can_be_left_out() {
    let err = Environment::builder()
        .jinja_filters(false)
        .template("a.txt", "{{ x | tojson }}")
        .build()
        .unwrap_err();
    assert!(
        err.to_string().starts_with("unknown filter `tojson`"),
        "{err}"
    );
}
