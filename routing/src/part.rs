//! Matching one dynamic part (static pieces and variables) against a path
//! segment, or against the rest of the path for parts that span `/`.
//!
//! This is what Werkzeug does with a regular expression per part, done with
//! the converters as predicates: candidate texts for a variable are tried
//! longest first (shortest first for converters that match `/`), each one
//! percent-decoded and handed to the converter; a rejection tries the next
//! candidate. Failed (piece, position) pairs are remembered when a part has
//! several variables, and the total work per match is bounded.

use crate::compile::{DynPart, Piece};
use crate::encode::decode;
use crate::value::Value;

/// How many candidate values one match may try before giving up.
pub(crate) const MATCH_LIMIT: u32 = 100_000;

/// Work counter shared by everything one match does.
#[derive(Debug, Default)]
pub(crate) struct Budget {
    pub(crate) steps: u32,
    pub(crate) exceeded: bool,
}

impl Budget {
    #[inline]
    fn spend(&mut self) -> bool {
        self.steps += 1;
        if self.steps > MATCH_LIMIT {
            self.exceeded = true;
        }
        !self.exceeded
    }
}

/// Matches `part` against all of `target`. On success pushes one value per
/// variable and returns whether the optional trailing slash of a suffixed
/// part was consumed.
pub(crate) fn match_part<'p>(
    part: &DynPart,
    target: &'p str,
    out: &mut Vec<Value<'p>>,
    budget: &mut Budget,
) -> Option<bool> {
    let mut memo = if part.n_vars >= 2 {
        Some(vec![false; part.pieces.len() * (target.len() + 1)])
    } else {
        None
    };
    let mark = out.len();
    let r = go(part, 0, target, 0, out, budget, &mut memo);
    if r.is_none() {
        out.truncate(mark);
    }
    r
}

fn end_ok(part: &DynPart, target: &str, pos: usize) -> Option<bool> {
    let rest = &target.as_bytes()[pos..];
    if !part.suffixed {
        return rest.is_empty().then_some(false);
    }
    // Werkzeug: `(?<!/)(/?)\Z` after the pieces.
    if pos > 0 && target.as_bytes()[pos - 1] == b'/' {
        return None;
    }
    match rest {
        [] => Some(false),
        [b'/'] => Some(true),
        _ => None,
    }
}

