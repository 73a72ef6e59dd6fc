//! The errors of this crate: building a map (programmer errors, at startup),
//! matching a request (client errors and redirects, each with its status),
//! and building a URL.

use std::fmt;

use http::{Method, StatusCode};

use crate::parse::ParseError;

/// A map that cannot be built: a bad rule, an unknown converter, bad
/// converter arguments, or rules that collide. Every variant names the rule
/// as `'pattern' (METHODS) -> endpoint`.
///
/// # Examples
///
/// ```
/// use carafe_routing::{Map, MapError, Rule};
///
/// let err = Map::builder()
///     .rule(Rule::new("/page/<a>", "a"))
///     .rule(Rule::new("/page/<b>", "b"))
///     .build()
///     .unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "rule '/page/<b>' -> b conflicts with rule '/page/<a>' -> a: they match the same urls"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MapError {
    /// The pattern (or host/subdomain pattern) does not parse.
    Parse {
        /// The rule's endpoint.
        endpoint: String,
        /// The parse error, with the pattern and the column.
        error: ParseError,
    },
    /// A variable names a converter the map does not know.
    UnknownConverter {
        /// The rule.
        rule: String,
        /// The unknown converter name.
        converter: String,
        /// 1-based column of the variable in the pattern.
        column: usize,
        /// The converters the map knows.
        known: Vec<String>,
    },
    /// The converter rejected its arguments.
    ConverterArgs {
        /// The rule.
        rule: String,
        /// The variable.
        variable: String,
        /// The converter.
        converter: String,
        /// What is wrong.
        message: String,
    },
    /// The same variable appears in the host/subdomain and the path.
    DuplicateVariable {
        /// The rule.
        rule: String,
        /// The variable.
        variable: String,
    },
    /// A converter that matches `/` in a host or subdomain pattern.
    SlashInHost {
        /// The rule.
        rule: String,
        /// The variable.
        variable: String,
    },
    /// Methods a rule may not have (WebSocket rules).
    InvalidMethods {
        /// The rule.
        rule: String,
        /// What is wrong.
        message: String,
    },
    /// A `redirect_to` placeholder that is not a variable of the rule.
    InvalidRedirect {
        /// The rule.
        rule: String,
        /// The unknown placeholder.
        placeholder: String,
    },
    /// A [`RuleTemplate`](crate::RuleTemplate) placeholder without a value.
    Template {
        /// The text with the placeholder.
        template: String,
        /// What is wrong.
        message: String,
    },
    /// The configured server name is not a valid host.
    InvalidServerName {
        /// The server name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// The same pattern twice with overlapping methods.
    Duplicate {
        /// The rule added later.
        rule: String,
        /// The rule added first.
        existing: String,
    },
    /// Two patterns that match exactly the same URLs (they differ only in
    /// variable names or converter spelling), with overlapping methods.
    Conflict {
        /// The rule added later.
        rule: String,
        /// The rule added first.
        existing: String,
    },
}

impl fmt::Display for MapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MapError::Parse { endpoint, error } => {
                write!(f, "{error} (endpoint {endpoint})")
            }
            MapError::UnknownConverter {
                rule,
                converter,
                column,
                known,
            } => write!(
                f,
                "rule {rule}: unknown converter '{converter}' at column {column} (known: {})",
                known.join(", ")
            ),
            MapError::ConverterArgs {
                rule,
                variable,
                converter,
                message,
            } => write!(
                f,
                "rule {rule}: converter '{converter}' of variable '{variable}' {message}"
            ),
            MapError::DuplicateVariable { rule, variable } => {
                write!(f, "rule {rule}: variable '{variable}' appears twice")
            }
            MapError::SlashInHost { rule, variable } => write!(
                f,
                "rule {rule}: variable '{variable}' matches '/' and cannot be in a host"
            ),
            MapError::InvalidMethods { rule, message } => write!(f, "rule {rule}: {message}"),
            MapError::InvalidRedirect { rule, placeholder } => write!(
                f,
                "rule {rule}: redirect placeholder '<{placeholder}>' is not a variable of the rule"
            ),
            MapError::Template { template, message } => {
                write!(f, "rule template {template:?}: {message}")
            }
            MapError::InvalidServerName { name, reason } => {
                write!(f, "invalid server name {name:?}: {reason}")
            }
            MapError::Duplicate { rule, existing } => {
                write!(f, "rule {rule} duplicates rule {existing}")
            }
            MapError::Conflict { rule, existing } => write!(
                f,
                "rule {rule} conflicts with rule {existing}: they match the same urls"
            ),
        }
    }
}

