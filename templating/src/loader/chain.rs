//! Combining loaders: the first that has a name wins (Jinja2's `ChoiceLoader`), or
//! each loader under its own prefix (Jinja2's `PrefixLoader`).

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use super::{Loader, Source};
use crate::Error;

/// Asks several loaders in order; when two have a template of the same name, the
/// first one's wins. Typical use: an app's own templates in front of a theme's, or
/// a writable override directory in front of embedded defaults.
///
/// # Examples
///
/// ```
/// use carafe_templating::{ChainLoader, Context, Environment, MemoryLoader};
///
/// let overrides = MemoryLoader::new().with("footer.html", "custom footer");
/// let defaults = MemoryLoader::new()
///     .with("footer.html", "default footer")
///     .with("page.html", "page / {% include \"footer.html\" %}");
/// let env = Environment::builder()
///     .loader(ChainLoader::new().with(overrides).with(defaults))
///     .build()
///     .unwrap();
/// assert_eq!(env.render("page.html", &Context::new()).unwrap(), "page / custom footer");
/// ```
#[derive(Default)]
pub struct ChainLoader {
    loaders: Vec<Box<dyn Loader>>,
}

impl ChainLoader {
    /// No loaders yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a loader after the ones already there (it loses ties).
    pub fn with(mut self, loader: impl Loader) -> Self {
        self.loaders.push(Box::new(loader));
        self
    }
}

impl std::fmt::Debug for ChainLoader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainLoader")
            .field("loaders", &self.loaders.len())
            .finish()
    }
}

impl Loader for ChainLoader {
    fn load(&self) -> Result<Vec<Source>, Error> {
        let mut seen = HashSet::new();
        let mut sources = Vec::new();
        for loader in &self.loaders {
            for source in loader.load()? {
                if seen.insert(source.name().to_string()) {
                    sources.push(source);
                }
            }
        }
        Ok(sources)
    }

    fn stamp(&self) -> Result<Option<u64>, Error> {
        combine_stamps(self.loaders.iter().map(|l| l.stamp()))
    }
}

/// Each loader's templates under a prefix: `admin/index.html` comes from the loader
/// mounted at `admin` (asked for `index.html`).
///
/// # Examples
///
/// ```
/// use carafe_templating::{ChainLoader, Context, Environment, MemoryLoader, PrefixLoader};
///
/// let admin = MemoryLoader::new().with("index.html", "admin home");
/// let site = MemoryLoader::new().with("index.html", "site home");
/// let env = Environment::builder()
///     .loader(ChainLoader::new().with(PrefixLoader::new().mount("admin", admin)).with(site))
///     .build()
///     .unwrap();
/// assert_eq!(env.render("admin/index.html", &Context::new()).unwrap(), "admin home");
/// assert_eq!(env.render("index.html", &Context::new()).unwrap(), "site home");
/// ```
#[derive(Default)]
pub struct PrefixLoader {
    mounts: Vec<(String, Box<dyn Loader>)>,
}

impl PrefixLoader {
    /// No mounts yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Serves `loader`'s templates under `prefix/` (a trailing `/` is optional).
    pub fn mount(mut self, prefix: impl Into<String>, loader: impl Loader) -> Self {
        let prefix = prefix.into();
        let prefix = format!("{}/", prefix.trim_end_matches('/'));
        self.mounts.push((prefix, Box::new(loader)));
        self
    }
}

impl std::fmt::Debug for PrefixLoader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let prefixes: Vec<&str> = self.mounts.iter().map(|(p, _)| p.as_str()).collect();
        f.debug_struct("PrefixLoader")
            .field("prefixes", &prefixes)
            .finish()
    }
}

impl Loader for PrefixLoader {
    fn load(&self) -> Result<Vec<Source>, Error> {
        let mut sources = Vec::new();
        for (prefix, loader) in &self.mounts {
            for source in loader.load()? {
                let name = format!("{prefix}{}", source.name());
                sources.push(source.renamed(name));
            }
        }
        Ok(sources)
    }

    fn stamp(&self) -> Result<Option<u64>, Error> {
        combine_stamps(self.mounts.iter().map(|(_, l)| l.stamp()))
    }
}

/// `None` when no loader ever changes; otherwise a hash of every loader's stamp.
fn combine_stamps(
    stamps: impl Iterator<Item = Result<Option<u64>, Error>>,
) -> Result<Option<u64>, Error> {
    let mut hasher = DefaultHasher::new();
    let mut any = false;
    for stamp in stamps {
        let stamp = stamp?;
        any |= stamp.is_some();
        stamp.hash(&mut hasher);
    }
    Ok(any.then(|| hasher.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EmbeddedLoader, MemoryLoader};

    #[test]
    fn stamps_are_none_only_when_nothing_can_change() {
        static FIXED: &[(&str, &str)] = &[("a", "1")];
        let chain = ChainLoader::new().with(EmbeddedLoader::new(FIXED));
        assert_eq!(chain.stamp().unwrap(), None);
        let memory = MemoryLoader::new();
        let chain = ChainLoader::new()
            .with(EmbeddedLoader::new(FIXED))
            .with(memory.clone());
        let before = chain.stamp().unwrap();
        assert!(before.is_some());
        memory.insert("b", "2");
        assert_ne!(chain.stamp().unwrap(), before);
    }

    #[test]
    fn prefixes_are_normalised() {
        let loader = PrefixLoader::new()
            .mount("a/", MemoryLoader::new().with("x", "1"))
            .mount("b", MemoryLoader::new().with("y/z", "2"));
        let names: Vec<_> = loader
            .load()
            .unwrap()
            .iter()
            .map(|s| s.name().to_string())
            .collect();
        assert_eq!(names, ["a/x", "b/y/z"]);
    }
}
