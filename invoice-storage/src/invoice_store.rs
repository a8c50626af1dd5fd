//! The invoice store: tenant-scoped CRUD with optimistic concurrency, number allocation
//! at issue, and paged, filtered listing.

use std::fmt::Debug;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use invoice_core::{
    ClientId, EventEnvelope, EventId, Invoice, InvoiceId, InvoiceStatus, NumberSeries, TenantId,
};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::invoice_json::InvoiceJson;
use crate::summary::InvoiceSummary;
use crate::summary_json::SummaryPageJson;

/// Stores invoices. Every method is scoped to a tenant: another tenant's invoice is
/// [`Error::NotFound`], so its existence does not leak.
///
/// Writes take the domain events they cause and store them in the outbox in the same
/// transaction ([`OutboxStore`](crate::OutboxStore)): either both are saved or neither.
#[async_trait]
pub trait InvoiceStore: Debug + Send + Sync + 'static {
    /// Saves a new invoice and its events.
    ///
    /// # Errors
    ///
    /// [`Error::AlreadyExists`] when the id is taken (in any tenant).
    async fn create(&self, invoice: &Invoice, events: &[EventEnvelope]) -> Result<()>;

    /// Saves a new invoice and its events, like [`create`](Self::create), and returns
    /// its [`InvoiceJson`]: the document [`get_json`](Self::get_json) answers with
    /// right after, for a service to answer the write with.
    ///
    /// The default writes the document with [`InvoiceJson::of`] before it saves. The
    /// SQLite store joins it from the JSON it writes into its columns anyway, so the
    /// invoice is serialized and totalled once, not once for the store and once for the
    /// answer.
    ///
    /// # Errors
    ///
    /// As [`create`](Self::create); [`Error::Domain`] when the totals cannot be computed
    /// (then nothing is saved).
    async fn create_json(
        &self,
        invoice: &Invoice,
        events: &[EventEnvelope],
    ) -> Result<InvoiceJson> {
        let json = InvoiceJson::of(invoice)?;
        self.create(invoice, events).await?;
        Ok(json)
    }

    /// Loads an invoice.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when the tenant has no invoice with this id.
    async fn get(&self, tenant: &TenantId, id: InvoiceId) -> Result<Invoice>;

    /// Loads an invoice as the JSON document a service answers with, its totals and the
    /// amount due beside it ([`InvoiceJson`]): the document [`InvoiceJson::of`] writes
    /// for what [`get`](Self::get) returns.
    ///
    /// The default decodes the invoice and writes it again. The SQLite store answers
    /// with the JSON it kept, undecoded, when a build of the same
    /// [`MODEL_VERSION`](invoice_core::MODEL_VERSION) wrote it (so its shape is this
    /// build's), and decodes it otherwise. What it sends on unparsed is what it wrote:
    /// the checksum it kept of the JSON's bytes must match them.
    ///
    /// # Errors
    ///
    /// As [`get`](Self::get); [`Error::Domain`] when the totals cannot be computed;
    /// [`Error::Corrupt`] (SQLite) when the kept JSON no longer matches its checksum, or,
    /// kept without one, is not JSON.
    async fn get_json(&self, tenant: &TenantId, id: InvoiceId) -> Result<InvoiceJson> {
        InvoiceJson::of(&self.get(tenant, id).await?)
    }

    /// Replaces a stored invoice whose version is still `expected_version` (the version the
    /// caller read before running its command) and saves the events.
    ///
    /// # Errors
    ///
    /// [`Error::Conflict`] when the stored version differs; [`Error::NotFound`].
    async fn update(
        &self,
        invoice: &Invoice,
        expected_version: u64,
        events: &[EventEnvelope],
    ) -> Result<()>;

    /// Replaces a stored invoice like [`update`](Self::update), and returns its
    /// [`InvoiceJson`], as [`create_json`](Self::create_json) does for a new one.
    ///
    /// # Errors
    ///
    /// As [`update`](Self::update); [`Error::Domain`] when the totals cannot be computed
    /// (then nothing is saved).
    async fn update_json(
        &self,
        invoice: &Invoice,
        expected_version: u64,
        events: &[EventEnvelope],
    ) -> Result<InvoiceJson> {
        let json = InvoiceJson::of(invoice)?;
        self.update(invoice, expected_version, events).await?;
        Ok(json)
    }

    /// Deletes a draft whose version is still `expected_version`, saving the events.
    ///
    /// # Errors
    ///
    /// [`Error::NotAllowed`] when the stored invoice is not a draft; [`Error::Conflict`];
    /// [`Error::NotFound`].
    async fn delete(
        &self,
        tenant: &TenantId,
        id: InvoiceId,
        expected_version: u64,
        events: &[EventEnvelope],
    ) -> Result<()>;

    /// Issues a draft: allocates the next number of the tenant's series and saves the
    /// issued invoice and its `Issued` event, all in one transaction. Numbers are gapless:
    /// an invoice that fails validation consumes no number.
    ///
    /// # Errors
    ///
    /// [`Error::Domain`] when the invoice cannot be issued (not a draft, rule violations);
    /// [`Error::Conflict`] when `request.expected_version` is set and differs;
    /// [`Error::NotFound`].
    async fn issue(
        &self,
        tenant: &TenantId,
        id: InvoiceId,
        request: &IssueRequest,
    ) -> Result<(Invoice, EventEnvelope)>;

    /// Lists the tenant's invoices matching `query`, one page of [`InvoiceSummary`] rows
    /// at a time. The rows come from columns the store keeps beside each invoice: a
    /// page decodes no invoice body, so it costs the same whatever the invoices hold.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidQuery`] for a page size of 0 or over [`MAX_PAGE_SIZE`], a cursor
    /// from another query, or a keyset page in an order that pages by offset only
    /// ([`InvoiceSort::supports_keyset`]).
    async fn list(&self, tenant: &TenantId, query: &InvoiceQuery) -> Result<SummaryPage>;

    /// [`list`](Self::list)'s page with its rows as JSON ([`SummaryPageJson`]): one
    /// array, each row the document `serde_json` writes for its [`InvoiceSummary`].
    /// What a service answers a list with.
    ///
    /// The default serializes what `list` returns. The SQLite store writes each row's
    /// JSON from its columns without building the summary; a row `list` would refuse
    /// it refuses alike.
    ///
    /// # Errors
    ///
    /// As [`list`](Self::list).
    async fn list_json(&self, tenant: &TenantId, query: &InvoiceQuery) -> Result<SummaryPageJson> {
        SummaryPageJson::of(&self.list(tenant, query).await?)
    }

    /// Lists whole invoices matching `query`, one page at a time, in the same order and
    /// with the same pages and cursors as [`list`](Self::list): for exports and jobs that
    /// need every line of many invoices. [`invoices`](crate::invoices) walks all pages.
    ///
    /// # Errors
    ///
    /// As [`list`](Self::list).
    async fn list_invoices(&self, tenant: &TenantId, query: &InvoiceQuery) -> Result<InvoicePage>;

    /// The events of the tenant's invoice `id`, oldest first: in the order the outbox
    /// took them (its sequence), so the events of one command keep their order.
    ///
    /// The history is what the outbox keeps: every event saved for the invoice since it
    /// was created, by the writes of this trait or by
    /// [`OutboxStore::append`](crate::OutboxStore::append), whether a relay published it
    /// yet or not. A deleted draft still has its history, its `Deleted` event last: the
    /// history is read from the events, not from the invoice row.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when the tenant has no event of an invoice with this id (an
    /// unknown id, or another tenant's invoice, whose events are never returned).
    async fn history(&self, tenant: &TenantId, id: InvoiceId) -> Result<Vec<EventEnvelope>>;
}

