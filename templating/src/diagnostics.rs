//! Turning Tera's errors into ours: structured locations, lowercase messages and
//! "did you mean" hints.
//!
//! Tera 2 reports load-time problems (unknown filters, functions, tests, templates) as
//! one preformatted text (`error: ...\n --> name:line:col ...`), and render-time
//! problems as a [`tera::ReportError`] with a span. Both are parsed here. The sandbox
//! renders *rewritten* sources; a [`SourceMap`] entry knows where text was inserted and
//! maps positions back to the template the user wrote.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::path::PathBuf;

use crate::error::{Error, Location};
use crate::suggest::closest;

/// The sources of a set of templates, as the user wrote them.
#[derive(Debug, Default, Clone)]
pub(crate) struct SourceMap {
    entries: HashMap<String, SourceEntry>,
}

#[derive(Debug, Clone)]
struct SourceEntry {
    text: String,
    path: Option<PathBuf>,
    /// `(offset in the rewritten source, inserted bytes, where an error inside the
    /// inserted text points in the original)`, sorted by offset.
    insertions: Vec<(usize, usize, usize)>,
}

impl SourceMap {
    pub(crate) fn insert(&mut self, name: &str, text: &str, path: Option<PathBuf>) {
        self.insert_rewritten(name, text, path, Vec::new());
    }

    pub(crate) fn insert_rewritten(
        &mut self,
        name: &str,
        original: &str,
        path: Option<PathBuf>,
        insertions: Vec<(usize, usize, usize)>,
    ) {
        self.entries.insert(
            name.to_string(),
            SourceEntry {
                text: original.to_string(),
                path,
                insertions,
            },
        );
    }

    /// The location of `range` (bytes of the source Tera saw) in template `name`.
    pub(crate) fn locate(&self, name: &str, range: Range<usize>) -> Option<Location> {
        let entry = self.entries.get(name)?;
        let start = entry.original_offset(range.start);
        let end = entry.original_offset(range.end).max(start);
        let mut location = Location::at_offset(name, &entry.text, start, end - start);
        location.path = entry.path.clone();
        Some(location)
    }

    /// The location of a 1-based line and 1-based character column.
    fn locate_line_col(
        &self,
        name: &str,
        line: usize,
        column: usize,
        width: usize,
    ) -> Option<Location> {
        let entry = self.entries.get(name)?;
        // Tera's columns and lines refer to the source it saw; only the sandbox rewrites,
        // and load-time errors are taken from the unrewritten sources.
        let line_start = if line <= 1 {
            0
        } else {
            entry
                .text
                .match_indices('\n')
                .nth(line - 2)
                .map(|(i, _)| i + 1)?
        };
        let offset = entry.text[line_start..]
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(entry.text.len(), |(i, _)| line_start + i);
        let mut location = Location::at_offset(name, &entry.text, offset, 1);
        location.width = width.max(1);
        location.path = entry.path.clone();
        Some(location)
    }
}

impl SourceEntry {
    fn original_offset(&self, rewritten: usize) -> usize {
        let mut shift = 0;
        for &(at, len, anchor) in &self.insertions {
            if at > rewritten {
                break;
            }
            // A position inside inserted text maps to its anchor.
            if rewritten < at + len {
                return anchor;
            }
            shift += len;
        }
        rewritten - shift
    }
}

/// The names a template may refer to, for "did you mean" hints.
#[derive(Debug, Default, Clone)]
pub(crate) struct KnownNames {
    pub(crate) filters: BTreeSet<String>,
    pub(crate) tests: BTreeSet<String>,
    pub(crate) functions: BTreeSet<String>,
    pub(crate) templates: BTreeSet<String>,
    pub(crate) components: BTreeSet<String>,
}

/// The built-in filters of Tera 2.4.
pub(crate) const TERA_FILTERS: &[&str] = &[
    "safe",
    "default",
    "upper",
    "lower",
    "wordcount",
    "escape",
    "escape_html",
    "escape_xml",
    "newlines_to_br",
    "pluralize",
    "trim",
    "trim_start",
    "trim_end",
    "replace",
    "capitalize",
    "title",
    "truncate",
    "indent",
    "str",
    "int",
    "float",
    "length",
    "reverse",
    "split",
    "abs",
    "round",
    "first",
    "last",
    "nth",
    "join",
    "sort",
    "unique",
    "get",
    "values",
    "keys",
    "pairs",
    "group_by",
];

/// The built-in tests of Tera 2.4.
pub(crate) const TERA_TESTS: &[&str] = &[
    "string",
    "number",
    "map",
    "bool",
    "array",
    "integer",
    "float",
    "none",
    "iterable",
    "defined",
    "undefined",
    "odd",
    "even",
    "divisible_by",
    "starting_with",
    "ending_with",
    "containing",
];

/// The built-in functions of Tera 2.4 (`super` is handled by the compiler).
pub(crate) const TERA_FUNCTIONS: &[&str] = &["range", "throw", "super"];

