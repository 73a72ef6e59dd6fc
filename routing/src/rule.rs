//! `Rule`: one URL pattern, its endpoint and options, as the user writes it.

use std::fmt;
use std::sync::Arc;

use http::Method;

use crate::value::Value;
use crate::values::Values;

/// Where a rule redirects to instead of matching (Werkzeug's `redirect_to`).
#[derive(Clone)]
#[non_exhaustive]
pub enum RedirectTo {
    /// A target with `<name>` placeholders filled from the matched values,
    /// joined against the application root like a link in a page:
    /// `"/new/<id>"`, `"new/<id>"` (relative to the root) or
    /// `"https://other.example/"`.
    Url(String),
    /// A function of the matched values returning the target (joined the
    /// same way).
    Fn(Arc<dyn Fn(&Values<'_>) -> String + Send + Sync>),
}

impl fmt::Debug for RedirectTo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedirectTo::Url(u) => f.debug_tuple("Url").field(u).finish(),
            RedirectTo::Fn(_) => f.write_str("Fn(..)"),
        }
    }
}

/// One URL rule: a pattern such as `/users/<int:id>`, the endpoint it maps
/// to, and Werkzeug's per-rule options. A value to hand to
/// [`MapBuilder::rule`](crate::MapBuilder::rule); it is checked when the map
/// is built.
///
/// # Examples
///
/// ```
/// use carafe_routing::{Map, Rule};
/// use http::Method;
///
/// let map = Map::builder()
///     .rule(Rule::new("/users/<int:id>", "user").methods([Method::GET, Method::POST]))
///     .rule(Rule::new("/all/", "all").default_value("page", 1))
///     .build()
///     .unwrap();
/// let m = map.bind("example.com").unwrap().match_path("/users/7", &Method::POST).unwrap();
/// assert_eq!(m.endpoint(), "user");
/// assert_eq!(m.rule().pattern(), "/users/<int:id>");
/// ```
#[derive(Clone, Debug)]
pub struct Rule {
    pub(crate) pattern: String,
    pub(crate) endpoint: String,
    pub(crate) methods: Option<Vec<Method>>,
    pub(crate) defaults: Vec<(String, Value<'static>)>,
    pub(crate) subdomain: Option<String>,
    pub(crate) host: Option<String>,
    pub(crate) strict_slashes: Option<bool>,
    pub(crate) merge_slashes: Option<bool>,
    pub(crate) redirect_to: Option<RedirectTo>,
    pub(crate) alias: bool,
    pub(crate) build_only: bool,
    pub(crate) websocket: bool,
    pub(crate) automatic_options: Option<bool>,
}

impl Rule {
    /// A rule mapping `pattern` to `endpoint`, accepting every method.
    ///
    /// # Examples
    ///
    /// ```
    /// let rule = carafe_routing::Rule::new("/", "index");
    /// assert_eq!((rule.pattern(), rule.endpoint()), ("/", "index"));
    /// ```
    pub fn new(pattern: impl Into<String>, endpoint: impl Into<String>) -> Self {
        Rule {
            pattern: pattern.into(),
            endpoint: endpoint.into(),
            methods: None,
            defaults: Vec::new(),
            subdomain: None,
            host: None,
            strict_slashes: None,
            merge_slashes: None,
            redirect_to: None,
            alias: false,
            build_only: false,
            websocket: false,
            automatic_options: None,
        }
    }

    /// Restricts the rule to these methods. `HEAD` is added when `GET` is
    /// present; `OPTIONS` is answered automatically unless disabled (see
    /// [`automatic_options`](Rule::automatic_options)).
    ///
    /// # Examples
    ///
    /// ```
    /// use http::Method;
    /// let rule = carafe_routing::Rule::new("/", "i").methods([Method::GET]);
    /// assert_eq!(rule.method_list(), Some(&[Method::GET][..]));
    /// ```
    pub fn methods(mut self, methods: impl IntoIterator<Item = Method>) -> Self {
        self.methods = Some(methods.into_iter().collect());
        self
    }

    /// A value for a name that is not (or not always) in the URL: passed to
    /// the endpoint on a match, and used to pick this rule when building.
    /// Several rules of one endpoint with defaults give Werkzeug's canonical
    /// URL redirects.
    ///
    /// # Examples
    ///
    /// ```
    /// let rule = carafe_routing::Rule::new("/all/", "all").default_value("page", 1);
    /// assert_eq!(rule.defaults()[0].0, "page");
    /// ```
    pub fn default_value(
        mut self,
        name: impl Into<String>,
        value: impl Into<Value<'static>>,
    ) -> Self {
        let name = name.into();
        let value = value.into();
        match self.defaults.iter_mut().find(|(k, _)| *k == name) {
            Some(slot) => slot.1 = value,
            None => self.defaults.push((name, value)),
        }
        self
    }

