//! The Jinja2 filters Tera 2 lacks, registered by [`Environment`](crate::Environment)
//! (unless [`jinja_filters(false)`](crate::EnvironmentBuilder::jinja_filters)) and by
//! the [sandbox](crate::sandbox).
//!
//! Tera passes filter arguments by name, so Jinja2's positional arguments become
//! keyword arguments: `{{ text|wordwrap(40) }}` is `{{ text | wordwrap(width=40) }}`.
//! Each filter behaves as Jinja2 3.1's does; the test suite compares the outputs with
//! values recorded from Jinja2 itself.
//!
//! | filter | Jinja2 | Carafe |
//! |---|---|---|
//! | `tojson` | `x\|tojson`, `x\|tojson(2)` | `x \| tojson`, `tojson(indent=2)` (HTML-safe, keys sorted, marked safe) |
//! | `urlencode` | `s\|urlencode`, `d\|urlencode` | same; a map gives `a=1&b=x+y` |
//! | `date` | `d.strftime("%Y")` | `d \| date(format="%Y")`; `d` is a Unix timestamp or an ISO 8601 string |
//! | `filesizeformat` | `n\|filesizeformat(true)` | `n \| filesizeformat(binary=true)` |
//! | `wordwrap` | `s\|wordwrap(40, wrapstring="<br>")` | `s \| wordwrap(width=40, wrapstring="<br>", break_long_words=true, break_on_hyphens=true)` |
//! | `striptags` | `s\|striptags` | same |
//! | `center` | `s\|center(20)` | `s \| center(width=20)` |
//! | `format` | `"%s-%d"\|format(a, 1)` | `"%s-%d" \| format(args=[a, 1])` |
//! | `xmlattr` | `d\|xmlattr` | same, `xmlattr(autospace=false)` |
//! | `forceescape`, `e` | `s\|forceescape`, `s\|e` | same |
//! | `dictsort` | `d\|dictsort(false, "value")` | `d \| dictsort(case_sensitive=false, by="value", reverse=false)` → `[[k, v], ...]` |
//! | `groupby` | `xs\|groupby("city")` | `xs \| groupby(attribute="city")` → `[{grouper, list}, ...]` |
//! | `batch`, `slice` | `xs\|batch(3, "")` | `xs \| batch(linecount=3, fill_with="")`, `slice(slices=3)` |
//! | `sum`, `min`, `max` | `xs\|sum(attribute="n")` | same, with keyword arguments |
//! | `map` | `xs\|map(attribute="n")`, `xs\|map("upper")` | `map(attribute="n")`, `map(filter="upper", args={...})` |
//! | `select`, `reject` | `xs\|select("odd")`, `select("gt", 2)` | `select(test="odd")`, `select(test="gt", value=2)` |
//! | `selectattr`, `rejectattr` | `xs\|selectattr("age", "ge", 18)` | `selectattr(attribute="age", test="ge", value=18)` |
//! | `list`, `items`, `attr` | `d\|items`, `x\|attr("y")` | `d \| items`, `x \| attr(name="y")` |
//! | `count`, `d`, `string` | `xs\|count`, `x\|d("n/a")` | `xs \| count`, `x \| d(value="n/a")`, `x \| string` |
//!
//! Tera already has `safe`, `escape`, `upper`, `lower`, `capitalize`, `title`, `trim`,
//! `truncate`, `wordcount`, `replace`, `indent`, `join`, `length`, `reverse`, `sort`,
//! `unique`, `first`, `last`, `round`, `abs`, `int`, `float`, `default` (some with
//! other argument names; see the [Jinja2 guide](crate::guide)).
//!
//! Every filter here checks the size of what it is about to build against the
//! running [sandbox](crate::sandbox)'s caps *before* building it; outside a sandbox the
//! checks do nothing.

mod collections;
mod date;
mod format;
mod json;
mod text;
mod url;
mod wrap;

