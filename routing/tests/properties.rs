//! Property tests: bad input never panics, and the matchit index always
//! agrees with the reference matcher.

use carafe_routing::{Map, MatchError, Method, Rule, Value, Values};
use proptest::prelude::*;

/// Static words and variable forms rules are made of.
const STATICS: &[&str] = &["a", "b", "ab", "x.y", "é", "v1", "a-b", "+"];
const VARS: &[&str] = &[
    "<{}>",
    "<int:{}>",
    "<path:{}>",
    "<float:{}>",
    "<any(a, b, 'x.y'):{}>",
    "<uuid:{}>",
    "<string(length=2):{}>",
    "<int(signed=true):{}>",
    "v<int:{}>",
    "{}.json",
    "<{}>.<{}x>",
    "<int:{}>-<int:{}x>",
];

/// Path segments requests are made of.
const SEGMENTS: &[&str] = &[
    "a",
    "b",
    "ab",
    "1",
    "22",
    "-3",
    "1.5",
    "x.y",
    "v1",
    "v1.2",
    "a.json",
    "a.b",
    "1-2",
    "%41",
    "%2F",
    "%FF",
    "%C3%A9",
    "é",
    "",
    "+",
    "a b",
    "2b5b0911-fdcf-4dd2-921b-28ace88db8a0",
];

const METHODS: &[&str] = &["GET", "POST", "HEAD", "OPTIONS", "PUT", "PURGE"];

fn segment_pattern(choice: usize, var: usize) -> String {
    if choice < STATICS.len() {
        return STATICS[choice].to_owned();
    }
    let form = VARS[(choice - STATICS.len()) % VARS.len()];
    let name = format!("v{var}");
    if form == "{}.json" {
        return format!("<{name}>.json");
    }
    form.replace("{}", &name)
}

#[derive(Debug, Clone)]
struct RuleSpec {
    segments: Vec<usize>,
    slash: bool,
    methods: Option<Vec<usize>>,
    strict: Option<bool>,
    endpoint: usize,
    default: Option<i64>,
}

fn rule_spec() -> impl Strategy<Value = RuleSpec> {
    // Mostly a small core (two statics, `<x>`, `<int:x>`, `<path:x>`) so
    // rules collide often; sometimes anything.
    let segment = prop_oneof![
        3 => prop::sample::select(vec![0, 1, STATICS.len(), STATICS.len() + 1, STATICS.len() + 2]),
        2 => 0..STATICS.len() + VARS.len(),
    ];
    (
        prop::collection::vec(segment, 0..4),
        any::<bool>(),
        prop::option::of(prop::collection::vec(0..METHODS.len(), 1..3)),
        prop::option::of(any::<bool>()),
        0..3usize,
        prop::option::weighted(0.2, 0..3i64),
    )
        .prop_map(
            |(segments, slash, methods, strict, endpoint, default)| RuleSpec {
                segments,
                slash,
                methods,
                strict,
                endpoint,
                default,
            },
        )
}

fn to_rule(spec: &RuleSpec) -> Rule {
    let mut pattern = String::new();
    for (i, &s) in spec.segments.iter().enumerate() {
        pattern.push('/');
        pattern.push_str(&segment_pattern(s, i));
    }
    if spec.slash || pattern.is_empty() {
        pattern.push('/');
    }
    let mut rule = Rule::new(pattern, format!("e{}", spec.endpoint));
    if let Some(ms) = &spec.methods {
        rule = rule.methods(
            ms.iter()
                .map(|&i| Method::from_bytes(METHODS[i].as_bytes()).unwrap()),
        );
    }
    if let Some(strict) = spec.strict {
        rule = rule.strict_slashes(strict);
    }
    if let Some(d) = spec.default {
        rule = rule.default_value("d", d);
    }
    rule
}

fn path_strategy() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(0..SEGMENTS.len(), 0..5),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(segs, slash, double)| {
            let mut p = String::new();
            if double {
                p.push('/');
            }
            for s in segs {
                p.push('/');
                p.push_str(SEGMENTS[s]);
            }
            if slash {
                p.push('/');
            }
            p
        })
}

/// A path derived from one of the rules: statics kept (mostly), variables
/// replaced by sample segments, slashes toggled.
#[derive(Debug, Clone)]
struct PathSpec {
    rule: usize,
    picks: Vec<usize>,
    keep: Vec<bool>,
    slash: Option<bool>,
    double: bool,
}

fn path_spec() -> impl Strategy<Value = PathSpec> {
    (
        0..8usize,
        prop::collection::vec(0..SEGMENTS.len(), 4),
        prop::collection::vec(prop::bool::weighted(0.85), 4),
        prop::option::of(any::<bool>()),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(rule, picks, keep, slash, double)| PathSpec {
            rule,
            picks,
            keep,
            slash,
            double,
        })
}

fn derive_path(specs: &[RuleSpec], p: &PathSpec) -> String {
    let spec = &specs[p.rule % specs.len()];
    let mut out = String::new();
    if p.double {
        out.push('/');
    }
    for (i, &seg) in spec.segments.iter().enumerate() {
        out.push('/');
        if seg < STATICS.len() && p.keep[i % 4] {
            out.push_str(STATICS[seg]);
        } else if seg >= STATICS.len()
            && VARS[(seg - STATICS.len()) % VARS.len()] == "v<int:{}>"
            && p.keep[i % 4]
        {
            out.push('v');
            out.push_str(SEGMENTS[p.picks[i % 4]]);
        } else {
            out.push_str(SEGMENTS[p.picks[i % 4]]);
        }
    }
    match p.slash {
        Some(true) => out.push('/'),
        Some(false) => {}
        None => {
            if spec.slash || out.is_empty() {
                out.push('/');
            }
        }
    }
    out
}

