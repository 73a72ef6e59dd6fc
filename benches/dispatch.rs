//! App dispatch beside bare routing + handler, in the same run.
//!
//! ```text
//! cargo bench -p carafe --bench dispatch
//! ```
//!
//! Both sides serve the bench app's routes (`../shared/bench/SPEC.md`):
//! the 239 routes of the GitHub REST API table
//! (`routing/benches/github_routes.txt`) plus `/plaintext` and
//! `/users/<int:id>/posts/<slug>`. Each iteration builds the `Request` a
//! server would hand over and gets the finished `Response`:
//!
//! * `bare`: `Map::bind_to_host` + `match_path`, the endpoint's handler
//!   found in a `HashMap` and called with the request and values, the
//!   default error page for misses, `prepare_for` — the least a framework
//!   can do;
//! * `app`: `App::handle` — limits, the per-request context, routing, the
//!   handler (extractors and typed values through `#[route]`-style code),
//!   the error path, hooks (none), session (untouched), `prepare_for`.
//!
//! It prints the ratios (app / bare) from criterion's estimates at the end.
//! On a shared machine those move by tens of percent from run to run; the
//! instruction counts do not. With `DISPATCH_LOOP="app /plaintext 3000"`
//! (or `bare`, or `request` for building requests alone) the binary runs
//! that loop and exits, for `valgrind --tool=callgrind`: the difference of
//! two loop lengths divided by the difference of iterations is the count
//! per request (see the crate docs for the numbers).

use std::collections::HashMap;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use carafe::prelude::*;
use carafe::routing::{Map, Rule};
use carafe::wrappers::{Application, Request, Response};
use criterion::Criterion;

/// The table's routes in Werkzeug syntax: (method, rule, endpoint).
fn table() -> Vec<(Method, String, String)> {
    let text = include_str!("../routing/benches/github_routes.txt");
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let (method, pattern) = line.split_once(' ').unwrap();
            let rule: Vec<String> = pattern
                .split('/')
                .map(|segment| {
                    if let Some(name) = segment.strip_prefix("{*").and_then(|s| s.strip_suffix('}'))
                    {
                        format!("<path:{name}>")
                    } else if let Some(name) =
                        segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'))
                    {
                        format!("<{name}>")
                    } else {
                        segment.to_owned()
                    }
                })
                .collect();
            (
                Method::from_bytes(method.as_bytes()).unwrap(),
                rule.join("/"),
                format!("{method} {pattern}"),
            )
        })
        .collect()
}

fn ok(_: &Request, _: &Values<'_>) -> Response {
    Response::text("ok")
}

fn plaintext(_: &Request, _: &Values<'_>) -> Response {
    Response::text("Hello, World!")
}

fn user_post(_: &Request, values: &Values<'_>) -> Response {
    let id: i64 = values.get_as("id").unwrap_or_default();
    let slug: String = values.get_as("slug").unwrap_or_default();
    Response::text(format!("user {id} post {slug}"))
}

type Bare = fn(&Request, &Values<'_>) -> Response;

fn bare_app() -> (Map, HashMap<String, Bare>) {
    let mut map = Map::builder();
    let mut handlers: HashMap<String, Bare> = HashMap::new();
    for (method, rule, endpoint) in table() {
        map.push(Rule::new(rule, endpoint.clone()).methods([method]));
        handlers.insert(endpoint, ok);
    }
    map.push(Rule::new("/plaintext", "plaintext").methods([Method::GET]));
    handlers.insert("plaintext".into(), plaintext);
    map.push(Rule::new("/users/<int:id>/posts/<slug>", "user_post").methods([Method::GET]));
    handlers.insert("user_post".into(), user_post);
    (map.build().unwrap(), handlers)
}

fn bare(map: &Map, handlers: &HashMap<String, Bare>, request: Request) -> Response {
    let adapter = map
        .bind_to_host(request.host(), request.scheme().as_str())
        .unwrap()
        .with_script_root(request.script_root())
        .with_query(request.query_string());
    let mut response = match adapter.match_path(request.path_info(), request.method()) {
        Ok(matched) => handlers[matched.endpoint()](&request, matched.values()),
        // Flask's default error page, as the app renders it.
        Err(error) => HttpError::new(error.status()).into_response_for(&request),
    };
    response.prepare_for(request.method());
    response
}

#[get("/plaintext")]
fn app_plaintext() -> &'static str {
    "Hello, World!"
}

