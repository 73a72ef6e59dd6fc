//! Path shapes as matchit sees them, where their variables are in a path,
//! and whether two rule patterns can match a common path (an automaton
//! product over canonical path bytes), for the index in `index.rs`.

use crate::compile::Tok;
use crate::encode::is_plain;

/// Where a variable's text is in a path matching the shape: `skip` bytes of
/// the shape's literal text after the previous variable (or the path's
/// start), then the variable up to the end of its segment minus `suffix`
/// literal bytes; or, for a `rest` variable, up to the end of the path
/// (a `path`-like variable, or a segment variable that ends the shape: a
/// matchit hit leaves no `/` in it, so its end needs no search).
///
/// Only the variables' own bytes are scanned (for the `/` ending their
/// segment): the literal text between them is known from the shape.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Slot {
    pub(crate) skip: u32,
    pub(crate) suffix: u32,
    pub(crate) rest: bool,
}

/// The slots of a shape's variables, from its tokens.
pub(crate) fn slots_of(tokens: &[Tok]) -> Vec<Slot> {
    let mut out: Vec<Slot> = Vec::new();
    // Literal bytes since the previous variable, and whether a `/` was
    // among them (which ends the previous variable's suffix).
    let mut skip = 0u32;
    let mut slash_seen = true;
    for tok in tokens {
        match tok {
            Tok::Lit(s) => {
                for b in s.bytes() {
                    if b == b'/' {
                        slash_seen = true;
                    } else if !slash_seen && let Some(prev) = out.last_mut() {
                        prev.suffix += 1;
                    }
                    skip += 1;
                }
            }
            Tok::Var { slash } => {
                out.push(Slot {
                    skip,
                    suffix: 0,
                    rest: *slash,
                });
                skip = 0;
                slash_seen = false;
            }
        }
    }
    if let (Some(Tok::Var { .. }), Some(last)) = (tokens.last(), out.last_mut()) {
        last.rest = true;
    }
    out
}

/// The text of the variable at `slot`, given where the previous one ended
/// (`*at`, moved to where this one ends), and whether the text is plain
/// (no `%` escape, nothing to canonicalize: see `encode::is_plain`).
/// `None` if the path does not have the shape (never after a matchit hit
/// on it).
#[inline(always)]
pub(crate) fn slot_text<'x>(path: &'x str, slot: Slot, at: &mut usize) -> Option<(&'x str, bool)> {
    let start = *at + slot.skip as usize;
    let tail = path.get(start..)?;
    let left = tail.len();
    // The next eight bytes, or the path's last `left` ones in the low
    // bytes (zeros, not slashes, above them).
    let word = match tail.as_bytes().first_chunk::<8>() {
        Some(w) => u64::from_le_bytes(*w),
        None => match path.as_bytes().last_chunk::<8>() {
            Some(w) if left > 0 => u64::from_le_bytes(*w) >> (64 - 8 * left),
            _ => return slot_text_slow(path, slot, at),
        },
    };
    let len = if slot.rest {
        left
    } else {
        // The high bit of the first byte equal to `/` (bytes above it may
        // be flagged too, through the borrow; the lowest flag is exact).
        let x = word ^ SLASHES;
        let found = x.wrapping_sub(ONES) & !x & HIGHS;
        if found != 0 {
            (found.trailing_zeros() / 8) as usize
        } else {
            left
        }
    };
    if len > 8 {
        return slot_text_slow(path, slot, at);
    }
    let n = len.checked_sub(slot.suffix as usize)?;
    let text = tail.get(..n)?;
    let plain = common_word(word, n) || is_plain(text.as_bytes());
    *at = start + n;
    Some((text, plain))
}

const ONES: u64 = 0x0101_0101_0101_0101;
const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
const HIGHS: u64 = 0x8080_8080_8080_8080;
const SLASHES: u64 = 0x2F2F_2F2F_2F2F_2F2F;

