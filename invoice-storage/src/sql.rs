//! What the SQL adapters (`PostgresStore`, `SqliteStore`) share: the columns kept beside
//! an invoice's body (its filters, sort keys and summary), the text filter's pattern, the
//! filter, sort order, offset page and keyset condition of a listing over any driver's
//! query builder ([`SqlBuilder`]), the summary read back from its columns, an invoice's
//! history read back from its outbox rows, and the check that the database's schema is
//! not newer than this library.

use std::borrow::Cow;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use invoice_core::{
    ClientId, Currency, Decimal, EventEnvelope, Invoice, InvoiceId, InvoiceNumber, InvoiceStatus,
    TenantId, Totals,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::invoice_store::{
    keyset_unsupported, sort_key, Cursor, InvoiceQuery, InvoiceSort, LIFECYCLE,
};
use crate::summary::{DocumentKind, InvoiceSummary};

/// A driver's query builder, as the shared listing code writes into it: SQL text and
/// bound values, each bound as the backend stores that kind of value.
pub(crate) trait SqlBuilder {
    /// Appends SQL text.
    fn sql(&mut self, text: &str) -> &mut Self;
    /// Appends a placeholder bound to an integer.
    fn bind_i64(&mut self, value: i64) -> &mut Self;
    /// Appends a placeholder bound to text.
    fn bind_text(&mut self, value: String) -> &mut Self;
    /// Appends a placeholder bound to an id (a `UUID` or its text).
    fn bind_uuid(&mut self, value: Uuid) -> &mut Self;
    /// Appends a placeholder bound to a date (a `DATE` or a day number).
    fn bind_date(&mut self, value: NaiveDate) -> &mut Self;
}

/// The columns an invoice row is filtered, sorted and summarized by, beside its JSON
/// `body`.
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
    pub(crate) kind: &'static str,
    pub(crate) seller_name: String,
    pub(crate) currency: &'static str,
    pub(crate) net_amount: String,
    pub(crate) vat_amount: String,
    pub(crate) gross_amount: String,
    pub(crate) amount_due: String,
    /// The invoice's last change; `None` keeps the stored one (a write without events).
    pub(crate) updated_at: Option<DateTime<Utc>>,
    pub(crate) body: String,
    /// What reports read beyond the summary columns, as JSON ([`report_facts`]).
    pub(crate) facts: String,
    /// The invoice's totals, computed once for the columns and whatever else a store
    /// keeps (SQLite: the JSON `get_json` answers with).
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
    pub(crate) totals: Totals,
}

/// The JSON of what reports read of `invoice` beyond the summary columns: its VAT
/// breakdown with rates normalized, and every amount also as an integer of
/// 1/10 000ths ([`report_units`]) for SQLite, which sums integers exactly and decimals
/// not at all:
/// `{"net_units": 1000000, "gross_units": 1190000, "due_units": 1190000, "vat":
/// [{"category": "S", "rate": "19", "taxable": "100.00", "tax": "19.00", "taxable_units":
/// 1000000, "tax_units": 190000}]}`.
pub(crate) fn report_facts(
    invoice: &Invoice,
    totals: &Totals,
    backend: &'static str,
) -> Result<String> {
    #[derive(Serialize)]
    struct Row {
        category: &'static str,
        rate: String,
        taxable: String,
        tax: String,
        taxable_units: Option<i64>,
        tax_units: Option<i64>,
    }
    #[derive(Serialize)]
    struct Facts {
        net_units: Option<i64>,
        gross_units: Option<i64>,
        due_units: Option<i64>,
        vat: Vec<Row>,
    }
    let facts = invoice_core::reports::ReportFacts::with_totals(invoice, totals)?;
    let vat = facts
        .vat
        .iter()
        .map(|v| Row {
            category: v.category.code(),
            rate: v.rate.normalize().to_string(),
            taxable: v.taxable.to_string(),
            tax: v.tax.to_string(),
            taxable_units: report_units(v.taxable),
            tax_units: report_units(v.tax),
        })
        .collect();
    let facts = Facts {
        net_units: report_units(facts.net),
        gross_units: report_units(facts.gross),
        due_units: report_units(facts.amount_due),
        vat,
    };
    to_json(&facts, backend)
}

