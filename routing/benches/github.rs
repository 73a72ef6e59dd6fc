//! Routing benchmark on the GitHub REST API v3 route table (239 routes,
//! `benches/github_routes.txt`, a copy of `../shared/bench/github_routes.txt`):
//! carafe-routing beside raw matchit in the same run.
//!
//! ```text
//! cargo bench -p carafe-routing --bench github
//! ```
//!
//! Cases, each over every route of the table per iteration:
//! * `hit`: carafe `MapAdapter::match_path_into` (method check, converters,
//!   typed values; what carafe's App calls) vs matchit `Router::at` reading
//!   the parameters (`matchit`; the raw tree, no method check) and vs
//!   `Router::at` alone (`matchit-at`); `hit-match` is the same match through
//!   `MapAdapter::match_path`, which returns a `Match` by value;
//! * `miss`: a path per route that no rule matches (carafe answers 404 with
//!   Werkzeug's slash and merge rules checked) vs matchit's not-found;
//! * `build`: carafe `url_for(...).build()` vs filling the route template
//!   with `String::replace` (and vs matchit `at`, for scale).
//!
//! After the runs it prints the ratios (carafe / peer) from criterion's
//! estimates, then measures the cases again interleaved
//! (batches of each case in turn, fastest and median batch): on a shared
//! machine the load moves between criterion's consecutive measurements,
//! which moves its ratios; the interleaved ratios stay put.
//!
//! `CARAFE_BENCH_LOOP=<case>:<n>` runs one case alone, for profilers (see
//! `profile`); `CARAFE_BENCH_INTERLEAVED=<rounds>` runs the interleaved
//! measurement alone.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use carafe_routing::{Map, Method, Rule, Value, Values};
use criterion::Criterion;

struct Route {
    method: Method,
    /// matchit syntax, as in the table.
    matchit: String,
    /// Werkzeug syntax.
    werkzeug: String,
    endpoint: String,
    /// (name, value) for every parameter.
    params: Vec<(String, String)>,
    /// A concrete path that matches the route.
    path: String,
    /// A path no rule matches.
    miss: String,
}

fn routes() -> Vec<Route> {
    let table = include_str!("github_routes.txt");
    let mut out = Vec::new();
    for line in table.lines().filter(|l| !l.trim().is_empty()) {
        let (method, pattern) = line.split_once(' ').unwrap();
        let mut werkzeug = String::new();
        let mut path = String::new();
        let mut params = Vec::new();
        for (i, seg) in pattern.split('/').enumerate().skip(1) {
            werkzeug.push('/');
            path.push('/');
            if let Some(name) = seg.strip_prefix("{*").and_then(|s| s.strip_suffix('}')) {
                werkzeug.push_str(&format!("<path:{name}>"));
                let value = "heads/feature/x".to_owned();
                path.push_str(&value);
                params.push((name.to_owned(), value));
            } else if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                werkzeug.push_str(&format!("<{name}>"));
                let value = format!("{name}{i}");
                path.push_str(&value);
                params.push((name.to_owned(), value));
            } else {
                werkzeug.push_str(seg);
                path.push_str(seg);
            }
        }
        // Deep misses (three segments more than the route), or early ones
        // for catch-all routes (which take any suffix).
        let miss = if pattern.contains("{*") {
            format!("/zz-none{path}")
        } else {
            format!("{path}/zz/zz/zz")
        };
        out.push(Route {
            method: Method::from_bytes(method.as_bytes()).unwrap(),
            matchit: pattern.to_owned(),
            endpoint: format!("{method} {pattern}"),
            werkzeug,
            params,
            path,
            miss,
        });
    }
    out
}

fn carafe_map(routes: &[Route]) -> Map {
    let mut b = Map::builder();
    for r in routes {
        b.push(Rule::new(&r.werkzeug, &r.endpoint).methods([r.method.clone()]));
    }
    b.build().unwrap()
}

fn matchit_router(routes: &[Route]) -> matchit::Router<usize> {
    let mut router = matchit::Router::new();
    for (i, r) in routes.iter().enumerate() {
        // Routes sharing a path are one entry.
        let _ = router.insert(r.matchit.clone(), i);
    }
    router
}

fn fill_template(r: &Route) -> String {
    let mut url = r.matchit.clone();
    for (name, value) in &r.params {
        url = url
            .replace(&format!("{{*{name}}}"), value)
            .replace(&format!("{{{name}}}"), value);
    }
    url
}

