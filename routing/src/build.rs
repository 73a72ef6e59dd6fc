//! URL building (Werkzeug's `MapAdapter.build`, Flask's `url_for`).

use std::borrow::Cow;
use std::collections::HashMap;

use http::Method;

use crate::adapter::MapAdapter;
use crate::compile::{BuildOp, CompiledRule};
use crate::encode::{encode_anchor, encode_path_text, encode_query_component};
use crate::error::{BuildError, Suggestion};
use crate::methods::MethodKey;
use crate::value::Value;

/// Builds a URL for an endpoint: values for the rule's variables (the rest
/// become the query string), a method to pick among rules, external URLs
/// with scheme and host, an anchor. From [`MapAdapter::url_for`].
///
/// # Examples
///
/// ```
/// use carafe_routing::{Map, Rule};
///
/// let map = Map::builder()
///     .rule(Rule::new("/num/<int(fixed_digits=3):n>", "num"))
///     .build()
///     .unwrap();
/// let a = map.bind("example.com").unwrap();
/// let url = a.url_for("num").value("n", 7).value("q", "a b").value("q", "c").anchor("top").build();
/// assert_eq!(url.unwrap(), "/num/007?q=a+b&q=c#top");
/// let url = a.url_for("num").value("n", 7).external(true).scheme("https").build();
/// assert_eq!(url.unwrap(), "https://example.com/num/007");
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct UrlBuilder<'r, 'v> {
    adapter: &'r MapAdapter<'r>,
    endpoint: Cow<'v, str>,
    values: Vec<(Cow<'v, str>, Value<'v>)>,
    method: Option<Method>,
    external: bool,
    scheme: Option<Cow<'v, str>>,
    anchor: Option<Cow<'v, str>>,
    append_unknown: bool,
}

impl<'r, 'v> UrlBuilder<'r, 'v> {
    /// Adds a value. Repeating a name gives a list (repeated query keys).
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe_routing::{Map, Rule};
    /// # let map = Map::builder().rule(Rule::new("/", "i")).build().unwrap();
    /// # let a = map.bind("h").unwrap();
    /// assert_eq!(a.url_for("i").value("v", 1).value("v", 2).build().unwrap(), "/?v=1&v=2");
    /// ```
    pub fn value(mut self, name: impl Into<Cow<'v, str>>, value: impl Into<Value<'v>>) -> Self {
        self.values.push((name.into(), value.into()));
        self
    }

    /// Adds several values.
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe_routing::{Map, Rule, Value};
    /// # let map = Map::builder().rule(Rule::new("/<a>/<b>", "i")).build().unwrap();
    /// # let a = map.bind("h").unwrap();
    /// let url = a.url_for("i").values([("a", Value::from("x")), ("b", Value::from(2))]).build();
    /// assert_eq!(url.unwrap(), "/x/2");
    /// ```
    pub fn values<K: Into<Cow<'v, str>>>(
        mut self,
        values: impl IntoIterator<Item = (K, Value<'v>)>,
    ) -> Self {
        for (k, v) in values {
            self.values.push((k.into(), v));
        }
        self
    }

    /// Prefers the rule that accepts this method.
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe_routing::{Map, Rule};
    /// # use http::Method;
    /// # let map = Map::builder()
    /// #     .rule(Rule::new("/search_get", "search").methods([Method::GET]))
    /// #     .rule(Rule::new("/search_post", "search").methods([Method::POST]))
    /// #     .build().unwrap();
    /// # let a = map.bind("h").unwrap();
    /// assert_eq!(a.url_for("search").method(Method::POST).build().unwrap(), "/search_post");
    /// ```
    pub fn method(mut self, method: Method) -> Self {
        self.method = Some(method);
        self
    }

    /// Always returns an absolute URL (scheme and host).
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe_routing::{Map, Rule};
    /// # let map = Map::builder().rule(Rule::new("/", "i")).build().unwrap();
    /// assert_eq!(map.bind("h").unwrap().url_for("i").external(true).build().unwrap(), "http://h/");
    /// ```
    pub fn external(mut self, external: bool) -> Self {
        self.external = external;
        self
    }

    /// The scheme of absolute URLs (default: the adapter's).
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe_routing::{Map, Rule};
    /// # let map = Map::builder().rule(Rule::new("/", "i")).build().unwrap();
    /// let url = map.bind("h").unwrap().url_for("i").external(true).scheme("https").build();
    /// assert_eq!(url.unwrap(), "https://h/");
    /// ```
    pub fn scheme(mut self, scheme: impl Into<Cow<'v, str>>) -> Self {
        self.scheme = Some(scheme.into());
        self
    }