    /// Sets several defaults at once (see [`default_value`](Rule::default_value)).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{Rule, Value};
    /// let rule = Rule::new("/", "x").defaults_from([("foo", Value::from(1)), ("bar", Value::from(false))]);
    /// assert_eq!(rule.defaults().len(), 2);
    /// ```
    pub fn defaults_from<K: Into<String>>(
        mut self,
        defaults: impl IntoIterator<Item = (K, Value<'static>)>,
    ) -> Self {
        for (k, v) in defaults {
            self = self.default_value(k, v);
        }
        self
    }

    /// The subdomain pattern (`"api"`, `"<user>"`) when the map matches
    /// subdomains; defaults to the map's default subdomain.
    ///
    /// # Examples
    ///
    /// ```
    /// let rule = carafe_routing::Rule::new("/", "u").subdomain("<user>");
    /// assert_eq!(rule.subdomain_pattern(), Some("<user>"));
    /// ```
    pub fn subdomain(mut self, pattern: impl Into<String>) -> Self {
        self.subdomain = Some(pattern.into());
        self
    }

    /// The host pattern (`"<lang>.example.com"`) when the map matches hosts.
    ///
    /// # Examples
    ///
    /// ```
    /// let rule = carafe_routing::Rule::new("/", "u").host("<lang>.example.com");
    /// assert_eq!(rule.host_pattern(), Some("<lang>.example.com"));
    /// ```
    pub fn host(mut self, pattern: impl Into<String>) -> Self {
        self.host = Some(pattern.into());
        self
    }

    /// Overrides the map's `strict_slashes` for this rule.
    ///
    /// # Examples
    ///
    /// ```
    /// let rule = carafe_routing::Rule::new("/a/", "a").strict_slashes(false);
    /// # let _ = rule;
    /// ```
    pub fn strict_slashes(mut self, strict: bool) -> Self {
        self.strict_slashes = Some(strict);
        self
    }

    /// Overrides the map's `merge_slashes` for this rule.
    ///
    /// # Examples
    ///
    /// ```
    /// let rule = carafe_routing::Rule::new("/a//b", "a").merge_slashes(false);
    /// # let _ = rule;
    /// ```
    pub fn merge_slashes(mut self, merge: bool) -> Self {
        self.merge_slashes = Some(merge);
        self
    }

    /// Redirects (308) instead of matching; `<name>` placeholders are
    /// replaced by the matched values.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{Map, MatchError, Rule};
    /// let map = Map::builder()
    ///     .rule(Rule::new("/old/<int:id>", "old").redirect_to("/new/<id>"))
    ///     .build()
    ///     .unwrap();
    /// let err = map.bind("example.com").unwrap().match_path("/old/3", &http::Method::GET).unwrap_err();
    /// assert_eq!(err, MatchError::RequestRedirect { location: "http://example.com/new/3".into() });
    /// ```
    pub fn redirect_to(mut self, target: impl Into<String>) -> Self {
        self.redirect_to = Some(RedirectTo::Url(target.into()));
        self
    }

    /// Redirects (308) to what `target` returns for the matched values.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{Map, MatchError, Rule};
    /// let map = Map::builder()
    ///     .rule(Rule::new("/u/<int:id>", "old").redirect_with(|v| format!("/users/{}", v.get("id").unwrap())))
    ///     .build()
    ///     .unwrap();
    /// let err = map.bind("example.com").unwrap().match_path("/u/3", &http::Method::GET).unwrap_err();
    /// assert_eq!(err, MatchError::RequestRedirect { location: "http://example.com/users/3".into() });
    /// ```
    pub fn redirect_with(
        mut self,
        target: impl Fn(&Values<'_>) -> String + Send + Sync + 'static,
    ) -> Self {
        self.redirect_to = Some(RedirectTo::Fn(Arc::new(target)));
        self
    }

    /// Marks the rule as an alias: a match redirects to the URL built for
    /// the same endpoint and values (Werkzeug's `alias`).
    ///
    /// # Examples
    ///
    /// ```
    /// let rule = carafe_routing::Rule::new("/index.html", "index").alias(true);
    /// assert!(rule.is_alias());
    /// ```
    pub fn alias(mut self, alias: bool) -> Self {
        self.alias = alias;
        self
    }

    /// The rule never matches but URLs can be built for it (static files
    /// served elsewhere).
    ///
    /// # Examples
    ///
    /// ```
    /// let rule = carafe_routing::Rule::new("/static/<path:f>", "static").build_only(true);
    /// assert!(rule.is_build_only());
    /// ```
    pub fn build_only(mut self, build_only: bool) -> Self {
        self.build_only = build_only;
        self
    }

    /// The rule matches only WebSocket requests (`ws`/`wss` scheme); its
    /// methods may only be `GET`, `HEAD` and `OPTIONS`.
    ///
    /// # Examples
    ///
    /// ```
    /// let rule = carafe_routing::Rule::new("/ws", "ws").websocket(true);
    /// assert!(rule.is_websocket());
    /// ```
    pub fn websocket(mut self, websocket: bool) -> Self {
        self.websocket = websocket;
        self
    }

    /// Overrides the map's automatic OPTIONS answer for this rule.
    ///
    /// # Examples
    ///
    /// ```
    /// let rule = carafe_routing::Rule::new("/", "i").automatic_options(false);
    /// # let _ = rule;
    /// ```
    pub fn automatic_options(mut self, on: bool) -> Self {
        self.automatic_options = Some(on);
        self
    }

    /// Replaces the pattern (used by rule factories).
    ///
    /// # Examples
    ///
    /// ```
    /// let rule = carafe_routing::Rule::new("/a", "a").with_pattern("/b");
    /// assert_eq!(rule.pattern(), "/b");
    /// ```
    pub fn with_pattern(mut self, pattern: impl Into<String>) -> Self {
        self.pattern = pattern.into();
        self
    }

    /// Replaces the endpoint (used by rule factories).
    ///
    /// # Examples
    ///
    /// ```
    /// let rule = carafe_routing::Rule::new("/a", "a").with_endpoint("bp.a");
    /// assert_eq!(rule.endpoint(), "bp.a");
    /// ```
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into();
        self
    }

    /// The pattern as written.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(carafe_routing::Rule::new("/x", "x").pattern(), "/x");
    /// ```
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The endpoint.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(carafe_routing::Rule::new("/x", "x").endpoint(), "x");
    /// ```
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The methods as given (`None`: every method).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(carafe_routing::Rule::new("/x", "x").method_list(), None);
    /// ```
    pub fn method_list(&self) -> Option<&[Method]> {
        self.methods.as_deref()
    }

    /// The defaults.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(carafe_routing::Rule::new("/x", "x").defaults().is_empty());
    /// ```
    pub fn defaults(&self) -> &[(String, Value<'static>)] {
        &self.defaults
    }

    /// The subdomain pattern, if set on the rule.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(carafe_routing::Rule::new("/x", "x").subdomain_pattern(), None);
    /// ```
    pub fn subdomain_pattern(&self) -> Option<&str> {
        self.subdomain.as_deref()
    }

    /// The host pattern, if set on the rule.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(carafe_routing::Rule::new("/x", "x").host_pattern(), None);
    /// ```
    pub fn host_pattern(&self) -> Option<&str> {
        self.host.as_deref()
    }

    /// The redirect target, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(carafe_routing::Rule::new("/x", "x").redirect_target().is_none());
    /// ```
    pub fn redirect_target(&self) -> Option<&RedirectTo> {
        self.redirect_to.as_ref()
    }

    /// Whether this rule is an alias.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!carafe_routing::Rule::new("/x", "x").is_alias());
    /// ```
    pub fn is_alias(&self) -> bool {
        self.alias
    }

    /// Whether this rule is only for building.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!carafe_routing::Rule::new("/x", "x").is_build_only());
    /// ```
    pub fn is_build_only(&self) -> bool {
        self.build_only
    }

    /// Whether this rule matches WebSocket requests.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!carafe_routing::Rule::new("/x", "x").is_websocket());
    /// ```
    pub fn is_websocket(&self) -> bool {
        self.websocket
    }
}

impl fmt::Display for Rule {
    /// `'/users/<int:id>' (GET, POST) -> user`, as in error messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(sub) = self.subdomain.as_deref().filter(|s| !s.is_empty()) {
            write!(f, "{sub}|")?;
        } else if let Some(host) = &self.host {
            write!(f, "{host}|")?;
        }
        write!(f, "'{}'", self.pattern)?;
        if let Some(methods) = &self.methods {
            let names: Vec<&str> = methods.iter().map(Method::as_str).collect();
            write!(f, " ({})", names.join(", "))?;
        }
        write!(f, " -> {}", self.endpoint)
    }
}

/// A source of rules for [`MapBuilder::add`](crate::MapBuilder::add):
/// a [`Rule`], a `Vec<Rule>`, or a helper such as [`Submount`] and
/// [`EndpointPrefix`] (Werkzeug's `RuleFactory`).
pub trait RuleFactory {
    /// The rules, in order.
    fn into_rules(self) -> Vec<Rule>;
}

impl RuleFactory for Rule {
    fn into_rules(self) -> Vec<Rule> {
        vec![self]
    }
}

impl<F: RuleFactory> RuleFactory for Vec<F> {
    fn into_rules(self) -> Vec<Rule> {
        self.into_iter().flat_map(RuleFactory::into_rules).collect()
    }
}

impl<F: RuleFactory, const N: usize> RuleFactory for [F; N] {
    fn into_rules(self) -> Vec<Rule> {
        self.into_iter().flat_map(RuleFactory::into_rules).collect()
    }
}

/// Prefixes the patterns of its rules with a path (Werkzeug's `Submount`);
/// the base of a Blueprint's `url_prefix`.
///
/// # Examples
///
/// ```
/// use carafe_routing::{EndpointPrefix, Map, Rule, Submount};
///
/// let map = Map::builder()
///     .rule(Rule::new("/", "index"))
///     .add(EndpointPrefix::new("blog.", Submount::new("/blog/", [
///         Rule::new("/", "index"),
///         Rule::new("/entry/<slug>", "show"),
///     ])))
///     .build()
///     .unwrap();
/// let adapter = map.bind("example.com").unwrap();
/// let m = adapter.match_path("/blog/entry/hello", &http::Method::GET).unwrap();
/// assert_eq!(m.endpoint(), "blog.show");
/// assert_eq!(adapter.url_for("blog.index").build().unwrap(), "/blog/");
/// ```
#[derive(Debug, Clone)]
pub struct Submount {
    prefix: String,
    rules: Vec<Rule>,
}

impl Submount {
    /// Mounts `rules` under `prefix` (a trailing `/` of the prefix is dropped).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{Rule, RuleFactory, Submount};
    /// let rules = Submount::new("/api/", [Rule::new("/x", "x")]).into_rules();
    /// assert_eq!(rules[0].pattern(), "/api/x");
    /// ```
    pub fn new(prefix: impl Into<String>, rules: impl RuleFactory) -> Self {
        let prefix: String = prefix.into();
        Submount {
            prefix: prefix.trim_end_matches('/').to_owned(),
            rules: rules.into_rules(),
        }
    }
}

impl RuleFactory for Submount {
    fn into_rules(self) -> Vec<Rule> {
        self.rules
            .into_iter()
            .map(|mut r| {
                r.pattern = format!("{}{}", self.prefix, r.pattern);
                r
            })
            .collect()
    }
}

/// Prefixes the endpoints of its rules (Werkzeug's `EndpointPrefix`); a
/// Blueprint's `name.` prefix.
///
/// # Examples
///
/// ```
/// use carafe_routing::{EndpointPrefix, Rule, RuleFactory};
/// let rules = EndpointPrefix::new("admin.", [Rule::new("/x", "x")]).into_rules();
/// assert_eq!(rules[0].endpoint(), "admin.x");
/// ```
#[derive(Debug, Clone)]
pub struct EndpointPrefix {
    prefix: String,
    rules: Vec<Rule>,
}

impl EndpointPrefix {
    /// Prefixes the endpoints of `rules` with `prefix`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{EndpointPrefix, Rule, RuleFactory};
    /// assert_eq!(EndpointPrefix::new("a.", Rule::new("/", "i")).into_rules()[0].endpoint(), "a.i");
    /// ```
    pub fn new(prefix: impl Into<String>, rules: impl RuleFactory) -> Self {
        EndpointPrefix {
            prefix: prefix.into(),
            rules: rules.into_rules(),
        }
    }
}

impl RuleFactory for EndpointPrefix {
    fn into_rules(self) -> Vec<Rule> {
        self.rules
            .into_iter()
            .map(|mut r| {
                r.endpoint = format!("{}{}", self.prefix, r.endpoint);
                r
            })
            .collect()
    }
}

/// Sets the subdomain of its rules (Werkzeug's `Subdomain`).
///
/// # Examples
///
/// ```
/// use carafe_routing::{Rule, RuleFactory, Subdomain};
/// let rules = Subdomain::new("<lang>", [Rule::new("/", "index")]).into_rules();
/// assert_eq!(rules[0].subdomain_pattern(), Some("<lang>"));
/// ```
#[derive(Debug, Clone)]
pub struct Subdomain {
    subdomain: String,
    rules: Vec<Rule>,
}

impl Subdomain {
    /// Puts `rules` on `subdomain` (a pattern, like a rule's).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{Rule, RuleFactory, Subdomain};
    /// assert_eq!(Subdomain::new("api", Rule::new("/", "i")).into_rules()[0].subdomain_pattern(), Some("api"));
    /// ```
    pub fn new(subdomain: impl Into<String>, rules: impl RuleFactory) -> Self {
        Subdomain {
            subdomain: subdomain.into(),
            rules: rules.into_rules(),
        }
    }
}

impl RuleFactory for Subdomain {
    fn into_rules(self) -> Vec<Rule> {
        self.rules
            .into_iter()
            .map(|mut r| {
                r.subdomain = Some(self.subdomain.clone());
                r
            })
            .collect()
    }
}
