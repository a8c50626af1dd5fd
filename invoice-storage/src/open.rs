//! Opening the stores a URL names, as `object_store::parse_url` does for object stores:
//! a service reads one variable (`DATABASE_URL`, say) and hands it here, and the same
//! binary runs on memory, a SQLite file or PostgreSQL.
//!
//! | URL | store | feature |
//! |---|---|---|
//! | `memory:` (or `memory`) | [`InMemoryStore`] | always |
//! | `sqlite:PATH`, `sqlite://PATH`, `sqlite:///ABSOLUTE/PATH` | `SqliteStore` (created if missing, migrated) | `sqlite` |
//! | `postgres://…`, `postgresql://…` | `PostgresStore` (migrated) | `postgres` |
//!
//! Document stores open the same way from `memory:`, `file:PATH` or `s3://BUCKET`
//! ([`open_documents`], [`DocumentsBuilder`]).
//!
//! The library reads no environment: options such as pool sizes come through the
//! builders.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::client_store::ClientStore;
use crate::document::DocumentStore;
use crate::error::{Error, Result};
use crate::idempotency::IdempotencyStore;
use crate::inbox::InboxStore;
use crate::invoice_store::InvoiceStore;
use crate::invoice_view::InvoiceViewStore;
use crate::memory::InMemoryStore;
use crate::outbox::OutboxStore;
use crate::reminder_store::ReminderStore;
use crate::report_store::ReportStore;
use crate::schedule_store::ScheduleStore;

/// What a store URL names, checked but not opened (see [`StoreUrl::parse`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreUrl {
    /// `memory:`: everything in this process, gone when it stops.
    Memory,
    /// `sqlite:PATH`: a SQLite file.
    Sqlite(PathBuf),
    /// `postgres://…`: a PostgreSQL server; the URL as given.
    Postgres(String),
}

