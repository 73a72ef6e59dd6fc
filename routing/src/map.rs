//! `Map` (the frozen rule set) and `MapBuilder`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::adapter::MapAdapter;
use crate::compile::{CompiledRule, Inherit, compile};
use crate::converter::{Converter, Registry};
use crate::error::{BadRequest, MapError, MatchError};
use crate::host::{normalize_host, strip_default_port, subdomain_of};
use crate::index::Index;
use crate::matcher::Trie;
use crate::parse::ConverterArgs;
use crate::rule::{Rule, RuleFactory};

/// The rules of an application, compiled: Werkzeug's `Map`. Built once with
/// [`Map::builder`], then shared (it is `Send + Sync`) and bound per request
/// with [`Map::bind`] or [`Map::bind_to_host`] to match and build URLs.
///
/// # Examples
///
/// ```
/// use carafe_routing::{Map, MatchError, Rule};
/// use http::Method;
///
/// let map = Map::builder()
///     .rule(Rule::new("/", "index"))
///     .rule(Rule::new("/downloads/", "downloads/index"))
///     .rule(Rule::new("/downloads/<int:id>", "downloads/show"))
///     .build()
///     .unwrap();
/// let urls = map.bind("example.com").unwrap();
/// let m = urls.match_path("/downloads/42", &Method::GET).unwrap();
/// assert_eq!((m.endpoint(), m.get::<i64>("id").unwrap()), ("downloads/show", 42));
/// assert_eq!(
///     urls.match_path("/downloads", &Method::GET).unwrap_err(),
///     MatchError::RequestRedirect { location: "http://example.com/downloads/".into() }
/// );
/// assert_eq!(urls.match_path("/missing", &Method::GET).unwrap_err(), MatchError::NotFound);
/// ```
pub struct Map {
    pub(crate) rules: Vec<CompiledRule>,
    pub(crate) trie: Trie,
    pub(crate) index: Option<Index>,
    /// Rule ids per endpoint, in build order.
    pub(crate) by_endpoint: HashMap<String, Vec<u32>>,
    /// Per rule: earlier rules of the endpoint that provide its defaults.
    pub(crate) default_providers: Vec<Vec<u32>>,
    pub(crate) settings: Settings,
}

#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub(crate) strict_slashes: bool,
    pub(crate) merge_slashes: bool,
    pub(crate) redirect_defaults: bool,
    pub(crate) host_matching: bool,
    pub(crate) subdomain_matching: bool,
    pub(crate) default_subdomain: String,
    pub(crate) server_name: Option<String>,
    pub(crate) sort_parameters: bool,
    pub(crate) automatic_options: bool,
    pub(crate) use_index: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            strict_slashes: true,
            merge_slashes: true,
            redirect_defaults: true,
            host_matching: false,
            subdomain_matching: true,
            default_subdomain: String::new(),
            server_name: None,
            sort_parameters: false,
            automatic_options: true,
            use_index: true,
        }
    }
}

/// Collects rules and settings; [`build`](MapBuilder::build) checks
/// everything and returns the frozen [`Map`].
///
/// Settings and their defaults (Werkzeug's `Map` arguments): `strict_slashes`
/// true, `merge_slashes` true, `redirect_defaults` true, `host_matching`
/// false, `subdomain_matching` true (ignored when host matching),
/// `default_subdomain` `""`, `server_name` none, `sort_parameters` false,
/// `automatic_options` true.
///
/// # Examples
///
/// ```
/// use carafe_routing::{Map, Rule};
/// let map = Map::builder()
///     .strict_slashes(false)
///     .rule(Rule::new("/a/", "a"))
///     .build()
///     .unwrap();
/// let m = map.bind("example.com").unwrap().match_path("/a", &http::Method::GET).unwrap();
/// assert_eq!(m.endpoint(), "a");
/// ```
#[derive(Default)]
pub struct MapBuilder {
    rules: Vec<Rule>,
    settings: Settings,
    registry: Registry,
}

impl fmt::Debug for MapBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapBuilder")
            .field("rules", &self.rules.len())
            .field("settings", &self.settings)
            .field("converters", &self.registry)
            .finish()
    }
}

impl MapBuilder {
    /// Adds a rule.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = carafe_routing::Map::builder().rule(carafe_routing::Rule::new("/", "i")).build().unwrap();
    /// assert_eq!(map.rules().count(), 1);
    /// ```
    pub fn rule(mut self, rule: Rule) -> Self {
        self.rules.push(rule);
        self
    }

