//! `MapAdapter`: a map bound to one request's host, scheme and root, which
//! matches paths and builds URLs (Werkzeug's `MapAdapter`).

mod after;
mod matched;

pub use matched::Match;
pub(crate) use matched::{add_defaults, assemble};

use std::borrow::Cow;

use http::Method;

use crate::compile::CompiledRule;
use crate::encode::{canonicalize, has_double_slash, is_plain, merge_slashes, urljoin};
use crate::error::{BadRequest, MatchError};
use crate::index::{Lookup, PathForm};
use crate::map::Map;
use crate::matcher::{ReqParts, Stop, Walk};
use crate::methods::{MethodKey, MethodSet};
use crate::part::MATCH_LIMIT;
use crate::rule::{RedirectTo, Rule};
use crate::value::Value;
use crate::values::Values;

/// A [`Map`] bound to a request: server name, subdomain, scheme, script
/// root, and optionally the path, method and query to match. Cheap to
/// create per request; borrows the map and the request's strings.
///
/// # Examples
///
/// ```
/// use carafe_routing::{Map, MatchError, Rule};
/// use http::Method;
///
/// let map = Map::builder().rule(Rule::new("/bar/", "bar")).build().unwrap();
/// let adapter = map
///     .bind("example.org")
///     .unwrap()
///     .with_script_root("/test")
///     .with_path("/bar")
///     .with_query("a=1");
/// assert_eq!(
///     adapter.match_request().unwrap_err(),
///     MatchError::RequestRedirect { location: "http://example.org/test/bar/?a=1".into() }
/// );
/// assert_eq!(adapter.url_for("bar").build().unwrap(), "/test/bar/");
/// ```
#[derive(Clone, Debug)]
pub struct MapAdapter<'a> {
    pub(crate) map: &'a Map,
    pub(crate) server_name: Cow<'a, str>,
    pub(crate) subdomain: Cow<'a, str>,
    pub(crate) script_root: Cow<'a, str>,
    pub(crate) scheme: Cow<'a, str>,
    pub(crate) path: Cow<'a, str>,
    pub(crate) query: Cow<'a, str>,
    pub(crate) method: Method,
    pub(crate) websocket: bool,
}

/// Why the reference matcher found nothing.
pub(crate) enum Miss {
    /// Redirect to this canonical path.
    Path(String),
    NoMatch {
        have: MethodSet,
        ws_mismatch: bool,
    },
    Limit,
}

impl<'a> MapAdapter<'a> {
    pub(crate) fn new(map: &'a Map, server_name: Cow<'a, str>, subdomain: Cow<'a, str>) -> Self {
        MapAdapter {
            map,
            server_name,
            subdomain,
            script_root: Cow::Borrowed(""),
            scheme: Cow::Borrowed("http"),
            path: Cow::Borrowed("/"),
            query: Cow::Borrowed(""),
            method: Method::GET,
            websocket: false,
        }
    }

    /// Sets the mount point of the application (WSGI's `SCRIPT_NAME`), used
    /// in built URLs and redirects.
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe_routing::{Map, Rule};
    /// # let map = Map::builder().rule(Rule::new("/", "i")).build().unwrap();
    /// let a = map.bind("h").unwrap().with_script_root("/app/");
    /// assert_eq!(a.url_for("i").build().unwrap(), "/app/");
    /// ```
    pub fn with_script_root(mut self, script_root: &'a str) -> Self {
        self.script_root = Cow::Borrowed(script_root.trim_end_matches('/'));
        self
    }

    /// Sets the subdomain (for subdomain matching and building).
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe_routing::{Map, Rule};
    /// # let map = Map::builder().rule(Rule::new("/", "i").subdomain("api")).build().unwrap();
    /// let a = map.bind("example.com").unwrap().with_subdomain("api");
    /// assert_eq!(a.match_path("/", &http::Method::GET).unwrap().endpoint(), "i");
    /// ```
    pub fn with_subdomain(mut self, subdomain: &'a str) -> Self {
        self.subdomain = Cow::Borrowed(subdomain);
        self
    }

