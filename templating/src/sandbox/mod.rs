//! A sandbox for templates written by untrusted people: user-editable emails, CMS
//! pages.
//!
//! ```
//! use carafe_templating::{Cap, Context, Error, sandbox::{Caps, Sandbox}};
//!
//! let sandbox = Sandbox::builder()
//!     .template("welcome.html", "<p>Hello {{ user.name | title }}!</p>")
//!     .template("loop.html", "{% for i in range(end=10000) %}{% for j in range(end=10000) %}{% endfor %}{% endfor %}")
//!     .build()
//!     .unwrap();
//!
//! let mut context = Context::new();
//! context.insert("user", &serde_json::json!({"name": "ada <lovelace>"}));
//! assert_eq!(sandbox.render("welcome.html", &context).unwrap(), "<p>Hello Ada &lt;Lovelace&gt;!</p>");
//!
//! // 100 million iterations are refused before they run.
//! let err = sandbox.render("loop.html", &context).unwrap_err();
//! assert_eq!(err.cap(), Some(Cap::Iterations));
//!
//! // Only the sandbox's own templates, and nothing that reveals the whole context.
//! let err = Sandbox::builder().template("a.html", "{{ __tera_context }}").build().unwrap_err();
//! assert!(matches!(err, Error::Forbidden { .. }));
//! ```
//!
//! # Policy
//!
//! - **Allow-lists** of filters, functions and tests. By default: Tera's built-in
//!   filters and tests, the Carafe [filters](crate::filters), and the functions
//!   `range` and `throw`. None of them reads the file system, the environment or the
//!   network. Narrow the lists with
//!   [`deny_filter`](SandboxBuilder::deny_filter) (e.g. `safe`, so authors cannot
//!   inject HTML) or [`allow_filters`](SandboxBuilder::allow_filters); custom
//!   filters registered on the builder are allowed. A template using something not
//!   allowed is refused when the sandbox is built ([`Error::Forbidden`]), and the
//!   denied built-ins are replaced by stubs that fail, should one slip through.
//! - **Its own templates only**: `include` and `extends` can name only templates
//!   given to this sandbox; components are those defined in them.
//! - **The context holds only what the caller passed**: no globals unless given to
//!   [`global`](SandboxBuilder::global), and the identifiers starting with `__` (Tera's
//!   `__tera_context` dumps every variable) are refused.
//!
//! # Caps
//!
//! See [`Caps`] for the list and the defaults. Exceeding one aborts the render with
//! [`Error::CapExceeded`] naming the cap; other renders and the process are not
//! affected. Caps are enforced by hooks the sandbox inserts into each template when it
//! is built (see `scan.rs` for the rewrite table): a loop's iterations are charged
//! *before* it starts, a value set with `set` is measured, every component call is
//! counted, the output writer counts bytes and reads the clock, and the filters whose
//! output can outgrow their input (`replace`, `join`, `indent`, `upper`, `escape`,
//! `range`, ... and all Carafe filters) compute the size of their result before
//! building it. A panic inside Tera or a filter is caught and reported as
//! [`Error::Panicked`].
//!
//! # What in-process caps cannot bound
//!
//! Tera has no hook inside an expression. A single expression can still do a bounded
//! but large amount of work before the next check: Tera limits an expression to 256
//! operations, so `{{ s ~ s ~ s ~ ... }}` on a string at `max_string_bytes` can
//! allocate up to 256 times that; text captured by a `set` block, a `filter` section
//! or a component body is measured when the capture ends, not while it grows; and the
//! clock is only read between those steps. For templates from people you do not
//! trust at all, render in [isolated mode](crate::isolated): a child process with hard
//! CPU, memory and wall-clock limits that the kernel enforces.

mod bounded;
pub(crate) mod budget;
mod caps;
mod hooks;
mod policy;
pub(crate) mod scan;
mod writer;

pub use budget::{check_collection_len, check_string_len};
pub use caps::Caps;

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};

use tera::{
    ArgFromValue, Context, Filter, Function, FunctionResult, Tera, Test, TestResult, Value,
};

