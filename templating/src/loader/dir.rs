//! Templates from a directory tree (Jinja2's `FileSystemLoader`).

use std::collections::HashSet;
use std::fs::{self, Metadata};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use super::{Loader, Source};
use crate::Error;

/// Every file under a directory, recursively, named by its path relative to the
/// directory with `/` separators (`emails/welcome.html`).
///
/// - Symbolic links are followed only when their target is inside the directory: a
///   link pointing out of the folder (`secrets -> /etc`) is skipped, as are links
///   that would loop.
/// - Hidden files and directories (names starting with `.`) are skipped, so editor
///   swap files and `.git` never become templates.
/// - Every file must be UTF-8 and at most [`max_file_bytes`](DirLoader::max_file_bytes)
///   (4 MiB by default); at most [`max_files`](DirLoader::max_files) files (10,000) are
///   read. [`extensions`](DirLoader::extensions) restricts loading to some extensions
///   when the folder holds other files too.
///
/// # Examples
///
/// ```
/// use carafe_templating::{Context, DirLoader, Environment};
///
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::create_dir(dir.path().join("emails")).unwrap();
/// std::fs::write(dir.path().join("emails/welcome.txt"), "Welcome, {{ name }}!").unwrap();
///
/// let env = Environment::builder().loader(DirLoader::new(dir.path())).build().unwrap();
/// let mut context = Context::new();
/// context.insert("name", "Ada");
/// assert_eq!(env.render("emails/welcome.txt", &context).unwrap(), "Welcome, Ada!");
/// ```
#[derive(Debug, Clone)]
pub struct DirLoader {
    root: PathBuf,
    max_file_bytes: u64,
    max_files: usize,
    extensions: Option<Vec<String>>,
}

/// One file found by the walk.
pub(crate) struct Found {
    pub(crate) name: String,
    pub(crate) path: PathBuf,
    pub(crate) metadata: Metadata,
}