type Outcome = Result<(String, Vec<(String, Value<'static>)>), MatchError>;

fn outcome(map: &Map, host: &str, path: &str, method: &Method) -> Outcome {
    let a = map.bind_to_host(host, "http")?;
    let m = a.match_path(path, method)?;
    Ok((m.endpoint().to_owned(), m.values().to_owned_vec()))
}

fn build_pair(specs: &[RuleSpec], merge: bool, strict: bool) -> Option<(Map, Map)> {
    let make = |index: bool| {
        Map::builder()
            .use_index(index)
            .merge_slashes(merge)
            .strict_slashes(strict)
            .add(specs.iter().map(to_rule).collect::<Vec<_>>())
            .build()
    };
    Some((make(true).ok()?, make(false).ok()?))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, max_shrink_iters: 2000, ..ProptestConfig::default() })]

    /// The fast path (matchit index plus preceder checks) returns exactly
    /// what the reference matcher returns, errors and redirects included.
    #[test]
    fn index_agrees_with_reference(
        specs in prop::collection::vec(rule_spec(), 1..8),
        random_paths in prop::collection::vec(path_strategy(), 0..4),
        derived in prop::collection::vec(path_spec(), 1..8),
        method in 0..METHODS.len(),
        merge in any::<bool>(),
        strict in any::<bool>(),
    ) {
        let Some((fast, reference)) = build_pair(&specs, merge, strict) else {
            return Ok(());
        };
        let method = Method::from_bytes(METHODS[method].as_bytes()).unwrap();
        let paths: Vec<String> = random_paths
            .into_iter()
            .chain(derived.iter().map(|p| derive_path(&specs, p)))
            .collect();
        // `match_path_into` with values left over from the previous path
        // answers as `match_path` does.
        let mut values = Values::new();
        for path in &paths {
            let a = outcome(&fast, "example.com", path, &method);
            let b = outcome(&reference, "example.com", path, &method);
            prop_assert_eq!(&a, &b, "path {:?} rules {:?}", path, fast);
            let adapter = fast.bind_to_host("example.com", "http").unwrap();
            let into: Outcome = adapter
                .match_path_into(path, &method, &mut values)
                .map(|rule| (rule.endpoint().to_owned(), values.to_owned_vec()));
            prop_assert_eq!(into, a, "into: path {:?} rules {:?}", path, fast);
        }
    }

    /// Arbitrary paths, hosts and methods give a result or a typed error.
    #[test]
    fn bad_input_never_panics(
        specs in prop::collection::vec(rule_spec(), 0..6),
        path in "\\PC{0,40}|(/[%a-zA-Z0-9._~!$&'()*+,;=:@ -]{0,12}){0,6}",
        host in "\\PC{0,30}|[a-zA-Z0-9.:-]{0,30}",
        method in "[A-Z]{1,8}",
    ) {
        let rules: Vec<Rule> = specs.iter().map(to_rule).collect();
        let Ok(map) = Map::builder().add(rules).build() else {
            return Ok(());
        };
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        if let Ok(a) = map.bind_to_host(&host, "http") {
            let _ = a.match_path(&path, &method);
            let _ = a.allowed_methods(&path);
            for r in map.rules() {
                let _ = a.url_for(r.endpoint()).value("v0", path.as_str()).build();
            }
        }
        let _ = map.bind(&host).map(|a| a.match_path(&path, &method));
    }

    /// Arbitrary rule strings build a map or fail with a typed error.
    #[test]
    fn arbitrary_rules_never_panic(
        patterns in prop::collection::vec("/[a-z<>():,=/'\" .0-9_*]{0,24}", 1..5),
        path in "(/[a-z0-9.%]{0,6}){0,4}",
    ) {
        let mut b = Map::builder();
        for (i, p) in patterns.iter().enumerate() {
            b = b.rule(Rule::new(p.clone(), format!("e{i}")));
        }
        if let Ok(map) = b.build() {
            let a = map.bind("example.com").unwrap();
            let _ = a.match_path(&path, &Method::GET);
        }
    }
}

#[test]
fn huge_and_hostile_paths() {
    let map = Map::builder()
        .add(vec![
            Rule::new("/<a>.<b>.<c>.<d>", "dots"),
            Rule::new("/<path:p>/x", "px"),
            Rule::new("/<a><b><c>", "adjacent"),
        ])
        .build()
        .unwrap();
    let a = map.bind("example.com").unwrap();
    let long_dots = format!("/{}", ".".repeat(50_000));
    let long_slashes = "/a".repeat(20_000);
    let long_plain = format!("/{}", "a".repeat(100_000));
    for path in [&long_dots, &long_slashes, &long_plain] {
        match a.match_path(path, &Method::GET) {
            Ok(_) | Err(MatchError::NotFound) | Err(MatchError::BadRequest(_)) => {}
            other => panic!("{other:?}"),
        }
    }
}
