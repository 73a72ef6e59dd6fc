//! Isolated mode: renders in warm worker processes (the `carafe-render` binary) under
//! hard CPU, memory and wall-clock limits; every death is a typed error naming the
//! limit, and the pool keeps serving.

use std::time::{Duration, Instant};

use carafe_templating::isolated::{IsolatedRenderer, ProcessLimits};
use carafe_templating::sandbox::{Caps, Sandbox};
use carafe_templating::{Cap, Context, Error, ForbiddenKind};
use serde_json::json;

const WORKER: &str = env!("CARGO_BIN_EXE_carafe-render");

/// Caps so loose that only the process limits can stop a runaway template.
fn loose_caps() -> Caps {
    Caps::default()
        .max_iterations(u64::MAX)
        .max_render_time(Duration::from_secs(3600))
        .max_string_bytes(u64::MAX)
        .max_output_bytes(u64::MAX)
}

/// A 1 MiB string, then one expression that concatenates it 256 times (a balanced
/// tree of `~`, within Tera's 256-operation limit): 256 MiB built inside a single
/// expression, where no in-process hook runs. Needs about 512 MiB at its peak.
fn expression_bomb() -> String {
    fn tree(depth: u32) -> String {
        if depth == 0 {
            "s".to_string()
        } else {
            format!("({} ~ {})", tree(depth - 1), tree(depth - 1))
        }
    }
    format!(
        "{{% set s = '0123456789abcdef' %}}{{% for i in range(end=16) %}}{{% set_global s = s ~ s %}}{{% endfor %}}{{% if {} %}}built{{% endif %}}",
        tree(8)
    )
}

fn renderer(templates: &[(&str, &str)], caps: Caps, limits: ProcessLimits) -> IsolatedRenderer {
    templates
        .iter()
        .fold(IsolatedRenderer::builder(), |b, (name, source)| {
            b.template(*name, *source)
        })
        .template("ok.html", "ok {{ name }}")
        .caps(caps)
        .limits(limits)
        .program(WORKER, ["--serve-isolated"])
        .workers(2)
        .build()
        .unwrap()
}

/// The error of a render that must fail (without printing a huge page if it did not).
fn failure(result: Result<String, Error>) -> Error {
    match result {
        Ok(page) => panic!("rendered {} bytes: {:.100}", page.len(), page),
        Err(error) => error,
    }
}

fn still_serves(renderer: &IsolatedRenderer) {
    assert_eq!(
        renderer
            .render("ok.html", &json!({"name": "<ada>"}))
            .unwrap(),
        "ok &lt;ada&gt;"
    );
}

#[test]
fn renders_the_same_as_in_process_and_in_parallel() {
    let template = "<ul>{% for u in users %}<li>{{ u.name | title }} {{ u.tags | join(sep=',') }}</li>{% endfor %}</ul>";
    let data =
        json!({"users": [{"name": "ada <l>", "tags": ["a", "b"]}, {"name": "bob", "tags": []}]});
    let isolated = renderer(
        &[("list.html", template)],
        Caps::default(),
        ProcessLimits::default(),
    );
    let sandbox = Sandbox::builder()
        .template("list.html", template)
        .build()
        .unwrap();
    let expected = sandbox
        .render("list.html", &Context::from_serialize(&data).unwrap())
        .unwrap();
    assert_eq!(isolated.render("list.html", &data).unwrap(), expected);
    let outputs: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    (0..20)
                        .map(|_| isolated.render("list.html", &data).unwrap())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(outputs.len(), 80);
    assert!(outputs.iter().all(|o| o == &expected));
}

#[test]
fn data_keeps_its_order_and_types() {
    let isolated = renderer(
        &[(
            "d.txt",
            "{% for k, v in m %}{{ k }}={{ v }};{% endfor %}{{ f }} {{ b }} {{ n }}",
        )],
        Caps::default(),
        ProcessLimits::default(),
    );
    #[derive(serde::Serialize)]
    struct Data {
        m: std::collections::BTreeMap<&'static str, i32>,
        f: f64,
        b: bool,
        n: Option<i32>,
    }
    let data = Data {
        m: [("z", 1), ("a", 2)].into_iter().collect(),
        f: 1.5,
        b: true,
        n: None,
    };
    assert_eq!(
        isolated.render("d.txt", &data).unwrap(),
        "a=2;z=1;1.5 true "
    );
}

#[test]
fn sandbox_errors_come_back_typed_with_their_location() {
    let isolated = renderer(
        &[(
            "loop.html",
            "line\n{% for i in range(end=10000) %}{% for j in range(end=10000) %}{% endfor %}{% endfor %}",
        )],
        Caps::default(),
        ProcessLimits::default(),
    );
    let err = isolated.render("loop.html", &json!({})).unwrap_err();
    assert_eq!(err.cap(), Some(Cap::Iterations));
    assert_eq!(err.location().unwrap().line(), 2);
    let err = isolated.render("missing.html", &json!({})).unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    still_serves(&isolated);
}

#[test]
fn template_errors_are_reported_when_building() {
    let err = IsolatedRenderer::builder()
        .template("a.html", "{{ __tera_context }}")
        .program(WORKER, ["--serve-isolated"])
        .build()
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Forbidden {
                kind: ForbiddenKind::Name,
                ..
            }
        ),
        "{err:?}"
    );
    let err = IsolatedRenderer::builder()
        .template("a.html", "\n{{ x | uper }}")
        .program(WORKER, ["--serve-isolated"])
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown filter `uper` (did you mean `upper`?) at a.html:2:8"
    );
}

