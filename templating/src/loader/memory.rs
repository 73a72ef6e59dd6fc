//! Templates held in memory (Jinja2's `DictLoader`).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use super::{Loader, Source};
use crate::Error;

/// Templates in a map of name to source.
///
/// Clones share the same map: keep a clone after handing the loader to an
/// [`Environment`](crate::Environment) and [`insert`](MemoryLoader::insert) or
/// [`remove`](MemoryLoader::remove) templates later; with auto-reload on, the next
/// render sees the change (templates edited in a CMS, tests of reloading).
///
/// # Examples
///
/// ```
/// use carafe_templating::{Context, Environment, MemoryLoader};
///
/// let templates = MemoryLoader::new().with("hi.txt", "Hi {{ name }}");
/// let env = Environment::builder()
///     .loader(templates.clone())
///     .auto_reload(true)
///     .build()
///     .unwrap();
/// let mut context = Context::new();
/// context.insert("name", "Ada");
/// assert_eq!(env.render("hi.txt", &context).unwrap(), "Hi Ada");
///
/// templates.insert("hi.txt", "Hello {{ name }}");
/// assert_eq!(env.render("hi.txt", &context).unwrap(), "Hello Ada");
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemoryLoader {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    templates: RwLock<BTreeMap<String, String>>,
    version: AtomicU64,
}

impl MemoryLoader {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a template (builder style).
    pub fn with(self, name: impl Into<String>, text: impl Into<String>) -> Self {
        self.insert(name, text);
        self
    }

    /// Adds or replaces a template.
    pub fn insert(&self, name: impl Into<String>, text: impl Into<String>) {
        self.write().insert(name.into(), text.into());
        self.shared.version.fetch_add(1, Ordering::Release);
    }

    /// Removes a template; returns its source.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::MemoryLoader;
    /// let templates = MemoryLoader::new().with("a", "x");
    /// assert_eq!(templates.remove("a").as_deref(), Some("x"));
    /// assert_eq!(templates.remove("a"), None);
    /// ```
    pub fn remove(&self, name: &str) -> Option<String> {
        let removed = self.write().remove(name);
        self.shared.version.fetch_add(1, Ordering::Release);
        removed
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, String>> {
        self.shared
            .templates
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl<N: Into<String>, T: Into<String>> FromIterator<(N, T)> for MemoryLoader {
    fn from_iter<I: IntoIterator<Item = (N, T)>>(iter: I) -> Self {
        let loader = MemoryLoader::new();
        for (name, text) in iter {
            loader.insert(name, text);
        }
        loader
    }
}

impl Loader for MemoryLoader {
    fn load(&self) -> Result<Vec<Source>, Error> {
        let templates = self
            .shared
            .templates
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        Ok(templates
            .iter()
            .map(|(name, text)| Source::new(name.clone(), text.clone()))
            .collect())
    }

    fn stamp(&self) -> Result<Option<u64>, Error> {
        Ok(Some(self.shared.version.load(Ordering::Acquire)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_map_and_bump_the_stamp() {
        let loader: MemoryLoader = [("a", "1"), ("b", "2")].into_iter().collect();
        let handle = loader.clone();
        let before = loader.stamp().unwrap();
        handle.insert("c", "3");
        assert_ne!(loader.stamp().unwrap(), before);
        let names: Vec<_> = loader
            .load()
            .unwrap()
            .iter()
            .map(|s| s.name().to_string())
            .collect();
        assert_eq!(names, ["a", "b", "c"]);
    }
}
