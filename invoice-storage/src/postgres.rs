//! The PostgreSQL adapter: every store trait over one connection pool (sqlx).
//!
//! Each write is one transaction: the invoice row and its outbox events are saved
//! together or not at all. Optimistic concurrency is a `WHERE version = $expected`
//! guard; numbering locks the invoice row and the series counter row (`FOR UPDATE`, then
//! an upsert) so that numbers are gapless; relays claim outbox rows with
//! `FOR UPDATE SKIP LOCKED`, so concurrent relays never share an event.
//!
//! The `postgres` feature speaks plain TCP, enough for a server on the same host or
//! network. Servers elsewhere need TLS: enable the `postgres-tls` feature (rustls with
//! the webpki roots) and put `sslmode=require` (or `verify-full`) in the URL.

mod builder;
mod idempotency;
mod invoice_view;
mod reminders;
mod reports;
mod schedules;

pub use builder::PostgresStoreBuilder;

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use invoice_core::{ClientId, EventEnvelope, EventId, Invoice, InvoiceId, TenantId};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgArguments, PgConnection, PgPool, PgRow, Postgres};
use sqlx::query::Query;
use sqlx::{QueryBuilder, Row};
use uuid::Uuid;

use crate::client_store::{Client, ClientPage, ClientStore};
use crate::error::{Error, Result};
use crate::inbox::{InboxStore, Recorded};
use crate::invoice_store::{
    Cursor, InvoicePage, InvoiceQuery, InvoiceStore, IssueRequest, Page, PageRequest, SummaryPage,
};
use crate::outbox::{ClaimedEvent, OutboxStore};
use crate::sql::{
    backend_error, check_schema_version, contains_pattern, fold, from_json, history_of,
    keyset_page, offset_page, push_count, to_i64, to_json, to_u64, Dialect, InvoiceColumns,
    SqlBuilder, SummaryColumns,
};
use crate::summary::{last_change, InvoiceSummary};

const BACKEND: &str = "postgres";

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

fn backend(e: sqlx::Error) -> Error {
    backend_error(BACKEND)(e)
}

/// [`Error::AlreadyExists`] for an event id already in the outbox.
pub(crate) fn event_exists(envelope: &EventEnvelope) -> Error {
    Error::AlreadyExists {
        what: "event",
        id: envelope.event_id.to_string(),
    }
}

/// Whether `e` is a unique-constraint violation.
fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|db| db.is_unique_violation())
}

impl SqlBuilder for QueryBuilder<Postgres> {
    fn sql(&mut self, text: &str) -> &mut Self {
        self.push(text)
    }

    fn bind_i64(&mut self, value: i64) -> &mut Self {
        self.push_bind(value)
    }

    fn bind_text(&mut self, value: String) -> &mut Self {
        self.push_bind(value)
    }

    fn bind_uuid(&mut self, value: Uuid) -> &mut Self {
        self.push_bind(value)
    }

    fn bind_date(&mut self, value: NaiveDate) -> &mut Self {
        self.push_bind(value)
    }
}

/// The columns of a summary row (the amounts as their exact text).
const SUMMARY_COLUMNS: &str = "seq, due_key, id, number, kind, status, client_id, \
     seller_name, buyer_name, currency, issue_date, due_date, net_amount::text AS net_amount, \
     vat_amount::text AS vat_amount, gross_amount::text AS gross_amount, \
     amount_due::text AS amount_due, version, updated_at";

/// The columns of a whole-invoice row.
const BODY_COLUMNS: &str = "seq, due_key, body::text AS body";

/// Rows before the summary columns existed are filled this many at a time.
const BACKFILL_BATCH: i64 = 500;