/// Whether the first `len` bytes of `word` (`len <= 8`) are all letters,
/// digits, `-`, `.`, `/` or `_`: most of what a plain path holds, tested
/// on the whole word at once (no carry crosses a byte: each byte is
/// reduced to seven bits first). A `false` is only a "maybe not plain".
#[inline(always)]
fn common_word(word: u64, len: usize) -> bool {
    // Per byte, the high bit of `y + (0x80 - lo)` says `y >= lo`, that of
    // `y + (0x7F - hi)` says `y > hi` (for seven-bit `y`).
    let in_range = |y: u64, lo: u8, hi: u8| {
        let ge = y + ONES * u64::from(0x80 - lo);
        let gt = y + ONES * u64::from(0x7F - hi);
        ge & !gt
    };
    let y = word & LOW7;
    // `| 0x20` folds `A-Z` onto `a-z` (and nothing else onto them).
    let letters = in_range(y | (ONES * 0x20), b'a', b'z');
    let digits = in_range(y, b'-', b'9');
    let z = y ^ (ONES * u64::from(b'_'));
    let underscore = !((z + LOW7) | z);
    let bad = !(letters | digits | underscore) | word;
    bad & TEXT_HIGHS[len] == 0
}

/// The high bits of the first `n` bytes of a word.
static TEXT_HIGHS: [u64; 9] = {
    let mut t = [0; 9];
    let mut n = 1;
    while n <= 8 {
        t[n] = HIGHS & (u64::MAX >> (64 - 8 * n));
        n += 1;
    }
    t
};

/// [`slot_text`] for a text longer than eight bytes or a path shorter than
/// eight: one byte at a time.
#[cold]
#[inline(never)]
fn slot_text_slow<'x>(path: &'x str, slot: Slot, at: &mut usize) -> Option<(&'x str, bool)> {
    let start = *at + slot.skip as usize;
    let tail = path.as_bytes().get(start..)?;
    let len = if slot.rest {
        tail.len()
    } else {
        tail.iter().position(|&b| b == b'/').unwrap_or(tail.len())
    };
    let end = (start + len).checked_sub(slot.suffix as usize)?;
    let text = path.get(start..end)?;
    *at = end;
    Some((text, is_plain(text.as_bytes())))
}

/// The kind of a path segment of a shape, in matchit's priority order.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum SegKind {
    Static(String),
    Param,
    CatchAll,
}

/// A shape's segments, if every variable is a whole segment (no static
/// prefix or suffix next to it); `None` otherwise.
pub(crate) fn simple_segments(tokens: &[Tok]) -> Option<Vec<SegKind>> {
    let mut segs = Vec::new();
    let mut cur: Option<SegKind> = None;
    let mut text = String::new();
    for tok in tokens {
        match tok {
            Tok::Lit(s) => {
                for c in s.chars() {
                    if c == '/' {
                        segs.push(
                            cur.take()
                                .unwrap_or(SegKind::Static(std::mem::take(&mut text))),
                        );
                        text.clear();
                    } else {
                        if cur.is_some() {
                            return None;
                        }
                        text.push(c);
                    }
                }
            }
            Tok::Var { slash } => {
                if !text.is_empty() || cur.is_some() {
                    return None;
                }
                cur = Some(if *slash {
                    SegKind::CatchAll
                } else {
                    SegKind::Param
                });
            }
        }
    }
    segs.push(cur.unwrap_or(SegKind::Static(text)));
    Some(segs)
}

/// Whether matchit tries shape `a` before shape `b` (static before
/// parameter before catch-all, segment by segment).
pub(crate) fn tried_before(a: &[SegKind], b: &[SegKind]) -> bool {
    for (x, y) in a.iter().zip(b) {
        let rank = |k: &SegKind| match k {
            SegKind::Static(_) => 0,
            SegKind::Param => 1,
            SegKind::CatchAll => 2,
        };
        if x != y {
            return rank(x) < rank(y);
        }
    }
    false
}

/// The matchit route for a rule's path, if matchit can express it.
pub(crate) fn shape(tokens: &[Tok]) -> Option<String> {
    let mut out = String::new();
    let mut n = 0;
    for (i, tok) in tokens.iter().enumerate() {
        match tok {
            Tok::Lit(s) => out.push_str(s),
            Tok::Var { slash: false } => {
                out.push_str(&format!("{{p{n}}}"));
                n += 1;
            }
            Tok::Var { slash: true } => {
                if i + 1 != tokens.len() || !out.ends_with('/') {
                    return None;
                }
                out.push_str(&format!("{{*p{n}}}"));
                n += 1;
            }
        }
    }
    Some(out)
}

#[derive(Clone, Copy)]
enum Class {
    Byte(u8),
    NotSlash,
    Any,
}

