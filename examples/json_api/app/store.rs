//! The books, in memory (a database in a real app): one lock around a map.
//! Every change bumps the book's version, which is its `ETag`.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::Serialize;

/// A book as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Book {
    pub(crate) id: u64,
    pub(crate) title: String,
    pub(crate) author: String,
    pub(crate) year: Option<i32>,
    pub(crate) tags: Vec<String>,
    /// Bumped by every change; the `ETag` is `"<id>-<version>"`.
    #[serde(skip)]
    pub(crate) version: u64,
}

impl Book {
    /// The strong entity tag of this version.
    pub(crate) fn etag(&self) -> String {
        format!("{}-{}", self.id, self.version)
    }
}

/// The library: the books by id, and the next id.
#[derive(Debug, Default)]
pub(crate) struct Library {
    inner: Mutex<Shelves>,
}

#[derive(Debug, Default)]
pub(crate) struct Shelves {
    pub(crate) books: BTreeMap<u64, Book>,
    next_id: u64,
}

impl Shelves {
    /// Adds a book, giving it the next id.
    pub(crate) fn add(&mut self, mut book: Book) -> Book {
        self.next_id += 1;
        book.id = self.next_id;
        book.version = 1;
        self.books.insert(book.id, book.clone());
        book
    }
}

impl Library {
    /// The shelves, locked (a panic while holding them poisons nothing:
    /// each change is one insert or remove).
    pub(crate) fn lock(&self) -> MutexGuard<'_, Shelves> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