    /// Adds the rules of a factory ([`Submount`](crate::Submount),
    /// [`EndpointPrefix`](crate::EndpointPrefix), a `Vec<Rule>`, ...).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{Map, Rule, Submount};
    /// let map = Map::builder().add(Submount::new("/api", [Rule::new("/x", "x")])).build().unwrap();
    /// assert_eq!(map.rules().next().unwrap().pattern(), "/api/x");
    /// ```
    #[allow(clippy::should_implement_trait)] // Werkzeug's name (`Map.add`)
    pub fn add(mut self, factory: impl RuleFactory) -> Self {
        self.rules.extend(factory.into_rules());
        self
    }

    /// Adds rules in place (for code that builds the map in a loop).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut b = carafe_routing::Map::builder();
    /// b.push(carafe_routing::Rule::new("/", "i"));
    /// assert_eq!(b.build().unwrap().rules().count(), 1);
    /// ```
    pub fn push(&mut self, factory: impl RuleFactory) {
        self.rules.extend(factory.into_rules());
    }

    /// Redirect a branch URL requested without its trailing slash (default
    /// true); when false the URL matches as is.
    ///
    /// # Examples
    ///
    /// ```
    /// let b = carafe_routing::Map::builder().strict_slashes(false);
    /// # let _ = b;
    /// ```
    pub fn strict_slashes(mut self, on: bool) -> Self {
        self.settings.strict_slashes = on;
        self
    }

    /// Merge runs of slashes in rules, and redirect requests with them to
    /// the merged URL (default true).
    ///
    /// # Examples
    ///
    /// ```
    /// let b = carafe_routing::Map::builder().merge_slashes(false);
    /// # let _ = b;
    /// ```
    pub fn merge_slashes(mut self, on: bool) -> Self {
        self.settings.merge_slashes = on;
        self
    }

    /// Redirect URLs whose values equal another rule's defaults to that
    /// rule (default true).
    ///
    /// # Examples
    ///
    /// ```
    /// let b = carafe_routing::Map::builder().redirect_defaults(false);
    /// # let _ = b;
    /// ```
    pub fn redirect_defaults(mut self, on: bool) -> Self {
        self.settings.redirect_defaults = on;
        self
    }

    /// Match rules' `host` patterns against the whole host (default false;
    /// disables subdomain matching).
    ///
    /// # Examples
    ///
    /// ```
    /// let b = carafe_routing::Map::builder().host_matching(true);
    /// # let _ = b;
    /// ```
    pub fn host_matching(mut self, on: bool) -> Self {
        self.settings.host_matching = on;
        self
    }

    /// Match rules' `subdomain` patterns (default true, as Werkzeug's Map).
    ///
    /// # Examples
    ///
    /// ```
    /// let b = carafe_routing::Map::builder().subdomain_matching(false);
    /// # let _ = b;
    /// ```
    pub fn subdomain_matching(mut self, on: bool) -> Self {
        self.settings.subdomain_matching = on;
        self
    }

    /// The subdomain of rules without one, and of requests whose host is not
    /// under the server name (default `""`).
    ///
    /// # Examples
    ///
    /// ```
    /// let b = carafe_routing::Map::builder().default_subdomain("www");
    /// # let _ = b;
    /// ```
    pub fn default_subdomain(mut self, subdomain: impl Into<String>) -> Self {
        self.settings.default_subdomain = subdomain.into();
        self
    }

    /// The application's server name (Flask's `SERVER_NAME`):
    /// [`Map::bind_to_host`] takes the subdomain relative to it, and
    /// external URLs use it.
    ///
    /// # Examples
    ///
    /// ```
    /// let b = carafe_routing::Map::builder().server_name("example.com");
    /// # let _ = b;
    /// ```
    pub fn server_name(mut self, name: impl Into<String>) -> Self {
        self.settings.server_name = Some(name.into());
        self
    }

    /// Sort query parameters of built URLs by name (default false: in the
    /// order given).
    ///
    /// # Examples
    ///
    /// ```
    /// let b = carafe_routing::Map::builder().sort_parameters(true);
    /// # let _ = b;
    /// ```
    pub fn sort_parameters(mut self, on: bool) -> Self {
        self.settings.sort_parameters = on;
        self
    }