/// Every store trait in PostgreSQL. Cloning shares the pool.
///
/// Writes are single transactions (invoice row and outbox events together), updates are
/// guarded by the expected version, numbers are allocated under a row lock so that they
/// are gapless, and relays claim outbox rows with `FOR UPDATE SKIP LOCKED`.
///
/// # TLS
///
/// The `postgres` feature alone connects over plain TCP, which suits a server on the same
/// host. A production server elsewhere needs TLS: build with the `postgres-tls` feature
/// and put `sslmode=verify-full` (or `require`) in the URL.
///
/// # Examples
///
/// ```no_run
/// # async fn run() -> invoice_storage::Result<()> {
/// use std::sync::Arc;
/// use invoice_storage::{InvoiceStore, OutboxStore, PostgresStore};
///
/// let store = PostgresStore::connect("postgres://postgres@127.0.0.1:5432/invoices").await?;
/// let invoices: Arc<dyn InvoiceStore> = Arc::new(store.clone());
/// let outbox: Arc<dyn OutboxStore> = Arc::new(store);
/// # let _ = (invoices, outbox);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
    schema: Option<String>,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("schema", &self.schema)
            .field("connections", &self.pool.size())
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// A builder for the database at `url`; see [`PostgresStoreBuilder`].
    pub fn builder(url: impl Into<String>) -> PostgresStoreBuilder {
        PostgresStoreBuilder::new(url)
    }

    /// Connects to the database at `url` with the defaults of [`PostgresStoreBuilder`],
    /// and migrates it.
    ///
    /// # Errors
    ///
    /// As [`PostgresStoreBuilder::build`].
    pub async fn connect(url: &str) -> Result<Self> {
        Self::builder(url).build().await
    }

    /// Applies the embedded migrations that the database lacks; does nothing when it has
    /// them all, so it is safe at every start.
    ///
    /// # Errors
    ///
    /// [`Error::SchemaTooNew`] when the database has a migration this library does not
    /// know (a newer version migrated it), checked before anything is changed;
    /// [`Error::Backend`] when a migration fails or an applied one was modified.
    pub async fn migrate(&self) -> Result<()> {
        self.check_schema_version().await?;
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(backend_error(BACKEND))?;
        self.fill_summaries().await
    }

    /// Fills the summary columns and report facts of rows written before they existed,
    /// from their bodies; nothing to do on a database that never had such rows.
    async fn fill_summaries(&self) -> Result<()> {
        loop {
            let mut tx = self.pool.begin().await.map_err(backend)?;
            let rows: Vec<(Uuid, String)> = sqlx::query_as(
                "SELECT id, body::text FROM invoices WHERE currency IS NULL OR facts IS NULL \
                 ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED",
            )
            .bind(BACKFILL_BATCH)
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?;
            if rows.is_empty() {
                return Ok(());
            }
            for (id, body) in rows {
                let invoice: Invoice = from_json(&body, "invoice", &id)?;
                let c = InvoiceColumns::new(&invoice, None, BACKEND)?;
                sqlx::query(
                    "UPDATE invoices SET kind = $2, seller_name = $3, currency = $4, \
                     net_amount = $5::numeric, vat_amount = $6::numeric, \
                     gross_amount = $7::numeric, amount_due = $8::numeric, \
                     facts = $9::jsonb WHERE id = $1",
                )
                .bind(id)
                .bind(c.kind)
                .bind(c.seller_name)
                .bind(c.currency)
                .bind(c.net_amount)
                .bind(c.vat_amount)
                .bind(c.gross_amount)
                .bind(c.amount_due)
                .bind(c.facts)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            }
            tx.commit().await.map_err(backend)?;
        }
    }

    /// Closes the pool's connections; calls made afterwards fail with
    /// [`Error::Backend`].
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn check_schema_version(&self) -> Result<()> {
        let has_table: bool =
            sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
                .fetch_one(&self.pool)
                .await
                .map_err(backend)?;
        let newest = if has_table {
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
                .fetch_one(&self.pool)
                .await
                .map_err(backend)?
        } else {
            None
        };
        let supported = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
        check_schema_version(BACKEND, supported, newest)
    }

    async fn create_schema(&self, schema: &str) -> Result<()> {
        // CREATE SCHEMA needs the CREATE privilege on the database even when the schema
        // exists, which a production role may lack: look first.
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)")
                .bind(schema)
                .fetch_one(&self.pool)
                .await
                .map_err(backend)?;
        if exists {
            return Ok(());
        }
        let mut tx = self.pool.begin().await.map_err(backend)?;
        // The name travels as a bound value into a transaction-local setting, and the DO
        // block quotes it with %I: no SQL is put together from the name on this side.
        sqlx::query("SELECT set_config('invoice_storage.schema', $1, true)")
            .bind(schema)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        let created = sqlx::query(
            "DO $$ BEGIN EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', \
             current_setting('invoice_storage.schema')); END $$",
        )
        .execute(&mut *tx)
        .await;
        match created {
            Ok(_) => tx.commit().await.map_err(backend),
            // Another store created it at the same moment: it exists, which is the point.
            Err(e) if is_unique_violation(&e) => Ok(()),
            Err(e) => Err(backend(e)),
        }
    }
}

