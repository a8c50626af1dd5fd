//! The in-memory adapter: every store trait over one mutex, for tests and single-process
//! tools. Each call is atomic, like a transaction.

mod documents;

pub use documents::InMemoryDocumentStore;

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use invoice_core::reminder::{Reminder, ReminderStatus};
use invoice_core::schedule::Schedule;
use invoice_core::{
    EventEnvelope, EventId, Invoice, InvoiceId, InvoiceSnapshot, InvoiceStatus, ReminderId,
    ScheduleId, TenantId,
};

use crate::client_store::{Client, ClientPage, ClientStore};
use crate::error::{Error, Result};
use crate::idempotency::{decide, Decision, KeyEntry};
use crate::inbox::{InboxStore, Recorded};
use crate::invoice_store::{
    keyset_unsupported, lifecycle_rank, sort_key, Cursor, InvoicePage, InvoiceQuery, InvoiceSort,
    InvoiceStore, IssueRequest, Page, PageRequest, SummaryPage,
};
use crate::invoice_view::{replaces, InvoiceViewStore, ViewedInvoice};
use crate::outbox::{ClaimedEvent, OutboxStore};
use crate::reminder_store::{cursor_of, ReminderPage, ReminderQuery, ReminderStore};
use crate::report_store::ReportStore;
use crate::schedule_store::{
    after_generating, check_generation, origin_of, Generated, SchedulePage, ScheduleQuery,
    ScheduleStore,
};
use crate::summary::{last_change, InvoiceSummary};
use crate::{Begin, IdempotencyKey, IdempotencyStore, StoredResponse};
use invoice_core::reports::{
    self, AgingReport, ReportFacts, RevenueGrouping, RevenueRow, VatSummaryRow,
};

/// Every store trait in memory. Cloning shares the data.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use invoice_storage::{InMemoryStore, InvoiceStore, OutboxStore};
///
/// let store = InMemoryStore::new();
/// let invoices: Arc<dyn InvoiceStore> = Arc::new(store.clone());
/// let outbox: Arc<dyn OutboxStore> = Arc::new(store);
/// # let _ = (invoices, outbox);
/// ```
#[derive(Debug, Clone, Default)]
pub struct InMemoryStore {
    state: Arc<Mutex<State>>,
}

/// The maps that grow with what is written (invoices and their histories, event ids, the
/// inbox, consumers' views, idempotency keys, clients, schedule runs, reminders) are
/// B-trees, not hash maps. A hash map grows by doubling: one insert, under the lock every
/// request takes, allocates a table twice the size and moves every entry into it, touching
/// memory no one touched before. At a few hundred thousand invoices that one insert took
/// 60 ms on a 2-core VM (most of it the kernel zeroing fresh pages, `clear_page_erms`)
/// while every other request waited: the in-memory POST load's p99 was anywhere from 5 to
/// 83 ms. A B-tree grows a node at a time.
#[derive(Debug, Default)]
struct State {
    /// Rows are boxed: a node split moves pointers, not whole invoices.
    invoices: BTreeMap<InvoiceId, Box<Row>>,
    /// Each tenant's invoices by insertion sequence: a listing reads its own tenant's
    /// rows, in order, and nothing else.
    by_tenant: HashMap<TenantId, BTreeMap<i64, InvoiceId>>,
    next_seq: i64,
    series: HashMap<(TenantId, String), u64>,
    /// Unpublished events by sequence. Published ones leave, so that claiming and
    /// counting cost what is pending, not everything ever written.
    outbox: BTreeMap<i64, OutboxRow>,
    /// The sequence of each unpublished event.
    unpublished: HashMap<EventId, i64>,
    /// Unpublished events no relay holds a lease on (or whose lease may have ended).
    ready: BTreeSet<i64>,
    /// Leases relays hold, by their end.
    leases: BTreeSet<(DateTime<Utc>, i64)>,
    /// Every event id ever appended (an id is never reused).
    outbox_ids: BTreeSet<EventId>,
    /// Every event ever appended, by invoice, in the order appended: the histories,
    /// which outlive publishing (published events leave `outbox`), as the SQL outboxes
    /// keep their published rows. The envelope is shared with its outbox row: one copy of
    /// each event (each holds its invoice) is made when it is appended, not two.
    history: BTreeMap<InvoiceId, Vec<Arc<EventEnvelope>>>,
    inbox: BTreeSet<(String, EventId)>,
    idempotency: BTreeMap<(TenantId, IdempotencyKey), (KeyEntry, DateTime<Utc>)>,
    /// Consumers' views: (consumer, tenant, invoice) to version and open snapshot.
    views: BTreeMap<(String, TenantId, InvoiceId), (u64, Option<InvoiceSnapshot>)>,
    clients: BTreeMap<invoice_core::ClientId, Client>,
    /// Schedules with their recorded last period.
    schedules: BTreeMap<ScheduleId, Schedule>,
    /// The invoice made for each generated (schedule, period).
    schedule_runs: BTreeMap<(ScheduleId, u32), InvoiceId>,
    /// Reminders with the end of the claim on each, if any.
    reminders: BTreeMap<ReminderId, (Reminder, Option<DateTime<Utc>>)>,
}

