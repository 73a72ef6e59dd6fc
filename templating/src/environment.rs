//! The [`Environment`]: Jinja2's central object on Tera 2.

use std::io::Write;
use std::sync::Arc;

use tera::{Context, Tera};

use crate::diagnostics::{self, KnownNames, SourceMap};
use crate::loader::Loader;
use crate::reload::Reloader;
use crate::scope::{self, Frame, RenderScope};
use crate::{EnvironmentBuilder, Error};

/// The file extensions autoescaped by default (Flask's choice, plus SVG).
pub const DEFAULT_AUTOESCAPE: &[&str] = &[".html", ".htm", ".xml", ".svg"];

/// A set of templates with their filters, tests, functions and globals, ready to render.
///
/// Built once with [`Environment::builder`]; rendering takes `&self` and can happen from
/// many threads at once. With [auto-reload](EnvironmentBuilder::auto_reload) off (the
/// default, for production) the environment is frozen: a render is a direct call into
/// Tera, with no lock and no file-system check.
///
/// # Examples
///
/// ```
/// use carafe_templating::{Context, Environment, MemoryLoader};
///
/// let env = Environment::builder()
///     .loader(
///         MemoryLoader::new()
///             .with("base.html", "<title>{% block title %}{% endblock title %}</title>")
///             .with("page.html", r#"{% extends "base.html" %}{% block title %}{{ title }}{% endblock title %}"#),
///     )
///     .build()
///     .unwrap();
///
/// let mut context = Context::new();
/// context.insert("title", "Tom & Jerry's <page>");
/// assert_eq!(
///     env.render("page.html", &context).unwrap(),
///     "<title>Tom &amp; Jerry&#39;s &lt;page&gt;</title>"
/// );
/// ```
pub struct Environment {
    pub(crate) inner: Inner,
}

// Built once per process; the frozen variant stays inline so a render follows no
// extra pointer.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Inner {
    Frozen(Compiled),
    Reloading(Box<Reloader>),
}

/// A loaded, validated set of templates.
pub(crate) struct Compiled {
    pub(crate) tera: Tera,
    pub(crate) sources: SourceMap,
    pub(crate) names: KnownNames,
}

impl Compiled {
    pub(crate) fn error(&self, error: tera::Error) -> Error {
        diagnostics::convert(error, &[&self.sources], &self.names)
    }

    fn render(&self, name: &str, context: &Context) -> Result<String, Error> {
        self.tera.render(name, context).map_err(|e| self.error(e))
    }

    fn render_to(&self, name: &str, context: &Context, out: impl Write) -> Result<(), Error> {
        self.tera
            .render_to(name, context, out)
            .map_err(|e| self.error(e))
    }
}

/// Everything needed to (re)build a [`Compiled`] from a loader's sources.
#[derive(Clone)]
pub(crate) struct Recipe {
    /// A Tera with every filter, test, function and global registered, and no templates.
    pub(crate) prototype: Tera,
    pub(crate) names: KnownNames,
    pub(crate) keep_trailing_newline: bool,
}

impl Recipe {
    pub(crate) fn compile(&self, loader: &dyn Loader) -> Result<Compiled, Error> {
        let mut sources = SourceMap::default();
        let mut texts = Vec::new();
        for source in loader.load()? {
            let (name, mut text, path) = source.into_parts();
            if !self.keep_trailing_newline {
                strip_one_trailing_newline(&mut text);
            }
            sources.insert(&name, &text, path);
            texts.push((name, text));
        }
        let mut names = self.names.clone();
        names.templates = texts.iter().map(|(name, _)| name.clone()).collect();
        let mut tera = self.prototype.clone();
        if let Err(error) = tera.add_raw_templates(texts) {
            return Err(diagnostics::convert(error, &[&sources], &names));
        }
        names.components = tera.get_component_names().map(str::to_string).collect();
        Ok(Compiled {
            tera,
            sources,
            names,
        })
    }
}

