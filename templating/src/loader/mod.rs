//! Where templates come from: a directory, a map in memory, the binary itself, or a
//! combination (Jinja2's `FileSystemLoader`, `DictLoader`, `ChoiceLoader`,
//! `PrefixLoader`).
//!
//! A [`Loader`] hands the [`Environment`](crate::Environment) every template it has at
//! once: Tera 2 checks a whole set together (inheritance, includes, components, and
//! that every filter exists), so templates are loaded eagerly, not on first use.
//! Auto-reload asks each loader for a cheap [`Loader::stamp`] before a render and loads
//! again only when it changed.
//!
//! This module is the crate's IO boundary: everything else works on strings.

mod chain;
mod dir;
mod embedded;
mod memory;

pub use chain::{ChainLoader, PrefixLoader};
pub use dir::DirLoader;
pub use embedded::{EmbeddedLoader, write_embed_manifest};
pub use memory::MemoryLoader;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::Error;
use crate::sandbox::scan::{self, UseKind};

/// One template: its name (the one `render` and `{% include %}` use), its text, and
/// the file it came from, if any.
///
/// # Examples
///
/// ```
/// use carafe_templating::Source;
/// let source = Source::new("mail/welcome.txt", "Hello {{ name }}");
/// assert_eq!((source.name(), source.text(), source.path()), ("mail/welcome.txt", "Hello {{ name }}", None));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    name: String,
    text: String,
    path: Option<PathBuf>,
}

impl Source {
    /// A template with no file behind it.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Source {
            name: name.into(),
            text: text.into(),
            path: None,
        }
    }

    /// Records the file the template was read from; errors will name it.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::Source;
    /// let source = Source::new("a.html", "").with_path("/srv/templates/a.html");
    /// assert_eq!(source.path().unwrap().to_str(), Some("/srv/templates/a.html"));
    /// ```
    pub fn with_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// The template's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The template's source text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The file it was read from.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub(crate) fn into_parts(self) -> (String, String, Option<PathBuf>) {
        (self.name, self.text, self.path)
    }

    pub(crate) fn renamed(mut self, name: String) -> Self {
        self.name = name;
        self
    }
}

/// A source of templates.
///
/// # Examples
///
/// A loader of your own, e.g. templates stored in a database:
///
/// ```
/// use carafe_templating::{Context, Environment, Error, Loader, Source};
///
/// struct Database;
///
/// impl Loader for Database {
///     fn load(&self) -> Result<Vec<Source>, Error> {
///         Ok(vec![Source::new("hello.txt", "Hello {{ name }}!")])
///     }
/// }
///
/// let env = Environment::builder().loader(Database).build().unwrap();
/// let mut context = Context::new();
/// context.insert("name", "Ada");
/// assert_eq!(env.render("hello.txt", &context).unwrap(), "Hello Ada!");
/// ```
pub trait Loader: Send + Sync + 'static {
    /// Every template this loader provides.
    fn load(&self) -> Result<Vec<Source>, Error>;

    /// A value that changes whenever [`load`](Loader::load) would return something
    /// different, computed much more cheaply than loading (file sizes and times, a
    /// version counter). `None` means the templates never change (auto-reload skips
    /// the loader).
    fn stamp(&self) -> Result<Option<u64>, Error> {
        Ok(None)
    }
}

impl<L: Loader + ?Sized> Loader for Box<L> {
    fn load(&self) -> Result<Vec<Source>, Error> {
        (**self).load()
    }

    fn stamp(&self) -> Result<Option<u64>, Error> {
        (**self).stamp()
    }
}

impl<L: Loader + ?Sized> Loader for std::sync::Arc<L> {
    fn load(&self) -> Result<Vec<Source>, Error> {
        (**self).load()
    }

    fn stamp(&self) -> Result<Option<u64>, Error> {
        (**self).stamp()
    }
}

/// The templates that `name` needs: itself, the templates it extends and includes
/// (transitively), and those that define the components it calls. Tera checks a whole
/// set at once, so a tool that renders one template (`carafe-render`) loads only these
/// and an unrelated broken file does not stop it, as with Jinja2's lazy loading. When
/// `name` is not among `sources`, every template comes back with an empty text: the
/// render then fails with "not found" and the closest name.
///
/// # Examples
///
/// ```
/// use carafe_templating::{Source, needed_by};
///
/// let sources = vec![
///     Source::new("base.html", "{% block b %}{% endblock b %}"),
///     Source::new("page.html", "{% extends \"base.html\" %}{% block b %}{{<badge />}}{% endblock b %}"),
///     Source::new("ui.html", "{% component badge() %}!{% endcomponent badge %}"),
///     Source::new("broken.html", "{{ oops"),
/// ];
/// let names: Vec<String> = needed_by(sources, "page.html").iter().map(|s| s.name().to_string()).collect();
/// assert_eq!(names, ["base.html", "page.html", "ui.html"]);
/// ```
pub fn needed_by(sources: Vec<Source>, name: &str) -> Vec<Source> {
    if !sources.iter().any(|s| s.name() == name) {
        return sources
            .into_iter()
            .map(|s| Source::new(s.name, ""))
            .collect();
    }
    let mut needs: HashMap<&str, (Vec<String>, Vec<String>)> = HashMap::new();
    let mut definers: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for source in &sources {
        let found = scan::scan(source.text());
        let mut templates = Vec::new();
        let mut components = Vec::new();
        for used in found.uses {
            match used.kind {
                UseKind::Template => templates.push(used.name),
                UseKind::Component => components.push(used.name),
                _ => {}
            }
        }
        for defined in found.defines {
            definers.entry(defined).or_default().push(source.name());
        }
        needs.insert(source.name(), (templates, components));
    }
    let mut keep: BTreeSet<String> = BTreeSet::new();
    let mut pending = vec![name.to_string()];
    while let Some(next) = pending.pop() {
        if !keep.insert(next.clone()) {
            continue;
        }
        let Some((templates, components)) = needs.get(next.as_str()) else {
            continue;
        };
        pending.extend(templates.iter().cloned());
        for component in components {
            pending.extend(
                definers
                    .get(component)
                    .into_iter()
                    .flatten()
                    .map(|s| s.to_string()),
            );
        }
    }
    let mut sources: Vec<Source> = sources
        .into_iter()
        .filter(|s| keep.contains(s.name()))
        .collect();
    sources.sort_by(|a, b| a.name().cmp(b.name()));
    sources
}
