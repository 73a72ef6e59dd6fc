//! [`SandboxBuilder`]: the templates, caps, allow-lists and custom names of a
//! [`Sandbox`], checked and instrumented when built.

use std::borrow::Cow;
use std::collections::BTreeSet;

use tera::{
    ArgFromValue, Context, Filter, Function, FunctionResult, Tera, Test, TestResult, Value,
};

use super::policy::{self, Policy};
use super::scan::{self, UseKind};
use super::{Caps, Sandbox, bounded, hooks};
use crate::diagnostics::{self, KnownNames, SourceMap};
use crate::environment::{Compiled, DEFAULT_AUTOESCAPE};
use crate::escape::escape_markupsafe;
use crate::loader::{Loader, MemoryLoader};
use crate::{Cap, Error, ForbiddenKind, Location};

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
    pub(crate) fn new() -> Self {
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

        let mut scans = Vec::with_capacity(sources.len());
        for (name, text, path) in &sources {
            let scan = scan::scan(text);
            self.check(name, text, path, &scan, &names)?;
            scans.push(scan);
        }
        // A template another one includes or extends may run inside a loop of that
        // one (an include in a loop, `super()` in a loop): all its loops are hooked.
        let referenced: BTreeSet<&str> = scans
            .iter()
            .flat_map(|scan| scan.uses.iter())
            .filter(|used| used.kind == UseKind::Template)
            .map(|used| used.name.as_str())
            .collect();

        let mut originals = SourceMap::default();
        let mut rewritten_map = SourceMap::default();
        let mut rewritten = Vec::with_capacity(sources.len());
        for ((name, text, path), scan) in sources.iter().zip(&scans) {
            let all_hooks = referenced.contains(name.as_str());
            let (new_text, insertions) = scan::rewrite(text, &scan.inserts, all_hooks);
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
            .map_err(|e| diagnostics::convert(e, &[&originals], &known))?;
        known.components = shadow.get_component_names().map(str::to_string).collect();
        drop(shadow);
        let mut tera = prototype;
        tera.add_raw_templates(rewritten)
            .map_err(|e| diagnostics::convert(e, &[&rewritten_map], &known))?;
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