/// A stored invoice. The invoice is shared: a read clones the `Arc` under the lock and
/// the invoice after it, so that no deep copy is made while others wait.
#[derive(Debug)]
struct Row {
    seq: i64,
    invoice: Arc<Invoice>,
    /// The listing row, computed when the invoice is written.
    summary: InvoiceSummary,
}

impl Row {
    /// The row of `invoice`, made before the lock is taken; its sequence is set under it.
    fn new(invoice: &Invoice, updated_at: Option<DateTime<Utc>>) -> Result<Box<Self>> {
        let summary = InvoiceSummary::of(invoice, updated_at)?;
        Ok(Box::new(Self {
            seq: 0,
            invoice: Arc::new(invoice.clone()),
            summary,
        }))
    }
}

/// Events copied before the lock is taken, each shared by its outbox row and its
/// invoice's history.
fn shared_events(events: &[EventEnvelope]) -> Vec<Arc<EventEnvelope>> {
    events.iter().cloned().map(Arc::new).collect()
}

#[derive(Debug)]
struct OutboxRow {
    envelope: Arc<EventEnvelope>,
    leased_until: Option<DateTime<Utc>>,
    attempts: u32,
}

impl InMemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a half-applied change: every write
        // checks first and mutates last. So a poisoned lock is still consistent.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl State {
    /// Stores a new invoice (its row made by [`Row::new`]) and its events, or nothing.
    fn insert_invoice(&mut self, mut row: Box<Row>, events: Vec<Arc<EventEnvelope>>) -> Result<()> {
        let id = row.invoice.id();
        if self.invoices.contains_key(&id) {
            return Err(Error::AlreadyExists {
                what: "invoice",
                id: id.to_string(),
            });
        }
        self.check_events(&events)?;
        self.next_seq += 1;
        row.seq = self.next_seq;
        self.by_tenant
            .entry(row.invoice.tenant().clone())
            .or_default()
            .insert(row.seq, id);
        self.invoices.insert(id, row);
        self.push_events(events);
        Ok(())
    }

    fn row(&self, tenant: &TenantId, id: InvoiceId) -> Result<&Row> {
        self.invoices
            .get(&id)
            .map(|row| &**row)
            .filter(|row| row.invoice.tenant() == tenant)
            .ok_or_else(|| Error::not_found("invoice", id))
    }

    fn check_events<E: std::ops::Deref<Target = EventEnvelope>>(&self, events: &[E]) -> Result<()> {
        let mut ids = HashSet::with_capacity(events.len());
        for e in events {
            if self.outbox_ids.contains(&e.event_id) || !ids.insert(e.event_id) {
                return Err(Error::AlreadyExists {
                    what: "event",
                    id: e.event_id.to_string(),
                });
            }
        }
        Ok(())
    }

    fn push_events(&mut self, events: Vec<Arc<EventEnvelope>>) {
        for e in events {
            self.next_seq += 1;
            self.outbox_ids.insert(e.event_id);
            self.history
                .entry(e.invoice_id)
                .or_default()
                .push(Arc::clone(&e));
            self.unpublished.insert(e.event_id, self.next_seq);
            self.ready.insert(self.next_seq);
            self.outbox.insert(
                self.next_seq,
                OutboxRow {
                    envelope: e,
                    leased_until: None,
                    attempts: 0,
                },
            );
        }
    }

    /// Replaces a stored invoice's row (its sequence stays) and hands back the old one,
    /// for the caller to drop after the lock.
    fn replace(&mut self, mut row: Box<Row>) -> Result<Box<Row>> {
        let id = row.invoice.id();
        let Some(stored) = self.invoices.get_mut(&id) else {
            return Err(Error::not_found("invoice", id));
        };
        row.seq = stored.seq;
        // Without events the last change stays what it was.
        if row.summary.updated_at.is_none() {
            row.summary.updated_at = stored.summary.updated_at;
        }
        Ok(std::mem::replace(stored, row))
    }

    /// One page of the tenant's rows matching `query`, each mapped by `item`. Rows are
    /// walked in the query's order from the tenant's index and only the page's rows are
    /// mapped; an unfiltered offset page reads its total off the index.
    fn page<T>(
        &self,
        tenant: &TenantId,
        query: &InvoiceQuery,
        item: impl Fn(&Row) -> T,
    ) -> Result<Page<T>> {
        query.validate()?;
        let sort = query.sort_order();
        let empty = BTreeMap::new();
        let seqs = self.by_tenant.get(tenant).unwrap_or(&empty);
        let row = |id: &InvoiceId| self.invoices.get(id).map(|row| &**row);
        let matching = |row: &&Row| query.matches(&row.summary);
        let key = |row: &Row| (sort_key(row.summary.due_date, sort), row.seq);
        match query.page_request() {
            PageRequest::Offset { page, size } => {
                let start = (*page as usize).saturating_mul(*size as usize);
                let size = *size as usize;
                let (total, items) = match sort {
                    InvoiceSort::NewestFirst | InvoiceSort::OldestFirst => {
                        let ordered: Box<dyn Iterator<Item = &InvoiceId>> =
                            if sort == InvoiceSort::NewestFirst {
                                Box::new(seqs.values().rev())
                            } else {
                                Box::new(seqs.values())
                            };
                        let rows = ordered.filter_map(row).filter(matching);
                        if query.is_unfiltered() {
                            let items = rows.skip(start).take(size).map(&item).collect();
                            (seqs.len(), items)
                        } else {
                            // Every match counts; only the page's are mapped.
                            let mut total = 0;
                            let mut items = Vec::with_capacity(size);
                            for row in rows {
                                if total >= start && items.len() < size {
                                    items.push(item(row));
                                }
                                total += 1;
                            }
                            (total, items)
                        }
                    }
                    // Every other order sorts the matches.
                    _ => {
                        let mut rows: Vec<&Row> =
                            seqs.values().filter_map(row).filter(matching).collect();
                        rows.sort_by(|a, b| compare(sort, a, b));
                        let total = rows.len();
                        let items = rows.into_iter().skip(start).take(size).map(&item).collect();
                        (total, items)
                    }
                };
                Ok(Page {
                    items,
                    total: Some(total as u64),
                    next_cursor: None,
                })
            }
            PageRequest::Keyset { cursor, size } => {
                let after = cursor
                    .as_deref()
                    .map(|c| Cursor::decode(c, sort))
                    .transpose()?;
                let take = *size as usize + 1;
                let rows: Vec<&Row> = match (sort, after) {
                    (InvoiceSort::NewestFirst, after) => seqs
                        .range(..after.map_or(i64::MAX, |c| c.seq))
                        .rev()
                        .filter_map(|(_, id)| row(id))
                        .filter(matching)
                        .take(take)
                        .collect(),
                    (InvoiceSort::OldestFirst, after) => seqs
                        .range(after.map_or(i64::MIN, |c| c.seq.saturating_add(1))..)
                        .filter_map(|(_, id)| row(id))
                        .filter(matching)
                        .take(take)
                        .collect(),
                    (InvoiceSort::DueDate, after) => {
                        let mut rows: Vec<&Row> = seqs
                            .values()
                            .filter_map(row)
                            .filter(matching)
                            .filter(|row| after.is_none_or(|c| key(row) > (c.key, c.seq)))
                            .collect();
                        rows.sort_by_key(|row| key(row));
                        rows.truncate(take);
                        rows
                    }
                    // `validate` turned these away already.
                    (other, _) => return Err(keyset_unsupported(other)),
                };
                let rows = rows
                    .into_iter()
                    .map(|row| (row.seq, key(row).0, item(row)))
                    .collect();
                Ok(Page::keyset(rows, *size, sort))
            }
        }
    }
}

