//! [`EnvironmentBuilder`]: everything an [`Environment`] is made of, registered
//! before the templates load.

use std::borrow::Cow;
use std::time::Duration;

use tera::{ArgFromValue, Filter, Function, FunctionResult, Tera, Test, TestResult, Value};

use crate::Error;
use crate::diagnostics::KnownNames;
use crate::environment::{DEFAULT_AUTOESCAPE, Environment, Inner, Recipe};
use crate::escape::escape_markupsafe;
use crate::loader::{ChainLoader, Loader, MemoryLoader};
use crate::reload::Reloader;

/// Configures an [`Environment`]. Filters, tests, functions and globals must be
/// registered here, before the templates load: Tera 2 checks at load time that every
/// name a template uses exists, so a typo is an error at startup, not at the first
/// request.
///
/// The builder keeps the first error (a global that cannot be serialized) until
/// [`build`](EnvironmentBuilder::build).
pub struct EnvironmentBuilder {
    loaders: Vec<Box<dyn Loader>>,
    inline: Option<MemoryLoader>,
    tera: Tera,
    names: KnownNames,
    autoescape: Vec<Cow<'static, str>>,
    auto_reload: bool,
    reload_interval: Duration,
    keep_trailing_newline: bool,
    jinja_filters: bool,
    error: Option<Error>,
}

impl EnvironmentBuilder {
    pub(crate) fn new() -> Self {
        let mut tera = Tera::default();
        tera.set_escape_fn(escape_markupsafe);
        EnvironmentBuilder {
            loaders: Vec::new(),
            inline: None,
            tera,
            names: KnownNames::with_tera_builtins(),
            autoescape: DEFAULT_AUTOESCAPE
                .iter()
                .map(|s| Cow::Borrowed(*s))
                .collect(),
            auto_reload: false,
            reload_interval: Duration::ZERO,
            keep_trailing_newline: false,
            jinja_filters: true,
            error: None,
        }
    }

    /// Adds a loader. Several loaders form a chain: the first one that has a name wins.
    pub fn loader(mut self, loader: impl Loader) -> Self {
        self.loaders.push(Box::new(loader));
        self
    }

    /// Adds one template from a string (handy in tests and small tools); these come
    /// before every loader.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::{Context, Environment};
    /// let env = Environment::builder().template("a.txt", "A").build().unwrap();
    /// assert_eq!(env.render("a.txt", &Context::new()).unwrap(), "A");
    /// ```
    pub fn template(mut self, name: impl Into<String>, source: impl Into<String>) -> Self {
        self.inline
            .get_or_insert_with(MemoryLoader::new)
            .insert(name, source);
        self
    }