use crate::diagnostics::{self, KnownNames, SourceMap};
use crate::environment::{Compiled, DEFAULT_AUTOESCAPE};
use crate::escape::escape_markupsafe;
use crate::loader::{Loader, MemoryLoader};
use crate::scope::{self, Frame, RenderScope};
use crate::{Cap, Error, ForbiddenKind, Location};
use budget::Budget;
use policy::Policy;
use scan::UseKind;
use writer::BoundedWriter;

/// A set of untrusted templates, checked against a policy and instrumented for the
/// caps when built. Rendering takes `&self`; a sandbox can be shared between threads.
pub struct Sandbox {
    compiled: Compiled,
    caps: Caps,
}

impl Sandbox {
    /// Starts configuring a sandbox.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::new()
    }

    /// Renders a template within the caps.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::{Cap, Context, sandbox::{Caps, Sandbox}};
    ///
    /// let sandbox = Sandbox::builder()
    ///     .caps(Caps::default().max_output_bytes(100))
    ///     .template("big.txt", "{% for i in range(end=1000) %}{{ i }}{% endfor %}")
    ///     .build()
    ///     .unwrap();
    /// let err = sandbox.render("big.txt", &Context::new()).unwrap_err();
    /// assert_eq!(err.cap(), Some(Cap::OutputSize));
    /// assert_eq!(err.to_string(), "sandbox cap `max_output_bytes` exceeded (limit: 100 bytes)");
    /// ```
    pub fn render(&self, name: &str, context: &Context) -> Result<String, Error> {
        let mut out = Vec::with_capacity(1024);
        self.render_to(name, context, &mut out)?;
        String::from_utf8(out).map_err(|e| Error::Render {
            message: format!("the output is not UTF-8: {e}"),
            location: None,
        })
    }

    /// Renders into a writer; at most `max_output_bytes` reach it.
    pub fn render_to(&self, name: &str, context: &Context, out: impl Write) -> Result<(), Error> {
        self.render_scoped(name, context, None, out)
    }

    /// Renders with per-render values for the custom filters and functions (see
    /// [`RenderScope`]).
    pub fn render_with(
        &self,
        name: &str,
        context: &Context,
        scope: &RenderScope,
    ) -> Result<String, Error> {
        let mut out = Vec::with_capacity(1024);
        self.render_scoped(name, context, Some(scope.clone()), &mut out)?;
        String::from_utf8(out).map_err(|e| Error::Render {
            message: format!("the output is not UTF-8: {e}"),
            location: None,
        })
    }

    fn render_scoped(
        &self,
        name: &str,
        context: &Context,
        scope: Option<RenderScope>,
        out: impl Write,
    ) -> Result<(), Error> {
        let guard = scope::enter(Frame {
            scope,
            budget: Some(Budget::new(self.caps)),
        });
        let writer = BoundedWriter::new(out, self.caps.max_output_bytes);
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            self.compiled.tera.render_to(name, context, writer)
        }));
        let budget = guard.finish().and_then(|frame| frame.budget);
        match result {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(self.error(error, budget.as_ref())),
            Err(panic) => Err(Error::Panicked {
                message: panic_message(&*panic),
            }),
        }
    }

    fn error(&self, error: tera::Error, budget: Option<&Budget>) -> Error {
        let converted = self.compiled.error(error);
        let location = converted.location().cloned().map(Box::new);
        let Some(budget) = budget else {
            return converted;
        };
        if let Some(cap) = budget.violation() {
            return Error::CapExceeded {
                cap,
                limit: self.caps.limit(cap).unwrap_or_default(),
                location,
            };
        }
        if let Some((kind, name)) = budget.forbidden() {
            return Error::Forbidden {
                kind,
                name,
                location,
            };
        }
        converted
    }

    /// The caps this sandbox enforces.
    pub fn caps(&self) -> &Caps {
        &self.caps
    }

    /// The names of the sandbox's templates, sorted.
    pub fn template_names(&self) -> Vec<String> {
        self.compiled.names.templates.iter().cloned().collect()
    }
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("templates", &self.template_names())
            .field("caps", &self.caps)
            .finish()
    }
}

/// The text of a caught panic.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string())
}

type Registration = Box<dyn FnOnce(&mut Tera) + Send>;

