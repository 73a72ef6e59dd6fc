//! Helpers shared by the test modules.

use carafe_routing::{Map, MapAdapter, MatchError, Method, RuleFactory, Value};

/// Values of a match, sorted by name (Werkzeug compares dicts).
pub(crate) type Vals = Vec<(String, Value<'static>)>;

/// A map with default settings.
pub(crate) fn map(rules: impl RuleFactory) -> Map {
    Map::builder().add(rules).build().unwrap()
}

/// Sorted `(name, value)` pairs.
pub(crate) fn vals<const N: usize>(pairs: [(&str, Value<'static>); N]) -> Vals {
    let mut v: Vals = pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

/// Matches with a method: endpoint and sorted values.
pub(crate) fn req(
    a: &MapAdapter<'_>,
    path: &str,
    method: Method,
) -> Result<(String, Vals), MatchError> {
    let m = a.match_path(path, &method)?;
    let mut v = m.values().to_owned_vec();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    Ok((m.endpoint().to_owned(), v))
}

/// Matches with GET.
pub(crate) fn get(a: &MapAdapter<'_>, path: &str) -> Result<(String, Vals), MatchError> {
    req(a, path, Method::GET)
}

/// The endpoint of a GET match, panicking otherwise.
pub(crate) fn endpoint(a: &MapAdapter<'_>, path: &str) -> String {
    match get(a, path) {
        Ok((e, _)) => e,
        Err(e) => panic!("{path}: {e:?}"),
    }
}

/// The redirect location of a GET request, panicking otherwise.
pub(crate) fn redirect(a: &MapAdapter<'_>, path: &str) -> String {
    redirect_m(a, path, Method::GET)
}

/// The redirect location for a method.
pub(crate) fn redirect_m(a: &MapAdapter<'_>, path: &str, method: Method) -> String {
    match a.match_path(path, &method) {
        Err(MatchError::RequestRedirect { location }) => location,
        other => panic!("{path}: expected a redirect, got {other:?}"),
    }
}

/// `Ok` with an endpoint and no values.
pub(crate) fn ok(e: &str) -> Result<(String, Vals), MatchError> {
    Ok((e.to_owned(), Vec::new()))
}

/// `Ok` with an endpoint and values.
pub(crate) fn ok_v<const N: usize>(
    e: &str,
    pairs: [(&str, Value<'static>); N],
) -> Result<(String, Vals), MatchError> {
    Ok((e.to_owned(), vals(pairs)))
}
