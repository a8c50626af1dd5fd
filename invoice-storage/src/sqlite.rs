//! The SQLite adapter: every store trait over one database file (rusqlite, SQLite
//! compiled in), for single-node services, tools and tests.
//!
//! # Where the work runs
//!
//! - **Reads** run on the calling task's own thread, on a connection from a small pool
//!   (see [`SqliteStoreBuilder::read_connections`]), with prepared statements
//!   cached: a read by id costs what SQLite and the JSON decoding cost, and no hand-off
//!   to another thread. In WAL mode readers see the last committed state and never wait
//!   for the writer.
//! - **Writes** go to one writer thread over a channel. SQLite allows one writer at a
//!   time anyway; here writers queue without polling for the lock, and the ones that
//!   queue while a transaction commits are committed together in the next one (group
//!   commit), each in a savepoint of its own, so that one that fails (a version conflict,
//!   a constraint) fails alone. A caller hears of its write only after its transaction
//!   committed.
//! - **Checkpoints** (copying the WAL into the database file) run on a thread and a
//!   connection of their own, woken by the writer as the WAL grows, so that writes do not
//!   wait for them; the writer checkpoints itself only when the WAL has grown past twice
//!   SQLite's default size, which keeps it bounded under a steady load.
//!
//! # Invoices kept as JSON
//!
//! An invoice row keeps the invoice's JSON, and each write also keeps the JSON of its
//! totals and amount due with the [`MODEL_VERSION`] that wrote both (table
//! `invoice_json`). [`InvoiceStore::get_json`] joins the two into the answer without
//! decoding the invoice when the running build has that version, and decodes rows of
//! other versions; [`InvoiceStore::get`] always decodes.
//!
//! # Durability
//!
//! When a write such as [`InvoiceStore::create`] returns `Ok`, its transaction has
//! committed. With the default [`SqliteSynchronous::Normal`] it survives a crash of the
//! process, and a crash of the machine may undo the last commits (the file stays
//! consistent); with [`SqliteSynchronous::Full`] it was fsynced first and survives a
//! power loss.

mod builder;
mod checkpointer;
mod idempotency;
mod invoice_view;
mod migrations;
mod positions;
mod query;
mod readers;
mod reminders;
mod reports;
mod schedules;
mod writer;

pub use builder::{SqliteStoreBuilder, SqliteSynchronous};

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Datelike, Utc};
use invoice_core::{ClientId, EventEnvelope, EventId, Invoice, InvoiceId, TenantId, MODEL_VERSION};
use rusqlite::{params_from_iter, Connection, OptionalExtension, Row};

use self::query::{
    backend, column, date_column, day_number, is_unique_violation, micros, text_at, time_column,
    uuid_at, Sql,
};
use self::readers::Readers;
use self::writer::Writer;
use crate::client_store::{Client, ClientPage, ClientStore};
use crate::error::{Error, Result};
use crate::inbox::{InboxStore, Recorded};
use crate::invoice_json::{derived_json, InvoiceJson};
use crate::invoice_store::{
    Cursor, InvoicePage, InvoiceQuery, InvoiceStore, IssueRequest, Page, PageRequest, SummaryPage,
};
use crate::outbox::{ClaimedEvent, OutboxStore};
use crate::sql::{
    contains_pattern, fold, from_json, history_of, keyset_page, offset_page, push_count, to_i64,
    to_json, to_u64, Dialect, InvoiceColumns, SqlBuilder, SummaryColumns,
};
use crate::summary::{last_change, InvoiceSummary};
use crate::summary_json::SummaryPageJson;

const BACKEND: &str = "sqlite";

/// SQLite's default limit on bound values per statement is 32766; stay far below it.
const IDS_PER_STATEMENT: usize = 500;

/// The columns of a summary row.
const SUMMARY_COLUMNS: &str = "seq, due_key, id, number, kind, status, client_id, \
     seller_name, buyer_name, currency, issue_date, due_date, net_amount, vat_amount, \
     gross_amount, amount_due, version, updated_at";

/// The columns of a whole-invoice row.
const BODY_COLUMNS: &str = "seq, due_key, body";

