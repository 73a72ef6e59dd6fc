//! Percent-encoding: the canonical form paths are matched in, decoding of
//! matched values, encoding of built URLs and query strings, and URL joining.
//!
//! Matching works on a *canonical* form of the raw path: every byte is either
//! `/`, a byte of [`SEGMENT_SAFE`] written literally, or `%XX` (uppercase hex)
//! for everything else. The static parts of rules are stored in the same
//! form, so comparing canonical strings is comparing decoded text, while
//! `%2F` stays data and never splits a segment.

use std::borrow::Cow;

/// Bytes written literally in a path segment: RFC 3986 unreserved characters
/// plus the sub-delimiters, `:` and `@` (what Werkzeug leaves unquoted).
pub(crate) const fn segment_safe_table() -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
            );
        b += 1;
    }
    t
}

/// See the module docs.
pub(crate) static SEGMENT_SAFE: [bool; 256] = segment_safe_table();

/// [`SEGMENT_SAFE`] plus `/`: the bytes of a canonical path without escapes.
static PLAIN: [bool; 256] = {
    let mut t = segment_safe_table();
    t[b'/' as usize] = true;
    t
};

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Why a path cannot be matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct InvalidUtf8;

/// Rewrites a raw path into the canonical form. Borrows when the path is
/// already canonical (the common case: one table lookup per byte).
///
/// A path whose percent-decoding is not UTF-8 is rejected. A `%` that does
/// not start an escape stands for itself (`%25`).
#[inline]
pub(crate) fn canonicalize(path: &str) -> Result<Cow<'_, str>, InvalidUtf8> {
    if is_plain(path.as_bytes()) {
        return Ok(Cow::Borrowed(path));
    }
    let bytes = path.as_bytes();
    canonicalize_slow(bytes).map(Cow::Owned)
}

/// Whether every byte is in [`PLAIN`]: eight table lookups per branch,
/// the tail as an overlapping window (short texts, such as a path
/// variable's, cost one or two branches).
#[inline]
pub(crate) fn is_plain(bytes: &[u8]) -> bool {
    fn all8(c: [u8; 8]) -> bool {
        PLAIN[c[0] as usize]
            & PLAIN[c[1] as usize]
            & PLAIN[c[2] as usize]
            & PLAIN[c[3] as usize]
            & PLAIN[c[4] as usize]
            & PLAIN[c[5] as usize]
            & PLAIN[c[6] as usize]
            & PLAIN[c[7] as usize]
    }
    fn all4(c: [u8; 4]) -> bool {
        PLAIN[c[0] as usize] & PLAIN[c[1] as usize] & PLAIN[c[2] as usize] & PLAIN[c[3] as usize]
    }
    let n = bytes.len();
    if n >= 8 {
        let (chunks, tail) = bytes.as_chunks::<8>();
        for &c in chunks {
            if !all8(c) {
                return false;
            }
        }
        tail.is_empty() || bytes.last_chunk::<8>().is_some_and(|&c| all8(c))
    } else if n >= 4 {
        let head = bytes.first_chunk::<4>().is_some_and(|&c| all4(c));
        head & bytes.last_chunk::<4>().is_some_and(|&c| all4(c))
    } else {
        bytes.iter().all(|&b| PLAIN[b as usize])
    }
}

/// Whether `//` occurs: eight bytes at a time (a miss scans the whole
/// path for it).
pub(crate) fn has_double_slash(bytes: &[u8]) -> bool {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const SLASHES: u64 = 0x2F2F_2F2F_2F2F_2F2F;
    let (words, tail) = bytes.as_chunks::<8>();
    // Whether the byte before the current word was a slash.
    let mut carry = false;
    for w in words {
        let x = u64::from_le_bytes(*w) ^ SLASHES;
        // The high bit of exactly the bytes that are `/` (no borrows).
        let slash = !(((x & LOW7) + LOW7) | x | LOW7);
        if slash & (slash << 8) != 0 || (carry && slash & 0x80 != 0) {
            return true;
        }
        carry = slash >> 63 != 0;
    }
    for &b in tail {
        let is_slash = b == b'/';
        if carry && is_slash {
            return true;
        }
        carry = is_slash;
    }
    false
}