async fn insert_events(conn: &mut PgConnection, events: &[EventEnvelope]) -> Result<()> {
    // One row at a time, so that a duplicate names its own event id.
    for envelope in events {
        let payload = to_json(envelope, BACKEND)?;
        let inserted = sqlx::query(
            "INSERT INTO outbox (event_id, tenant, invoice_id, payload) \
             VALUES ($1, $2, $3, $4::jsonb)",
        )
        .bind(envelope.event_id.as_uuid())
        .bind(envelope.tenant.as_str())
        .bind(envelope.invoice_id.as_uuid())
        .bind(payload)
        .execute(&mut *conn)
        .await;
        match inserted {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Err(event_exists(envelope)),
            Err(e) => return Err(backend(e)),
        }
    }
    Ok(())
}

/// Inserts a new invoice row and its events.
async fn insert_invoice(
    conn: &mut PgConnection,
    invoice: &Invoice,
    events: &[EventEnvelope],
) -> Result<()> {
    let c = InvoiceColumns::new(invoice, last_change(events), BACKEND)?;
    let inserted = bind_row(
        sqlx::query(
            "INSERT INTO invoices (id, tenant, status, client_id, number, buyer_name, \
             number_folded, buyer_folded, issue_date, due_date, due_key, version, body, \
             kind, seller_name, currency, net_amount, vat_amount, gross_amount, \
             amount_due, updated_at, facts) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, \
             $14, $15, $16, $17::numeric, $18::numeric, $19::numeric, $20::numeric, $21, \
             $22::jsonb)",
        ),
        invoice,
        c,
    )
    .execute(&mut *conn)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => {
            return Err(Error::AlreadyExists {
                what: "invoice",
                id: invoice.id().to_string(),
            })
        }
        Err(e) => return Err(backend(e)),
    }
    insert_events(conn, events).await
}

/// The stored version of a tenant's invoice, if it has one with this id.
async fn stored_version(
    conn: &mut PgConnection,
    tenant: &TenantId,
    id: InvoiceId,
) -> Result<Option<u64>> {
    let version: Option<i64> =
        sqlx::query_scalar("SELECT version FROM invoices WHERE id = $1 AND tenant = $2")
            .bind(id.as_uuid())
            .bind(tenant.as_str())
            .fetch_optional(&mut *conn)
            .await
            .map_err(backend)?;
    version.map(|v| to_u64(v, "invoice", &id)).transpose()
}