fn compatible(a: Class, b: Class) -> bool {
    match (a, b) {
        (Class::Byte(x), Class::Byte(y)) => x == y,
        (Class::Byte(x), Class::NotSlash) | (Class::NotSlash, Class::Byte(x)) => x != b'/',
        _ => true,
    }
}

/// An automaton over canonical path bytes for a token pattern: node `i`
/// steps to `i + 1` on `steps[i]` and may loop on `loops[i]` (inside a
/// variable); the last node accepts.
pub(crate) struct Nfa {
    steps: Vec<Option<Class>>,
    loops: Vec<Option<Class>>,
}

impl Nfa {
    pub(crate) fn new(tokens: &[Tok]) -> Self {
        let mut steps = Vec::new();
        let mut loops = vec![None];
        for tok in tokens {
            match tok {
                Tok::Lit(s) => {
                    for b in s.bytes() {
                        steps.push(Some(Class::Byte(b)));
                        loops.push(None);
                    }
                }
                Tok::Var { slash } => {
                    steps.push(Some(Class::NotSlash));
                    loops.push(Some(if *slash { Class::Any } else { Class::NotSlash }));
                }
            }
        }
        steps.push(None);
        Nfa { steps, loops }
    }

    fn accept(&self) -> usize {
        self.steps.len() - 1
    }

    fn moves(&self, i: usize) -> impl Iterator<Item = (Class, usize)> + '_ {
        self.steps[i]
            .map(|c| (c, i + 1))
            .into_iter()
            .chain(self.loops[i].map(|c| (c, i)))
    }
}

/// Whether some path matches both patterns.
pub(crate) fn overlap(a: &Nfa, b: &Nfa) -> bool {
    let (na, nb) = (a.steps.len(), b.steps.len());
    let mut seen = vec![false; na * nb];
    let mut stack = vec![(0usize, 0usize)];
    seen[0] = true;
    while let Some((i, j)) = stack.pop() {
        if i == a.accept() && j == b.accept() {
            return true;
        }
        for (ca, ni) in a.moves(i) {
            for (cb, nj) in b.moves(j) {
                if compatible(ca, cb) && !seen[ni * nb + nj] {
                    seen[ni * nb + nj] = true;
                    stack.push((ni, nj));
                }
            }
        }
    }
    false
}

/// The literal text a pattern starts with.
pub(crate) fn literal_prefix(tokens: &[Tok]) -> String {
    let mut out = String::new();
    for tok in tokens {
        match tok {
            Tok::Lit(s) => out.push_str(s),
            Tok::Var { .. } => break,
        }
    }
    out
}