/// How `sort` orders two rows (the reference order the SQL adapters follow): by the
/// order's key, rows without it (drafts: no number, no issue date) last in both
/// directions, then by insertion order, oldest first.
fn compare(sort: InvoiceSort, a: &Row, b: &Row) -> Ordering {
    use Direction::{Ascending, Descending};
    fn number(summary: &InvoiceSummary) -> Option<&str> {
        summary.number.as_ref().map(|n| n.as_str())
    }
    let (x, y) = (&a.summary, &b.summary);
    let by_key = match sort {
        InvoiceSort::NewestFirst => return b.seq.cmp(&a.seq),
        InvoiceSort::OldestFirst => Ordering::Equal,
        InvoiceSort::DueDate => sort_key(x.due_date, sort).cmp(&sort_key(y.due_date, sort)),
        InvoiceSort::NumberAscending => missing_last(number(x), number(y), Ascending),
        InvoiceSort::NumberDescending => missing_last(number(x), number(y), Descending),
        InvoiceSort::IssueDateAscending => missing_last(x.issue_date, y.issue_date, Ascending),
        InvoiceSort::IssueDateDescending => missing_last(x.issue_date, y.issue_date, Descending),
        // `Decimal` compares numerically: 9.5 equals 9.50.
        InvoiceSort::AmountAscending => x.gross_amount.cmp(&y.gross_amount),
        InvoiceSort::AmountDescending => y.gross_amount.cmp(&x.gross_amount),
        InvoiceSort::Status => lifecycle_rank(x.status).cmp(&lifecycle_rank(y.status)),
    };
    by_key.then(a.seq.cmp(&b.seq))
}