/// What [`InvoiceStore::issue`] needs besides the invoice: the series, the date, and the
/// id and time of the `Issued` event (the library has no clock and no randomness).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueRequest {
    /// The number series; its format string identifies it, per tenant (and per year when
    /// the format has `{year}`).
    pub series: NumberSeries,
    /// The issue date (BT-2).
    pub issue_date: NaiveDate,
    /// When set, issue only if the stored version is this one.
    pub expected_version: Option<u64>,
    /// The id of the `Issued` event.
    pub event_id: EventId,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
}

impl IssueRequest {
    /// A request with the default series `INV-{year}-{seq:05}` and no version check.
    pub fn new(issue_date: NaiveDate, event_id: EventId, occurred_at: DateTime<Utc>) -> Self {
        Self {
            series: NumberSeries::default(),
            issue_date,
            expected_version: None,
            event_id,
            occurred_at,
        }
    }

    /// Uses another number series.
    pub fn with_series(mut self, series: NumberSeries) -> Self {
        self.series = series;
        self
    }

    /// Issues only if the stored version is `version`.
    pub fn with_expected_version(mut self, version: u64) -> Self {
        self.expected_version = Some(version);
        self
    }

    /// The key of the counter this request draws from: the format, and the year when the
    /// series restarts yearly.
    pub fn series_key(&self) -> String {
        use chrono::Datelike;
        if self.series.resets_yearly() {
            format!("{}@{}", self.series.format_str(), self.issue_date.year())
        } else {
            self.series.format_str().to_owned()
        }
    }
}