    /// Appends `#anchor` (percent-encoded).
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe_routing::{Map, Rule};
    /// # let map = Map::builder().rule(Rule::new("/", "i")).build().unwrap();
    /// assert_eq!(map.bind("h").unwrap().url_for("i").anchor("a b").build().unwrap(), "/#a%20b");
    /// ```
    pub fn anchor(mut self, anchor: impl Into<Cow<'v, str>>) -> Self {
        self.anchor = Some(anchor.into());
        self
    }

    /// Whether values that are not rule variables become the query string
    /// (default true) or are dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe_routing::{Map, Rule};
    /// # let map = Map::builder().rule(Rule::new("/", "i")).build().unwrap();
    /// let url = map.bind("h").unwrap().url_for("i").value("v", 1).append_unknown(false).build();
    /// assert_eq!(url.unwrap(), "/");
    /// ```
    pub fn append_unknown(mut self, on: bool) -> Self {
        self.append_unknown = on;
        self
    }

    /// Builds the URL.
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe_routing::{Map, Rule, BuildError};
    /// # let map = Map::builder().rule(Rule::new("/<any(a, b):x>", "i")).build().unwrap();
    /// let err = map.bind("h").unwrap().url_for("i").value("x", "c").build().unwrap_err();
    /// assert!(matches!(err, BuildError::InvalidValue { .. }));
    /// ```
    pub fn build(self) -> Result<String, BuildError> {
        let a = self.adapter;
        // Group repeated names into lists, keeping first-seen order.
        let mut grouped: Vec<(Cow<'v, str>, Value<'v>)> = Vec::with_capacity(self.values.len());
        let mut positions: HashMap<Cow<'v, str>, usize> = HashMap::new();
        let many = self.values.len() > 16;
        for (k, v) in self.values {
            let at = if many {
                positions.get(&k).copied()
            } else {
                grouped.iter().position(|(n, _)| *n == k)
            };
            match at {
                Some(i) => {
                    let slot = &mut grouped[i].1;
                    let mut items = match std::mem::replace(slot, Value::Int(0)) {
                        Value::List(items) => items.into_vec(),
                        first => vec![first],
                    };
                    items.push(v);
                    *slot = Value::List(items.into_boxed_slice());
                }
                None => {
                    if many {
                        positions.insert(k.clone(), grouped.len());
                    }
                    grouped.push((k, v));
                }
            }
        }
        let Some((domain, path, websocket)) = a.partial_build(
            &self.endpoint,
            &grouped,
            self.method.as_ref(),
            self.append_unknown,
        )?
        else {
            return Err(a.build_error(&self.endpoint, &grouped, self.method));
        };
        let host = a.host_for(Some(&domain));
        let mut scheme: Cow<'_, str> = match &self.scheme {
            Some(s) => Cow::Borrowed(s),
            None => Cow::Borrowed(&a.scheme),
        };
        let secure = matches!(&*scheme, "https" | "wss");
        let mut external = self.external;
        if websocket {
            external = true;
            scheme = Cow::Borrowed(if secure { "wss" } else { "ws" });
        } else if !scheme.is_empty() {
            scheme = Cow::Borrowed(if secure { "https" } else { "http" });
        }
        let s = &a.map.settings;
        let same_domain = if s.subdomain_matching {
            domain == *a.subdomain
        } else if s.host_matching {
            host == *a.server_name
        } else {
            true
        };
        let mut url = if !external && same_domain {
            format!("{}/{}", a.script_root, path.trim_start_matches('/'))
        } else {
            let prefix = if scheme.is_empty() {
                String::new()
            } else {
                format!("{scheme}:")
            };
            format!(
                "{prefix}//{host}{}/{}",
                a.script_root,
                path.trim_start_matches('/')
            )
        };
        if let Some(anchor) = self.anchor {
            url.push('#');
            url.push_str(&encode_anchor(&anchor));
        }
        Ok(url)
    }
}

impl<'a> MapAdapter<'a> {
    /// Starts building a URL for `endpoint` (Flask's `url_for`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe_routing::{Map, Rule};
    /// # let map = Map::builder().rule(Rule::new("/bar/<baz>", "bar")).build().unwrap();
    /// let a = map.bind("example.org").unwrap();
    /// assert_eq!(a.url_for("bar").value("baz", "blub").build().unwrap(), "/bar/blub");
    /// ```
    pub fn url_for<'r, 'v>(&'r self, endpoint: impl Into<Cow<'v, str>>) -> UrlBuilder<'r, 'v>
    where
        'a: 'r,
    {
        UrlBuilder {
            adapter: self,
            endpoint: endpoint.into(),
            values: Vec::new(),
            method: None,
            external: false,
            scheme: None,
            anchor: None,
            append_unknown: true,
        }
    }

