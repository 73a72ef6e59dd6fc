//! The GitHub REST API v3 route table (`github_routes.txt`: 239 routes on
//! 154 paths, from the router benchmark of julienschmidt/go-http-routing-
//! benchmark with its commented-out routes), registered on the App as
//! Werkzeug rules: `{name}` becomes `<name>`, `{*name}` `<path:name>`, and
//! the issue route takes `<int:number>`.

use carafe::AppBuilder;
use carafe::prelude::*;
use carafe::routing::{Rule, Values};

/// The table, one `METHOD /path/{param}` per line.
pub(crate) const ROUTES: &str = include_str!("github_routes.txt");

/// The table path whose handler answers with its values; every other path
/// answers `ok`.
pub(crate) const ISSUE_PATH: &str = "/repos/{owner}/{repo}/issues/{number}";

/// The table's paths in first-seen order, each with the methods listed for
/// it (one rule per path, as Flask registers a view for several methods).
pub(crate) fn paths() -> Vec<(&'static str, Vec<Method>)> {
    let mut paths: Vec<(&'static str, Vec<Method>)> = Vec::new();
    for line in ROUTES.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (method, path) = line
            .split_once(' ')
            .unwrap_or_else(|| panic!("`{line}` is not `METHOD /path`"));
        let method: Method = method
            .parse()
            .unwrap_or_else(|_| panic!("`{method}` is not a method"));
        match paths.iter_mut().find(|(known, _)| *known == path) {
            Some((_, methods)) => methods.push(method),
            None => paths.push((path, vec![method])),
        }
    }
    paths
}

/// The Werkzeug rule for a table path: `{name}` → `<name>`, `{*name}` →
/// `<path:name>`; the issue route's number is an `int`.
pub(crate) fn rule_pattern(path: &str) -> String {
    let segments: Vec<String> = path
        .split('/')
        .map(
            |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => match name.strip_prefix('*') {
                    Some(rest) => format!("<path:{rest}>"),
                    None if path == ISSUE_PATH && name == "number" => "<int:number>".to_owned(),
                    None => format!("<{name}>"),
                },
                None => segment.to_owned(),
            },
        )
        .collect();
    segments.join("/")
}

/// Every table route but the issue route.
fn ok(_: &Request) -> &'static str {
    "ok"
}

/// `/repos/<owner>/<repo>/issues/<int:number>`, for every method the table
/// lists for it.
fn issue(_: &Request, values: &Values<'_>) -> Result<String, Error> {
    let number: i64 = values.get_as("number")?;
    let (Some(owner), Some(repo)) = (values.get("owner"), values.get("repo")) else {
        return Err(Error::msg("the issue rule lost its owner or repo"));
    };
    Ok(format!("issue {number} of {owner}/{repo}"))
}

/// Registers the whole table: endpoint `gh{i}` for the `i`-th path.
pub(crate) fn register(mut app: AppBuilder) -> AppBuilder {
    for (index, (path, methods)) in paths().into_iter().enumerate() {
        let rule = Rule::new(rule_pattern(path), format!("gh{index}")).methods(methods);
        app = if path == ISSUE_PATH {
            app.add_url_rule(rule, issue)
        } else {
            app.add_url_rule(rule, ok)
        };
    }
    app
}
