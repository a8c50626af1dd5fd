//! Recurring invoice schedules, and the one write that makes each period's invoice at
//! most once, whoever runs it.

use std::fmt::Debug;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use invoice_core::schedule::{Schedule, ScheduleStatus};
use invoice_core::{EventEnvelope, Invoice, InvoiceId, ScheduleId, TenantId};

use crate::error::{Error, Result};
use crate::invoice_store::{check_page_size, Page};

/// What [`ScheduleStore::generate`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generated {
    /// The invoice was created, with its events, and the period recorded.
    Created,
    /// The period had been generated already, as this invoice; nothing was written.
    AlreadyGenerated {
        /// The invoice made for the period.
        invoice: InvoiceId,
    },
}

/// Which schedules a listing returns: a tenant's, optionally of one status, a page at a
/// time in id order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleQuery {
    status: Option<ScheduleStatus>,
    after: Option<ScheduleId>,
    size: u32,
}

impl Default for ScheduleQuery {
    fn default() -> Self {
        Self {
            status: None,
            after: None,
            size: 50,
        }
    }
}

impl ScheduleQuery {
    /// The first 50 schedules of any status.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only schedules in `status`.
    #[must_use]
    pub fn status(mut self, status: ScheduleStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// The page after the schedule with this id (a page's `next_cursor`).
    #[must_use]
    pub fn after(mut self, id: ScheduleId) -> Self {
        self.after = Some(id);
        self
    }

    /// At most `size` schedules (1 to [`MAX_PAGE_SIZE`](crate::MAX_PAGE_SIZE)).
    #[must_use]
    pub fn size(mut self, size: u32) -> Self {
        self.size = size;
        self
    }

    /// The status filter.
    pub fn status_filter(&self) -> Option<ScheduleStatus> {
        self.status
    }

    /// The id the page starts after.
    pub fn after_id(&self) -> Option<ScheduleId> {
        self.after
    }

    /// The page size.
    pub fn page_size(&self) -> u32 {
        self.size
    }

    /// Checks the page size.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidQuery`] for a size of 0 or above [`MAX_PAGE_SIZE`](crate::MAX_PAGE_SIZE).
    pub fn validate(&self) -> Result<()> {
        check_page_size(self.size)
    }

    /// Whether `schedule` belongs on the page (tenant aside).
    pub(crate) fn matches(&self, schedule: &Schedule) -> bool {
        self.status.is_none_or(|s| schedule.status() == s)
            && self.after.is_none_or(|after| schedule.id() > after)
    }
}

/// A page of schedules; `next_cursor` is the last id when more may follow.
pub type SchedulePage = Page<Schedule>;

/// Recurring invoice schedules of every tenant.
///
/// A schedule's [`last_period`](Schedule::last_period) is the store's: `create` and
/// `update` ignore the value they are given and keep the recorded one, which only
/// [`generate`](Self::generate) moves. Stores also index active schedules by
/// [`Schedule::next_due_at`], so that [`due`](Self::due) reads only what is due.
#[async_trait]
pub trait ScheduleStore: Debug + Send + Sync + 'static {
    /// Stores a new schedule.
    ///
    /// # Errors
    ///
    /// [`Error::AlreadyExists`] for a known id; [`Error::Backend`] when the store fails.
    async fn create(&self, schedule: &Schedule) -> Result<()>;

    /// The tenant's schedule with this id, with its recorded last period.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when the tenant has none with this id.
    async fn get(&self, tenant: &TenantId, id: ScheduleId) -> Result<Schedule>;

    /// Writes `schedule` over the stored one if that is at `expected_version`.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`]; [`Error::Conflict`] when the stored version differs.
    async fn update(&self, schedule: &Schedule, expected_version: u64) -> Result<()>;

    /// A page of the tenant's schedules in id order.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidQuery`] for a bad page size.
    async fn list(&self, tenant: &TenantId, query: &ScheduleQuery) -> Result<SchedulePage>;