impl StoreUrl {
    /// Reads a store URL. Whether this build can open it is checked at open, so that a
    /// configuration can be validated anywhere.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUrl`] for an unknown scheme or a SQLite URL without a path.
    ///
    /// # Examples
    ///
    /// ```
    /// use invoice_storage::StoreUrl;
    ///
    /// assert_eq!(StoreUrl::parse("memory:")?, StoreUrl::Memory);
    /// assert_eq!(StoreUrl::parse("sqlite:invoices.db")?, StoreUrl::Sqlite("invoices.db".into()));
    /// assert_eq!(StoreUrl::parse("sqlite:///var/lib/app/invoices.db")?,
    ///     StoreUrl::Sqlite("/var/lib/app/invoices.db".into()));
    /// assert!(StoreUrl::parse("mysql://localhost/invoices").is_err());
    /// # Ok::<(), invoice_storage::Error>(())
    /// ```
    pub fn parse(url: &str) -> Result<Self> {
        let invalid = |reason: &str| Error::InvalidUrl {
            url: url.to_owned(),
            reason: reason.to_owned(),
        };
        if url == "memory" || url == "memory:" {
            return Ok(Self::Memory);
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        if let Some(rest) = url.strip_prefix("sqlite:") {
            // sqlite:PATH, sqlite://PATH (relative) and sqlite:///ABSOLUTE.
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() {
                return Err(invalid(
                    "sqlite: needs a file path, as in sqlite:invoices.db",
                ));
            }
            if path.contains('?') {
                return Err(invalid(
                    "sqlite: URLs take no options here; use StoresBuilder for them",
                ));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        Err(invalid(
            "expected memory:, sqlite:PATH or postgres://… (postgresql://…)",
        ))
    }

    /// The URL's scheme, as errors name it.
    pub fn scheme(&self) -> &'static str {
        match self {
            Self::Memory => "memory",
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

/// Every store trait of one backend, sharing its connections (and transactions: an
/// invoice and its outbox events are written together).
#[derive(Clone)]
pub struct Stores {
    /// Invoices.
    pub invoices: Arc<dyn InvoiceStore>,
    /// Clients with their contact information.
    pub clients: Arc<dyn ClientStore>,
    /// Events waiting for the relay.
    pub outbox: Arc<dyn OutboxStore>,
    /// Event ids consumers have processed.
    pub inbox: Arc<dyn InboxStore>,
    /// Idempotency keys with the responses of finished requests.
    pub idempotency: Arc<dyn IdempotencyStore>,
    /// Consumers' views of invoices, learnt from events.
    pub invoice_views: Arc<dyn InvoiceViewStore>,
    /// Reports computed where the invoices are.
    pub reports: Arc<dyn ReportStore>,
    /// Recurring invoice schedules.
    pub schedules: Arc<dyn ScheduleStore>,
    /// Reminders people schedule.
    pub reminders: Arc<dyn ReminderStore>,
}

impl fmt::Debug for Stores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stores")
            .field("invoices", &self.invoices)
            .finish_non_exhaustive()
    }
}

impl Stores {
    /// Every trait's view of one adapter (`InMemoryStore`, `SqliteStore`,
    /// `PostgresStore`, or one of your own), sharing its connections.
    ///
    /// # Examples
    ///
    /// ```
    /// use invoice_storage::{InMemoryStore, Stores};
    ///
    /// let stores = Stores::new(InMemoryStore::new());
    /// # let _ = stores.invoices;
    /// ```
    pub fn new<S>(store: S) -> Self
    where
        S: InvoiceStore
            + ClientStore
            + OutboxStore
            + InboxStore
            + IdempotencyStore
            + InvoiceViewStore
            + ReportStore
            + ScheduleStore
            + ReminderStore
            + Clone,
    {
        Self {
            invoices: Arc::new(store.clone()),
            clients: Arc::new(store.clone()),
            outbox: Arc::new(store.clone()),
            inbox: Arc::new(store.clone()),
            idempotency: Arc::new(store.clone()),
            invoice_views: Arc::new(store.clone()),
            reports: Arc::new(store.clone()),
            schedules: Arc::new(store.clone()),
            reminders: Arc::new(store),
        }
    }
}

/// Opens the stores of the URL with the defaults of [`StoresBuilder`].
///
/// # Errors
///
/// As [`StoresBuilder::open`].
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> invoice_storage::Result<()> {
/// use invoice_core::TenantId;
/// use invoice_storage::{open_stores, InvoiceQuery};
///
/// let stores = open_stores("memory:").await?;
/// let page = stores.invoices.list(&TenantId::new("acme")?, &InvoiceQuery::new()).await?;
/// assert_eq!(page.total, Some(0));
/// # Ok(())
/// # }
/// ```
pub async fn open_stores(url: &str) -> Result<Stores> {
    StoresBuilder::new(url).open().await
}

/// Opens the stores a URL names, with the options of each backend (each applies only to
/// its backend and is ignored by the others).
///
/// # Examples
///
/// ```no_run
/// # async fn run() -> invoice_storage::Result<()> {
/// use std::time::Duration;
/// use invoice_storage::StoresBuilder;
///
/// let stores = StoresBuilder::new("postgres://app@db.internal/invoices")
///     .postgres_max_connections(16)
///     .postgres_acquire_timeout(Duration::from_secs(10))
///     .open()
///     .await?;
/// # let _ = stores;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `open` is called"]
pub struct StoresBuilder {
    url: String,
    sqlite_read_connections: Option<usize>,
    sqlite_exclusive: bool,
    postgres_max_connections: Option<u32>,
    postgres_acquire_timeout: Option<Duration>,
    postgres_schema: Option<String>,
}

impl StoresBuilder {
    /// A builder for `url` (`memory:`, `sqlite:PATH` or `postgres://…`; see [`StoreUrl::parse`]).
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            sqlite_read_connections: None,
            sqlite_exclusive: false,
            postgres_max_connections: None,
            postgres_acquire_timeout: None,
            postgres_schema: None,
        }
    }

    /// SQLite: the read connections kept open (`SqliteStoreBuilder::read_connections`).
    pub fn sqlite_read_connections(mut self, count: usize) -> Self {
        self.sqlite_read_connections = Some(count);
        self
    }

    /// SQLite: whether the store holds its file for this process alone
    /// (`SqliteStoreBuilder::exclusive`; default no).
    pub fn sqlite_exclusive(mut self, exclusive: bool) -> Self {
        self.sqlite_exclusive = exclusive;
        self
    }

    /// PostgreSQL: the largest pool size.
    pub fn postgres_max_connections(mut self, max: u32) -> Self {
        self.postgres_max_connections = Some(max);
        self
    }

    /// PostgreSQL: how long a call (and the opening) waits for a connection; a wrong URL
    /// shows after this long.
    pub fn postgres_acquire_timeout(mut self, timeout: Duration) -> Self {
        self.postgres_acquire_timeout = Some(timeout);
        self
    }

    /// PostgreSQL: the schema the tables live in (created if missing).
    pub fn postgres_schema(mut self, schema: impl Into<String>) -> Self {
        self.postgres_schema = Some(schema.into());
        self
    }

    /// Opens (and migrates) the stores.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUrl`] for a URL [`StoreUrl::parse`] refuses;
    /// [`Error::FeatureNotEnabled`] for a scheme whose feature this build lacks; the
    /// backend's own errors when it cannot be opened ([`Error::Open`],
    /// [`Error::Backend`], [`Error::SchemaTooNew`]).
    pub async fn open(self) -> Result<Stores> {
        match StoreUrl::parse(&self.url)? {
            StoreUrl::Memory => Ok(Stores::new(InMemoryStore::new())),
            StoreUrl::Sqlite(path) => self.open_sqlite(path).await,
            StoreUrl::Postgres(url) => self.open_postgres(url).await,
        }
    }

    #[cfg(feature = "sqlite")]
    async fn open_sqlite(&self, path: PathBuf) -> Result<Stores> {
        let mut builder = crate::SqliteStore::builder(path).exclusive(self.sqlite_exclusive);
        if let Some(count) = self.sqlite_read_connections {
            builder = builder.read_connections(count);
        }
        Ok(Stores::new(builder.build().await?))
    }

    #[cfg(not(feature = "sqlite"))]
    async fn open_sqlite(&self, _: PathBuf) -> Result<Stores> {
        Err(Error::FeatureNotEnabled {
            scheme: "sqlite",
            feature: "sqlite",
        })
    }

    #[cfg(feature = "postgres")]
    async fn open_postgres(&self, url: String) -> Result<Stores> {
        let mut builder = crate::PostgresStore::builder(url);
        if let Some(max) = self.postgres_max_connections {
            builder = builder.max_connections(max);
        }
        if let Some(timeout) = self.postgres_acquire_timeout {
            builder = builder.acquire_timeout(timeout);
        }
        if let Some(schema) = &self.postgres_schema {
            builder = builder.schema(schema.clone());
        }
        Ok(Stores::new(builder.build().await?))
    }

    #[cfg(not(feature = "postgres"))]
    async fn open_postgres(&self, _: String) -> Result<Stores> {
        Err(Error::FeatureNotEnabled {
            scheme: "postgres",
            feature: "postgres",
        })
    }
}

/// What a document store URL names, checked but not opened (see [`DocumentsUrl::parse`]).
///
/// | URL | store | feature |
/// |---|---|---|
/// | `memory:` | [`InMemoryDocumentStore`](crate::InMemoryDocumentStore) | always |
/// | `file:PATH`, `file://PATH`, `file:///ABSOLUTE/PATH` | `FsDocumentStore` (folder created if missing) | `fs` |
/// | `s3://BUCKET` | `S3DocumentStore` at the endpoint [`DocumentsBuilder::s3_endpoint`] gives | `s3` |
/// | `s3://BUCKET`, no endpoint | `S3DocumentStore` on AWS itself: TLS, the SDK's default credential chain and region | `aws` |
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DocumentsUrl {
    /// `memory:`.
    Memory,
    /// `file:PATH`: a local folder.
    File(PathBuf),
    /// `s3://BUCKET`: an S3 bucket.
    S3 {
        /// The bucket.
        bucket: String,
    },
}

impl DocumentsUrl {
    /// Reads a document store URL.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUrl`] for an unknown scheme, a `file:` URL without a path, or an
    /// `s3:` URL without a bucket or with a key prefix (keys carry their own prefix, see
    /// [`DocumentKey`](crate::DocumentKey)).
    ///
    /// # Examples
    ///
    /// ```
    /// use invoice_storage::DocumentsUrl;
    ///
    /// assert_eq!(DocumentsUrl::parse("file:///srv/archive")?, DocumentsUrl::File("/srv/archive".into()));
    /// assert_eq!(DocumentsUrl::parse("s3://invoice-archive")?,
    ///     DocumentsUrl::S3 { bucket: "invoice-archive".into() });
    /// # Ok::<(), invoice_storage::Error>(())
    /// ```
    pub fn parse(url: &str) -> Result<Self> {
        let invalid = |reason: &str| Error::InvalidUrl {
            url: url.to_owned(),
            reason: reason.to_owned(),
        };
        if url == "memory" || url == "memory:" {
            return Ok(Self::Memory);
        }
        if let Some(rest) = url.strip_prefix("file:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() {
                return Err(invalid("file: needs a folder, as in file:///srv/archive"));
            }
            return Ok(Self::File(PathBuf::from(path)));
        }
        if let Some(rest) = url.strip_prefix("s3://") {
            let bucket = rest.strip_suffix('/').unwrap_or(rest);
            if bucket.is_empty() {
                return Err(invalid("s3:// needs a bucket, as in s3://invoice-archive"));
            }
            if bucket.contains('/') {
                return Err(invalid(
                    "a key prefix in the URL is not supported: document keys carry their own",
                ));
            }
            return Ok(Self::S3 {
                bucket: bucket.to_owned(),
            });
        }
        Err(invalid("expected memory:, file:PATH or s3://BUCKET"))
    }
}

/// Opens the document store of the URL with the defaults of [`DocumentsBuilder`].
///
/// # Errors
///
/// As [`DocumentsBuilder::open`].
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> invoice_storage::Result<()> {
/// let documents = invoice_storage::open_documents("memory:").await?;
/// assert!(documents.list("archive/").await?.is_empty());
/// # Ok(())
/// # }
/// ```
pub async fn open_documents(url: &str) -> Result<Arc<dyn DocumentStore>> {
    DocumentsBuilder::new(url).open().await
}

/// Opens the document store a URL names, with the options of S3 (ignored by the others).
///
/// # Examples
///
/// ```no_run
/// # async fn run() -> invoice_storage::Result<()> {
/// use invoice_storage::DocumentsBuilder;
///
/// let documents = DocumentsBuilder::new("s3://invoice-archive")
///     .s3_endpoint("http://127.0.0.1:5000")
///     .s3_bucket_created()
///     .open()
///     .await?;
/// # let _ = documents;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `open` is called"]
pub struct DocumentsBuilder {
    url: String,
    s3_endpoint: Option<String>,
    s3_region: Option<String>,
    s3_credentials: Option<(String, String)>,
    s3_create_bucket: bool,
}

impl DocumentsBuilder {
    /// A builder for `url` (see [`DocumentsUrl`] for the forms).
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            s3_endpoint: None,
            s3_region: None,
            s3_credentials: None,
            s3_create_bucket: false,
        }
    }