impl std::error::Error for MapError {}

/// The outcome of matching a request when it is not a match: Werkzeug's
/// `NotFound`, `MethodNotAllowed`, `RequestRedirect`, plus the automatic
/// OPTIONS answer and bad requests. Each knows its [`status`](MatchError::status).
///
/// # Examples
///
/// ```
/// use carafe_routing::{Map, MatchError, Rule};
/// use http::{Method, StatusCode};
///
/// let map = Map::builder().rule(Rule::new("/a", "a").methods([Method::POST])).build().unwrap();
/// let err = map.bind("example.com").unwrap().match_path("/a", &Method::GET).unwrap_err();
/// assert_eq!(err.status(), StatusCode::METHOD_NOT_ALLOWED);
/// assert_eq!(err.allow_header().as_deref(), Some("OPTIONS, POST"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MatchError {
    /// No rule matches (404).
    NotFound,
    /// Rules match the path, not with this method (405); `allowed` is
    /// sorted by name, for the `Allow` header.
    MethodNotAllowed {
        /// The methods the path accepts.
        allowed: Vec<Method>,
    },
    /// The request should go to another URL (308): a missing trailing
    /// slash, merged slashes, a canonical URL for defaults, an alias or a
    /// rule's `redirect_to`. The location is absolute.
    RequestRedirect {
        /// The absolute target URL.
        location: String,
    },
    /// An OPTIONS request for a rule that does not handle OPTIONS itself:
    /// answer 200 with `Allow: <allowed>` (sorted by name).
    AutomaticOptions {
        /// The methods the path accepts.
        allowed: Vec<Method>,
    },
    /// Only a WebSocket rule matches an HTTP request, or the reverse (400).
    WebsocketMismatch,
    /// The request cannot be routed at all (400).
    BadRequest(BadRequest),
}

/// Why a request is a bad request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BadRequest {
    /// The path percent-decodes to bytes that are not UTF-8.
    InvalidUtf8,
    /// The host is not a valid host name.
    InvalidHost {
        /// The host as received (truncated to 100 bytes).
        host: String,
        /// What is wrong.
        reason: String,
    },
    /// Matching tried more candidate values than the limit (rules with
    /// several variables in one part, against a long crafted path).
    MatchLimit {
        /// The limit.
        limit: u32,
    },
}

impl MatchError {
    /// The HTTP status of this outcome.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::MatchError;
    /// assert_eq!(MatchError::NotFound.status(), 404);
    /// assert_eq!(MatchError::RequestRedirect { location: "/".into() }.status(), 308);
    /// ```
    pub fn status(&self) -> StatusCode {
        match self {
            MatchError::NotFound => StatusCode::NOT_FOUND,
            MatchError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            MatchError::RequestRedirect { .. } => StatusCode::PERMANENT_REDIRECT,
            MatchError::AutomaticOptions { .. } => StatusCode::OK,
            MatchError::WebsocketMismatch | MatchError::BadRequest(_) => StatusCode::BAD_REQUEST,
        }
    }

    /// The `Allow` header value for 405 and automatic OPTIONS answers.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::MatchError;
    /// use http::Method;
    /// let e = MatchError::AutomaticOptions { allowed: vec![Method::GET, Method::HEAD] };
    /// assert_eq!(e.allow_header().as_deref(), Some("GET, HEAD"));
    /// assert_eq!(MatchError::NotFound.allow_header(), None);
    /// ```
    pub fn allow_header(&self) -> Option<String> {
        match self {
            MatchError::MethodNotAllowed { allowed } | MatchError::AutomaticOptions { allowed } => {
                Some(
                    allowed
                        .iter()
                        .map(Method::as_str)
                        .collect::<Vec<_>>()
                        .join(", "),
                )
            }
            _ => None,
        }
    }

    /// The redirect target of a [`MatchError::RequestRedirect`].
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::MatchError;
    /// assert_eq!(MatchError::RequestRedirect { location: "http://a/".into() }.location(), Some("http://a/"));
    /// ```
    pub fn location(&self) -> Option<&str> {
        match self {
            MatchError::RequestRedirect { location } => Some(location),
            _ => None,
        }
    }
}

