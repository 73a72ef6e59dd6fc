//! Errors of this crate: every one says what failed, and where in which template.

use std::fmt;
use std::path::{Path, PathBuf};

/// A position in a template: its name, the file it came from (if any), line and column,
/// and the offending line of source.
///
/// # Examples
///
/// ```
/// use carafe_templating::{Context, Environment, MemoryLoader};
///
/// let env = Environment::builder()
///     .loader(MemoryLoader::new().with("page.html", "<h1>\n{{ title | uper }}</h1>"))
///     .build()
///     .unwrap_err();
/// let location = env.location().unwrap();
/// assert_eq!((location.template(), location.line(), location.column()), ("page.html", 2, 12));
/// assert_eq!(location.source_line(), "{{ title | uper }}</h1>");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub(crate) template: String,
    pub(crate) path: Option<PathBuf>,
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) width: usize,
    pub(crate) source_line: String,
}

impl Location {
    /// Builds a location from a byte offset into `source` (1-based line and column;
    /// columns count characters, as editors do).
    pub(crate) fn at_offset(template: &str, source: &str, offset: usize, len: usize) -> Self {
        let offset = floor_char_boundary(source, offset.min(source.len()));
        let line_start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[offset..]
            .find('\n')
            .map_or(source.len(), |i| offset + i);
        let line = source[..line_start].matches('\n').count() + 1;
        let column = source[line_start..offset].chars().count() + 1;
        let end = floor_char_boundary(source, (offset + len).min(line_end));
        let width = source[offset..end].chars().count().max(1);
        Location {
            template: template.to_string(),
            path: None,
            line,
            column,
            width,
            source_line: source[line_start..line_end]
                .trim_end_matches('\r')
                .to_string(),
        }
    }

    /// The template's name, as passed to `render`.
    pub fn template(&self) -> &str {
        &self.template
    }

    /// The file the template was read from, when a directory loader found it.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The line, starting at 1.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The column, starting at 1, counted in characters.
    pub fn column(&self) -> usize {
        self.column
    }

    /// The whole source line the error points into.
    pub fn source_line(&self) -> &str {
        &self.source_line
    }

    /// Writes the ` --> file:line:col` header, the line and a caret underline.
    fn write_snippet(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let number = self.line.to_string();
        let pad = " ".repeat(number.len());
        writeln!(f, "{pad}--> {self}")?;
        writeln!(f, "{number} | {}", self.source_line)?;
        let lead: String = self
            .source_line
            .chars()
            .take(self.column - 1)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        write!(f, "{pad} | {lead}{}", "^".repeat(self.width))
    }
}

impl fmt::Display for Location {
    /// `path:line:column` when the template came from a file, `name:line:column` otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => write!(f, "{}:{}:{}", path.display(), self.line, self.column),
            None => write!(f, "{}:{}:{}", self.template, self.line, self.column),
        }
    }
}

fn floor_char_boundary(s: &str, mut index: usize) -> usize {
    while index > 0 && !s.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// A limit of the [sandbox](crate::sandbox) or of [isolated](crate::isolated) rendering.
///
/// Its `Display` is the name of the setting that configures it, so an error message
/// tells the user which knob to turn.
///
/// # Examples
///
/// ```
/// use carafe_templating::Cap;
/// assert_eq!(Cap::OutputSize.to_string(), "max_output_bytes");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cap {
    /// The size of one template's source (`max_source_bytes`).
    SourceSize,
    /// The number of templates in a sandbox (`max_templates`).
    TemplateCount,
    /// The bytes a render writes (`max_output_bytes`).
    OutputSize,
    /// The wall time of one in-process render (`max_render_time`).
    RenderTime,
    /// How deeply tags (`for`, `if`, `block`, ...) nest in a template (`max_nesting_depth`).
    NestingDepth,
    /// How deeply components call components (`max_recursion_depth`).
    RecursionDepth,
    /// Loop iterations and component calls of one render (`max_iterations`).
    Iterations,
    /// The length of a string a render builds (`max_string_bytes`).
    StringLength,
    /// The number of items in an array or map a render builds (`max_collection_items`).
    CollectionLength,
    /// How deeply lists and maps a render builds nest (`max_value_depth`).
    ValueDepth,
    /// CPU time of an isolated render (`cpu_time`, enforced with `RLIMIT_CPU`).
    CpuTime,
    /// Address space of an isolated worker (`memory_bytes`, enforced with `RLIMIT_AS`).
    Memory,
    /// Wall-clock time of an isolated render (`wall_time`; the worker is killed).
    WallClock,
}