/// The largest page [`InvoiceStore::list`] returns.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// The order of a listing.
///
/// Ties are always broken by insertion order, oldest first, in ascending and descending
/// orders alike, so that pages are stable: a descending order is not the exact reverse of
/// its ascending one (rows that tie keep their order, and rows without the key come last
/// in both).
///
/// Every order supports offset pages ([`PageRequest::Offset`]); only [`NewestFirst`],
/// [`OldestFirst`] and [`DueDate`] also support keyset pages ([`PageRequest::Keyset`],
/// see [`supports_keyset`](Self::supports_keyset)).
///
/// [`NewestFirst`]: Self::NewestFirst
/// [`OldestFirst`]: Self::OldestFirst
/// [`DueDate`]: Self::DueDate
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum InvoiceSort {
    /// Newest first (insertion order, descending).
    #[default]
    NewestFirst,
    /// Oldest first (insertion order).
    OldestFirst,
    /// By due date, earliest first; invoices without one last.
    DueDate,
    /// By invoice number (BT-1) in text order (by bytes: `INV-10` before `INV-9`), first
    /// to last; drafts, which have no number yet, last. Offset pages only.
    NumberAscending,
    /// By invoice number in text order, last to first; drafts still last. Offset pages
    /// only.
    NumberDescending,
    /// By issue date (BT-2), earliest first; drafts, which have no issue date yet, last.
    /// Offset pages only.
    IssueDateAscending,
    /// By issue date, latest first; drafts still last. Offset pages only.
    IssueDateDescending,
    /// By gross amount (the total with VAT, BT-112), smallest first, as numbers
    /// (`9.00` before `10.00` before `100.00`; `9.5` and `9.50` tie). Amounts in
    /// different currencies are compared as they are, without conversion: `10.00` EUR
    /// and `10.00` JPY tie. Offset pages only.
    AmountAscending,
    /// By gross amount, largest first (as [`AmountAscending`](Self::AmountAscending)).
    /// Offset pages only.
    AmountDescending,
    /// By status in lifecycle order: draft, issued, partially paid, paid, credited (a
    /// status added later comes after these). Offset pages only.
    Status,
}

/// The statuses in the order of [`InvoiceSort::Status`].
pub(crate) const LIFECYCLE: [InvoiceStatus; 5] = [
    InvoiceStatus::Draft,
    InvoiceStatus::Issued,
    InvoiceStatus::PartiallyPaid,
    InvoiceStatus::Paid,
    InvoiceStatus::Credited,
];

/// The place of `status` in [`LIFECYCLE`]; a status not in it comes after all.
pub(crate) fn lifecycle_rank(status: InvoiceStatus) -> usize {
    LIFECYCLE
        .iter()
        .position(|s| *s == status)
        .unwrap_or(LIFECYCLE.len())
}

