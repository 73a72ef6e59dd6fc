//! Rendering cost of the Environment, the in-process sandbox and isolated mode, each
//! beside raw Tera 2 in the same run, on template-benchmarks-rs' `big-table` (100x100)
//! and `teams`, and the bench spec's `fortunes`.
//!
//! ```sh
//! cargo bench -p carafe-templating --bench render
//! ```
//!
//! Raw Tera is configured as the Environment is (MarkupSafe escaper, same templates,
//! autoescape on `.html`), so the ratio is the cost of the layer alone. After the
//! criterion groups, an interleaved run (batches of each variant in turn for three
//! seconds, the best batch of each kept, as `timeit` does) gives figures that a busy
//! machine disturbs much less; both are printed.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use carafe_templating::isolated::{IsolatedRenderer, ProcessLimits};
use carafe_templating::sandbox::Sandbox;
use carafe_templating::tera::Tera;
use carafe_templating::{Context, Environment, MemoryLoader, escape_markupsafe};
use criterion::Criterion;
use serde::Serialize;

const BIG_TABLE: &str = "<table>\n{% for row in table %}\n<tr>{% for col in row %}<td>{{ col }}</td>{% endfor %}</tr>\n{% endfor %}\n</table>";

const TEAMS: &str = "<html>\n  <head>\n    <title>{{ year }}</title>\n  </head>\n  <body>\n    <h1>CSL {{ year }}</h1>\n    <ul>\n    {% for team in teams %}\n      <li class=\"{% if loop.first %}champion{% endif %}\">\n      <b>{{ team.name }}</b>: {{ team.score }}\n      </li>\n    {% endfor %}\n    </ul>\n  </body>\n</html>";

const BASE: &str = include_str!("../tests/fixtures/bench/base.html");
const FORTUNES: &str = include_str!("../tests/fixtures/bench/fortunes.html");

#[derive(Serialize)]
struct Team {
    name: String,
    score: u8,
}

#[derive(Serialize)]
struct Fortune {
    id: i32,
    message: String,
}

/// One benchmark case: a template and its data.
struct Case {
    name: &'static str,
    #[allow(dead_code)]
    template: &'static str,
    data: serde_json::Value,
}

fn cases() -> Vec<Case> {
    let table: Vec<Vec<usize>> = (0..100).map(|_| (0..100).collect()).collect();
    let teams = vec![
        Team {
            name: "Jiangsu".into(),
            score: 43,
        },
        Team {
            name: "Beijing".into(),
            score: 27,
        },
        Team {
            name: "Guangzhou".into(),
            score: 22,
        },
        Team {
            name: "Shandong".into(),
            score: 12,
        },
    ];
    let mut fortunes: Vec<Fortune> = [
        (1, "fortune: No such file or directory"),
        (
            2,
            "A computer scientist is someone who fixes things that aren't broken.",
        ),
        (3, "After enough decimal places, nobody gives a damn."),
        (
            4,
            "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
        ),
        (
            5,
            "A computer program does what you tell it to do, not what you want it to do.",
        ),
        (
            6,
            "Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen",
        ),
        (7, "Any program that runs right is obsolete."),
        (
            8,
            "A list is only as strong as its weakest link. — Donald Knuth",
        ),
        (9, "Feature: A bug with seniority."),
        (10, "Computers make very fast, very accurate mistakes."),
        (
            11,
            "<script>alert(\"This should not be displayed in a browser alert box.\");</script>",
        ),
        (12, "フレームワークのベンチマーク"),
        (0, "Additional fortune added at request time."),
    ]
    .into_iter()
    .map(|(id, m)| Fortune {
        id,
        message: m.to_string(),
    })
    .collect();
    fortunes.sort_by(|a, b| a.message.cmp(&b.message));
    vec![
        Case {
            name: "big-table.html",
            template: BIG_TABLE,
            data: serde_json::json!({ "table": table }),
        },
        Case {
            name: "teams.html",
            template: TEAMS,
            data: serde_json::json!({ "year": 2015, "teams": teams }),
        },
        Case {
            name: "fortunes.html",
            template: FORTUNES,
            data: serde_json::json!({ "fortunes": fortunes }),
        },
    ]
}

fn templates() -> MemoryLoader {
    MemoryLoader::new()
        .with("big-table.html", BIG_TABLE)
        .with("teams.html", TEAMS)
        .with("base.html", BASE)
        .with("fortunes.html", FORTUNES)
}

fn raw_tera() -> Tera {
    let mut tera = Tera::default();
    tera.set_escape_fn(escape_markupsafe);
    tera.add_raw_templates([
        ("big-table.html", BIG_TABLE),
        ("teams.html", TEAMS),
        ("base.html", BASE),
        ("fortunes.html", FORTUNES),
    ])
    .unwrap();
    tera
}

type Render<'a> = Box<dyn Fn() -> usize + 'a>;

/// Total time and iterations criterion ran, per (case, variant).
static TOTALS: Mutex<BTreeMap<(String, String), (Duration, u64)>> = Mutex::new(BTreeMap::new());

