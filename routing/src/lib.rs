//! Werkzeug's URL routing on the [`matchit`](https://docs.rs/matchit) radix
//! tree: rules, converters, matching, redirects and URL building, usable on
//! its own by people who build their own framework.
//!
//! # Walkthrough
//!
//! ```
//! use carafe_routing::{Map, MatchError, Rule, Submount};
//! use http::Method;
//!
//! // Rules map URL patterns to endpoints (names); the map checks them once.
//! let map = Map::builder()
//!     .rule(Rule::new("/", "index"))
//!     .rule(Rule::new("/users/<int:id>", "user").methods([Method::GET, Method::POST]))
//!     .rule(Rule::new("/all/", "all").default_value("page", 1))
//!     .rule(Rule::new("/all/page/<int:page>", "all"))
//!     .add(Submount::new("/docs", [Rule::new("/<path:file>", "docs")]))
//!     .build()
//!     .expect("valid rules");
//!
//! // Per request: bind to the host, scheme and mount point, then match.
//! let urls = map.bind_to_host("example.com", "https").unwrap().with_script_root("/app");
//! let hit = urls.match_path("/users/42", &Method::GET).unwrap();
//! assert_eq!(hit.endpoint(), "user");
//! let id: u32 = hit.get("id").unwrap();
//! assert_eq!(id, 42);
//!
//! // Not a match: a typed outcome that knows its status.
//! let err = urls.match_path("/users/42", &Method::DELETE).unwrap_err();
//! assert_eq!(err.status(), 405);
//! assert_eq!(err.allow_header().as_deref(), Some("GET, HEAD, OPTIONS, POST"));
//! assert_eq!(
//!     urls.match_path("/all/page/1", &Method::GET).unwrap_err(),
//!     MatchError::RequestRedirect { location: "https://example.com/app/all/".into() }
//! );
//! assert_eq!(urls.match_path("/nope", &Method::GET).unwrap_err(), MatchError::NotFound);
//!
//! // Build URLs back (Flask's `url_for`).
//! assert_eq!(urls.url_for("user").value("id", 7).build().unwrap(), "/app/users/7");
//! assert_eq!(urls.url_for("docs").value("file", "a/b c.txt").build().unwrap(), "/app/docs/a/b%20c.txt");
//! assert_eq!(
//!     urls.url_for("all").value("page", 2).value("sort", "new").external(true).build().unwrap(),
//!     "https://example.com/app/all/page/2?sort=new"
//! );
//! ```
//!
//! # Rule syntax
//!
//! A rule is a path starting with `/` with variables in angle brackets:
//! `<name>`, `<converter:name>` or `<converter(arguments):name>`. Names and
//! converter names are `[A-Za-z_][A-Za-z0-9_]*`; names are unique in a rule.
//! Arguments are Python-like: positional values and `name=value` pairs
//! separated by commas; values are `True`/`False`/`None` (or lowercase),
//! integers (`-1`), floats (`0.5`), quoted strings (`"contact us"`, `'a,b'`)
//! or bare words (strings). A rule ending in `/` is a *branch* (see slashes
//! below), others are *leaves*. Any part of a path segment can be static:
//! `/v<int:major>.<int:minor>`, `/docs/<name>.<ext>`, `/img-<id>.png`.
//! Host and subdomain patterns (`<user>.example.com`) use the same syntax
//! without `/`.
//!
//! [`parse_rule`] is the parser: a pure function returning the parts, each
//! variable's name, converter and arguments, and errors with the column
//! ([`ParseError::column`]). `carafe-macros` uses it at compile time.
//!
//! # Converters
//!
//! | converter | matches | value | arguments | weight |
//! |---|---|---|---|---|
//! | `string` (default) | one segment, any text | [`Value::Str`] | `minlength=1`, `maxlength`, `length` (characters) | 100 |
//! | `int` | ASCII digits | [`Value::Int`] (`i64`) | `fixed_digits=0`, `min`, `max`, `signed=false` | 50 |
//! | `float` | `digits.digits` | [`Value::Float`] | `min`, `max`, `signed=false` | 50 |
//! | `path` | the rest of the path, `/` included, not starting with `/` | [`Value::Str`] | none | 200 |
//! | `uuid` | `8-4-4-4-12` hex digits | [`Value::Uuid`] | none | 100 |
//! | `any(a, b, ...)` | one of the items | [`Value::Str`] | the items | 100 |
//!
//! Custom converters implement [`Converter`] (what text they accept and the
//! [`Value`] they make of it, how a value is written back, weight, whether
//! they span `/`) and are registered by name with
//! [`MapBuilder::converter`]. A converter sees the percent-decoded text;
//! rejecting it means "this rule does not match, try the next one", never
//! an error. [`builtin_converter`] and [`builtin_converter_kind`] expose the
//! built-ins to code generators.
//!
//! # Typed values
//!
//! A match carries [`Values`]: the rule's variables in rule order (host or
//! subdomain variables first), then its defaults. Each is a [`Value`];
//! [`FromValue`] converts to Rust types (`u32`, `i64`, `f64`, `String`,
//! [`Uuid`], `Option<T>`, `Vec<T>`, ...) with range checks, so a handler
//! parameter `id: u32` receives `<int:id>`. [`FromValue::ACCEPTS`] lists the
//! [`ValueKind`]s a type takes, for compile-time checks:
//!
//! ```
//! use carafe_routing::{builtin_converter_kind, FromValue, ValueKind};
//! const OK: bool = ValueKind::Int.is_in(<u64 as FromValue>::ACCEPTS);
//! assert!(OK);
//! assert_eq!(builtin_converter_kind("int"), Some(ValueKind::Int));
//! assert!(!ValueKind::Str.is_in(<u64 as FromValue>::ACCEPTS));
//! ```
//!
//! # How a request is matched (priority rules)
//!
//! Werkzeug's order, exactly: the host or subdomain is the first *part*,
//! then the path is split at `/` into parts. At every part:
//!
//! 1. static text is tried before variables (`/users/new` beats
//!    `/users/<name>`);
//! 2. parts with variables are tried by weight: more static pieces first,
//!    longer static pieces first, more variables first, then lighter
//!    converters first (`int` 50 before `string` 100 before `path` 200), then
//!    the order rules were added. So `/page/<int:n>` and `/page/<name>`
//!    coexist: `/page/7` is the first, `/page/seven` the second;
//! 3. a part containing a `/`-spanning converter (`path`) takes the rest of
//!    the path (`/<path:p>/edit`, `/Talk:<path:name>` work);
//! 4. within a part, variables try longer texts first (`path`: shorter
//!    first), and a converter rejecting its text tries the next candidate,
//!    then the next rule (depth first, backtracking).
//!
//! The first rule that matches and accepts the method wins. Rules accepting
//! the path but not the method give [`MatchError::MethodNotAllowed`] with
//! their methods (the `Allow` header); `HEAD` comes with `GET`; with
//! automatic OPTIONS (default, like Flask) rules with methods also take
//! `OPTIONS`, answered with [`MatchError::AutomaticOptions`]. A rule without
//! methods accepts every method.
//!
//! Values are percent-decoded after the shape matched: matching works on the
//! raw path, canonicalized (escapes of unreserved characters decoded,
//! others uppercased), so `%2F` is data and never splits a segment. A path
//! that decodes to invalid UTF-8 is a [`BadRequest::InvalidUtf8`].
//!
//! Slashes and redirects (all 308, query string kept):
//! * a branch rule (`/about/`) requested without its slash redirects to it;
//!   a leaf (`/about`) requested with a slash is 404;
//! * `strict_slashes(false)` (map or rule) matches both forms instead;
//! * `merge_slashes` (default on): `//a///b` redirects to `/a/b` when that
//!   matches; rules are stored with merged slashes;
//! * `defaults`: when a match's values equal another rule's defaults for
//!   the same endpoint, it redirects to that rule's URL (`/all/page/1` →
//!   `/all/`); rules marked `alias` redirect to the canonical URL;
//! * `redirect_to` redirects a matched rule, with `<name>` placeholders.
//!
//! ## Speed
//!
//! matchit gives the path *shapes*: rules differing only by converter share
//! one shape and are tried in the order above. A hit is returned only when
//! it is provably the reference matcher's answer; anything else (shapes
//! matchit cannot express, such as two variables in one segment or `path`
//! before the end, redirects, 405s) goes to the reference matcher, so they
//! work without slowing the common case. See `README.md` for the numbers.
//!
//! # Hosts and blueprints
//!
//! Subdomain matching (default, as Werkzeug's `Map`) matches each rule's
//! `subdomain` pattern against the part of the host before the
//! [`server_name`](MapBuilder::server_name); `host_matching(true)` matches
//! `host` patterns against the whole host. [`Submount`] (URL prefix),
//! [`EndpointPrefix`] (`name.` prefix), [`Subdomain`] and [`RuleTemplate`]
//! build groups of rules, the way a Blueprint registers its routes.
//!
//! # For framework authors
//!
//! Build the [`Map`] once at startup (errors name the rules and columns:
//! [`MapError`]), share it (`Send + Sync`), and per request:
//!
//! ```
//! # use carafe_routing::{Map, MatchError, Rule};
//! # let map = Map::builder().rule(Rule::new("/a/", "a")).build().unwrap();
//! # let (host, scheme, script_root, path_info, query) = ("example.com", "http", "", "/a", "x=1");
//! # let method = http::Method::GET;
//! let urls = map
//!     .bind_to_host(host, scheme)?          // 400 for a bad Host
//!     .with_script_root(script_root)
//!     .with_query(query);
//! match urls.match_path(path_info, &method) {
//!     Ok(hit) => { /* call the view of hit.endpoint() with hit.values() */ }
//!     Err(MatchError::RequestRedirect { location }) => { assert_eq!(location, "http://example.com/a/?x=1"); }
//!     Err(other) => { /* other.status(), other.allow_header() */ }
//! }
//! # Ok::<(), MatchError>(())
//! ```
//!
//! # Deliberate differences from Werkzeug
//!
//! Werkzeug's `tests/test_routing.py` is ported case by case in
//! `tests/werkzeug_*.rs`. These cases or behaviours differ on purpose:
//!
//! * **A converter rejecting a value tries the next rule.** Werkzeug 2.2+
//!   chooses the rule by regular expression and then answers 404 when
//!   `to_python` rejects the value; its `ValidationError` documentation (and
//!   this crate) try the next rule instead.
//! * **Converters are predicates, not regular expressions.** No regex
//!   dependency; `test_regex` and `test_nested_regex_groups` are ported with
//!   hand-written converters. Variables never match empty text.
//! * **`%2F` is not a separator.** Matching works on the raw path; Werkzeug
//!   decodes first. A path decoding to invalid UTF-8 is 400 instead of
//!   being matched with U+FFFD. Building encodes `/` in values of converters
//!   that do not span `/` (`%2F`; Werkzeug leaves `/`, so such URLs did not
//!   match back).
//! * **`int` values are `i64`** and only ASCII digits match (Python's `\d`
//!   also takes other scripts' digits). `float` builds `2.0`, not `2.`.
//! * **Same URLs, other spelling** (`/page/<a>` next to `/page/<b>`) is
//!   [`MapError::Conflict`]; identical rules are [`MapError::Duplicate`]
//!   (Werkzeug: `DuplicateRuleError` for both). A variable name used twice in
//!   a rule is an error (Werkzeug keeps the last).
//! * **Automatic OPTIONS** is Flask's, on by default here; Werkzeug-only
//!   cases about allowed methods are ported with `automatic_options(false)`.
//! * **Query parameters sort by name** (`sort_parameters`); there is no
//!   custom sort key (`test_adapter_url_parameter_sorting` sorts by name).
//! * **Build values have no `None`**: leave the value out. A name given
//!   several times is Werkzeug's `MultiDict` (a list).
//! * **No headers here**: WebSocket upgrade detection is the caller's
//!   ([`MapAdapter::with_scheme`]`("ws")` or [`MapAdapter::with_websocket`]);
//!   trusted hosts are checked by `carafe-wrappers`. Hosts are validated
//!   strictly (letters, digits, `-`, `_`, `.`, a port, IPv6 in brackets).
//!   IDNA is lowercasing plus punycode, without nameprep.
//! * **No warnings**: a host not under the server name silently gets the
//!   default subdomain.
//! * **Rules are values**: the map does not rewrite them, so a rule's
//!   subdomain stays unset when it inherits the default
//!   (`test_rule_default_subdomain` is not ported).
//! * **Without subdomain or host matching, built URLs are relative** unless
//!   external (Werkzeug's development branch makes them absolute).
//! * **`redirect_to` functions get the values**, not the adapter.
//! * **Limits**: matching tries at most 100,000 candidate values per request
//!   (rules with several variables in one part against a crafted path);
//!   beyond that the answer is [`BadRequest::MatchLimit`] (400).
//! * **Messages are lowercase** (`could not build url for endpoint 'x'`).
//! * Not ported because they test Python itself: `test_rule_emptying`,
//!   `test_rule_unhashable`, `test_pass_str_as_router_methods`,
//!   `test_redirect_request_exception_code`,
//!   `test_empty_subclass_rules_with_custom_kwargs`,
//!   `test_no_memory_leak_from_Rule_builder`, `test_bind_trusted_host`,
//!   `test_bind_untrusted_host`.
//!
//! # Features and IO
//!
//! No cargo features. No IO: everything is a pure function of the rules and
//! the request's strings; the crate does not depend on any HTTP body type.
#![forbid(unsafe_code)]

mod adapter;
mod build;
mod compile;
mod converter;
mod encode;
mod error;
mod host;
mod index;
mod map;
mod matcher;
mod methods;
mod parse;
mod part;
mod rule;
mod shape;
mod template;
mod value;
mod values;

pub use adapter::{MapAdapter, Match};
pub use build::UrlBuilder;
pub use converter::{ConvertError, Converter, builtin_converter};
pub use error::{BadRequest, BuildError, MapError, MatchError, Suggestion};
pub use map::{Map, MapBuilder};
pub use parse::{
    ArgValue, ConverterArgs, ParseError, ParseErrorKind, ParsedRule, RulePart, Variable,
    parse_converter_args, parse_host_pattern, parse_rule,
};
pub use rule::{EndpointPrefix, RedirectTo, Rule, RuleFactory, Subdomain, Submount};
pub use template::RuleTemplate;
pub use value::{
    FromValue, InvalidUuid, Uuid, Value, ValueError, ValueKind, builtin_converter_kind,
};
pub use values::{IntoIter as ValuesIntoIter, Values};

pub use http::Method;