/// Writes `invoice`'s columns over the row with its id and tenant whose version is
/// `expected` (any version when `None`), as changed at `updated_at` (when `None`, the
/// stored time stays); returns whether a row was written.
async fn overwrite(
    conn: &mut PgConnection,
    invoice: &Invoice,
    expected: Option<u64>,
    updated_at: Option<DateTime<Utc>>,
) -> Result<bool> {
    let c = InvoiceColumns::new(invoice, updated_at, BACKEND)?;
    let expected = expected.map(|v| to_i64(v, BACKEND)).transpose()?;
    let done = bind_row(
        sqlx::query(
            "UPDATE invoices SET status = $3, client_id = $4, number = $5, buyer_name = $6, \
             number_folded = $7, buyer_folded = $8, issue_date = $9, due_date = $10, \
             due_key = $11, version = $12, body = $13::jsonb, kind = $14, seller_name = $15, \
             currency = $16, net_amount = $17::numeric, vat_amount = $18::numeric, \
             gross_amount = $19::numeric, amount_due = $20::numeric, \
             updated_at = COALESCE($21, updated_at), facts = $22::jsonb \
             WHERE id = $1 AND tenant = $2 AND ($23::bigint IS NULL OR version = $23)",
        ),
        invoice,
        c,
    )
    .bind(expected)
    .execute(&mut *conn)
    .await
    .map_err(backend)?;
    Ok(done.rows_affected() == 1)
}

/// How many of the tenant's invoices `query` selects.
fn counted(tenant: &TenantId, query: &InvoiceQuery) -> QueryBuilder<Postgres> {
    let mut sql = QueryBuilder::<Postgres>::new("");
    push_count(&mut sql, tenant, query);
    sql
}

/// Binds `$1` to `$22` of an invoice row: id, tenant, the indexed columns, body, the
/// summary columns, the report facts.
fn bind_row<'q>(
    query: Query<'q, Postgres, PgArguments>,
    invoice: &'q Invoice,
    c: InvoiceColumns,
) -> Query<'q, Postgres, PgArguments> {
    query
        .bind(invoice.id().as_uuid())
        .bind(invoice.tenant().as_str())
        .bind(c.status)
        .bind(invoice.client().map(|c| *c.as_uuid()))
        .bind(c.number)
        .bind(c.buyer_name)
        .bind(c.number_folded)
        .bind(c.buyer_folded)
        .bind(c.issue_date)
        .bind(c.due_date)
        .bind(c.due_key)
        .bind(c.version)
        .bind(c.body)
        .bind(c.kind)
        .bind(c.seller_name)
        .bind(c.currency)
        .bind(c.net_amount)
        .bind(c.vat_amount)
        .bind(c.gross_amount)
        .bind(c.amount_due)
        .bind(c.updated_at)
        .bind(c.facts)
}

/// A summary row: `(seq, due_key, summary)`.
fn summary_row(row: &PgRow) -> Result<(i64, i64, InvoiceSummary)> {
    let columns = SummaryColumns {
        id: row.try_get("id").map_err(backend)?,
        number: row.try_get::<Option<&str>, _>("number").map_err(backend)?,
        kind: row
            .try_get::<Option<&str>, _>("kind")
            .map_err(backend)?
            .unwrap_or_default(),
        status: row
            .try_get::<Option<&str>, _>("status")
            .map_err(backend)?
            .unwrap_or_default(),
        client: row.try_get("client_id").map_err(backend)?,
        seller_name: row
            .try_get::<Option<&str>, _>("seller_name")
            .map_err(backend)?,
        buyer_name: row.try_get::<&str, _>("buyer_name").map_err(backend)?,
        currency: row
            .try_get::<Option<&str>, _>("currency")
            .map_err(backend)?,
        issue_date: row.try_get("issue_date").map_err(backend)?,
        due_date: row.try_get("due_date").map_err(backend)?,
        net_amount: row
            .try_get::<Option<&str>, _>("net_amount")
            .map_err(backend)?,
        vat_amount: row
            .try_get::<Option<&str>, _>("vat_amount")
            .map_err(backend)?,
        gross_amount: row
            .try_get::<Option<&str>, _>("gross_amount")
            .map_err(backend)?,
        amount_due: row
            .try_get::<Option<&str>, _>("amount_due")
            .map_err(backend)?,
        version: row.try_get("version").map_err(backend)?,
        updated_at: row.try_get("updated_at").map_err(backend)?,
    };
    Ok((
        row.try_get("seq").map_err(backend)?,
        row.try_get("due_key").map_err(backend)?,
        columns.into_summary()?,
    ))
}

