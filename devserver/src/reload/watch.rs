//! What the reloader watches, and which file events mean "rebuild".
//!
//! - the `src/` folder of the package and of every local package it depends
//!   on: `.rs` files only (so templates or data kept there reload through
//!   their own mechanism, without a rebuild);
//! - their `Cargo.toml` and `build.rs`, the workspace's `Cargo.toml` and
//!   `Cargo.lock`, the binary's or example's own source file;
//! - every file cargo's dep-info lists for the executable (what
//!   `include_str!` and friends pulled in, wherever it is);
//! - the extra files and folders the application names (any file there).
//!
//! Excluded: paths matching an exclude pattern (on the whole path or the
//! file name), editors' temporary files (`.name`, `#name#`, `name~`,
//! `*.swp`, `*.tmp`, vim's `4913`, JetBrains' `___jb_` files), and the
//! static-file folders.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use super::fnmatch::Pattern;
use super::metadata::{Metadata, Package};
use super::spec::BuildSpec;
use crate::{Error, Options};

/// The watched paths and the rules of relevance.
#[derive(Debug, Clone, Default)]
pub(crate) struct WatchSet {
    /// Folders where `.rs` files count.
    source_dirs: BTreeSet<PathBuf>,
    /// Folders where every file counts.
    extra_dirs: BTreeSet<PathBuf>,
    /// Single files.
    files: BTreeSet<PathBuf>,
    /// Folders whose changes never count (static files).
    ignored_dirs: Vec<PathBuf>,
    excludes: Vec<Pattern>,
}

fn is_editor_temporary(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with('#')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.contains("___jb_")
        || name == "4913"
}

impl WatchSet {
    /// The set for `root` (the package of the program) and its local
    /// dependencies, plus `options`' extra files and exclusions.
    pub(crate) fn new(
        metadata: &Metadata,
        root: &Package,
        spec: &BuildSpec,
        options: &Options,
    ) -> Self {
        let dev = matches!(spec.target(), super::spec::BuildTarget::Example(_));
        let mut set = WatchSet::default();
        for package in metadata.local_packages(root, dev) {
            set.files.insert(package.manifest_path.clone());
            set.source_dirs.insert(package.dir().join("src"));
            for target in &package.targets {
                if target.kind.iter().any(|kind| kind == "custom-build") {
                    set.files.insert(target.src_path.clone());
                }
            }
        }
        if let Some(target) = root.targets.iter().find(|target| {
            target.name == spec.target().name()
                && target.kind.iter().any(|kind| kind == spec.target().kind())
        }) {
            match target.src_path.parent() {
                // `examples/demo/main.rs`: the whole folder.
                Some(dir) if target.src_path.ends_with("main.rs") && !dir.ends_with("src") => {
                    set.source_dirs.insert(dir.to_path_buf());
                }
                _ => {
                    set.files.insert(target.src_path.clone());
                }
            }
        }
        set.files.insert(metadata.workspace_root.join("Cargo.toml"));
        set.files.insert(metadata.workspace_root.join("Cargo.lock"));
        for extra in options.extra_files() {
            let extra = absolute(extra);
            if extra.is_dir() {
                set.extra_dirs.insert(extra);
            } else {
                set.files.insert(extra);
            }
        }
        set.ignored_dirs = options
            .static_files()
            .iter()
            .map(|(_, dir)| absolute(dir))
            .collect();
        set.excludes = options
            .exclude_patterns()
            .iter()
            .map(|pattern| Pattern::new(pattern))
            .collect();
        set
    }

    /// Adds the files of a dep-info file (`target/debug/app.d`).
    pub(crate) fn add_dep_info(&mut self, dep_info: &str) {
        self.files.extend(parse_dep_info(dep_info));
    }

    /// Whether a change of `path` calls for a rebuild.
    pub(crate) fn is_relevant(&self, path: &Path) -> bool {
        let name = path
            .file_name()
            .map(|name| name.to_string_lossy())
            .unwrap_or_default();
        if is_editor_temporary(&name) {
            return false;
        }
        let full = path.to_string_lossy();
        if self
            .excludes
            .iter()
            .any(|pattern| pattern.matches(&full) || pattern.matches(&name))
        {
            return false;
        }
        if self.files.contains(path) {
            return true;
        }
        if self.ignored_dirs.iter().any(|dir| path.starts_with(dir)) {
            return false;
        }
        if self.extra_dirs.iter().any(|dir| path.starts_with(dir)) {
            return true;
        }
        path.extension().is_some_and(|extension| extension == "rs")
            && self.source_dirs.iter().any(|dir| path.starts_with(dir))
    }

