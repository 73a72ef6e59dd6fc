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
use std::sync::Arc;

use std::borrow::Cow;

use crate::adapter::add_defaults;
use crate::compile::{CompiledRule, Part, Tok};
use crate::converter::Converter;
use crate::encode::decode;
use crate::map::Map;
use crate::matcher::{PartsMatch, ReqParts, Trie, match_rule_parts};
use crate::methods::{ALL_BITS, MethodKey, MethodSet, OPTIONS_BIT};
use crate::part::Budget;
use crate::shape::{
    Nfa, SegKind, Slot, literal_prefix, overlap, shape, simple_segments, slot_text, slots_of,
    strip_trailing_slash, tried_before,
};
use crate::value::Value;
use crate::values::Values;

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

/// In [`FastRule::accepts`] (beside the nine standard methods' bits):
/// the rule is for plain HTTP requests.
const HTTP_BIT: u16 = 1 << 14;
/// The rule is for WebSocket requests.
const WEBSOCKET_BIT: u16 = 1 << 15;

#[derive(Debug)]
struct FastRule {
    id: u32,
    /// The standard methods the rule accepts, as [`MethodKey`] bits (all
    /// of them for a rule without methods), and [`HTTP_BIT`] or
    /// [`WEBSOCKET_BIT`]: a request is accepted when its method's bit and
    /// its protocol's bit are both set. Other methods are checked on the
    /// compiled rule.
    accepts: u16,
    websocket: bool,
    /// Anything to do after the variables: defaults or preceders.
    attention: bool,
    has_defaults: bool,
    /// The request bits (as in `accepts`) for which the after-match steps
    /// may apply: all (alias, `redirect_to` or default redirects), OPTIONS
    /// (answered automatically), or none.
    post: u16,
    vars: Box<[FastVar]>,
    /// Every variable takes its text as is (the default `string`
    /// converter), and there are at most [`Values::INLINE`] of them.
    text_only: bool,
    /// For a `text_only` rule: its variables' names, in place (a hit then
    /// reads no other record than the shape's and the rule's).
    names: [Box<str>; Values::INLINE],
    preceders: Box<[Event]>,
}

#[derive(Debug)]
struct FastVar {
    name: Box<str>,
    /// `None`: the default `string` converter without arguments, which
    /// accepts any text as is.
    conv: Option<Arc<dyn Converter>>,
}

impl FastRule {
    fn new(id: u32, rule: &CompiledRule) -> Self {
        let vars: Box<[FastVar]> = rule
            .var_names
            .iter()
            .zip(&rule.converters)
            .zip(&rule.plain_vars)
            .map(|((name, conv), plain)| FastVar {
                name: name.clone(),
                conv: (!plain).then(|| conv.clone()),
            })
            .collect();
        let bits = rule
            .methods
            .as_ref()
            .map_or(ALL_BITS, MethodSet::standard_bits);
        let protocol = if rule.rule.websocket {
            WEBSOCKET_BIT
        } else {
            HTTP_BIT
        };
        let has_defaults = !rule.rule.defaults.is_empty();
        FastRule {
            id,
            accepts: bits | protocol,
            websocket: rule.rule.websocket,
            attention: has_defaults,
            has_defaults,
            post: if rule.post {
                u16::MAX
            } else if rule.auto_options {
                OPTIONS_BIT
            } else {
                0
            },
            text_only: vars.iter().all(|v: &FastVar| v.conv.is_none())
                && vars.len() <= Values::INLINE,
            names: std::array::from_fn(|i| {
                vars.get(i).map_or_else(Box::default, |v| v.name.clone())
            }),
            vars,
            preceders: Box::new([]),
        }
    }
}

/// What is matched: the domain part, the path (see [`PathForm`]), the
/// method and the protocol.
#[derive(Clone, Copy)]
pub(crate) struct Request<'d, 'p, 'k> {
    pub(crate) domain: &'d str,
    pub(crate) path: &'p str,
    pub(crate) form: PathForm,
    pub(crate) key: MethodKey<'k>,
    pub(crate) websocket: bool,
}

/// What is known of a request path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PathForm {
    /// Canonical, without any `%` escape: variable texts are values as is.
    Plain,
    /// Canonical, with escapes: variable texts are percent-decoded.
    Escaped,
    /// Not checked (a raw path with one leading slash). A hit is kept only
    /// if every variable's text is plain: the literal text around the
    /// variables equals the rule's, which is canonical, so the whole path
    /// is then canonical and plain. [`Lookup::NotFound`] holds only if the
    /// caller finds the path plain.
    Unchecked,
}

/// A fast hit: the rule, and whether the after-match steps (redirects,
/// automatic OPTIONS) may apply.
pub(crate) struct Hit {
    pub(crate) id: u32,
    pub(crate) post: bool,
}