    /// Sets the scheme (`http`, `https`, `ws`, `wss`) for external URLs;
    /// `ws`/`wss` make the request a WebSocket request.
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe_routing::{Map, Rule};
    /// # let map = Map::builder().rule(Rule::new("/", "i")).build().unwrap();
    /// let a = map.bind("h").unwrap().with_scheme("https");
    /// assert_eq!(a.url_for("i").external(true).build().unwrap(), "https://h/");
    /// ```
    pub fn with_scheme(mut self, scheme: &'a str) -> Self {
        self.websocket = matches!(scheme, "ws" | "wss");
        self.scheme = Cow::Borrowed(scheme);
        self
    }

    /// Overrides whether the request is a WebSocket request.
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe_routing::{Map, Rule};
    /// # let map = Map::builder().rule(Rule::new("/ws", "ws").websocket(true)).build().unwrap();
    /// let a = map.bind("h").unwrap().with_websocket(true);
    /// assert_eq!(a.match_path("/ws", &http::Method::GET).unwrap().endpoint(), "ws");
    /// ```
    pub fn with_websocket(mut self, websocket: bool) -> Self {
        self.websocket = websocket;
        self
    }

    /// Sets the raw (percent-encoded) path for [`match_request`](Self::match_request).
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe_routing::{Map, Rule};
    /// # let map = Map::builder().rule(Rule::new("/a", "a")).build().unwrap();
    /// let a = map.bind("h").unwrap().with_path("/a");
    /// assert_eq!(a.match_request().unwrap().endpoint(), "a");
    /// ```
    pub fn with_path(mut self, path: &'a str) -> Self {
        self.path = Cow::Borrowed(path);
        self
    }

    /// Sets the raw query string, kept on redirects.
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe_routing::{Map, Rule};
    /// # let map = Map::builder().rule(Rule::new("/a/", "a")).build().unwrap();
    /// let a = map.bind("h").unwrap().with_path("/a").with_query("x=1");
    /// assert_eq!(a.match_request().unwrap_err().location(), Some("http://h/a/?x=1"));
    /// ```
    pub fn with_query(mut self, query: &'a str) -> Self {
        self.query = Cow::Borrowed(query);
        self
    }