/// A whole-invoice row: `(seq, due_key, invoice)`.
fn invoice_row(row: &PgRow) -> Result<(i64, i64, Invoice)> {
    let seq: i64 = row.try_get("seq").map_err(backend)?;
    let body: String = row.try_get("body").map_err(backend)?;
    Ok((
        seq,
        row.try_get("due_key").map_err(backend)?,
        from_json(&body, "invoice", &format_args!("at seq {seq}"))?,
    ))
}

impl PostgresStore {
    /// One page of `query`: `columns` of each row, decoded by `decode`.
    async fn page<T>(
        &self,
        tenant: &TenantId,
        query: &InvoiceQuery,
        columns: &str,
        decode: fn(&PgRow) -> Result<(i64, i64, T)>,
    ) -> Result<Page<T>> {
        query.validate()?;
        match query.page_request() {
            PageRequest::Offset { page, size } => {
                // With the body in the same select as the skipped rows, PostgreSQL would
                // turn every skipped row's JSONB into text too (7 ms at offset 500
                // against 0.3): hence the deferred join of `offset_page`.
                let mut sql = QueryBuilder::<Postgres>::new("");
                offset_page(
                    &mut sql,
                    columns,
                    Dialect::Postgres,
                    tenant,
                    query,
                    *page,
                    *size,
                );
                let rows = sql.build().fetch_all(&self.pool).await.map_err(backend)?;
                let total: i64 = match rows.first() {
                    Some(row) => row.try_get("total").map_err(backend)?,
                    // See `offset_page`: an empty first page means none match; past the
                    // last page the count is asked alone.
                    None if *page == 0 => 0,
                    None => counted(tenant, query)
                        .build_query_scalar()
                        .fetch_one(&self.pool)
                        .await
                        .map_err(backend)?,
                };
                let items = rows
                    .iter()
                    .map(|row| decode(row).map(|(_, _, item)| item))
                    .collect::<Result<_>>()?;
                Ok(Page {
                    items,
                    total: Some(to_u64(total, "invoice count", &tenant)?),
                    next_cursor: None,
                })
            }
            PageRequest::Keyset { cursor, size } => {
                let sort = query.sort_order();
                let after = cursor
                    .as_deref()
                    .map(|c| Cursor::decode(c, sort))
                    .transpose()?;
                let mut sql = QueryBuilder::<Postgres>::new("");
                keyset_page(
                    &mut sql,
                    columns,
                    Dialect::Postgres,
                    tenant,
                    query,
                    after.as_ref(),
                    *size,
                )?;
                let rows = sql.build().fetch_all(&self.pool).await.map_err(backend)?;
                let rows = rows.iter().map(decode).collect::<Result<_>>()?;
                Ok(Page::keyset(rows, *size, sort))
            }
        }
    }
}

