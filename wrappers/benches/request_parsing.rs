//! The request parsers beside the bare dependency they build on, measured in
//! the same run; the ratios are printed at the end (and recorded in
//! `wrappers/README.md`).
//!
//! ```text
//! cargo bench -p carafe-wrappers --bench request_parsing
//! ```
//!
//! | group | bare | carafe |
//! |---|---|---|
//! | `urlencoded_10_fields` | `serde_urlencoded::from_str` into pairs | `urlencoded::parse`; `Request::form` (whole request path) |
//! | `multipart_1mib_file` | multer alone, field bytes collected | `multipart::parse` in memory; `Request::files` in memory (body length known); `multipart::parse` with the default limits (spooled to a temporary file) |
//! | `multipart_100_parts` | multer alone | `multipart::parse` |
//! | `cookie_20` | `cookie::Cookie::split_parse` | `cookies::parse_cookie`; `Request::cookies` |

use std::future::Future;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use bytes::Bytes;
use carafe_wrappers::cookies::parse_cookie;
use carafe_wrappers::test::{FileUpload, RequestBuilder};
use carafe_wrappers::{Limits, multipart, urlencoded};
use criterion::{BatchSize, Criterion};

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

/// multer alone: the body as 64 KiB chunks, every field collected.
fn multer_alone(chunks: &[Bytes], boundary: &str) -> usize {
    let stream = futures_util::stream::iter(chunks.iter().cloned().map(Ok::<_, std::io::Error>));
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut total = 0;
    block_on(async {
        while let Some(field) = multipart.next_field().await.unwrap() {
            total += field.bytes().await.unwrap().len();
        }
    });
    total
}

fn chunked(body: &Bytes) -> Vec<Bytes> {
    (0..body.len())
        .step_by(64 * 1024)
        .map(|start| body.slice(start..body.len().min(start + 64 * 1024)))
        .collect()
}

fn multipart_body(builder: RequestBuilder<'_>) -> (Bytes, String) {
    let request = builder.build();
    let content_type = request.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    let boundary = content_type.split("boundary=").nth(1).unwrap().to_owned();
    (request.get_data().unwrap(), boundary)
}

fn benches(c: &mut Criterion) {
    let fields: Vec<(String, String)> = (0..10)
        .map(|i| {
            (
                format!("field_{i}"),
                format!("value number {i} with ünïcode & symbols"),
            )
        })
        .collect();
    let form = urlencoded::encode(fields.iter().map(|(k, v)| (k, v)));
    let mut group = c.benchmark_group("urlencoded_10_fields");
    group.bench_function("bare", |b| {
        b.iter(|| serde_urlencoded::from_str::<Vec<(String, String)>>(black_box(&form)).unwrap());
    });
    group.bench_function("parser", |b| {
        b.iter(|| urlencoded::parse(black_box(&form), 1000).unwrap());
    });
    group.bench_function("request", |b| {
        b.iter_batched(
            || {
                RequestBuilder::post("/")
                    .body(form.clone())
                    .content_type("application/x-www-form-urlencoded")
                    .build()
            },
            |request| request.form().unwrap().len(),
            BatchSize::SmallInput,
        );
    });
    group.finish();

    let (body, boundary) = multipart_body(
        RequestBuilder::post("/").file("file", FileUpload::new("big.bin", vec![b'x'; 1 << 20])),
    );
    let chunks = chunked(&body);
    let in_memory = Limits::default().with_file_memory_threshold(2 << 20);
    let mut group = c.benchmark_group("multipart_1mib_file");
    group.bench_function("bare", |b| {
        b.iter(|| multer_alone(black_box(&chunks), &boundary));
    });
    group.bench_function("parser", |b| {
        b.iter(|| multipart::parse(&mut &body[..], &boundary, &in_memory).unwrap());
    });
    group.bench_function("spooled", |b| {
        b.iter(|| multipart::parse(&mut &body[..], &boundary, &Limits::default()).unwrap());
    });
    let content_type = format!("multipart/form-data; boundary={boundary}");
    group.bench_function("request", |b| {
        b.iter_batched(
            || {
                RequestBuilder::post("/")
                    .body(body.clone())
                    .content_type(content_type.as_str())
                    .limits(in_memory)
                    .build()
            },
            |request| request.files().unwrap().len(),
            BatchSize::SmallInput,
        );
    });
    group.finish();

    let parts: Vec<(String, String)> = (0..100)
        .map(|i| (format!("f{i}"), format!("small value {i}")))
        .collect();
    let (body, boundary) = multipart_body(
        RequestBuilder::post("/")
            .form(parts)
            .file("f", FileUpload::new("tiny.txt", "tiny")),
    );
    let chunks = chunked(&body);
    let mut group = c.benchmark_group("multipart_100_parts");
    group.bench_function("bare", |b| {
        b.iter(|| multer_alone(black_box(&chunks), &boundary));
    });
    group.bench_function("parser", |b| {
        b.iter(|| multipart::parse(&mut &body[..], &boundary, &Limits::default()).unwrap());
    });
    group.finish();

    let header = (0..20)
        .map(|i| format!("cookie_{i}=value{i}abcdefghij"))
        .collect::<Vec<_>>()
        .join("; ");
    let mut group = c.benchmark_group("cookie_20");
    group.bench_function("bare", |b| {
        b.iter(|| {
            cookie::Cookie::split_parse(black_box(header.as_str()))
                .collect::<Result<Vec<_>, _>>()
                .unwrap()
        });
    });
    group.bench_function("parser", |b| b.iter(|| parse_cookie(black_box(&header))));
    group.bench_function("request", |b| {
        b.iter_batched(
            || RequestBuilder::get("/").header("cookie", &header).build(),
            |request| request.cookies().unwrap().len(),
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

fn output_directory() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("criterion")
}

/// The mean time of one benchmark of this run, in nanoseconds.
fn mean(directory: &Path, group: &str, function: &str) -> Option<f64> {
    let path = directory
        .join(group)
        .join(function)
        .join("new/estimates.json");
    let estimates: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    estimates["mean"]["point_estimate"].as_f64()
}

fn main() {
    let directory = output_directory();
    let mut criterion = Criterion::default()
        .output_directory(&directory)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
        .configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();

    println!("\nratios (carafe / bare dependency, same run; below 1 is faster):");
    for (group, functions) in [
        ("urlencoded_10_fields", &["parser", "request"][..]),
        ("multipart_1mib_file", &["parser", "request", "spooled"][..]),
        ("multipart_100_parts", &["parser"][..]),
        ("cookie_20", &["parser", "request"][..]),
    ] {
        let Some(bare) = mean(&directory, group, "bare") else {
            continue;
        };
        for function in functions {
            if let Some(ours) = mean(&directory, group, function) {
                println!(
                    "  {group:<22} {function:<8} {:>8.2}x  ({:.1} µs vs {:.1} µs)",
                    ours / bare,
                    ours / 1e3,
                    bare / 1e3
                );
            }
        }
    }
}