impl Cap {
    /// The setting's name, as in [`Caps`](crate::sandbox::Caps) and
    /// [`ProcessLimits`](crate::isolated::ProcessLimits).
    pub fn name(self) -> &'static str {
        match self {
            Cap::SourceSize => "max_source_bytes",
            Cap::TemplateCount => "max_templates",
            Cap::OutputSize => "max_output_bytes",
            Cap::RenderTime => "max_render_time",
            Cap::NestingDepth => "max_nesting_depth",
            Cap::RecursionDepth => "max_recursion_depth",
            Cap::Iterations => "max_iterations",
            Cap::StringLength => "max_string_bytes",
            Cap::CollectionLength => "max_collection_items",
            Cap::ValueDepth => "max_value_depth",
            Cap::CpuTime => "cpu_time",
            Cap::Memory => "memory_bytes",
            Cap::WallClock => "wall_time",
        }
    }

    /// Whether the kernel enforces it on an isolated worker process (CPU, memory,
    /// wall clock) rather than the sandbox in the render.
    pub fn is_process_limit(self) -> bool {
        matches!(self, Cap::CpuTime | Cap::Memory | Cap::WallClock)
    }

    /// The unit the cap's limit is counted in.
    pub fn unit(self) -> &'static str {
        match self {
            Cap::SourceSize | Cap::OutputSize | Cap::StringLength | Cap::Memory => "bytes",
            Cap::RenderTime | Cap::CpuTime | Cap::WallClock => "ms",
            Cap::TemplateCount => "templates",
            Cap::NestingDepth | Cap::RecursionDepth | Cap::ValueDepth => "levels",
            Cap::Iterations => "iterations",
            Cap::CollectionLength => "items",
        }
    }
}

impl fmt::Display for Cap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What kind of name the sandbox policy refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ForbiddenKind {
    /// A filter that is not on the allow-list.
    Filter,
    /// A function that is not on the allow-list.
    Function,
    /// A test that is not on the allow-list.
    Test,
    /// A template outside the sandbox's own set (`include`, `extends`).
    Template,
    /// A reserved name such as `__tera_context` (it would dump the whole context).
    Name,
}

impl fmt::Display for ForbiddenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ForbiddenKind::Filter => "filter",
            ForbiddenKind::Function => "function",
            ForbiddenKind::Test => "test",
            ForbiddenKind::Template => "template",
            ForbiddenKind::Name => "name",
        })
    }
}