fn main() {
    let tera = raw_tera();
    let env = Environment::builder().loader(templates()).build().unwrap();
    let env_reload = Environment::builder()
        .loader(templates())
        .auto_reload(true)
        .build()
        .unwrap();
    let sandbox = Sandbox::builder().loader(templates()).build().unwrap();
    let isolated = IsolatedRenderer::builder()
        .loader(templates())
        .limits(ProcessLimits::default())
        .program(env!("CARGO_BIN_EXE_carafe-render"), ["--serve-isolated"])
        .workers(1)
        .build()
        .unwrap();

    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
        .configure_from_args();

    let cases = cases();
    for case in &cases {
        let context = Context::from_serialize(&case.data).unwrap();
        let expected = tera.render(case.name, &context).unwrap();
        let variants: Vec<(&str, Render<'_>)> = vec![
            (
                "tera",
                Box::new(|| tera.render(case.name, &context).unwrap().len()),
            ),
            (
                "environment",
                Box::new(|| env.render(case.name, &context).unwrap().len()),
            ),
            (
                "environment+reload",
                Box::new(|| env_reload.render(case.name, &context).unwrap().len()),
            ),
            (
                "sandbox",
                Box::new(|| sandbox.render(case.name, &context).unwrap().len()),
            ),
            (
                "isolated",
                Box::new(|| isolated.render(case.name, &case.data).unwrap().len()),
            ),
        ];
        for (variant, render) in &variants {
            assert_eq!(
                render(),
                expected.len(),
                "{variant} renders {} like raw Tera",
                case.name
            );
        }
        assert_eq!(env.render(case.name, &context).unwrap(), expected);
        assert_eq!(sandbox.render(case.name, &context).unwrap(), expected);
        assert_eq!(isolated.render(case.name, &case.data).unwrap(), expected);

        let mut group = criterion.benchmark_group(case.name.trim_end_matches(".html"));
        for (variant, render) in &variants {
            group.bench_function(*variant, |b| {
                b.iter_custom(|iters| {
                    let start = Instant::now();
                    for _ in 0..iters {
                        black_box(render());
                    }
                    let elapsed = start.elapsed();
                    let mut totals = TOTALS.lock().unwrap();
                    let entry = totals
                        .entry((case.name.to_string(), variant.to_string()))
                        .or_default();
                    entry.0 += elapsed;
                    entry.1 += iters;
                    elapsed
                });
            });
        }
        group.finish();
    }
    criterion.final_summary();

    println!("\n## criterion means, ratio to raw Tera in the same run\n");
    println!("| template | variant | µs/render | ratio |");
    println!("|---|---|---:|---:|");
    let totals = TOTALS.lock().unwrap();
    for case in &cases {
        let mean = |variant: &str| {
            totals
                .get(&(case.name.to_string(), variant.to_string()))
                .map(|(t, n)| t.as_secs_f64() * 1e6 / (*n).max(1) as f64)
        };
        let Some(raw) = mean("tera") else { continue };
        for variant in [
            "tera",
            "environment",
            "environment+reload",
            "sandbox",
            "isolated",
        ] {
            if let Some(us) = mean(variant) {
                println!("| {} | {variant} | {us:.2} | {:.3} |", case.name, us / raw);
            }
        }
    }
    drop(totals);

    println!("\n## interleaved best batches (µs/render, ratio to raw Tera)\n");
    println!("| template | tera | environment | sandbox | isolated |");
    println!("|---|---:|---:|---:|---:|");
    for case in &cases {
        let context = Context::from_serialize(&case.data).unwrap();
        let variants: [&dyn Fn() -> usize; 4] = [
            &|| tera.render(case.name, &context).unwrap().len(),
            &|| env.render(case.name, &context).unwrap().len(),
            &|| sandbox.render(case.name, &context).unwrap().len(),
            &|| isolated.render(case.name, &case.data).unwrap().len(),
        ];
        let best = interleaved(&variants);
        let cell = |i: usize| format!("{:.2} ({:.3})", best[i] * 1e6, best[i] / best[0]);
        println!(
            "| {} | {:.2} | {} | {} | {} |",
            case.name,
            best[0] * 1e6,
            cell(1),
            cell(2),
            cell(3)
        );
    }
}

/// The best time per render of each variant, in seconds: batches of each (about 5 ms
/// long) run in turn, round after round, for about three seconds. Noise from other
/// processes only ever adds time, so the best batch is the closest to the true cost.
fn interleaved(variants: &[&dyn Fn() -> usize]) -> Vec<f64> {
    let batches: Vec<usize> = variants
        .iter()
        .map(|f| {
            let start = Instant::now();
            black_box(f());
            let one = start.elapsed().max(Duration::from_nanos(100));
            (Duration::from_millis(5).as_nanos() / one.as_nanos()).clamp(1, 10_000) as usize
        })
        .collect();
    let mut best = vec![f64::INFINITY; variants.len()];
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut rounds = 0;
    while Instant::now() < deadline || rounds < 20 {
        for (i, f) in variants.iter().enumerate() {
            let start = Instant::now();
            for _ in 0..batches[i] {
                black_box(f());
            }
            best[i] = best[i].min(start.elapsed().as_secs_f64() / batches[i] as f64);
        }
        rounds += 1;
    }
    best
}