impl DirLoader {
    /// Loads templates from `root` (relative paths are resolved against the current
    /// directory when loading).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DirLoader {
            root: root.into(),
            max_file_bytes: 4 << 20,
            max_files: 10_000,
            extensions: None,
        }
    }

    /// The largest template file accepted (default 4 MiB).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::{DirLoader, Loader};
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::write(dir.path().join("big.txt"), "x".repeat(100)).unwrap();
    /// let err = DirLoader::new(dir.path()).max_file_bytes(10).load().unwrap_err();
    /// assert!(err.to_string().contains("larger than 10 bytes"));
    /// ```
    pub fn max_file_bytes(mut self, bytes: u64) -> Self {
        self.max_file_bytes = bytes;
        self
    }

    /// The most files read (default 10,000).
    pub fn max_files(mut self, files: usize) -> Self {
        self.max_files = files;
        self
    }

    /// Only files ending with one of these extensions (`"html"` or `".html"`) are
    /// templates; by default every file is.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::{DirLoader, Loader};
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::write(dir.path().join("page.html"), "hi").unwrap();
    /// std::fs::write(dir.path().join("logo.png"), [0xff, 0xd8]).unwrap();
    /// let sources = DirLoader::new(dir.path()).extensions(["html"]).load().unwrap();
    /// assert_eq!(sources.len(), 1);
    /// ```
    pub fn extensions<I, S>(mut self, extensions: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.extensions = Some(
            extensions
                .into_iter()
                .map(|e| format!(".{}", e.as_ref().trim_start_matches('.')))
                .collect(),
        );
        self
    }

    /// The directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Walks the tree and calls `visit` for each template file, in name order.
    pub(crate) fn walk(
        &self,
        mut visit: impl FnMut(Found) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let io_error = |path: &Path, source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        let root = fs::canonicalize(&self.root).map_err(|e| io_error(&self.root, e))?;
        let mut visited_dirs = HashSet::from([root.clone()]);
        let mut found = Vec::new();
        let mut pending = vec![(root.clone(), String::new())];
        while let Some((dir, prefix)) = pending.pop() {
            let entries = fs::read_dir(&dir).map_err(|e| io_error(&dir, e))?;
            for entry in entries {
                let entry = entry.map_err(|e| io_error(&dir, e))?;
                let Some(file_name) = entry.file_name().to_str().map(str::to_string) else {
                    continue; // not UTF-8: cannot be a template name
                };
                if file_name.starts_with('.') {
                    continue;
                }
                let path = entry.path();
                let name = format!("{prefix}{file_name}");
                let link_metadata = fs::symlink_metadata(&path).map_err(|e| io_error(&path, e))?;
                let metadata = if link_metadata.file_type().is_symlink() {
                    // Follow only links that stay inside the root.
                    let Ok(target) = fs::canonicalize(&path) else {
                        continue; // dangling
                    };
                    if !target.starts_with(&root) {
                        tracing::debug!(link = %path.display(), target = %target.display(), "skipping a link that leaves the template directory");
                        continue;
                    }
                    let metadata = fs::metadata(&target).map_err(|e| io_error(&path, e))?;
                    if metadata.is_dir() && !visited_dirs.insert(target) {
                        continue; // a loop
                    }
                    metadata
                } else {
                    link_metadata
                };
                if metadata.is_dir() {
                    pending.push((path, format!("{name}/")));
                } else if metadata.is_file() && self.wants(&name) {
                    found.push(Found {
                        name,
                        path,
                        metadata,
                    });
                    if found.len() > self.max_files {
                        return Err(Error::InvalidSource {
                            path: self.root.clone(),
                            reason: format!("more than {} template files", self.max_files),
                        });
                    }
                }
            }
        }
        found.sort_by(|a, b| a.name.cmp(&b.name));
        found.into_iter().try_for_each(&mut visit)
    }

    fn wants(&self, name: &str) -> bool {
        match &self.extensions {
            None => true,
            Some(extensions) => extensions.iter().any(|e| name.ends_with(e.as_str())),
        }
    }

    fn read(&self, found: &Found) -> Result<String, Error> {
        let too_large = || Error::InvalidSource {
            path: found.path.clone(),
            reason: format!("larger than {} bytes", self.max_file_bytes),
        };
        if found.metadata.len() > self.max_file_bytes {
            return Err(too_large());
        }
        let file = fs::File::open(&found.path).map_err(|source| Error::Io {
            path: found.path.clone(),
            source,
        })?;
        // The file may grow between the size check and the read: read one byte more
        // than allowed to notice.
        let mut bytes = Vec::with_capacity(found.metadata.len() as usize);
        file.take(self.max_file_bytes + 1)
            .read_to_end(&mut bytes)
            .map_err(|source| Error::Io {
                path: found.path.clone(),
                source,
            })?;
        if bytes.len() as u64 > self.max_file_bytes {
            return Err(too_large());
        }
        String::from_utf8(bytes).map_err(|e| Error::InvalidSource {
            path: found.path.clone(),
            reason: format!(
                "not UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        })
    }
}

impl Loader for DirLoader {
    fn load(&self) -> Result<Vec<Source>, Error> {
        let mut sources = Vec::new();
        self.walk(|found| {
            let text = self.read(&found)?;
            sources.push(Source::new(found.name, text).with_path(found.path));
            Ok(())
        })?;
        Ok(sources)
    }

    fn stamp(&self) -> Result<Option<u64>, Error> {
        let mut hasher = DefaultHasher::new();
        self.walk(|found| {
            found.name.hash(&mut hasher);
            found.metadata.len().hash(&mut hasher);
            let modified = found
                .metadata
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map(|d| d.as_nanos());
            modified.hash(&mut hasher);
            Ok(())
        })?;
        Ok(Some(hasher.finish()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(loader: &DirLoader) -> Vec<String> {
        loader
            .load()
            .unwrap()
            .into_iter()
            .map(|s| s.name().to_string())
            .collect()
    }

    #[test]
    fn names_are_relative_with_slashes_and_sorted() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("a/b")).unwrap();
        fs::write(dir.path().join("a/b/c.html"), "c").unwrap();
        fs::write(dir.path().join("z.txt"), "z").unwrap();
        fs::write(dir.path().join("a/x.html"), "x").unwrap();
        fs::write(dir.path().join(".hidden.swp"), "no").unwrap();
        fs::create_dir(dir.path().join(".git")).unwrap();
        fs::write(dir.path().join(".git/config"), "no").unwrap();
        assert_eq!(
            names(&DirLoader::new(dir.path())),
            ["a/b/c.html", "a/x.html", "z.txt"]
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_folder_are_not_followed() {
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("secret.txt"), "s3cr3t").unwrap();
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("page.txt"), "p").unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.txt"),
            dir.path().join("leak.txt"),
        )
        .unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("leakdir")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("page.txt"), dir.path().join("alias.txt"))
            .unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
        assert_eq!(
            names(&DirLoader::new(dir.path())),
            ["alias.txt", "page.txt"]
        );
    }

    #[test]
    fn rejects_binary_and_oversized_files() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("bin.dat"), [0x66, 0xff, 0xfe]).unwrap();
        let err = DirLoader::new(dir.path()).load().unwrap_err();
        assert!(
            matches!(&err, Error::InvalidSource { reason, .. } if reason.contains("not UTF-8")),
            "{err}"
        );
        fs::remove_file(dir.path().join("bin.dat")).unwrap();
        fs::write(dir.path().join("big.txt"), "0123456789").unwrap();
        assert!(DirLoader::new(dir.path()).max_file_bytes(9).load().is_err());
        assert!(DirLoader::new(dir.path()).max_file_bytes(10).load().is_ok());
    }

    #[test]
    fn too_many_files_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..3 {
            fs::write(dir.path().join(format!("{i}.txt")), "").unwrap();
        }
        assert!(DirLoader::new(dir.path()).max_files(2).load().is_err());
        assert_eq!(names(&DirLoader::new(dir.path()).max_files(3)).len(), 3);
    }

    #[test]
    fn missing_root_is_an_io_error() {
        let err = DirLoader::new("/nonexistent/carafe/templates")
            .load()
            .unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err}");
    }

    #[test]
    fn stamp_changes_with_content_and_names() {
        let dir = tempfile::tempdir().unwrap();
        let loader = DirLoader::new(dir.path());
        fs::write(dir.path().join("a.txt"), "one").unwrap();
        let first = loader.stamp().unwrap();
        assert_eq!(first, loader.stamp().unwrap());
        fs::write(dir.path().join("a.txt"), "three").unwrap();
        let second = loader.stamp().unwrap();
        assert_ne!(first, second);
        fs::write(dir.path().join("b.txt"), "").unwrap();
        assert_ne!(second, loader.stamp().unwrap());
    }
}