    /// S3: the server's URL (`http://127.0.0.1:5000` for a local one).
    pub fn s3_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.s3_endpoint = Some(endpoint.into());
        self
    }

    /// S3: the region (`us-east-1` by default).
    pub fn s3_region(mut self, region: impl Into<String>) -> Self {
        self.s3_region = Some(region.into());
        self
    }

    /// S3: static credentials.
    pub fn s3_credentials(
        mut self,
        access_key_id: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        self.s3_credentials = Some((access_key_id.into(), secret.into()));
        self
    }

    /// S3: creates the bucket at open when it does not exist (for local servers and first
    /// runs).
    pub fn s3_bucket_created(mut self) -> Self {
        self.s3_create_bucket = true;
        self
    }

    /// Opens the store.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUrl`] for a URL [`DocumentsUrl::parse`] refuses;
    /// [`Error::FeatureNotEnabled`] for a scheme whose feature this build lacks, and for
    /// S3 without an endpoint (AWS itself, through
    /// `S3DocumentStore::from_aws_defaults` with the `aws`
    /// feature); the store's own errors when it cannot be opened.
    pub async fn open(self) -> Result<Arc<dyn DocumentStore>> {
        match DocumentsUrl::parse(&self.url)? {
            DocumentsUrl::Memory => Ok(Arc::new(crate::InMemoryDocumentStore::new())),
            DocumentsUrl::File(path) => open_folder(path).await,
            DocumentsUrl::S3 { bucket } => self.open_s3(bucket).await,
        }
    }

    #[cfg(feature = "s3")]
    async fn open_s3(&self, bucket: String) -> Result<Arc<dyn DocumentStore>> {
        let Some(endpoint) = &self.s3_endpoint else {
            return self.open_s3_on_aws(bucket).await;
        };
        let mut builder = crate::S3DocumentStore::builder(bucket).endpoint(endpoint);
        if let Some(region) = &self.s3_region {
            builder = builder.region(region);
        }
        if let Some((key, secret)) = &self.s3_credentials {
            builder = builder.credentials(key, secret);
        }
        let store = builder.build()?;
        if self.s3_create_bucket {
            store.ensure_bucket().await?;
        }
        Ok(Arc::new(store))
    }

    /// S3 without an endpoint: AWS itself, with the SDK's default configuration.
    #[cfg(feature = "aws")]
    async fn open_s3_on_aws(&self, bucket: String) -> Result<Arc<dyn DocumentStore>> {
        let store = crate::S3DocumentStore::from_aws_defaults(bucket).await?;
        if self.s3_create_bucket {
            store.ensure_bucket().await?;
        }
        Ok(Arc::new(store))
    }

    #[cfg(all(feature = "s3", not(feature = "aws")))]
    async fn open_s3_on_aws(&self, _: String) -> Result<Arc<dyn DocumentStore>> {
        Err(Error::FeatureNotEnabled {
            scheme: "s3 without an endpoint (AWS itself)",
            feature: "aws",
        })
    }

    #[cfg(not(feature = "s3"))]
    async fn open_s3(&self, _: String) -> Result<Arc<dyn DocumentStore>> {
        Err(Error::FeatureNotEnabled {
            scheme: "s3",
            feature: "s3",
        })
    }
}