/// Which way a key is ordered.
#[derive(Clone, Copy)]
enum Direction {
    Ascending,
    Descending,
}

/// `a` against `b` in `direction`, a missing one after any present one either way.
fn missing_last<T: Ord>(a: Option<T>, b: Option<T>, direction: Direction) -> Ordering {
    match (a, b, direction) {
        (Some(a), Some(b), Direction::Ascending) => a.cmp(&b),
        (Some(a), Some(b), Direction::Descending) => b.cmp(&a),
        (Some(_), None, _) => Ordering::Less,
        (None, Some(_), _) => Ordering::Greater,
        (None, None, _) => Ordering::Equal,
    }
}

#[async_trait]
impl InvoiceStore for InMemoryStore {
    async fn create(&self, invoice: &Invoice, events: &[EventEnvelope]) -> Result<()> {
        let row = Row::new(invoice, last_change(events))?;
        let events = shared_events(events);
        self.lock().insert_invoice(row, events)
    }

    async fn get(&self, tenant: &TenantId, id: InvoiceId) -> Result<Invoice> {
        let invoice = Arc::clone(&self.lock().row(tenant, id)?.invoice);
        Ok(Invoice::clone(&invoice))
    }

    async fn update(
        &self,
        invoice: &Invoice,
        expected_version: u64,
        events: &[EventEnvelope],
    ) -> Result<()> {
        let row = Row::new(invoice, last_change(events))?;
        let events = shared_events(events);
        let replaced = {
            let mut state = self.lock();
            let found = state.row(invoice.tenant(), invoice.id())?.invoice.version();
            if found != expected_version {
                return Err(Error::conflict(
                    "invoice",
                    invoice.id(),
                    expected_version,
                    found,
                ));
            }
            state.check_events(&events)?;
            let replaced = state.replace(row)?;
            state.push_events(events);
            replaced
        };
        drop(replaced);
        Ok(())
    }

    async fn delete(
        &self,
        tenant: &TenantId,
        id: InvoiceId,
        expected_version: u64,
        events: &[EventEnvelope],
    ) -> Result<()> {
        let events = shared_events(events);
        let mut state = self.lock();
        let stored = state.row(tenant, id)?;
        if stored.invoice.version() != expected_version {
            return Err(Error::conflict(
                "invoice",
                id,
                expected_version,
                stored.invoice.version(),
            ));
        }
        if stored.invoice.status() != InvoiceStatus::Draft {
            return Err(Error::NotAllowed {
                what: "invoice",
                id: id.to_string(),
                reason: "only a draft can be deleted",
            });
        }
        let seq = stored.seq;
        state.check_events(&events)?;
        let removed = state.invoices.remove(&id);
        if let Some(seqs) = state.by_tenant.get_mut(tenant) {
            seqs.remove(&seq);
        }
        state.push_events(events);
        drop(state);
        drop(removed);
        Ok(())
    }