impl InvoiceSort {
    /// Whether keyset pages ([`PageRequest::Keyset`]) can follow this order: true for
    /// [`NewestFirst`](Self::NewestFirst), [`OldestFirst`](Self::OldestFirst) and
    /// [`DueDate`](Self::DueDate). The other orders page by offset only.
    pub const fn supports_keyset(self) -> bool {
        Self::cursor_tag(self).is_some()
    }

    /// The tag of this order's keyset cursors; `None` for an order without keyset pages.
    const fn cursor_tag(self) -> Option<&'static str> {
        match self {
            Self::NewestFirst => Some("n"),
            Self::OldestFirst => Some("o"),
            Self::DueDate => Some("d"),
            Self::NumberAscending
            | Self::NumberDescending
            | Self::IssueDateAscending
            | Self::IssueDateDescending
            | Self::AmountAscending
            | Self::AmountDescending
            | Self::Status => None,
        }
    }

    /// The order's name as in serde (`"amount_ascending"`), for messages.
    const fn as_str(self) -> &'static str {
        match self {
            Self::NewestFirst => "newest_first",
            Self::OldestFirst => "oldest_first",
            Self::DueDate => "due_date",
            Self::NumberAscending => "number_ascending",
            Self::NumberDescending => "number_descending",
            Self::IssueDateAscending => "issue_date_ascending",
            Self::IssueDateDescending => "issue_date_descending",
            Self::AmountAscending => "amount_ascending",
            Self::AmountDescending => "amount_descending",
            Self::Status => "status",
        }
    }
}

/// [`Error::InvalidQuery`] for a keyset page asked in `sort`, an order without them.
pub(crate) fn keyset_unsupported(sort: InvoiceSort) -> Error {
    Error::InvalidQuery {
        reason: format!(
            "sort {} pages by offset only (page and size), not by keyset cursor; \
             keyset pages are for newest_first, oldest_first and due_date",
            sort.as_str()
        ),
    }
}

/// Which page of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PageRequest {
    /// Page `page` (from 0) of `size` rows, as `?page=0&size=10`; returns the total count.
    ///
    /// A database finds an offset page by stepping over the rows before it, so a deep
    /// page of a large list costs more than the first one; keyset pages do not. On
    /// `SqliteStore` the unfiltered list, newest or oldest first, is the exception: each
    /// invoice keeps its position, and any page is one seek.
    Offset {
        /// Zero-based page number.
        page: u32,
        /// Rows per page.
        size: u32,
    },
    /// The `size` rows after `cursor` (none: the first page). Stable while rows are
    /// inserted: a row is never skipped or repeated.
    Keyset {
        /// The cursor of the previous page's [`InvoicePage::next_cursor`].
        cursor: Option<String>,
        /// Rows per page.
        size: u32,
    },
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::Offset { page: 0, size: 20 }
    }
}

impl PageRequest {
    /// The page size.
    pub fn size(&self) -> u32 {
        match self {
            Self::Offset { size, .. } | Self::Keyset { size, .. } => *size,
        }
    }

    /// Checks the size.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidQuery`] for a size of 0 or over [`MAX_PAGE_SIZE`].
    pub fn validate(&self) -> Result<()> {
        check_page_size(self.size())
    }
}

/// [`Error::InvalidQuery`] for a page size of 0 or over [`MAX_PAGE_SIZE`].
pub(crate) fn check_page_size(size: u32) -> Result<()> {
    if size == 0 || size > MAX_PAGE_SIZE {
        return Err(Error::InvalidQuery {
            reason: format!("page size must be 1 to {MAX_PAGE_SIZE}, not {size}"),
        });
    }
    Ok(())
}

/// Filters, order and page of an invoice listing. Unset filters match everything.
///
/// # Examples
///
/// ```
/// use invoice_core::InvoiceStatus;
/// use invoice_storage::{InvoiceQuery, PageRequest};
///
/// let query = InvoiceQuery::new()
///     .status(InvoiceStatus::Issued)
///     .text("acme")
///     .page(PageRequest::Offset { page: 0, size: 10 });
/// assert_eq!(query.page_request().size(), 10);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceQuery {
    #[serde(default)]
    statuses: Vec<InvoiceStatus>,
    #[serde(default)]
    client: Option<ClientId>,
    #[serde(default)]
    issued_from: Option<NaiveDate>,
    #[serde(default)]
    issued_to: Option<NaiveDate>,
    #[serde(default)]
    due_before: Option<NaiveDate>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    sort: InvoiceSort,
    #[serde(default)]
    page: PageRequest,
}

