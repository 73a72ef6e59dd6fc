//! A panic's backtrace as frames: which are the application's own, and the
//! source lines around them.

use std::path::{Path, PathBuf};

use backtrace::Backtrace;

/// The environment variable the supervisor sets to the crate names of the
/// application (comma-separated), whose frames the debug page highlights.
pub(crate) const CRATES_VAR: &str = "CARAFE_DEVSERVER_CRATES";
/// The environment variable the supervisor sets to the workspace root, which
/// relative source paths in the debug information start from.
pub(crate) const ROOT_VAR: &str = "CARAFE_DEVSERVER_ROOT";

/// One frame of the stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Frame {
    /// The demangled function name, without the hash.
    pub(crate) function: String,
    /// The source file, as the debug information names it.
    pub(crate) file: Option<PathBuf>,
    pub(crate) line: Option<u32>,
    pub(crate) column: Option<u32>,
    /// Whether the function belongs to the application's own crates.
    pub(crate) user: bool,
}

/// Where the application's crates and sources are.
#[derive(Debug, Clone, Default)]
pub(crate) struct AppContext {
    /// Crate names (with `_`, as in paths).
    pub(crate) crates: Vec<String>,
    /// Folders relative source paths are tried against.
    pub(crate) roots: Vec<PathBuf>,
}

impl AppContext {
    /// From the supervisor's variables, else from what `cargo run` sets
    /// (`CARGO_PKG_NAME`, `CARGO_MANIFEST_DIR`) and the executable's name.
    pub(crate) fn from_env() -> Self {
        let mut crates: Vec<String> = std::env::var(CRATES_VAR)
            .map(|names| names.split(',').map(str::to_owned).collect())
            .unwrap_or_default();
        if crates.is_empty() {
            if let Ok(package) = std::env::var("CARGO_PKG_NAME") {
                crates.push(package.replace('-', "_"));
            }
            if let Some(stem) = std::env::current_exe().ok().and_then(|exe| {
                exe.file_stem()
                    .map(|stem| stem.to_string_lossy().into_owned())
            }) {
                crates.push(stem.replace('-', "_"));
            }
        }
        crates.retain(|name| !name.is_empty());
        crates.dedup();
        let mut roots = Vec::new();
        if let Some(root) = std::env::var_os(ROOT_VAR) {
            roots.push(PathBuf::from(root));
        }
        if let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR") {
            roots.extend(Path::new(&dir).ancestors().take(4).map(Path::to_path_buf));
        }
        if let Ok(dir) = std::env::current_dir() {
            roots.push(dir);
        }
        Self { crates, roots }
    }

    /// The file a frame names, on this machine.
    pub(crate) fn locate(&self, file: &Path) -> Option<PathBuf> {
        if file.is_absolute() {
            return file.is_file().then(|| file.to_path_buf());
        }
        self.roots
            .iter()
            .map(|root| root.join(file))
            .find(|candidate| candidate.is_file())
    }
}

/// The crate a demangled function name belongs to: `myapp` for
/// `myapp::views::index`, `<myapp::Page as core::fmt::Display>::fmt` and
/// `myapp::main::{{closure}}`.
pub(crate) fn crate_of(function: &str) -> &str {
    let name = function.trim_start_matches('<');
    let end = name
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(name.len());
    &name[..end]
}

/// Frames of the panic machinery and of the hook that took the backtrace,
/// before the frame that panicked.
fn is_machinery(function: &str) -> bool {
    [
        "backtrace::",
        "carafe_devserver::debug::",
        "std::panicking::",
        "std::panic::",
        "core::panicking::",
        "std::sys::backtrace::",
        "std::sys_common::backtrace::",
        "rust_begin_unwind",
        "__rustc::rust_begin_unwind",
        "<alloc::boxed::Box<",
    ]
    .iter()
    .any(|prefix| function.starts_with(prefix))
}

/// Frames from the one that panicked on: the hook's and the panic
/// machinery's frames are dropped.
pub(crate) fn trim(frames: Vec<Frame>) -> Vec<Frame> {
    let start = frames
        .iter()
        .rposition(|frame| {
            frame.function.starts_with("core::panicking::")
                || frame.function.starts_with("std::panicking::begin_panic")
                || frame.function.contains("rust_begin_unwind")
                || frame
                    .function
                    .starts_with("std::sys::backtrace::__rust_end_short_backtrace")
        })
        .filter(|&index| {
            // Only the machinery above the panic: never cut at a
            // `catch_unwind` further down the stack.
            frames[..index]
                .iter()
                .all(|frame| is_machinery(&frame.function) || frame.function.starts_with("core::"))
        })
        .map_or_else(
            || {
                frames
                    .iter()
                    .position(|frame| !is_machinery(&frame.function))
                    .unwrap_or(0)
            },
            |index| index + 1,
        );
    frames.into_iter().skip(start).collect()
}

