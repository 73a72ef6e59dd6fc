//! The fast path: a matchit radix tree over path *shapes*.
//!
//! Rules whose path matchit can express (static text, one variable per
//! segment with an optional static prefix/suffix, a `path`-like variable
//! at the very end) are inserted by shape (`/users/{p0}`); rules that differ
//! only by converter share a shape and are tried in the reference matcher's
//! order. A hit is returned only when it is provably what the reference
//! matcher (`matcher.rs`) returns:
//!
//! * every rule, and every slash event (a branch rule redirecting a path
//!   without its slash, a non-strict rule matching a path with one) gets its
//!   rank in the reference matcher's depth-first order;
//! * for each indexed rule, the events ranked before it whose patterns can
//!   match some common path (a product-automaton test over the patterns)
//!   are its *preceders*; a hit on that rule is kept only if none of them
//!   matches the request (usually the list is empty);
//! * anything else (no shape, every rule of the shape rejected, a preceder
//!   matching) falls back to the reference matcher, which also produces
//!   every error and redirect.

use std::collections::HashMap;

use crate::adapter::Found;
use crate::compile::{CompiledRule, Part, Tok};
use crate::encode::decode;
use crate::map::Map;
use crate::matcher::{PartsMatch, ReqParts, Trie, match_rule_parts};
use crate::methods::MethodKey;
use crate::part::Budget;

/// A reference-matcher event a fast hit may have to yield to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Event {
    /// The rule matches.
    Exact(u32),
    /// A rule ending in `/` matches the path plus a slash.
    SlashRedirect(u32),
    /// A non-strict rule matches the path minus its trailing slash.
    NonStrict(u32),
}

#[derive(Debug)]
struct FastRule {
    id: u32,
    preceders: Vec<Event>,
}

#[derive(Debug)]
struct DomainIndex {
    router: matchit::Router<u32>,
    shapes: Vec<Vec<FastRule>>,
}

/// The matchit index of a map, per static domain part.
#[derive(Debug)]
pub(crate) struct Index {
    domains: Vec<(Box<str>, DomainIndex)>,
}

#[derive(Default)]
struct Ranks {
    exact: Vec<u32>,
    slash: Vec<u32>,
    nonstrict: Vec<u32>,
    next: u32,
}

fn rank_states(trie: &Trie, rules: &[CompiledRule], st: u32, ranks: &mut Ranks) {
    let state = &trie.states[st as usize];
    for &id in &state.rules {
        ranks.exact[id as usize] = ranks.next;
        ranks.next += 1;
    }
    if let Some(&child) = state.statics.get("") {
        for &id in &trie.states[child as usize].rules {
            ranks.slash[id as usize] = ranks.next;
            ranks.next += 1;
        }
    }
    let mut keys: Vec<(&str, u32)> = state.statics.iter().map(|(k, v)| (&**k, *v)).collect();
    keys.sort();
    for (_, child) in keys {
        rank_states(trie, rules, child, ranks);
    }
    for (_, child) in &state.dynamic {
        rank_states(trie, rules, *child, ranks);
    }
    for &id in &state.rules {
        if !rules[id as usize].strict_slashes {
            ranks.nonstrict[id as usize] = ranks.next;
            ranks.next += 1;
        }
    }
}

