//! What `cargo metadata` says about the project: packages, their targets,
//! and which local (path) packages the program depends on.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

use super::spec::BuildTarget;
use crate::Error;

/// The part of `cargo metadata --format-version 1` the reloader reads.
#[derive(Debug, Deserialize)]
pub(crate) struct Metadata {
    pub(crate) packages: Vec<Package>,
    #[serde(default)]
    pub(crate) resolve: Option<Resolve>,
    pub(crate) workspace_root: PathBuf,
    pub(crate) target_directory: PathBuf,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Package {
    pub(crate) name: String,
    pub(crate) id: String,
    pub(crate) manifest_path: PathBuf,
    /// `None` for local packages (workspace members and path dependencies).
    #[serde(default)]
    pub(crate) source: Option<String>,
    pub(crate) targets: Vec<Target>,
    #[serde(default)]
    pub(crate) features: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Target {
    pub(crate) name: String,
    pub(crate) kind: Vec<String>,
    pub(crate) src_path: PathBuf,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Resolve {
    pub(crate) nodes: Vec<Node>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Node {
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) deps: Vec<NodeDep>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct NodeDep {
    pub(crate) pkg: String,
    #[serde(default)]
    pub(crate) dep_kinds: Vec<DepKind>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct DepKind {
    pub(crate) kind: Option<String>,
}

impl Package {
    /// The folder of the package.
    pub(crate) fn dir(&self) -> &Path {
        self.manifest_path.parent().unwrap_or(Path::new("."))
    }
}

/// The program `cargo` runs: `$CARGO` (set by `cargo run`), else `cargo`.
pub(crate) fn cargo() -> PathBuf {
    std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

impl Metadata {
    /// Runs `cargo metadata` for `manifest`, in the manifest's folder (so
    /// that project's `.cargo/config.toml` applies, not the working
    /// folder's).
    pub(crate) fn load(manifest: &Path) -> Result<Metadata, Error> {
        let manifest = std::path::absolute(manifest).unwrap_or_else(|_| manifest.to_path_buf());
        let mut command = Command::new(cargo());
        command
            .args(["metadata", "--format-version", "1", "--manifest-path"])
            .arg(&manifest)
            .stdin(std::process::Stdio::null());
        if let Some(dir) = manifest.parent().filter(|dir| dir.is_dir()) {
            command.current_dir(dir);
        }
        let line = format!(
            "cargo metadata --format-version 1 --manifest-path {}",
            manifest.display()
        );
        let output = command.output().map_err(|error| Error::Cargo {
            command: line.clone(),
            message: error.to_string(),
        })?;
        if !output.status.success() {
            return Err(Error::Cargo {
                command: line,
                message: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
            });
        }
        Self::parse(&output.stdout).map_err(|message| Error::Cargo {
            command: line,
            message,
        })
    }

    pub(crate) fn parse(json: &[u8]) -> Result<Metadata, String> {
        serde_json::from_slice(json).map_err(|error| format!("unexpected output: {error}"))
    }

    /// The package with `target`, preferring the one in `preferred_dir`.
    pub(crate) fn find_target(
        &self,
        target: &BuildTarget,
        preferred_dir: Option<&Path>,
    ) -> Option<(&Package, &Target)> {
        let mut found: Vec<(&Package, &Target)> = self
            .packages
            .iter()
            .filter(|package| package.source.is_none())
            .flat_map(|package| package.targets.iter().map(move |t| (package, t)))
            .filter(|(_, t)| {
                t.name == target.name() && t.kind.iter().any(|kind| kind == target.kind())
            })
            .collect();
        if let Some(dir) = preferred_dir
            && let Some(index) = found.iter().position(|(package, _)| package.dir() == dir)
        {
            return Some(found.swap_remove(index));
        }
        found.into_iter().next()
    }

    fn package(&self, id: &str) -> Option<&Package> {
        self.packages.iter().find(|package| package.id == id)
    }

    /// The local packages `root` depends on (itself included): normal and
    /// build dependencies, and dev-dependencies of `root` when `dev` (an
    /// example may use them), followed through local packages.
    pub(crate) fn local_packages<'a>(&'a self, root: &'a Package, dev: bool) -> Vec<&'a Package> {
        let Some(resolve) = &self.resolve else {
            return vec![root];
        };
        let mut seen = BTreeSet::from([root.id.clone()]);
        let mut queue = vec![root.id.clone()];
        while let Some(id) = queue.pop() {
            let Some(node) = resolve.nodes.iter().find(|node| node.id == id) else {
                continue;
            };
            for dep in &node.deps {
                let wanted = dep.dep_kinds.is_empty()
                    || dep.dep_kinds.iter().any(|kind| match kind.kind.as_deref() {
                        None | Some("build") => true,
                        Some("dev") => dev && id == root.id,
                        Some(_) => false,
                    });
                let local = self
                    .package(&dep.pkg)
                    .is_some_and(|package| package.source.is_none());
                if wanted && local && seen.insert(dep.pkg.clone()) {
                    queue.push(dep.pkg.clone());
                }
            }
        }
        self.packages
            .iter()
            .filter(|package| seen.contains(&package.id))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"{
      "packages": [
        {"name": "app", "id": "path+file:///w/app#0.1.0", "manifest_path": "/w/app/Cargo.toml", "source": null,
         "features": {"default": ["pg"], "pg": []},
         "targets": [{"name": "app", "kind": ["bin"], "src_path": "/w/app/src/main.rs"},
                     {"name": "demo", "kind": ["example"], "src_path": "/w/app/examples/demo.rs"},
                     {"name": "build-script-build", "kind": ["custom-build"], "src_path": "/w/app/build.rs"}]},
        {"name": "util", "id": "path+file:///w/util#0.1.0", "manifest_path": "/w/util/Cargo.toml", "source": null,
         "targets": [{"name": "util", "kind": ["lib"], "src_path": "/w/util/src/lib.rs"}]},
        {"name": "testkit", "id": "path+file:///w/testkit#0.1.0", "manifest_path": "/w/testkit/Cargo.toml", "source": null,
         "targets": [{"name": "testkit", "kind": ["lib"], "src_path": "/w/testkit/src/lib.rs"}]},
        {"name": "serde", "id": "registry+https://github.com/rust-lang/crates.io-index#serde@1.0.0",
         "manifest_path": "/r/serde/Cargo.toml", "source": "registry+https://github.com/rust-lang/crates.io-index",
         "targets": [{"name": "serde", "kind": ["lib"], "src_path": "/r/serde/src/lib.rs"}]}
      ],
      "resolve": {"nodes": [
        {"id": "path+file:///w/app#0.1.0", "deps": [
          {"pkg": "path+file:///w/util#0.1.0", "dep_kinds": [{"kind": null}]},
          {"pkg": "path+file:///w/testkit#0.1.0", "dep_kinds": [{"kind": "dev"}]},
          {"pkg": "registry+https://github.com/rust-lang/crates.io-index#serde@1.0.0", "dep_kinds": [{"kind": null}]}]},
        {"id": "path+file:///w/util#0.1.0", "deps": []},
        {"id": "path+file:///w/testkit#0.1.0", "deps": []}
      ]},
      "workspace_root": "/w",
      "target_directory": "/w/target",
      "version": 1
    }"#;

    #[test]
    fn finds_targets_and_local_dependencies() {
        let metadata = Metadata::parse(JSON.as_bytes()).unwrap();
        let (package, target) = metadata
            .find_target(&BuildTarget::Bin("app".into()), None)
            .unwrap();
        assert_eq!(package.name, "app");
        assert_eq!(target.src_path, Path::new("/w/app/src/main.rs"));
        assert!(
            metadata
                .find_target(&BuildTarget::Bin("demo".into()), None)
                .is_none()
        );
        assert!(
            metadata
                .find_target(&BuildTarget::Example("demo".into()), None)
                .is_some()
        );

        let names = |dev| -> Vec<String> {
            metadata
                .local_packages(package, dev)
                .iter()
                .map(|p| p.name.clone())
                .collect()
        };
        assert_eq!(names(false), ["app", "util"]);
        assert_eq!(names(true), ["app", "util", "testkit"]);
    }
}
