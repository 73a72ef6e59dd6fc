//! The `books` blueprint at `/api`: list, create, show, replace, change,
//! remove.

use std::collections::BTreeMap;

use carafe::prelude::*;
use carafe::wrappers::headers::EntityTag;
use serde::Deserialize;
use serde_json::json;

use super::auth::Authorized;
use super::{ApiError, Book, Library};

/// Books per page when the query does not say (app state).
pub(crate) struct PageSize {
    pub(crate) per_page: u32,
}

/// The body of `POST` and `PUT`: unknown fields are refused (`400`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewBook {
    title: String,
    author: String,
    #[serde(default)]
    year: Option<i32>,
    #[serde(default)]
    tags: Vec<String>,
}

/// The body of `PATCH`: the fields to change.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BookPatch {
    title: Option<String>,
    author: Option<String>,
    year: Option<i32>,
    tags: Option<Vec<String>>,
}

/// The query of the list: filters and the page.
#[derive(Deserialize)]
struct ListQuery {
    author: Option<String>,
    tag: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// The values a book must have (`422` naming each field otherwise).
fn validate(book: &Book) -> Result<(), ApiError> {
    let mut fields = BTreeMap::new();
    for (name, value) in [("title", &book.title), ("author", &book.author)] {
        if value.trim().is_empty() {
            fields.insert(name, "must not be empty".to_owned());
        } else if value.chars().count() > 200 {
            fields.insert(name, "must be at most 200 characters".to_owned());
        }
    }
    if book
        .year
        .is_some_and(|year| !(-3000..=2100).contains(&year))
    {
        fields.insert("year", "must be between -3000 and 2100".to_owned());
    }
    if book.tags.len() > 10 {
        fields.insert("tags", "at most 10 tags".to_owned());
    } else if book.tags.iter().any(|tag| tag.trim().is_empty()) {
        fields.insert("tags", "tags must not be empty".to_owned());
    }
    if fields.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Invalid(fields))
    }
}

#[get("/books")]
fn list(
    request: &Request,
    Query(query): Query<ListQuery>,
    library: State<Library>,
    default: State<PageSize>,
) -> Result<Json<serde_json::Value>, Error> {
    let page = query.page.unwrap_or(1);
    let per_page = query.per_page.unwrap_or(default.per_page);
    if page == 0 {
        return Err(ApiError::BadQuery("page starts at 1".to_owned()).into());
    }
    if !(1..=100).contains(&per_page) {
        return Err(ApiError::BadQuery("per_page must be between 1 and 100".to_owned()).into());
    }
    let shelves = library.lock();
    let matching: Vec<&Book> = shelves
        .books
        .values()
        .filter(|book| {
            query
                .author
                .as_ref()
                .is_none_or(|author| &book.author == author)
        })
        .filter(|book| query.tag.as_ref().is_none_or(|tag| book.tags.contains(tag)))
        .collect();
    let start = (page as usize - 1).saturating_mul(per_page as usize);
    let books: Vec<&Book> = matching
        .iter()
        .skip(start)
        .take(per_page as usize)
        .copied()
        .collect();
    let next = if start.saturating_add(per_page as usize) < matching.len() {
        // Values that are not rule variables become the query string.
        let mut next = UrlFor::new(".list")
            .value("page", page + 1)
            .value("per_page", per_page);
        if let Some(author) = &query.author {
            next = next.value("author", author.as_str());
        }
        if let Some(tag) = &query.tag {
            next = next.value("tag", tag.as_str());
        }
        Some(request.url_for(next)?)
    } else {
        None
    };
    Ok(Json(json!({
        "books": books,
        "page": page,
        "per_page": per_page,
        "total": matching.len(),
        "next": next,
    })))
}

/// `201 Created`, where the new book lives, the book.
type Created = (StatusCode, [(&'static str, String); 1], Json<Book>);

#[post("/books")]
fn create(
    request: &Request,
    _auth: Authorized,
    library: State<Library>,
    Json(new): Json<NewBook>,
) -> Result<Created, Error> {
    let book = Book {
        id: 0,
        title: new.title,
        author: new.author,
        year: new.year,
        tags: new.tags,
        version: 0,
    };
    validate(&book)?;
    let book = library.lock().add(book);
    // Checked at compile time: `show` is a route with an `id: u64`.
    let location = request.url_for(url_for!(show, id = book.id))?;
    Ok((StatusCode::CREATED, [("location", location)], Json(book)))
}

#[get("/books/<int:id>")]
fn show(id: u64, request: &Request, library: State<Library>) -> Result<Response, Error> {
    let book = library
        .lock()
        .books
        .get(&id)
        .cloned()
        .ok_or(ApiError::NoSuchBook(id))?;
    let etag = EntityTag::strong(book.etag())?;
    // `304 Not Modified` when the client's `If-None-Match` has this tag.
    Ok(Json(&book)
        .into_response()
        .with_etag(&etag)
        .make_conditional(request))
}

#[put("/books/<int:id>")]
fn replace(
    id: u64,
    request: &Request,
    _auth: Authorized,
    library: State<Library>,
    Json(new): Json<NewBook>,
) -> Result<Response, Error> {
    change(request, &library, id, |book| {
        book.title = new.title;
        book.author = new.author;
        book.year = new.year;
        book.tags = new.tags;
    })
}

#[patch("/books/<int:id>")]
fn update(
    id: u64,
    request: &Request,
    _auth: Authorized,
    library: State<Library>,
    Json(patch): Json<BookPatch>,
) -> Result<Response, Error> {
    change(request, &library, id, |book| {
        if let Some(title) = patch.title {
            book.title = title;
        }
        if let Some(author) = patch.author {
            book.author = author;
        }
        if let Some(year) = patch.year {
            book.year = Some(year);
        }
        if let Some(tags) = patch.tags {
            book.tags = tags;
        }
    })
}

#[delete("/books/<int:id>")]
fn remove(
    id: u64,
    request: &Request,
    _auth: Authorized,
    library: State<Library>,
) -> Result<StatusCode, Error> {
    let mut shelves = library.lock();
    let book = shelves.books.get(&id).ok_or(ApiError::NoSuchBook(id))?;
    check_if_match(request, book)?;
    shelves.books.remove(&id);
    Ok(StatusCode::NO_CONTENT)
}

/// Changes book `id` with `apply` if `If-Match` allows it and the result
/// is valid; answers the new version with its `ETag`.
fn change(
    request: &Request,
    library: &Library,
    id: u64,
    apply: impl FnOnce(&mut Book),
) -> Result<Response, Error> {
    let mut shelves = library.lock();
    let current = shelves.books.get(&id).ok_or(ApiError::NoSuchBook(id))?;
    check_if_match(request, current)?;
    let mut book = current.clone();
    apply(&mut book);
    validate(&book)?;
    book.version += 1;
    shelves.books.insert(id, book.clone());
    let etag = EntityTag::strong(book.etag())?;
    Ok(Json(book).into_response().with_etag(&etag))
}

/// Optimistic concurrency: a write with `If-Match` applies only to the
/// version it names (`412` otherwise).
fn check_if_match(request: &Request, book: &Book) -> Result<(), ApiError> {
    let if_match = request.if_match();
    if if_match.is_empty() || if_match.contains(&book.etag()) {
        Ok(())
    } else {
        Err(ApiError::PreconditionFailed)
    }
}

pub(crate) fn blueprint() -> Blueprint {
    Blueprint::new("books")
        .url_prefix("/api")
        .register(list)
        .register(create)
        .register(show)
        .register(replace)
        .register(update)
        .register(remove)
}