/// Every store trait in one SQLite database file. Cloning shares the connections and
/// the writer thread, which stops when the last clone is dropped (or at
/// [`close`](Self::close)).
///
/// # Examples
///
/// ```no_run
/// # async fn run() -> invoice_storage::Result<()> {
/// use std::sync::Arc;
/// use invoice_storage::{InvoiceStore, OutboxStore, SqliteStore};
///
/// let store = SqliteStore::open("invoices.db").await?;
/// let invoices: Arc<dyn InvoiceStore> = Arc::new(store.clone());
/// let outbox: Arc<dyn OutboxStore> = Arc::new(store);
/// # let _ = (invoices, outbox);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    readers: Readers,
    writer: Writer,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// A builder for the database file at `path`; see [`SqliteStoreBuilder`].
    pub fn builder(path: impl AsRef<Path>) -> SqliteStoreBuilder {
        SqliteStoreBuilder::new(path.as_ref())
    }

    /// Opens (or creates) the database file at `path` with the defaults of
    /// [`SqliteStoreBuilder`], and migrates it.
    ///
    /// # Errors
    ///
    /// As [`SqliteStoreBuilder::build`].
    pub async fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::builder(path).build().await
    }

    fn new(path: PathBuf, readers: Readers, writer: Writer) -> Self {
        Self {
            inner: Arc::new(Inner {
                path,
                readers,
                writer,
            }),
        }
    }

    /// Applies the embedded migrations that the database lacks (on the writer thread);
    /// does nothing when it has them all, so it is safe at every start.
    ///
    /// # Errors
    ///
    /// [`Error::SchemaTooNew`] when the database has a migration this library does not
    /// know (a newer version migrated it), checked before anything is changed;
    /// [`Error::Backend`] when a migration fails.
    pub async fn migrate(&self) -> Result<()> {
        // Migrations manage their own transactions: run them outside the writer's
        // batches, on a connection of their own.
        let connection = self.inner.readers.open()?;
        connection
            .execute_batch("PRAGMA query_only = OFF")
            .map_err(backend)?;
        migrations::migrate(&connection)
    }

    /// Finishes the writes already queued, then closes the connections (checkpointing
    /// the WAL); calls made afterwards fail with [`Error::Backend`].
    pub async fn close(&self) {
        self.inner.writer.close().await;
        self.inner.readers.close();
    }

    /// Runs `read` on a read connection, on the calling thread.
    fn read<R>(&self, read: impl FnOnce(&Connection) -> Result<R>) -> Result<R> {
        self.inner.readers.read(read)
    }

    /// The JSON body `select` (by id and tenant) finds, if any.
    fn body_by_id(&self, select: &str, id: String, tenant: &TenantId) -> Result<Option<String>> {
        self.read(|connection| {
            connection
                .prepare_cached(select)
                .map_err(backend)?
                .query_row((id, tenant.as_str()), |row| row.get(0))
                .optional()
                .map_err(backend)
        })
    }

    /// Runs `job` in the writer's next transaction.
    async fn write<R, F>(&self, job: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R> + Send + 'static,
    {
        self.inner.writer.write(job).await
    }

    /// One page of `query`: `columns` of each row, decoded by `decode`.
    fn page<T>(
        &self,
        tenant: &TenantId,
        query: &InvoiceQuery,
        columns: &str,
        decode: Decode<T>,
    ) -> Result<Page<T>> {
        query.validate()?;
        self.read(|connection| match query.page_request() {
            PageRequest::Offset { page, size } => {
                let mut sql = Sql::default();
                if positions::applies(query) {
                    positions::position_page(&mut sql, columns, tenant, query, *page, *size);
                } else {
                    offset_page(
                        &mut sql,
                        columns,
                        Dialect::Sqlite,
                        tenant,
                        query,
                        *page,
                        *size,
                    );
                }
                let mut total = None;
                let items = select(connection, &sql, |row| {
                    if total.is_none() {
                        total = Some(column::<i64>(row, 0)?);
                    }
                    decode(row, 1).map(|(_, _, item)| item)
                })?;
                let total = match total {
                    Some(total) => total,
                    // See `offset_page`: an empty first page means none match; past the
                    // last page the count is asked alone.
                    None if *page == 0 => 0,
                    None => {
                        let mut sql = Sql::default();
                        push_count(&mut sql, tenant, query);
                        select(connection, &sql, |row| column::<i64>(row, 0))?
                            .pop()
                            .unwrap_or(0)
                    }
                };
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
                let mut sql = Sql::default();
                keyset_page(
                    &mut sql,
                    columns,
                    Dialect::Sqlite,
                    tenant,
                    query,
                    after.as_ref(),
                    *size,
                )?;
                let rows = select(connection, &sql, |row| decode(row, 0))?;
                Ok(Page::keyset(rows, *size, sort))
            }
        })
    }
}