#[derive(Debug)]
struct DomainIndex {
    /// Path shape → shape number.
    router: matchit::Router<u32>,
    /// When every rule is in `router` and every shape is simple: the
    /// shapes of slash events (a branch rule without its slash, a
    /// non-strict rule with one). A path that matches neither router
    /// matches nothing.
    misses: Option<matchit::Router<()>>,
    shapes: Vec<Shape>,
}

/// A shape's rules (in rank order) and where its variables are in a
/// matching path.
#[derive(Debug)]
struct Shape {
    rules: Box<[FastRule]>,
    slots: Box<[Slot]>,
    /// The first slots, in place (see `FastRule::names`).
    first_slots: [Slot; Values::INLINE],
}

/// The matchit index of a map, per static domain part.
#[derive(Debug)]
pub(crate) struct Index {
    domains: Vec<(Box<str>, DomainIndex)>,
    /// Some rule has a host or subdomain pattern with variables.
    dynamic_domains: bool,
}

/// The answer of the index.
pub(crate) enum Lookup {
    /// What the reference matcher returns.
    Hit(Hit),
    /// No rule, redirect or method answer can apply (the reference
    /// matcher's first pass finds nothing).
    NotFound,
    /// Ask the reference matcher.
    Unsure,
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
    if let Some(child) = state.static_child("") {
        for &id in &trie.states[child as usize].rules {
            ranks.slash[id as usize] = ranks.next;
            ranks.next += 1;
        }
    }
    let mut keys: Vec<(&str, u32)> = state.static_children().collect();
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

struct EventPattern {
    event: Event,
    rank: u32,
    prefix: String,
    nfa: Nfa,
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
        let dynamic_domains = rules.iter().enumerate().any(|(id, r)| {
            ranks.exact[id] != u32::MAX && matches!(r.domain_part, Part::Dynamic(_))
        });
        let mut domains: Vec<(Box<str>, DomainIndex)> = by_domain
            .into_iter()
            .map(|(d, ids)| (d.into(), Self::build_domain(rules, &ranks, ids)))
            .collect();
        domains.sort_by(|a, b| a.0.cmp(&b.0));
        Index {
            domains,
            dynamic_domains,
        }
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
        // Per shape, its segments if simple. While every shape is simple,
        // matchit's search is a complete static-first depth-first search,
        // so a hit means no shape it tries earlier matched the path.
        let mut segments: Vec<Option<Vec<SegKind>>> = Vec::new();
        for &id in &ids {
            let r = &rules[id as usize];
            let Some(route) = shape(&r.tokens) else {
                continue;
            };
            // A hit reads every variable of the shape (an unchecked path
            // is trusted only when all their texts are plain).
            if slots_of(&r.tokens).len() != r.var_names.len() {
                continue;
            }
            let sid = match shape_ids.get(&route) {
                Some(&sid) => sid,
                None => {
                    let sid = shapes.len() as u32;
                    if router.insert(route.clone(), sid).is_err() {
                        continue;
                    }
                    shapes.push(Vec::new());
                    segments.push(simple_segments(&r.tokens));
                    shape_ids.insert(route, sid);
                    sid
                }
            };
            shape_of.insert(id, sid);
            shapes[sid as usize].push(FastRule::new(id, r));
        }
        let complete = segments.iter().all(Option::is_some);
        // Candidate preceders share a literal prefix with the rule (one is a
        // prefix of the other): look them up instead of testing every pair.
        let exact_event: HashMap<u32, usize> = events
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e.event {
                Event::Exact(id) => Some((id, i)),
                _ => None,
            })
            .collect();
        let mut by_prefix: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, e) in events.iter().enumerate() {
            by_prefix.entry(e.prefix.as_str()).or_default().push(i);
        }
        let mut sorted: Vec<usize> = (0..events.len()).collect();
        sorted.sort_by(|&a, &b| events[a].prefix.cmp(&events[b].prefix));
        for (sid, shape) in shapes.iter_mut().enumerate() {
            for fr in shape.iter_mut() {
                let Some(&me) = exact_event.get(&fr.id) else {
                    continue;
                };
                let (rank, prefix, nfa) = (events[me].rank, &events[me].prefix, &events[me].nfa);
                let my_shape = shape_of.get(&fr.id);
                // Events whose prefix is a prefix of ours, then those whose
                // prefix extends ours.
                let mut candidates: Vec<usize> = Vec::new();
                for k in 0..prefix.len() {
                    if let Some(list) = by_prefix.get(&prefix[..k]) {
                        candidates.extend(list);
                    }
                }
                let from = sorted.partition_point(|&i| events[i].prefix.as_str() < prefix.as_str());
                candidates.extend(
                    sorted[from..]
                        .iter()
                        .take_while(|&&i| events[i].prefix.starts_with(prefix.as_str())),
                );
                candidates.sort_unstable();
                let mut preceders = Vec::new();
                for i in candidates {
                    let e = &events[i];
                    if e.rank >= rank {
                        continue;
                    }
                    if let Event::Exact(other) = e.event
                        && let Some(&other_shape) = shape_of.get(&other)
                    {
                        if Some(&other_shape) == my_shape {
                            continue;
                        }
                        if complete
                            && let (Some(a), Some(b)) =
                                (&segments[other_shape as usize], &segments[sid])
                            && tried_before(a, b)
                        {
                            continue;
                        }
                    }
                    if overlap(nfa, &e.nfa) {
                        preceders.push(e.event);
                    }
                }
                fr.attention |= !preceders.is_empty();
                fr.preceders = preceders.into_boxed_slice();
            }
        }
        let all_indexed = ids.iter().all(|id| shape_of.contains_key(id));
        let misses = if complete && all_indexed {
            miss_router(rules, ranks, &ids)
        } else {
            None
        };
        let shapes = shapes
            .into_iter()
            .map(|rules_of_shape| {
                let slots = slots_of(&rules[rules_of_shape[0].id as usize].tokens);
                Shape {
                    first_slots: std::array::from_fn(|i| slots.get(i).copied().unwrap_or_default()),
                    slots: slots.into(),
                    rules: rules_of_shape.into(),
                }
            })
            .collect();
        DomainIndex {
            router,
            misses,
            shapes,
        }
    }

    /// A hit the reference matcher would return too, or `None`.
    #[inline(always)]
    pub(crate) fn lookup<'x>(
        &'x self,
        map: &'x Map,
        req: Request<'_, 'x, '_>,
        values: &mut Values<'x>,
    ) -> Lookup {
        self.lookup_parts(
            map,
            req.domain,
            req.path,
            req.form,
            req.key,
            req.websocket,
            values,
        )
    }

    /// [`lookup`](Self::lookup) with the request's parts as arguments: a
    /// `Request` kept whole stays in memory (its fields are stored on every
    /// call), parts stay in registers.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn lookup_parts<'x>(
        &'x self,
        map: &'x Map,
        domain: &str,
        path: &'x str,
        form: PathForm,
        key: MethodKey<'_>,
        websocket: bool,
        values: &mut Values<'x>,
    ) -> Lookup {
        // Empty strings are compared by length: `memcmp` on the dangling
        // pointer of an empty `Box<str>` is very slow on some CPUs.
        let same = |d: &str| d.len() == domain.len() && (domain.is_empty() || d == domain);
        let not_found = if self.dynamic_domains {
            Lookup::Unsure
        } else {
            Lookup::NotFound
        };
        let di = match self.domains.as_slice() {
            [(d, di)] if same(d) => di,
            [_] => return not_found,
            all => match all.iter().find(|(d, _)| same(d)) {
                Some((_, di)) => di,
                None => return not_found,
            },
        };
        let Ok(m) = di.router.at(path) else {
            return match &di.misses {
                Some(misses) if !path.is_empty() && misses.at(path).is_err() => not_found,
                _ => Lookup::Unsure,
            };
        };
        let shape = &di.shapes[*m.value as usize];
        // The variables' texts are located by the shape, without asking
        // matchit (whose parameter iterator re-validates UTF-8).
        let slots = &*shape.slots;
        let key_bit = key.bit();
        let want = key_bit | if websocket { WEBSOCKET_BIT } else { HTTP_BIT };
        let mut dirty = false;
        'rules: for fr in &*shape.rules {
            let allowed = if key_bit != 0 {
                fr.accepts & want == want
            } else {
                fr.websocket == websocket && map.rules[fr.id as usize].allows(key)
            };
            if !allowed {
                continue;
            }
            if dirty {
                values.clear();
            }
            dirty = true;
            let mut at = 0;
            // The common case: texts taken as they are, straight into the
            // inline entries.
            if fr.text_only
                && form != PathForm::Escaped
                && let Some(items) = values.inline_entries()
            {
                let n = fr.vars.len();
                for ((item, name), &slot) in items
                    .iter_mut()
                    .zip(&fr.names)
                    .zip(&shape.first_slots)
                    .take(n)
                {
                    let Some((text, plain)) = slot_text(path, slot, &mut at) else {
                        values.clear();
                        return Lookup::Unsure;
                    };
                    if !plain && form == PathForm::Unchecked {
                        values.clear();
                        return Lookup::Unsure;
                    }
                    // The entry is empty: nothing to drop.
                    debug_assert!(item.is_none());
                    std::mem::forget(item.replace((name, Value::Str(Cow::Borrowed(text)))));
                }
            } else {
                for (n, (var, &slot)) in fr.vars.iter().zip(slots).enumerate() {
                    let Some((raw, plain)) = slot_text(path, slot, &mut at) else {
                        values.clear();
                        return Lookup::Unsure;
                    };
                    let text = match form {
                        PathForm::Plain => Cow::Borrowed(raw),
                        PathForm::Unchecked if plain => Cow::Borrowed(raw),
                        PathForm::Unchecked => {
                            values.clear();
                            return Lookup::Unsure;
                        }
                        PathForm::Escaped => match decode(raw) {
                            Some(text) => text,
                            None => continue 'rules,
                        },
                    };
                    match (&var.conv, text) {
                        (None, Cow::Borrowed(text)) => values.push_borrowed_nth(n, &var.name, text),
                        (None, text) => values.push(&var.name, Value::Str(text)),
                        (Some(conv), text) => match conv.to_value(text) {
                            Some(v) => values.push(&var.name, v),
                            None => continue 'rules,
                        },
                    }
                }
            }
            if fr.attention {
                if fr.has_defaults {
                    add_defaults(&map.rules[fr.id as usize], values);
                }
                if !fr.preceders.is_empty()
                    && blocked(map, &fr.preceders, domain, path, key, websocket)
                {
                    values.clear();
                    return Lookup::Unsure;
                }
            }
            return Lookup::Hit(Hit {
                id: fr.id,
                post: fr.post & want != 0,
            });
        }
        Lookup::Unsure
    }
}

