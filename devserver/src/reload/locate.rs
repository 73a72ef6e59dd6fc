//! Which project the running executable was built from: the manifest the
//! reloader runs `cargo metadata` and `cargo build` for.
//!
//! The working folder alone says little: the program may be started from
//! another project's folder, or by a test harness that passes its own
//! `CARGO_MANIFEST_DIR` on. So several places are asked, in order:
//!
//! 1. `CARGO_MANIFEST_PATH`, `CARGO_MANIFEST_DIR` (`cargo run` sets them);
//! 2. the packages of the sources cargo's dep-info lists for the executable
//!    (`<executable>.d`: what it was really compiled from);
//! 3. the nearest `Cargo.toml` above the working folder, then above the
//!    target folder.
//!
//! The first whose `cargo metadata` has a local package with a binary or
//! example of the executable's name *and* reports the executable's target
//! folder wins; failing that, the first with such a target. `cargo
//! metadata` runs in the manifest's folder, so that project's
//! `.cargo/config.toml` applies, not the working folder's.

use std::path::{Path, PathBuf};

use super::metadata::Metadata;
use super::spec::Layout;
use super::watch::parse_dep_info;
use crate::Error;

/// What the environment says about where the program came from.
#[derive(Debug, Default)]
pub(crate) struct Clues {
    pub(crate) manifest_path: Option<PathBuf>,
    pub(crate) manifest_dir: Option<PathBuf>,
    /// The contents of the executable's dep-info file.
    pub(crate) dep_info: Option<String>,
    pub(crate) cwd: Option<PathBuf>,
}

impl Clues {
    /// The clues of this process, for the executable `exe`.
    pub(crate) fn of_process(exe: &Path) -> Clues {
        let mut dep_info = exe.as_os_str().to_owned();
        dep_info.push(".d");
        Clues {
            manifest_path: std::env::var_os("CARGO_MANIFEST_PATH").map(PathBuf::from),
            manifest_dir: std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from),
            dep_info: std::fs::read_to_string(dep_info).ok(),
            cwd: std::env::current_dir().ok(),
        }
    }

    /// The candidate manifests, best first, without repeats; `is_file`
    /// tells which paths exist.
    pub(crate) fn candidates(
        &self,
        layout: &Layout,
        is_file: impl Fn(&Path) -> bool,
    ) -> Vec<PathBuf> {
        let upward = |start: &Path| {
            start
                .ancestors()
                .map(|dir| dir.join("Cargo.toml"))
                .find(|manifest| is_file(manifest))
        };
        let mut found: Vec<PathBuf> = Vec::new();
        let mut add = |manifest: Option<PathBuf>| {
            if let Some(manifest) = manifest
                && !found.contains(&manifest)
            {
                found.push(manifest);
            }
        };
        add(self.manifest_path.clone().filter(|path| is_file(path)));
        add(self
            .manifest_dir
            .as_ref()
            .map(|dir| dir.join("Cargo.toml"))
            .filter(|path| is_file(path)));
        for source in self
            .dep_info
            .as_deref()
            .map(parse_dep_info)
            .unwrap_or_default()
        {
            if source.is_absolute() && source.extension().is_some_and(|ext| ext == "rs") {
                add(source.parent().and_then(upward));
            }
        }
        add(self.cwd.as_deref().and_then(upward));
        add(layout.target_dir.parent().and_then(upward));
        found
    }
}

