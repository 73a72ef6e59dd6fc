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

use std::path::{Path, PathBuf};

use crate::Error;

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