/// The frames of `backtrace`, symbolised.
pub(crate) fn frames(mut backtrace: Backtrace, context: &AppContext) -> Vec<Frame> {
    backtrace.resolve();
    let mut frames = Vec::new();
    for frame in backtrace.frames() {
        for symbol in frame.symbols() {
            let function = symbol
                .name()
                .map_or_else(|| "<unknown>".to_owned(), |name| format!("{name:#}"));
            let user = context
                .crates
                .iter()
                .any(|name| name == crate_of(&function));
            frames.push(Frame {
                user,
                function,
                file: symbol.filename().map(Path::to_path_buf),
                line: symbol.lineno(),
                column: symbol.colno(),
            });
        }
    }
    trim(frames)
}

/// Lines `line - around ..= line + around` of `file` (1-based numbers).
pub(crate) fn source_lines(file: &Path, line: u32, around: u32) -> Option<Vec<(u32, String)>> {
    let metadata = std::fs::metadata(file).ok()?;
    if metadata.len() > 4 * 1024 * 1024 {
        return None;
    }
    let text = std::fs::read_to_string(file).ok()?;
    let first = line.saturating_sub(around).max(1);
    let lines: Vec<(u32, String)> = text
        .lines()
        .enumerate()
        .filter_map(|(index, content)| {
            let number = u32::try_from(index + 1).ok()?;
            (first..=line + around)
                .contains(&number)
                .then(|| (number, content.to_owned()))
        })
        .collect();
    (!lines.is_empty()).then_some(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(function: &str) -> Frame {
        Frame {
            function: function.to_owned(),
            file: None,
            line: None,
            column: None,
            user: false,
        }
    }

    #[test]
    fn crate_names() {
        assert_eq!(crate_of("myapp::views::index"), "myapp");
        assert_eq!(
            crate_of("<myapp::Page as core::fmt::Display>::fmt"),
            "myapp"
        );
        assert_eq!(crate_of("my_app::main::{{closure}}"), "my_app");
        assert_eq!(
            crate_of(
                "carafe_wrappers::application::<impl carafe_wrappers::Application for F>::handle"
            ),
            "carafe_wrappers"
        );
    }

    #[test]
    fn trims_the_panic_machinery() {
        let frames = [
            "backtrace::backtrace::trace",
            "backtrace::capture::Backtrace::new_unresolved",
            "carafe_devserver::debug::capture::install_hook::{{closure}}",
            "<alloc::boxed::Box<",
            "std::panicking::panic_with_hook",
            "std::panicking::panic_handler::{{closure}}",
            "std::sys::backtrace::__rust_end_short_backtrace",
            "__rustc::rust_begin_unwind",
            "core::panicking::panic_fmt",
            "core::option::unwrap_failed",
            "myapp::index",
            "carafe_devserver::debug::capture::catch",
            "std::panicking::catch_unwind",
            "main",
        ]
        .map(frame)
        .to_vec();
        let names: Vec<String> = trim(frames).into_iter().map(|f| f.function).collect();
        assert_eq!(names[0], "core::option::unwrap_failed");
        assert_eq!(names[1], "myapp::index");
        assert_eq!(names.len(), 5);
    }

    #[test]
    fn without_machinery_nothing_is_trimmed() {
        let frames = ["myapp::index", "std::panicking::catch_unwind", "main"]
            .map(frame)
            .to_vec();
        assert_eq!(trim(frames).len(), 3);
    }

    #[test]
    fn source_context() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("main.rs");
        std::fs::write(&file, "a\nb\nc\nd\ne\nf\n").unwrap();
        let lines = source_lines(&file, 2, 2).unwrap();
        assert_eq!(lines.first().unwrap(), &(1, "a".to_owned()));
        assert_eq!(lines.last().unwrap(), &(4, "d".to_owned()));
        assert!(source_lines(&file, 99, 2).is_none());
        let context = AppContext {
            crates: Vec::new(),
            roots: vec![dir.path().to_path_buf()],
        };
        assert_eq!(context.locate(Path::new("main.rs")), Some(file));
        assert_eq!(context.locate(Path::new("missing.rs")), None);
    }

    #[test]
    fn a_real_backtrace_starts_at_the_panicking_function() {
        let context = AppContext {
            crates: vec!["carafe_devserver".to_owned()],
            roots: Vec::new(),
        };
        let panic = crate::debug::capture::catch(|| -> () { panic!("real") }).unwrap_err();
        let frames = frames(panic.backtrace.unwrap(), &context);
        assert!(
            frames[0]
                .function
                .contains("a_real_backtrace_starts_at_the_panicking_function"),
            "{frames:#?}"
        );
        assert!(frames[0].user);
        assert!(frames[0].file.as_ref().unwrap().ends_with("frames.rs"));
    }
}
