//! `Values`: the named values of a match, in rule order then defaults.
//! Up to three values that hold nothing to free (borrowed text, numbers)
//! live inline: no allocation and no drop code on the common match.

use std::borrow::Cow;
use std::fmt;
use std::mem::ManuallyDrop;

use crate::value::{FromValue, Value, ValueError};

const INLINE: usize = 3;

type Entry<'a> = (&'a str, Value<'a>);

/// Up to [`INLINE`] entries in place (the `Some` ones first), or a vector.
/// No separate length: a `Match` then fits in 128 bytes, which callers
/// move without a call to `memcpy`.
///
/// Inline entries hold nothing to free ([`Value::holds_nothing_to_free`]);
/// a value that does moves the entries to the vector. The array is then
/// never dropped: the generated drop code would call out of line for each
/// entry (`Value` is recursive through `List`), which costs a match more
/// than building its values.
#[derive(Clone)]
enum Storage<'a> {
    Inline(ManuallyDrop<[Option<Entry<'a>>; INLINE]>),
    Heap(Vec<Entry<'a>>),
}

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
#[derive(Clone)]
pub struct Values<'a> {
    storage: Storage<'a>,
}

impl Default for Values<'_> {
    fn default() -> Self {
        Values::new()
    }
}

impl PartialEq for Values<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.entries().eq(other.entries())
    }
}

impl<'a> Values<'a> {
    /// How many values live inline.
    pub(crate) const INLINE: usize = INLINE;