/// Jinja2 drops one newline at the very end of a template (`keep_trailing_newline`
/// is off by default), so files can end with a newline without the output gaining one.
fn strip_one_trailing_newline(text: &mut String) {
    if text.ends_with("\r\n") {
        text.truncate(text.len() - 2);
    } else if text.ends_with('\n') {
        text.truncate(text.len() - 1);
    }
}

impl Environment {
    /// Starts configuring an environment.
    pub fn builder() -> EnvironmentBuilder {
        EnvironmentBuilder::new()
    }

    fn with_compiled<R>(&self, f: impl FnOnce(&Compiled) -> R) -> R {
        match &self.inner {
            Inner::Frozen(compiled) => f(compiled),
            Inner::Reloading(reloader) => f(&reloader.current()),
        }
    }

    /// Renders the template `name` with `context`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::{Context, Environment};
    ///
    /// let env = Environment::builder().template("hi.txt", "Hi {{ who }}").build().unwrap();
    /// let mut context = Context::new();
    /// context.insert("who", "<you>");
    /// assert_eq!(env.render("hi.txt", &context).unwrap(), "Hi <you>", ".txt is not escaped");
    /// let err = env.render("hello.txt", &context).unwrap_err();
    /// assert_eq!(err.to_string(), "template `hello.txt` not found");
    /// ```
    pub fn render(&self, name: &str, context: &Context) -> Result<String, Error> {
        match &self.inner {
            Inner::Frozen(compiled) => compiled.render(name, context),
            Inner::Reloading(reloader) => reloader.current().render(name, context),
        }
    }

    /// Renders into a writer (a file, a socket, a response body) instead of a `String`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::{Context, Environment};
    ///
    /// let env = Environment::builder().template("n.txt", "{{ 6 * 7 }}").build().unwrap();
    /// let mut out = Vec::new();
    /// env.render_to("n.txt", &Context::new(), &mut out).unwrap();
    /// assert_eq!(out, b"42");
    /// ```
    pub fn render_to(&self, name: &str, context: &Context, out: impl Write) -> Result<(), Error> {
        self.with_compiled(|compiled| compiled.render_to(name, context, out))
    }

    /// Renders with per-render values for filters and functions (see [`RenderScope`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::{Context, Environment, Kwargs, RenderScope, State};
    ///
    /// struct Locale(&'static str);
    /// let env = Environment::builder()
    ///     .function("locale", |_: Kwargs, _: &State<'_>| {
    ///         RenderScope::current::<Locale>().map_or("en", |l| l.0)
    ///     })
    ///     .template("l.txt", "{{ locale() }}")
    ///     .build()
    ///     .unwrap();
    /// let fr = RenderScope::new().with(Locale("fr"));
    /// assert_eq!(env.render_with("l.txt", &Context::new(), &fr).unwrap(), "fr");
    /// assert_eq!(env.render("l.txt", &Context::new()).unwrap(), "en");
    /// ```
    pub fn render_with(
        &self,
        name: &str,
        context: &Context,
        scope: &RenderScope,
    ) -> Result<String, Error> {
        let _frame = scope::enter(Frame {
            scope: Some(scope.clone()),
            budget: None,
        });
        self.render(name, context)
    }

    /// Renders one block of a template (for fragments, e.g. an htmx partial).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::{Context, Environment};
    ///
    /// let env = Environment::builder()
    ///     .template("p.html", "<main>{% block body %}hi{% endblock body %}</main>")
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(env.render_block("p.html", "body", &Context::new()).unwrap(), "hi");
    /// ```
    pub fn render_block(
        &self,
        name: &str,
        block: &str,
        context: &Context,
    ) -> Result<String, Error> {
        self.with_compiled(|compiled| {
            compiled
                .tera
                .render_block(name, block, context)
                .map_err(|e| compiled.error(e))
        })
    }