fn bench(c: &mut Criterion) {
    let mut routes = routes();
    let map = carafe_map(&routes);
    let adapter = map.bind("api.github.com").unwrap();
    let router = matchit_router(&routes);
    for r in &mut routes {
        if router.at(&r.miss).is_ok() {
            r.miss = format!("/zz-none{}", r.path);
        }
    }

    // Check what is measured: every hit matches its own rule, every miss is
    // a 404 for both, every build gives back the path.
    for r in &routes {
        let m = adapter.match_path(&r.path, &r.method).unwrap();
        assert_eq!(m.endpoint(), r.endpoint);
        let mut values = Values::new();
        let rule = adapter
            .match_path_into(&r.path, &r.method, &mut values)
            .unwrap();
        assert_eq!((rule.endpoint(), &values), (m.endpoint(), m.values()));
        assert!(router.at(&r.path).is_ok());
        assert!(
            adapter.match_path(&r.miss, &r.method).is_err(),
            "{}",
            r.miss
        );
        assert!(router.at(&r.miss).is_err());
        let mut url = adapter.url_for(&r.endpoint);
        for (k, v) in &r.params {
            url = url.value(k.as_str(), v.as_str());
        }
        assert_eq!(url.build().unwrap(), r.path);
        assert_eq!(fill_template(r), r.path);
    }

    let mut g = c.benchmark_group("hit");
    g.bench_function("carafe", |b| {
        b.iter(|| {
            for r in &routes {
                let mut values = Values::new();
                let rule = adapter
                    .match_path_into(black_box(&r.path), &r.method, &mut values)
                    .unwrap();
                black_box((rule, values.len()));
            }
        });
    });
    g.bench_function("carafe-match", |b| {
        b.iter(|| {
            for r in &routes {
                let m = adapter.match_path(black_box(&r.path), &r.method).unwrap();
                black_box(m.values().len());
            }
        });
    });
    g.bench_function("matchit", |b| {
        b.iter(|| {
            for r in &routes {
                let m = router.at(black_box(&r.path)).unwrap();
                for (k, v) in m.params.iter() {
                    black_box((k, v));
                }
                black_box(m.value);
            }
        });
    });
    g.bench_function("matchit-at", |b| {
        b.iter(|| {
            for r in &routes {
                let m = router.at(black_box(&r.path)).unwrap();
                black_box((m.value, m.params.len()));
            }
        });
    });
    g.finish();

    let mut g = c.benchmark_group("miss");
    g.bench_function("carafe", |b| {
        b.iter(|| {
            for r in &routes {
                black_box(adapter.match_path(black_box(&r.miss), &r.method).is_err());
            }
        });
    });
    g.bench_function("matchit", |b| {
        b.iter(|| {
            for r in &routes {
                black_box(router.at(black_box(&r.miss)).is_err());
            }
        });
    });
    g.finish();

    let mut g = c.benchmark_group("build");
    g.bench_function("carafe", |b| {
        b.iter(|| {
            for r in &routes {
                let mut url = adapter.url_for(r.endpoint.as_str());
                for (k, v) in &r.params {
                    url = url.value(k.as_str(), Value::from(v.as_str()));
                }
                black_box(url.build().unwrap());
            }
        });
    });
    g.bench_function("template", |b| {
        b.iter(|| {
            for r in &routes {
                black_box(fill_template(black_box(r)));
            }
        });
    });
    g.finish();
}

/// Criterion's mean estimate for a case measured by this run (`since` its
/// start; a filtered run leaves older estimates of other cases behind).
fn estimate(
    dir: &std::path::Path,
    group: &str,
    name: &str,
    since: std::time::SystemTime,
) -> Option<f64> {
    let file = dir.join(group).join(name).join("new/estimates.json");
    if std::fs::metadata(&file).ok()?.modified().ok()? < since {
        return None;
    }
    let text = std::fs::read_to_string(file).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["mean"]["point_estimate"].as_f64()
}

/// `CARAFE_BENCH_LOOP=<case>:<n>`: runs one case's loop `n` times over the
/// table and exits, without criterion (for `valgrind --tool=callgrind
/// --toggle-collect=*profile_loop*`, whose instruction counts are stable on
/// a shared machine). Cases: `hit`, `hit-match`, `matchit`, `matchit-at`, `miss`,
/// `matchit-miss`, `build`, `template`.
fn profile(spec: &str) {
    let (case, n) = spec.split_once(':').unwrap_or((spec, "1000"));
    let n: usize = n.parse().expect("CARAFE_BENCH_LOOP=<case>:<count>");
    let routes = routes();
    let map = carafe_map(&routes);
    let adapter = map.bind("api.github.com").unwrap();
    let router = matchit_router(&routes);
    let sum = profile_loop(case, n, &routes, &adapter, &router);
    println!("{case} x {n} over {} routes: {sum}", routes.len());
}