    /// No values.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(carafe_routing::Values::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Values {
            storage: Storage::Inline(ManuallyDrop::new([None, None, None])),
        }
    }

    pub(crate) fn with_capacity(n: usize) -> Self {
        if n <= INLINE {
            Values::new()
        } else {
            Values {
                storage: Storage::Heap(Vec::with_capacity(n)),
            }
        }
    }

    fn entries(&self) -> Entries<'_, 'a> {
        match &self.storage {
            Storage::Inline(items) => Entries::Inline(items.iter()),
            Storage::Heap(v) => Entries::Heap(v.iter()),
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
        self.entries().find(|(k, _)| *k == name).map(|(_, v)| v)
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
        match self.remove(name) {
            Some(v) => T::from_owned_value(v),
            None => Err(ValueError::Missing {
                name: name.to_owned(),
            }),
        }
    }

    /// Removes and returns the value named `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_routing::{Value, Values};
    /// let mut v = Values::new();
    /// v.insert("a", Value::Int(1));
    /// v.insert("b", Value::Int(2));
    /// assert_eq!(v.remove("a"), Some(Value::Int(1)));
    /// assert_eq!(v.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["b"]);
    /// ```
    pub fn remove(&mut self, name: &str) -> Option<Value<'a>> {
        let i = self.entries().position(|(k, _)| *k == name)?;
        match &mut self.storage {
            Storage::Inline(items) => {
                items[i..].rotate_left(1);
                items[INLINE - 1].take().map(|(_, v)| v)
            }
            Storage::Heap(v) => Some(v.remove(i).1),
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
        let Some(i) = self.entries().position(|(k, _)| *k == name) else {
            return self.push(name, value);
        };
        if !value.holds_nothing_to_free() {
            self.spill();
        }
        match &mut self.storage {
            Storage::Inline(items) => items[i] = Some((name, value)),
            Storage::Heap(v) => v[i].1 = value,
        }
    }

    /// The inline entries, if the values are inline (none of them holds
    /// anything to free, and there are at most [`Values::INLINE`]). The
    /// `Some` entries must stay first.
    #[inline]
    pub(crate) fn inline_entries(&mut self) -> Option<&mut [Option<Entry<'a>>; INLINE]> {
        match &mut self.storage {
            Storage::Inline(items) => Some(items),
            Storage::Heap(_) => None,
        }
    }

    /// Removes every value.
    #[inline]
    pub(crate) fn clear(&mut self) {
        match &mut self.storage {
            // Inline entries hold nothing to free: only the tags are
            // written, without drop checks.
            Storage::Inline(items) => items
                .iter_mut()
                .for_each(|item| std::mem::forget(item.take())),
            Storage::Heap(v) => Self::clear_vec(v),
        }
    }

    /// Empties a vector of entries (out of line: the drop code is long).
    #[inline(never)]
    fn clear_vec(v: &mut Vec<Entry<'a>>) {
        v.clear();
    }

    #[inline]
    pub(crate) fn push(&mut self, name: &'a str, value: Value<'a>) {
        if let Storage::Inline(items) = &mut self.storage
            && value.holds_nothing_to_free()
        {
            let free = items.iter().position(Option::is_none).unwrap_or(INLINE);
            if let Some(slot @ None) = items.get_mut(free) {
                *slot = Some((name, value));
                return;
            }
        }
        self.push_spilled(name, value);
    }

    /// [`push`](Self::push) of borrowed text (known to free nothing).
    #[inline]
    pub(crate) fn push_borrowed(&mut self, name: &'a str, text: &'a str) {
        if let Storage::Inline(items) = &mut self.storage {
            let free = items.iter().position(Option::is_none).unwrap_or(INLINE);
            if let Some(slot @ None) = items.get_mut(free) {
                *slot = Some((name, Value::Str(Cow::Borrowed(text))));
                return;
            }
        }
        self.push_spilled(name, Value::Str(Cow::Borrowed(text)));
    }

    /// [`push_borrowed`](Self::push_borrowed) of the value number `n`
    /// (there are `n` values already): an inline entry goes to its place
    /// without a search for the first free one.
    #[inline]
    pub(crate) fn push_borrowed_nth(&mut self, n: usize, name: &'a str, text: &'a str) {
        debug_assert_eq!(self.len(), n);
        if let Storage::Inline(items) = &mut self.storage
            && let Some(slot @ None) = items.get_mut(n)
        {
            *slot = Some((name, Value::Str(Cow::Borrowed(text))));
            return;
        }
        self.push_borrowed(name, text);
    }

    /// [`push`](Self::push) past the inline entries, or of a value that
    /// holds something to free.
    #[inline(never)]
    fn push_spilled(&mut self, name: &'a str, value: Value<'a>) {
        self.spill();
        if let Storage::Heap(v) = &mut self.storage {
            v.push((name, value));
        }
    }

    /// Moves inline entries to the vector.
    fn spill(&mut self) {
        if let Storage::Inline(items) = &mut self.storage {
            let mut v = Vec::with_capacity(INLINE * 2);
            v.extend(items.iter_mut().filter_map(Option::take));
            self.storage = Storage::Heap(v);
        }
    }

    /// The number of values.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(carafe_routing::Values::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        match &self.storage {
            Storage::Inline(items) => items.iter().filter(|e| e.is_some()).count(),
            Storage::Heap(v) => v.len(),
        }
    }

    /// Whether there are no values.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(carafe_routing::Values::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
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
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &Value<'a>)> + '_ {
        self.entries().map(|(k, v)| (*k, v))
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
        self.entries()
            .map(|(k, v)| ((*k).to_owned(), v.clone().into_owned()))
            .collect()
    }

    /// The values alone, in order (names are dropped).
    pub(crate) fn into_values(self) -> impl Iterator<Item = Value<'a>> {
        self.into_iter().map(|(_, v)| v)
    }
}

/// Iterates over owned `(name, value)` pairs.
pub struct IntoIter<'a> {
    inner: IntoIterInner<'a>,
}