    /// Renders a template given as a string, with this environment's filters, functions,
    /// globals and components (Jinja2's `env.from_string(...).render(...)`). It cannot
    /// use `extends`. Escaping follows `autoescape`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::{Context, Environment};
    ///
    /// let env = Environment::builder().global("site", &"Carafe").build().unwrap();
    /// let out = env.render_str("{{ site | upper }} <3", &Context::new(), true).unwrap();
    /// assert_eq!(out, "CARAFE <3");
    /// ```
    pub fn render_str(
        &self,
        source: &str,
        context: &Context,
        autoescape: bool,
    ) -> Result<String, Error> {
        self.with_compiled(|compiled| {
            compiled
                .tera
                .render_str(source, context, autoescape)
                .map_err(|e| {
                    let mut one_off = SourceMap::default();
                    one_off.insert("__tera_one_off", source, None);
                    diagnostics::convert(e, &[&one_off, &compiled.sources], &compiled.names)
                })
        })
    }

    /// The names of all templates, sorted.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::Environment;
    /// let env = Environment::builder().template("b", "").template("a", "").build().unwrap();
    /// assert_eq!(env.template_names(), ["a", "b"]);
    /// ```
    pub fn template_names(&self) -> Vec<String> {
        self.with_compiled(|compiled| compiled.names.templates.iter().cloned().collect())
    }

    /// Whether a template of this name exists.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::Environment;
    /// let env = Environment::builder().template("a.html", "").build().unwrap();
    /// assert!(env.has_template("a.html") && !env.has_template("b.html"));
    /// ```
    pub fn has_template(&self, name: &str) -> bool {
        self.with_compiled(|compiled| compiled.tera.contains_template(name))
    }

    /// Checks the loaders now and reloads when something changed; `Ok(true)` when a new
    /// version was loaded. When the new version is broken, the error is returned and the
    /// last good version keeps serving. Without auto-reload this does nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::{Environment, MemoryLoader};
    ///
    /// let templates = MemoryLoader::new().with("a.txt", "1");
    /// let env = Environment::builder().loader(templates.clone()).auto_reload(true).build().unwrap();
    /// assert!(!env.refresh().unwrap());
    /// templates.insert("a.txt", "{{ broken");
    /// assert!(env.refresh().is_err());
    /// assert!(env.reload_error().is_some());
    /// ```
    pub fn refresh(&self) -> Result<bool, Arc<Error>> {
        match &self.inner {
            Inner::Frozen(_) => Ok(false),
            Inner::Reloading(reloader) => reloader.refresh(),
        }
    }

    /// The error of the last reload attempt, while the templates on disk are broken and
    /// the previous version is still serving; `None` once a reload succeeds.
    pub fn reload_error(&self) -> Option<Arc<Error>> {
        match &self.inner {
            Inner::Frozen(_) => None,
            Inner::Reloading(reloader) => reloader.error(),
        }
    }

    /// Whether this environment reloads changed templates.
    pub fn auto_reloads(&self) -> bool {
        matches!(self.inner, Inner::Reloading(_))
    }

    /// The underlying Tera instance, for what this crate does not wrap. With
    /// auto-reload on, this is the version current at the time of the call.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::Environment;
    /// let env = Environment::builder().template("a.txt", "{{ x }}").build().unwrap();
    /// let vars = env.with_tera(|tera| tera.get_template_variables("a.txt").unwrap().len());
    /// assert_eq!(vars, 1);
    /// ```
    pub fn with_tera<R>(&self, f: impl FnOnce(&Tera) -> R) -> R {
        self.with_compiled(|compiled| f(&compiled.tera))
    }
}

impl std::fmt::Debug for Environment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Environment")
            .field("templates", &self.template_names())
            .field("auto_reload", &self.auto_reloads())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_exactly_one_trailing_newline() {
        for (input, expected) in [("a\n\n", "a\n"), ("a\r\n", "a"), ("a", "a"), ("", "")] {
            let mut text = input.to_string();
            strip_one_trailing_newline(&mut text);
            assert_eq!(text, expected);
        }
    }

    #[test]
    fn environment_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Environment>();
    }
}