#[test]
fn the_cpu_limit_stops_a_loop_that_writes_nothing() {
    let isolated = renderer(
        &[(
            "spin.html",
            "{% for a in range(end=10000) %}{% for b in range(end=10000) %}{% for c in range(end=10000) %}{% endfor %}{% endfor %}{% endfor %}",
        )],
        loose_caps().max_collection_items(20_000),
        // The wall clock is far away: on a loaded machine one CPU second can take many.
        ProcessLimits::default()
            .cpu_time(Duration::from_secs(1))
            .wall_time(Duration::from_secs(300)),
    );
    let err = failure(isolated.render("spin.html", &json!({})));
    assert_eq!(err.cap(), Some(Cap::CpuTime), "{err:?}");
    assert_eq!(
        err.to_string(),
        "process limit `cpu_time` exceeded (limit: 1000 ms)"
    );
    still_serves(&isolated);
}

#[test]
fn the_memory_limit_stops_a_string_that_doubles_inside_one_expression() {
    let isolated = renderer(
        &[("bomb.html", &expression_bomb())],
        loose_caps(),
        ProcessLimits::default()
            .memory_bytes(256 << 20)
            .wall_time(Duration::from_secs(60)),
    );
    let err = failure(isolated.render("bomb.html", &json!({})));
    assert_eq!(err.cap(), Some(Cap::Memory), "{err:?}");
    still_serves(&isolated);
}

#[test]
fn the_wall_clock_kills_a_slow_render() {
    let isolated = renderer(
        &[(
            "slow.html",
            "{% for a in range(end=10000) %}{% for b in range(end=10000) %}{% for c in range(end=10000) %}{% endfor %}{% endfor %}{% endfor %}",
        )],
        loose_caps().max_collection_items(20_000),
        ProcessLimits::default()
            .cpu_time(Duration::from_secs(60))
            .wall_time(Duration::from_millis(300)),
    );
    let started = Instant::now();
    let err = failure(isolated.render("slow.html", &json!({})));
    assert_eq!(err.cap(), Some(Cap::WallClock), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    still_serves(&isolated);
}

#[test]
fn the_attack_families_through_isolated_mode() {
    let bomb = expression_bomb();
    let payloads: &[(&str, &str, Cap)] = &[
        (
            "loop",
            "{% for i in range(end=10000) %}{% for j in range(end=10000) %}{% endfor %}{% endfor %}",
            Cap::Iterations,
        ),
        (
            "doubling",
            "{% set s = 'ab' %}{% for i in range(end=64) %}{% set_global s = s ~ s %}{% endfor %}",
            Cap::StringLength,
        ),
        (
            "recursion",
            "{% component r(n) %}{{<r n={n + 1} />}}{% endcomponent r %}{{<r n={0} />}}",
            Cap::RecursionDepth,
        ),
        (
            "output",
            "{% set s = '0123456789' %}{% for i in range(end=5) %}{% set_global s = s ~ s %}{% endfor %}{% for i in range(end=10000) %}{{ s }}{% endfor %}",
            Cap::OutputSize,
        ),
        ("expression-bomb", &bomb, Cap::Memory),
    ];
    let templates: Vec<(&str, &str)> = payloads.iter().map(|(n, s, _)| (*n, *s)).collect();
    let isolated = renderer(
        &templates,
        Caps::default(),
        ProcessLimits::default()
            .memory_bytes(256 << 20)
            .wall_time(Duration::from_secs(50)),
    );
    for (name, _, cap) in payloads {
        let started = Instant::now();
        let err = failure(isolated.render(name, &json!({})));
        assert_eq!(err.cap(), Some(*cap), "{name}: {err:?}");
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{name}: {:?}",
            started.elapsed()
        );
        still_serves(&isolated);
    }
}

#[test]
fn allow_lists_cross_the_process_boundary() {
    let err = IsolatedRenderer::builder()
        .template("a.html", "{{ x | upper }}")
        .deny_filter("upper")
        .program(WORKER, ["--serve-isolated"])
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, Error::Forbidden { kind: ForbiddenKind::Filter, name, .. } if name == "upper"),
        "{err:?}"
    );
    let isolated = IsolatedRenderer::builder()
        .template("a.txt", "{{ x | lower }}")
        .allow_filters(["lower"])
        .program(WORKER, ["--serve-isolated"])
        .build()
        .unwrap();
    assert_eq!(
        isolated.render("a.txt", &json!({"x": "ABC"})).unwrap(),
        "abc"
    );
}

#[test]
fn a_missing_worker_program_is_an_error() {
    let err = IsolatedRenderer::builder()
        .template("a.txt", "x")
        .program("/nonexistent/carafe-worker", Vec::<String>::new())
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, Error::Worker { message } if message.contains("cannot start")),
        "{err:?}"
    );
}

#[test]
fn a_worker_fed_garbage_exits_with_an_error_not_a_signal() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    for input in [
        &b""[..],
        b"garbage",
        &[0xff, 0xff, 0xff, 0xff, 1][..],
        &[0, 0, 0, 3, 1, b'{', b'x'][..],
    ] {
        let mut child = Command::new(WORKER)
            .env(carafe_templating::isolated::WORKER_ENV, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(3), "{input:?}: {output:?}");
        assert!(String::from_utf8_lossy(&output.stderr).starts_with("carafe-templating worker: "));
    }
}

#[test]
fn enormous_limits_mean_no_limit() {
    let isolated = renderer(
        &[("a.txt", "{{ 1 + 1 }}")],
        Caps::default().max_render_time(Duration::MAX),
        ProcessLimits::default()
            .cpu_time(Duration::MAX)
            .wall_time(Duration::MAX)
            .memory_bytes(u64::MAX),
    );
    assert_eq!(isolated.render("a.txt", &json!({})).unwrap(), "2");
}