impl fmt::Display for MatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MatchError::NotFound => f.write_str("no rule matches the url"),
            MatchError::MethodNotAllowed { .. } => write!(
                f,
                "method not allowed (allowed: {})",
                self.allow_header().unwrap_or_default().replace(", ", ",")
            ),
            MatchError::RequestRedirect { location } => write!(f, "redirect to {location}"),
            MatchError::AutomaticOptions { .. } => write!(
                f,
                "automatic options answer (allowed: {})",
                self.allow_header().unwrap_or_default().replace(", ", ",")
            ),
            MatchError::WebsocketMismatch => {
                f.write_str("the url matches only for the other protocol (websocket or http)")
            }
            MatchError::BadRequest(b) => write!(f, "{b}"),
        }
    }
}

impl fmt::Display for BadRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadRequest::InvalidUtf8 => f.write_str("the path is not valid utf-8 once decoded"),
            BadRequest::InvalidHost { host, reason } => {
                write!(f, "invalid host {host:?}: {reason}")
            }
            BadRequest::MatchLimit { limit } => write!(
                f,
                "the path needs more than {limit} candidate values to match (limit hit)"
            ),
        }
    }
}

impl std::error::Error for MatchError {}

/// A URL that cannot be built: no rule of the endpoint fits the values and
/// method (with a suggestion, like Werkzeug's), or a converter rejected a
/// value.
///
/// # Examples
///
/// ```
/// use carafe_routing::{Map, Rule};
///
/// let map = Map::builder().rule(Rule::new("/foo/<id>/", "world")).build().unwrap();
/// let adapter = map.bind("example.com").unwrap();
/// let err = adapter.url_for("helloworld").build().unwrap_err();
/// assert!(err.to_string().contains("did you mean 'world' instead?"));
/// let err = adapter.url_for("world").build().unwrap_err();
/// assert!(err.to_string().contains("did you forget to specify values ['id']?"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// No rule of the endpoint accepts these values and method.
    NoRule {
        /// The endpoint asked for.
        endpoint: String,
        /// The names of the values given, sorted.
        values: Vec<String>,
        /// The method asked for.
        method: Option<Method>,
        /// The closest rule (Werkzeug's suggestion), if the map has rules.
        suggestion: Option<Box<Suggestion>>,
    },
    /// A converter could not format a value.
    InvalidValue {
        /// The endpoint.
        endpoint: String,
        /// The variable.
        name: String,
        /// The converter's message.
        message: String,
    },
}

/// The rule closest to a failed build: by endpoint name, then by values and
/// method (Werkzeug's `BuildError.suggested`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Suggestion {
    /// The closest rule's endpoint.
    pub endpoint: String,
    /// The closest rule's pattern.
    pub pattern: String,
    /// Values that rule needs but were not given (when it is the same
    /// endpoint).
    pub missing: Vec<String>,
    /// That rule's methods, when it is the same endpoint and the method
    /// asked for is not among them.
    pub methods: Option<Vec<Method>>,
}

fn py_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("'{s}'")).collect();
    format!("[{}]", quoted.join(", "))
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::NoRule {
                endpoint,
                values,
                method,
                suggestion,
            } => {
                write!(f, "could not build url for endpoint '{endpoint}'")?;
                if let Some(m) = method {
                    write!(f, " ('{m}')")?;
                }
                if !values.is_empty() {
                    write!(f, " with values {}", py_list(values))?;
                }
                if let Some(s) = suggestion {
                    if s.endpoint == *endpoint {
                        if let Some(ms) = &s.methods {
                            let names: Vec<String> = ms.iter().map(|m| m.to_string()).collect();
                            write!(f, "; did you mean to use methods {}?", py_list(&names))?;
                        }
                        if !s.missing.is_empty() {
                            write!(
                                f,
                                "; did you forget to specify values {}?",
                                py_list(&s.missing)
                            )?;
                        }
                    } else {
                        write!(f, "; did you mean '{}' instead?", s.endpoint)?;
                    }
                }
                Ok(())
            }
            BuildError::InvalidValue {
                endpoint,
                name,
                message,
            } => write!(
                f,
                "could not build url for endpoint '{endpoint}': value '{name}': {message}"
            ),
        }
    }
}

impl std::error::Error for BuildError {}