    /// What to hand to the watcher: folders recursively, and for single
    /// files their folder, non-recursively (editors replace files by
    /// renaming, which a watch on the file itself would miss).
    pub(crate) fn watch_points(&self) -> Vec<(PathBuf, RecursiveMode)> {
        let recursive: BTreeSet<&PathBuf> = self
            .source_dirs
            .iter()
            .chain(&self.extra_dirs)
            .filter(|dir| dir.is_dir())
            .collect();
        let covered = |path: &Path| recursive.iter().any(|dir| path.starts_with(dir));
        let mut points: Vec<(PathBuf, RecursiveMode)> = recursive
            .iter()
            .filter(|dir| {
                !recursive
                    .iter()
                    .any(|outer| outer != *dir && dir.starts_with(outer))
            })
            .map(|dir| ((*dir).clone(), RecursiveMode::Recursive))
            .collect();
        let parents: BTreeSet<PathBuf> = self
            .files
            .iter()
            .filter_map(|file| file.parent())
            .filter(|dir| !covered(dir) && dir.is_dir())
            .map(Path::to_path_buf)
            .collect();
        points.extend(
            parents
                .into_iter()
                .map(|dir| (dir, RecursiveMode::NonRecursive)),
        );
        points
    }

    /// How many files and folders are watched (for the banner).
    pub(crate) fn summary(&self) -> String {
        format!(
            "watching {} folder(s) and {} file(s)",
            self.source_dirs.len() + self.extra_dirs.len(),
            self.files.len()
        )
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The prerequisites of a Makefile-style dep-info file (its first rule;
/// `\ ` is an escaped space).
pub(crate) fn parse_dep_info(text: &str) -> Vec<PathBuf> {
    let text = text.replace("\\\n", " ");
    let Some(line) = text.lines().next() else {
        return Vec::new();
    };
    // The target ends at the first unescaped ": ".
    let mut rest = None;
    let bytes = line.as_bytes();
    for i in 0..bytes.len() {
        if bytes[i] == b':'
            && bytes.get(i + 1).is_none_or(|next| *next == b' ')
            && (i == 0 || bytes[i - 1] != b'\\')
        {
            rest = Some(&line[i + 1..]);
            break;
        }
    }
    let Some(rest) = rest else {
        return Vec::new();
    };
    let mut paths = Vec::new();
    let mut current = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&' ') => {
                current.push(' ');
                chars.next();
            }
            ' ' => {
                if !current.is_empty() {
                    paths.push(PathBuf::from(std::mem::take(&mut current)));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        paths.push(PathBuf::from(current));
    }
    paths
}

/// The running watcher; dropping it stops watching.
pub(crate) type Watcher = Debouncer<notify::RecommendedWatcher, RecommendedCache>;

/// Starts watching `set`; `changed` is called with the relevant paths of
/// each debounced burst of events.
pub(crate) fn start(
    set: &WatchSet,
    debounce: Duration,
    changed: impl Fn(Vec<PathBuf>) + Send + 'static,
) -> Result<Watcher, Error> {
    let filter = set.clone();
    let mut debouncer = new_debouncer(debounce, None, move |result: DebounceEventResult| {
        let Ok(events) = result else {
            return;
        };
        let mut paths: Vec<PathBuf> = events
            .iter()
            .filter(|event| !event.kind.is_access())
            .flat_map(|event| event.paths.iter())
            .filter(|path| filter.is_relevant(path))
            .cloned()
            .collect();
        paths.sort();
        paths.dedup();
        if !paths.is_empty() {
            changed(paths);
        }
    })
    .map_err(|error| Error::Watch {
        path: PathBuf::new(),
        message: error.to_string(),
    })?;
    for (path, mode) in set.watch_points() {
        debouncer.watch(&path, mode).map_err(|error| Error::Watch {
            path: path.clone(),
            message: error.to_string(),
        })?;
    }
    Ok(debouncer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> WatchSet {
        let mut set = WatchSet::default();
        set.source_dirs.insert("/w/app/src".into());
        set.files.insert("/w/app/Cargo.toml".into());
        set.extra_dirs.insert("/w/app/config".into());
        set.ignored_dirs.push("/w/app/src/static".into());
        set.excludes.push(Pattern::new("*/generated/*"));
        set
    }

    #[test]
    fn relevance() {
        let set = set();
        for relevant in [
            "/w/app/src/main.rs",
            "/w/app/src/views/mod.rs",
            "/w/app/Cargo.toml",
            "/w/app/config/dev.toml",
        ] {
            assert!(set.is_relevant(Path::new(relevant)), "{relevant}");
        }
        for ignored in [
            "/w/app/src/templates/index.html",
            "/w/app/src/.main.rs.swp",
            "/w/app/src/main.rs~",
            "/w/app/src/#main.rs#",
            "/w/app/src/.#main.rs",
            "/w/app/src/4913",
            "/w/app/src/static/app.rs",
            "/w/app/src/generated/schema.rs",
            "/w/app/README.md",
            "/w/app/target/debug/app",
        ] {
            assert!(!set.is_relevant(Path::new(ignored)), "{ignored}");
        }
    }

    #[test]
    fn built_from_metadata_and_options() {
        let json = r#"{
          "packages": [
            {"name": "app", "id": "app", "manifest_path": "/w/app/Cargo.toml", "source": null,
             "targets": [{"name": "app", "kind": ["bin"], "src_path": "/w/app/src/main.rs"},
                         {"name": "build-script-build", "kind": ["custom-build"], "src_path": "/w/app/build.rs"}]},
            {"name": "util", "id": "util", "manifest_path": "/w/util/Cargo.toml", "source": null,
             "targets": [{"name": "util", "kind": ["lib"], "src_path": "/w/util/src/lib.rs"}]},
            {"name": "unused", "id": "unused", "manifest_path": "/w/unused/Cargo.toml", "source": null,
             "targets": [{"name": "unused", "kind": ["lib"], "src_path": "/w/unused/src/lib.rs"}]},
            {"name": "serde", "id": "serde", "manifest_path": "/r/serde/Cargo.toml", "source": "registry+x",
             "targets": [{"name": "serde", "kind": ["lib"], "src_path": "/r/serde/src/lib.rs"}]}
          ],
          "resolve": {"nodes": [
            {"id": "app", "deps": [{"pkg": "util", "dep_kinds": [{"kind": null}]},
                                   {"pkg": "serde", "dep_kinds": [{"kind": null}]}]},
            {"id": "util", "deps": []}, {"id": "unused", "deps": []}, {"id": "serde", "deps": []}
          ]},
          "workspace_root": "/w", "target_directory": "/w/target"
        }"#;
        let metadata = Metadata::parse(json.as_bytes()).unwrap();
        let root = &metadata.packages[0];
        let spec = BuildSpec::new(
            "/w/app/Cargo.toml",
            "app",
            crate::BuildTarget::Bin("app".into()),
        );
        let options = Options::default()
            .with_extra_files(["/w/app/settings.toml"])
            .with_exclude_patterns(["*/generated/*"])
            .with_static_files("/static", "/w/app/src/assets");
        let set = WatchSet::new(&metadata, root, &spec, &options);
        for relevant in [
            "/w/app/src/main.rs",
            "/w/app/build.rs",
            "/w/app/Cargo.toml",
            "/w/util/src/lib.rs",
            "/w/util/Cargo.toml",
            "/w/Cargo.toml",
            "/w/Cargo.lock",
            "/w/app/settings.toml",
        ] {
            assert!(set.is_relevant(Path::new(relevant)), "{relevant}");
        }
        for ignored in [
            "/w/unused/src/lib.rs",
            "/r/serde/src/lib.rs",
            "/w/util/src/generated/schema.rs",
            "/w/app/src/assets/app.rs",
            "/w/app/other.toml",
        ] {
            assert!(!set.is_relevant(Path::new(ignored)), "{ignored}");
        }
    }

    #[test]
    fn dep_info_files_count_even_outside_src() {
        let mut set = set();
        set.add_dep_info(
            "/w/target/debug/app: /w/app/src/main.rs /w/app/templates/embedded.html /w/my\\ dir/x.txt\n",
        );
        assert!(set.is_relevant(Path::new("/w/app/templates/embedded.html")));
        assert!(set.is_relevant(Path::new("/w/my dir/x.txt")));
        assert!(!set.is_relevant(Path::new("/w/app/templates/other.html")));
    }

    #[test]
    fn dep_info_parsing() {
        assert_eq!(
            parse_dep_info("out: a.rs b\\ c.rs\n\na.rs:\n"),
            [PathBuf::from("a.rs"), PathBuf::from("b c.rs")]
        );
        assert_eq!(parse_dep_info("C\\:x: y.rs"), [PathBuf::from("y.rs")]);
        assert!(parse_dep_info("").is_empty());
    }

    #[test]
    fn watch_points_cover_files_by_their_folder() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        std::fs::create_dir_all(src.join("nested")).unwrap();
        let mut set = WatchSet::default();
        set.source_dirs.insert(src.clone());
        set.source_dirs.insert(src.join("nested"));
        set.source_dirs.insert(dir.path().join("missing"));
        set.files.insert(dir.path().join("Cargo.toml"));
        set.files.insert(src.join("main.rs"));
        let points = set.watch_points();
        assert_eq!(
            points,
            [
                (src, RecursiveMode::Recursive),
                (dir.path().to_path_buf(), RecursiveMode::NonRecursive)
            ]
        );
    }
}