/// Loads the metadata of each candidate in turn (see the module docs) and
/// returns the chosen manifest with its metadata.
pub(crate) fn choose(
    candidates: &[PathBuf],
    layout: &Layout,
    mut load: impl FnMut(&Path) -> Result<Metadata, Error>,
) -> Result<(PathBuf, Metadata), Error> {
    let same_dir = |a: &Path, b: &Path| {
        a == b
            || matches!(
                (a.canonicalize(), b.canonicalize()),
                (Ok(a), Ok(b)) if a == b
            )
    };
    let mut fallback = None;
    let mut problems = Vec::new();
    for manifest in candidates {
        match load(manifest) {
            Ok(metadata) => {
                if metadata.find_target(&layout.target, None).is_none() {
                    problems.push(format!(
                        "{}: no {} target named `{}`",
                        manifest.display(),
                        layout.target.kind(),
                        layout.target.name()
                    ));
                } else if same_dir(&metadata.target_directory, &layout.target_dir) {
                    return Ok((manifest.clone(), metadata));
                } else if fallback.is_none() {
                    fallback = Some((manifest.clone(), metadata));
                }
            }
            Err(error) => problems.push(error.to_string()),
        }
    }
    fallback.ok_or_else(|| Error::Build {
        reason: if problems.is_empty() {
            "no Cargo.toml found (from CARGO_MANIFEST_DIR, the executable's sources, \
             the working folder or the target folder)"
                .to_owned()
        } else {
            format!("no project builds this executable: {}", problems.join("; "))
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reload::spec::BuildTarget;

    fn layout(target_dir: &str) -> Layout {
        Layout {
            target: BuildTarget::Bin("app".into()),
            profile: "dev".into(),
            profile_dir: Path::new(target_dir).join("debug"),
            target_dir: target_dir.into(),
            triple: None,
        }
    }

    fn metadata(bin: &str, target_dir: &str) -> Metadata {
        let json = format!(
            r#"{{"packages": [{{"name": "p", "id": "p", "manifest_path": "/p/Cargo.toml",
                "source": null,
                "targets": [{{"name": "{bin}", "kind": ["bin"], "src_path": "/p/src/main.rs"}}]}}],
               "workspace_root": "/p", "target_directory": "{target_dir}"}}"#
        );
        Metadata::parse(json.as_bytes()).unwrap()
    }

    #[test]
    fn candidates_in_order_without_repeats() {
        let files = [
            "/env/Cargo.toml",
            "/proj/Cargo.toml",
            "/proj/lib/Cargo.toml",
            "/elsewhere/Cargo.toml",
        ];
        let is_file = |path: &Path| files.iter().any(|file| Path::new(file) == path);
        let clues = Clues {
            manifest_path: Some("/missing/Cargo.toml".into()),
            manifest_dir: Some("/env".into()),
            dep_info: Some(
                "/t/debug/app: /proj/src/main.rs /proj/src/routes.rs /proj/lib/src/lib.rs \
                 /proj/templates/page.html\n"
                    .into(),
            ),
            cwd: Some("/elsewhere/sub".into()),
        };
        assert_eq!(
            clues.candidates(&layout("/proj/target"), is_file),
            [
                "/env/Cargo.toml",
                "/proj/Cargo.toml",
                "/proj/lib/Cargo.toml",
                "/elsewhere/Cargo.toml"
            ]
            .map(PathBuf::from)
        );
        assert!(
            Clues::default()
                .candidates(&layout("/t"), is_file)
                .is_empty()
        );
    }

    #[test]
    fn the_project_with_the_target_and_the_target_folder_wins() {
        let candidates = ["/other", "/stale", "/right", "/later"].map(PathBuf::from);
        let mut asked = Vec::new();
        let (chosen, _) = choose(&candidates, &layout("/t"), |manifest| {
            asked.push(manifest.to_path_buf());
            Ok(match manifest.to_str().unwrap() {
                // The working folder's project, without the binary.
                "/other" => metadata("other", "/t"),
                // The binary, built into another target folder.
                "/stale" => metadata("app", "/stale/target"),
                _ => metadata("app", "/t"),
            })
        })
        .unwrap();
        assert_eq!(chosen, Path::new("/right"));
        assert_eq!(asked.len(), 3, "stops at the first full match");

        // No full match: the first that has the binary.
        let (chosen, _) = choose(&candidates, &layout("/t"), |manifest| {
            Ok(match manifest.to_str().unwrap() {
                "/stale" | "/right" => metadata("app", "/elsewhere"),
                _ => metadata("other", "/t"),
            })
        })
        .unwrap();
        assert_eq!(chosen, Path::new("/stale"));
    }

    #[test]
    fn every_problem_is_named() {
        let candidates = ["/a/Cargo.toml", "/b/Cargo.toml"].map(PathBuf::from);
        let error = choose(&candidates, &layout("/t"), |manifest| {
            if manifest.starts_with("/a") {
                Ok(metadata("other", "/t"))
            } else {
                Err(Error::Cargo {
                    command: "cargo metadata".into(),
                    message: "broken manifest".into(),
                })
            }
        })
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("/a/Cargo.toml: no bin target named `app`"),
            "{error}"
        );
        assert!(error.contains("broken manifest"), "{error}");
        let none = choose(&[], &layout("/t"), |_| unreachable!()).unwrap_err();
        assert!(none.to_string().contains("no Cargo.toml found"), "{none}");
    }
}