impl InvoiceQuery {
    /// Everything, newest first, first page of 20.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only invoices in `status` (call again to allow several).
    pub fn status(mut self, status: InvoiceStatus) -> Self {
        self.statuses.push(status);
        self
    }

    /// Only invoices of `client`.
    pub fn client(mut self, client: ClientId) -> Self {
        self.client = Some(client);
        self
    }

    /// Only invoices issued on or after `from` and on or before `to` (drafts have no date
    /// and do not match a date range).
    pub fn issued_between(mut self, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Self {
        self.issued_from = from;
        self.issued_to = to;
        self
    }

    /// Only invoices due strictly before `date`.
    pub fn due_before(mut self, date: NaiveDate) -> Self {
        self.due_before = Some(date);
        self
    }

    /// Only invoices whose number or buyer name contains `text`, ignoring case.
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// The order. Keyset pages need an order that
    /// [supports them](InvoiceSort::supports_keyset); every order has offset pages.
    pub fn sort(mut self, sort: InvoiceSort) -> Self {
        self.sort = sort;
        self
    }

    /// The page.
    pub fn page(mut self, page: PageRequest) -> Self {
        self.page = page;
        self
    }

    /// Allowed statuses (empty: all).
    pub fn statuses(&self) -> &[InvoiceStatus] {
        &self.statuses
    }

    /// The client filter.
    pub fn client_filter(&self) -> Option<ClientId> {
        self.client
    }

    /// Lower bound of the issue date.
    pub fn issued_from(&self) -> Option<NaiveDate> {
        self.issued_from
    }

    /// Upper bound of the issue date.
    pub fn issued_to(&self) -> Option<NaiveDate> {
        self.issued_to
    }

    /// Due-date bound.
    pub fn due_before_date(&self) -> Option<NaiveDate> {
        self.due_before
    }

    /// Text filter.
    pub fn text_filter(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// The order.
    pub fn sort_order(&self) -> InvoiceSort {
        self.sort
    }

    /// The page.
    pub fn page_request(&self) -> &PageRequest {
        &self.page
    }

    /// Checks the page size, and that a keyset page is asked only in an order that
    /// supports it ([`InvoiceSort::supports_keyset`]).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidQuery`] for a page size of 0 or over [`MAX_PAGE_SIZE`], or a keyset
    /// page in an order without keyset pages.
    pub(crate) fn validate(&self) -> Result<()> {
        self.page.validate()?;
        if matches!(self.page, PageRequest::Keyset { .. }) && !self.sort.supports_keyset() {
            return Err(keyset_unsupported(self.sort));
        }
        Ok(())
    }

    /// Whether no filter is set (every invoice of the tenant matches).
    pub(crate) fn is_unfiltered(&self) -> bool {
        self.statuses.is_empty()
            && self.client.is_none()
            && self.issued_from.is_none()
            && self.issued_to.is_none()
            && self.due_before.is_none()
            && self.text.is_none()
    }

    /// Whether the invoice `summary` describes passes the filters (the reference
    /// semantics adapters implement).
    pub fn matches(&self, summary: &InvoiceSummary) -> bool {
        if !self.statuses.is_empty() && !self.statuses.contains(&summary.status) {
            return false;
        }
        if self.client.is_some() && summary.client != self.client {
            return false;
        }
        if self.issued_from.is_some() || self.issued_to.is_some() {
            let Some(date) = summary.issue_date else {
                return false;
            };
            if self.issued_from.is_some_and(|from| date < from)
                || self.issued_to.is_some_and(|to| date > to)
            {
                return false;
            }
        }
        if let Some(before) = self.due_before {
            if summary.due_date.is_none_or(|due| due >= before) {
                return false;
            }
        }
        if let Some(text) = &self.text {
            let needle = text.to_lowercase();
            let in_number = summary
                .number
                .as_ref()
                .is_some_and(|n| n.as_str().to_lowercase().contains(&needle));
            let in_buyer = summary.buyer_name.to_lowercase().contains(&needle);
            if !in_number && !in_buyer {
                return false;
            }
        }
        true
    }
}

/// One page of a listing: [`SummaryPage`] from [`InvoiceStore::list`], [`InvoicePage`]
/// from [`InvoiceStore::list_invoices`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The rows of this page, in the query's order.
    pub items: Vec<T>,
    /// How many invoices match in all (offset pages only).
    pub total: Option<u64>,
    /// The cursor of the next page (keyset pages only), `None` on the last page.
    pub next_cursor: Option<String>,
}

/// A page of [`InvoiceSummary`] rows.
pub type SummaryPage = Page<InvoiceSummary>;

/// A page of whole invoices.
pub type InvoicePage = Page<Invoice>;

impl<T> Page<T> {
    /// A page from up to `size + 1` items in order: the item past `size` only tells
    /// that there is a next page, whose cursor `cursor` makes from the last item kept.
    pub(crate) fn overfetched(
        mut items: Vec<T>,
        size: u32,
        cursor: impl FnOnce(&T) -> String,
    ) -> Self {
        let more = items.len() > size as usize;
        items.truncate(size as usize);
        let next_cursor = if more { items.last().map(cursor) } else { None };
        Page {
            items,
            total: None,
            next_cursor,
        }
    }