#[cold]
fn canonicalize_slow(bytes: &[u8]) -> Result<String, InvalidUtf8> {
    let mut out = String::with_capacity(bytes.len() + 8);
    let mut decoded: Vec<u8> = Vec::new();
    let mut high = false;
    let mut i = 0;
    while i < bytes.len() {
        let mut b = bytes[i];
        let mut step = 1;
        if b == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex_val(bytes[i + 1]), hex_val(bytes[i + 2]))
        {
            b = (h << 4) | l;
            step = 3;
            if b == b'/' {
                // An encoded slash is data: keep it encoded.
                push_escape(&mut out, b);
                decoded.push(b);
                i += step;
                continue;
            }
        }
        if b >= 0x80 {
            high = true;
        }
        decoded.push(b);
        if (b == b'/' && step == 1) || SEGMENT_SAFE[b as usize] {
            out.push(b as char);
        } else {
            push_escape(&mut out, b);
        }
        i += step;
    }
    if high && std::str::from_utf8(&decoded).is_err() {
        return Err(InvalidUtf8);
    }
    Ok(out)
}

fn push_escape(out: &mut String, b: u8) {
    out.push('%');
    out.push(HEX[(b >> 4) as usize] as char);
    out.push(HEX[(b & 15) as usize] as char);
}

/// Percent-decodes a canonical value; `None` if the bytes are not UTF-8
/// (possible when a value boundary splits a multi-byte character).
#[inline]
pub(crate) fn decode(raw: &str) -> Option<Cow<'_, str>> {
    if !raw.as_bytes().contains(&b'%') {
        return Some(Cow::Borrowed(raw));
    }
    decode_slow(raw).map(Cow::Owned)
}

fn decode_slow(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex_val(bytes[i + 1]), hex_val(bytes[i + 2]))
        {
            out.push((h << 4) | l);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Percent-encodes text for a path: every byte outside [`SEGMENT_SAFE`] is
/// escaped, `/` too unless `keep_slash`. The result is canonical.
pub(crate) fn encode_path_text(text: &str, keep_slash: bool) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let safe = |b: u8| SEGMENT_SAFE[b as usize] || (keep_slash && b == b'/');
    if bytes.iter().all(|&b| safe(b)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for &b in bytes {
        if safe(b) {
            out.push(b as char);
        } else {
            push_escape(&mut out, b);
        }
    }
    Cow::Owned(out)
}

/// `application/x-www-form-urlencoded` like Python's `urlencode` with
/// Werkzeug's safe set: space becomes `+`; `!$'()*,/:;?@` and unreserved
/// characters stay literal.
pub(crate) fn encode_query_component(text: &str, out: &mut String) {
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b','
                    | b'/'
                    | b':'
                    | b';'
                    | b'?'
                    | b'@'
            )
        {
            out.push(b as char);
        } else if b == b' ' {
            out.push('+');
        } else {
            push_escape(out, b);
        }
    }
}

/// Encodes a URL fragment like Flask's `_anchor` (`%` and reserved
/// characters stay literal).
pub(crate) fn encode_anchor(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'%'
                    | b'!'
                    | b'#'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b'/'
                    | b':'
                    | b';'
                    | b'='
                    | b'?'
                    | b'@'
            )
        {
            out.push(b as char);
        } else {
            push_escape(&mut out, b);
        }
    }
    out
}

/// Collapses runs of `/` into one.
pub(crate) fn merge_slashes(path: &str) -> Cow<'_, str> {
    if !path.contains("//") {
        return Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len());
    let mut last_slash = false;
    for c in path.chars() {
        if c == '/' {
            if last_slash {
                continue;
            }
            last_slash = true;
        } else {
            last_slash = false;
        }
        out.push(c);
    }
    Cow::Owned(out)
}