    /// Which template names are autoescaped, by suffix (default
    /// [`DEFAULT_AUTOESCAPE`]: `.html`, `.htm`, `.xml`, `.svg`). An empty list turns
    /// autoescaping off. Inside an escaped template, `| safe` marks a value as markup.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::{Context, Environment};
    /// let env = Environment::builder()
    ///     .autoescape_extensions([".html", ".jinja"])
    ///     .template("a.jinja", "{{ x }}")
    ///     .build()
    ///     .unwrap();
    /// let mut context = Context::new();
    /// context.insert("x", "<b>");
    /// assert_eq!(env.render("a.jinja", &context).unwrap(), "&lt;b&gt;");
    /// ```
    pub fn autoescape_extensions<I, S>(mut self, suffixes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'static, str>>,
    {
        self.autoescape = suffixes.into_iter().map(Into::into).collect();
        self
    }

    /// Replaces the HTML escaper (the default is MarkupSafe's, see
    /// [`escape_markupsafe`]).
    pub fn escaper(mut self, escaper: tera::EscapeFn) -> Self {
        self.tera.set_escape_fn(escaper);
        self
    }

    /// Reload changed, added and removed templates on the next render (development).
    /// When an edit breaks a template, the last good version keeps serving and the
    /// error is logged (with `tracing`) and kept in [`Environment::reload_error`]. Off by
    /// default: a production environment is frozen and pays nothing per render.
    pub fn auto_reload(mut self, on: bool) -> Self {
        self.auto_reload = on;
        self
    }

    /// With auto-reload, look at the loaders at most this often (default: before every
    /// render). Checking a directory costs one `stat` per file.
    pub fn reload_interval(mut self, interval: Duration) -> Self {
        self.reload_interval = interval;
        self
    }

    /// Keep the newline at the very end of a template (Jinja2's `keep_trailing_newline`;
    /// off by default: one trailing newline is dropped, as Jinja2 does).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::{Context, Environment};
    /// let env = Environment::builder().template("a.txt", "line\n").build().unwrap();
    /// assert_eq!(env.render("a.txt", &Context::new()).unwrap(), "line");
    /// let env = Environment::builder().keep_trailing_newline(true).template("a.txt", "line\n").build().unwrap();
    /// assert_eq!(env.render("a.txt", &Context::new()).unwrap(), "line\n");
    /// ```
    pub fn keep_trailing_newline(mut self, keep: bool) -> Self {
        self.keep_trailing_newline = keep;
        self
    }

    /// Whether to register the Jinja2 filters Tera lacks (`tojson`, `urlencode`,
    /// `filesizeformat`, `wordwrap`, `dictsort`, ... see [`filters`](crate::filters));
    /// on by default.
    pub fn jinja_filters(mut self, on: bool) -> Self {
        self.jinja_filters = on;
        self
    }

    /// A value every template sees (Jinja2's `env.globals`); the render's context wins
    /// over a global of the same name.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::{Context, Environment};
    /// let env = Environment::builder()
    ///     .global("site", &"Carafe")
    ///     .template("t.txt", "{{ site }}")
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(env.render("t.txt", &Context::new()).unwrap(), "Carafe");
    /// ```
    pub fn global<T: serde::Serialize + ?Sized>(
        mut self,
        name: impl Into<Cow<'static, str>>,
        value: &T,
    ) -> Self {
        let name = name.into();
        match Value::try_from_serializable(value) {
            Ok(value) => self.tera.global_context().insert_value(name, value),
            Err(e) => {
                self.error.get_or_insert(Error::Value {
                    message: format!("global `{name}`: {e}"),
                });
            }
        }
        self
    }

    /// Registers a filter (`{{ value | name(arg=...) }}`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::{Context, Environment, Kwargs, State};
    /// let env = Environment::builder()
    ///     .filter("shout", |s: &str, _: Kwargs, _: &State<'_>| format!("{}!", s.to_uppercase()))
    ///     .template("t.txt", "{{ 'hey' | shout }}")
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(env.render("t.txt", &Context::new()).unwrap(), "HEY!");
    /// ```
    pub fn filter<F, A, R>(mut self, name: impl Into<Cow<'static, str>>, filter: F) -> Self
    where
        F: Filter<A, R> + for<'a> Filter<<A as ArgFromValue<'a>>::Output, R>,
        A: for<'a> ArgFromValue<'a>,
        R: FunctionResult,
    {
        let name = name.into();
        self.names.filters.insert(name.to_string());
        self.tera.register_filter(name, filter);
        self
    }

    /// Registers a test (`{% if value is name %}`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::{Context, Environment, Kwargs, State};
    /// let env = Environment::builder()
    ///     .test("palindrome", |s: &str, _: Kwargs, _: &State<'_>| s.chars().eq(s.chars().rev()))
    ///     .template("t.txt", "{{ 'kayak' is palindrome }}")
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(env.render("t.txt", &Context::new()).unwrap(), "true");
    /// ```
    pub fn test<F, A, R>(mut self, name: impl Into<Cow<'static, str>>, test: F) -> Self
    where
        F: Test<A, R> + for<'a> Test<<A as ArgFromValue<'a>>::Output, R>,
        A: for<'a> ArgFromValue<'a>,
        R: TestResult,
    {
        let name = name.into();
        self.names.tests.insert(name.to_string());
        self.tera.register_test(name, test);
        self
    }

    /// Registers a function (`{{ name(arg=...) }}`). Functions that need per-render
    /// values (the current request) read them from [`RenderScope::current`](crate::RenderScope::current).
    pub fn function<F, R>(mut self, name: impl Into<Cow<'static, str>>, function: F) -> Self
    where
        F: Function<R>,
        R: FunctionResult,
    {
        let name = name.into();
        self.names.functions.insert(name.to_string());
        self.tera.register_function(name, function);
        self
    }

    /// Loads and checks every template, and returns the environment. Errors point at
    /// the template, line and column (syntax errors, unknown filters or functions with
    /// the closest known name, missing parents, include cycles).
    pub fn build(mut self) -> Result<Environment, Error> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        if self.jinja_filters {
            crate::filters::register(&mut self.tera, &mut self.names);
        }
        self.tera.autoescape_on(self.autoescape.clone());
        let recipe = Recipe {
            prototype: self.tera,
            names: self.names,
            keep_trailing_newline: self.keep_trailing_newline,
        };
        let mut loaders = self.loaders;
        if let Some(inline) = self.inline {
            loaders.insert(0, Box::new(inline));
        }
        let loader: Box<dyn Loader> = if loaders.len() == 1 {
            loaders.pop().expect("one loader")
        } else {
            Box::new(
                loaders
                    .into_iter()
                    .fold(ChainLoader::new(), ChainLoader::with),
            )
        };
        let inner = if self.auto_reload {
            Inner::Reloading(Box::new(Reloader::new(
                recipe,
                loader,
                self.reload_interval,
            )?))
        } else {
            Inner::Frozen(recipe.compile(&*loader)?)
        };
        Ok(Environment { inner })
    }
}

impl std::fmt::Debug for EnvironmentBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvironmentBuilder")
            .field("loaders", &self.loaders.len())
            .field("autoescape", &self.autoescape)
            .field("auto_reload", &self.auto_reload)
            .finish_non_exhaustive()
    }
}