impl KnownNames {
    pub(crate) fn with_tera_builtins() -> Self {
        let set = |names: &[&str]| names.iter().map(|s| s.to_string()).collect();
        KnownNames {
            filters: set(TERA_FILTERS),
            tests: set(TERA_TESTS),
            functions: set(TERA_FUNCTIONS),
            ..KnownNames::default()
        }
    }
}

/// Source maps searched in order (a one-off template, then the environment's).
struct Maps<'a>(&'a [&'a SourceMap]);

impl Maps<'_> {
    fn locate(&self, name: &str, range: Range<usize>) -> Option<Location> {
        self.0
            .iter()
            .find_map(|map| map.locate(name, range.clone()))
    }

    fn locate_line_col(
        &self,
        name: &str,
        line: usize,
        column: usize,
        width: usize,
    ) -> Option<Location> {
        self.0
            .iter()
            .find_map(|map| map.locate_line_col(name, line, column, width))
    }
}

/// Converts a Tera error (from loading or rendering) into ours; locations are looked
/// up in `sources`, in order.
pub(crate) fn convert(error: tera::Error, sources: &[&SourceMap], names: &KnownNames) -> Error {
    let sources = Maps(sources);
    use tera::ErrorKind;
    match error.kind() {
        ErrorKind::SyntaxError(report) => Error::Syntax {
            message: refine(report.message(), names),
            location: sources
                .locate(report.filename(), report.span().range.clone())
                .map(Box::new),
        },
        ErrorKind::RenderingError(report) => Error::Render {
            message: refine(report.message(), names),
            location: sources
                .locate(report.filename(), report.span().range.clone())
                .map(Box::new),
        },
        ErrorKind::CircularExtend {
            tpl,
            inheritance_chain,
        } => {
            let mut chain = vec![tpl.clone()];
            chain.extend(inheritance_chain.iter().cloned());
            Error::Cycle { chain }
        }
        ErrorKind::CircularInclude { include_chain, .. } => Error::Cycle {
            chain: include_chain.clone(),
        },
        ErrorKind::MissingParent { current, parent } => Error::MissingParent {
            template: current.clone(),
            parent: parent.clone(),
            suggestion: closest(parent, names.templates.iter().map(String::as_str))
                .map(str::to_string),
        },
        ErrorKind::TemplateNotFound(name) => Error::NotFound {
            name: name.clone(),
            suggestion: closest(name, names.templates.iter().map(String::as_str))
                .map(str::to_string),
        },
        ErrorKind::Io(_) => Error::Output(match std::error::Error::source(&error) {
            Some(source) => std::io::Error::other(source.to_string()),
            None => std::io::Error::other(error.to_string()),
        }),
        ErrorKind::Msg(text) => from_text(text, &sources, names),
        _ => Error::Render {
            message: refine(&error.to_string(), names),
            location: None,
        },
    }
}

/// Parses Tera's preformatted reports (`error: MESSAGE\n --> NAME:LINE:COL\n...`);
/// several reports are separated by blank lines, the first one is kept.
fn from_text(text: &str, sources: &Maps<'_>, names: &KnownNames) -> Error {
    let reports: Vec<&str> = text.split("\n\nerror: ").collect();
    let first = reports[0];
    let mut lines = first.lines();
    let head = lines.next().unwrap_or_default();
    let Some(message) = head.strip_prefix("error: ") else {
        return Error::Syntax {
            message: refine(text, names),
            location: None,
        };
    };
    let position = lines
        .next()
        .and_then(|line| line.trim_start().strip_prefix("--> "));
    // The caret line under the source line tells the width of the offending part.
    let width = lines
        .find(|line| line.contains('^'))
        .map_or(1, |line| line.matches('^').count());
    let location = position.and_then(|position| {
        let mut parts = position.rsplitn(3, ':');
        let column = parts.next()?.parse().ok()?;
        let line = parts.next()?.parse().ok()?;
        let name = parts.next()?;
        sources.locate_line_col(name, line, column, width)
    });
    let mut message = refine(message, names);
    if reports.len() > 1 {
        let more = reports.len() - 1;
        message.push_str(&format!(
            " (and {more} more error{})",
            if more == 1 { "" } else { "s" }
        ));
    }
    Error::Syntax {
        message,
        location: location.map(Box::new),
    }
}