/// Configures a [`Sandbox`]: its templates, caps, allow-lists, and the custom
/// filters, functions, tests and globals it offers. Keeps its first error until
/// [`build`](SandboxBuilder::build).
pub struct SandboxBuilder {
    inline: Option<MemoryLoader>,
    loaders: Vec<Box<dyn Loader>>,
    caps: Caps,
    policy: Policy,
    custom: Vec<Registration>,
    custom_names: KnownNames,
    globals: Context,
    autoescape: Vec<Cow<'static, str>>,
    keep_trailing_newline: bool,
    error: Option<Error>,
}

impl SandboxBuilder {
    fn new() -> Self {
        SandboxBuilder {
            inline: None,
            loaders: Vec::new(),
            caps: Caps::default(),
            policy: Policy::default(),
            custom: Vec::new(),
            custom_names: KnownNames::default(),
            globals: Context::new(),
            autoescape: DEFAULT_AUTOESCAPE
                .iter()
                .map(|s| Cow::Borrowed(*s))
                .collect(),
            keep_trailing_newline: false,
            error: None,
        }
    }

    /// Adds a template.
    pub fn template(mut self, name: impl Into<String>, source: impl Into<String>) -> Self {
        self.inline
            .get_or_insert_with(MemoryLoader::new)
            .insert(name, source);
        self
    }

    /// Adds the templates of a loader (read once, when the sandbox is built).
    pub fn loader(mut self, loader: impl Loader) -> Self {
        self.loaders.push(Box::new(loader));
        self
    }

    /// Sets the caps (default: [`Caps::default`]).
    pub fn caps(mut self, caps: Caps) -> Self {
        self.caps = caps;
        self
    }

    /// Allows only these filters (built-in or custom).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::{Error, ForbiddenKind, sandbox::Sandbox};
    /// let err = Sandbox::builder()
    ///     .allow_filters(["upper", "lower"])
    ///     .template("a.txt", "{{ x | upper }}\n{{ x | safe }}")
    ///     .build()
    ///     .unwrap_err();
    /// assert!(matches!(&err, Error::Forbidden { kind: ForbiddenKind::Filter, name, .. } if name == "safe"));
    /// assert_eq!(err.location().unwrap().line(), 2);
    /// ```
    pub fn allow_filters<I: IntoIterator<Item = S>, S: AsRef<str>>(mut self, names: I) -> Self {
        self.policy.filters.only(names);
        self
    }

    /// Removes a filter from the allow-list (`safe`, for instance).
    pub fn deny_filter(mut self, name: &str) -> Self {
        self.policy.filters.deny(name);
        self
    }

    /// Allows only these functions (built-in: `range`, `throw`; or custom).
    pub fn allow_functions<I: IntoIterator<Item = S>, S: AsRef<str>>(mut self, names: I) -> Self {
        self.policy.functions.only(names);
        self
    }

    /// Removes a function from the allow-list.
    pub fn deny_function(mut self, name: &str) -> Self {
        self.policy.functions.deny(name);
        self
    }

    /// Allows only these tests.
    pub fn allow_tests<I: IntoIterator<Item = S>, S: AsRef<str>>(mut self, names: I) -> Self {
        self.policy.tests.only(names);
        self
    }

    /// Removes a test from the allow-list.
    pub fn deny_test(mut self, name: &str) -> Self {
        self.policy.tests.deny(name);
        self
    }

    /// A value every template sees. Nothing else is global in a sandbox.
    pub fn global<T: serde::Serialize + ?Sized>(
        mut self,
        name: impl Into<Cow<'static, str>>,
        value: &T,
    ) -> Self {
        let name = name.into();
        match Value::try_from_serializable(value) {
            Ok(value) => self.globals.insert_value(name, value),
            Err(e) => {
                self.error.get_or_insert(Error::Value {
                    message: format!("global `{name}`: {e}"),
                });
            }
        }
        self
    }

