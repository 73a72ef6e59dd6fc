//! Joining untrusted path pieces to a trusted directory (Werkzeug's
//! `safe_join`, stricter).

use std::fmt;
use std::path::{Path, PathBuf};

/// Whether files whose name starts with `.` may be served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dotfiles {
    /// Refuse them (`.env`, `.git/config`, `.htpasswd`): the default.
    #[default]
    Hide,
    /// Serve them (a `.well-known` directory, for example).
    Allow,
}

/// Why an untrusted path was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnsafePath {
    /// The path starts with `/` (absolute, or `//host`).
    Absolute,
    /// A `..` segment: it would climb out of the directory.
    ParentSegment,
    /// A backslash: a separator on Windows, a traversal trick elsewhere.
    Backslash,
    /// A control character (NUL, CR, LF, ...).
    ControlCharacter,
    /// A percent-encoded `.`, `/`, `\` or NUL left in the path: the path was
    /// encoded twice, or the caller forgot to decode it once.
    EncodedCharacter,
    /// A segment starting with `.`, while dotfiles are hidden.
    Dotfile {
        /// The segment.
        segment: String,
    },
    /// A Windows device name (`CON`, `NUL`, `COM1`, ...), with or without an
    /// extension.
    DeviceName {
        /// The segment.
        segment: String,
    },
    /// A `:` on Windows (a drive letter or an alternate data stream).
    Colon,
}

impl fmt::Display for UnsafePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnsafePath::Absolute => f.write_str("path is absolute"),
            UnsafePath::ParentSegment => f.write_str("path has a `..` segment"),
            UnsafePath::Backslash => f.write_str("path has a backslash"),
            UnsafePath::ControlCharacter => f.write_str("path has a control character"),
            UnsafePath::EncodedCharacter => {
                f.write_str("path has a percent-encoded `.`, `/`, `\\` or NUL")
            }
            UnsafePath::Dotfile { segment } => write!(f, "path names a dotfile ({segment:?})"),
            UnsafePath::DeviceName { segment } => {
                write!(f, "path names a windows device ({segment:?})")
            }
            UnsafePath::Colon => f.write_str("path has a colon"),
        }
    }
}

impl std::error::Error for UnsafePath {}

/// <https://chrisdenton.github.io/omnipath/Special%20Dos%20Device%20Names.html>
const DEVICE_NAMES: [&str; 30] = [
    "AUX", "CON", "CONIN$", "CONOUT$", "NUL", "PRN", "COM1", "COM2", "COM3", "COM4", "COM5",
    "COM6", "COM7", "COM8", "COM9", "COM¹", "COM²", "COM³", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5",
    "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²", "LPT³",
];

fn is_device_name(segment: &str) -> bool {
    let stem = segment
        .split('.')
        .next()
        .unwrap_or_default()
        .trim()
        .to_uppercase();
    DEVICE_NAMES.contains(&stem.as_str())
}

/// Joins `untrusted` (a `/`-separated path from a URL, percent-decoded once)
/// to the trusted `directory`, refusing anything that could leave it.
///
/// Refused: an absolute path (`/x`, `//x`), `..` segments, backslashes,
/// control characters (NUL included), a percent-encoded `.`, `/`, `\` or NUL
/// still present (double encoding), dotfiles (see [`safe_join_with`]),
/// Windows device names (on every platform: such a file is unservable on
/// Windows, and nothing legitimate is called `CON`), and on Windows a `:`.
/// Empty and `.` segments are dropped.
///
/// The check is lexical: a symbolic link inside `directory` can still point
/// outside. [`send_from_directory`](crate::send_from_directory) resolves
/// links and refuses those.
///
/// # Errors
///
/// [`UnsafePath`], naming the rule that refused the path.
///
/// # Examples
///
/// ```
/// use std::path::Path;
/// use carafe_wrappers::{UnsafePath, safe_join};
///
/// assert_eq!(safe_join("a", "b/c").unwrap(), Path::new("a/b/c"));
/// assert_eq!(safe_join("a", "../b/c"), Err(UnsafePath::ParentSegment));
/// assert_eq!(safe_join("a", "//b/c"), Err(UnsafePath::Absolute));
/// assert_eq!(safe_join("a", "b\\c"), Err(UnsafePath::Backslash));
/// assert!(safe_join("static", ".env").is_err());
/// ```
pub fn safe_join(directory: impl AsRef<Path>, untrusted: &str) -> Result<PathBuf, UnsafePath> {
    safe_join_with(directory, untrusted, Dotfiles::Hide)
}

