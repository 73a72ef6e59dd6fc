//! The app factory, the users, and who is logged in.

mod account;
mod auth;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use carafe::cli::BoxError;
use carafe::config::Config;
use carafe::extract::FromRequestParts;
use carafe::prelude::*;
use carafe::render_template;
use carafe::wrappers::{PasswordMethod, generate_password_hash_with};
use rusqlite::{Connection, ErrorCode, OptionalExtension};
use serde::Deserialize;
use serde_json::json;

/// The app's section of the config.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuthSettings {
    /// How new passwords are hashed (Werkzeug's method syntax).
    pub(crate) hash_method: String,
    /// The SQLite file of the users; unset, one in the system's temporary
    /// directory.
    #[serde(default)]
    pub(crate) database: Option<PathBuf>,
}

/// A registered user.
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub(crate) name: String,
    /// `method$salt$hash`, as Werkzeug writes it.
    pub(crate) password_hash: String,
}

/// The users, in SQLite: every worker process of the production server
/// opens the same file, so a user registered through one worker logs in
/// through any other (as the session itself, a cookie, is read by all).
#[derive(Debug)]
pub(crate) struct Users {
    db: Mutex<Connection>,
    /// The hashing policy.
    pub(crate) method: PasswordMethod,
    /// A hash of nothing, made on first use: checked when a login names no
    /// user, so that costs as much time as a wrong password (no user
    /// enumeration by timing).
    dummy: OnceLock<String>,
}

impl Users {
    /// Opens (and creates) the users table in `path`.
    ///
    /// Every worker of the production server does this at the same moment
    /// on a database that may not exist yet. SQLite answers "busy" at once,
    /// without waiting, to some of them (the switch to WAL and a schema
    /// change need the whole file; two processes upgrading their read locks
    /// would deadlock), so a busy database is retried for a while: a worker
    /// that failed to boot because its neighbour was creating the table
    /// would stop the server.
    pub(crate) fn open(path: &Path, method: PasswordMethod) -> rusqlite::Result<Self> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let db = loop {
            match Self::connect(path) {
                Err(error)
                    if error.sqlite_error_code() == Some(ErrorCode::DatabaseBusy)
                        && Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
                result => break result?,
            }
        };
        Ok(Users {
            db: Mutex::new(db),
            method,
            dummy: OnceLock::new(),
        })
    }

    fn connect(path: &Path) -> rusqlite::Result<Connection> {
        let db = Connection::open(path)?;
        // Several processes write: wait for each other's locks, and let
        // readers read while one writes.
        db.busy_timeout(Duration::from_secs(5))?;
        db.pragma_update(None, "journal_mode", "WAL")?;
        // IMMEDIATE takes the write lock first, so the busy timeout applies
        // (no read lock to upgrade).
        db.execute_batch(
            "BEGIN IMMEDIATE;
             CREATE TABLE IF NOT EXISTS users (
                name TEXT PRIMARY KEY,
                password_hash TEXT NOT NULL
             );
             COMMIT;",
        )?;
        Ok(db)
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The user called `name`.
    pub(crate) fn get(&self, name: &str) -> rusqlite::Result<Option<User>> {
        self.db()
            .query_row(
                "SELECT name, password_hash FROM users WHERE name = ?1",
                [name],
                |row| {
                    Ok(User {
                        name: row.get(0)?,
                        password_hash: row.get(1)?,
                    })
                },
            )
            .optional()
    }

    /// Adds `user`; `false` when the name is taken.
    pub(crate) fn add(&self, user: &User) -> rusqlite::Result<bool> {
        let added = self.db().execute(
            "INSERT OR IGNORE INTO users (name, password_hash) VALUES (?1, ?2)",
            [&user.name, &user.password_hash],
        )?;
        Ok(added == 1)
    }

    /// Stores a new password hash for `name`.
    pub(crate) fn set_hash(&self, name: &str, hash: &str) -> rusqlite::Result<()> {
        self.db().execute(
            "UPDATE users SET password_hash = ?2 WHERE name = ?1",
            [name, hash],
        )?;
        Ok(())
    }

    /// The hash to check when nobody has the name given.
    pub(crate) fn dummy_hash(&self) -> &str {
        self.dummy.get_or_init(|| {
            generate_password_hash_with("not a password", self.method, 16).unwrap_or_default()
        })
    }
}

/// The logged-in user, if any: the session's `user`, if that user still
/// exists. Any handler can take it.
pub(crate) struct CurrentUser(pub(crate) Option<User>);

impl<'r> FromRequestParts<'r> for CurrentUser {
    fn from_request_parts(request: &'r Request) -> Result<Self, Error> {
        let users = request
            .state::<Users>()
            .ok_or_else(|| Error::msg("no Users state"))?;
        let Some(name) = request.session().get::<String>("user") else {
            return Ok(CurrentUser(None));
        };
        Ok(CurrentUser(users.get(&name)?))
    }
}

#[get("/")]
fn index(
    request: &Request,
    user: CurrentUser,
    session: Session<'_>,
) -> Result<Html<String>, Error> {
    // The session keeps values for anonymous visitors too.
    let visits = session.get::<u64>("visits").unwrap_or(0) + 1;
    session.insert("visits", visits)?;
    render_template(
        request,
        "index.html",
        &json!({"user": user.0.map(|u| u.name), "visits": visits, "remembered": session.is_permanent()}),
    )
}

/// The app, from a loaded config.
pub(crate) fn build_app(config: &Config<AuthSettings>) -> Result<App, BoxError> {
    let method: PasswordMethod = config
        .app
        .hash_method
        .parse()
        .map_err(|error| format!("app.hash_method: {error}"))?;
    let database = config
        .app
        .database
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("carafe-sessions-example.sqlite3"));
    let users = Users::open(&database, method)
        .map_err(|error| format!("the users database {}: {error}", database.display()))?;
    if config.settings.secret_key.is_none() {
        return Err("no secret_key: sessions cannot work (set CARAFE_SECRET_KEY)".into());
    }
    let app = config
        .settings
        .apply_to(App::builder())
        .template_folder(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/sessions/templates"
        ))
        .state(users)
        .register(index)
        .register_blueprint(auth::blueprint())
        .register_blueprint(account::blueprint())
        .try_build()?;
    Ok(app)
}

/// The app factory.
pub(crate) fn create_app() -> Result<App, BoxError> {
    let config: Config<AuthSettings> = Config::load()?;
    build_app(&config)
}