/// The router of slash-event shapes of a domain, if all are simple shapes
/// matchit accepts.
fn miss_router(rules: &[CompiledRule], ranks: &Ranks, ids: &[u32]) -> Option<matchit::Router<()>> {
    let mut router = matchit::Router::new();
    let mut seen = std::collections::HashSet::new();
    for &id in ids {
        let r = &rules[id as usize];
        let mut patterns = Vec::new();
        if ranks.slash[id as usize] != u32::MAX {
            patterns.push(strip_trailing_slash(&r.tokens)?);
        }
        if ranks.nonstrict[id as usize] != u32::MAX {
            let mut t = r.tokens.clone();
            t.push(Tok::Lit("/".to_owned()));
            patterns.push(t);
        }
        for tokens in patterns {
            // The empty path is always left to the reference matcher.
            if tokens.is_empty() {
                continue;
            }
            simple_segments(&tokens)?;
            let route = shape(&tokens)?;
            if seen.insert(route.clone()) {
                router.insert(route, ()).ok()?;
            }
        }
    }
    Some(router)
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
mod github_table {
    use crate::index::Request;
    use crate::{Map, Method, Rule};

    /// Every route of the benchmark table is answered by the index, with no
    /// preceder to check (the all-string GitHub table needs none).
    #[test]
    fn the_index_serves_the_github_table() {
        let table = include_str!("../benches/github_routes.txt");
        let mut b = Map::builder();
        let mut cases = Vec::new();
        for line in table.lines().filter(|l| !l.is_empty()) {
            let (method, pattern) = line.split_once(' ').unwrap();
            let mut werkzeug = String::new();
            let mut path = String::new();
            for seg in pattern.split('/').skip(1) {
                werkzeug.push('/');
                path.push('/');
                if let Some(n) = seg.strip_prefix("{*").and_then(|s| s.strip_suffix('}')) {
                    werkzeug.push_str(&format!("<path:{n}>"));
                    path.push_str("a/b");
                } else if let Some(n) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    werkzeug.push_str(&format!("<{n}>"));
                    path.push_str("x1");
                } else {
                    werkzeug.push_str(seg);
                    path.push_str(seg);
                }
            }
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            b.push(Rule::new(werkzeug, line).methods([method.clone()]));
            cases.push((path, method, line));
        }
        let map = b.build().unwrap();
        let index = map.index.as_ref().unwrap();
        let mut with_preceders = Vec::new();
        for (_, di) in &index.domains {
            {
                for fr in di.shapes.iter().flat_map(|s| &*s.rules) {
                    if !fr.preceders.is_empty() {
                        with_preceders.push((
                            map.rules[fr.id as usize].rule.to_string(),
                            fr.preceders.len(),
                        ));
                    }
                }
            }
        }
        assert_eq!(with_preceders, Vec::<(String, usize)>::new());
        for (path, method, line) in &cases {
            let key = crate::methods::MethodKey::new(method);
            let mut values = crate::Values::new();
            let req = Request {
                domain: "",
                path,
                form: super::PathForm::Plain,
                key,
                websocket: false,
            };
            let id = match index.lookup(&map, req, &mut values) {
                super::Lookup::Hit(hit) => Some(hit.id),
                _ => None,
            };
            assert_eq!(
                id.map(|id| map.rules[id as usize].rule.endpoint.as_str()),
                Some(*line),
                "{path}"
            );
        }
    }
}
