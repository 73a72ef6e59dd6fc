//! Which `cargo build` rebuilds the running program.
//!
//! `cargo run` replaces itself with the program and leaves no record of its
//! arguments, so the reloader reads them back from what the build left:
//!
//! - the executable's path gives the target directory, the target triple (if
//!   any), the profile (`target/debug` is `dev`, `target/release` is
//!   `release`, any other folder is a custom profile) and whether it is a
//!   binary or an example (`.../examples/NAME`);
//! - `cargo metadata` gives the package that has a binary or example of that
//!   name (which project to ask: see `locate.rs`; the package in
//!   `CARGO_MANIFEST_DIR`, which `cargo run` sets, first);
//! - the features: cargo's fingerprint of that very file (the executable is a
//!   hard link of `deps/NAME-HASH`, whose fingerprint records the features it
//!   was built with). If that cannot be read, the package's default features
//!   are used and a warning says so.
//!
//! [`Options::with_build`](crate::Options::with_build) replaces all of this.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::Error;

/// The kind of target the reloader builds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildTarget {
    /// A binary (`cargo build --bin NAME`).
    Bin(String),
    /// An example (`cargo build --example NAME`).
    Example(String),
}

impl BuildTarget {
    /// The target's name.
    pub fn name(&self) -> &str {
        match self {
            BuildTarget::Bin(name) | BuildTarget::Example(name) => name,
        }
    }

    /// `bin` or `example`: cargo's word for the kind.
    pub fn kind(&self) -> &'static str {
        match self {
            BuildTarget::Bin(_) => "bin",
            BuildTarget::Example(_) => "example",
        }
    }
}

/// The `cargo build` the reloader runs to rebuild the program: one binary or
/// example of one package, with a profile, features and target directory.
///
/// # Examples
///
/// ```
/// use carafe_devserver::{BuildSpec, BuildTarget};
///
/// let spec = BuildSpec::new("app/Cargo.toml", "app", BuildTarget::Bin("app".into()))
///     .with_profile("release")
///     .with_features(["postgres".to_owned()]);
/// let args: Vec<String> = spec.cargo_args().iter().map(|a| a.to_string_lossy().into_owned()).collect();
/// assert_eq!(
///     args[..9],
///     ["build", "--manifest-path", "app/Cargo.toml", "-p", "app", "--bin", "app", "--profile", "release"]
/// );
/// assert!(args.ends_with(&["--features".to_owned(), "postgres".to_owned()]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildSpec {
    manifest_path: PathBuf,
    package: String,
    target: BuildTarget,
    profile: String,
    features: Vec<String>,
    no_default_features: bool,
    target_triple: Option<String>,
    target_dir: Option<PathBuf>,
}

impl BuildSpec {
    /// `target` of `package` (whose manifest is `manifest_path`) with the
    /// `dev` profile and default features.
    pub fn new(
        manifest_path: impl Into<PathBuf>,
        package: impl Into<String>,
        target: BuildTarget,
    ) -> Self {
        Self {
            manifest_path: manifest_path.into(),
            package: package.into(),
            target,
            profile: "dev".to_owned(),
            features: Vec::new(),
            no_default_features: false,
            target_triple: None,
            target_dir: None,
        }
    }