#[async_trait]
impl InvoiceStore for PostgresStore {
    async fn create(&self, invoice: &Invoice, events: &[EventEnvelope]) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        insert_invoice(&mut tx, invoice, events).await?;
        tx.commit().await.map_err(backend)
    }

    async fn get(&self, tenant: &TenantId, id: InvoiceId) -> Result<Invoice> {
        let body: Option<String> =
            sqlx::query_scalar("SELECT body::text FROM invoices WHERE id = $1 AND tenant = $2")
                .bind(id.as_uuid())
                .bind(tenant.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
        from_json(
            &body.ok_or_else(|| Error::not_found("invoice", id))?,
            "invoice",
            &id,
        )
    }

    async fn update(
        &self,
        invoice: &Invoice,
        expected_version: u64,
        events: &[EventEnvelope],
    ) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        if !overwrite(
            &mut tx,
            invoice,
            Some(expected_version),
            last_change(events),
        )
        .await?
        {
            return Err(
                match stored_version(&mut tx, invoice.tenant(), invoice.id()).await? {
                    Some(found) => {
                        Error::conflict("invoice", invoice.id(), expected_version, found)
                    }
                    None => Error::not_found("invoice", invoice.id()),
                },
            );
        }
        insert_events(&mut tx, events).await?;
        tx.commit().await.map_err(backend)
    }

    async fn delete(
        &self,
        tenant: &TenantId,
        id: InvoiceId,
        expected_version: u64,
        events: &[EventEnvelope],
    ) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let row = sqlx::query(
            "SELECT version, status FROM invoices WHERE id = $1 AND tenant = $2 FOR UPDATE",
        )
        .bind(id.as_uuid())
        .bind(tenant.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?
        .ok_or_else(|| Error::not_found("invoice", id))?;
        let version: i64 = row.try_get("version").map_err(backend)?;
        let status: String = row.try_get("status").map_err(backend)?;
        let found = to_u64(version, "invoice", &id)?;
        if found != expected_version {
            return Err(Error::conflict("invoice", id, expected_version, found));
        }
        if status != invoice_core::InvoiceStatus::Draft.as_str() {
            return Err(Error::NotAllowed {
                what: "invoice",
                id: id.to_string(),
                reason: "only a draft can be deleted",
            });
        }
        sqlx::query("DELETE FROM invoices WHERE id = $1")
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        insert_events(&mut tx, events).await?;
        tx.commit().await.map_err(backend)
    }

    async fn issue(
        &self,
        tenant: &TenantId,
        id: InvoiceId,
        request: &IssueRequest,
    ) -> Result<(Invoice, EventEnvelope)> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        // Lock order, the same in every transaction: the invoice, then the counter.
        let body: String = sqlx::query_scalar(
            "SELECT body::text FROM invoices WHERE id = $1 AND tenant = $2 FOR UPDATE",
        )
        .bind(id.as_uuid())
        .bind(tenant.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?
        .ok_or_else(|| Error::not_found("invoice", id))?;
        let mut invoice: Invoice = from_json(&body, "invoice", &id)?;
        if let Some(expected) = request.expected_version {
            if invoice.version() != expected {
                return Err(Error::conflict("invoice", id, expected, invoice.version()));
            }
        }
        let key = request.series_key();
        // The upsert locks the counter row until commit, so concurrent issues wait here
        // and take the numbers one after another. When the domain refuses below, the
        // transaction rolls back and the number is not consumed.
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO number_series (tenant, series_key, last_seq) VALUES ($1, $2, 1) \
             ON CONFLICT (tenant, series_key) \
             DO UPDATE SET last_seq = number_series.last_seq + 1 \
             RETURNING last_seq",
        )
        .bind(tenant.as_str())
        .bind(&key)
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        let seq = to_u64(seq, "number series", &key)?;
        let number = request.series.format(seq, request.issue_date.year())?;
        let event = invoice.issue(number, request.issue_date)?;
        let envelope = EventEnvelope::new(request.event_id, request.occurred_at, &invoice, event);
        overwrite(&mut tx, &invoice, None, Some(request.occurred_at)).await?;
        insert_events(&mut tx, std::slice::from_ref(&envelope)).await?;
        tx.commit().await.map_err(backend)?;
        Ok((invoice, envelope))
    }

    async fn list(&self, tenant: &TenantId, query: &InvoiceQuery) -> Result<SummaryPage> {
        self.page(tenant, query, SUMMARY_COLUMNS, summary_row).await
    }

    async fn list_invoices(&self, tenant: &TenantId, query: &InvoiceQuery) -> Result<InvoicePage> {
        self.page(tenant, query, BODY_COLUMNS, invoice_row).await
    }

    async fn history(&self, tenant: &TenantId, id: InvoiceId) -> Result<Vec<EventEnvelope>> {
        // Published rows stay in the outbox (`published_at` set): they are the history.
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT seq, payload::text FROM outbox WHERE tenant = $1 AND invoice_id = $2 \
             ORDER BY seq",
        )
        .bind(tenant.as_str())
        .bind(id.as_uuid())
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        history_of(rows, id)
    }
}

