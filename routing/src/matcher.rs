//! The reference matcher: Werkzeug's `StateMachineMatcher`, a trie of rule
//! parts walked depth first (static transitions before dynamic ones, dynamic
//! ones by weight), with its slash rules. It defines the matching semantics;
//! the matchit index in `index.rs` is a shortcut that must agree with it.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use crate::compile::{CompiledRule, DynPart, Part};
use crate::methods::{MethodKey, MethodSet};
use crate::part::{Budget, match_part};
use crate::value::Value;

/// A fast hash for the static parts of rules (multiply-rotate over 8-byte
/// words). The table's keys come from the rules, never from requests, so
/// flooding it is not possible; requests only look up.
#[derive(Default, Clone, Copy)]
pub(crate) struct WordHasher(u64);

impl Hasher for WordHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;

/// A state of the trie.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// The static child for the empty part, kept apart: comparing empty
    /// keys means `memcmp` on a dangling pointer, which some `memcmp`s make
    /// very slow.
    empty: Option<u32>,
    statics: FastMap<Box<str>, u32>,
    pub(crate) dynamic: Vec<(Arc<DynPart>, u32)>,
    pub(crate) rules: Vec<u32>,
}

impl State {
    /// The static child for `key`.
    #[inline]
    pub(crate) fn static_child(&self, key: &str) -> Option<u32> {
        if key.is_empty() {
            self.empty
        } else {
            self.statics.get(key).copied()
        }
    }

    /// Every static child, the empty one included.
    pub(crate) fn static_children(&self) -> impl Iterator<Item = (&str, u32)> {
        self.empty
            .map(|c| ("", c))
            .into_iter()
            .chain(self.statics.iter().map(|(k, v)| (&**k, *v)))
    }
}

/// The trie of all matchable rules.
#[derive(Debug)]
pub(crate) struct Trie {
    pub(crate) states: Vec<State>,
    /// Per rule: the state holding it (`u32::MAX` if not in the trie).
    pub(crate) leaf: Vec<u32>,
}

/// The parts of a request: the domain part, then the path split on `/`.
#[derive(Debug)]
pub(crate) struct ReqParts<'d, 'p> {
    domain: &'d str,
    path: &'p str,
    segs: Vec<(usize, usize)>,
}

impl<'d, 'p> ReqParts<'d, 'p> {
    pub(crate) fn new(domain: &'d str, path: &'p str) -> Self {
        let mut segs = Vec::with_capacity(8);
        let mut start = 0;
        for (i, b) in path.bytes().enumerate() {
            if b == b'/' {
                segs.push((start, i));
                start = i + 1;
            }
        }
        segs.push((start, path.len()));
        ReqParts { domain, path, segs }
    }

    /// Number of parts (domain included).
    pub(crate) fn len(&self) -> usize {
        1 + self.segs.len()
    }

    /// Part `i` (0: the domain part).
    pub(crate) fn get(&self, i: usize) -> &str {
        if i == 0 { self.domain } else { self.seg(i) }
    }

    /// Path part `i` (`i >= 1`).
    pub(crate) fn seg(&self, i: usize) -> &'p str {
        let (a, b) = self.segs[i - 1];
        &self.path[a..b]
    }

    pub(crate) fn domain(&self) -> &'d str {
        self.domain
    }

    /// Parts `i..` joined with `/` (only for path parts).
    pub(crate) fn rest(&self, i: usize) -> &'p str {
        let (a, _) = self.segs[i - 1];
        &self.path[a..]
    }

    pub(crate) fn ends_with_empty(&self) -> bool {
        self.segs.last().is_some_and(|(a, b)| a == b)
    }
}

/// Why a walk stopped without an answer.
#[derive(Debug)]
pub(crate) enum Stop {
    /// A rule ending in `/` matches the path plus a slash.
    SlashRequired,
    /// The work limit was hit.
    Limit,
}

/// The state of one walk: the request's method, what was seen, the values.
pub(crate) struct Walk<'r, 'p> {
    pub(crate) rules: &'r [CompiledRule],
    pub(crate) method: MethodKey<'r>,
    pub(crate) websocket: bool,
    pub(crate) have: MethodSet,
    pub(crate) ws_mismatch: bool,
    pub(crate) values: Vec<Value<'p>>,
    pub(crate) budget: Budget,
}

impl<'r, 'p> Walk<'r, 'p> {
    pub(crate) fn new(rules: &'r [CompiledRule], method: MethodKey<'r>, websocket: bool) -> Self {
        Walk {
            rules,
            method,
            websocket,
            have: MethodSet::default(),
            ws_mismatch: false,
            values: Vec::new(),
            budget: Budget::default(),
        }
    }

    /// Werkzeug's per-rule test: method, then websocket.
    fn accept(&mut self, id: u32) -> bool {
        let rule = &self.rules[id as usize];
        if !rule.allows(self.method) {
            if let Some(m) = &rule.methods {
                self.have.extend(m);
            }
            false
        } else if rule.rule.websocket != self.websocket {
            self.ws_mismatch = true;
            false
        } else {
            true
        }
    }
}

impl Trie {
    pub(crate) fn new(n_rules: usize) -> Self {
        Trie {
            states: vec![State::default()],
            leaf: vec![u32::MAX; n_rules],
        }
    }