/// [`safe_join`], choosing whether dotfiles may be named.
///
/// # Errors
///
/// As [`safe_join`].
///
/// # Examples
///
/// ```
/// use std::path::Path;
/// use carafe_wrappers::{Dotfiles, safe_join_with};
///
/// let path = safe_join_with("www", ".well-known/security.txt", Dotfiles::Allow).unwrap();
/// assert_eq!(path, Path::new("www/.well-known/security.txt"));
/// assert!(safe_join_with("www", "../x", Dotfiles::Allow).is_err());
/// ```
pub fn safe_join_with(
    directory: impl AsRef<Path>,
    untrusted: &str,
    dotfiles: Dotfiles,
) -> Result<PathBuf, UnsafePath> {
    if untrusted.contains(char::is_control) {
        return Err(UnsafePath::ControlCharacter);
    }
    if untrusted.contains('\\') {
        return Err(UnsafePath::Backslash);
    }
    if untrusted.starts_with('/') {
        return Err(UnsafePath::Absolute);
    }
    let lower = untrusted.to_ascii_lowercase();
    if ["%2e", "%2f", "%5c", "%00"]
        .iter()
        .any(|encoded| lower.contains(encoded))
    {
        return Err(UnsafePath::EncodedCharacter);
    }
    let mut path = directory.as_ref().to_path_buf();
    if path.as_os_str().is_empty() {
        // Keep a relative result relative to the working directory: "./x".
        path.push(".");
    }
    for segment in untrusted.split('/') {
        match segment {
            "" | "." => continue,
            ".." => return Err(UnsafePath::ParentSegment),
            _ => {}
        }
        check_segment(segment, dotfiles)?;
        path.push(segment);
    }
    Ok(path)
}

fn check_segment(segment: &str, dotfiles: Dotfiles) -> Result<(), UnsafePath> {
    if dotfiles == Dotfiles::Hide && segment.starts_with('.') {
        return Err(UnsafePath::Dotfile {
            segment: segment.to_owned(),
        });
    }
    if is_device_name(segment) {
        return Err(UnsafePath::DeviceName {
            segment: segment.to_owned(),
        });
    }
    if cfg!(windows) && segment.contains(':') {
        return Err(UnsafePath::Colon);
    }
    Ok(())
}

/// Whether a resolved path (no `..`, links followed) has a dotfile segment.
pub(crate) fn has_dotfile(relative: &Path) -> bool {
    relative
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Werkzeug test_security.py::test_safe_join
    #[test]
    fn werkzeug_cases() {
        assert_eq!(safe_join("a", "b/c").unwrap(), Path::new("a/b/c"));
        assert_eq!(safe_join("a", "../b/c"), Err(UnsafePath::ParentSegment));
        assert_eq!(safe_join("a", "//b/c"), Err(UnsafePath::Absolute));
        // Werkzeug allows "b\\c" outside Windows; Carafe refuses it everywhere.
        assert_eq!(safe_join("a", "b\\c"), Err(UnsafePath::Backslash));
        if cfg!(not(windows)) {
            assert_eq!(
                safe_join("", "c:test.txt").unwrap(),
                Path::new("./c:test.txt")
            );
        }
    }

    // Werkzeug test_security.py::test_safe_join_windows_special (on every platform here)
    #[test]
    fn windows_device_names() {
        for name in [
            "CON",
            "CON.txt",
            "CON.txt.html",
            "CON  ",
            "CON . txt",
            "b/CON",
            "lpt¹",
            "conin$",
        ] {
            assert!(
                matches!(safe_join("a", name), Err(UnsafePath::DeviceName { .. })),
                "{name:?}"
            );
        }
        assert!(safe_join("a", "CONSOLE.txt").is_ok());
        assert!(safe_join("a", "icon.png").is_ok());
    }

    #[test]
    fn normalisation_and_refusals() {
        assert_eq!(safe_join("a", "b//./c/").unwrap(), Path::new("a/b/c"));
        assert_eq!(safe_join("a", "").unwrap(), Path::new("a"));
        assert_eq!(safe_join("a", "b/../c"), Err(UnsafePath::ParentSegment));
        assert_eq!(safe_join("a", "b\0.png"), Err(UnsafePath::ControlCharacter));
        assert_eq!(
            safe_join("a", "%2e%2e/x"),
            Err(UnsafePath::EncodedCharacter)
        );
        assert_eq!(
            safe_join("a", "%2E%2E%2Fx"),
            Err(UnsafePath::EncodedCharacter)
        );
        assert_eq!(safe_join("a", "..%5cx"), Err(UnsafePath::EncodedCharacter));
        assert_eq!(
            safe_join("a", "b/.git/config"),
            Err(UnsafePath::Dotfile {
                segment: ".git".to_owned()
            })
        );
        assert!(safe_join("a", "100%.txt").is_ok());
    }
}
