//! What the SQL adapters (`PostgresStore`, `SqliteStore`) share: the indexed copies of an invoice's fields,
//! the text filter's pattern, the sort order, offset page and keyset condition of a listing, the mapping
//! of driver errors, and the check that the database's schema is not newer than this library.

use chrono::NaiveDate;
use invoice_core::{EventEnvelope, Invoice, TenantId};
use serde::de::DeserializeOwned;
use serde::Serialize;

use sqlx::{Database, Encode, QueryBuilder, Type};

use crate::error::{Error, Result};
use crate::invoice_store::{sort_key, Cursor, InvoiceSort};

/// The columns an invoice row is filtered and sorted by, beside its JSON `body`.
pub(crate) struct InvoiceColumns {
    pub(crate) status: &'static str,
    pub(crate) number: Option<String>,
    pub(crate) number_folded: Option<String>,
    pub(crate) buyer_name: String,
    pub(crate) buyer_folded: String,
    pub(crate) issue_date: Option<NaiveDate>,
    pub(crate) due_date: Option<NaiveDate>,
    pub(crate) due_key: i64,
    pub(crate) version: i64,
    pub(crate) body: String,
}

impl InvoiceColumns {
    pub(crate) fn new(invoice: &Invoice, backend: &'static str) -> Result<Self> {
        let number = invoice.number().map(|n| n.as_str().to_owned());
        Ok(Self {
            status: invoice.status().as_str(),
            number_folded: number.as_deref().map(fold),
            number,
            buyer_name: invoice.buyer().name().to_owned(),
            buyer_folded: fold(invoice.buyer().name()),
            issue_date: invoice.issue_date(),
            due_date: invoice.due_date(),
            due_key: sort_key(invoice, InvoiceSort::DueDate),
            version: to_i64(invoice.version(), backend)?,
            body: to_json(invoice, backend)?,
        })
    }
}

/// Case folding for the text filter: the same as [`InvoiceQuery::matches`]
/// (`str::to_lowercase`), done in Rust on both sides so that every backend and locale
/// agrees with the in-memory adapter.
///
/// [`InvoiceQuery::matches`]: crate::InvoiceQuery::matches
pub(crate) fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// A `LIKE … ESCAPE '\'` pattern that matches folded text containing `needle`: the
/// user's `%`, `_` and `\` match themselves, not any text.
pub(crate) fn contains_pattern(needle: &str) -> String {
    let folded = fold(needle);
    let mut pattern = String::with_capacity(folded.len() + 2);
    pattern.push('%');
    for c in folded.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

pub(crate) fn backend_error<E>(backend: &'static str) -> impl FnOnce(E) -> Error
where
    E: std::error::Error + Send + Sync + 'static,
{
    move |e| Error::Backend {
        backend,
        source: Box::new(e),
    }
}

/// Whether `e` is a unique-constraint violation.
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|db| db.is_unique_violation())
}

/// A version or counter for a `BIGINT` column.
pub(crate) fn to_i64(value: u64, backend: &'static str) -> Result<i64> {
    i64::try_from(value).map_err(|_| Error::Backend {
        backend,
        source: format!("{value} does not fit a signed 64-bit column").into(),
    })
}

/// A stored version or counter, which the library never writes negative.
pub(crate) fn to_u64(value: i64, what: &'static str, id: &dyn std::fmt::Display) -> Result<u64> {
    u64::try_from(value).map_err(|e| Error::Corrupt {
        what,
        id: id.to_string(),
        source: Box::new(e),
    })
}

pub(crate) fn to_json<T: Serialize>(value: &T, backend: &'static str) -> Result<String> {
    serde_json::to_string(value).map_err(backend_error(backend))
}

/// Reads a stored JSON body; a body this version cannot read is [`Error::Corrupt`].
pub(crate) fn from_json<T: DeserializeOwned>(
    text: &str,
    what: &'static str,
    id: &dyn std::fmt::Display,
) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::Corrupt {
        what,
        id: id.to_string(),
        source: Box::new(e),
    })
}