use tera::value::ValueKind;
use tera::{Tera, Value};

use crate::diagnostics::KnownNames;
use crate::sandbox::check_string_len;
use crate::scope;

/// The names of the filters this module adds.
pub const NAMES: &[&str] = &[
    "tojson",
    "urlencode",
    "date",
    "filesizeformat",
    "wordwrap",
    "striptags",
    "center",
    "format",
    "xmlattr",
    "forceescape",
    "e",
    "dictsort",
    "groupby",
    "batch",
    "slice",
    "sum",
    "min",
    "max",
    "map",
    "select",
    "reject",
    "selectattr",
    "rejectattr",
    "list",
    "items",
    "attr",
    "count",
    "d",
    "string",
];

/// Registers every Carafe filter on `tera`.
pub(crate) fn register(tera: &mut Tera, names: &mut KnownNames) {
    tera.register_filter("tojson", json::tojson);
    tera.register_filter("urlencode", url::urlencode);
    tera.register_filter("date", date::date);
    tera.register_filter("filesizeformat", text::filesizeformat);
    tera.register_filter("wordwrap", wrap::wordwrap);
    tera.register_filter("striptags", text::striptags);
    tera.register_filter("center", text::center);
    tera.register_filter("format", format::format);
    tera.register_filter("xmlattr", text::xmlattr);
    tera.register_filter("forceescape", text::forceescape);
    tera.register_filter("e", text::e);
    tera.register_filter("dictsort", collections::dictsort);
    tera.register_filter("groupby", collections::groupby);
    tera.register_filter("batch", collections::batch);
    tera.register_filter("slice", collections::slice);
    tera.register_filter("sum", collections::sum);
    tera.register_filter("min", collections::min);
    tera.register_filter("max", collections::max);
    tera.register_filter("map", collections::map);
    tera.register_filter("select", collections::select);
    tera.register_filter("reject", collections::reject);
    tera.register_filter("selectattr", collections::selectattr);
    tera.register_filter("rejectattr", collections::rejectattr);
    tera.register_filter("list", collections::list);
    tera.register_filter("items", collections::items);
    tera.register_filter("attr", collections::attr);
    tera.register_filter("count", collections::count);
    tera.register_filter("d", collections::d);
    tera.register_filter("string", collections::string);
    names.filters.extend(NAMES.iter().map(|s| s.to_string()));
}

/// A string being built that refuses to grow past the sandbox's `max_string_bytes`
/// (no limit outside a sandbox).
pub(crate) struct Bounded {
    buf: String,
    limit: usize,
}

impl Bounded {
    pub(crate) fn new() -> Self {
        let limit =
            scope::with_budget(|b| usize::try_from(b.caps.string_bytes()).unwrap_or(usize::MAX))
                .unwrap_or(usize::MAX);
        Bounded {
            buf: String::new(),
            limit,
        }
    }

    pub(crate) fn push_str(&mut self, s: &str) -> tera::TeraResult<()> {
        let total = self.buf.len().saturating_add(s.len());
        if total > self.limit {
            check_string_len(total)?;
        }
        self.buf.push_str(s);
        Ok(())
    }

    pub(crate) fn into_string(self) -> String {
        self.buf
    }
}

/// A length in characters, as Python's `len(str)`.
pub(crate) fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// Python's `str(value)` for what templates hold: strings as they are, `True`,
/// `False`, `None`, floats as `repr`.
pub(crate) fn display(value: &Value) -> String {
    match value.kind() {
        ValueKind::String => value.as_str().unwrap_or_default().to_string(),
        ValueKind::Bool => if value.as_bool() == Some(true) {
            "True"
        } else {
            "False"
        }
        .to_string(),
        ValueKind::None | ValueKind::Undefined => "None".to_string(),
        ValueKind::F64 => json::python_float(value.as_f64().unwrap_or_default()),
        _ => value.to_string(),
    }
}