    /// Returns this spec with `profile` (`dev`, `release`, a custom one).
    #[must_use]
    pub fn with_profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = profile.into();
        self
    }

    /// Returns this spec with `features` on.
    #[must_use]
    pub fn with_features(mut self, features: impl IntoIterator<Item = String>) -> Self {
        self.features = features.into_iter().collect();
        self
    }

    /// Returns this spec without the default features.
    #[must_use]
    pub fn with_no_default_features(mut self, no_default_features: bool) -> Self {
        self.no_default_features = no_default_features;
        self
    }

    /// Returns this spec building for `triple` (`--target`).
    #[must_use]
    pub fn with_target_triple(mut self, triple: Option<String>) -> Self {
        self.target_triple = triple;
        self
    }

    /// Returns this spec building into `target_dir` (`--target-dir`).
    #[must_use]
    pub fn with_target_dir(mut self, target_dir: Option<PathBuf>) -> Self {
        self.target_dir = target_dir;
        self
    }

    /// The package's manifest.
    pub fn manifest_path(&self) -> &Path {
        &self.manifest_path
    }

    /// The package's name.
    pub fn package(&self) -> &str {
        &self.package
    }

    /// The binary or example.
    pub fn target(&self) -> &BuildTarget {
        &self.target
    }

    /// The profile.
    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// The features turned on.
    pub fn features(&self) -> &[String] {
        &self.features
    }

    /// Whether the default features are off.
    pub fn no_default_features(&self) -> bool {
        self.no_default_features
    }

    /// The target triple, when cross-compiling.
    pub fn target_triple(&self) -> Option<&str> {
        self.target_triple.as_deref()
    }

    /// The target directory, when not cargo's default.
    pub fn target_dir(&self) -> Option<&Path> {
        self.target_dir.as_deref()
    }

    /// The arguments of `cargo` (starting with `build`), without the
    /// message format.
    pub fn cargo_args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec![
            "build".into(),
            "--manifest-path".into(),
            self.manifest_path.clone().into(),
            "-p".into(),
            self.package.clone().into(),
            format!("--{}", self.target.kind()).into(),
            self.target.name().into(),
            "--profile".into(),
            self.profile.clone().into(),
        ];
        if let Some(triple) = &self.target_triple {
            args.extend(["--target".into(), triple.into()]);
        }
        if let Some(dir) = &self.target_dir {
            args.extend(["--target-dir".into(), dir.clone().into()]);
        }
        if self.no_default_features {
            args.push("--no-default-features".into());
        }
        if !self.features.is_empty() {
            args.extend(["--features".into(), self.features.join(",").into()]);
        }
        args
    }

    /// This spec with its manifest and target folder as absolute paths
    /// (cargo runs in the package's folder, not in the working folder).
    pub(crate) fn absolute(mut self) -> Self {
        fn absolute(path: &Path) -> PathBuf {
            std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
        }
        self.manifest_path = absolute(&self.manifest_path);
        self.target_dir = self.target_dir.as_deref().map(absolute);
        self
    }

    /// The folder cargo runs in: the package's.
    pub(crate) fn package_dir(&self) -> &Path {
        self.manifest_path
            .parent()
            .filter(|dir| !dir.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    }

    /// The command line, for messages.
    pub(crate) fn command_line(&self) -> String {
        let mut line = "cargo".to_owned();
        for arg in self.cargo_args() {
            line.push(' ');
            line.push_str(&arg.to_string_lossy());
        }
        line
    }

    /// Works out the spec of the running executable (see the module docs).
    ///
    /// # Errors
    ///
    /// [`Error::Build`] when the executable was not built by cargo in a
    /// target directory, or no package has a target of its name;
    /// [`Error::Cargo`] when `cargo metadata` fails.
    pub fn detect() -> Result<Self, Error> {
        let exe = std::env::current_exe().map_err(|error| Error::Build {
            reason: format!("the path of the running executable is unknown: {error}"),
        })?;
        let layout = Layout::parse(&exe)?;
        let clues = super::locate::Clues::of_process(&exe);
        let candidates = clues.candidates(&layout, Path::is_file);
        let (manifest, metadata) =
            super::locate::choose(&candidates, &layout, super::metadata::Metadata::load)?;
        let preferred = clues
            .manifest_dir
            .clone()
            .or_else(|| manifest.parent().map(Path::to_path_buf));
        let (package, _) = metadata
            .find_target(&layout.target, preferred.as_deref())
            .ok_or_else(|| Error::Build {
                reason: format!(
                    "no package of {} has a {} target named `{}`",
                    manifest.display(),
                    layout.target.kind(),
                    layout.target.name()
                ),
            })?;
        let mut spec = BuildSpec::new(
            package.manifest_path.clone(),
            package.name.clone(),
            layout.target.clone(),
        )
        .with_profile(layout.profile.clone())
        .with_target_triple(layout.triple.clone())
        .with_target_dir(Some(layout.target_dir.clone()));
        match fingerprint_features(&layout, &package.name, &exe) {
            Some(features) => {
                let has_default = package.features.contains_key("default");
                spec.no_default_features =
                    has_default && !features.iter().any(|feature| feature == "default");
                spec.features = features
                    .into_iter()
                    .filter(|feature| feature != "default")
                    .collect();
            }
            None => crate::log::warning(
                "the reloader cannot tell which features this program was built with; \
                 it rebuilds with the default features (set them with Options::with_build)",
            ),
        }
        Ok(spec)
    }

    /// Where the executable of this spec lands, given the target directory
    /// (cargo's `executable` in its JSON messages says it too).
    pub(crate) fn executable_in(&self, target_dir: &Path) -> PathBuf {
        let mut path = target_dir.to_path_buf();
        if let Some(triple) = &self.target_triple {
            path.push(triple);
        }
        path.push(profile_dir(&self.profile));
        if let BuildTarget::Example(_) = self.target {
            path.push("examples");
        }
        path.push(self.target.name());
        path
    }
}