#[cfg(feature = "fs")]
async fn open_folder(path: PathBuf) -> Result<Arc<dyn DocumentStore>> {
    Ok(Arc::new(crate::FsDocumentStore::open(path).await?))
}

#[cfg(not(feature = "fs"))]
async fn open_folder(_: PathBuf) -> Result<Arc<dyn DocumentStore>> {
    Err(Error::FeatureNotEnabled {
        scheme: "file",
        feature: "fs",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_store() {
        assert_eq!(StoreUrl::parse("memory").unwrap(), StoreUrl::Memory);
        assert_eq!(
            StoreUrl::parse("sqlite://data/invoices.db").unwrap(),
            StoreUrl::Sqlite("data/invoices.db".into())
        );
        assert_eq!(
            StoreUrl::parse("postgresql://u@h/db").unwrap(),
            StoreUrl::Postgres("postgresql://u@h/db".into())
        );
        for bad in [
            "",
            "sqlite:",
            "sqlite://",
            "sqlite:x.db?mode=ro",
            "redis://h",
            "memory:x",
        ] {
            assert!(
                matches!(StoreUrl::parse(bad), Err(Error::InvalidUrl { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn document_urls_name_their_store() {
        assert_eq!(
            DocumentsUrl::parse("memory:").unwrap(),
            DocumentsUrl::Memory
        );
        assert_eq!(
            DocumentsUrl::parse("file:archive").unwrap(),
            DocumentsUrl::File("archive".into())
        );
        assert_eq!(
            DocumentsUrl::parse("s3://bucket/").unwrap(),
            DocumentsUrl::S3 {
                bucket: "bucket".into()
            }
        );
        for bad in [
            "",
            "file:",
            "s3://",
            "s3://bucket/prefix",
            "gs://bucket",
            "/srv/archive",
        ] {
            assert!(
                matches!(DocumentsUrl::parse(bad), Err(Error::InvalidUrl { .. })),
                "{bad:?}"
            );
        }
    }
}