/// How many 1/10 000ths `amount` is, when that is a whole number that fits an `i64`
/// (every amount in a currency of up to four decimals, below 922 trillion); `None`
/// otherwise, and SQLite's reports then sum the decimals in Rust.
pub(crate) fn report_units(amount: Decimal) -> Option<i64> {
    let scaled = amount
        .checked_mul(Decimal::from(REPORT_UNITS_PER_ONE))?
        .normalize();
    if scaled.scale() != 0 {
        return None;
    }
    i64::try_from(scaled.mantissa()).ok()
}

/// The scale of [`report_units`]: 10 000 units make one.
pub(crate) const REPORT_UNITS_PER_ONE: i64 = 10_000;

impl InvoiceColumns {
    /// The columns of `invoice` as last changed at `updated_at`.
    pub(crate) fn new(
        invoice: &Invoice,
        updated_at: Option<DateTime<Utc>>,
        backend: &'static str,
    ) -> Result<Self> {
        let totals = invoice.totals()?;
        let summary = InvoiceSummary::with_totals(invoice, &totals, updated_at)?;
        let number = invoice.number().map(|n| n.as_str().to_owned());
        Ok(Self {
            status: invoice.status().as_str(),
            number_folded: number.as_deref().map(fold),
            number,
            buyer_folded: fold(&summary.buyer_name),
            buyer_name: summary.buyer_name,
            issue_date: summary.issue_date,
            due_date: summary.due_date,
            due_key: sort_key(summary.due_date, InvoiceSort::DueDate),
            version: to_i64(invoice.version(), backend)?,
            kind: summary.kind.as_str(),
            seller_name: summary.seller_name,
            currency: summary.currency.code(),
            net_amount: summary.net_amount.to_string(),
            vat_amount: summary.vat_amount.to_string(),
            gross_amount: summary.gross_amount.to_string(),
            amount_due: summary.amount_due.to_string(),
            updated_at,
            body: to_json(invoice, backend)?,
            facts: report_facts(invoice, &totals, backend)?,
            totals,
        })
    }
}

/// An invoice summary's columns as a driver reads them, before they are checked: the
/// texts are borrowed from the row. [`into_summary`](Self::into_summary) builds the
/// summary, [`write_json`](Self::write_json) writes its JSON; both refuse the same
/// values.
pub(crate) struct SummaryColumns<'row> {
    pub(crate) id: Uuid,
    pub(crate) number: Option<&'row str>,
    pub(crate) kind: &'row str,
    pub(crate) status: &'row str,
    pub(crate) client: Option<Uuid>,
    pub(crate) seller_name: Option<&'row str>,
    pub(crate) buyer_name: &'row str,
    pub(crate) currency: Option<&'row str>,
    pub(crate) issue_date: Option<NaiveDate>,
    pub(crate) due_date: Option<NaiveDate>,
    pub(crate) net_amount: Option<&'row str>,
    pub(crate) vat_amount: Option<&'row str>,
    pub(crate) gross_amount: Option<&'row str>,
    pub(crate) amount_due: Option<&'row str>,
    pub(crate) version: i64,
    pub(crate) updated_at: Option<DateTime<Utc>>,
}

impl<'row> SummaryColumns<'row> {
    /// The summary these columns hold; a value this library would not have written is
    /// [`Error::Corrupt`].
    pub(crate) fn into_summary(self) -> Result<InvoiceSummary> {
        Ok(InvoiceSummary {
            id: InvoiceId::from_uuid(self.id),
            number: self.number()?,
            kind: self.kind()?,
            status: self.status()?,
            client: self.client.map(ClientId::from_uuid),
            seller_name: self.seller_name()?.to_owned(),
            buyer_name: self.buyer_name.to_owned(),
            currency: self.currency()?,
            issue_date: self.issue_date,
            due_date: self.due_date,
            net_amount: self.amount(self.net_amount)?,
            vat_amount: self.amount(self.vat_amount)?,
            gross_amount: self.amount(self.gross_amount)?,
            amount_due: self.amount(self.amount_due)?,
            version: self.version()?,
            updated_at: self.updated_at,
        })
    }