/// Resolves `reference` against the absolute URL `base` (RFC 3986 section
/// 5.2, for what redirect targets need: absolute URLs, `//host/...`,
/// absolute paths, relative paths with `.`/`..`, and query-only references).
pub(crate) fn urljoin(base: &str, reference: &str) -> String {
    if reference.is_empty() {
        return base.to_owned();
    }
    // A reference with a scheme is absolute.
    if let Some(colon) = reference.find(':') {
        let scheme = &reference[..colon];
        if !scheme.is_empty()
            && scheme.as_bytes()[0].is_ascii_alphabetic()
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        {
            return reference.to_owned();
        }
    }
    let (scheme, rest) = base.split_once("://").unwrap_or(("http", base));
    let (authority, base_path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let base_path = base_path.split(['?', '#']).next().unwrap_or("/");
    if let Some(net) = reference.strip_prefix("//") {
        return format!("{scheme}://{net}");
    }
    let (ref_path, ref_tail) = match reference.find(['?', '#']) {
        Some(i) => (&reference[..i], &reference[i..]),
        None => (reference, ""),
    };
    let merged = if ref_path.is_empty() {
        base_path.to_owned()
    } else if ref_path.starts_with('/') {
        ref_path.to_owned()
    } else {
        let dir = &base_path[..base_path.rfind('/').map_or(0, |i| i + 1)];
        format!("{dir}{ref_path}")
    };
    let path = remove_dot_segments(&merged);
    format!("{scheme}://{authority}{path}{ref_tail}")
}

fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    let last = segments.len() - 1;
    for (i, seg) in segments.iter().enumerate() {
        match *seg {
            "." => {
                if i == last {
                    out.push("");
                }
            }
            ".." => {
                if out.len() > 1 {
                    out.pop();
                }
                if i == last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    let joined = out.join("/");
    if joined.starts_with('/') {
        joined
    } else {
        format!("/{joined}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms() {
        let cases = [
            ("/a/b", "/a/b"),
            ("/%66oo", "/foo"),
            ("/a%2fb", "/a%2Fb"),
            ("/%d0%b2", "/%D0%B2"),
            ("/в", "/%D0%B2"),
            ("/foo bar", "/foo%20bar"),
            ("/merge/%//path", "/merge/%25//path"),
            ("/%", "/%25"),
            ("/%4", "/%254"),
            ("/%zz", "/%25zz"),
            ("/a+b~c", "/a+b~c"),
            ("/%7E", "/~"),
            ("/{x}", "/%7Bx%7D"),
        ];
        for (raw, canonical) in cases {
            assert_eq!(canonicalize(raw).unwrap(), canonical, "{raw}");
            assert_eq!(
                canonicalize(canonical).unwrap(),
                canonical,
                "idempotent {raw}"
            );
        }
        assert_eq!(canonicalize("/%FF"), Err(InvalidUtf8));
        assert_eq!(canonicalize("/%C3"), Err(InvalidUtf8));
    }

    #[test]
    fn finds_double_slashes_anywhere() {
        // Every pair of positions in texts up to 20 bytes (within a word,
        // across words, in the tail), with other bytes near `/`: `.`
        // (0x2E), `0` (0x30), `o` (0x6F), `\xAF`.
        for len in 0..20 {
            for i in 0..len {
                for j in i..len {
                    for other in [b'.', b'0', b'o', 0xAF] {
                        let mut bytes = vec![other; len];
                        bytes[i] = b'/';
                        bytes[j] = b'/';
                        let expected = bytes.windows(2).any(|w| w == b"//");
                        assert_eq!(has_double_slash(&bytes), expected, "{bytes:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn plain_check_sees_every_byte() {
        // One bad byte at every position of every length up to 24 (chunks,
        // overlapping windows and short texts).
        for len in 0..24 {
            assert!(is_plain(&vec![b'a'; len]), "{len}");
            for at in 0..len {
                for bad in [b'%', b' ', 0x80, b'?'] {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = bad;
                    assert!(!is_plain(&bytes), "{len} {at} {bad}");
                }
            }
        }
    }

    #[test]
    fn decoding() {
        assert_eq!(decode("a%20b").unwrap(), "a b");
        assert_eq!(decode("%25").unwrap(), "%");
        assert_eq!(decode("%D0").as_deref(), None);
        assert_eq!(decode("%"), Some(Cow::Owned("%".to_owned())));
        assert_eq!(decode("%4").unwrap(), "%4");
    }

    #[test]
    fn encoding() {
        assert_eq!(encode_path_text("la/di", true), "la/di");
        assert_eq!(encode_path_text("la/di", false), "la%2Fdi");
        assert_eq!(encode_path_text("x:y", false), "x:y");
        assert_eq!(encode_path_text("öäü", false), "%C3%B6%C3%A4%C3%BC");
        let mut q = String::new();
        encode_query_component("1+2 3", &mut q);
        assert_eq!(q, "1%2B2+3");
    }

    #[test]
    fn joining() {
        let base = "http://example.com/app/";
        assert_eq!(urljoin(base, "foo/bar"), "http://example.com/app/foo/bar");
        assert_eq!(urljoin(base, "/foo"), "http://example.com/foo");
        assert_eq!(urljoin(base, "../x"), "http://example.com/x");
        assert_eq!(urljoin(base, "https://other/x"), "https://other/x");
        assert_eq!(urljoin(base, "//cdn/x"), "http://cdn/x");
        assert_eq!(urljoin(base, "?q=1"), "http://example.com/app/?q=1");
        assert_eq!(merge_slashes("//a///b/"), "/a/b/");
    }
}