    fn step(&mut self, from: u32, part: &Part) -> u32 {
        match part {
            Part::Static(s) => {
                if let Some(to) = self.states[from as usize].static_child(s) {
                    return to;
                }
                let to = self.states.len() as u32;
                self.states.push(State::default());
                let state = &mut self.states[from as usize];
                if s.is_empty() {
                    state.empty = Some(to);
                } else {
                    state.statics.insert(s.clone(), to);
                }
                to
            }
            Part::Dynamic(d) => {
                if let Some((_, to)) = self.states[from as usize]
                    .dynamic
                    .iter()
                    .find(|(p, _)| p.key == d.key)
                {
                    return *to;
                }
                let to = self.states.len() as u32;
                self.states.push(State::default());
                self.states[from as usize].dynamic.push((d.clone(), to));
                to
            }
        }
    }

    /// Adds a rule; returns the id of an existing rule it duplicates.
    pub(crate) fn insert(&mut self, rules: &[CompiledRule], id: u32) -> Result<(), u32> {
        let rule = &rules[id as usize];
        let mut st = self.step(0, &rule.domain_part);
        for part in &rule.path_parts {
            st = self.step(st, part);
        }
        for &other in &self.states[st as usize].rules {
            if rules[other as usize].methods_collide(rule) {
                return Err(other);
            }
        }
        self.states[st as usize].rules.push(id);
        self.leaf[id as usize] = st;
        Ok(())
    }

    /// Orders dynamic transitions by weight (stable, like Werkzeug).
    pub(crate) fn finish(&mut self) {
        for st in &mut self.states {
            st.dynamic.sort_by(|a, b| a.0.weight.cmp(&b.0.weight));
        }
    }

    /// Walks from `st` with parts `idx..` of `parts`.
    pub(crate) fn walk<'p>(
        &self,
        w: &mut Walk<'_, 'p>,
        st: u32,
        parts: &ReqParts<'_, 'p>,
        idx: usize,
    ) -> Result<Option<u32>, Stop> {
        let state = &self.states[st as usize];
        let n = parts.len();
        if idx == n {
            for &id in &state.rules {
                if w.accept(id) {
                    return Ok(Some(id));
                }
            }
            if let Some(child) = state.empty {
                for &id in &self.states[child as usize].rules {
                    let rule = &w.rules[id as usize];
                    if rule.rule.websocket == w.websocket && rule.allows(w.method) {
                        if rule.strict_slashes {
                            return Err(Stop::SlashRequired);
                        }
                        return Ok(Some(id));
                    }
                }
            }
            return Ok(None);
        }
        let part = parts.get(idx);
        if let Some(child) = state.static_child(part)
            && let Some(found) = self.walk(w, child, parts, idx + 1)?
        {
            return Ok(Some(found));
        }
        for (dp, child) in &state.dynamic {
            let mark = w.values.len();
            let matched = if idx == 0 {
                match_domain(dp, parts.domain(), &mut w.values, &mut w.budget)
            } else {
                let target = if dp.final_ {
                    parts.rest(idx)
                } else {
                    parts.seg(idx)
                };
                match_part(dp, target, &mut w.values, &mut w.budget)
            };
            if w.budget.exceeded {
                return Err(Stop::Limit);
            }
            let Some(slash) = matched else {
                continue;
            };
            let next = if !dp.final_ {
                idx + 1
            } else if slash {
                n - 1
            } else {
                n
            };
            if let Some(found) = self.walk(w, *child, parts, next)? {
                return Ok(Some(found));
            }
            w.values.truncate(mark);
        }
        if idx == n - 1 && part.is_empty() {
            for &id in &state.rules {
                if w.rules[id as usize].strict_slashes {
                    continue;
                }
                if w.accept(id) {
                    return Ok(Some(id));
                }
            }
        }
        Ok(None)
    }
}

/// How far a rule's parts match a request, without methods.
pub(crate) enum PartsMatch {
    No,
    /// All parts matched and consumed this many request parts.
    Yes(usize),
}

/// Matches the parts `parts_of_rule` (domain part first) directly against
/// the request, as the walk would along this rule's branch.
pub(crate) fn match_rule_parts<'p>(
    domain: &Part,
    path_parts: &[Part],
    parts: &ReqParts<'_, 'p>,
    scratch: &mut Vec<Value<'p>>,
    budget: &mut Budget,
) -> PartsMatch {
    let n = parts.len();
    let mut idx = 0;
    for part in std::iter::once(domain).chain(path_parts) {
        if idx >= n {
            return PartsMatch::No;
        }
        match part {
            Part::Static(s) => {
                let part = parts.get(idx);
                if part.len() != s.len() || (!s.is_empty() && part != &**s) {
                    return PartsMatch::No;
                }
                idx += 1;
            }
            Part::Dynamic(d) => {
                let matched = if idx == 0 {
                    match_domain(d, parts.domain(), scratch, budget)
                } else {
                    let target = if d.final_ {
                        parts.rest(idx)
                    } else {
                        parts.seg(idx)
                    };
                    match_part(d, target, scratch, budget)
                };
                match matched {
                    None => return PartsMatch::No,
                    Some(slash) => {
                        idx = if !d.final_ {
                            idx + 1
                        } else if slash {
                            n - 1
                        } else {
                            n
                        };
                    }
                }
            }
        }
    }
    PartsMatch::Yes(idx)
}

/// Matches a domain part; its values are copied (they borrow the adapter,
/// not the path).
fn match_domain<'d>(
    part: &DynPart,
    domain: &'d str,
    out: &mut Vec<Value<'_>>,
    budget: &mut Budget,
) -> Option<bool> {
    let mut tmp: Vec<Value<'d>> = Vec::new();
    let r = match_part(part, domain, &mut tmp, budget)?;
    for v in tmp {
        out.push(v.into_owned());
    }
    Some(r)
}
