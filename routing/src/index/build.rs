//! Building the index: the reference matcher's ranks, each rule's
//! preceders, and the matchit routers of shapes and of slash events.

use super::*;

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