/// The matchit route for a rule's path, if matchit can express it.
fn shape(tokens: &[Tok]) -> Option<String> {
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
struct Nfa {
    steps: Vec<Option<Class>>,
    loops: Vec<Option<Class>>,
}

impl Nfa {
    fn new(tokens: &[Tok]) -> Self {
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
fn overlap(a: &Nfa, b: &Nfa) -> bool {
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
fn literal_prefix(tokens: &[Tok]) -> String {
    let mut out = String::new();
    for tok in tokens {
        match tok {
            Tok::Lit(s) => out.push_str(s),
            Tok::Var { .. } => break,
        }
    }
    out
}

struct EventPattern {
    event: Event,
    rank: u32,
    prefix: String,
    nfa: Nfa,
}

fn strip_trailing_slash(tokens: &[Tok]) -> Option<Vec<Tok>> {
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

impl Index {
    pub(crate) fn build(rules: &[CompiledRule], trie: &Trie) -> Index {
        let n = rules.len();
        let mut ranks = Ranks {
            exact: vec![u32::MAX; n],
            slash: vec![u32::MAX; n],
            nonstrict: vec![u32::MAX; n],
            next: 0,
        };
        rank_states(trie, rules, 0, &mut ranks);

        let mut by_domain: HashMap<&str, Vec<u32>> = HashMap::new();
        for (id, r) in rules.iter().enumerate() {
            if ranks.exact[id] == u32::MAX {
                continue;
            }
            if let Part::Static(d) = &r.domain_part {
                by_domain.entry(d).or_default().push(id as u32);
            }
        }
        let mut domains: Vec<(Box<str>, DomainIndex)> = by_domain
            .into_iter()
            .map(|(d, ids)| (d.into(), Self::build_domain(rules, &ranks, ids)))
            .collect();
        domains.sort_by(|a, b| a.0.cmp(&b.0));
        Index { domains }
    }

    fn build_domain(rules: &[CompiledRule], ranks: &Ranks, mut ids: Vec<u32>) -> DomainIndex {
        ids.sort_by_key(|&id| ranks.exact[id as usize]);
        let mut events = Vec::new();
        for &id in &ids {
            let r = &rules[id as usize];
            let mut add = |event, rank: u32, tokens: &[Tok]| {
                events.push(EventPattern {
                    event,
                    rank,
                    prefix: literal_prefix(tokens),
                    nfa: Nfa::new(tokens),
                });
            };
            add(Event::Exact(id), ranks.exact[id as usize], &r.tokens);
            if ranks.slash[id as usize] != u32::MAX
                && let Some(t) = strip_trailing_slash(&r.tokens)
            {
                add(Event::SlashRedirect(id), ranks.slash[id as usize], &t);
            }
            if ranks.nonstrict[id as usize] != u32::MAX {
                let mut t = r.tokens.clone();
                t.push(Tok::Lit("/".to_owned()));
                add(Event::NonStrict(id), ranks.nonstrict[id as usize], &t);
            }
        }

        let mut router = matchit::Router::new();
        let mut shapes: Vec<Vec<FastRule>> = Vec::new();
        let mut shape_ids: HashMap<String, u32> = HashMap::new();
        let mut shape_of: HashMap<u32, u32> = HashMap::new();
        for &id in &ids {
            let r = &rules[id as usize];
            let Some(route) = shape(&r.tokens) else {
                continue;
            };
            let sid = match shape_ids.get(&route) {
                Some(&sid) => sid,
                None => {
                    let sid = shapes.len() as u32;
                    if router.insert(route.clone(), sid).is_err() {
                        continue;
                    }
                    shapes.push(Vec::new());
                    shape_ids.insert(route, sid);
                    sid
                }
            };
            shape_of.insert(id, sid);
            shapes[sid as usize].push(FastRule {
                id,
                preceders: Vec::new(),
            });
        }
        for shape in &mut shapes {
            for fr in shape.iter_mut() {
                let me = events
                    .iter()
                    .find(|e| e.event == Event::Exact(fr.id))
                    .map(|e| (e.rank, &e.prefix, &e.nfa));
                let Some((rank, prefix, nfa)) = me else {
                    continue;
                };
                let my_shape = shape_of.get(&fr.id);
                for e in &events {
                    if e.rank >= rank {
                        continue;
                    }
                    if let Event::Exact(other) = e.event
                        && shape_of.get(&other) == my_shape
                    {
                        continue;
                    }
                    let common = prefix.len().min(e.prefix.len());
                    if prefix.as_bytes()[..common] != e.prefix.as_bytes()[..common] {
                        continue;
                    }
                    if overlap(nfa, &e.nfa) {
                        fr.preceders.push(e.event);
                    }
                }
            }
        }
        DomainIndex { router, shapes }
    }

    /// A hit the reference matcher would return too, or `None`.
    #[inline]
    pub(crate) fn lookup<'x>(
        &self,
        map: &Map,
        domain: &str,
        path: &'x str,
        key: MethodKey<'_>,
        websocket: bool,
    ) -> Option<Found<'x>> {
        let di = &self.domains.iter().find(|(d, _)| **d == *domain)?.1;
        let m = di.router.at(path).ok()?;
        let shape = &di.shapes[*m.value as usize];
        'rules: for fr in shape {
            let rule = &map.rules[fr.id as usize];
            if !rule.allows(key) || rule.rule.websocket != websocket {
                continue;
            }
            let mut values = Vec::with_capacity(m.params.len());
            for (conv, (_, raw)) in rule.converters.iter().zip(m.params.iter()) {
                let Some(text) = decode(raw) else {
                    continue 'rules;
                };
                let Some(v) = conv.to_value(text) else {
                    continue 'rules;
                };
                values.push(v);
            }
            if !fr.preceders.is_empty() && blocked(map, &fr.preceders, domain, path, key, websocket)
            {
                return None;
            }
            return Some((fr.id, values));
        }
        None
    }
}

/// Whether one of the preceding events fires for this request.
#[cold]
fn blocked(
    map: &Map,
    events: &[Event],
    domain: &str,
    path: &str,
    key: MethodKey<'_>,
    websocket: bool,
) -> bool {
    let parts = ReqParts::new(domain, path);
    let n = parts.len();
    let mut scratch = Vec::new();
    let mut budget = Budget::default();
    for &event in events {
        scratch.clear();
        let (id, fires) = match event {
            Event::Exact(id) => {
                let r = &map.rules[id as usize];
                let m = match_rule_parts(
                    &r.domain_part,
                    &r.path_parts,
                    &parts,
                    &mut scratch,
                    &mut budget,
                );
                (id, matches!(m, PartsMatch::Yes(i) if i == n))
            }
            Event::SlashRedirect(id) => {
                let r = &map.rules[id as usize];
                let head = &r.path_parts[..r.path_parts.len().saturating_sub(1)];
                let m = match_rule_parts(&r.domain_part, head, &parts, &mut scratch, &mut budget);
                (id, matches!(m, PartsMatch::Yes(i) if i == n))
            }
            Event::NonStrict(id) => {
                let r = &map.rules[id as usize];
                let m = match_rule_parts(
                    &r.domain_part,
                    &r.path_parts,
                    &parts,
                    &mut scratch,
                    &mut budget,
                );
                (
                    id,
                    parts.ends_with_empty() && matches!(m, PartsMatch::Yes(i) if i == n - 1),
                )
            }
        };
        if budget.exceeded {
            return true;
        }
        let r = &map.rules[id as usize];
        if fires && r.allows(key) && r.rule.websocket == websocket {
            return true;
        }
    }
    false
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
