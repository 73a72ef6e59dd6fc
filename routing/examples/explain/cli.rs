//! The logic of the `explain` example, as a function of arguments and
//! output streams so tests can run it without a process.

use std::io::Write;

use carafe_routing::{Map, MapBuilder, MatchError, Method, Rule, Value};

const USAGE: &str =
    "usage: explain RULES METHOD URL\n       explain RULES --build ENDPOINT [name=value ...]";

/// Runs `explain` with `args` (without the program name); returns the exit
/// code.
pub(crate) fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match run_inner(args, out) {
        Ok(()) => 0,
        Err(message) => {
            let _ = writeln!(err, "{message}");
            2
        }
    }
}

fn run_inner(args: &[String], out: &mut dyn Write) -> Result<(), String> {
    let [rules_path, rest @ ..] = args else {
        return Err(USAGE.to_owned());
    };
    let text = std::fs::read_to_string(rules_path)
        .map_err(|e| format!("{rules_path}: cannot read: {e}"))?;
    let map = load_map(&text).map_err(|e| format!("{rules_path}: {e}"))?;
    let line = match rest {
        [flag, endpoint, values @ ..] if flag == "--build" => build(&map, endpoint, values)?,
        [method, url] => explain(&map, method, url)?,
        _ => return Err(USAGE.to_owned()),
    };
    writeln!(out, "{line}").map_err(|e| e.to_string())
}

fn explain(map: &Map, method: &str, url: &str) -> Result<String, String> {
    let method =
        Method::from_bytes(method.as_bytes()).map_err(|_| format!("invalid method {method:?}"))?;
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| format!("the url must be absolute (http://host/path): {url:?}"))?;
    let rest = rest.split('#').next().unwrap_or("");
    let (authority, path_query) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => match rest.find('?') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        },
    };
    let (path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
    let adapter = match map.bind_to_host(authority, scheme) {
        Ok(a) => a.with_query(query),
        Err(e) => return Ok(outcome_line(&e)),
    };
    Ok(match adapter.match_path(path, &method) {
        Ok(m) => {
            let mut line = format!("match {}", m.endpoint());
            for (name, value) in m.values().iter() {
                line.push_str(&format!(" {name}={value}"));
            }
            line
        }
        Err(e) => outcome_line(&e),
    })
}

fn outcome_line(e: &MatchError) -> String {
    let methods = |allowed: &[Method]| {
        allowed
            .iter()
            .map(Method::as_str)
            .collect::<Vec<_>>()
            .join(",")
    };
    match e {
        MatchError::NotFound => "not-found".to_owned(),
        MatchError::MethodNotAllowed { allowed } => {
            format!("method-not-allowed {}", methods(allowed))
        }
        MatchError::AutomaticOptions { allowed } => format!("options {}", methods(allowed)),
        MatchError::RequestRedirect { location } => format!("redirect {location}"),
        other => format!("bad-request {other}"),
    }
}

fn build(map: &Map, endpoint: &str, values: &[String]) -> Result<String, String> {
    let adapter = map
        .bind_to_host("example.com", "http")
        .map_err(|e| e.to_string())?;
    let mut url = adapter.url_for(endpoint);
    for pair in values {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("expected name=value, got {pair:?}"))?;
        url = url.value(name, infer(value));
    }
    Ok(match url.build() {
        Ok(u) => u,
        Err(e) => format!("build-error {e}"),
    })
}

/// A value from text: an integer or float written canonically, `true` or
/// `false`, otherwise a string (so `007` stays text).
fn infer(text: &str) -> Value<'static> {
    if let Ok(i) = text.parse::<i64>()
        && i.to_string() == text
    {
        return Value::Int(i);
    }
    if let Ok(x) = text.parse::<f64>()
        && text.contains('.')
        && Value::Float(x).to_string() == text
    {
        return Value::Float(x);
    }
    match text {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => Value::from(text.to_owned()),
    }
}

fn parse_bool(key: &str, value: &str) -> Result<bool, String> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("{key} must be true or false, got {value:?}")),
    }
}

/// Splits a line on whitespace outside `<...>` and quotes.
fn tokens(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut quote = None;
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') if depth > 0 => quote = Some(c),
            (None, '<') => depth += 1,
            (None, '>') => depth = depth.saturating_sub(1),
            (None, c) if c.is_whitespace() && depth == 0 => {
                if let Some(s) = start.take() {
                    out.push(&line[s..i]);
                }
                continue;
            }
            _ => {}
        }
        if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(&line[s..]);
    }
    out
}

fn load_map(text: &str) -> Result<Map, String> {
    let mut builder = Map::builder();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = |e: String| format!("line {}: {e}", n + 1);
        let toks = tokens(line);
        if toks[0] == "@map" {
            builder = map_options(builder, &toks[1..]).map_err(at)?;
            continue;
        }
        let [pattern, endpoint, options @ ..] = toks.as_slice() else {
            return Err(at(format!(
                "expected PATTERN ENDPOINT [options], got {line:?}"
            )));
        };
        let rule = rule_options(Rule::new(*pattern, *endpoint), options).map_err(at)?;
        builder = builder.rule(rule);
    }
    builder.build().map_err(|e| e.to_string())
}

fn map_options(mut b: MapBuilder, options: &[&str]) -> Result<MapBuilder, String> {
    for opt in options {
        let (key, value) = opt
            .split_once('=')
            .ok_or_else(|| format!("expected key=value, got {opt:?}"))?;
        b = match key {
            "server_name" => b.server_name(value),
            "host_matching" => b.host_matching(parse_bool(key, value)?),
            "subdomain_matching" => b.subdomain_matching(parse_bool(key, value)?),
            "merge_slashes" => b.merge_slashes(parse_bool(key, value)?),
            "strict_slashes" => b.strict_slashes(parse_bool(key, value)?),
            "redirect_defaults" => b.redirect_defaults(parse_bool(key, value)?),
            "automatic_options" => b.automatic_options(parse_bool(key, value)?),
            "default_subdomain" => b.default_subdomain(value),
            _ => return Err(format!("unknown map option {key:?}")),
        };
    }
    Ok(b)
}

fn rule_options(mut rule: Rule, options: &[&str]) -> Result<Rule, String> {
    for opt in options {
        let (key, value) = opt
            .split_once('=')
            .ok_or_else(|| format!("expected key=value, got {opt:?}"))?;
        rule = match key {
            "methods" => {
                let mut methods = Vec::new();
                for m in value.split(',') {
                    methods.push(
                        Method::from_bytes(m.trim().to_ascii_uppercase().as_bytes())
                            .map_err(|_| format!("invalid method {m:?}"))?,
                    );
                }
                rule.methods(methods)
            }
            "strict_slashes" => rule.strict_slashes(parse_bool(key, value)?),
            "merge_slashes" => rule.merge_slashes(parse_bool(key, value)?),
            "redirect_to" => rule.redirect_to(value),
            "subdomain" => rule.subdomain(value),
            "host" => rule.host(value),
            "alias" => rule.alias(parse_bool(key, value)?),
            "build_only" => rule.build_only(parse_bool(key, value)?),
            "defaults" => {
                for pair in value.split(',').filter(|p| !p.is_empty()) {
                    let (name, v) = pair
                        .split_once(':')
                        .ok_or_else(|| format!("expected name:value in defaults, got {pair:?}"))?;
                    rule = rule.default_value(name, infer(v));
                }
                rule
            }
            _ => return Err(format!("unknown rule option {key:?}")),
        };
    }
    Ok(rule)
}