    /// Answer OPTIONS for rules with methods that do not list OPTIONS
    /// ([`MatchError::AutomaticOptions`]); default true, as Flask.
    ///
    /// # Examples
    ///
    /// ```
    /// let b = carafe_routing::Map::builder().automatic_options(false);
    /// # let _ = b;
    /// ```
    pub fn automatic_options(mut self, on: bool) -> Self {
        self.settings.automatic_options = on;
        self
    }

    /// Use the matchit index for fast matching (default true). Turning it
    /// off matches with the reference matcher only; results are the same.
    ///
    /// # Examples
    ///
    /// ```
    /// let b = carafe_routing::Map::builder().use_index(false);
    /// # let _ = b;
    /// ```
    pub fn use_index(mut self, on: bool) -> Self {
        self.settings.use_index = on;
        self
    }

    /// Registers a converter under `name` (replacing a built-in of that
    /// name). The factory receives the arguments written in the rule and
    /// returns the converter or a message saying which argument is wrong.
    ///
    /// # Examples
    ///
    /// See [`Converter`](crate::Converter).
    pub fn converter<C, F>(mut self, name: impl Into<String>, factory: F) -> Self
    where
        C: Converter,
        F: Fn(&ConverterArgs) -> Result<C, String> + Send + Sync + 'static,
    {
        self.registry.register(
            name.into(),
            Arc::new(move |args: &ConverterArgs| {
                factory(args).map(|c| Arc::new(c) as Arc<dyn Converter>)
            }),
        );
        self
    }

    /// Checks and compiles every rule: patterns, converters and their
    /// arguments, duplicates and conflicts (naming both rules).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{Map, MapError, Rule};
    /// let err = Map::builder().rule(Rule::new("/<foo:x>", "x")).build().unwrap_err();
    /// assert!(matches!(err, MapError::UnknownConverter { .. }));
    /// ```
    pub fn build(self) -> Result<Map, MapError> {
        let mut settings = self.settings;
        if settings.host_matching {
            settings.subdomain_matching = false;
        }
        if let Some(name) = &settings.server_name {
            let normalized =
                normalize_host(name).map_err(|reason| MapError::InvalidServerName {
                    name: name.clone(),
                    reason,
                })?;
            settings.server_name = Some(normalized.into_owned());
        }
        let inherit = Inherit {
            strict_slashes: settings.strict_slashes,
            merge_slashes: settings.merge_slashes,
            automatic_options: settings.automatic_options,
            subdomain_matching: settings.subdomain_matching,
            host_matching: settings.host_matching,
            default_subdomain: &settings.default_subdomain,
            converters: &self.registry,
        };
        let mut rules = Vec::with_capacity(self.rules.len());
        for rule in self.rules {
            let mut compiled = compile(rule, &inherit)?;
            compiled.id = rules.len() as u32;
            rules.push(compiled);
        }

        let mut trie = Trie::new(rules.len());
        for id in 0..rules.len() {
            if rules[id].rule.build_only {
                continue;
            }
            if let Err(existing) = trie.insert(&rules, id as u32) {
                let a = &rules[id];
                let b = &rules[existing as usize];
                let same_text = a.path_text == b.path_text && a.domain_text == b.domain_text;
                let (rule, existing) = (a.rule.to_string(), b.rule.to_string());
                return Err(if same_text {
                    MapError::Duplicate { rule, existing }
                } else {
                    MapError::Conflict { rule, existing }
                });
            }
        }
        trie.finish();

        let mut by_endpoint: HashMap<String, Vec<u32>> = HashMap::new();
        for (id, r) in rules.iter().enumerate() {
            by_endpoint
                .entry(r.rule.endpoint.clone())
                .or_default()
                .push(id as u32);
        }
        for ids in by_endpoint.values_mut() {
            ids.sort_by_key(|&id| {
                let r = &rules[id as usize];
                (
                    usize::from(r.rule.alias),
                    std::cmp::Reverse(r.arguments.len()),
                    std::cmp::Reverse(r.rule.defaults.len()),
                )
            });
        }
        let mut default_providers = vec![Vec::new(); rules.len()];
        for ids in by_endpoint.values() {
            for (pos, &id) in ids.iter().enumerate() {
                let rule = &rules[id as usize];
                for &other in &ids[..pos] {
                    let r = &rules[other as usize];
                    if !r.rule.build_only
                        && !r.rule.defaults.is_empty()
                        && r.arguments == rule.arguments
                    {
                        default_providers[id as usize].push(other);
                    }
                }
            }
        }

        for (id, providers) in default_providers.iter().enumerate() {
            if !providers.is_empty() {
                rules[id].post = true;
            }
        }
        let index = if settings.use_index {
            Some(Index::build(&rules, &trie))
        } else {
            None
        };
        Ok(Map {
            rules,
            trie,
            index,
            by_endpoint,
            default_providers,
            settings,
        })
    }
}

