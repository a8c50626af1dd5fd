//! Building a [`SqliteStore`]: file, pool size, busy timeout, and whether to migrate.

use std::path::PathBuf;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::{SqliteStore, BACKEND};
use crate::error::{Error, Result};
use crate::sql::backend_error;

/// Builds a [`SqliteStore`]: opens (or creates) the database file in WAL mode, checks
/// that its schema is not newer than this library ([`Error::SchemaTooNew`]), and applies
/// the embedded migrations.
///
/// # Examples
///
/// ```no_run
/// # async fn run() -> invoice_storage::Result<()> {
/// use std::time::Duration;
/// use invoice_storage::SqliteStore;
///
/// let store = SqliteStore::builder("invoices.db")
///     .with_max_connections(4)
///     .with_busy_timeout(Duration::from_secs(10))
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
    max_connections: u32,
    busy_timeout: Duration,
    migrate: bool,
}

impl SqliteStoreBuilder {
    /// A builder for the database file at `path` (created if missing), with 4
    /// connections, a busy timeout of 5 s, and migrating on build.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            max_connections: 4,
            busy_timeout: Duration::from_secs(5),
            migrate: true,
        }
    }

    /// The largest number of pooled connections (at least 1). Readers run in parallel;
    /// writers take turns, as SQLite allows one writer at a time.
    pub fn with_max_connections(mut self, max: u32) -> Self {
        self.max_connections = max;
        self
    }

    /// How long a writer waits for another writer to finish before it fails with
    /// [`Error::Backend`] ("database is locked").
    pub fn with_busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }

    /// Does not apply migrations in [`build`](Self::build) (for deployments that run
    /// [`SqliteStore::migrate`] as a separate step); the schema version is still checked.
    pub fn skip_migrations(mut self) -> Self {
        self.migrate = false;
        self
    }

    /// Opens the file, checks the schema version and migrates.
    ///
    /// # Errors
    ///
    /// [`Error::Backend`] with backend `"sqlite"` for a zero pool size or a file that
    /// cannot be opened or created (missing folder, no permission, not a database);
    /// [`Error::SchemaTooNew`] when a newer version of this library migrated the file.
    pub async fn build(self) -> Result<SqliteStore> {
        if self.max_connections == 0 {
            return Err(Error::Backend {
                backend: BACKEND,
                source: "max_connections must be at least 1".into(),
            });
        }
        // WAL lets readers run beside the one writer; NORMAL sync is durable across
        // application crashes in WAL mode and loses at most the last commits on power loss.
        let options = SqliteConnectOptions::new()
            .filename(&self.path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(self.busy_timeout);
        let pool = SqlitePoolOptions::new()
            .max_connections(self.max_connections)
            .connect_with(options)
            .await
            .map_err(backend_error(BACKEND))?;
        let store = SqliteStore::from_pool(pool);
        if self.migrate {
            store.migrate().await?;
        } else {
            store.check_schema_version().await?;
        }
        Ok(store)
    }
}
