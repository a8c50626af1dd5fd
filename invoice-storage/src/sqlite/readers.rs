//! The read connections of a [`SqliteStore`](super::SqliteStore): reads run on the
//! calling thread, on a connection taken from a small pool and put back after the read.
//!
//! A read holds its connection for the few microseconds SQLite needs, so a handful of
//! idle connections serve many tasks; under a burst, a connection is opened beside them
//! and closed after its read when the pool is full. Each keeps its prepared statements
//! (rusqlite's statement cache), is `query_only`, and in WAL mode reads the last
//! committed state without waiting for the writer.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::query::backend;
use crate::error::Result;

/// Prepared statements each connection keeps.
const STATEMENT_CACHE: usize = 64;

/// Makes `connection` keep its prepared statements: a cache of them, and the query
/// planner's stability guarantee. Without the guarantee SQLite plans a statement again
/// whenever a value it looked at while planning (a `LIMIT ?`, an `OFFSET ?`) is bound
/// anew, that is at every call: a third of a page of 10 went to the parser.
pub(super) fn plan_once(connection: &Connection) -> rusqlite::Result<()> {
    connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    connection
        .set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )
        .map(|_| ())
}

#[derive(Debug)]
pub(super) struct Readers {
    path: PathBuf,
    /// Whether the file is held for this process alone (see
    /// [`SqliteStoreBuilder::exclusive`](super::SqliteStoreBuilder::exclusive)).
    exclusive: bool,
    busy_timeout: Duration,
    max_idle: usize,
    idle: Mutex<Vec<Connection>>,
}

/// SQLite's VFS that holds a file for one process alone: it takes a write lock on the
/// file at the first transaction and keeps it until the last connection of the process
/// closes; the process's connections coordinate in its memory.
const EXCLUSIVE_VFS: &str = "unix-excl";

/// Opens a connection to `path`, through [`EXCLUSIVE_VFS`] when `exclusive`, else
/// through SQLite's default VFS (locks per transaction, shared with other processes).
pub(super) fn open_file(
    path: &Path,
    flags: OpenFlags,
    exclusive: bool,
) -> rusqlite::Result<Connection> {
    if exclusive {
        Connection::open_with_flags_and_vfs(path, flags, EXCLUSIVE_VFS)
    } else {
        Connection::open_with_flags(path, flags)
    }
}

impl Readers {
    /// A pool for the database at `path` (held for this process alone when
    /// `exclusive`) that keeps up to `max_idle` connections.
    pub(super) fn new(
        path: PathBuf,
        exclusive: bool,
        busy_timeout: Duration,
        max_idle: usize,
    ) -> Self {
        Self {
            path,
            exclusive,
            busy_timeout,
            max_idle,
            idle: Mutex::new(Vec::with_capacity(max_idle)),
        }
    }

    /// Opens a read connection.
    pub(super) fn open(&self) -> Result<Connection> {
        let connection = open_file(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            self.exclusive,
        )
        .map_err(backend)?;
        connection
            .busy_timeout(self.busy_timeout)
            .map_err(backend)?;
        connection
            .execute_batch("PRAGMA query_only = ON")
            .map_err(backend)?;
        plan_once(&connection).map_err(backend)?;
        Ok(connection)
    }

    /// Runs `read` on a pooled connection, on the calling thread.
    pub(super) fn read<R>(&self, read: impl FnOnce(&Connection) -> Result<R>) -> Result<R> {
        let pooled = self.lock().pop();
        let connection = match pooled {
            Some(connection) => connection,
            None => self.open()?,
        };
        let result = read(&connection);
        let mut idle = self.lock();
        if idle.len() < self.max_idle {
            idle.push(connection);
        }
        result
    }

    /// Puts an opened connection into the pool (at start, so that the first reads do not
    /// open their own).
    pub(super) fn keep(&self, connection: Connection) {
        let mut idle = self.lock();
        if idle.len() < self.max_idle {
            idle.push(connection);
        }
    }

    /// Closes the idle connections.
    pub(super) fn close(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Connection>> {
        // The pool holds connections only between reads: a panic in a read never leaves
        // it half-changed.
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