/// Everything that can go wrong while loading or rendering templates.
///
/// [`Error::report`] gives a one-paragraph, compiler-style message pointing at the
/// template line; `Display` gives the one-line summary.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A template does not parse or refers to something that does not exist (an unknown
    /// filter, test, function, component or included template). Reported when the
    /// templates load, before anything renders.
    Syntax {
        /// What is wrong, lowercase, with a "did you mean" hint when one is close.
        message: String,
        /// Where it is.
        location: Option<Box<Location>>,
    },
    /// Rendering failed: an undefined variable, a type error, a filter's error.
    Render {
        /// What is wrong, lowercase, with a "did you mean" hint when one is close.
        message: String,
        /// Where it is.
        location: Option<Box<Location>>,
    },
    /// No template has this name.
    NotFound {
        /// The name asked for.
        name: String,
        /// The closest known name.
        suggestion: Option<String>,
    },
    /// A template extends a template that does not exist.
    MissingParent {
        /// The child template.
        template: String,
        /// The missing parent.
        parent: String,
        /// The closest known name.
        suggestion: Option<String>,
    },
    /// Templates extend or include each other in a circle.
    Cycle {
        /// The templates of the circle, in order; the first comes back at the end.
        chain: Vec<String>,
    },
    /// Reading a template from disk failed.
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A template file is not UTF-8, or is larger than the loader accepts.
    InvalidSource {
        /// The file.
        path: PathBuf,
        /// Why it was refused.
        reason: String,
    },
    /// A sandbox or isolation limit fired; the render was aborted.
    CapExceeded {
        /// Which limit.
        cap: Cap,
        /// Its configured value, in [`Cap::unit`]s.
        limit: u64,
        /// Where the template was when it fired, when known.
        location: Option<Box<Location>>,
    },
    /// The sandbox policy forbids a filter, function, test, template or name.
    Forbidden {
        /// What kind of thing.
        kind: ForbiddenKind,
        /// Its name.
        name: String,
        /// Where the template uses it.
        location: Option<Box<Location>>,
    },
    /// Writing the output failed (not a cap: the writer itself returned an error).
    Output(std::io::Error),
    /// An isolated render's worker process could not be started or misbehaved.
    Worker {
        /// What happened.
        message: String,
    },
    /// A filter, function or Tera itself panicked; the panic was caught and the render
    /// aborted.
    Panicked {
        /// The panic message.
        message: String,
    },
    /// A value given to the environment (a global, the context) could not be converted.
    Value {
        /// What could not be converted, and why.
        message: String,
    },
}

impl Error {
    /// Where in which template the error is, when known.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::{Context, Environment};
    ///
    /// let env = Environment::builder().template("a.txt", "x\n{{ y }}").build().unwrap();
    /// let err = env.render("a.txt", &Context::new()).unwrap_err();
    /// assert_eq!(err.location().unwrap().line(), 2);
    /// ```
    pub fn location(&self) -> Option<&Location> {
        match self {
            Error::Syntax { location, .. }
            | Error::Render { location, .. }
            | Error::CapExceeded { location, .. }
            | Error::Forbidden { location, .. } => location.as_deref(),
            _ => None,
        }
    }

    /// The cap that fired, for [`Error::CapExceeded`].
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::{Cap, Error};
    ///
    /// let err = Error::CapExceeded { cap: Cap::OutputSize, limit: 10, location: None };
    /// assert_eq!(err.cap(), Some(Cap::OutputSize));
    /// assert_eq!(Error::Worker { message: "gone".into() }.cap(), None);
    /// ```
    pub fn cap(&self) -> Option<Cap> {
        match self {
            Error::CapExceeded { cap, .. } => Some(*cap),
            _ => None,
        }
    }