    async fn issue(
        &self,
        tenant: &TenantId,
        id: InvoiceId,
        request: &IssueRequest,
    ) -> Result<(Invoice, EventEnvelope)> {
        use chrono::Datelike;
        let mut state = self.lock();
        let mut invoice = Invoice::clone(&state.row(tenant, id)?.invoice);
        if let Some(expected) = request.expected_version {
            if invoice.version() != expected {
                return Err(Error::conflict("invoice", id, expected, invoice.version()));
            }
        }
        let key = (tenant.clone(), request.series_key());
        let last = state.series.get(&key).copied();
        let (seq, number) = request.series.next(last, request.issue_date.year())?;
        let event = invoice.issue(number, request.issue_date)?;
        let envelope = EventEnvelope::new(request.event_id, request.occurred_at, &invoice, event);
        let events = vec![Arc::new(envelope.clone())];
        state.check_events(&events)?;
        // Numbering is decided under the lock, so the row is made here.
        let replaced = state.replace(Row::new(&invoice, Some(request.occurred_at))?)?;
        state.series.insert(key, seq);
        state.push_events(events);
        drop(state);
        drop(replaced);
        Ok((invoice, envelope))
    }

    async fn list(&self, tenant: &TenantId, query: &InvoiceQuery) -> Result<SummaryPage> {
        self.lock().page(tenant, query, |row| row.summary.clone())
    }

    async fn list_invoices(&self, tenant: &TenantId, query: &InvoiceQuery) -> Result<InvoicePage> {
        let page = self
            .lock()
            .page(tenant, query, |row| Arc::clone(&row.invoice))?;
        Ok(Page {
            items: page.items.iter().map(|i| Invoice::clone(i)).collect(),
            total: page.total,
            next_cursor: page.next_cursor,
        })
    }

    async fn history(&self, tenant: &TenantId, id: InvoiceId) -> Result<Vec<EventEnvelope>> {
        // Filtered by the envelopes' tenant, as the SQL adapters select by it: an event
        // appended under another tenant for this id belongs to that tenant's history.
        let events: Vec<EventEnvelope> = self
            .lock()
            .history
            .get(&id)
            .into_iter()
            .flatten()
            .filter(|e| &e.tenant == tenant)
            .map(|e| EventEnvelope::clone(e))
            .collect();
        if events.is_empty() {
            return Err(Error::not_found("invoice", id));
        }
        Ok(events)
    }
}

#[async_trait]
impl OutboxStore for InMemoryStore {
    async fn append(&self, events: &[EventEnvelope]) -> Result<()> {
        let events = shared_events(events);
        let mut state = self.lock();
        state.check_events(&events)?;
        state.push_events(events);
        Ok(())
    }

    async fn claim(
        &self,
        limit: u32,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> Result<Vec<ClaimedEvent>> {
        let until = chrono::Duration::from_std(lease)
            .ok()
            .and_then(|lease| now.checked_add_signed(lease))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let mut guard = self.lock();
        let state = &mut *guard;
        // Leases that have ended make their events claimable again.
        while let Some(&(end, seq)) = state.leases.first() {
            if end > now {
                break;
            }
            state.leases.pop_first();
            state.ready.insert(seq);
        }
        let mut claimed = Vec::with_capacity(limit as usize);
        while claimed.len() < limit as usize {
            let Some(seq) = state.ready.pop_first() else {
                break;
            };
            let Some(row) = state.outbox.get_mut(&seq) else {
                continue;
            };
            row.leased_until = Some(until);
            row.attempts += 1;
            state.leases.insert((until, seq));
            claimed.push((seq, Arc::clone(&row.envelope), row.attempts));
        }
        drop(guard);
        // Each event holds its invoice: copied after the lock, not while others wait.
        Ok(claimed
            .into_iter()
            .map(|(seq, envelope, attempts)| ClaimedEvent {
                seq,
                envelope: EventEnvelope::clone(&envelope),
                attempts,
            })
            .collect())
    }

    async fn mark_published(&self, ids: &[EventId], _now: DateTime<Utc>) -> Result<()> {
        let mut state = self.lock();
        for id in ids {
            let Some(seq) = state.unpublished.remove(id) else {
                continue;
            };
            if let Some(row) = state.outbox.remove(&seq) {
                if let Some(until) = row.leased_until {
                    state.leases.remove(&(until, seq));
                }
            }
            state.ready.remove(&seq);
        }
        Ok(())
    }

    async fn pending(&self) -> Result<u64> {
        Ok(self.lock().outbox.len() as u64)
    }
}

#[async_trait]
impl InboxStore for InMemoryStore {
    async fn record(
        &self,
        consumer: &str,
        event_id: EventId,
        _now: DateTime<Utc>,
    ) -> Result<Recorded> {
        let inserted = self.lock().inbox.insert((consumer.to_owned(), event_id));
        Ok(if inserted {
            Recorded::First
        } else {
            Recorded::Duplicate
        })
    }