fn go<'p>(
    part: &DynPart,
    i: usize,
    target: &'p str,
    pos: usize,
    out: &mut Vec<Value<'p>>,
    budget: &mut Budget,
    memo: &mut Option<Vec<bool>>,
) -> Option<bool> {
    let Some(piece) = part.pieces.get(i) else {
        return end_ok(part, target, pos);
    };
    if let Some(m) = memo.as_ref()
        && m[i * (target.len() + 1) + pos]
    {
        return None;
    }
    let result = match piece {
        Piece::Lit(lit) => {
            if target.as_bytes()[pos..].starts_with(lit.as_bytes()) {
                go(part, i + 1, target, pos + lit.len(), out, budget, memo)
            } else {
                None
            }
        }
        Piece::Var(conv) => {
            let bytes = target.as_bytes();
            let len = bytes.len();
            let limit = if conv.matches_slash() {
                len
            } else {
                bytes[pos..]
                    .iter()
                    .position(|&b| b == b'/')
                    .map_or(len, |k| pos + k)
            };
            if limit <= pos {
                return None;
            }
            let next = part.pieces.get(i + 1);
            let count = limit - pos;
            let greedy = conv.greedy();
            let mut found = None;
            for k in 0..count {
                let end = if greedy { limit - k } else { pos + 1 + k };
                match next {
                    None => {
                        // The last piece: only the end (or the end before an
                        // optional trailing slash) can work.
                        if end != len && !(part.suffixed && end + 1 == len) {
                            continue;
                        }
                    }
                    Some(Piece::Lit(lit)) => {
                        if !bytes[end..].starts_with(lit.as_bytes()) {
                            continue;
                        }
                    }
                    Some(Piece::Var(_)) => {}
                }
                if !budget.spend() {
                    return None;
                }
                let Some(raw) = target.get(pos..end) else {
                    continue;
                };
                let Some(text) = decode(raw) else {
                    continue;
                };
                let Some(value) = conv.to_value(text) else {
                    continue;
                };
                out.push(value);
                if let Some(r) = go(part, i + 1, target, end, out, budget, memo) {
                    found = Some(r);
                    break;
                }
                out.pop();
                if budget.exceeded {
                    return None;
                }
            }
            found
        }
    };
    if result.is_none()
        && let Some(m) = memo.as_mut()
    {
        m[i * (target.len() + 1) + pos] = true;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::{Part, compile};
    use crate::converter::Registry;
    use crate::rule::Rule;

    fn dyn_parts(pattern: &str) -> Vec<std::sync::Arc<DynPart>> {
        let registry = Registry::default();
        let inherit = crate::compile::Inherit {
            strict_slashes: true,
            merge_slashes: true,
            automatic_options: true,
            subdomain_matching: false,
            host_matching: false,
            default_subdomain: "",
            converters: &registry,
        };
        let c = compile(Rule::new(pattern, "e"), &inherit).unwrap();
        c.path_parts
            .iter()
            .filter_map(|p| match p {
                Part::Dynamic(d) => Some(d.clone()),
                Part::Static(_) => None,
            })
            .collect()
    }

    fn run(pattern: &str, target: &str) -> Option<(Vec<String>, bool)> {
        let part = dyn_parts(pattern).pop().unwrap();
        let mut out = Vec::new();
        let mut budget = Budget::default();
        match_part(&part, target, &mut out, &mut budget)
            .map(|slash| (out.iter().map(|v| v.to_string()).collect(), slash))
    }

    type Case<'a> = (&'a str, &'a str, Option<(&'a [&'a str], bool)>);

    #[test]
    fn table() {
        let cases: &[Case<'_>] = &[
            (
                "/v<int:major>.<int:minor>",
                "v1.2",
                Some((&["1", "2"], false)),
            ),
            ("/v<int:major>.<int:minor>", "v1.x", None),
            ("/<name>.<ext>", "a.tar.gz", Some((&["a.tar", "gz"], false))),
            (
                "/<path:name>/edit",
                "Some/Page/edit",
                Some((&["Some/Page"], false)),
            ),
            ("/<path:a>/<path:b>", "1/2/3", Some((&["1", "2/3"], false))),
            (
                "/<path:a>:<path:b>",
                "Some:bar",
                Some((&["Some", "bar"], false)),
            ),
            ("/<path:p>/", "abc/", Some((&["abc"], true))),
            ("/<path:p>/", "abc", Some((&["abc"], false))),
            ("/<path:p>/", "a/b/", Some((&["a/b"], true))),
            ("/<path:p>/", "abc//", None),
            ("/<path:p>", "/abc", None),
            (
                "/<int:a>-<int:b>",
                "123-456",
                Some((&["123", "456"], false)),
            ),
            ("/<a><b>", "xyz", Some((&["xy", "z"], false))),
        ];
        for (pattern, target, expected) in cases {
            let got = run(pattern, target);
            let expected = expected.map(|(v, s)| (v.iter().map(|x| x.to_string()).collect(), s));
            assert_eq!(got, expected, "{pattern} on {target}");
        }
    }

    #[test]
    fn pathological_parts_are_bounded() {
        let part = dyn_parts("/<a><b><c><d><e><f>!").pop().unwrap();
        let target = "x".repeat(4000);
        let mut out = Vec::new();
        let mut budget = Budget::default();
        assert!(match_part(&part, &target, &mut out, &mut budget).is_none());
        assert!(budget.steps <= MATCH_LIMIT + 1);
    }
}