    /// Up to `limit` active schedules of any tenant whose next occurrence is due at
    /// `now`, the longest due first: what a generator works on.
    ///
    /// # Errors
    ///
    /// [`Error::Backend`] when the store fails.
    async fn due(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<Schedule>>;

    /// In one transaction: if the period `invoice` records
    /// ([`Invoice::schedule_origin`]) has not been generated, stores the invoice and its
    /// events and records the period (moving the schedule's last period and next due
    /// time); if it has, writes nothing and names the invoice made for it. Two
    /// generators racing on one period make one invoice.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidQuery`] for an invoice without a schedule origin or of another
    /// tenant; [`Error::NotFound`] for an unknown schedule; [`Error::NotAllowed`] when
    /// the schedule is no longer active (paused or cancelled since it was read);
    /// [`Error::AlreadyExists`] for a known invoice or event id.
    async fn generate(&self, invoice: &Invoice, events: &[EventEnvelope]) -> Result<Generated>;

    /// Pauses the schedule (at `expected_version`, when given) and returns it.
    ///
    /// # Errors
    ///
    /// As [`get`](Self::get) and [`update`](Self::update); [`Error::Domain`] when it is
    /// not active.
    async fn pause(
        &self,
        tenant: &TenantId,
        id: ScheduleId,
        expected_version: Option<u64>,
    ) -> Result<Schedule> {
        apply(self, tenant, id, expected_version, Command::Pause).await
    }

    /// Resumes the schedule from the day it is at `now` in the schedule's time zone (see
    /// [`Schedule::resume`]) and returns it.
    ///
    /// # Errors
    ///
    /// As [`pause`](Self::pause), when it is not paused.
    async fn resume(
        &self,
        tenant: &TenantId,
        id: ScheduleId,
        now: DateTime<Utc>,
        expected_version: Option<u64>,
    ) -> Result<Schedule> {
        apply(self, tenant, id, expected_version, Command::Resume(now)).await
    }

    /// Cancels the schedule for good and returns it.
    ///
    /// # Errors
    ///
    /// As [`pause`](Self::pause), when it is already cancelled.
    async fn cancel(
        &self,
        tenant: &TenantId,
        id: ScheduleId,
        expected_version: Option<u64>,
    ) -> Result<Schedule> {
        apply(self, tenant, id, expected_version, Command::Cancel).await
    }
}

/// A status change [`ScheduleStore`]'s provided methods apply.
enum Command {
    Pause,
    Resume(DateTime<Utc>),
    Cancel,
}

/// Reads the schedule, checks `expected_version`, applies `command` and writes it back
/// under optimistic concurrency.
async fn apply<S: ScheduleStore + ?Sized>(
    store: &S,
    tenant: &TenantId,
    id: ScheduleId,
    expected_version: Option<u64>,
    command: Command,
) -> Result<Schedule> {
    let mut schedule = store.get(tenant, id).await?;
    let version = schedule.version();
    if let Some(expected) = expected_version {
        if expected != version {
            return Err(Error::conflict("schedule", id, expected, version));
        }
    }
    match command {
        Command::Pause => schedule.pause(),
        Command::Resume(now) => {
            let today = schedule.rule().today(now);
            schedule.resume(today)
        }
        Command::Cancel => schedule.cancel(),
    }?;
    store.update(&schedule, version).await?;
    Ok(schedule)
}

/// The schedule and period `invoice` records, checked against the tenant.
pub(crate) fn origin_of(invoice: &Invoice) -> Result<invoice_core::schedule::ScheduleOrigin> {
    invoice
        .schedule_origin()
        .ok_or_else(|| Error::InvalidQuery {
            reason: format!("invoice {} records no schedule and period", invoice.id()),
        })
}

/// Whether `stored` (read inside the generating transaction) may generate `invoice`'s
/// period: same tenant, still active.
pub(crate) fn check_generation(stored: &Schedule, invoice: &Invoice) -> Result<()> {
    if stored.tenant() != invoice.tenant() {
        return Err(Error::not_found("schedule", stored.id()));
    }
    if stored.status() != ScheduleStatus::Active {
        return Err(Error::NotAllowed {
            what: "schedule",
            id: stored.id().to_string(),
            reason: "only an active schedule generates invoices",
        });
    }
    Ok(())
}

/// `stored` once `period` is recorded: its last period and its next due time.
pub(crate) fn after_generating(stored: Schedule, period: u32) -> (u32, Option<DateTime<Utc>>) {
    let last = stored.last_period().map_or(period, |last| last.max(period));
    let next = stored.with_last_period(Some(last)).next_due_at();
    (last, next)
}