#[inline(never)]
fn profile_loop(
    case: &str,
    n: usize,
    routes: &[Route],
    adapter: &carafe_routing::MapAdapter<'_>,
    router: &matchit::Router<usize>,
) -> usize {
    // Generic, so each case's loop is compiled on its own (no dynamic call
    // per route to blur the ratios).
    fn each(n: usize, routes: &[Route], mut f: impl FnMut(&Route) -> usize) -> usize {
        let mut sum = 0;
        for _ in 0..n {
            for r in routes {
                sum += f(r);
            }
        }
        sum
    }
    match case {
        "hit" => each(n, routes, |r| {
            let mut values = Values::new();
            let rule = adapter
                .match_path_into(black_box(&r.path), &r.method, &mut values)
                .unwrap();
            black_box((rule, values.len())).1
        }),
        "hit-match" => each(n, routes, |r| {
            let m = adapter.match_path(black_box(&r.path), &r.method).unwrap();
            black_box(m.values().len())
        }),
        "matchit" => each(n, routes, |r| {
            let m = router.at(black_box(&r.path)).unwrap();
            for (k, v) in m.params.iter() {
                black_box((k, v));
            }
            *black_box(m.value)
        }),
        "matchit-at" => each(n, routes, |r| {
            let m = router.at(black_box(&r.path)).unwrap();
            black_box((m.value, m.params.len())).1
        }),
        "miss" => each(n, routes, |r| {
            usize::from(black_box(
                adapter.match_path(black_box(&r.miss), &r.method).is_err(),
            ))
        }),
        "matchit-miss" => each(n, routes, |r| {
            usize::from(black_box(router.at(black_box(&r.miss)).is_err()))
        }),
        "build" => each(n, routes, |r| {
            let mut url = adapter.url_for(r.endpoint.as_str());
            for (k, v) in &r.params {
                url = url.value(k.as_str(), Value::from(v.as_str()));
            }
            black_box(url.build().unwrap()).len()
        }),
        "template" => each(n, routes, |r| black_box(fill_template(black_box(r))).len()),
        other => panic!("unknown case {other}"),
    }
}

/// The same comparisons as criterion's, measured interleaved: `rounds`
/// rounds, each timing one batch (`batch` passes over the table) of every
/// case in turn, from a different first case each round. Each case keeps its fastest batch and its median batch:
/// on a shared machine the load changes between criterion's consecutive
/// measurements, while here every case sees the same moments.
fn interleaved(rounds: usize, batch: usize) {
    let routes = routes();
    let map = carafe_map(&routes);
    let adapter = map.bind("api.github.com").unwrap();
    let router = matchit_router(&routes);
    // The same seven cases as when the issue's ratios were first recorded
    // (every case added to the rotation cools the caches of the others).
    let cases = [
        "hit",
        "matchit",
        "matchit-at",
        "miss",
        "matchit-miss",
        "build",
        "template",
    ];
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); cases.len()];
    for round in 0..rounds {
        // Each round starts with another case: no case always runs right
        // after the one that warmed the caches for it (the paths are shared).
        for k in 0..cases.len() {
            let i = (round + k) % cases.len();
            let start = std::time::Instant::now();
            black_box(profile_loop(cases[i], batch, &routes, &adapter, &router));
            times[i].push(start.elapsed().as_secs_f64() * 1e9 / (batch * routes.len()) as f64);
        }
    }
    let stat = |case: &str| {
        let i = cases.iter().position(|c| *c == case).unwrap();
        let mut t = times[i].clone();
        t.sort_by(f64::total_cmp);
        (t[0], t[t.len() / 2])
    };
    println!(
        "\ninterleaved ({rounds} rounds of {batch} passes; fastest batch, median batch in brackets):"
    );
    for (ours, peer) in [
        ("hit", "matchit"),
        ("hit", "matchit-at"),
        ("miss", "matchit-miss"),
        ("build", "template"),
    ] {
        let (a, am) = stat(ours);
        let (b, bm) = stat(peer);
        println!(
            "  {ours:<6} carafe {a:>7.1} ns/route  {peer:<12} {b:>7.1} ns/route  ratio {:.2}x ({:.2}x)",
            a / b,
            am / bm
        );
    }
}

fn main() {
    if let Some(spec) = std::env::var_os("CARAFE_BENCH_LOOP") {
        profile(&spec.to_string_lossy());
        return;
    }
    if let Some(rounds) = std::env::var_os("CARAFE_BENCH_INTERLEAVED") {
        let rounds = rounds
            .to_string_lossy()
            .parse()
            .expect("CARAFE_BENCH_INTERLEAVED=<rounds>");
        interleaved(rounds, 10);
        return;
    }
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
        .join("criterion");
    let mut c = Criterion::default()
        .output_directory(&dir)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
        .configure_from_args();
    let since = std::time::SystemTime::now();
    bench(&mut c);
    c.final_summary();

    let n = routes().len() as f64;
    println!("\nratios over the {n} routes of the GitHub table (carafe / peer, same run):");
    for (group, ours, peer) in [
        ("hit", "carafe", "matchit"),
        ("hit", "carafe", "matchit-at"),
        ("hit", "carafe-match", "matchit-at"),
        ("miss", "carafe", "matchit"),
        ("build", "carafe", "template"),
    ] {
        match (
            estimate(&dir, group, ours, since),
            estimate(&dir, group, peer, since),
        ) {
            (Some(a), Some(b)) => println!(
                "  {group:<6} {ours:<12} {:>7.1} ns/route  {peer:<10} {:>7.1} ns/route  ratio {:.2}x",
                a / n,
                b / n,
                a / b
            ),
            _ => println!("  {group:<6} {ours} (not measured in this run)"),
        }
    }
    if let (Some(build), Some(hit)) = (
        estimate(&dir, "build", "carafe", since),
        estimate(&dir, "hit", "matchit", since),
    ) {
        println!("  build  carafe / matchit hit: {:.2}x", build / hit);
    }
    interleaved(500, 10);
}
