//! Building a [`SqliteStore`]: file, read connections, durability, busy timeout, and
//! whether to migrate.

use std::path::PathBuf;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::readers::Readers;
use super::writer::Writer;
use super::{migrations, SqliteStore, BACKEND};
use crate::error::{Error, Result};

/// How far a write is on its way to the disk when the call that made it returns; SQLite's
/// `synchronous` setting, in WAL mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SqliteSynchronous {
    /// `synchronous = NORMAL`: a write that returned is in the WAL file and survives a
    /// crash of the process; a crash of the operating system or a power loss may undo the
    /// last writes (never corrupt the file). No fsync per commit, so the fastest.
    #[default]
    Normal,
    /// `synchronous = FULL`: a write that returned was fsynced and survives a power loss.
    /// Group commit pays one fsync per batch of writes, not one per write.
    Full,
}

impl SqliteSynchronous {
    fn pragma(self) -> &'static str {
        match self {
            Self::Normal => "NORMAL",
            Self::Full => "FULL",
        }
    }
}

/// Builds a [`SqliteStore`]: opens (or creates) the database file in WAL mode, checks
/// that its schema is not newer than this library ([`Error::SchemaTooNew`]), applies the
/// embedded migrations, and starts the writer thread.
///
/// # Examples
///
/// ```no_run
/// # async fn run() -> invoice_storage::Result<()> {
/// use std::time::Duration;
/// use invoice_storage::{SqliteStore, SqliteSynchronous};
///
/// let store = SqliteStore::builder("invoices.db")
///     .read_connections(8)
///     .synchronous(SqliteSynchronous::Full)
///     .busy_timeout(Duration::from_secs(10))
///     .build()
///     .await?;
/// # let _ = store;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct SqliteStoreBuilder {
    path: PathBuf,
    read_connections: usize,
    busy_timeout: Duration,
    synchronous: SqliteSynchronous,
    migrate: bool,
    exclusive: bool,
}