    /// Appends the JSON `serde_json` writes for [`into_summary`](Self::into_summary)'s
    /// summary, without building it: texts are escaped as they are, amounts already
    /// written as `rust_decimal` writes them are copied, dates and times written
    /// without `core::fmt`. Refuses what `into_summary` refuses.
    #[cfg(feature = "sqlite")]
    pub(crate) fn write_json(&self, out: &mut Vec<u8>) -> Result<()> {
        use crate::summary_json::write;
        let uuid = |out: &mut Vec<u8>, id: &Uuid| {
            let mut buffer = Uuid::encode_buffer();
            out.push(b'"');
            out.extend_from_slice(id.hyphenated().encode_lower(&mut buffer).as_bytes());
            out.push(b'"');
        };
        let amount = |out: &mut Vec<u8>, column: Option<&str>| -> Result<()> {
            match column {
                Some(text) if write::is_plain_decimal(text) => {
                    write::plain_decimal(out, text);
                    Ok(())
                }
                _ => write::serialized(out, &self.amount(column)?),
            }
        };
        let date = |out: &mut Vec<u8>, date: Option<NaiveDate>| match date {
            Some(date) => write::date(out, date),
            None => {
                out.extend_from_slice(b"null");
                Ok(())
            }
        };
        out.extend_from_slice(b"{\"id\":");
        uuid(out, &self.id);
        out.extend_from_slice(b",\"number\":");
        match self.number()? {
            Some(number) => write::string(out, number.as_str())?,
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"kind\":");
        write::serialized(out, &self.kind()?)?;
        out.extend_from_slice(b",\"status\":");
        write::serialized(out, &self.status()?)?;
        out.extend_from_slice(b",\"client\":");
        match &self.client {
            Some(client) => uuid(out, client),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"seller_name\":");
        write::string(out, self.seller_name()?)?;
        out.extend_from_slice(b",\"buyer_name\":");
        write::string(out, self.buyer_name)?;
        out.extend_from_slice(b",\"currency\":");
        write::serialized(out, &self.currency()?)?;
        out.extend_from_slice(b",\"issue_date\":");
        date(out, self.issue_date)?;
        out.extend_from_slice(b",\"due_date\":");
        date(out, self.due_date)?;
        out.extend_from_slice(b",\"net_amount\":");
        amount(out, self.net_amount)?;
        out.extend_from_slice(b",\"vat_amount\":");
        amount(out, self.vat_amount)?;
        out.extend_from_slice(b",\"gross_amount\":");
        amount(out, self.gross_amount)?;
        out.extend_from_slice(b",\"amount_due\":");
        amount(out, self.amount_due)?;
        out.extend_from_slice(b",\"version\":");
        write::serialized(out, &self.version()?)?;
        out.extend_from_slice(b",\"updated_at\":");
        match self.updated_at {
            Some(time) => write::time(out, time)?,
            None => out.extend_from_slice(b"null"),
        }
        out.push(b'}');
        Ok(())
    }

    fn corrupt(&self, reason: String) -> Error {
        Error::Corrupt {
            what: "invoice summary",
            id: InvoiceId::from_uuid(self.id).to_string(),
            source: reason.into(),
        }
    }

    /// Rows written before the summary columns existed are filled by `migrate`.
    fn empty(&self) -> Error {
        self.corrupt("summary columns empty: run the store's migrate() to fill them".into())
    }

    fn number(&self) -> Result<Option<InvoiceNumber>> {
        self.number
            .map(InvoiceNumber::new)
            .transpose()
            .map_err(|e| self.corrupt(e.to_string()))
    }

    fn kind(&self) -> Result<DocumentKind> {
        DocumentKind::from_word(self.kind)
            .ok_or_else(|| self.corrupt(format!("kind {:?}", self.kind)))
    }

    fn status(&self) -> Result<InvoiceStatus> {
        InvoiceStatus::from_str(self.status).map_err(|e| self.corrupt(e.to_string()))
    }