    /// A keyset page from up to `size + 1` rows `(seq, sort key, row)` in `sort` order:
    /// the row past `size` only tells that there is a next page, whose cursor is then
    /// the last row kept.
    pub(crate) fn keyset(mut rows: Vec<(i64, i64, T)>, size: u32, sort: InvoiceSort) -> Self {
        let size = size as usize;
        let more = rows.len() > size;
        rows.truncate(size);
        let next_cursor = match rows.last() {
            Some((seq, key, _)) if more => Cursor {
                sort,
                key: *key,
                seq: *seq,
            }
            .encode(),
            _ => None,
        };
        Page {
            items: rows.into_iter().map(|(_, _, row)| row).collect(),
            total: None,
            next_cursor,
        }
    }
}

/// A keyset cursor: the sort key and insertion sequence of the last row of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub(crate) sort: InvoiceSort,
    /// Due date as days from CE for [`InvoiceSort::DueDate`] (`i64::MAX` when none).
    pub(crate) key: i64,
    pub(crate) seq: i64,
}

impl Cursor {
    /// The cursor as text; `None` for an order without keyset pages (which
    /// [`InvoiceQuery::validate`] turns away before any page is read).
    pub(crate) fn encode(&self) -> Option<String> {
        let sort = self.sort.cursor_tag()?;
        Some(format!("{sort}.{}.{}", self.key, self.seq))
    }