impl Map {
    /// A builder with Werkzeug's default settings.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = carafe_routing::Map::builder().build().unwrap();
    /// assert_eq!(map.rules().count(), 0);
    /// ```
    pub fn builder() -> MapBuilder {
        MapBuilder::default()
    }

    /// The rules, in the order they were added.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{Map, Rule};
    /// let map = Map::builder().rule(Rule::new("/a", "a")).rule(Rule::new("/b", "b")).build().unwrap();
    /// let eps: Vec<_> = map.rules().map(|r| r.endpoint()).collect();
    /// assert_eq!(eps, ["a", "b"]);
    /// ```
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter().map(|r| &r.rule)
    }

    /// The rules of one endpoint, in the order URL building tries them.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{Map, Rule};
    /// let map = Map::builder().rule(Rule::new("/a", "a")).build().unwrap();
    /// assert_eq!(map.endpoint_rules("a").count(), 1);
    /// assert_eq!(map.endpoint_rules("zz").count(), 0);
    /// ```
    pub fn endpoint_rules(&self, endpoint: &str) -> impl Iterator<Item = &Rule> {
        self.by_endpoint
            .get(endpoint)
            .into_iter()
            .flatten()
            .map(|&id| &self.rules[id as usize].rule)
    }

    /// The variable names of a rule, host/subdomain first (what a handler
    /// for its endpoint receives besides defaults).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{Map, Rule};
    /// let map = Map::builder().rule(Rule::new("/<a>/<int:b>", "x")).build().unwrap();
    /// let rule = map.rules().next().unwrap();
    /// assert_eq!(map.variables(rule).collect::<Vec<_>>(), ["a", "b"]);
    /// ```
    pub fn variables<'m>(&'m self, rule: &Rule) -> impl Iterator<Item = &'m str> {
        self.rules
            .iter()
            .find(|r| std::ptr::eq(&r.rule, rule))
            .into_iter()
            .flat_map(|r| r.var_names.iter().map(|n| &**n))
    }

    /// Whether some rule of `endpoint` takes all of `arguments` (variables
    /// or defaults), Werkzeug's `is_endpoint_expecting`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{Map, Rule};
    /// let map = Map::builder().rule(Rule::new("/<lang>/", "index")).build().unwrap();
    /// assert!(map.is_endpoint_expecting("index", &["lang"]));
    /// assert!(!map.is_endpoint_expecting("index", &["page"]));
    /// ```
    pub fn is_endpoint_expecting(&self, endpoint: &str, arguments: &[&str]) -> bool {
        self.by_endpoint.get(endpoint).is_some_and(|ids| {
            ids.iter().any(|&id| {
                let r = &self.rules[id as usize];
                arguments.iter().all(|a| r.arguments.iter().any(|x| x == a))
            })
        })
    }

    /// Whether rules match on the whole host (`host` patterns).
    ///
    /// # Examples
    ///
    /// ```
    /// let map = carafe_routing::Map::builder().host_matching(true).build().unwrap();
    /// assert!(map.host_matching() && !map.subdomain_matching());
    /// ```
    pub fn host_matching(&self) -> bool {
        self.settings.host_matching
    }

    /// Whether rules match on the subdomain (`subdomain` patterns); off when
    /// host matching is on.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(carafe_routing::Map::builder().build().unwrap().subdomain_matching());
    /// ```
    pub fn subdomain_matching(&self) -> bool {
        self.settings.subdomain_matching
    }

    /// The configured server name (normalized), if any.
    ///
    /// # Examples
    ///
    /// ```
    /// let map = carafe_routing::Map::builder().server_name("Example.com").build().unwrap();
    /// assert_eq!(map.server_name(), Some("example.com"));
    /// ```
    pub fn server_name(&self) -> Option<&str> {
        self.settings.server_name.as_deref()
    }

    /// Binds the map to a server name (Werkzeug's `Map.bind`): the host
    /// used for external URLs and redirects, and for host matching. The
    /// subdomain is the map's default until set with
    /// [`MapAdapter::with_subdomain`].
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{Map, Rule};
    /// let map = Map::builder().rule(Rule::new("/", "index")).build().unwrap();
    /// let adapter = map.bind("Example.org:5000").unwrap();
    /// assert_eq!(adapter.server_name(), "example.org:5000");
    /// assert!(map.bind("bad host").is_err());
    /// ```
    pub fn bind<'a>(&'a self, server_name: &'a str) -> Result<MapAdapter<'a>, MatchError> {
        let name = normalize_host(server_name).map_err(|reason| bad_host(server_name, reason))?;
        Ok(MapAdapter::new(
            self,
            name,
            Cow::Borrowed(self.settings.default_subdomain.as_str()),
        ))
    }

    /// Binds the map to a request's `Host` and scheme (Werkzeug's
    /// `bind_to_environ`): with a configured [`server_name`](MapBuilder::server_name)
    /// the subdomain is the part of the host before it (the default
    /// subdomain if the host is not under it); without one the host is the
    /// server name. Default ports (80 for http, 443 for https) are ignored.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{Map, Rule};
    /// let map = Map::builder()
    ///     .server_name("example.com")
    ///     .rule(Rule::new("/", "index").subdomain("wiki"))
    ///     .build()
    ///     .unwrap();
    /// let adapter = map.bind_to_host("Wiki.Example.com:80", "http").unwrap();
    /// assert_eq!(adapter.subdomain(), "wiki");
    /// assert_eq!(adapter.match_path("/", &http::Method::GET).unwrap().endpoint(), "index");
    /// ```
    pub fn bind_to_host<'a>(
        &'a self,
        host: &'a str,
        scheme: &'a str,
    ) -> Result<MapAdapter<'a>, MatchError> {
        let host_n = normalize_host(host).map_err(|reason| bad_host(host, reason))?;
        let host_n = strip_port_cow(host_n, scheme);
        let s = &self.settings;
        let (server_name, subdomain) = if s.host_matching {
            (host_n, Cow::Borrowed(""))
        } else if let Some(name) = &s.server_name {
            let name = strip_default_port(name, scheme);
            let sub = if s.subdomain_matching {
                match subdomain_of(&host_n, name) {
                    Some(sub) => Cow::Owned(sub.to_owned()),
                    None => Cow::Borrowed(s.default_subdomain.as_str()),
                }
            } else {
                Cow::Borrowed(s.default_subdomain.as_str())
            };
            (Cow::Borrowed(name), sub)
        } else {
            (host_n, Cow::Borrowed(""))
        };
        Ok(MapAdapter::new(self, server_name, subdomain).with_scheme(scheme))
    }
}

