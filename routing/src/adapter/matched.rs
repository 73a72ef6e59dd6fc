//! `Match`: the rule, endpoint and converted values of a successful match.

use crate::compile::CompiledRule;
use crate::rule::Rule;
use crate::value::{FromValue, Value, ValueError};
use crate::values::Values;

/// A successful match: the rule, its endpoint and the converted values.
///
/// # Examples
///
/// ```
/// use carafe_routing::{Map, Rule};
/// let map = Map::builder().rule(Rule::new("/users/<int:id>", "user")).build().unwrap();
/// let adapter = map.bind("example.com").unwrap();
/// let m = adapter.match_path("/users/42", &http::Method::GET).unwrap();
/// assert_eq!(m.endpoint(), "user");
/// let id: u64 = m.get("id").unwrap();
/// assert_eq!(id, 42);
/// ```
#[derive(Clone, Debug)]
pub struct Match<'a> {
    pub(super) rule: &'a CompiledRule,
    pub(super) values: Values<'a>,
}

impl<'a> Match<'a> {
    /// The endpoint of the matched rule.
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe_routing::{Map, Rule};
    /// # let map = Map::builder().rule(Rule::new("/", "index")).build().unwrap();
    /// let m = map.bind("h").unwrap().match_path("/", &http::Method::GET).unwrap();
    /// assert_eq!(m.endpoint(), "index");
    /// ```
    pub fn endpoint(&self) -> &'a str {
        &self.rule.rule.endpoint
    }

    /// The matched rule.
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe_routing::{Map, Rule};
    /// # let map = Map::builder().rule(Rule::new("/foo/", "foo")).build().unwrap();
    /// let m = map.bind("h").unwrap().match_path("/foo/", &http::Method::GET).unwrap();
    /// assert_eq!(m.rule().pattern(), "/foo/");
    /// ```
    pub fn rule(&self) -> &'a Rule {
        &self.rule.rule
    }

    /// The values: variables in rule order, then defaults.
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe_routing::{Map, Rule};
    /// # let map = Map::builder().rule(Rule::new("/<a>", "a")).build().unwrap();
    /// let m = map.bind("h").unwrap().match_path("/x", &http::Method::GET).unwrap();
    /// assert_eq!(m.values().len(), 1);
    /// ```
    pub fn values(&self) -> &Values<'a> {
        &self.values
    }

    /// Takes the values.
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe_routing::{Map, Rule};
    /// # let map = Map::builder().rule(Rule::new("/<a>", "a")).build().unwrap();
    /// let m = map.bind("h").unwrap().match_path("/x", &http::Method::GET).unwrap();
    /// let mut values = m.into_values();
    /// assert_eq!(values.take_as::<String>("a").unwrap(), "x");
    /// ```
    pub fn into_values(self) -> Values<'a> {
        self.values
    }

    /// The value named `name`, converted (see [`FromValue`]).
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe_routing::{Map, Rule};
    /// # let map = Map::builder().rule(Rule::new("/<int:n>", "a")).build().unwrap();
    /// let m = map.bind("h").unwrap().match_path("/7", &http::Method::GET).unwrap();
    /// assert_eq!(m.get::<i32>("n").unwrap(), 7);
    /// assert!(m.get::<i32>("x").is_err());
    /// ```
    pub fn get<T: FromValue>(&self, name: &str) -> Result<T, ValueError> {
        self.values.get_as(name)
    }
}

/// Names the values of a rule's variables (in order), then adds the
/// defaults not among them.
pub(crate) fn assemble<'x>(
    rule: &'x CompiledRule,
    vals: impl IntoIterator<Item = Value<'x>>,
) -> Values<'x> {
    let mut values = Values::with_capacity(rule.var_names.len() + rule.rule.defaults.len());
    for (name, v) in rule.var_names.iter().zip(vals) {
        values.push(name, v);
    }
    add_defaults(rule, &mut values);
    values
}

/// Adds the rule's defaults that are not variables.
#[inline]
pub(crate) fn add_defaults<'x>(rule: &'x CompiledRule, values: &mut Values<'x>) {
    for (k, v) in &rule.rule.defaults {
        if !values.contains(k) {
            values.push(k, v.borrowed());
        }
    }
}