/// Reads `(seq, due_key, item)` from a row whose listing columns start at an index.
type Decode<T> = fn(&Row<'_>, usize) -> Result<(i64, i64, T)>;

/// Runs `sql` (its statement cached) and maps each row.
fn select<T>(
    connection: &Connection,
    sql: &Sql,
    mut map: impl FnMut(&Row<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let mut statement = connection.prepare_cached(&sql.text).map_err(backend)?;
    let mut rows = statement
        .query(params_from_iter(sql.values.iter()))
        .map_err(backend)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(backend)? {
        out.push(map(row)?);
    }
    Ok(out)
}

/// A summary row: `(seq, due_key, summary)`, its columns in [`SUMMARY_COLUMNS`] order
/// (after `total` in an offset page: `first` is the index of `seq`).
fn summary_row(row: &Row<'_>, first: usize) -> Result<(i64, i64, InvoiceSummary)> {
    summary_columns(row, first, |columns| columns.into_summary())
}

/// A summary row as its summary's JSON: `(seq, due_key, json)`, as [`summary_row`]
/// reads it.
fn summary_json_row(row: &Row<'_>, first: usize) -> Result<(i64, i64, Vec<u8>)> {
    summary_columns(row, first, |columns| {
        let mut json = Vec::with_capacity(512);
        columns.write_json(&mut json)?;
        Ok(json)
    })
}

/// Reads `(seq, due_key)` and the summary's columns of a row whose columns are in
/// [`SUMMARY_COLUMNS`] order from `first`, and hands the columns to `into`. Columns are
/// read by index and texts borrowed, not copied.
fn summary_columns<T>(
    row: &Row<'_>,
    first: usize,
    into: impl FnOnce(SummaryColumns<'_>) -> Result<T>,
) -> Result<(i64, i64, T)> {
    let at = |n: usize| first + n;
    let id = uuid_at(row, at(2))?.ok_or_else(|| Error::Corrupt {
        what: "invoice",
        id: "(no id)".into(),
        source: "a row without an id".into(),
    })?;
    // NOT NULL in the schema.
    let buyer_name = text_at(row, at(8))?.ok_or_else(|| Error::Corrupt {
        what: "invoice summary",
        id: id.to_string(),
        source: "a row without a buyer name".into(),
    })?;
    let columns = SummaryColumns {
        id,
        number: text_at(row, at(3))?,
        kind: text_at(row, at(4))?.unwrap_or_default(),
        status: text_at(row, at(5))?.unwrap_or_default(),
        client: uuid_at(row, at(6))?,
        seller_name: text_at(row, at(7))?,
        buyer_name,
        currency: text_at(row, at(9))?,
        issue_date: date_column(row, at(10))?,
        due_date: date_column(row, at(11))?,
        net_amount: text_at(row, at(12))?,
        vat_amount: text_at(row, at(13))?,
        gross_amount: text_at(row, at(14))?,
        amount_due: text_at(row, at(15))?,
        version: column(row, at(16))?,
        updated_at: time_column(row, at(17))?,
    };
    Ok((column(row, at(0))?, column(row, at(1))?, into(columns)?))
}

/// A whole-invoice row: `(seq, due_key, invoice)`, its columns in [`BODY_COLUMNS`]
/// order from `first`.
fn invoice_row(row: &Row<'_>, first: usize) -> Result<(i64, i64, Invoice)> {
    let seq: i64 = column(row, first)?;
    let body = text_at(row, first + 2)?.unwrap_or_default();
    Ok((
        seq,
        column(row, first + 1)?,
        from_json(body, "invoice", &format_args!("at seq {seq}"))?,
    ))
}

/// An outbox row made ready on the caller's thread (its JSON written there), so that
/// the writer thread only inserts it.
struct OutboxRow {
    event_id: String,
    tenant: String,
    invoice_id: String,
    payload: String,
}

fn outbox_rows(events: &[EventEnvelope]) -> Result<Vec<OutboxRow>> {
    events
        .iter()
        .map(|envelope| {
            Ok(OutboxRow {
                event_id: envelope.event_id.to_string(),
                tenant: envelope.tenant.as_str().to_owned(),
                invoice_id: envelope.invoice_id.to_string(),
                payload: to_json(envelope, BACKEND)?,
            })
        })
        .collect()
}

/// Appends `events` to the outbox: a small row each in `outbox` (what claims and
/// publications update) and its JSON in `outbox_payloads` (written once).
fn insert_events(connection: &Connection, events: &[OutboxRow]) -> Result<()> {
    let mut insert = connection
        .prepare_cached(
            "INSERT INTO outbox (event_id, tenant, invoice_id) VALUES (?, ?, ?) RETURNING seq",
        )
        .map_err(backend)?;
    let mut insert_payload = connection
        .prepare_cached("INSERT INTO outbox_payloads (seq, payload) VALUES (?, ?)")
        .map_err(backend)?;
    // One row at a time, so that a duplicate names its own event id.
    for event in events {
        let seq: i64 = match insert
            .query_row((&event.event_id, &event.tenant, &event.invoice_id), |row| {
                row.get(0)
            }) {
            Ok(seq) => seq,
            Err(e) if is_unique_violation(&e) => {
                return Err(Error::AlreadyExists {
                    what: "event",
                    id: event.event_id.clone(),
                })
            }
            Err(e) => return Err(backend(e)),
        };
        insert_payload
            .execute((seq, &event.payload))
            .map_err(backend)?;
    }
    Ok(())
}

/// Inserts a new invoice row (`values` as [`row_values`] gives them), last of its
/// tenant's positions (see [`positions`]), and its events.
fn insert_invoice(
    connection: &Connection,
    id: InvoiceId,
    values: [rusqlite::types::Value; ROW_VALUES],
    events: &[OutboxRow],
) -> Result<()> {
    let mut insert = connection
        .prepare_cached(
            "INSERT INTO invoices (id, tenant, status, client_id, number, buyer_name, \
             number_folded, buyer_folded, issue_date, due_date, due_key, version, body, \
             kind, seller_name, currency, net_amount, vat_amount, gross_amount, \
             amount_due, updated_at, facts, position) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, \
             ?16, ?17, ?18, ?19, ?20, ?21, ?22, \
             (SELECT COALESCE(MAX(position), 0) + 1 FROM invoices WHERE tenant = ?2))",
        )
        .map_err(backend)?;
    let [row @ .., model_version, derived, checksum] = values;
    match insert.execute(params_from_iter(row)) {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => {
            return Err(Error::AlreadyExists {
                what: "invoice",
                id: id.to_string(),
            })
        }
        Err(e) => return Err(backend(e)),
    }
    // The row's seq: the statement's own rowid (its trigger's inserts no longer count
    // once it has ended).
    keep_json(
        connection,
        connection.last_insert_rowid(),
        [model_version, derived, checksum],
    )?;
    insert_events(connection, events)
}

/// Keeps, beside the invoice row `seq`, what `get_json` joins to its body, the model
/// version that wrote both and their checksum (`invoice_json`, migrations
/// `20261208000000` and `20261209000000`): the last three of [`row_values`].
fn keep_json(
    connection: &Connection,
    seq: i64,
    [model_version, derived, checksum]: [rusqlite::types::Value; 3],
) -> Result<()> {
    connection
        .prepare_cached(
            "INSERT INTO invoice_json (seq, model_version, derived, checksum) \
             VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (seq) DO UPDATE SET model_version = excluded.model_version, \
             derived = excluded.derived, checksum = excluded.checksum",
        )
        .map_err(backend)?
        .execute((seq, model_version, derived, checksum))
        .map_err(backend)?;
    Ok(())
}

/// The checksum `invoice_json` keeps of a row's `body` and `derived`: the CRC-32 (IEEE)
/// of the one's bytes followed by the other's.
fn json_checksum(body: &str, derived: &str) -> u32 {
    let mut crc = crc32fast::Hasher::new();
    crc.update(body.as_bytes());
    crc.update(derived.as_bytes());
    crc.finalize()
}

/// How many values [`row_values`] gives.
const ROW_VALUES: usize = 25;

/// Where [`row_values`] puts the invoice's JSON body (`?13`).
const BODY: usize = 12;

/// Where [`row_values`] puts what `get_json` joins to the body.
const DERIVED: usize = 23;

/// The document `get_json` answers with for the row `values` (as [`row_values`] gives
/// them) of an invoice at `version`: joined from them as `get_json` joins the stored
/// columns, the answer to the write that stores them.
fn stored_json(values: &[rusqlite::types::Value; ROW_VALUES], version: u64) -> Result<InvoiceJson> {
    use rusqlite::types::Value;
    match (&values[BODY], &values[DERIVED]) {
        (Value::Text(body), Value::Text(derived)) => Ok(InvoiceJson::trusted(
            InvoiceJson::join(body, derived),
            version,
        )),
        _ => Err(Error::Backend {
            backend: BACKEND,
            source: "an invoice row's values hold no JSON body and totals to answer with".into(),
        }),
    }
}

/// The values of an invoice row: `?1` to `?22` of the `invoices` row (id, tenant, the
/// indexed columns, body, the summary columns, the report facts), then what
/// `invoice_json` keeps beside it: the model version, what `get_json` joins to the body,
/// and the [`json_checksum`] of both.
fn row_values(
    invoice: &Invoice,
    c: InvoiceColumns,
) -> Result<[rusqlite::types::Value; ROW_VALUES]> {
    use rusqlite::types::Value;
    let text = |s: Option<String>| s.map_or(Value::Null, Value::Text);
    let int = |i: Option<i64>| i.map_or(Value::Null, Value::Integer);
    let derived = derived_json(invoice, &c.totals)?;
    let checksum = json_checksum(&c.body, &derived);
    Ok([
        Value::Text(invoice.id().to_string()),
        Value::Text(invoice.tenant().as_str().to_owned()),
        Value::Text(c.status.to_owned()),
        text(invoice.client().map(|c| c.to_string())),
        text(c.number),
        Value::Text(c.buyer_name),
        text(c.number_folded),
        Value::Text(c.buyer_folded),
        int(c.issue_date.map(day_number)),
        int(c.due_date.map(day_number)),
        Value::Integer(c.due_key),
        Value::Integer(c.version),
        Value::Text(c.body),
        Value::Text(c.kind.to_owned()),
        Value::Text(c.seller_name),
        Value::Text(c.currency.to_owned()),
        Value::Text(c.net_amount),
        Value::Text(c.vat_amount),
        Value::Text(c.gross_amount),
        Value::Text(c.amount_due),
        int(c.updated_at.map(micros)),
        Value::Text(c.facts),
        Value::Text(MODEL_VERSION.to_owned()),
        Value::Text(derived),
        Value::Integer(i64::from(checksum)),
    ])
}

/// Writes an invoice row's values over the row with its id and tenant whose version is
/// `expected` (any version when `None`); a `NULL` last change keeps the stored one.
/// Returns whether a row was written.
fn overwrite(
    connection: &Connection,
    values: [rusqlite::types::Value; ROW_VALUES],
    expected: Option<i64>,
) -> Result<bool> {
    let mut update = connection
        .prepare_cached(
            "UPDATE invoices SET status = ?3, client_id = ?4, number = ?5, buyer_name = ?6, \
             number_folded = ?7, buyer_folded = ?8, issue_date = ?9, due_date = ?10, \
             due_key = ?11, version = ?12, body = ?13, kind = ?14, seller_name = ?15, \
             currency = ?16, net_amount = ?17, vat_amount = ?18, gross_amount = ?19, \
             amount_due = ?20, updated_at = COALESCE(?21, updated_at), facts = ?22 \
             WHERE id = ?1 AND tenant = ?2 AND (?23 IS NULL OR version = ?23) \
             RETURNING seq",
        )
        .map_err(backend)?;
    let [row @ .., model_version, derived, checksum] = values;
    let params = row.into_iter().chain(std::iter::once(expected.map_or(
        rusqlite::types::Value::Null,
        rusqlite::types::Value::Integer,
    )));
    // The id is unique: at most one row, written by the statement's first step.
    let written: Option<i64> = update
        .query_row(params_from_iter(params), |row| row.get(0))
        .optional()
        .map_err(backend)?;
    if let Some(seq) = written {
        keep_json(connection, seq, [model_version, derived, checksum])?;
    }
    Ok(written.is_some())
}

/// The stored version of a tenant's invoice, if it has one with this id.
fn stored_version(connection: &Connection, tenant: &str, id: InvoiceId) -> Result<Option<u64>> {
    let version: Option<i64> = connection
        .prepare_cached("SELECT version FROM invoices WHERE id = ? AND tenant = ?")
        .map_err(backend)?
        .query_row((id.to_string(), tenant), |row| row.get(0))
        .optional()
        .map_err(backend)?;
    version.map(|v| to_u64(v, "invoice", &id)).transpose()
}

#[async_trait]
impl InvoiceStore for SqliteStore {
    async fn create(&self, invoice: &Invoice, events: &[EventEnvelope]) -> Result<()> {
        self.create_json(invoice, events).await.map(drop)
    }

    /// Answers with the document joined from the JSON written into the row's columns.
    async fn create_json(
        &self,
        invoice: &Invoice,
        events: &[EventEnvelope],
    ) -> Result<InvoiceJson> {
        let id = invoice.id();
        let values = row_values(
            invoice,
            InvoiceColumns::new(invoice, last_change(events), BACKEND)?,
        )?;
        let json = stored_json(&values, invoice.version())?;
        let events = outbox_rows(events)?;
        self.write(move |connection| insert_invoice(connection, id, values, &events))
            .await?;
        Ok(json)
    }

    async fn get(&self, tenant: &TenantId, id: InvoiceId) -> Result<Invoice> {
        let body = self.body_by_id(
            "SELECT body FROM invoices WHERE id = ? AND tenant = ?",
            id.to_string(),
            tenant,
        )?;
        from_json(
            &body.ok_or_else(|| Error::not_found("invoice", id))?,
            "invoice",
            &id,
        )
    }

    async fn get_json(&self, tenant: &TenantId, id: InvoiceId) -> Result<InvoiceJson> {
        /// A row as `get_json` reads it: its JSON joined with its totals when this
        /// build's model wrote both, its body to decode otherwise.
        enum Stored {
            /// Joined from bytes their kept checksum matches: the JSON this library wrote.
            Vouched(String),
            /// Joined from bytes kept without a checksum (before checksums were, or one
            /// was cleared): to be parsed.
            Unchecked(String),
            /// Bytes their kept checksum does not match.
            Damaged,
            /// Written by another model version, or without kept JSON: to be decoded.
            Body(String),
        }
        let row = self.read(|connection| {
            connection
                .prepare_cached(
                    "SELECT i.body, j.derived, j.model_version, i.version, j.checksum \
                     FROM invoices AS i LEFT JOIN invoice_json AS j ON j.seq = i.seq \
                     WHERE i.id = ? AND i.tenant = ?",
                )
                .map_err(backend)?
                .query_row((id.to_string(), tenant.as_str()), |row| {
                    let body = row.get_ref(0)?.as_str()?;
                    let derived = row.get_ref(1)?.as_str_or_null()?;
                    let model = row.get_ref(2)?.as_str_or_null()?;
                    let stored = match derived {
                        Some(derived) if model == Some(MODEL_VERSION) => {
                            match row.get::<_, Option<i64>>(4)? {
                                None => Stored::Unchecked(InvoiceJson::join(body, derived)),
                                Some(kept) if kept == i64::from(json_checksum(body, derived)) => {
                                    Stored::Vouched(InvoiceJson::join(body, derived))
                                }
                                Some(_) => Stored::Damaged,
                            }
                        }
                        _ => Stored::Body(body.to_owned()),
                    };
                    Ok((stored, row.get::<_, i64>(3)?))
                })
                .optional()
                .map_err(backend)
        })?;
        let (stored, version) = row.ok_or_else(|| Error::not_found("invoice", id))?;
        let corrupt = |why: &str| Error::Corrupt {
            what: "invoice",
            id: id.to_string(),
            source: why.into(),
        };
        let version = to_u64(version, "invoice", &id)?;
        match stored {
            Stored::Vouched(document) => Ok(InvoiceJson::trusted(document, version)),
            Stored::Unchecked(document) => {
                InvoiceJson::checked(document, version).ok_or_else(|| {
                    corrupt("its stored JSON and totals do not join into a JSON document")
                })
            }
            Stored::Damaged => Err(corrupt(
                "its stored JSON and totals do not match their checksum",
            )),
            Stored::Body(body) => InvoiceJson::of(&from_json(&body, "invoice", &id)?),
        }
    }

    async fn update(
        &self,
        invoice: &Invoice,
        expected_version: u64,
        events: &[EventEnvelope],
    ) -> Result<()> {
        self.update_json(invoice, expected_version, events)
            .await
            .map(drop)
    }

    /// Answers with the document joined from the JSON written into the row's columns.
    async fn update_json(
        &self,
        invoice: &Invoice,
        expected_version: u64,
        events: &[EventEnvelope],
    ) -> Result<InvoiceJson> {
        let id = invoice.id();
        let tenant = invoice.tenant().as_str().to_owned();
        let values = row_values(
            invoice,
            InvoiceColumns::new(invoice, last_change(events), BACKEND)?,
        )?;
        let json = stored_json(&values, invoice.version())?;
        let expected = to_i64(expected_version, BACKEND)?;
        let events = outbox_rows(events)?;
        self.write(move |connection| {
            if !overwrite(connection, values, Some(expected))? {
                return Err(match stored_version(connection, &tenant, id)? {
                    Some(found) => Error::conflict("invoice", id, expected_version, found),
                    None => Error::not_found("invoice", id),
                });
            }
            insert_events(connection, &events)
        })
        .await?;
        Ok(json)
    }

    async fn delete(
        &self,
        tenant: &TenantId,
        id: InvoiceId,
        expected_version: u64,
        events: &[EventEnvelope],
    ) -> Result<()> {
        let tenant = tenant.as_str().to_owned();
        let events = outbox_rows(events)?;
        self.write(move |connection| {
            let (version, status): (i64, String) = connection
                .prepare_cached("SELECT version, status FROM invoices WHERE id = ? AND tenant = ?")
                .map_err(backend)?
                .query_row((id.to_string(), &tenant), |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })
                .optional()
                .map_err(backend)?
                .ok_or_else(|| Error::not_found("invoice", id))?;
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
            connection
                .prepare_cached("DELETE FROM invoices WHERE id = ?")
                .map_err(backend)?
                .execute([id.to_string()])
                .map_err(backend)?;
            insert_events(connection, &events)
        })
        .await
    }

    async fn issue(
        &self,
        tenant: &TenantId,
        id: InvoiceId,
        request: &IssueRequest,
    ) -> Result<(Invoice, EventEnvelope)> {
        let tenant = tenant.clone();
        let request = request.clone();
        // On the writer thread, the counter read below is the latest: writes are serial.
        self.write(move |connection| {
            let body: String = connection
                .prepare_cached("SELECT body FROM invoices WHERE id = ? AND tenant = ?")
                .map_err(backend)?
                .query_row((id.to_string(), tenant.as_str()), |row| row.get(0))
                .optional()
                .map_err(backend)?
                .ok_or_else(|| Error::not_found("invoice", id))?;
            let mut invoice: Invoice = from_json(&body, "invoice", &id)?;
            if let Some(expected) = request.expected_version {
                if invoice.version() != expected {
                    return Err(Error::conflict("invoice", id, expected, invoice.version()));
                }
            }
            let key = request.series_key();
            // When the domain refuses below, the savepoint rolls back and the number is
            // not consumed.
            let seq: i64 = connection
                .prepare_cached(
                    "INSERT INTO number_series (tenant, series_key, last_seq) VALUES (?, ?, 1) \
                     ON CONFLICT (tenant, series_key) DO UPDATE SET last_seq = last_seq + 1 \
                     RETURNING last_seq",
                )
                .map_err(backend)?
                .query_row((tenant.as_str(), &key), |row| row.get(0))
                .map_err(backend)?;
            let seq = to_u64(seq, "number series", &key)?;
            let number = request.series.format(seq, request.issue_date.year())?;
            let event = invoice.issue(number, request.issue_date)?;
            let envelope =
                EventEnvelope::new(request.event_id, request.occurred_at, &invoice, event);
            let columns = InvoiceColumns::new(&invoice, Some(request.occurred_at), BACKEND)?;
            overwrite(connection, row_values(&invoice, columns)?, None)?;
            insert_events(connection, &outbox_rows(std::slice::from_ref(&envelope))?)?;
            Ok((invoice, envelope))
        })
        .await
    }

    async fn list(&self, tenant: &TenantId, query: &InvoiceQuery) -> Result<SummaryPage> {
        self.page(tenant, query, SUMMARY_COLUMNS, summary_row)
    }

    async fn list_json(&self, tenant: &TenantId, query: &InvoiceQuery) -> Result<SummaryPageJson> {
        SummaryPageJson::from_rows(self.page(tenant, query, SUMMARY_COLUMNS, summary_json_row)?)
    }

    async fn list_invoices(&self, tenant: &TenantId, query: &InvoiceQuery) -> Result<InvoicePage> {
        self.page(tenant, query, BODY_COLUMNS, invoice_row)
    }

    async fn history(&self, tenant: &TenantId, id: InvoiceId) -> Result<Vec<EventEnvelope>> {
        // Published rows stay in the outbox (`published_at` set): they are the history.
        let rows = self.read(|connection| {
            let mut select = connection
                .prepare_cached(
                    "SELECT outbox.seq, payload FROM outbox \
                     JOIN outbox_payloads ON outbox_payloads.seq = outbox.seq \
                     WHERE tenant = ? AND invoice_id = ? ORDER BY outbox.seq",
                )
                .map_err(backend)?;
            let rows = select
                .query_map((tenant.as_str(), id.to_string()), |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })
                .map_err(backend)?
                .collect::<rusqlite::Result<Vec<(i64, String)>>>()
                .map_err(backend)?;
            Ok(rows)
        })?;
        history_of(rows, id)
    }
}

#[async_trait]
impl OutboxStore for SqliteStore {
    async fn append(&self, events: &[EventEnvelope]) -> Result<()> {
        let events = outbox_rows(events)?;
        self.write(move |connection| insert_events(connection, &events))
            .await
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
        // On the writer thread: two relays never pick the same rows.
        let rows: Vec<(i64, i64, String)> = self
            .write(move |connection| {
                let mut claim = connection
                    .prepare_cached(
                        "UPDATE outbox SET leased_until = ?, attempts = attempts + 1 \
                         WHERE seq IN ( \
                             SELECT seq FROM outbox \
                             WHERE published_at IS NULL \
                               AND (leased_until IS NULL OR leased_until <= ?) \
                             ORDER BY seq LIMIT ?) \
                         RETURNING seq, attempts",
                    )
                    .map_err(backend)?;
                let leased = claim
                    .query_map((micros(until), micros(now), i64::from(limit)), |row| {
                        Ok((row.get(0)?, row.get(1)?))
                    })
                    .map_err(backend)?
                    .collect::<rusqlite::Result<Vec<(i64, i64)>>>()
                    .map_err(backend)?;
                let mut payload = connection
                    .prepare_cached("SELECT payload FROM outbox_payloads WHERE seq = ?")
                    .map_err(backend)?;
                leased
                    .into_iter()
                    .map(|(seq, attempts)| {
                        let payload = payload
                            .query_row([seq], |row| row.get(0))
                            .optional()
                            .map_err(backend)?
                            .ok_or_else(|| Error::Corrupt {
                                what: "event",
                                id: format!("at seq {seq}"),
                                source: "its payload is missing".into(),
                            })?;
                        Ok((seq, attempts, payload))
                    })
                    .collect()
            })
            .await?;
        let mut claimed = rows
            .into_iter()
            .map(|(seq, attempts, payload)| {
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
        let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
        self.write(move |connection| {
            for chunk in ids.chunks(IDS_PER_STATEMENT) {
                let mut sql = Sql::default();
                sql.sql("UPDATE outbox SET published_at = ")
                    .bind_i64(micros(now))
                    .sql(", leased_until = NULL WHERE published_at IS NULL AND event_id IN (");
                for (i, id) in chunk.iter().enumerate() {
                    if i > 0 {
                        sql.sql(", ");
                    }
                    sql.bind_text(id.clone());
                }
                sql.sql(")");
                connection
                    .prepare_cached(&sql.text)
                    .map_err(backend)?
                    .execute(params_from_iter(sql.values.iter()))
                    .map_err(backend)?;
            }
            Ok(())
        })
        .await
    }

    async fn pending(&self) -> Result<u64> {
        let count: i64 = self.read(|connection| {
            connection
                .prepare_cached("SELECT COUNT(*) FROM outbox WHERE published_at IS NULL")
                .map_err(backend)?
                .query_row([], |row| row.get(0))
                .map_err(backend)
        })?;
        to_u64(count, "outbox count", &"pending")
    }
}

#[async_trait]
impl InboxStore for SqliteStore {
    async fn record(
        &self,
        consumer: &str,
        event_id: EventId,
        now: DateTime<Utc>,
    ) -> Result<Recorded> {
        let consumer = consumer.to_owned();
        let inserted = self
            .write(move |connection| {
                connection
                    .prepare_cached(
                        "INSERT INTO inbox (consumer, event_id, processed_at) VALUES (?, ?, ?) \
                         ON CONFLICT DO NOTHING",
                    )
                    .map_err(backend)?
                    .execute((consumer, event_id.to_string(), micros(now)))
                    .map_err(backend)
            })
            .await?;
        Ok(if inserted == 1 {
            Recorded::First
        } else {
            Recorded::Duplicate
        })
    }

    async fn contains(&self, consumer: &str, event_id: EventId) -> Result<bool> {
        self.read(|connection| {
            connection
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM inbox WHERE consumer = ? AND event_id = ?)",
                )
                .map_err(backend)?
                .query_row((consumer, event_id.to_string()), |row| row.get(0))
                .map_err(backend)
        })
    }
}

#[async_trait]
impl ClientStore for SqliteStore {
    async fn create(&self, client: &Client) -> Result<()> {
        let id = client.id();
        let row = (
            id.to_string(),
            client.tenant().as_str().to_owned(),
            client.name().to_owned(),
            fold(client.name()),
            to_i64(client.version(), BACKEND)?,
            to_json(client, BACKEND)?,
        );
        self.write(move |connection| {
            let inserted = connection
                .prepare_cached(
                    "INSERT INTO clients (id, tenant, name, name_folded, version, body) \
                     VALUES (?, ?, ?, ?, ?, ?)",
                )
                .map_err(backend)?
                .execute(row);
            match inserted {
                Ok(_) => Ok(()),
                Err(e) if is_unique_violation(&e) => Err(Error::AlreadyExists {
                    what: "client",
                    id: id.to_string(),
                }),
                Err(e) => Err(backend(e)),
            }
        })
        .await
    }

    async fn get(&self, tenant: &TenantId, id: ClientId) -> Result<Client> {
        let body = self.body_by_id(
            "SELECT body FROM clients WHERE id = ? AND tenant = ?",
            id.to_string(),
            tenant,
        )?;
        from_json(
            &body.ok_or_else(|| Error::not_found("client", id))?,
            "client",
            &id,
        )
    }

    async fn update(&self, client: &Client, expected_version: u64) -> Result<()> {
        let id = client.id();
        let tenant = client.tenant().as_str().to_owned();
        let values = (
            client.name().to_owned(),
            fold(client.name()),
            to_i64(client.version(), BACKEND)?,
            to_json(client, BACKEND)?,
        );
        let expected = to_i64(expected_version, BACKEND)?;
        self.write(move |connection| {
            let (name, folded, version, body) = values;
            let written = connection
                .prepare_cached(
                    "UPDATE clients SET name = ?, name_folded = ?, version = ?, body = ? \
                     WHERE id = ? AND tenant = ? AND version = ?",
                )
                .map_err(backend)?
                .execute((
                    name,
                    folded,
                    version,
                    body,
                    id.to_string(),
                    &tenant,
                    expected,
                ))
                .map_err(backend)?;
            if written == 1 {
                return Ok(());
            }
            let found: Option<i64> = connection
                .prepare_cached("SELECT version FROM clients WHERE id = ? AND tenant = ?")
                .map_err(backend)?
                .query_row((id.to_string(), &tenant), |row| row.get(0))
                .optional()
                .map_err(backend)?;
            Err(match found {
                Some(found) => Error::conflict(
                    "client",
                    id,
                    expected_version,
                    to_u64(found, "client", &id)?,
                ),
                None => Error::not_found("client", id),
            })
        })
        .await
    }

    async fn delete(&self, tenant: &TenantId, id: ClientId) -> Result<()> {
        let tenant = tenant.as_str().to_owned();
        self.write(move |connection| {
            let deleted = connection
                .prepare_cached("DELETE FROM clients WHERE id = ? AND tenant = ?")
                .map_err(backend)?
                .execute((id.to_string(), tenant))
                .map_err(backend)?;
            if deleted == 0 {
                return Err(Error::not_found("client", id));
            }
            Ok(())
        })
        .await
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
        let (total, bodies) = self.read(|connection| {
            let total: i64 = connection
                .prepare_cached(
                    "SELECT COUNT(*) FROM clients WHERE tenant = ?1 \
                     AND (?2 IS NULL OR name_folded LIKE ?2 ESCAPE '\\')",
                )
                .map_err(backend)?
                .query_row((tenant.as_str(), pattern.as_deref()), |row| row.get(0))
                .map_err(backend)?;
            // BINARY collation: byte order, as the in-memory adapter sorts.
            let bodies = connection
                .prepare_cached(
                    "SELECT body FROM clients WHERE tenant = ?1 \
                     AND (?2 IS NULL OR name_folded LIKE ?2 ESCAPE '\\') \
                     ORDER BY name, id LIMIT ?3 OFFSET ?4",
                )
                .map_err(backend)?
                .query_map(
                    (
                        tenant.as_str(),
                        pattern.as_deref(),
                        i64::from(size),
                        i64::from(page) * i64::from(size),
                    ),
                    |row| row.get::<_, String>(0),
                )
                .map_err(backend)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(backend)?;
            Ok((total, bodies))
        })?;
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