fn strip_port_cow<'a>(host: Cow<'a, str>, scheme: &str) -> Cow<'a, str> {
    match host {
        Cow::Borrowed(h) => Cow::Borrowed(strip_default_port(h, scheme)),
        Cow::Owned(h) => Cow::Owned(strip_default_port(&h, scheme).to_owned()),
    }
}

fn bad_host(host: &str, reason: String) -> MatchError {
    let mut shown = host.to_owned();
    if shown.len() > 100 {
        let mut cut = 100;
        while !shown.is_char_boundary(cut) {
            cut -= 1;
        }
        shown.truncate(cut);
    }
    MatchError::BadRequest(BadRequest::InvalidHost {
        host: shown,
        reason,
    })
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

/// `Map([<Rule '/wat' -> enter>, <Rule '/woop' -> foobar>])`, as Werkzeug.
impl fmt::Display for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Map([")?;
        for (i, r) in self.rules.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "<Rule {}>", r.rule)?;
        }
        f.write_str("])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_and_matches_cross_threads() {
        fn send_sync<T: Send + Sync>() {}
        fn send<T: Send>() {}
        send_sync::<Map>();
        send_sync::<MapAdapter<'static>>();
        send::<crate::Match<'static>>();
        send_sync::<crate::MatchError>();
        send_sync::<crate::BuildError>();
        send_sync::<crate::MapError>();
    }
}
