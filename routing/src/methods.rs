//! Sets of HTTP methods as bit masks (the nine standard methods) plus a list
//! for extension methods.

use http::Method;

static STANDARD: [Method; 9] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::DELETE,
    Method::PATCH,
    Method::OPTIONS,
    Method::CONNECT,
    Method::TRACE,
];

pub(crate) const OPTIONS_BIT: u16 = 1 << 6;
pub(crate) const HEAD_BIT: u16 = 1 << 1;
pub(crate) const GET_BIT: u16 = 1;
/// Every standard method.
pub(crate) const ALL_BITS: u16 = (1 << STANDARD.len()) - 1;

#[inline]
fn bit(method: &Method) -> Option<u16> {
    // The common methods first, without a loop.
    if *method == Method::GET {
        return Some(GET_BIT);
    }
    if *method == Method::POST {
        return Some(1 << 2);
    }
    STANDARD.iter().position(|m| m == method).map(|i| 1 << i)
}

/// A request method prepared for repeated set lookups.
#[derive(Clone, Copy, Debug)]
pub(crate) enum MethodKey<'a> {
    /// A standard method.
    Bit(u16),
    /// An extension method.
    Ext(&'a Method),
    /// Matches no rule with methods (Werkzeug's `"--"` used to collect the
    /// allowed methods).
    Nothing,
}

impl<'a> MethodKey<'a> {
    pub(crate) fn new(method: &'a Method) -> Self {
        match bit(method) {
            Some(b) => MethodKey::Bit(b),
            None => MethodKey::Ext(method),
        }
    }

    /// The bit of a standard method, 0 for others.
    #[inline]
    pub(crate) fn bit(&self) -> u16 {
        match self {
            MethodKey::Bit(b) => *b,
            _ => 0,
        }
    }

    pub(crate) fn is_options(&self) -> bool {
        matches!(self, MethodKey::Bit(OPTIONS_BIT))
    }
}

/// A set of methods.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct MethodSet {
    bits: u16,
    ext: Vec<Method>,
}

impl MethodSet {
    pub(crate) fn insert(&mut self, method: &Method) {
        match bit(method) {
            Some(b) => self.bits |= b,
            None => {
                if !self.ext.contains(method) {
                    self.ext.push(method.clone());
                }
            }
        }
    }

    pub(crate) fn insert_bits(&mut self, bits: u16) {
        self.bits |= bits;
    }

    pub(crate) fn has_bits(&self, bits: u16) -> bool {
        self.bits & bits == bits
    }

    pub(crate) fn remove_bits(&mut self, bits: u16) {
        self.bits &= !bits;
    }

    #[inline]
    pub(crate) fn contains(&self, key: MethodKey<'_>) -> bool {
        match key {
            MethodKey::Bit(b) => self.bits & b != 0,
            MethodKey::Ext(m) => self.ext.contains(m),
            MethodKey::Nothing => false,
        }
    }

    pub(crate) fn extend(&mut self, other: &MethodSet) {
        self.bits |= other.bits;
        for m in &other.ext {
            if !self.ext.contains(m) {
                self.ext.push(m.clone());
            }
        }
    }

    /// The standard methods of the set, as a bit mask.
    pub(crate) fn standard_bits(&self) -> u16 {
        self.bits
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.bits == 0 && self.ext.is_empty()
    }

    /// Whether the sets share a method other than HEAD and OPTIONS
    /// (Werkzeug's duplicate test).
    pub(crate) fn overlaps_ignoring_head_options(&self, other: &MethodSet) -> bool {
        let mask = !(HEAD_BIT | OPTIONS_BIT);
        (self.bits & other.bits & mask) != 0 || self.ext.iter().any(|m| other.ext.contains(m))
    }

    /// The methods, sorted by name.
    pub(crate) fn to_sorted_vec(&self) -> Vec<Method> {
        let mut out: Vec<Method> = STANDARD
            .iter()
            .enumerate()
            .filter(|(i, _)| self.bits & (1 << i) != 0)
            .map(|(_, m)| m.clone())
            .chain(self.ext.iter().cloned())
            .collect();
        out.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_and_keys() {
        let mut set = MethodSet::default();
        set.insert(&Method::GET);
        set.insert(&Method::from_bytes(b"PURGE").unwrap());
        assert!(set.contains(MethodKey::new(&Method::GET)));
        assert!(!set.contains(MethodKey::new(&Method::POST)));
        let purge = Method::from_bytes(b"PURGE").unwrap();
        assert!(set.contains(MethodKey::new(&purge)));
        assert!(!set.contains(MethodKey::Nothing));
        let names: Vec<_> = set.to_sorted_vec().iter().map(|m| m.to_string()).collect();
        assert_eq!(names, ["GET", "PURGE"]);
    }

    #[test]
    fn duplicate_overlap_ignores_head_and_options() {
        let mut a = MethodSet::default();
        a.insert_bits(GET_BIT | HEAD_BIT | OPTIONS_BIT);
        let mut b = MethodSet::default();
        b.insert_bits(HEAD_BIT | OPTIONS_BIT);
        b.insert(&Method::POST);
        assert!(!a.overlaps_ignoring_head_options(&b));
        b.insert(&Method::GET);
        assert!(a.overlaps_ignoring_head_options(&b));
    }
}
