//! Templates compiled into the binary, for one-binary deploys.

use std::fmt::Write as _;
use std::path::Path;

use super::{DirLoader, Loader, Source};
use crate::Error;

/// Templates embedded in the binary at compile time: a static list of
/// `(name, source)` pairs, usually made by [`embed_templates!`](crate::embed_templates)
/// or by a build script calling [`write_embed_manifest`]. They never change, so
/// auto-reload never looks at them.
///
/// # Examples
///
/// ```
/// use carafe_templating::{Context, EmbeddedLoader, Environment};
///
/// static TEMPLATES: &[(&str, &str)] = &[("hello.txt", "Hello {{ name }}!")];
///
/// let env = Environment::builder().loader(EmbeddedLoader::new(TEMPLATES)).build().unwrap();
/// let mut context = Context::new();
/// context.insert("name", "Ada");
/// assert_eq!(env.render("hello.txt", &context).unwrap(), "Hello Ada!");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedLoader {
    templates: &'static [(&'static str, &'static str)],
}

impl EmbeddedLoader {
    /// Serves these templates.
    pub const fn new(templates: &'static [(&'static str, &'static str)]) -> Self {
        EmbeddedLoader { templates }
    }
}

impl Loader for EmbeddedLoader {
    fn load(&self) -> Result<Vec<Source>, Error> {
        Ok(self
            .templates
            .iter()
            .map(|(name, text)| Source::new(*name, *text))
            .collect())
    }
}

/// Embeds the named files of a directory (relative to the crate's `Cargo.toml`) with
/// `include_str!`, giving the `&'static [(&str, &str)]` an [`EmbeddedLoader`] takes.
/// Cargo rebuilds the crate when one of the files changes.
///
/// ```
/// use carafe_templating::{embed_templates, Context, EmbeddedLoader, Environment};
///
/// static TEMPLATES: &[(&str, &str)] = embed_templates!("tests/fixtures/embed", ["greeting.txt", "nested/inner.txt"]);
///
/// let env = Environment::builder().loader(EmbeddedLoader::new(TEMPLATES)).build().unwrap();
/// assert_eq!(env.render("nested/inner.txt", &Context::new()).unwrap(), "inner: hello from a file");
/// ```
///
/// To embed a whole directory without listing it, use [`write_embed_manifest`] from a
/// build script.
#[macro_export]
macro_rules! embed_templates {
    ($dir:literal, [$($name:literal),* $(,)?]) => {
        &[$(($name, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/", $dir, "/", $name)))),*]
    };
}

/// For a build script: lists every template under `dir` (with the same rules as
/// [`DirLoader`]: hidden files skipped, links kept inside the folder) and writes to
/// `out` a Rust expression embedding them all, ready for `include!`. Prints the
/// `cargo:rerun-if-changed` lines so Cargo re-runs the script when a template changes.
/// Returns how many templates were embedded.
///
/// ```ignore
/// // build.rs
/// fn main() {
///     let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("templates.rs");
///     carafe_templating::write_embed_manifest("templates", &out).unwrap();
/// }
/// ```
///
/// ```ignore
/// // src/main.rs
/// static TEMPLATES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/templates.rs"));
/// let loader = carafe_templating::EmbeddedLoader::new(TEMPLATES);
/// ```
pub fn write_embed_manifest(dir: impl AsRef<Path>, out: impl AsRef<Path>) -> Result<usize, Error> {
    let dir = dir.as_ref();
    let mut code = String::from("&[\n");
    let mut count = 0;
    println!("cargo:rerun-if-changed={}", dir.display());
    DirLoader::new(dir).walk(|found| {
        let path = std::fs::canonicalize(&found.path).map_err(|source| Error::Io {
            path: found.path.clone(),
            source,
        })?;
        let Some(path) = path.to_str() else {
            return Err(Error::InvalidSource {
                path: found.path.clone(),
                reason: "the path is not UTF-8".to_string(),
            });
        };
        println!("cargo:rerun-if-changed={path}");
        writeln!(code, "    ({:?}, include_str!({:?})),", found.name, path)
            .expect("writing to a String cannot fail");
        count += 1;
        Ok(())
    })?;
    code.push(']');
    let out = out.as_ref();
    std::fs::write(out, code).map_err(|source| Error::Io {
        path: out.to_path_buf(),
        source,
    })?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_lists_every_file_with_its_absolute_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/a.html"), "A").unwrap();
        std::fs::write(dir.path().join("b.txt"), "B").unwrap();
        let out = dir.path().join("manifest.rs");
        assert_eq!(
            write_embed_manifest(dir.path().join("sub").parent().unwrap(), &out).unwrap(),
            2
        );
        let code = std::fs::read_to_string(&out).unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let expected = format!(
            "&[\n    (\"b.txt\", include_str!({:?})),\n    (\"sub/a.html\", include_str!({:?})),\n]",
            root.join("b.txt").to_str().unwrap(),
            root.join("sub/a.html").to_str().unwrap(),
        );
        assert_eq!(code, expected);
    }
}
