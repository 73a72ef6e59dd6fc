//! The database (Flask's tutorial `db.py`): the schema, applied when the
//! app starts, and a connection for each request that asks for one,
//! closed when the request is done with it.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use carafe::extract::FromRequestParts;
use carafe::prelude::*;
use rusqlite::{Connection, ErrorCode};

/// The schema: `CREATE ... IF NOT EXISTS`, so applying it again is harmless.
const SCHEMA: &str = include_str!("../schema.sql");

/// Where the database is (app state).
#[derive(Debug)]
pub(crate) struct Database {
    path: PathBuf,
}

impl Database {
    /// Opens the database at `path`, creating the file and the tables when
    /// they do not exist.
    ///
    /// Every worker process of the production server calls this at the
    /// same moment, right after fork, maybe on a file that does not exist
    /// yet. SQLite answers some of them "busy" at once, without waiting
    /// for the busy timeout (the switch to WAL needs the whole file), so a
    /// busy database is tried again for up to 10 s: a worker that fails
    /// to boot stops the server.
    pub(crate) fn init(path: &Path) -> rusqlite::Result<Self> {
        let database = Database {
            path: path.to_owned(),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match database.apply_schema() {
                Err(error)
                    if error.sqlite_error_code() == Some(ErrorCode::DatabaseBusy)
                        && Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
                result => break result?,
            }
        }
        Ok(database)
    }

    /// WAL mode (readers do not wait for the writer) and the schema, in a
    /// transaction that takes the write lock first (`IMMEDIATE`: waiting
    /// for it is covered by the busy timeout, unlike upgrading a read lock).
    fn apply_schema(&self) -> rusqlite::Result<()> {
        let connection = self.connect()?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.execute_batch(&format!("BEGIN IMMEDIATE;\n{SCHEMA}\nCOMMIT;"))
    }

    /// A new connection: foreign keys enforced, waiting up to 5 s for
    /// another process's write lock.
    pub(crate) fn connect(&self) -> rusqlite::Result<Connection> {
        let connection = Connection::open(&self.path)?;
        connection.busy_timeout(Duration::from_secs(5))?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        Ok(connection)
    }

    /// The file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

/// A connection for the current request (Flask's `get_db()`): a handler
/// takes `db: Db` and uses it as a [`Connection`]; it is closed when the
/// handler returns.
pub(crate) struct Db(Connection);

impl Db {
    /// Opens one for `request`'s app.
    pub(crate) fn open(request: &Request) -> Result<Db, Error> {
        let database = request
            .state::<Database>()
            .ok_or_else(|| Error::msg("the app has no Database state"))?;
        Ok(Db(database.connect()?))
    }
}

impl<'r> FromRequestParts<'r> for Db {
    fn from_request_parts(request: &'r Request) -> Result<Self, Error> {
        Db::open(request)
    }
}

impl Deref for Db {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.0
    }
}