    pub(crate) fn decode(text: &str, sort: InvoiceSort) -> Result<Self> {
        let invalid = || Error::InvalidQuery {
            reason: format!("cursor {text:?} does not belong to this query"),
        };
        let mut parts = text.split('.');
        let (Some(tag), Some(key), Some(seq), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        let cursor = Cursor {
            sort,
            key: key.parse().map_err(|_| invalid())?,
            seq: seq.parse().map_err(|_| invalid())?,
        };
        if sort.cursor_tag() != Some(tag) {
            return Err(invalid());
        }
        Ok(cursor)
    }
}

/// The sort key of an invoice due on `due_date` under `sort` (see [`Cursor::key`]).
pub(crate) fn sort_key(due_date: Option<NaiveDate>, sort: InvoiceSort) -> i64 {
    use chrono::Datelike;
    match sort {
        InvoiceSort::DueDate => due_date.map_or(i64::MAX, |d| i64::from(d.num_days_from_ce())),
        // Insertion order alone, or an order without keyset pages (no cursor to key).
        InvoiceSort::NewestFirst
        | InvoiceSort::OldestFirst
        | InvoiceSort::NumberAscending
        | InvoiceSort::NumberDescending
        | InvoiceSort::IssueDateAscending
        | InvoiceSort::IssueDateDescending
        | InvoiceSort::AmountAscending
        | InvoiceSort::AmountDescending
        | InvoiceSort::Status => 0,
    }
}

/// Every invoice of `tenant` matching `query`, whole, in the query's order: walks the
/// keyset pages of [`InvoiceStore::list_invoices`] (of the query's page size), so that
/// an export of many invoices holds one page in memory at a time and misses no invoice
/// inserted meanwhile before the walk reaches its place. The query's order must
/// support keyset pages ([`InvoiceSort::supports_keyset`]): in any other, the stream's
/// only item is [`Error::InvalidQuery`].
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> invoice_storage::Result<()> {
/// use futures_util::TryStreamExt;
/// use invoice_core::TenantId;
/// use invoice_storage::{invoices, InMemoryStore, InvoiceQuery};
///
/// let store = InMemoryStore::new();
/// let tenant = TenantId::new("acme")?;
/// let all: Vec<_> = invoices(&store, &tenant, InvoiceQuery::new()).try_collect().await?;
/// assert!(all.is_empty());
/// # Ok(())
/// # }
/// ```
pub fn invoices<'a>(
    store: &'a dyn InvoiceStore,
    tenant: &'a TenantId,
    query: InvoiceQuery,
) -> futures_util::stream::BoxStream<'a, Result<Invoice>> {
    use futures_util::{stream, StreamExt, TryStreamExt};
    let size = query.page_request().size();
    let first = query.page(PageRequest::Keyset { cursor: None, size });
    let pages = stream::try_unfold(Some(first), move |next| async move {
        let Some(query) = next else {
            return Ok::<_, Error>(None);
        };
        let page = store.list_invoices(tenant, &query).await?;
        let next = page.next_cursor.map(|cursor| {
            query.clone().page(PageRequest::Keyset {
                cursor: Some(cursor),
                size,
            })
        });
        Ok(Some((stream::iter(page.items.into_iter().map(Ok)), next)))
    });
    pages.try_flatten().boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_SORTS: [InvoiceSort; 10] = [
        InvoiceSort::NewestFirst,
        InvoiceSort::OldestFirst,
        InvoiceSort::DueDate,
        InvoiceSort::NumberAscending,
        InvoiceSort::NumberDescending,
        InvoiceSort::IssueDateAscending,
        InvoiceSort::IssueDateDescending,
        InvoiceSort::AmountAscending,
        InvoiceSort::AmountDescending,
        InvoiceSort::Status,
    ];

    #[test]
    fn sort_names_are_the_serde_names() {
        for sort in ALL_SORTS {
            let json = serde_json::to_value(sort).unwrap();
            assert_eq!(json, sort.as_str(), "{sort:?}");
            assert_eq!(serde_json::from_value::<InvoiceSort>(json).unwrap(), sort);
        }
    }

    #[test]
    fn only_insertion_and_due_date_orders_have_keyset_pages() {
        let keyset: Vec<_> = ALL_SORTS
            .into_iter()
            .filter(|s| s.supports_keyset())
            .collect();
        assert_eq!(
            keyset,
            [
                InvoiceSort::NewestFirst,
                InvoiceSort::OldestFirst,
                InvoiceSort::DueDate
            ]
        );
        let query = InvoiceQuery::new()
            .sort(InvoiceSort::Status)
            .page(PageRequest::Keyset {
                cursor: None,
                size: 10,
            });
        assert!(
            matches!(query.validate(), Err(Error::InvalidQuery { reason }) if reason.contains("status")),
        );
        let offset = query.page(PageRequest::Offset { page: 0, size: 10 });
        assert!(offset.validate().is_ok());
        let cursor = Cursor {
            sort: InvoiceSort::DueDate,
            key: 7,
            seq: 3,
        }
        .encode()
        .unwrap();
        assert!(Cursor::decode(&cursor, InvoiceSort::DueDate).is_ok());
        assert!(Cursor::decode(&cursor, InvoiceSort::AmountAscending).is_err());
    }
}