pub(crate) fn strip_trailing_slash(tokens: &[Tok]) -> Option<Vec<Tok>> {
    let mut out = tokens.to_vec();
    match out.last_mut() {
        Some(Tok::Lit(s)) if s.ends_with('/') => {
            s.pop();
            if s.is_empty() {
                out.pop();
            }
            Some(out)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Tok {
        Tok::Lit(s.to_owned())
    }
    const SEG: Tok = Tok::Var { slash: false };
    const PATH: Tok = Tok::Var { slash: true };

    #[test]
    fn shapes() {
        assert_eq!(
            shape(&[lit("/users/"), SEG]).as_deref(),
            Some("/users/{p0}")
        );
        assert_eq!(shape(&[lit("/s/"), PATH]).as_deref(), Some("/s/{*p0}"));
        assert_eq!(shape(&[lit("/s/"), PATH, lit("/edit")]), None);
        assert_eq!(shape(&[lit("/s-"), PATH]), None);
    }

    #[test]
    fn slots_locate_variables() {
        let cases: &[(&[Tok], &str, &[&str])] = &[
            (&[lit("/users/"), SEG], "/users/42", &["42"]),
            (
                &[lit("/"), SEG, lit("/x/"), SEG, lit("/y")],
                "/a/x/bb/y",
                &["a", "bb"],
            ),
            (&[lit("/img-"), SEG, lit(".png")], "/img-7.png", &["7"]),
            (&[lit("/s/"), PATH], "/s/a/b/c", &["a/b/c"]),
            (&[lit("/"), SEG, lit("/"), PATH], "/o/r/e", &["o", "r/e"]),
            (
                &[lit("/x-"), SEG, lit(".y/"), SEG, lit("/z/long-segment/")],
                "/x-ab.cd.y/0123456789abcdef/z/long-segment/",
                &["ab.cd", "0123456789abcdef"],
            ),
            (
                &[lit("/a/"), SEG],
                "/a/0123456789abcdef0123",
                &["0123456789abcdef0123"],
            ),
        ];
        for (tokens, path, expected) in cases {
            let mut at = 0;
            let texts: Vec<&str> = slots_of(tokens)
                .into_iter()
                .map(|slot| slot_text(path, slot, &mut at).unwrap().0)
                .collect();
            assert_eq!(texts, *expected, "{path}");
        }
    }

    #[test]
    fn sees_every_byte_of_a_variable() {
        // A slash ends a variable followed by more of the shape at every
        // position; any other byte outside the segment-safe set makes it
        // not plain, in the middle of a shape or at its end.
        let middle = slots_of(&[lit("/a/"), SEG, lit("/z")])[0];
        let end = slots_of(&[lit("/a/"), SEG])[0];
        assert!(!middle.rest && end.rest);
        for len in 1..20 {
            for at in 0..len {
                let mut path = "/a/".to_owned() + &"x".repeat(len);
                path.replace_range(3 + at..4 + at, "/");
                let (text, plain) = slot_text(&path, middle, &mut 0).unwrap();
                assert_eq!((text, plain), (&path[3..3 + at], true), "{path}");
                for bad in ["%", " ", "?", "é"] {
                    let mut path = "/a/".to_owned() + &"x".repeat(len);
                    path.replace_range(3 + at..4 + at, bad);
                    for slot in [middle, end] {
                        let (text, plain) = slot_text(&path, slot, &mut 0).unwrap();
                        assert_eq!((text, plain), (&path[3..], false), "{path}");
                    }
                }
            }
        }
        let rest = slots_of(&[lit("/s/"), PATH])[0];
        assert_eq!(slot_text("/s/a/b", rest, &mut 0), Some(("a/b", true)));
        assert_eq!(
            slot_text("/s/a%20/b", rest, &mut 0),
            Some(("a%20/b", false))
        );
    }

    #[test]
    fn word_scan_agrees_with_byte_scan() {
        // Every ASCII character and a few multi-byte ones, at every
        // position of variables of every length around a word, in short
        // and long paths, for each kind of slot: the word-at-a-time scan
        // finds what the byte loop finds.
        let shapes: [&[Tok]; 4] = [
            &[lit("/"), SEG, lit("/z")],
            &[lit("/"), SEG],
            &[lit("/"), SEG, lit(".j/z")],
            &[lit("/"), PATH],
        ];
        let mut chars: Vec<String> = (0u8..128).map(|b| char::from(b).to_string()).collect();
        chars.extend(["é", "€", "😀"].map(String::from));
        for tokens in shapes {
            let slot = slots_of(tokens)[0];
            for prefix in ["", "/padding/padding"] {
                for len in 1..19 {
                    for at in 0..len {
                        for c in &chars {
                            let mut var = "x".repeat(len);
                            var.replace_range(at..at + 1, c);
                            let tail = if slot.suffix > 0 { ".j/z" } else { "/z" };
                            let path = format!("{prefix}/{var}{tail}");
                            let mut skip = slot;
                            skip.skip += prefix.len() as u32;
                            let (mut a, mut b) = (0, 0);
                            assert_eq!(
                                slot_text(&path, skip, &mut a),
                                slot_text_slow(&path, skip, &mut b),
                                "{path:?}"
                            );
                            assert_eq!(a, b, "{path:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn overlaps() {
        let cases: &[(&[Tok], &[Tok], bool)] = &[
            (&[lit("/a/"), SEG], &[lit("/a/b")], true),
            (&[lit("/a/"), SEG], &[lit("/a/b/c")], false),
            (&[lit("/a/"), SEG], &[lit("/"), PATH], true),
            (
                &[lit("/a/"), SEG, lit("/x")],
                &[lit("/a/"), SEG, lit("/y")],
                false,
            ),
            (&[lit("/v"), SEG, lit("."), SEG], &[lit("/"), SEG], true),
            (&[lit("/a/"), SEG], &[lit("/a/")], false),
            (&[lit("/"), PATH, lit("/edit")], &[lit("/x/"), SEG], true),
        ];
        for (a, b, expected) in cases {
            assert_eq!(
                overlap(&Nfa::new(a), &Nfa::new(b)),
                *expected,
                "{a:?} vs {b:?}"
            );
        }
    }
}