    async fn contains(&self, consumer: &str, event_id: EventId) -> Result<bool> {
        Ok(self.lock().inbox.contains(&(consumer.to_owned(), event_id)))
    }
}

#[async_trait]
impl IdempotencyStore for InMemoryStore {
    async fn begin(
        &self,
        tenant: &TenantId,
        key: &IdempotencyKey,
        fingerprint: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Begin> {
        let mut state = self.lock();
        let slot = (tenant.clone(), key.clone());
        if let Some((entry, _)) = state.idempotency.get_mut(&slot) {
            return Ok(match decide(entry, fingerprint, now) {
                Decision::Answer(answer) => answer,
                Decision::TakeOver => {
                    entry.locked_until = lease_until;
                    Begin::Started
                }
            });
        }
        let entry = KeyEntry {
            fingerprint: fingerprint.to_owned(),
            locked_until: lease_until,
            response: None,
        };
        state.idempotency.insert(slot, (entry, now));
        Ok(Begin::Started)
    }

    async fn complete(
        &self,
        tenant: &TenantId,
        key: &IdempotencyKey,
        response: &StoredResponse,
    ) -> Result<()> {
        let mut state = self.lock();
        let (entry, _) = state
            .idempotency
            .get_mut(&(tenant.clone(), key.clone()))
            .ok_or_else(|| Error::not_found("idempotency key", key))?;
        entry.response.get_or_insert_with(|| response.clone());
        Ok(())
    }

    async fn release(&self, tenant: &TenantId, key: &IdempotencyKey) -> Result<()> {
        let mut state = self.lock();
        let slot = (tenant.clone(), key.clone());
        if state
            .idempotency
            .get(&slot)
            .is_some_and(|(entry, _)| entry.response.is_none())
        {
            state.idempotency.remove(&slot);
        }
        Ok(())
    }

    async fn purge(&self, created_before: DateTime<Utc>) -> Result<u64> {
        let mut state = self.lock();
        let before = state.idempotency.len();
        state
            .idempotency
            .retain(|_, (_, created_at)| *created_at >= created_before);
        Ok((before - state.idempotency.len()) as u64)
    }
}

#[async_trait]
impl InvoiceViewStore for InMemoryStore {
    async fn apply(
        &self,
        consumer: &str,
        tenant: &TenantId,
        id: InvoiceId,
        version: u64,
        open: Option<&InvoiceSnapshot>,
    ) -> Result<bool> {
        let mut state = self.lock();
        let key = (consumer.to_owned(), tenant.clone(), id);
        if let Some((stored, snapshot)) = state.views.get(&key) {
            if !replaces((*stored, snapshot.is_some()), (version, open.is_some())) {
                return Ok(false);
            }
        }
        state.views.insert(key, (version, open.cloned()));
        Ok(true)
    }

    async fn open_due_by(&self, consumer: &str, due_by: NaiveDate) -> Result<Vec<ViewedInvoice>> {
        let state = self.lock();
        let mut open: Vec<ViewedInvoice> = state
            .views
            .iter()
            .filter(|((c, _, _), _)| c == consumer)
            .filter_map(|((_, tenant, id), (version, snapshot))| {
                let snapshot = snapshot.as_ref()?;
                (snapshot.due_date? <= due_by).then(|| ViewedInvoice {
                    tenant: tenant.clone(),
                    id: *id,
                    version: *version,
                    snapshot: snapshot.clone(),
                })
            })
            .collect();
        open.sort_by(|a, b| {
            (a.snapshot.due_date, a.tenant.as_str(), a.id.to_string()).cmp(&(
                b.snapshot.due_date,
                b.tenant.as_str(),
                b.id.to_string(),
            ))
        });
        Ok(open)
    }
}

impl InMemoryStore {
    /// The report facts of `tenant`'s invoices.
    fn facts_of(&self, tenant: &TenantId) -> Result<Vec<ReportFacts>> {
        let state = self.lock();
        let Some(ids) = state.by_tenant.get(tenant) else {
            return Ok(Vec::new());
        };
        ids.values()
            .filter_map(|id| state.invoices.get(id))
            .map(|row| Ok(ReportFacts::of(&row.invoice)?))
            .collect()
    }
}

#[async_trait]
impl ReportStore for InMemoryStore {
    async fn aging(&self, tenant: &TenantId, as_of: NaiveDate) -> Result<AgingReport> {
        Ok(reports::aging(&self.facts_of(tenant)?, as_of)?)
    }

