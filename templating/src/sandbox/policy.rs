//! What sandboxed templates may use: allow-lists of filters, functions and tests.

use std::collections::BTreeSet;

use crate::diagnostics::{TERA_FILTERS, TERA_FUNCTIONS, TERA_TESTS};

/// An allow-list for one kind of name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AllowList {
    allowed: BTreeSet<String>,
}

impl AllowList {
    fn of(names: &[&str]) -> Self {
        AllowList {
            allowed: names.iter().map(|s| s.to_string()).collect(),
        }
    }

    pub(crate) fn allows(&self, name: &str) -> bool {
        self.allowed.contains(name)
    }

    pub(crate) fn allow(&mut self, name: &str) {
        self.allowed.insert(name.to_string());
    }

    pub(crate) fn deny(&mut self, name: &str) {
        self.allowed.remove(name);
    }

    pub(crate) fn only<I: IntoIterator<Item = S>, S: AsRef<str>>(&mut self, names: I) {
        self.allowed = names.into_iter().map(|s| s.as_ref().to_string()).collect();
    }

    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.allowed.iter().map(String::as_str)
    }
}

/// The allow-lists of a sandbox. By default: every Tera built-in filter and test and
/// every Carafe filter (none of them touches the file system, the environment or the
/// network; the ones whose output can outgrow their input are replaced by bounded
/// versions), and the functions `range` and `throw`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Policy {
    pub(crate) filters: AllowList,
    pub(crate) functions: AllowList,
    pub(crate) tests: AllowList,
}

impl Default for Policy {
    fn default() -> Self {
        let mut filters = AllowList::of(TERA_FILTERS);
        for name in crate::filters::NAMES {
            filters.allow(name);
        }
        Policy {
            filters,
            functions: AllowList::of(&["range", "throw"]),
            tests: AllowList::of(TERA_TESTS),
        }
    }
}

/// Every built-in name (Tera's and Carafe's) a denied stub may have to cover.
pub(crate) fn builtin_filters() -> impl Iterator<Item = &'static str> {
    TERA_FILTERS.iter().chain(crate::filters::NAMES).copied()
}

pub(crate) fn builtin_functions() -> impl Iterator<Item = &'static str> {
    TERA_FUNCTIONS
        .iter()
        .copied()
        .filter(|name| *name != "super")
}

pub(crate) fn builtin_tests() -> impl Iterator<Item = &'static str> {
    TERA_TESTS.iter().copied()
}