    fn seller_name(&self) -> Result<&'row str> {
        self.seller_name.ok_or_else(|| self.empty())
    }

    fn currency(&self) -> Result<Currency> {
        Currency::from_code(self.currency.ok_or_else(|| self.empty())?)
            .map_err(|e| self.corrupt(e.to_string()))
    }

    fn amount(&self, column: Option<&str>) -> Result<Decimal> {
        let text = column.ok_or_else(|| self.empty())?;
        Decimal::from_str_exact(text).map_err(|e| self.corrupt(format!("amount {text:?}: {e}")))
    }

    fn version(&self) -> Result<u64> {
        to_u64(
            self.version,
            "invoice summary",
            &InvoiceId::from_uuid(self.id),
        )
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

/// [`Error::SchemaTooNew`] when the database has a migration newer than `supported`,
/// the newest this library has: a newer library migrated it, and this one would misread
/// its rows.
pub(crate) fn check_schema_version(
    backend: &'static str,
    supported: i64,
    newest_applied: Option<i64>,
) -> Result<()> {
    match newest_applied {
        Some(found) if found > supported => Err(Error::SchemaTooNew {
            backend,
            found,
            supported,
        }),
        _ => Ok(()),
    }
}

/// The history of invoice `id` from its outbox rows `(seq, payload)` in sequence order:
/// the decoded envelopes, or [`Error::NotFound`] when there is no row (see
/// [`InvoiceStore::history`](crate::InvoiceStore::history)).
pub(crate) fn history_of(rows: Vec<(i64, String)>, id: InvoiceId) -> Result<Vec<EventEnvelope>> {
    if rows.is_empty() {
        return Err(Error::not_found("invoice", id));
    }
    rows.into_iter()
        .map(|(seq, payload)| from_json(&payload, "event", &format_args!("at seq {seq}")))
        .collect()
}

/// ` ORDER BY …` for `sort` in `dialect`, in the in-memory adapter's order: by the
/// order's key, rows without it (drafts: no number, no issue date) last in both
/// directions, then by insertion order, oldest first.
///
/// Columns are named with their table: a bare name in `ORDER BY` would mean the select
/// list's column of that name, which PostgreSQL's summary rows have as text
/// (`gross_amount::text AS gross_amount`), ordering amounts as text.
///
/// Numbers compare by bytes, as Rust strings do (PostgreSQL's `"C"` collation, SQLite's
/// default `BINARY`). Amounts compare as numbers: PostgreSQL's are `NUMERIC`; SQLite's
/// are decimal text, ordered exactly by [`sqlite_amount_keys`].
pub(crate) fn order_by(sort: InvoiceSort, dialect: Dialect) -> Cow<'static, str> {
    let by = match (sort, dialect) {
        // The default orders, on every plain listing: no allocation.
        (InvoiceSort::NewestFirst, _) => return Cow::Borrowed(" ORDER BY seq DESC"),
        (InvoiceSort::OldestFirst, _) => return Cow::Borrowed(" ORDER BY seq"),
        (InvoiceSort::DueDate, _) => "due_key".to_owned(),
        (InvoiceSort::NumberAscending, Dialect::Postgres) => {
            "invoices.number COLLATE \"C\" NULLS LAST".to_owned()
        }
        (InvoiceSort::NumberDescending, Dialect::Postgres) => {
            "invoices.number COLLATE \"C\" DESC NULLS LAST".to_owned()
        }
        (InvoiceSort::NumberAscending, Dialect::Sqlite) => "invoices.number NULLS LAST".to_owned(),
        (InvoiceSort::NumberDescending, Dialect::Sqlite) => {
            "invoices.number DESC NULLS LAST".to_owned()
        }
        (InvoiceSort::IssueDateAscending, _) => "invoices.issue_date NULLS LAST".to_owned(),
        (InvoiceSort::IssueDateDescending, _) => "invoices.issue_date DESC NULLS LAST".to_owned(),
        (InvoiceSort::AmountAscending, Dialect::Postgres) => "invoices.gross_amount".to_owned(),
        (InvoiceSort::AmountDescending, Dialect::Postgres) => {
            "invoices.gross_amount DESC".to_owned()
        }
        (InvoiceSort::AmountAscending, Dialect::Sqlite) => sqlite_amount_keys(false),
        (InvoiceSort::AmountDescending, Dialect::Sqlite) => sqlite_amount_keys(true),
        (InvoiceSort::Status, _) => {
            let mut case = String::from("CASE invoices.status");
            for (rank, status) in LIFECYCLE.iter().enumerate() {
                // `as_str` words are lower-case letters and `_`: nothing to quote.
                case.push_str(&format!(" WHEN '{}' THEN {rank}", status.as_str()));
            }
            case.push_str(&format!(" ELSE {} END", LIFECYCLE.len()));
            case
        }
    };
    Cow::Owned(format!(" ORDER BY {by}, seq"))
}

