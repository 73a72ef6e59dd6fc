//! `secure_filename`: a client's file name made safe to store.

use unicode_normalization::UnicodeNormalization;

/// Windows device names: a file named like one of these (with any extension)
/// opens the device instead of a file on Windows.
const WINDOWS_DEVICE_NAMES: &[&str] = &[
    "AUX", "CON", "NUL", "PRN", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Returns a version of `filename` that is safe to store on any file system
/// and to join to a directory (Werkzeug's `secure_filename`).
///
/// The name is decomposed (Unicode NFKD) and reduced to ASCII (so `ü`
/// becomes `u`); both path separators `/` and `\` and all whitespace become
/// `_`; every character other than `A-Z a-z 0-9 _ . -` is dropped; leading
/// and trailing `.` and `_` are stripped, so the result never starts a
/// hidden file or names a parent directory. A name that is a Windows device
/// name (`CON`, `NUL`, `COM1`, `LPT1`, ... with any extension) gets a leading
/// `_` on every platform (Werkzeug does this only on Windows; a file
/// uploaded on Linux may be served from Windows later).
///
/// The result may be empty: then generate a name yourself.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::secure_filename;
///
/// assert_eq!(secure_filename("My cool movie.mov"), "My_cool_movie.mov");
/// assert_eq!(secure_filename("../../../etc/passwd"), "etc_passwd");
/// assert_eq!(secure_filename("i contain cool ümläuts.txt"), "i_contain_cool_umlauts.txt");
/// assert_eq!(secure_filename("..\\..\\windows\\win.ini"), "windows_win.ini");
/// assert_eq!(secure_filename("CON.txt"), "_CON.txt");
/// assert_eq!(secure_filename("../.."), "");
/// ```
pub fn secure_filename(filename: &str) -> String {
    let ascii: String = filename.nfkd().filter(char::is_ascii).collect();
    let spaced = ascii.replace(['/', '\\'], " ");
    // Python's `str.split()` whitespace, restricted to ASCII.
    let joined = spaced
        .split(|c: char| c.is_ascii_whitespace() || matches!(c, '\x0b' | '\x1c'..='\x1f'))
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    let kept: String = joined
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        .collect();
    let stripped = kept.trim_matches(['.', '_']);
    let stem = stripped.split('.').next().unwrap_or_default();
    if !stripped.is_empty()
        && WINDOWS_DEVICE_NAMES
            .iter()
            .any(|device| device.eq_ignore_ascii_case(stem))
    {
        return format!("_{stripped}");
    }
    stripped.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Werkzeug tests/test_utils.py::test_secure_filename.
    #[test]
    fn werkzeug_cases() {
        assert_eq!(secure_filename("My cool movie.mov"), "My_cool_movie.mov");
        assert_eq!(secure_filename("../../../etc/passwd"), "etc_passwd");
        assert_eq!(
            secure_filename("i contain cool \u{fc}ml\u{e4}uts.txt"),
            "i_contain_cool_umlauts.txt"
        );
        assert_eq!(secure_filename("__filename__"), "filename");
        assert_eq!(secure_filename("foo$&^*)bar"), "foobar");
    }

    // The attack corpus' multipart-filename-traversal.http names.
    #[test]
    fn traversal_names() {
        for (name, safe) in [
            ("../../etc/passwd", "etc_passwd"),
            ("..\\..\\windows\\win.ini", "windows_win.ini"),
            ("/abs/path.txt", "abs_path.txt"),
            ("CON.txt", "_CON.txt"),
            (".htaccess", "htaccess"),
        ] {
            let secured = secure_filename(name);
            assert_eq!(secured, safe, "{name}");
            assert!(!secured.contains(['/', '\\']) && !secured.starts_with('.'));
        }
    }

    #[test]
    fn windows_device_names_any_case_and_extension() {
        for name in [
            "nul",
            "Com1.tar.gz",
            "LPT9.txt",
            "aux",
            "prn.log",
            "COM¹.txt",
        ] {
            assert!(secure_filename(name).starts_with('_'), "{name}");
        }
        for name in ["console.txt", "COM10", "nullable.txt", "LPT"] {
            assert!(!secure_filename(name).starts_with('_'), "{name}");
        }
    }

    #[test]
    fn only_unsafe_characters_give_an_empty_name() {
        assert_eq!(secure_filename("日本語"), "");
        assert_eq!(secure_filename("..."), "");
        assert_eq!(secure_filename(""), "");
        assert_eq!(secure_filename("a\u{0}b\tc\nd"), "ab_c_d");
    }
}