/// [`Error::AlreadyExists`] for an event id already in the outbox.
pub(crate) fn event_exists(envelope: &EventEnvelope) -> Error {
    Error::AlreadyExists {
        what: "event",
        id: envelope.event_id.to_string(),
    }
}

/// [`Error::SchemaTooNew`] when the database has a migration newer than every migration
/// of `migrator`: a newer library migrated it, and this one would misread its rows.
pub(crate) fn check_schema_version(
    backend: &'static str,
    migrator: &sqlx::migrate::Migrator,
    newest_applied: Option<i64>,
) -> Result<()> {
    let supported = migrator.iter().map(|m| m.version).max().unwrap_or(0);
    match newest_applied {
        Some(found) if found > supported => Err(Error::SchemaTooNew {
            backend,
            found,
            supported,
        }),
        _ => Ok(()),
    }
}

/// ` ORDER BY …` for `sort`: the same SQL in both dialects.
pub(crate) fn order_by(sort: InvoiceSort) -> &'static str {
    match sort {
        InvoiceSort::NewestFirst => " ORDER BY seq DESC",
        InvoiceSort::OldestFirst => " ORDER BY seq",
        InvoiceSort::DueDate => " ORDER BY due_key, seq",
    }
}

/// An offset page of `size` rows in one statement, so one round trip and one snapshot:
/// `total` (the count of every row `push_filter` selects, an uncorrelated subquery the
/// database evaluates once), `seq` and the body as `body_column` gives it, beside each
/// row of the page. The page is a deferred join: its seqs from the `(tenant, seq)` index
/// first, then the bodies of those rows only, rather than reading the body of every
/// skipped row.
///
/// A page is at least one row long, so an empty first page means that nothing matches;
/// past the last page no row carries the count, which must then be asked alone.
pub(crate) fn offset_page<DB: Database>(
    body_column: &str,
    tenant: &TenantId,
    sort: InvoiceSort,
    page: u32,
    size: u32,
    push_filter: impl Fn(&mut QueryBuilder<DB>),
) -> QueryBuilder<DB>
where
    for<'t> i64: Encode<'t, DB> + Type<DB>,
    for<'t> String: Encode<'t, DB> + Type<DB>,
{
    let mut sql = QueryBuilder::new("SELECT (SELECT COUNT(*) FROM invoices");
    push_filter(&mut sql);
    sql.push(") AS total, seq, ")
        .push(body_column)
        .push(" FROM invoices WHERE tenant = ")
        .push_bind(tenant.as_str().to_owned())
        .push(" AND seq IN (SELECT seq FROM invoices");
    push_filter(&mut sql);
    sql.push(order_by(sort))
        .push(" LIMIT ")
        .push_bind(i64::from(size))
        .push(" OFFSET ")
        .push_bind(i64::from(page) * i64::from(size))
        .push(")")
        .push(order_by(sort));
    sql
}

/// ` AND …`: only the rows after `after` in `sort` order (a keyset page's condition).
pub(crate) fn push_after<DB: Database>(
    sql: &mut QueryBuilder<DB>,
    after: &Cursor,
    sort: InvoiceSort,
) where
    for<'t> i64: Encode<'t, DB> + Type<DB>,
{
    match sort {
        InvoiceSort::NewestFirst => {
            sql.push(" AND seq < ").push_bind(after.seq);
        }
        InvoiceSort::OldestFirst => {
            sql.push(" AND seq > ").push_bind(after.seq);
        }
        InvoiceSort::DueDate => {
            sql.push(" AND (due_key, seq) > (")
                .push_bind(after.key)
                .push(", ")
                .push_bind(after.seq)
                .push(")");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_pattern_escapes_like_wildcards() {
        assert_eq!(contains_pattern("AbC"), "%abc%");
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
        assert_eq!(contains_pattern("ÄRZTE"), "%ärzte%");
    }
}
