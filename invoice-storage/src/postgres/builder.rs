//! Building a [`PostgresStore`]: URL, schema, pool size, and whether to migrate.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::{PostgresStore, BACKEND};
use crate::error::{Error, Result};
use crate::sql::backend_error;

/// PostgreSQL cuts identifiers to this many bytes; a longer schema name would silently
/// name another schema.
const MAX_IDENTIFIER_BYTES: usize = 63;

/// Builds a [`PostgresStore`]: connects a pool, checks that the database's schema is not
/// newer than this library ([`Error::SchemaTooNew`]), and applies the embedded migrations.
///
/// # Examples
///
/// ```no_run
/// # async fn run() -> invoice_storage::Result<()> {
/// use invoice_storage::PostgresStore;
///
/// let store = PostgresStore::builder("postgres://postgres@127.0.0.1:5432/invoices")
///     .schema("billing")
///     .max_connections(16)
///     .build()
///     .await?;
/// # let _ = store;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct PostgresStoreBuilder {
    url: String,
    schema: Option<String>,
    max_connections: u32,
    acquire_timeout: Duration,
    migrate: bool,
}

impl fmt::Debug for PostgresStoreBuilder {
    // The URL may carry a password: leave it out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStoreBuilder")
            .field("schema", &self.schema)
            .field("max_connections", &self.max_connections)
            .field("acquire_timeout", &self.acquire_timeout)
            .field("migrate", &self.migrate)
            .finish_non_exhaustive()
    }
}

impl PostgresStoreBuilder {
    /// A builder for the database at `url` (`postgres://user:password@host:port/database`,
    /// with the query parameters libpq knows, such as `sslmode`), using the connection's
    /// default `search_path`, 10 connections, and migrating on build.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            schema: None,
            max_connections: 10,
            acquire_timeout: Duration::from_secs(30),
            migrate: true,
        }
    }

    /// Keeps every table in schema `name`, created if missing: each connection's
    /// `search_path` is set to it alone. Lets several stores (or tests) share a database.
    pub fn schema(mut self, name: impl Into<String>) -> Self {
        self.schema = Some(name.into());
        self
    }

    /// The largest number of pooled connections (at least 1).
    pub fn max_connections(mut self, max: u32) -> Self {
        self.max_connections = max;
        self
    }

    /// How long a call waits for a connection, including the first one in
    /// [`build`](Self::build), before it fails with [`Error::Backend`].
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }

    /// Does not apply migrations in [`build`](Self::build) (for deployments that run
    /// [`PostgresStore::migrate`] as a separate step); the schema version is still
    /// checked.
    pub fn skip_migrations(mut self) -> Self {
        self.migrate = false;
        self
    }

    /// Connects, checks the schema version and migrates.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] for an empty or over-long schema name or a zero pool size;
    /// [`Error::Backend`] with backend `"postgres"` for a URL that does not parse or a
    /// server that cannot be reached or refuses the login; [`Error::SchemaTooNew`] when a newer version of this
    /// library migrated the schema.
    pub async fn build(self) -> Result<PostgresStore> {
        let invalid = |reason: String| Error::InvalidConfig {
            backend: BACKEND,
            reason,
        };
        let options: PgConnectOptions = self.url.parse().map_err(backend_error(BACKEND))?;
        if self.max_connections == 0 {
            return Err(invalid("max_connections must be at least 1".to_owned()));
        }
        if let Some(schema) = &self.schema {
            if schema.is_empty() || schema.len() > MAX_IDENTIFIER_BYTES || schema.contains('\0') {
                return Err(invalid(format!(
                    "schema name {schema:?} must be 1 to {MAX_IDENTIFIER_BYTES} bytes, without NUL"
                )));
            }
        }
        let mut pool = PgPoolOptions::new()
            .max_connections(self.max_connections)
            .acquire_timeout(self.acquire_timeout);
        if let Some(schema) = &self.schema {
            let schema: Arc<str> = Arc::from(schema.as_str());
            pool = pool.after_connect(move |conn, _meta| {
                let schema = Arc::clone(&schema);
                Box::pin(async move {
                    // quote_ident on the server: the name is bound, never spliced into SQL.
                    sqlx::query("SELECT set_config('search_path', quote_ident($1), false)")
                        .bind(&*schema)
                        .execute(conn)
                        .await?;
                    Ok(())
                })
            });
        }
        let pool = pool
            .connect_with(options)
            .await
            .map_err(backend_error(BACKEND))?;
        let store = PostgresStore {
            pool,
            schema: self.schema,
        };
        if let Some(schema) = &store.schema {
            store.create_schema(schema).await?;
        }
        if self.migrate {
            store.migrate().await?;
        } else {
            store.check_schema_version().await?;
        }
        Ok(store)
    }
}