    async fn revenue(
        &self,
        tenant: &TenantId,
        from: NaiveDate,
        to: NaiveDate,
        by: RevenueGrouping,
    ) -> Result<Vec<RevenueRow>> {
        Ok(reports::revenue(&self.facts_of(tenant)?, from, to, by)?)
    }

    async fn vat_summary(
        &self,
        tenant: &TenantId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<VatSummaryRow>> {
        Ok(reports::vat_summary(&self.facts_of(tenant)?, from, to)?)
    }
}

#[async_trait]
impl ClientStore for InMemoryStore {
    async fn create(&self, client: &Client) -> Result<()> {
        let mut state = self.lock();
        if state.clients.contains_key(&client.id()) {
            return Err(Error::AlreadyExists {
                what: "client",
                id: client.id().to_string(),
            });
        }
        state.clients.insert(client.id(), client.clone());
        Ok(())
    }

    async fn get(&self, tenant: &TenantId, id: invoice_core::ClientId) -> Result<Client> {
        self.lock()
            .clients
            .get(&id)
            .filter(|c| c.tenant() == tenant)
            .cloned()
            .ok_or_else(|| Error::not_found("client", id))
    }

    async fn update(&self, client: &Client, expected_version: u64) -> Result<()> {
        let mut state = self.lock();
        let stored = state
            .clients
            .get_mut(&client.id())
            .filter(|c| c.tenant() == client.tenant())
            .ok_or_else(|| Error::not_found("client", client.id()))?;
        if stored.version() != expected_version {
            return Err(Error::conflict(
                "client",
                client.id(),
                expected_version,
                stored.version(),
            ));
        }
        *stored = client.clone();
        Ok(())
    }

    async fn delete(&self, tenant: &TenantId, id: invoice_core::ClientId) -> Result<()> {
        let mut state = self.lock();
        match state.clients.get(&id) {
            Some(c) if c.tenant() == tenant => {
                state.clients.remove(&id);
                Ok(())
            }
            _ => Err(Error::not_found("client", id)),
        }
    }

    async fn list(
        &self,
        tenant: &TenantId,
        text: Option<&str>,
        page: u32,
        size: u32,
    ) -> Result<ClientPage> {
        PageRequest::Offset { page, size }.validate()?;
        let needle = text.map(str::to_lowercase);
        let state = self.lock();
        let mut matching: Vec<&Client> = state
            .clients
            .values()
            .filter(|c| c.tenant() == tenant)
            .filter(|c| {
                needle
                    .as_deref()
                    .is_none_or(|n| c.name().to_lowercase().contains(n))
            })
            .collect();
        matching.sort_by(|a, b| a.name().cmp(b.name()).then(a.id().cmp(&b.id())));
        let total = matching.len() as u64;
        let items = matching
            .into_iter()
            .skip((page as usize).saturating_mul(size as usize))
            .take(size as usize)
            .cloned()
            .collect();
        Ok(ClientPage { items, total })
    }
}

#[async_trait]
impl ScheduleStore for InMemoryStore {
    async fn create(&self, schedule: &Schedule) -> Result<()> {
        let mut state = self.lock();
        if state.schedules.contains_key(&schedule.id()) {
            return Err(Error::AlreadyExists {
                what: "schedule",
                id: schedule.id().to_string(),
            });
        }
        let stored = schedule.clone().with_last_period(None);
        state.schedules.insert(schedule.id(), stored);
        Ok(())
    }

    async fn get(&self, tenant: &TenantId, id: ScheduleId) -> Result<Schedule> {
        self.lock()
            .schedules
            .get(&id)
            .filter(|s| s.tenant() == tenant)
            .cloned()
            .ok_or_else(|| Error::not_found("schedule", id))
    }

    async fn update(&self, schedule: &Schedule, expected_version: u64) -> Result<()> {
        let mut state = self.lock();
        let stored = state
            .schedules
            .get_mut(&schedule.id())
            .filter(|s| s.tenant() == schedule.tenant())
            .ok_or_else(|| Error::not_found("schedule", schedule.id()))?;
        if stored.version() != expected_version {
            return Err(Error::conflict(
                "schedule",
                schedule.id(),
                expected_version,
                stored.version(),
            ));
        }
        *stored = schedule.clone().with_last_period(stored.last_period());
        Ok(())
    }

    async fn list(&self, tenant: &TenantId, query: &ScheduleQuery) -> Result<SchedulePage> {
        query.validate()?;
        let state = self.lock();
        let items: Vec<Schedule> = state
            .schedules
            .values()
            .filter(|s| s.tenant() == tenant && query.matches(s))
            .take(query.page_size() as usize + 1)
            .cloned()
            .collect();
        Ok(Page::overfetched(items, query.page_size(), |s| {
            s.id().to_string()
        }))
    }

