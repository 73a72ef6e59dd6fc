//! The todos (Flask's tutorial `blog.py`): the list, and the `todos`
//! blueprint to create, change, tick off and delete them. A user sees and
//! changes only their own todos.

use std::time::{SystemTime, UNIX_EPOCH};

use carafe::prelude::*;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::{CurrentUser, LoggedInUser, User, login_required};
use super::db::Db;
use super::render;

/// Todos per page (app state, from `app.per_page`).
pub(crate) struct PerPage {
    pub(crate) count: u32,
}

/// A todo as the pages see it.
#[derive(Debug, Serialize)]
struct Todo {
    id: i64,
    owner_id: i64,
    title: String,
    notes: String,
    done: bool,
    /// Unix seconds; templates format it with the `date` filter.
    created: i64,
}

/// The list's query: which todos, which page.
#[derive(Debug, Deserialize)]
pub(crate) struct ListQuery {
    show: Option<String>,
    page: Option<u32>,
}

/// `GET /` (endpoint `index`, registered on the app, as in Flask's
/// tutorial): the user's todos, open ones first, a page at a time; a
/// welcome page for strangers.
#[get("/")]
pub(crate) fn index(
    request: &Request,
    user: CurrentUser,
    db: Db,
    per_page: State<PerPage>,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, Error> {
    let Some(user) = user.0 else {
        return render(request, "todos/welcome.html", json!({}));
    };
    let show = query.show.unwrap_or_else(|| "open".to_owned());
    if !matches!(show.as_str(), "open" | "done" | "all") {
        return Err(HttpError::bad_request()
            .with_description("show is open, done or all")
            .into());
    }
    let page = query.page.unwrap_or(1).max(1);
    let (open, done): (i64, i64) = db.query_row(
        "SELECT COUNT(*) - COALESCE(SUM(done), 0), COALESCE(SUM(done), 0) FROM todo WHERE owner_id = ?1",
        [user.id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let shown = match show.as_str() {
        "open" => open,
        "done" => done,
        _ => open + done,
    };
    let per_page = i64::from(per_page.count);
    let mut statement = db.prepare(
        "SELECT id, owner_id, title, notes, done, created FROM todo
         WHERE owner_id = ?1 AND (?2 = 'all' OR done = (?2 = 'done'))
         ORDER BY done, created DESC, id DESC LIMIT ?3 OFFSET ?4",
    )?;
    let todos = statement
        .query_map(
            (user.id, &show, per_page, (i64::from(page) - 1) * per_page),
            |row| {
                Ok(Todo {
                    id: row.get(0)?,
                    owner_id: row.get(1)?,
                    title: row.get(2)?,
                    notes: row.get(3)?,
                    done: row.get(4)?,
                    created: row.get(5)?,
                })
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let pages = ((shown + per_page - 1) / per_page).max(1);
    render(
        request,
        "todos/index.html",
        json!({
            "todos": todos,
            "show": show,
            "page": page,
            "pages": pages,
            "open": open,
            "done": done,
        }),
    )
}

/// The form of a todo.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
struct TodoForm {
    title: String,
    notes: String,
}

impl TodoForm {
    /// What is wrong with it, if anything.
    fn error(&self) -> Option<&'static str> {
        if self.title.trim().is_empty() {
            Some("Title is required.")
        } else if self.title.chars().count() > 200 {
            Some("Title is at most 200 characters.")
        } else if self.notes.chars().count() > 2000 {
            Some("Notes are at most 2000 characters.")
        } else {
            None
        }
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The todo `id` if `user` owns it (Flask's tutorial `get_post`): `404`
/// when there is none, `403` when it is someone else's.
fn get_todo(db: &Db, id: i64, user: &User) -> Result<Todo, Error> {
    let todo = db
        .query_row(
            "SELECT id, owner_id, title, notes, done, created FROM todo WHERE id = ?1",
            [id],
            |row| {
                Ok(Todo {
                    id: row.get(0)?,
                    owner_id: row.get(1)?,
                    title: row.get(2)?,
                    notes: row.get(3)?,
                    done: row.get(4)?,
                    created: row.get(5)?,
                })
            },
        )
        .optional()?
        .ok_or_else(|| {
            HttpError::not_found().with_description(format!("Todo {id} does not exist."))
        })?;
    if todo.owner_id != user.id {
        return Err(HttpError::forbidden().into());
    }
    Ok(todo)
}

/// The form page again, with the error flashed (`422`).
fn form_again(
    request: &Request,
    form: &TodoForm,
    error: &str,
    id: Option<i64>,
) -> Result<Response, Error> {
    request.flash_category("error", error)?;
    let page = render(request, "todos/edit.html", json!({"todo": form, "id": id}))?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[route("/create", methods = ["GET", "POST"])]
fn create(request: &Request, user: LoggedInUser, db: Db) -> Result<Response, Error> {
    if request.method() == Method::GET {
        let page = render(
            request,
            "todos/edit.html",
            json!({"todo": TodoForm::default(), "id": null}),
        )?;
        return Ok(page.into_response());
    }
    let form: TodoForm = request.form_as()?;
    if let Some(error) = form.error() {
        return form_again(request, &form, error, None);
    }
    db.execute(
        "INSERT INTO todo (owner_id, created, title, notes) VALUES (?1, ?2, ?3, ?4)",
        (user.0.id, now(), form.title.trim(), form.notes.trim()),
    )?;
    request.flash(format!("Added “{}”.", form.title.trim()))?;
    Ok(Redirect::see_other(request.url_for(url_for!(index))?).into_response())
}

#[route("/<int:id>/update", methods = ["GET", "POST"])]
fn update(id: i64, request: &Request, user: LoggedInUser, db: Db) -> Result<Response, Error> {
    let todo = get_todo(&db, id, &user.0)?;
    if request.method() == Method::GET {
        let page = render(request, "todos/edit.html", json!({"todo": todo, "id": id}))?;
        return Ok(page.into_response());
    }
    let form: TodoForm = request.form_as()?;
    if let Some(error) = form.error() {
        return form_again(request, &form, error, Some(id));
    }
    db.execute(
        "UPDATE todo SET title = ?2, notes = ?3 WHERE id = ?1",
        (id, form.title.trim(), form.notes.trim()),
    )?;
    Ok(Redirect::see_other(request.url_for(url_for!(index))?).into_response())
}

/// The form of the toggle button: where the list was.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Back {
    show: Option<String>,
}

#[post("/<int:id>/toggle")]
fn toggle(id: i64, request: &Request, user: LoggedInUser, db: Db) -> Result<Redirect, Error> {
    let todo = get_todo(&db, id, &user.0)?;
    db.execute("UPDATE todo SET done = NOT done WHERE id = ?1", [todo.id])?;
    let Back { show } = request.form_as()?;
    let mut back = url_for!(index);
    if let Some(show) = show.filter(|s| matches!(s.as_str(), "open" | "done" | "all")) {
        back = back.value("show", show);
    }
    Ok(Redirect::see_other(request.url_for(back)?))
}

#[post("/<int:id>/delete")]
fn delete(id: i64, request: &Request, user: LoggedInUser, db: Db) -> Result<Redirect, Error> {
    let todo = get_todo(&db, id, &user.0)?;
    db.execute("DELETE FROM todo WHERE id = ?1", [todo.id])?;
    request.flash(format!("Deleted “{}”.", todo.title))?;
    Ok(Redirect::see_other(request.url_for(url_for!(index))?))
}

/// The blueprint: every page needs a logged-in user.
pub(crate) fn blueprint() -> Blueprint {
    Blueprint::new("todos")
        .register(create)
        .register(update)
        .register(toggle)
        .register(delete)
        .before_request(login_required)
}