#[get("/users/<int:id>/posts/<slug>")]
fn app_user_post(id: i64, slug: String) -> String {
    format!("user {id} post {slug}")
}

fn app() -> App {
    let mut builder = App::builder();
    for (method, rule, endpoint) in table() {
        builder = builder.add_url_rule(Rule::new(rule, endpoint).methods([method]), ok);
    }
    builder
        .register(app_plaintext)
        .register(app_user_post)
        .build()
}

const CASES: [(&str, &str); 4] = [
    ("plaintext", "/plaintext"),
    ("users", "/users/42/posts/hello-world"),
    ("issue", "/repos/pallets/flask/issues/1234"),
    ("miss", "/repos/pallets/flask/nothing-here/x"),
];

fn bench(c: &mut Criterion) {
    let (map, handlers) = bare_app();
    let app = app();
    for (_, path) in CASES {
        let a = bare(&map, &handlers, Request::get(path));
        let b = app.handle(Request::get(path));
        assert_eq!(a.status(), b.status(), "{path}");
        assert_eq!(
            format!("{:?}", a.body()),
            format!("{:?}", b.body()),
            "{path}"
        );
    }
    for (name, path) in CASES {
        let mut group = c.benchmark_group(name);
        group.bench_function("bare", |b| {
            b.iter(|| black_box(bare(&map, &handlers, Request::get(black_box(path)))));
        });
        group.bench_function("app", |b| {
            b.iter(|| black_box(app.handle(Request::get(black_box(path)))));
        });
        group.finish();
    }
}

fn estimate(dir: &std::path::Path, group: &str, name: &str) -> Option<f64> {
    let text =
        std::fs::read_to_string(dir.join(group).join(name).join("new/estimates.json")).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value["mean"]["point_estimate"].as_f64()
}

/// `DISPATCH_LOOP="<app|bare|request> <path> <iterations>"`: one plain
/// loop, for instruction counting.
fn run_loop(spec: &str) {
    let parts: Vec<&str> = spec.split_whitespace().collect();
    let [which, path, count] = parts[..] else {
        panic!("DISPATCH_LOOP wants \"<app|bare|request> <path> <iterations>\"");
    };
    let count: usize = count.parse().expect("a number of iterations");
    let (map, handlers) = bare_app();
    let app = app();
    for _ in 0..count {
        match which {
            "app" => drop(black_box(app.handle(Request::get(black_box(path))))),
            "bare" => drop(black_box(bare(
                &map,
                &handlers,
                Request::get(black_box(path)),
            ))),
            _ => drop(black_box(Request::get(black_box(path)))),
        }
    }
}

fn main() {
    if let Ok(spec) = std::env::var("DISPATCH_LOOP") {
        run_loop(&spec);
        return;
    }
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
        .join("criterion");
    let mut c = Criterion::default()
        .output_directory(&dir)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30)
        .configure_from_args();
    bench(&mut c);
    c.final_summary();
    println!("\nApp dispatch beside bare routing + handler (same run):");
    for (name, _) in CASES {
        match (estimate(&dir, name, "app"), estimate(&dir, name, "bare")) {
            (Some(app), Some(bare)) => println!(
                "  {name:<10} app {app:>7.0} ns  bare {bare:>7.0} ns  ratio {:.2}x",
                app / bare
            ),
            _ => println!("  {name:<10} (not measured in this run)"),
        }
    }
}