/// The sort keys that order SQLite's `gross_amount`, decimal text as
/// [`Decimal`]'s `Display` writes it (`-`, digits without leading zeros, `.` and
/// decimals; no exponent), exactly as numbers: `CAST … AS REAL` would be exact only to
/// 15 significant digits and tie larger amounts that differ, and `facts` (which holds
/// the amount as an integer) comes after the body, so reading it for every row would
/// follow each body's overflow pages.
///
/// Per row: the magnitude `m` (the text without `-`); its digits `d` without trailing
/// decimal zeros (`10.50` → `10.5`, `10.00` → `10`, `100` stays); its integer digits'
/// count `n`; and whether it is negative (not `-0`). Then:
/// 1. `n` for non-negative amounts and `-n` for negative ones: negatives first, and more
///    integer digits mean a larger magnitude;
/// 2. `d` as text for non-negative amounts: with as many integer digits, text order is
///    numeric order (`10` < `10.25` < `10.5`, and `9.5` = `9.50`);
/// 3. `d` as text descending for negative ones (a larger magnitude is smaller).
///
/// `descending` turns every key around (insertion order, which follows, stays
/// ascending).
fn sqlite_amount_keys(descending: bool) -> String {
    const MAGNITUDE: &str = "ltrim(invoices.gross_amount, '-')";
    let digits = format!(
        "(CASE WHEN instr({MAGNITUDE}, '.') > 0 THEN rtrim(rtrim({MAGNITUDE}, '0'), '.') \
         ELSE {MAGNITUDE} END)"
    );
    let integer_digits = format!(
        "(CASE instr({MAGNITUDE}, '.') WHEN 0 THEN length({MAGNITUDE}) \
         ELSE instr({MAGNITUDE}, '.') - 1 END)"
    );
    let negative = format!("(substr(invoices.gross_amount, 1, 1) = '-' AND {digits} <> '0')");
    let (up, down) = if descending {
        ("DESC", "ASC")
    } else {
        ("ASC", "DESC")
    };
    format!(
        "CASE WHEN {negative} THEN -{integer_digits} ELSE {integer_digits} END {up}, \
         CASE WHEN {negative} THEN NULL ELSE {digits} END {up}, \
         CASE WHEN {negative} THEN {digits} END {down}"
    )
}

/// ` WHERE tenant = … AND …`: the conditions of `query`.
pub(crate) fn push_filter<B: SqlBuilder>(sql: &mut B, tenant: &TenantId, query: &InvoiceQuery) {
    sql.sql(" WHERE tenant = ")
        .bind_text(tenant.as_str().to_owned());
    push_statuses(sql, query);
    if let Some(client) = query.client_filter() {
        sql.sql(" AND client_id = ").bind_uuid(*client.as_uuid());
    }
    if let Some(from) = query.issued_from() {
        sql.sql(" AND issue_date >= ").bind_date(from);
    }
    if let Some(to) = query.issued_to() {
        sql.sql(" AND issue_date <= ").bind_date(to);
    }
    if let Some(before) = query.due_before_date() {
        sql.sql(" AND due_date < ").bind_date(before);
    }
    if let Some(text) = query.text_filter() {
        let pattern = contains_pattern(text);
        sql.sql(" AND (number_folded LIKE ")
            .bind_text(pattern.clone())
            .sql(" ESCAPE '\\' OR buyer_folded LIKE ")
            .bind_text(pattern)
            .sql(" ESCAPE '\\')");
    }
}

/// ` AND status IN (…)` when `query` filters by status.
fn push_statuses<B: SqlBuilder>(sql: &mut B, query: &InvoiceQuery) {
    if let Some((first, rest)) = query.statuses().split_first() {
        sql.sql(" AND status IN (")
            .bind_text(first.as_str().to_owned());
        for status in rest {
            sql.sql(", ").bind_text(status.as_str().to_owned());
        }
        sql.sql(")");
    }
}

/// Which backend the shared SQL is for: how its schema finds a page's rows, and how it
/// orders text and amounts ([`order_by`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// SQLite: `seq` is the rowid.
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
    Sqlite,
    /// PostgreSQL: `seq` is found through the `(tenant, seq)` index.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    Postgres,
}