    /// Builds a URL from `(name, value)` pairs (shorthand for
    /// [`url_for`](Self::url_for)).
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe_routing::{Map, Rule, Value};
    /// # let map = Map::builder().rule(Rule::new("/bar/<int:bazi>", "bari")).build().unwrap();
    /// let a = map.bind("example.org").unwrap();
    /// assert_eq!(a.build("bari", [("bazi", Value::from(50))]).unwrap(), "/bar/50");
    /// ```
    pub fn build<'v, K: Into<Cow<'v, str>>>(
        &self,
        endpoint: &'v str,
        values: impl IntoIterator<Item = (K, Value<'v>)>,
    ) -> Result<String, BuildError> {
        self.url_for(endpoint).values(values).build()
    }

    /// Werkzeug's `_partial_build`: the first suitable rule's domain part,
    /// path (with query) and websocket flag.
    fn partial_build(
        &self,
        endpoint: &str,
        values: &[(Cow<'_, str>, Value<'_>)],
        method: Option<&Method>,
        append_unknown: bool,
    ) -> Result<Option<(String, String, bool)>, BuildError> {
        if method.is_none()
            && let Some(found) =
                self.partial_build(endpoint, values, Some(&self.method), append_unknown)?
        {
            return Ok(Some(found));
        }
        let Some(ids) = self.map.by_endpoint.get(endpoint) else {
            return Ok(None);
        };
        let lookup = ValuesView::new(values);
        let mut first = None;
        for &id in ids {
            let rule = &self.map.rules[id as usize];
            if !lookup.suitable_for(rule, method) {
                continue;
            }
            let (domain, path) = self.build_rule(rule, values, append_unknown)?;
            if self.map.settings.host_matching {
                if domain == *self.server_name {
                    return Ok(Some((domain, path, rule.rule.websocket)));
                }
                if first.is_none() {
                    first = Some((domain, path, rule.rule.websocket));
                }
            } else {
                return Ok(Some((domain, path, rule.rule.websocket)));
            }
        }
        Ok(first)
    }

    /// Werkzeug's `Rule.build`: the domain part and the path (with the
    /// query string of unknown values when `append_unknown`).
    pub(crate) fn build_rule(
        &self,
        rule: &CompiledRule,
        values: &[(Cow<'_, str>, Value<'_>)],
        append_unknown: bool,
    ) -> Result<(String, String), BuildError> {
        let view = ValuesView::new(values);
        let run = |ops: &[BuildOp]| -> Result<String, BuildError> {
            let mut out = String::new();
            for op in ops {
                match op {
                    BuildOp::Static(s) => out.push_str(s),
                    BuildOp::Var(i) => {
                        let name = &*rule.var_names[*i];
                        let value = rule
                            .default_for(name)
                            .or_else(|| view.get(name))
                            .ok_or_else(|| BuildError::InvalidValue {
                                endpoint: rule.rule.endpoint.clone(),
                                name: name.to_owned(),
                                message: "no value".to_owned(),
                            })?;
                        let conv = &rule.converters[*i];
                        let text = conv.to_url(value).map_err(|e| BuildError::InvalidValue {
                            endpoint: rule.rule.endpoint.clone(),
                            name: name.to_owned(),
                            message: e.to_string(),
                        })?;
                        out.push_str(&encode_path_text(&text, conv.matches_slash()));
                    }
                }
            }
            Ok(out)
        };
        let domain = run(&rule.domain_build)?;
        let mut path = run(&rule.path_build)?;
        if append_unknown {
            let mut unknown: Vec<&(Cow<'_, str>, Value<'_>)> = values
                .iter()
                .filter(|(k, _)| {
                    rule.arguments
                        .binary_search_by(|a| a.as_str().cmp(k))
                        .is_err()
                })
                .collect();
            if self.map.settings.sort_parameters {
                unknown.sort_by(|a, b| a.0.cmp(&b.0));
            }
            let mut query = String::new();
            for (k, v) in unknown {
                let items: &[Value<'_>] = match v {
                    Value::List(items) => items,
                    single => std::slice::from_ref(single),
                };
                for item in items {
                    if !query.is_empty() {
                        query.push('&');
                    }
                    encode_query_component(k, &mut query);
                    query.push('=');
                    encode_query_component(&item.to_string(), &mut query);
                }
            }
            if !query.is_empty() {
                path.push('?');
                path.push_str(&query);
            }
        }
        Ok((domain, path))
    }

    /// A [`BuildError::NoRule`] with Werkzeug's suggestion.
    fn build_error(
        &self,
        endpoint: &str,
        values: &[(Cow<'_, str>, Value<'_>)],
        method: Option<Method>,
    ) -> BuildError {
        let mut names: Vec<String> = values.iter().map(|(k, _)| k.to_string()).collect();
        names.sort();
        let closest = closest_rule(self, endpoint, &names, method.as_ref());
        let suggestion = closest.map(|r| {
            let mut s = Suggestion {
                endpoint: r.rule.endpoint.clone(),
                pattern: r.rule.pattern.clone(),
                missing: Vec::new(),
                methods: None,
            };
            if r.rule.endpoint == endpoint {
                if let (Some(m), Some(ms)) = (&method, &r.explicit_methods)
                    && !ms.contains(MethodKey::new(m))
                {
                    s.methods = Some(ms.to_sorted_vec());
                }
                s.missing = r
                    .arguments
                    .iter()
                    .filter(|a| !names.contains(a))
                    .cloned()
                    .collect();
            }
            Box::new(s)
        });
        BuildError::NoRule {
            endpoint: endpoint.to_owned(),
            values: names,
            method,
            suggestion,
        }
    }
}

/// Lookups over build values (hashed when there are many).
struct ValuesView<'s, 'v> {
    values: &'s [(Cow<'v, str>, Value<'v>)],
    index: Option<HashMap<&'s str, usize>>,
}

impl<'s, 'v> ValuesView<'s, 'v> {
    fn new(values: &'s [(Cow<'v, str>, Value<'v>)]) -> Self {
        let index = (values.len() > 16).then(|| {
            values
                .iter()
                .enumerate()
                .map(|(i, (k, _))| (&**k, i))
                .collect()
        });
        ValuesView { values, index }
    }