impl SqliteStoreBuilder {
    /// A builder for the database file at `path` (created if missing), keeping 8 read
    /// connections, with a busy timeout of 5 s, [`SqliteSynchronous::Normal`], shared
    /// with other processes, and migrating on build.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            read_connections: 8,
            busy_timeout: Duration::from_secs(5),
            synchronous: SqliteSynchronous::Normal,
            migrate: true,
            exclusive: false,
        }
    }

    /// How many read connections the store keeps open between reads (at least 1). Reads
    /// beyond that many at once open a connection for the read and close it after.
    pub fn read_connections(mut self, count: usize) -> Self {
        self.read_connections = count;
        self
    }

    /// How long a write waits for a writer in another process (or a reader's checkpoint)
    /// before it fails with [`Error::Backend`] ("database is locked"). Writers of one
    /// store never wait on each other this way: they share its writer thread.
    pub fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }

    /// The durability of a write when its call returns; see [`SqliteSynchronous`].
    pub fn synchronous(mut self, synchronous: SqliteSynchronous) -> Self {
        self.synchronous = synchronous;
        self
    }

    /// Whether the store holds the file for this process alone (default: no).
    ///
    /// Exclusive, the store opens the file through SQLite's `unix-excl` VFS: its first
    /// connection takes a write lock on the file that lasts until the store is closed,
    /// and the store's own connections then coordinate in this process's memory (the
    /// WAL index lives on the heap, not in a `-shm` file). A read takes no file lock:
    /// a `fcntl` each way and a mutex shared by every connection per read transaction,
    /// 10.6 % of a GET's CPU in the invoice service's profile. Measured in interleaved
    /// pairs (SQLite, 32 connections, 2 cores): 10 % less CPU per GET, 8 % per list page.
    ///
    /// The price: no other process can read or write the file while the store is open,
    /// the `sqlite3` shell, backup tools and a second instance of the service included.
    /// One that tries waits its busy timeout and gets "database is locked"; a store
    /// built while another process holds the file fails the same way, with
    /// [`Error::Open`]. Back such a file up through the store's own process, or close
    /// the store first. Unix only: elsewhere `build` fails with [`Error::Open`].
    pub fn exclusive(mut self, exclusive: bool) -> Self {
        self.exclusive = exclusive;
        self
    }

    /// Does not apply migrations in [`build`](Self::build) (for deployments that run
    /// [`SqliteStore::migrate`] as a separate step); the schema version is still checked.
    pub fn skip_migrations(mut self) -> Self {
        self.migrate = false;
        self
    }

    /// Opens the file, checks the schema version, migrates, and starts the writer
    /// thread. The file is opened on the calling thread.
    ///
    /// # Errors
    ///
    /// [`Error::Open`] for a file that cannot be opened or created (missing folder, no
    /// permission, not a database) or a read-connection count of 0;
    /// [`Error::SchemaTooNew`] when a newer version of this library migrated the file;
    /// [`Error::Backend`] when a migration fails.
    pub async fn build(self) -> Result<SqliteStore> {
        if self.read_connections == 0 {
            return Err(self.open_error("read_connections must be at least 1".into()));
        }
        let writer = self.open_writer()?;
        if self.migrate {
            migrations::migrate(&writer)?;
        } else {
            migrations::check(&writer)?;
        }
        let readers = Readers::new(
            self.path.clone(),
            self.exclusive,
            self.busy_timeout,
            self.read_connections,
        );
        // One read connection now, so that an unreadable file fails here, not at the
        // first read.
        readers.keep(readers.open().map_err(|e| self.open_error(Box::new(e)))?);
        let checkpointer = self.open_read_write()?;
        let name = format!("sqlite-writer {}", self.path.display());
        let writer = Writer::start(writer, checkpointer, name)?;
        Ok(SqliteStore::new(self.path, readers, writer))
    }

    /// The writer's connection, in WAL mode, with the chosen durability.
    ///
    /// Its temporary files stay in memory: each job of a batch runs in a savepoint,
    /// and SQLite keeps the first copy of every page a savepoint changes in a statement
    /// journal, which past 64 KiB goes to a temporary file. Appending one invoice
    /// changes about fifteen pages (the table's and each index's last leaf, the
    /// counters), so on a file the journal cost more writes than the WAL itself.
    fn open_writer(&self) -> Result<Connection> {
        let connection = self.open_read_write()?;
        super::readers::plan_once(&connection).map_err(|e| self.open_error(Box::new(e)))?;
        connection
            .execute_batch("PRAGMA temp_store = MEMORY")
            .map_err(|e| self.open_error(Box::new(e)))?;
        Ok(connection)
    }

    /// A connection that may write, in WAL mode, with the chosen durability (which also
    /// decides what a checkpoint on it fsyncs).
    fn open_read_write(&self) -> Result<Connection> {
        let connection = super::readers::open_file(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            self.exclusive,
        )
        .map_err(|e| self.open_error(Box::new(e)))?;
        let setup = || -> rusqlite::Result<()> {
            connection.busy_timeout(self.busy_timeout)?;
            // The first statement that reads the file: a file that is not a database
            // fails here.
            let mode: String =
                connection.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(rusqlite::Error::InvalidParameterName(format!(
                    "journal mode stays {mode}, WAL is needed"
                )));
            }
            connection.execute_batch(&format!(
                "PRAGMA synchronous = {}; PRAGMA foreign_keys = ON",
                self.synchronous.pragma()
            ))
        };
        setup().map_err(|e| self.open_error(Box::new(e)))?;
        Ok(connection)
    }

    fn open_error(&self, source: crate::error::BoxError) -> Error {
        Error::Open {
            backend: BACKEND,
            location: self.path.display().to_string(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The writer's savepoint journals stay in memory (see `open_writer`): with
    /// `temp_store` at its default they went to a temporary file, one 4 KiB write per
    /// page each job changed.
    #[tokio::test]
    async fn the_writer_keeps_its_temporary_files_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("temp.db")).await.unwrap();
        let temp_store: i64 = store
            .write(|connection| {
                connection
                    .query_row("PRAGMA temp_store", [], |row| row.get(0))
                    .map_err(super::super::query::backend)
            })
            .await
            .unwrap();
        // 2 is MEMORY (0 DEFAULT, 1 FILE).
        assert_eq!(temp_store, 2);
    }
}