/// The folder cargo uses for `profile`.
pub(crate) fn profile_dir(profile: &str) -> &str {
    match profile {
        "dev" | "test" => "debug",
        "bench" => "release",
        other => other,
    }
}

/// What the executable's path says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    pub(crate) target: BuildTarget,
    pub(crate) profile: String,
    /// `target/<triple>/<profile>` or `target/<profile>`.
    pub(crate) profile_dir: PathBuf,
    pub(crate) target_dir: PathBuf,
    pub(crate) triple: Option<String>,
}

fn file_name(path: &Path) -> Option<String> {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
}

impl Layout {
    /// Reads `exe` = `TARGET_DIR[/TRIPLE]/PROFILE[/examples]/NAME`.
    pub(crate) fn parse(exe: &Path) -> Result<Layout, Error> {
        let not_cargo = |why: &str| Error::Build {
            reason: format!("{} {why}", exe.display()),
        };
        let name = file_name(exe).ok_or_else(|| not_cargo("has no file name"))?;
        let name = name.strip_suffix(".exe").unwrap_or(&name).to_owned();
        let parent = exe.parent().ok_or_else(|| not_cargo("has no folder"))?;
        let (target, profile_dir) = if file_name(parent).as_deref() == Some("examples") {
            let dir = parent
                .parent()
                .ok_or_else(|| not_cargo("has no profile folder"))?;
            (BuildTarget::Example(name), dir)
        } else {
            (BuildTarget::Bin(name), parent)
        };
        let dir_name = file_name(profile_dir).ok_or_else(|| not_cargo("has no profile folder"))?;
        if dir_name == "deps" || dir_name == "build" {
            return Err(not_cargo(
                "is a test, bench or build-script executable, not one `cargo run` starts",
            ));
        }
        let profile = match dir_name.as_str() {
            "debug" => "dev".to_owned(),
            other => other.to_owned(),
        };
        let base = profile_dir
            .parent()
            .ok_or_else(|| not_cargo("is not inside a target folder"))?;
        let is_target_dir = |dir: &Path| dir.join("CACHEDIR.TAG").is_file();
        let (target_dir, triple) = if is_target_dir(base) {
            (base.to_path_buf(), None)
        } else if let Some(outer) = base.parent().filter(|outer| is_target_dir(outer)) {
            (outer.to_path_buf(), file_name(base))
        } else {
            (base.to_path_buf(), None)
        };
        Ok(Layout {
            target,
            profile,
            profile_dir: profile_dir.to_path_buf(),
            target_dir,
            triple,
        })
    }
}

/// The features the executable was built with, from cargo's fingerprint.
fn fingerprint_features(layout: &Layout, package: &str, exe: &Path) -> Option<Vec<String>> {
    use std::os::unix::fs::MetadataExt;

    let kind = layout.target.kind();
    let name = layout.target.name();
    let fingerprints = layout.profile_dir.join(".fingerprint");
    let file = format!("{kind}-{name}.json");
    // The executable is a hard link of `deps/CRATE-HASH` (examples:
    // `examples/CRATE-HASH`); the fingerprint folder has the same hash.
    let hashed_dir = match layout.target {
        BuildTarget::Bin(_) => layout.profile_dir.join("deps"),
        BuildTarget::Example(_) => layout.profile_dir.join("examples"),
    };
    let crate_prefix = format!("{}-", name.replace('-', "_"));
    let exe_meta = std::fs::metadata(exe).ok()?;
    let by_inode = std::fs::read_dir(&hashed_dir).ok().and_then(|entries| {
        entries.flatten().find_map(|entry| {
            let entry_name = entry.file_name().to_string_lossy().into_owned();
            let hash = entry_name.strip_prefix(&crate_prefix)?;
            if hash.contains('.') {
                return None;
            }
            let meta = entry.metadata().ok()?;
            (meta.ino() == exe_meta.ino() && meta.dev() == exe_meta.dev())
                .then(|| fingerprints.join(format!("{package}-{hash}")).join(&file))
        })
    });
    let path = by_inode.filter(|path| path.is_file()).or_else(|| {
        // Copied rather than linked: the newest fingerprint of that target.
        std::fs::read_dir(&fingerprints)
            .ok()?
            .flatten()
            .map(|entry| entry.path().join(&file))
            .filter(|path| path.is_file())
            .max_by_key(|path| std::fs::metadata(path).and_then(|m| m.modified()).ok())
    })?;
    parse_fingerprint_features(&std::fs::read_to_string(path).ok()?)
}