enum IntoIterInner<'a> {
    Inline(std::iter::Flatten<std::array::IntoIter<Option<Entry<'a>>, INLINE>>),
    Heap(std::vec::IntoIter<Entry<'a>>),
}

/// Borrowing iteration over the entries.
enum Entries<'s, 'a> {
    Inline(std::slice::Iter<'s, Option<Entry<'a>>>),
    Heap(std::slice::Iter<'s, Entry<'a>>),
}

impl<'s, 'a> Iterator for Entries<'s, 'a> {
    type Item = &'s Entry<'a>;
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Entries::Inline(it) => it.next()?.as_ref(),
            Entries::Heap(it) => it.next(),
        }
    }
}

impl fmt::Debug for IntoIter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IntoIter(..)")
    }
}

impl<'a> Iterator for IntoIter<'a> {
    type Item = (&'a str, Value<'a>);
    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.inner {
            IntoIterInner::Inline(it) => it.next(),
            IntoIterInner::Heap(it) => it.next(),
        }
    }
}

impl<'a> IntoIterator for Values<'a> {
    type Item = (&'a str, Value<'a>);
    type IntoIter = IntoIter<'a>;
    fn into_iter(self) -> IntoIter<'a> {
        IntoIter {
            inner: match self.storage {
                Storage::Inline(items) => {
                    IntoIterInner::Inline(ManuallyDrop::into_inner(items).into_iter().flatten())
                }
                Storage::Heap(v) => IntoIterInner::Heap(v.into_iter()),
            },
        }
    }
}

impl fmt::Debug for Values<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.entries().map(|(k, v)| (k, v)))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn a_match_fits_in_128_bytes() {
        assert!(std::mem::size_of::<crate::Match<'_>>() <= 128);
    }

    #[test]
    fn values_holding_memory_are_freed() {
        // Only values that free nothing stay inline (the array is never
        // dropped): an `Arc` inside a value shows whether it was dropped,
        // whether it was pushed, inserted over an inline value, or left in
        // a partly consumed iterator.
        let data = Arc::new(7u8);
        let custom = || Value::Custom(data.clone());
        {
            let mut v = Values::new();
            v.push("a", Value::Int(1));
            v.push("b", custom());
            v.insert("a", custom());
            v.push("c", Value::Str(Cow::Owned("x".into())));
            assert_eq!(Arc::strong_count(&data), 3);
            assert_eq!(v.len(), 3);
            assert_eq!(
                v.iter().map(|(k, _)| k).collect::<Vec<_>>(),
                ["a", "b", "c"]
            );
        }
        assert_eq!(Arc::strong_count(&data), 1);
        let mut v = Values::new();
        v.push("a", Value::Int(1));
        v.insert("a", custom());
        let mut it = v.clone().into_iter();
        assert_eq!(it.next().map(|(k, _)| k), Some("a"));
        drop((v, it));
        assert_eq!(Arc::strong_count(&data), 1);
        // Borrowed text and numbers stay inline.
        let mut v = Values::new();
        v.push("s", Value::from("x"));
        v.push("n", Value::Int(2));
        assert!(matches!(v.storage, Storage::Inline(_)));
        v.insert("n", Value::Str(Cow::Owned("y".into())));
        assert!(matches!(v.storage, Storage::Heap(_)));
        assert_eq!(v.get("n"), Some(&Value::from("y")));
    }

    #[test]
    fn spills_to_the_heap_and_keeps_order() {
        let names = ["a", "b", "c", "d", "e", "f"];
        let mut v = Values::new();
        for (i, n) in names.iter().enumerate() {
            v.push(n, Value::Int(i as i64));
        }
        assert_eq!(v.len(), 6);
        assert_eq!(v.iter().map(|(k, _)| k).collect::<Vec<_>>(), names);
        assert_eq!(v.remove("c"), Some(Value::Int(2)));
        let mut small = Values::new();
        small.push("x", Value::Int(1));
        small.push("y", Value::Int(2));
        assert_eq!(small.remove("x"), Some(Value::Int(1)));
        assert_eq!(
            small.into_iter().collect::<Vec<_>>(),
            [("y", Value::Int(2))]
        );
    }
}