/// `SELECT … AS total`: how many of the tenant's invoices `query` selects. A query that
/// filters by status at most sums the `invoice_counts` rows (per tenant and status, kept
/// by triggers in both schemas); any other filter counts the rows.
pub(crate) fn push_count<B: SqlBuilder>(sql: &mut B, tenant: &TenantId, query: &InvoiceQuery) {
    let status_only = query.client_filter().is_none()
        && query.issued_from().is_none()
        && query.issued_to().is_none()
        && query.due_before_date().is_none()
        && query.text_filter().is_none();
    if status_only {
        sql.sql("SELECT CAST(COALESCE(SUM(invoices), 0) AS BIGINT) AS total FROM invoice_counts WHERE tenant = ")
            .bind_text(tenant.as_str().to_owned());
        push_statuses(sql, query);
    } else {
        sql.sql("SELECT COUNT(*) AS total FROM invoices");
        push_filter(sql, tenant, query);
    }
}

/// An offset page of `size` rows in one statement, so one round trip and one snapshot:
/// `total` (the count of every row the query's filter selects, an uncorrelated subquery
/// the database evaluates once), then `columns` of each row of the page. The page is a
/// deferred join: its seqs from the `(tenant, seq)` index first, then the columns of
/// those rows only, rather than reading every skipped row.
///
/// A page is at least one row long, so an empty first page means that nothing matches;
/// past the last page no row carries the count, which must then be asked alone.
pub(crate) fn offset_page<B: SqlBuilder>(
    sql: &mut B,
    columns: &str,
    dialect: Dialect,
    tenant: &TenantId,
    query: &InvoiceQuery,
    page: u32,
    size: u32,
) {
    let sort = query.sort_order();
    sql.sql("SELECT (");
    push_count(sql, tenant, query);
    sql.sql(") AS total, ")
        .sql(columns)
        .sql(" FROM invoices WHERE ");
    if dialect == Dialect::Postgres {
        // Its index on seq is (tenant, seq).
        sql.sql("tenant = ")
            .bind_text(tenant.as_str().to_owned())
            .sql(" AND ");
    }
    let order_by = order_by(sort, dialect);
    sql.sql("seq IN (SELECT seq FROM invoices");
    push_filter(sql, tenant, query);
    sql.sql(&order_by)
        .sql(" LIMIT ")
        .bind_i64(i64::from(size))
        .sql(" OFFSET ")
        .bind_i64(i64::from(page) * i64::from(size))
        .sql(")")
        .sql(&order_by);
}

/// A keyset page of `size + 1` rows (the last only tells that a next page exists):
/// `columns` of the rows after the cursor, in the query's order.
///
/// # Errors
///
/// [`Error::InvalidQuery`] when the query's order has no keyset pages (which
/// [`InvoiceQuery::validate`] turns away first).
pub(crate) fn keyset_page<B: SqlBuilder>(
    sql: &mut B,
    columns: &str,
    dialect: Dialect,
    tenant: &TenantId,
    query: &InvoiceQuery,
    after: Option<&Cursor>,
    size: u32,
) -> Result<()> {
    let sort = query.sort_order();
    if !sort.supports_keyset() {
        return Err(keyset_unsupported(sort));
    }
    sql.sql("SELECT ").sql(columns).sql(" FROM invoices");
    push_filter(sql, tenant, query);
    if let Some(after) = after {
        push_after(sql, after, sort)?;
    }
    sql.sql(&order_by(sort, dialect))
        .sql(" LIMIT ")
        .bind_i64(i64::from(size) + 1);
    Ok(())
}

/// ` AND …`: only the rows after `after` in `sort` order (a keyset page's condition).
fn push_after<B: SqlBuilder>(sql: &mut B, after: &Cursor, sort: InvoiceSort) -> Result<()> {
    match sort {
        InvoiceSort::NewestFirst => {
            sql.sql(" AND seq < ").bind_i64(after.seq);
        }
        InvoiceSort::OldestFirst => {
            sql.sql(" AND seq > ").bind_i64(after.seq);
        }
        InvoiceSort::DueDate => {
            sql.sql(" AND (due_key, seq) > (")
                .bind_i64(after.key)
                .sql(", ")
                .bind_i64(after.seq)
                .sql(")");
        }
        InvoiceSort::NumberAscending
        | InvoiceSort::NumberDescending
        | InvoiceSort::IssueDateAscending
        | InvoiceSort::IssueDateDescending
        | InvoiceSort::AmountAscending
        | InvoiceSort::AmountDescending
        | InvoiceSort::Status => return Err(keyset_unsupported(sort)),
    }
    Ok(())
}

