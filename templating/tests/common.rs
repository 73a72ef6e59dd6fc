//! Shared fixtures: the bench spec's fortunes.

use serde::Serialize;

/// A TechEmpower fortune row.
#[derive(Serialize, Clone)]
pub(crate) struct Fortune {
    pub(crate) id: i32,
    pub(crate) message: String,
}

/// The 12 fortunes of the bench spec, plus the one added per request, sorted by message.
pub(crate) fn fortunes() -> Vec<Fortune> {
    let rows = [
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
            r#"<script>alert("This should not be displayed in a browser alert box.");</script>"#,
        ),
        (12, "フレームワークのベンチマーク"),
    ];
    let mut fortunes: Vec<Fortune> = rows
        .iter()
        .map(|&(id, message)| Fortune {
            id,
            message: message.to_string(),
        })
        .collect();
    fortunes.push(Fortune {
        id: 0,
        message: "Additional fortune added at request time.".into(),
    });
    fortunes.sort_by(|a, b| a.message.cmp(&b.message));
    fortunes
}

pub(crate) const BENCH_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bench");