/// The `features` of a fingerprint file: a JSON string holding a JSON list.
pub(crate) fn parse_fingerprint_features(json: &str) -> Option<Vec<String>> {
    #[derive(serde::Deserialize)]
    struct Fingerprint {
        features: String,
    }
    let fingerprint: Fingerprint = serde_json::from_str(json).ok()?;
    serde_json::from_str(&fingerprint.features).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::create_dir_all(target.join("debug/examples")).unwrap();
        std::fs::create_dir_all(target.join("x86_64-unknown-linux-gnu/fast")).unwrap();
        std::fs::write(target.join("CACHEDIR.TAG"), "").unwrap();

        let bin = Layout::parse(&target.join("debug/my-app")).unwrap();
        assert_eq!(bin.target, BuildTarget::Bin("my-app".to_owned()));
        assert_eq!(bin.profile, "dev");
        assert_eq!(bin.target_dir, target);
        assert_eq!(bin.triple, None);

        let example = Layout::parse(&target.join("debug/examples/hello")).unwrap();
        assert_eq!(example.target, BuildTarget::Example("hello".to_owned()));

        let cross = Layout::parse(&target.join("x86_64-unknown-linux-gnu/fast/app")).unwrap();
        assert_eq!(cross.profile, "fast");
        assert_eq!(cross.triple.as_deref(), Some("x86_64-unknown-linux-gnu"));
        assert_eq!(cross.target_dir, target);

        let test = Layout::parse(&target.join("debug/deps/main-0123456789abcdef")).unwrap_err();
        assert!(
            test.to_string().contains("test, bench or build-script"),
            "{test}"
        );
    }

    #[test]
    fn executables_land_where_layouts_read_them() {
        let spec = BuildSpec::new("Cargo.toml", "app", BuildTarget::Example("demo".into()))
            .with_target_triple(Some("aarch64-unknown-linux-gnu".into()));
        assert_eq!(
            spec.executable_in(Path::new("/t")),
            Path::new("/t/aarch64-unknown-linux-gnu/debug/examples/demo")
        );
        let release = BuildSpec::new("Cargo.toml", "app", BuildTarget::Bin("app".into()))
            .with_profile("release");
        assert_eq!(
            release.executable_in(Path::new("/t")),
            Path::new("/t/release/app")
        );
    }

    #[test]
    fn fingerprint_features_are_a_json_list_in_a_string() {
        let json =
            r#"{"rustc":1,"features":"[\"default\", \"postgres\"]","declared_features":"[]"}"#;
        assert_eq!(
            parse_fingerprint_features(json).unwrap(),
            ["default", "postgres"]
        );
        assert_eq!(parse_fingerprint_features("{}"), None);
    }

    #[test]
    fn cargo_runs_in_the_package_folder_with_absolute_paths() {
        let cwd = std::env::current_dir().unwrap();
        let spec = BuildSpec::new("app/Cargo.toml", "app", BuildTarget::Bin("app".into()))
            .with_target_dir(Some("out".into()));
        assert_eq!(spec.package_dir(), Path::new("app"));
        let spec = spec.absolute();
        assert_eq!(spec.manifest_path(), cwd.join("app/Cargo.toml"));
        assert_eq!(spec.package_dir(), cwd.join("app"));
        assert_eq!(spec.target_dir(), Some(cwd.join("out").as_path()));
        let bare = BuildSpec::new("Cargo.toml", "app", BuildTarget::Bin("app".into()));
        assert_eq!(bare.package_dir(), Path::new("."));
    }

    #[test]
    fn arguments_with_every_option() {
        let spec = BuildSpec::new("/p/Cargo.toml", "p", BuildTarget::Bin("p".into()))
            .with_target_dir(Some("/t".into()))
            .with_target_triple(Some("x".into()))
            .with_no_default_features(true)
            .with_features(["a".to_owned(), "b".to_owned()]);
        assert_eq!(
            spec.command_line(),
            "cargo build --manifest-path /p/Cargo.toml -p p --bin p --profile dev --target x \
             --target-dir /t --no-default-features --features a,b"
        );
    }
}