/// Lowercases Tera's message and adds the closest known name where one helps.
pub(crate) fn refine(message: &str, names: &KnownNames) -> String {
    let unknown = |kind: &str| -> Option<String> {
        let rest = message.strip_prefix(&format!("Unknown {kind} `"))?;
        let name = rest.strip_suffix('`')?;
        let pool = match kind {
            "filter" => &names.filters,
            "test" => &names.tests,
            "function" => &names.functions,
            "component" => &names.components,
            _ => &names.templates,
        };
        let mut out = format!("unknown {kind} `{name}`");
        if let Some(hint) = closest(name, pool.iter().map(String::as_str)) {
            out.push_str(&format!(" (did you mean `{hint}`?)"));
        }
        Some(out)
    };
    for kind in ["filter", "test", "function", "component", "template"] {
        if let Some(out) = unknown(kind) {
            return out;
        }
    }
    for (what, list_label) in [
        ("Variable", " Available variables: "),
        ("Field", " Available fields: "),
    ] {
        if let Some(rest) = message.strip_prefix(&format!("{what} `"))
            && let Some((name, tail)) = rest.split_once('`')
            && tail.starts_with(" is not defined")
        {
            let available: Vec<&str> = tail
                .split_once(list_label)
                .map(|(_, list)| list.split(", ").collect())
                .unwrap_or_default();
            let mut out = format!("{} `{name}` is not defined", what.to_lowercase());
            if let Some(hint) = closest(name, available.iter().copied()) {
                out.push_str(&format!(" (did you mean `{hint}`?)"));
            } else if !available.is_empty() {
                out.push_str(&format!(" (available: {})", available.join(", ")));
            }
            return out;
        }
    }
    lowercase_first(message.trim_end_matches('.'))
}

fn lowercase_first(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        // Keep acronyms and names (`IO`, `UTF-8`) as they are.
        Some(first) if chars.next().is_some_and(|c| c.is_lowercase()) => first
            .to_lowercase()
            .chain(message[first.len_utf8()..].chars())
            .collect(),
        _ => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> KnownNames {
        let mut names = KnownNames::with_tera_builtins();
        names.templates.insert("base.html".into());
        names
    }

    #[test]
    fn refines_unknown_names_with_a_hint() {
        let names = names();
        assert_eq!(
            refine("Unknown filter `uper`", &names),
            "unknown filter `uper` (did you mean `upper`?)"
        );
        assert_eq!(
            refine("Unknown test `od`", &names),
            "unknown test `od` (did you mean `odd`?)"
        );
        assert_eq!(
            refine("Unknown function `xyzzy`", &names),
            "unknown function `xyzzy`"
        );
        assert_eq!(
            refine("Unknown template `bse.html`", &names),
            "unknown template `bse.html` (did you mean `base.html`?)"
        );
    }

    #[test]
    fn refines_undefined_variables_and_fields() {
        let names = names();
        assert_eq!(
            refine(
                "Variable `usr` is not defined. Available variables: items, user",
                &names
            ),
            "variable `usr` is not defined (did you mean `user`?)"
        );
        assert_eq!(
            refine(
                "Variable `zzz` is not defined. Available variables: items, user",
                &names
            ),
            "variable `zzz` is not defined (available: items, user)"
        );
        assert_eq!(
            refine("Variable `zzz` is not defined.", &names),
            "variable `zzz` is not defined"
        );
        assert_eq!(
            refine(
                "Field `nmae` is not defined. Available fields: id, name",
                &names
            ),
            "field `nmae` is not defined (did you mean `name`?)"
        );
        assert_eq!(
            refine(
                "Maximum render recursion depth for components exceeded.",
                &names
            ),
            "maximum render recursion depth for components exceeded"
        );
        assert_eq!(refine("UTF-8 is broken.", &names), "UTF-8 is broken");
    }

    #[test]
    fn maps_rewritten_offsets_back() {
        let mut map = SourceMap::default();
        // original "ab{{x}}cd": 3 bytes inserted at original offset 2 (anchored at 1),
        // 2 bytes at original offset 7 (anchored at 2).
        map.insert_rewritten("t", "ab{{x}}cd", None, vec![(2, 3, 1), (10, 2, 2)]);
        let entry = &map.entries["t"];
        assert_eq!(entry.original_offset(0), 0);
        assert_eq!(entry.original_offset(1), 1);
        assert_eq!(
            entry.original_offset(2),
            1,
            "inside the insertion: its anchor"
        );
        assert_eq!(entry.original_offset(4), 1);
        assert_eq!(entry.original_offset(5), 2, "just after it");
        assert_eq!(entry.original_offset(9), 6);
        assert_eq!(entry.original_offset(11), 2);
        assert_eq!(entry.original_offset(12), 7);
    }

    #[test]
    fn parses_preformatted_load_reports() {
        let mut sources = SourceMap::default();
        sources.insert("b.html", "{{ foo | upperr }}\n{{ x }}", None);
        let text = "error: Unknown filter `upperr`\n --> b.html:1:10\n  |\n1 | {{ foo | upperr }}\n  |          ^^^^^^\n\nerror: Unknown function `bar`\n --> b.html:2:4";
        let error = from_text(text, &Maps(&[&sources]), &names());
        let Error::Syntax { message, location } = &error else {
            panic!("{error:?}")
        };
        assert_eq!(
            message,
            "unknown filter `upperr` (did you mean `upper`?) (and 1 more error)"
        );
        let location = location.as_deref().unwrap();
        assert_eq!(
            (location.line(), location.column(), location.width),
            (1, 10, 6)
        );
    }
}
