//! An ordered map that keeps every value of a repeated key (Werkzeug's `MultiDict`).

use std::fmt;

/// An ordered multi-value map: the query arguments, form fields, uploaded
/// files and cookies of a request.
///
/// A key may appear several times (`?tag=a&tag=b`); the pairs keep the order
/// in which the client sent them. [`get`](Self::get) returns the *first* value
/// of a key, as Werkzeug's `MultiDict.get` does; [`get_all`](Self::get_all)
/// returns every value in order. Lookups scan the pairs: requests carry few
/// fields and the number is bounded by [`Limits`](crate::Limits), so a scan
/// beats hashing.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::MultiDict;
///
/// let args: MultiDict = [("tag", "a"), ("page", "2"), ("tag", "b")].into_iter().collect();
/// assert_eq!(args.get("tag").map(String::as_str), Some("a"));
/// assert_eq!(args.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
/// assert_eq!(args.keys().collect::<Vec<_>>(), ["tag", "page"]);
/// assert_eq!(args.len(), 3);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct MultiDict<V = String> {
    items: Vec<(String, V)>,
}

impl<V> MultiDict<V> {
    /// An empty map.
    pub const fn new() -> Self {
        Self { items: Vec::new() }
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.items.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Every value of `key`, in the order they were sent.
    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a V> + 'a {
        self.items
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Whether `key` has at least one value.
    pub fn contains_key(&self, key: &str) -> bool {
        self.items.iter().any(|(k, _)| k == key)
    }

    /// The number of pairs (a key with two values counts twice).
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the map holds no pair.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The distinct keys, in the order of their first appearance.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        let mut seen = std::collections::HashSet::new();
        self.items
            .iter()
            .map(|(k, _)| k.as_str())
            .filter(move |k| seen.insert(*k))
    }

    /// Every pair, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.items.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Adds a value for `key` after the existing ones.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::MultiDict;
    ///
    /// let mut dict = MultiDict::new();
    /// dict.append("a", 1);
    /// dict.append("a", 2);
    /// assert_eq!(dict.get_all("a").collect::<Vec<_>>(), [&1, &2]);
    /// ```
    pub fn append(&mut self, key: impl Into<String>, value: V) {
        self.items.push((key.into(), value));
    }

    /// Replaces every value of `key` with `value` (kept at the position of the
    /// first old value, or appended).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::MultiDict;
    ///
    /// let mut dict: MultiDict = [("a", "1"), ("b", "2"), ("a", "3")].into_iter().collect();
    /// dict.insert("a", "x".to_owned());
    /// assert_eq!(dict.iter().collect::<Vec<_>>(), [("a", &"x".to_owned()), ("b", &"2".to_owned())]);
    /// ```
    pub fn insert(&mut self, key: impl Into<String>, value: V) {
        let key = key.into();
        match self.items.iter().position(|(k, _)| *k == key) {
            Some(first) => {
                self.items[first].1 = value;
                let mut index = 0;
                self.items.retain(|(k, _)| {
                    index += 1;
                    index - 1 == first || *k != key
                });
            }
            None => self.items.push((key, value)),
        }
    }

    /// Removes every value of `key` and returns them in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::MultiDict;
    ///
    /// let mut dict: MultiDict = [("a", "1"), ("b", "2"), ("a", "3")].into_iter().collect();
    /// assert_eq!(dict.remove("a"), ["1", "3"]);
    /// assert!(!dict.contains_key("a"));
    /// ```
    pub fn remove(&mut self, key: &str) -> Vec<V> {
        let mut removed = Vec::new();
        let mut kept = Vec::with_capacity(self.items.len());
        for (k, v) in self.items.drain(..) {
            if k == key {
                removed.push(v);
            } else {
                kept.push((k, v));
            }
        }
        self.items = kept;
        removed
    }

    /// Adds every pair of `other` after the pairs of `self` (Werkzeug's
    /// `CombinedMultiDict` flattened: lookups find `self`'s values first).
    pub fn extend(&mut self, other: impl IntoIterator<Item = (String, V)>) {
        self.items.extend(other);
    }
}

impl<V> Default for MultiDict<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V: fmt::Debug> fmt::Debug for MultiDict<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<K: Into<String>, V> FromIterator<(K, V)> for MultiDict<V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self {
            items: iter.into_iter().map(|(k, v)| (k.into(), v)).collect(),
        }
    }
}

impl<'a> FromIterator<(&'a str, &'a str)> for MultiDict<String> {
    fn from_iter<I: IntoIterator<Item = (&'a str, &'a str)>>(iter: I) -> Self {
        Self {
            items: iter
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        }
    }
}

impl<V> IntoIterator for MultiDict<V> {
    type Item = (String, V);
    type IntoIter = std::vec::IntoIter<(String, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, V> IntoIterator for &'a MultiDict<V> {
    type Item = (&'a str, &'a V);
    type IntoIter =
        std::iter::Map<std::slice::Iter<'a, (String, V)>, fn(&'a (String, V)) -> (&'a str, &'a V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter().map(|(k, v)| (k.as_str(), v))
    }
}

impl<V> From<Vec<(String, V)>> for MultiDict<V> {
    fn from(items: Vec<(String, V)>) -> Self {
        Self { items }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dict(pairs: &[(&str, &str)]) -> MultiDict {
        pairs.iter().copied().collect()
    }

    #[test]
    fn insert_replaces_every_value_in_place() {
        let mut d = dict(&[("a", "1"), ("b", "2"), ("a", "3")]);
        d.insert("a", "x".to_owned());
        assert_eq!(d, dict(&[("a", "x"), ("b", "2")]));
        d.insert("c", "y".to_owned());
        assert_eq!(d, dict(&[("a", "x"), ("b", "2"), ("c", "y")]));
    }

    #[test]
    fn remove_returns_values_in_order() {
        let mut d = dict(&[("a", "1"), ("b", "2"), ("a", "3")]);
        assert_eq!(d.remove("a"), ["1", "3"]);
        assert_eq!(d, dict(&[("b", "2")]));
        assert!(d.remove("zzz").is_empty());
    }

    #[test]
    fn keys_are_distinct_in_first_seen_order() {
        let d = dict(&[("b", "1"), ("a", "2"), ("b", "3"), ("c", "4")]);
        assert_eq!(d.keys().collect::<Vec<_>>(), ["b", "a", "c"]);
    }

    #[test]
    fn extend_keeps_own_values_first() {
        let mut args = dict(&[("a", "1")]);
        args.extend(dict(&[("a", "2"), ("b", "2")]));
        assert_eq!(args.get("a").unwrap(), "1");
        assert_eq!(args.get("b").unwrap(), "2");
    }
}