/// A report row a store's query gave that this library would not have: [`Error::Corrupt`].
pub(crate) fn corrupt_report_row(what: &str) -> Error {
    Error::Corrupt {
        what: "report row",
        id: what.to_owned(),
        source: what.to_owned().into(),
    }
}

/// The aging bucket of the index a store's aging query gives (0 not due … 4 over 90).
pub(crate) fn aging_bucket(index: i64) -> Result<invoice_core::reports::AgingBucket> {
    usize::try_from(index)
        .ok()
        .and_then(|i| invoice_core::reports::AgingBucket::ALL.get(i).copied())
        .ok_or_else(|| corrupt_report_row("aging bucket"))
}

/// A currency code a store's report query gives.
pub(crate) fn report_currency(code: &str) -> Result<Currency> {
    Currency::from_code(code).map_err(|_| corrupt_report_row(code))
}

/// A schedule's stored body: the schedule without its last period, which has a column.
pub(crate) fn schedule_body(
    schedule: &invoice_core::schedule::Schedule,
    backend: &'static str,
) -> Result<String> {
    to_json(&schedule.clone().with_last_period(None), backend)
}

/// A schedule read back from its body and last-period column.
pub(crate) fn stored_schedule(
    body: &str,
    last_period: Option<i64>,
    id: &dyn std::fmt::Display,
) -> Result<invoice_core::schedule::Schedule> {
    let schedule: invoice_core::schedule::Schedule = from_json(body, "schedule", id)?;
    let last_period = last_period
        .map(|p| {
            u32::try_from(p).map_err(|e| Error::Corrupt {
                what: "schedule",
                id: id.to_string(),
                source: Box::new(e),
            })
        })
        .transpose()?;
    Ok(schedule.with_last_period(last_period))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite orders decimal text exactly as `Decimal` does: past 15 significant digits
    /// (where `REAL` would tie or round), across scales, signs and `-0`; ties by seq.
    #[cfg(feature = "sqlite")]
    #[test]
    fn sqlite_amount_keys_order_decimal_text_as_numbers() {
        let amounts = [
            "10.71",
            "-12345678901234567.89",
            "9.5",
            "107.10",
            "0.00",
            "12345678901234567.9",
            "-10.71",
            "-0.00",
            "100000000000000000000",
            "10",
            "9.50",
            "12345678901234567.89",
            "99999999999999999999.99",
            "10.25",
            "-9.5",
            "0",
            "12345678901234567.88",
            "1190.00",
            "10.5",
            "-100",
            "0.05",
        ];
        let db = rusqlite::Connection::open_in_memory().unwrap();
        db.execute_batch(
            "CREATE TABLE invoices (seq INTEGER PRIMARY KEY, gross_amount TEXT) STRICT",
        )
        .unwrap();
        for amount in amounts {
            db.execute("INSERT INTO invoices (gross_amount) VALUES (?1)", [amount])
                .unwrap();
        }
        for sort in [InvoiceSort::AmountAscending, InvoiceSort::AmountDescending] {
            let sql = format!(
                "SELECT seq FROM invoices{}",
                order_by(sort, Dialect::Sqlite)
            );
            let mut statement = db.prepare(&sql).unwrap();
            let found: Vec<i64> = statement
                .query_map([], |row| row.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let mut expected: Vec<(i64, Decimal)> = (1..)
                .zip(amounts.map(|a| Decimal::from_str_exact(a).unwrap()))
                .collect();
            expected.sort_by(|(seq_a, a), (seq_b, b)| {
                let by_amount = if sort == InvoiceSort::AmountAscending {
                    a.cmp(b)
                } else {
                    b.cmp(a)
                };
                by_amount.then(seq_a.cmp(seq_b))
            });
            let expected: Vec<i64> = expected.into_iter().map(|(seq, _)| seq).collect();
            assert_eq!(found, expected, "{sort:?}");
        }
    }

    #[test]
    fn contains_pattern_escapes_like_wildcards() {
        assert_eq!(contains_pattern("AbC"), "%abc%");
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
        assert_eq!(contains_pattern("ÄRZTE"), "%ärzte%");
    }
}
