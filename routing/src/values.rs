//! `Values`: the named values of a match, in rule order then defaults.

use std::fmt;

use crate::value::{FromValue, Value, ValueError};

/// The values of a match: the rule's variables in rule order (host or
/// subdomain variables first), then the rule's defaults.
///
/// # Examples
///
/// ```
/// use carafe_routing::{Map, Rule, Value};
///
/// let map = Map::builder()
///     .rule(Rule::new("/<lang>/page/<int:n>", "page").default_value("theme", "dark"))
///     .build()
///     .unwrap();
/// let adapter = map.bind("example.com").unwrap();
/// let m = adapter.match_path("/en/page/3", &http::Method::GET).unwrap();
/// let names: Vec<_> = m.values().iter().map(|(k, _)| k).collect();
/// assert_eq!(names, ["lang", "n", "theme"]);
/// assert_eq!(m.values().get_as::<u32>("n").unwrap(), 3);
/// assert_eq!(m.values().get("lang"), Some(&Value::from("en")));
/// ```
#[derive(Clone, Default, PartialEq)]
pub struct Values<'a> {
    entries: Vec<(&'a str, Value<'a>)>,
}

impl<'a> Values<'a> {
    /// No values.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(carafe_routing::Values::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Values {
            entries: Vec::new(),
        }
    }

    pub(crate) fn with_capacity(n: usize) -> Self {
        Values {
            entries: Vec::with_capacity(n),
        }
    }

    /// The value named `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{Value, Values};
    /// let mut v = Values::new();
    /// v.insert("id", Value::Int(1));
    /// assert_eq!(v.get("id"), Some(&Value::Int(1)));
    /// assert_eq!(v.get("x"), None);
    /// ```
    pub fn get(&self, name: &str) -> Option<&Value<'a>> {
        self.entries
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }

    /// The value named `name`, converted to `T`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{Value, Values, ValueError};
    /// let mut v = Values::new();
    /// v.insert("id", Value::Int(1));
    /// assert_eq!(v.get_as::<i64>("id"), Ok(1));
    /// assert_eq!(v.get_as::<i64>("x"), Err(ValueError::Missing { name: "x".into() }));
    /// ```
    pub fn get_as<T: FromValue>(&self, name: &str) -> Result<T, ValueError> {
        match self.get(name) {
            Some(v) => T::from_value(v),
            None => Err(ValueError::Missing {
                name: name.to_owned(),
            }),
        }
    }

    /// Removes and returns the value named `name`, converted to `T` (moves
    /// owned text instead of copying it).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{Value, Values};
    /// let mut v = Values::new();
    /// v.insert("name", Value::from(String::from("ann")));
    /// assert_eq!(v.take_as::<String>("name").unwrap(), "ann");
    /// assert!(v.is_empty());
    /// ```
    pub fn take_as<T: FromValue>(&mut self, name: &str) -> Result<T, ValueError> {
        match self.entries.iter().position(|(k, _)| *k == name) {
            Some(i) => T::from_owned_value(self.entries.remove(i).1),
            None => Err(ValueError::Missing {
                name: name.to_owned(),
            }),
        }
    }

    /// Whether a value named `name` exists.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut v = carafe_routing::Values::new();
    /// v.insert("a", 1.into());
    /// assert!(v.contains("a"));
    /// ```
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Sets `name` to `value`, replacing an existing value in place.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{Value, Values};
    /// let mut v = Values::new();
    /// v.insert("a", Value::Int(1));
    /// v.insert("a", Value::Int(2));
    /// assert_eq!((v.len(), v.get("a")), (1, Some(&Value::Int(2))));
    /// ```
    pub fn insert(&mut self, name: &'a str, value: Value<'a>) {
        match self.entries.iter_mut().find(|(k, _)| *k == name) {
            Some(slot) => slot.1 = value,
            None => self.entries.push((name, value)),
        }
    }

    pub(crate) fn push(&mut self, name: &'a str, value: Value<'a>) {
        self.entries.push((name, value));
    }

    /// The number of values.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(carafe_routing::Values::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no values.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(carafe_routing::Values::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The values in order, as `(name, value)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut v = carafe_routing::Values::new();
    /// v.insert("a", 1.into());
    /// assert_eq!(v.iter().count(), 1);
    /// ```
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&'a str, &Value<'a>)> + '_ {
        self.entries.iter().map(|(k, v)| (*k, v))
    }

    /// Owned copies of the names and values, independent of the map and
    /// the request.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut v = carafe_routing::Values::new();
    /// v.insert("a", 1.into());
    /// assert_eq!(v.to_owned_vec(), vec![("a".to_string(), carafe_routing::Value::Int(1))]);
    /// ```
    pub fn to_owned_vec(&self) -> Vec<(String, Value<'static>)> {
        self.entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone().into_owned()))
            .collect()
    }
}

impl<'a> IntoIterator for Values<'a> {
    type Item = (&'a str, Value<'a>);
    type IntoIter = std::vec::IntoIter<(&'a str, Value<'a>)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl fmt::Debug for Values<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.entries.iter().map(|(k, v)| (k, v)))
            .finish()
    }
}