#[async_trait]
impl OutboxStore for PostgresStore {
    async fn append(&self, events: &[EventEnvelope]) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        insert_events(&mut tx, events).await?;
        tx.commit().await.map_err(backend)
    }

    async fn claim(
        &self,
        limit: u32,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> Result<Vec<ClaimedEvent>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let until = chrono::Duration::from_std(lease)
            .ok()
            .and_then(|lease| now.checked_add_signed(lease))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        // The locking CTE runs once; SKIP LOCKED hands rows that another relay is claiming
        // right now to that relay alone.
        let rows = sqlx::query(
            "WITH picked AS ( \
                 SELECT seq FROM outbox \
                 WHERE published_at IS NULL AND (leased_until IS NULL OR leased_until <= $1) \
                 ORDER BY seq LIMIT $2 \
                 FOR UPDATE SKIP LOCKED) \
             UPDATE outbox SET leased_until = $3, attempts = outbox.attempts + 1 \
             FROM picked WHERE outbox.seq = picked.seq \
             RETURNING outbox.seq, outbox.attempts, outbox.payload::text AS payload",
        )
        .bind(now)
        .bind(i64::from(limit))
        .bind(until)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        let mut claimed = rows
            .into_iter()
            .map(|row| {
                let seq: i64 = row.try_get("seq").map_err(backend)?;
                let attempts: i32 = row.try_get("attempts").map_err(backend)?;
                let payload: String = row.try_get("payload").map_err(backend)?;
                let at = format_args!("at seq {seq}");
                Ok(ClaimedEvent {
                    seq,
                    envelope: from_json(&payload, "event", &at)?,
                    attempts: u32::try_from(attempts).map_err(|e| Error::Corrupt {
                        what: "event",
                        id: at.to_string(),
                        source: Box::new(e),
                    })?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        // RETURNING has no order of its own.
        claimed.sort_by_key(|c| c.seq);
        Ok(claimed)
    }

    async fn mark_published(&self, ids: &[EventId], now: DateTime<Utc>) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let ids: Vec<Uuid> = ids.iter().map(|id| *id.as_uuid()).collect();
        sqlx::query(
            "UPDATE outbox SET published_at = $1, leased_until = NULL \
             WHERE event_id = ANY($2) AND published_at IS NULL",
        )
        .bind(now)
        .bind(ids)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn pending(&self) -> Result<u64> {
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE published_at IS NULL")
                .fetch_one(&self.pool)
                .await
                .map_err(backend)?;
        to_u64(count, "outbox count", &"pending")
    }
}

#[async_trait]
impl InboxStore for PostgresStore {
    async fn record(
        &self,
        consumer: &str,
        event_id: EventId,
        now: DateTime<Utc>,
    ) -> Result<Recorded> {
        let done = sqlx::query(
            "INSERT INTO inbox (consumer, event_id, processed_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(consumer)
        .bind(event_id.as_uuid())
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(if done.rows_affected() == 1 {
            Recorded::First
        } else {
            Recorded::Duplicate
        })
    }

    async fn contains(&self, consumer: &str, event_id: EventId) -> Result<bool> {
        sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM inbox WHERE consumer = $1 AND event_id = $2)",
        )
        .bind(consumer)
        .bind(event_id.as_uuid())
        .fetch_one(&self.pool)
        .await
        .map_err(backend)
    }
}

#[async_trait]
impl ClientStore for PostgresStore {
    async fn create(&self, client: &Client) -> Result<()> {
        let inserted = sqlx::query(
            "INSERT INTO clients (id, tenant, name, name_folded, version, body) \
             VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
        )
        .bind(client.id().as_uuid())
        .bind(client.tenant().as_str())
        .bind(client.name())
        .bind(fold(client.name()))
        .bind(to_i64(client.version(), BACKEND)?)
        .bind(to_json(client, BACKEND)?)
        .execute(&self.pool)
        .await;
        match inserted {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => Err(Error::AlreadyExists {
                what: "client",
                id: client.id().to_string(),
            }),
            Err(e) => Err(backend(e)),
        }
    }

    async fn get(&self, tenant: &TenantId, id: ClientId) -> Result<Client> {
        let body: Option<String> =
            sqlx::query_scalar("SELECT body::text FROM clients WHERE id = $1 AND tenant = $2")
                .bind(id.as_uuid())
                .bind(tenant.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
        from_json(
            &body.ok_or_else(|| Error::not_found("client", id))?,
            "client",
            &id,
        )
    }

    async fn update(&self, client: &Client, expected_version: u64) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let done = sqlx::query(
            "UPDATE clients SET name = $3, name_folded = $4, version = $5, body = $6::jsonb \
             WHERE id = $1 AND tenant = $2 AND version = $7",
        )
        .bind(client.id().as_uuid())
        .bind(client.tenant().as_str())
        .bind(client.name())
        .bind(fold(client.name()))
        .bind(to_i64(client.version(), BACKEND)?)
        .bind(to_json(client, BACKEND)?)
        .bind(to_i64(expected_version, BACKEND)?)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        if done.rows_affected() == 0 {
            let found: Option<i64> =
                sqlx::query_scalar("SELECT version FROM clients WHERE id = $1 AND tenant = $2")
                    .bind(client.id().as_uuid())
                    .bind(client.tenant().as_str())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(backend)?;
            return Err(match found {
                Some(found) => Error::conflict(
                    "client",
                    client.id(),
                    expected_version,
                    to_u64(found, "client", &client.id())?,
                ),
                None => Error::not_found("client", client.id()),
            });
        }
        tx.commit().await.map_err(backend)
    }

    async fn delete(&self, tenant: &TenantId, id: ClientId) -> Result<()> {
        let done = sqlx::query("DELETE FROM clients WHERE id = $1 AND tenant = $2")
            .bind(id.as_uuid())
            .bind(tenant.as_str())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found("client", id));
        }
        Ok(())
    }

    async fn list(
        &self,
        tenant: &TenantId,
        text: Option<&str>,
        page: u32,
        size: u32,
    ) -> Result<ClientPage> {
        PageRequest::Offset { page, size }.validate()?;
        let pattern = text.map(contains_pattern);
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM clients WHERE tenant = $1 \
             AND ($2::text IS NULL OR name_folded LIKE $2 ESCAPE '\\')",
        )
        .bind(tenant.as_str())
        .bind(pattern.as_deref())
        .fetch_one(&self.pool)
        .await
        .map_err(backend)?;
        let bodies: Vec<String> = sqlx::query_scalar(
            "SELECT body::text FROM clients WHERE tenant = $1 \
             AND ($2::text IS NULL OR name_folded LIKE $2 ESCAPE '\\') \
             ORDER BY name COLLATE \"C\", id LIMIT $3 OFFSET $4",
        )
        .bind(tenant.as_str())
        .bind(pattern.as_deref())
        .bind(i64::from(size))
        .bind(i64::from(page) * i64::from(size))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        let items = bodies
            .iter()
            .map(|body| from_json(body, "client", &tenant))
            .collect::<Result<Vec<Client>>>()?;
        Ok(ClientPage {
            items,
            total: to_u64(total, "client count", &tenant)?,
        })
    }
}
