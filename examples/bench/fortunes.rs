//! The fortunes page: TechEmpower's twelve fortunes held in memory, one
//! more added per request, sorted by message and rendered through
//! `fortunes.html`, which extends `base.html` (autoescaped with
//! MarkupSafe's escaper, as Jinja2 does).

use carafe::templating::{Context, DirLoader, Environment};
use serde::Serialize;

/// The folder with `base.html` and `fortunes.html`.
pub(crate) const TEMPLATE_FOLDER: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/examples/bench/templates");

/// One row of the "database".
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Fortune {
    pub(crate) id: i32,
    pub(crate) message: String,
}

/// The twelve rows.
const ROWS: [(i32, &str); 12] = [
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
        "Emacs is a nice operating system, but I prefer UNIX. \u{2014} Tom Christaensen",
    ),
    (7, "Any program that runs right is obsolete."),
    (
        8,
        "A list is only as strong as its weakest link. \u{2014} Donald Knuth",
    ),
    (9, "Feature: A bug with seniority."),
    (10, "Computers make very fast, very accurate mistakes."),
    (
        11,
        "<script>alert(\"This should not be displayed in a browser alert box.\");</script>",
    ),
    (
        12,
        "\u{30d5}\u{30ec}\u{30fc}\u{30e0}\u{30ef}\u{30fc}\u{30af}\u{306e}\u{30d9}\u{30f3}\u{30c1}\u{30de}\u{30fc}\u{30af}",
    ),
];

/// The fortune every request adds.
pub(crate) const ADDED: &str = "Additional fortune added at request time.";

/// The app state the fortunes handler reads: the rows and the templates.
#[derive(Debug)]
pub(crate) struct Fortunes {
    rows: Vec<Fortune>,
    templates: Environment,
}

impl Fortunes {
    /// Loads the templates of [`TEMPLATE_FOLDER`] (a broken template stops
    /// the app at start-up, naming the file and line).
    pub(crate) fn load() -> Result<Self, carafe::templating::Error> {
        let templates = Environment::builder()
            .loader(DirLoader::new(TEMPLATE_FOLDER))
            .build()?;
        let rows = ROWS
            .iter()
            .map(|&(id, message)| Fortune {
                id,
                message: message.to_owned(),
            })
            .collect();
        Ok(Fortunes { rows, templates })
    }

    /// One request's page: the rows copied, one added, sorted by message
    /// (code-point order), rendered.
    pub(crate) fn page(&self) -> Result<String, carafe::templating::Error> {
        let mut rows = Vec::with_capacity(self.rows.len() + 1);
        rows.extend_from_slice(&self.rows);
        rows.push(Fortune {
            id: 0,
            message: ADDED.to_owned(),
        });
        rows.sort_by(|a, b| a.message.cmp(&b.message));
        let mut context = Context::new();
        context.insert("fortunes", &rows);
        self.templates.render("fortunes.html", &context)
    }
}