    /// Offers a custom filter (allowed). It runs as trusted Rust code: the render's
    /// clock is checked around it, not inside.
    pub fn filter<F, A, R>(mut self, name: &'static str, filter: F) -> Self
    where
        F: Filter<A, R> + for<'a> Filter<<A as ArgFromValue<'a>>::Output, R>,
        A: for<'a> ArgFromValue<'a> + 'static,
        R: FunctionResult + 'static,
    {
        self.policy.filters.allow(name);
        self.custom_names.filters.insert(name.to_string());
        self.custom.push(Box::new(move |tera: &mut Tera| {
            tera.register_filter(name, filter);
        }));
        self
    }

    /// Offers a custom function (allowed).
    pub fn function<F, R>(mut self, name: &'static str, function: F) -> Self
    where
        F: Function<R>,
        R: FunctionResult + 'static,
    {
        self.policy.functions.allow(name);
        self.custom_names.functions.insert(name.to_string());
        self.custom.push(Box::new(move |tera: &mut Tera| {
            tera.register_function(name, function);
        }));
        self
    }

    /// Offers a custom test (allowed).
    pub fn test<F, A, R>(mut self, name: &'static str, test: F) -> Self
    where
        F: Test<A, R> + for<'a> Test<<A as ArgFromValue<'a>>::Output, R>,
        A: for<'a> ArgFromValue<'a> + 'static,
        R: TestResult + 'static,
    {
        self.policy.tests.allow(name);
        self.custom_names.tests.insert(name.to_string());
        self.custom.push(Box::new(move |tera: &mut Tera| {
            tera.register_test(name, test);
        }));
        self
    }

    /// Which template names are HTML-escaped, by suffix (default `.html`, `.htm`,
    /// `.xml`, `.svg`).
    pub fn autoescape_extensions<I, S>(mut self, suffixes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'static, str>>,
    {
        self.autoescape = suffixes.into_iter().map(Into::into).collect();
        self
    }

    /// Keep a newline at the very end of a template (dropped by default, as Jinja2 does).
    pub fn keep_trailing_newline(mut self, keep: bool) -> Self {
        self.keep_trailing_newline = keep;
        self
    }

    /// Loads the templates, checks them against the policy and the load-time caps
    /// (`max_templates`, `max_source_bytes`, `max_nesting_depth`), and instruments
    /// them for the render-time caps.
    pub fn build(mut self) -> Result<Sandbox, Error> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        let caps = self.caps;
        let sources = self.load()?;
        let names: BTreeSet<String> = sources.iter().map(|(name, _, _)| name.clone()).collect();

        let mut originals = SourceMap::default();
        let mut rewritten_map = SourceMap::default();
        let mut rewritten = Vec::with_capacity(sources.len());
        for (name, text, path) in &sources {
            let scan = scan::scan(text);
            self.check(name, text, path, &scan, &names)?;
            let (new_text, insertions) = scan::rewrite(text, &scan.inserts);
            originals.insert(name, text, path.clone());
            rewritten_map.insert_rewritten(name, text, path.clone(), insertions);
            rewritten.push((name.clone(), new_text));
        }

        let mut known = self.known_names();
        known.templates = names;
        let prototype = self.prototype();
        // Load the sources as written first, so that syntax errors and unknown names
        // point at what the author wrote; then the instrumented ones.
        let mut shadow = prototype.clone();
        shadow
            .add_raw_templates(
                sources
                    .iter()
                    .map(|(name, text, _)| (name.as_str(), text.as_str())),
            )
            .map_err(|e| diagnostics::convert(e, &originals, &known))?;
        known.components = shadow.get_component_names().map(str::to_string).collect();
        drop(shadow);
        let mut tera = prototype;
        tera.add_raw_templates(rewritten)
            .map_err(|e| diagnostics::convert(e, &rewritten_map, &known))?;
        Ok(Sandbox {
            compiled: Compiled {
                tera,
                sources: rewritten_map,
                names: known,
            },
            caps,
        })
    }

    fn load(&mut self) -> Result<Vec<(String, String, Option<std::path::PathBuf>)>, Error> {
        let mut loaders = std::mem::take(&mut self.loaders);
        if let Some(inline) = self.inline.take() {
            loaders.insert(0, Box::new(inline));
        }
        let mut seen = BTreeSet::new();
        let mut sources = Vec::new();
        for loader in &loaders {
            for source in loader.load()? {
                if !seen.insert(source.name().to_string()) {
                    continue;
                }
                if seen.len() as u64 > self.caps.max_templates {
                    return Err(Error::CapExceeded {
                        cap: Cap::TemplateCount,
                        limit: self.caps.max_templates,
                        location: None,
                    });
                }
                let (name, mut text, path) = source.into_parts();
                if text.len() as u64 > self.caps.max_source_bytes {
                    let mut location =
                        Location::at_offset(&name, &text, self.caps.max_source_bytes as usize, 1);
                    location.path = path;
                    return Err(Error::CapExceeded {
                        cap: Cap::SourceSize,
                        limit: self.caps.max_source_bytes,
                        location: Some(Box::new(location)),
                    });
                }
                if !self.keep_trailing_newline {
                    if text.ends_with("\r\n") {
                        text.truncate(text.len() - 2);
                    } else if text.ends_with('\n') {
                        text.truncate(text.len() - 1);
                    }
                }
                sources.push((name, text, path));
            }
        }
        Ok(sources)
    }

    /// The policy and the nesting cap, on one template's scan.
    fn check(
        &self,
        name: &str,
        text: &str,
        path: &Option<std::path::PathBuf>,
        scan: &scan::Scan,
        templates: &BTreeSet<String>,
    ) -> Result<(), Error> {
        let locate = |span: &std::ops::Range<usize>| {
            let mut location = Location::at_offset(name, text, span.start, span.end - span.start);
            location.path = path.clone();
            Some(Box::new(location))
        };
        for found in &scan.uses {
            let kind = match found.kind {
                UseKind::Reserved => Some(ForbiddenKind::Name),
                UseKind::Component => None,
                UseKind::Template => {
                    (!templates.contains(&found.name)).then_some(ForbiddenKind::Template)
                }
                UseKind::Filter => (!self.policy.filters.allows(&found.name)
                    && policy::builtin_filters().any(|b| b == found.name))
                .then_some(ForbiddenKind::Filter),
                UseKind::Function => (!self.policy.functions.allows(&found.name)
                    && policy::builtin_functions().any(|b| b == found.name))
                .then_some(ForbiddenKind::Function),
                UseKind::Test => (!self.policy.tests.allows(&found.name)
                    && policy::builtin_tests().any(|b| b == found.name))
                .then_some(ForbiddenKind::Test),
            };
            if let Some(kind) = kind {
                return Err(Error::Forbidden {
                    kind,
                    name: found.name.clone(),
                    location: locate(&found.span),
                });
            }
        }
        if scan.depth as u64 > self.caps.max_nesting_depth {
            return Err(Error::CapExceeded {
                cap: Cap::NestingDepth,
                limit: self.caps.max_nesting_depth,
                location: locate(&scan.deepest),
            });
        }
        Ok(())
    }

    /// The names allowed in this sandbox, for "did you mean" hints.
    fn known_names(&self) -> KnownNames {
        let mut known = self.custom_names.clone();
        known
            .filters
            .extend(self.policy.filters.names().map(str::to_string));
        known
            .functions
            .extend(self.policy.functions.names().map(str::to_string));
        known.functions.insert("super".to_string());
        known
            .tests
            .extend(self.policy.tests.names().map(str::to_string));
        known
    }

    /// A Tera with the sandbox's filters, functions, tests and globals, no templates.
    fn prototype(&mut self) -> Tera {
        let mut tera = Tera::default();
        tera.set_escape_fn(escape_markupsafe);
        crate::filters::register(&mut tera, &mut KnownNames::default());
        bounded::register(&mut tera);
        hooks::register(&mut tera);
        for name in policy::builtin_filters() {
            if !self.policy.filters.allows(name) {
                hooks::deny(&mut tera, ForbiddenKind::Filter, name);
            }
        }
        for name in policy::builtin_functions() {
            if !self.policy.functions.allows(name) {
                hooks::deny(&mut tera, ForbiddenKind::Function, name);
            }
        }
        for name in policy::builtin_tests() {
            if !self.policy.tests.allows(name) {
                hooks::deny(&mut tera, ForbiddenKind::Test, name);
            }
        }
        for register in self.custom.drain(..) {
            register(&mut tera);
        }
        *tera.global_context() = std::mem::take(&mut self.globals);
        tera.autoescape_on(self.autoescape.clone());
        tera
    }
}

impl std::fmt::Debug for SandboxBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxBuilder")
            .field("caps", &self.caps)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}
