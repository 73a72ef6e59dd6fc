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

mod build;

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

impl Index {
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
        let table = include_str!("../../benches/github_routes.txt");
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