    /// Sets the request method (default GET): used by
    /// [`match_request`](Self::match_request) and preferred when building.
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe_routing::{Map, Rule};
    /// # use http::Method;
    /// # let map = Map::builder().rule(Rule::new("/a", "a").methods([Method::POST])).build().unwrap();
    /// let a = map.bind("h").unwrap().with_path("/a").with_method(Method::POST);
    /// assert_eq!(a.match_request().unwrap().endpoint(), "a");
    /// ```
    pub fn with_method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }

    /// The server name (normalized: lowercase, IDNA).
    ///
    /// # Examples
    ///
    /// ```
    /// # let map = carafe_routing::Map::builder().build().unwrap();
    /// assert_eq!(map.bind("☃.example.com").unwrap().server_name(), "xn--n3h.example.com");
    /// ```
    pub fn server_name(&self) -> &str {
        &self.server_name
    }

    /// The subdomain.
    ///
    /// # Examples
    ///
    /// ```
    /// # let map = carafe_routing::Map::builder().build().unwrap();
    /// assert_eq!(map.bind("h").unwrap().subdomain(), "");
    /// ```
    pub fn subdomain(&self) -> &str {
        &self.subdomain
    }

    /// The map.
    ///
    /// # Examples
    ///
    /// ```
    /// # let map = carafe_routing::Map::builder().build().unwrap();
    /// assert_eq!(map.bind("h").unwrap().map().rules().count(), 0);
    /// ```
    pub fn map(&self) -> &'a Map {
        self.map
    }

    /// Matches the bound path and method.
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe_routing::{Map, Rule};
    /// # let map = Map::builder().rule(Rule::new("/", "index")).build().unwrap();
    /// assert_eq!(map.bind("h").unwrap().match_request().unwrap().endpoint(), "index");
    /// ```
    pub fn match_request(&self) -> Result<Match<'_>, MatchError> {
        self.match_path(&self.path, &self.method)
    }

    /// Matches a raw (percent-encoded) path with a method: the matched rule
    /// and values, or why not (see [`MatchError`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{Map, MatchError, Rule};
    /// use http::Method;
    ///
    /// let map = Map::builder()
    ///     .rule(Rule::new("/page/<int:n>", "num"))
    ///     .rule(Rule::new("/page/<name>", "named"))
    ///     .build()
    ///     .unwrap();
    /// let a = map.bind("example.com").unwrap();
    /// assert_eq!(a.match_path("/page/7", &Method::GET).unwrap().endpoint(), "num");
    /// assert_eq!(a.match_path("/page/seven", &Method::GET).unwrap().endpoint(), "named");
    /// let m = a.match_path("/page/caf%C3%A9", &Method::GET).unwrap();
    /// assert_eq!(m.get::<String>("name").unwrap(), "café");
    /// assert!(matches!(a.match_path("/page/%FF", &Method::GET), Err(MatchError::BadRequest(_))));
    /// ```
    pub fn match_path<'p>(&self, path: &'p str, method: &Method) -> Result<Match<'p>, MatchError>
    where
        'a: 'p,
    {
        let mut values = Values::new();
        let rule = self.match_compiled(path, method, &mut values)?;
        Ok(Match { rule, values })
    }

    /// [`match_path`](Self::match_path) into values the caller owns: the
    /// matched rule, with its values in `values` (cleared first; left empty
    /// or partly filled on an error). The same answer, without moving a
    /// [`Match`]: for a framework's dispatch loop, where a match costs
    /// about as much as the radix tree's lookup.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{Map, MatchError, Rule, Values};
    /// use http::Method;
    ///
    /// let map = Map::builder().rule(Rule::new("/users/<int:id>", "user")).build().unwrap();
    /// let a = map.bind("example.com").unwrap();
    /// let mut values = Values::new();
    /// let rule = a.match_path_into("/users/42", &Method::GET, &mut values).unwrap();
    /// assert_eq!(rule.endpoint(), "user");
    /// assert_eq!(values.get_as::<u32>("id").unwrap(), 42);
    /// assert_eq!(
    ///     a.match_path_into("/users/x", &Method::GET, &mut values).unwrap_err(),
    ///     MatchError::NotFound
    /// );
    /// ```
    pub fn match_path_into<'p>(
        &self,
        path: &'p str,
        method: &Method,
        values: &mut Values<'p>,
    ) -> Result<&'p Rule, MatchError>
    where
        'a: 'p,
    {
        values.clear();
        Ok(&self.match_compiled(path, method, values)?.rule)
    }

    /// [`match_path_into`](Self::match_path_into) that also gives the
    /// matched rule's position in [`Map::rules`]: a framework can keep what
    /// it needs per rule in a vector instead of looking the endpoint up by
    /// name on every request.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{Map, Rule, Values};
    /// use http::Method;
    ///
    /// let map = Map::builder()
    ///     .rule(Rule::new("/", "index"))
    ///     .rule(Rule::new("/users/<int:id>", "user"))
    ///     .build()
    ///     .unwrap();
    /// let a = map.bind("example.com").unwrap();
    /// let mut values = Values::new();
    /// let (position, rule) = a.match_rule_into("/users/42", &Method::GET, &mut values).unwrap();
    /// assert_eq!((position, rule.endpoint()), (1, "user"));
    /// assert_eq!(map.rules().nth(position).unwrap().endpoint(), "user");
    /// ```
    pub fn match_rule_into<'p>(
        &self,
        path: &'p str,
        method: &Method,
        values: &mut Values<'p>,
    ) -> Result<(usize, &'p Rule), MatchError>
    where
        'a: 'p,
    {
        values.clear();
        let compiled = self.match_compiled(path, method, values)?;
        Ok((compiled.id as usize, &compiled.rule))
    }

    /// The matched rule, its values in `values` (empty on entry).
    #[inline(always)]
    fn match_compiled<'p>(
        &self,
        path: &'p str,
        method: &Method,
        values: &mut Values<'p>,
    ) -> Result<&'p CompiledRule, MatchError>
    where
        'a: 'p,
    {
        let map: &'p Map = self.map;
        let bytes = path.as_bytes();
        // The common request: one leading slash (Werkzeug's normalization
        // leaves it as is) and nothing to canonicalize, answered by the
        // index alone. Everything else takes the general path below.
        if let Some(ix) = &map.index
            && bytes.first() == Some(&b'/')
            && bytes.get(1) != Some(&b'/')
        {
            let key = MethodKey::new(method);
            let req = crate::index::Request {
                domain: self.domain_part(),
                path,
                form: PathForm::Unchecked,
                key,
                websocket: self.websocket,
            };
            match ix.lookup(map, req, values) {
                Lookup::Hit(hit) => {
                    if hit.post {
                        self.after_match(hit.id, values, method, path)?;
                    }
                    return Ok(&map.rules[hit.id as usize]);
                }
                Lookup::NotFound
                    if is_plain(bytes)
                        && !(map.settings.merge_slashes && has_double_slash(bytes)) =>
                {
                    return Err(MatchError::NotFound);
                }
                _ => {}
            }
        }
        self.match_general(path, method, values)
    }

    /// [`match_path`](Self::match_path) for any path: Werkzeug's leading
    /// slash normalization, canonicalization, then the index or the
    /// reference matcher.
    #[inline(never)]
    fn match_general<'p>(
        &self,
        path: &'p str,
        method: &Method,
        values: &mut Values<'p>,
    ) -> Result<&'p CompiledRule, MatchError>
    where
        'a: 'p,
    {
        // The index may have left partial values behind.
        values.clear();
        // Werkzeug: "/" + path_info.lstrip("/"), or "" for an empty path.
        let trimmed = path.trim_start_matches('/');
        let normalized: Cow<'p, str> = if path.is_empty() {
            Cow::Borrowed("")
        } else if trimmed.len() < path.len() {
            Cow::Borrowed(&path[path.len() - trimmed.len() - 1..])
        } else {
            Cow::Owned(format!("/{path}"))
        };
        let canonical: Cow<'p, str> = match normalized {
            Cow::Borrowed(p) => canonicalize(p).map_err(|_| invalid_utf8())?,
            Cow::Owned(p) => Cow::Owned(canonicalize(&p).map_err(|_| invalid_utf8())?.into_owned()),
        };
        let map: &'p Map = self.map;
        let id = match canonical {
            Cow::Borrowed(p) => {
                let (id, post) = self.resolve(p, true, method, values)?;
                if post {
                    self.after_match(id, values, method, p)?;
                }
                id
            }
            Cow::Owned(p) => {
                let mut local = Values::new();
                let (id, _) = self.resolve(&p, false, method, &mut local)?;
                self.after_match(id, &local, method, &p)?;
                let rule = &map.rules[id as usize];
                let n = rule.var_names.len();
                let vals: Vec<Value<'static>> =
                    local.into_values().take(n).map(Value::into_owned).collect();
                *values = assemble(rule, vals);
                id
            }
        };
        Ok(&map.rules[id as usize])
    }

    /// The methods a path accepts, sorted by name (empty if none, or if a
    /// rule accepting every method matches).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{Map, Rule};
    /// use http::Method;
    /// let map = Map::builder()
    ///     .automatic_options(false)
    ///     .rule(Rule::new("/<foo>", "a").methods([Method::GET, Method::HEAD]))
    ///     .rule(Rule::new("/foo", "b").methods([Method::POST]))
    ///     .build()
    ///     .unwrap();
    /// let allowed = map.bind("h").unwrap().allowed_methods("/foo");
    /// assert_eq!(allowed, [Method::GET, Method::HEAD, Method::POST]);
    /// ```
    pub fn allowed_methods(&self, path: &str) -> Vec<Method> {
        let trimmed = path.trim_start_matches('/');
        let normalized = if path.is_empty() {
            String::new()
        } else {
            format!("/{trimmed}")
        };
        let Ok(canonical) = canonicalize(&normalized) else {
            return Vec::new();
        };
        match self.general(&canonical, MethodKey::Nothing) {
            Err(Miss::NoMatch { have, .. }) => have.to_sorted_vec(),
            _ => Vec::new(),
        }
    }

    /// The domain part the rules' host/subdomain patterns are matched with.
    pub(crate) fn domain_part(&self) -> &str {
        let s = &self.map.settings;
        if s.subdomain_matching {
            &self.subdomain
        } else if s.host_matching {
            &self.server_name
        } else {
            ""
        }
    }

    /// Matches a canonical path (`plain`: without any `%` escape): the rule,
    /// with its values (defaults included) in `values`, and whether
    /// [`after_match`](Self::after_match) has anything to do.
    #[inline]
    fn resolve<'x>(
        &self,
        path: &'x str,
        plain: bool,
        method: &Method,
        values: &mut Values<'x>,
    ) -> Result<(u32, bool), MatchError>
    where
        'a: 'x,
    {
        let key = MethodKey::new(method);
        let map: &'x Map = self.map;
        let req = crate::index::Request {
            domain: self.domain_part(),
            path,
            form: if plain {
                PathForm::Plain
            } else {
                PathForm::Escaped
            },
            key,
            websocket: self.websocket,
        };
        if let Some(ix) = &map.index {
            match ix.lookup(map, req, values) {
                Lookup::Hit(hit) => return Ok((hit.id, hit.post)),
                Lookup::NotFound
                    if !(map.settings.merge_slashes && has_double_slash(path.as_bytes())) =>
                {
                    return Err(MatchError::NotFound);
                }
                _ => {}
            }
        }
        match self.general(path, key) {
            Ok((id, vals)) => {
                let rule = &map.rules[id as usize];
                *values = assemble(rule, vals);
                Ok((id, rule.post || (rule.auto_options && key.is_options())))
            }
            Err(miss) => Err(self.miss_error(miss)),
        }
    }

    /// The reference matcher, with Werkzeug's merge-slashes second pass.
    pub(crate) fn general<'x>(
        &self,
        path: &'x str,
        key: MethodKey<'_>,
    ) -> Result<(u32, Vec<Value<'x>>), Miss> {
        let domain = self.domain_part();
        let rules = &self.map.rules;
        let mut walk = Walk::new(rules, key, self.websocket);
        let parts = ReqParts::new(domain, path);
        match self.map.trie.walk(&mut walk, 0, &parts, 0) {
            Ok(Some(id)) => return Ok((id, walk.values)),
            Err(Stop::SlashRequired) => return Err(Miss::Path(format!("{path}/"))),
            Err(Stop::Limit) => return Err(Miss::Limit),
            Ok(None) => {}
        }
        if self.map.settings.merge_slashes {
            let merged = merge_slashes(path);
            if let Cow::Owned(merged) = merged {
                let parts = ReqParts::new(domain, &merged);
                let mut second = Walk::new(rules, key, self.websocket);
                second.have = std::mem::take(&mut walk.have);
                second.ws_mismatch = walk.ws_mismatch;
                match self.map.trie.walk(&mut second, 0, &parts, 0) {
                    Ok(Some(id)) if rules[id as usize].merge_slashes => {
                        return Err(Miss::Path(merged));
                    }
                    Ok(_) => {
                        return Err(Miss::NoMatch {
                            have: second.have,
                            ws_mismatch: second.ws_mismatch,
                        });
                    }
                    Err(Stop::SlashRequired) => return Err(Miss::Path(format!("{merged}/"))),
                    Err(Stop::Limit) => return Err(Miss::Limit),
                }
            }
        }
        Err(Miss::NoMatch {
            have: walk.have,
            ws_mismatch: walk.ws_mismatch,
        })
    }
}

fn invalid_utf8() -> MatchError {
    MatchError::BadRequest(BadRequest::InvalidUtf8)
}