    fn get(&self, name: &str) -> Option<&Value<'v>> {
        match &self.index {
            Some(ix) => ix.get(name).map(|&i| &self.values[i].1),
            None => self.values.iter().find(|(k, _)| k == name).map(|(_, v)| v),
        }
    }

    /// Werkzeug's `Rule.suitable_for`.
    fn suitable_for(&self, rule: &CompiledRule, method: Option<&Method>) -> bool {
        if let (Some(m), Some(_)) = (method, &rule.methods)
            && !rule.allows(MethodKey::new(m))
        {
            return false;
        }
        for arg in &rule.arguments {
            if rule.default_for(arg).is_none() && self.get(arg).is_none() {
                return false;
            }
        }
        for (k, v) in &rule.rule.defaults {
            if let Some(given) = self.get(k)
                && given != v
            {
                return false;
            }
        }
        true
    }
}

/// Werkzeug's `BuildError.closest_rule`: endpoint similarity first, then
/// whether the values fit and the method is accepted.
fn closest_rule<'m>(
    adapter: &MapAdapter<'m>,
    endpoint: &str,
    names: &[String],
    method: Option<&Method>,
) -> Option<&'m CompiledRule> {
    let mut best: Option<(f64, &CompiledRule)> = None;
    for rule in &adapter.map.rules {
        let mut score = 0.98 * similarity(&rule.rule.endpoint, endpoint);
        if names.iter().all(|n| rule.arguments.contains(n)) {
            score += 0.01;
        }
        if let (Some(m), Some(ms)) = (method, &rule.explicit_methods)
            && ms.contains(MethodKey::new(m))
        {
            score += 0.01;
        }
        if best.is_none_or(|(b, _)| score > b) {
            best = Some((score, rule));
        }
    }
    best.map(|(_, r)| r)
}

/// difflib's `SequenceMatcher.ratio` (Ratcliff/Obershelp): twice the
/// matched characters over the total length.
pub(crate) fn similarity(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let matched = matching_chars(&a, &b);
    2.0 * matched as f64 / (a.len() + b.len()) as f64
}

fn matching_chars(a: &[char], b: &[char]) -> usize {
    if a.is_empty() || b.is_empty() {
        return 0;
    }
    // Longest common substring, earliest in `a`, then earliest in `b`.
    let mut best = (0, 0, 0);
    let mut prev = vec![0usize; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![0usize; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            if ca == cb {
                cur[j + 1] = prev[j] + 1;
                let k = cur[j + 1];
                if k > best.2 {
                    best = (i + 1 - k, j + 1 - k, k);
                }
            }
        }
        prev = cur;
    }
    let (i, j, k) = best;
    if k == 0 {
        return 0;
    }
    k + matching_chars(&a[..i], &b[..j]) + matching_chars(&a[i + k..], &b[j + k..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn difflib_ratios() {
        assert_eq!(similarity("abcd", "bcde"), 0.75);
        assert_eq!(similarity("", ""), 1.0);
        assert_eq!(similarity("abc", "xyz"), 0.0);
        assert!(similarity("admin.users", "admin.user") > similarity("users.here", "admin.user"));
    }
}