    async fn due(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<Schedule>> {
        let state = self.lock();
        let mut due: Vec<(DateTime<Utc>, &Schedule)> = state
            .schedules
            .values()
            .filter_map(|s| Some((s.next_due_at()?, s)))
            .filter(|(at, _)| *at <= now)
            .collect();
        due.sort_by_key(|(at, s)| (*at, s.id()));
        Ok(due
            .into_iter()
            .take(limit as usize)
            .map(|(_, s)| s.clone())
            .collect())
    }

    async fn generate(&self, invoice: &Invoice, events: &[EventEnvelope]) -> Result<Generated> {
        let origin = origin_of(invoice)?;
        let row = Row::new(invoice, last_change(events))?;
        let mut state = self.lock();
        let stored = state
            .schedules
            .get(&origin.schedule)
            .filter(|s| s.tenant() == invoice.tenant())
            .cloned()
            .ok_or_else(|| Error::not_found("schedule", origin.schedule))?;
        if let Some(&made) = state.schedule_runs.get(&(origin.schedule, origin.period)) {
            return Ok(Generated::AlreadyGenerated { invoice: made });
        }
        check_generation(&stored, invoice)?;
        state.insert_invoice(row, shared_events(events))?;
        state
            .schedule_runs
            .insert((origin.schedule, origin.period), invoice.id());
        let (last, _) = after_generating(stored, origin.period);
        if let Some(s) = state.schedules.remove(&origin.schedule) {
            state
                .schedules
                .insert(origin.schedule, s.with_last_period(Some(last)));
        }
        Ok(Generated::Created)
    }
}

#[async_trait]
impl ReminderStore for InMemoryStore {
    async fn create(&self, reminder: &Reminder) -> Result<()> {
        let mut state = self.lock();
        if state.reminders.contains_key(&reminder.id()) {
            return Err(Error::AlreadyExists {
                what: "reminder",
                id: reminder.id().to_string(),
            });
        }
        state
            .reminders
            .insert(reminder.id(), (reminder.clone(), reminder.not_before()));
        Ok(())
    }

    async fn get(&self, tenant: &TenantId, id: ReminderId) -> Result<Reminder> {
        self.lock()
            .reminders
            .get(&id)
            .map(|(r, _)| r)
            .filter(|r| r.tenant() == tenant)
            .cloned()
            .ok_or_else(|| Error::not_found("reminder", id))
    }

    async fn update(&self, reminder: &Reminder, expected_version: u64) -> Result<()> {
        let mut state = self.lock();
        let stored = state
            .reminders
            .get_mut(&reminder.id())
            .filter(|(r, _)| r.tenant() == reminder.tenant())
            .ok_or_else(|| Error::not_found("reminder", reminder.id()))?;
        if stored.0.version() != expected_version {
            return Err(Error::conflict(
                "reminder",
                reminder.id(),
                expected_version,
                stored.0.version(),
            ));
        }
        *stored = (reminder.clone(), reminder.not_before());
        Ok(())
    }

    async fn list(&self, tenant: &TenantId, query: &ReminderQuery) -> Result<ReminderPage> {
        query.validate()?;
        let state = self.lock();
        let mut items: Vec<Reminder> = state
            .reminders
            .values()
            .map(|(r, _)| r)
            .filter(|r| r.tenant() == tenant && query.matches(r))
            .cloned()
            .collect();
        items.sort_by_key(|r| (r.due_at(), r.id()));
        Ok(Page::overfetched(items, query.page_size(), cursor_of))
    }

    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Reminder>> {
        let mut state = self.lock();
        let mut due: Vec<(DateTime<Utc>, ReminderId)> = state
            .reminders
            .values()
            .filter(|(r, lease)| {
                r.status() == ReminderStatus::Scheduled
                    && r.due_at() <= now
                    && lease.is_none_or(|until| until <= now)
            })
            .map(|(r, _)| (r.due_at(), r.id()))
            .collect();
        due.sort();
        due.truncate(limit as usize);
        let mut claimed = Vec::with_capacity(due.len());
        for (_, id) in due {
            if let Some((reminder, lease)) = state.reminders.get_mut(&id) {
                *lease = Some(lease_until);
                claimed.push(reminder.clone());
            }
        }
        Ok(claimed)
    }
}