    /// A compiler-style report: the message, then ` --> file:line:col`, the source line
    /// and a caret under the offending part. One paragraph (no blank line), ready for a
    /// terminal or a log.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::{Context, Environment};
    ///
    /// let env = Environment::builder().template("a.txt", "Hi {{ nme }}").build().unwrap();
    /// let mut context = Context::new();
    /// context.insert("name", "Ada");
    /// let report = env.render("a.txt", &context).unwrap_err().report();
    /// assert_eq!(
    ///     report,
    ///     "error: variable `nme` is not defined (did you mean `name`?)\n --> a.txt:1:7\n1 | Hi {{ nme }}\n  |       ^^^"
    /// );
    /// ```
    pub fn report(&self) -> String {
        struct Report<'a>(&'a Error);
        impl fmt::Display for Report<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "error: ")?;
                self.0.write_message(f)?;
                if let Some(location) = self.0.location() {
                    writeln!(f)?;
                    location.write_snippet(f)?;
                }
                Ok(())
            }
        }
        Report(self).to_string()
    }

    fn write_message(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Syntax { message, .. } | Error::Render { message, .. } => f.write_str(message),
            Error::NotFound { name, suggestion } => {
                write!(f, "template `{name}` not found")?;
                write_suggestion(f, suggestion.as_deref())
            }
            Error::MissingParent {
                template,
                parent,
                suggestion,
            } => {
                write!(
                    f,
                    "template `{template}` extends `{parent}`, which does not exist"
                )?;
                write_suggestion(f, suggestion.as_deref())
            }
            Error::Cycle { chain } => {
                write!(f, "templates extend or include each other in a circle: ")?;
                f.write_str(&chain.join(" -> "))
            }
            Error::Io { path, source } => write!(f, "cannot read `{}`: {source}", path.display()),
            Error::InvalidSource { path, reason } => {
                write!(f, "cannot load `{}`: {reason}", path.display())
            }
            Error::CapExceeded { cap, limit, .. } => {
                let what = if cap.is_process_limit() {
                    "process limit"
                } else {
                    "sandbox cap"
                };
                write!(f, "{what} `{cap}` exceeded (limit: {limit} {})", cap.unit())
            }
            Error::Forbidden { kind, name, .. } => {
                write!(f, "the sandbox does not allow the {kind} `{name}`")
            }
            Error::Output(source) => write!(f, "cannot write the output: {source}"),
            Error::Worker { message } => write!(f, "isolated render failed: {message}"),
            Error::Panicked { message } => write!(f, "the render panicked: {message}"),
            Error::Value { message } => write!(f, "invalid value: {message}"),
        }
    }
}

fn write_suggestion(f: &mut fmt::Formatter<'_>, suggestion: Option<&str>) -> fmt::Result {
    match suggestion {
        Some(name) => write!(f, " (did you mean `{name}`?)"),
        None => Ok(()),
    }
}

impl fmt::Display for Error {
    /// The message, followed by ` at file:line:column` when the location is known.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_message(f)?;
        if let Some(location) = self.location() {
            write!(f, " at {location}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } | Error::Output(source) => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_counts_lines_and_characters() {
        let source = "é line one\nsecond {{ x }} line\r\nthird";
        let offset = source.find("{{").unwrap();
        let location = Location::at_offset("t.html", source, offset, 7);
        assert_eq!(location.line(), 2);
        assert_eq!(location.column(), 8);
        assert_eq!(location.source_line(), "second {{ x }} line");
        assert_eq!(location.to_string(), "t.html:2:8");
        let first = Location::at_offset("t.html", source, 2, 4);
        assert_eq!((first.line(), first.column()), (1, 2));
    }

    #[test]
    fn location_survives_offsets_past_the_end_and_inside_characters() {
        let source = "ab\né";
        let location = Location::at_offset("t", source, 4, 3);
        assert_eq!((location.line(), location.column()), (2, 1));
        let location = Location::at_offset("t", source, 99, 3);
        assert_eq!(location.line(), 2);
    }

    #[test]
    fn report_is_one_paragraph_with_a_caret() {
        let error = Error::Render {
            message: "variable `x` is not defined".into(),
            location: Some(Box::new(Location::at_offset("t.txt", "a {{ x }}", 5, 1))),
        };
        let report = error.report();
        assert!(!report.contains("\n\n"), "{report}");
        assert_eq!(
            report,
            "error: variable `x` is not defined\n --> t.txt:1:6\n1 | a {{ x }}\n  |      ^"
        );
        assert_eq!(
            error.to_string(),
            "variable `x` is not defined at t.txt:1:6"
        );
    }

    #[test]
    fn cap_messages_name_the_setting() {
        let error = Error::CapExceeded {
            cap: Cap::Iterations,
            limit: 10,
            location: None,
        };
        assert_eq!(
            error.to_string(),
            "sandbox cap `max_iterations` exceeded (limit: 10 iterations)"
        );
    }
}
