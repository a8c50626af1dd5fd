//! Reminders people schedule, and the leased claim that lets several schedulers share
//! the due ones without sending one twice.

use std::fmt::Debug;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use invoice_core::reminder::{Reminder, ReminderStatus};
use invoice_core::{ReminderId, TenantId};

use crate::error::{Error, Result};
use crate::invoice_store::{check_page_size, Page};

/// Which reminders a listing returns: a tenant's, optionally of one status and due in a
/// range, by due time then id, a page at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderQuery {
    status: Option<ReminderStatus>,
    due_from: Option<DateTime<Utc>>,
    due_to: Option<DateTime<Utc>>,
    after: Option<(DateTime<Utc>, ReminderId)>,
    size: u32,
}

impl Default for ReminderQuery {
    fn default() -> Self {
        Self {
            status: None,
            due_from: None,
            due_to: None,
            after: None,
            size: 50,
        }
    }
}

impl ReminderQuery {
    /// The first 50 reminders of any status.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only reminders in `status`.
    #[must_use]
    pub fn status(mut self, status: ReminderStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Only reminders due from `from` to `to` (either open).
    #[must_use]
    pub fn due_between(mut self, from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Self {
        self.due_from = from;
        self.due_to = to;
        self
    }

    /// The page after `cursor` (a page's `next_cursor`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidQuery`] for a cursor this listing did not give.
    pub fn after(mut self, cursor: &str) -> Result<Self> {
        let bad = || Error::InvalidQuery {
            reason: "the cursor is not a next_cursor of a reminder listing".to_owned(),
        };
        let (micros, id) = cursor.split_once('_').ok_or_else(bad)?;
        let at = micros
            .parse::<i64>()
            .ok()
            .and_then(DateTime::from_timestamp_micros)
            .ok_or_else(bad)?;
        let id = id.parse::<ReminderId>().map_err(|_| bad())?;
        self.after = Some((at, id));
        Ok(self)
    }

    /// At most `size` reminders (1 to [`MAX_PAGE_SIZE`](crate::MAX_PAGE_SIZE)).
    #[must_use]
    pub fn size(mut self, size: u32) -> Self {
        self.size = size;
        self
    }

    /// The status filter.
    pub fn status_filter(&self) -> Option<ReminderStatus> {
        self.status
    }

    /// The due range.
    pub fn due_range(&self) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        (self.due_from, self.due_to)
    }

    /// The (due time, id) the page starts after.
    pub fn after_key(&self) -> Option<(DateTime<Utc>, ReminderId)> {
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

    /// Whether `reminder` belongs on the page (tenant aside).
    pub(crate) fn matches(&self, reminder: &Reminder) -> bool {
        let at = reminder.due_at();
        self.status.is_none_or(|s| reminder.status() == s)
            && self.due_from.is_none_or(|from| at >= from)
            && self.due_to.is_none_or(|to| at <= to)
            && self.after.is_none_or(|after| (at, reminder.id()) > after)
    }
}

/// The `next_cursor` of a page that ends with `last`.
pub(crate) fn cursor_of(last: &Reminder) -> String {
    format!("{}_{}", last.due_at().timestamp_micros(), last.id())
}

/// A page of reminders.
pub type ReminderPage = Page<Reminder>;

/// Reminders of every tenant.
///
/// Every change (reschedule, redirect, cancel, sent, a failed attempt) is a command on
/// [`Reminder`] written back with [`update`](Self::update) under optimistic
/// concurrency; an update also ends any claim on the reminder, so a rescheduled one is
/// claimed again at its new time.
#[async_trait]
pub trait ReminderStore: Debug + Send + Sync + 'static {
    /// Stores a new reminder.
    ///
    /// # Errors
    ///
    /// [`Error::AlreadyExists`] for a known id.
    async fn create(&self, reminder: &Reminder) -> Result<()>;

    /// The tenant's reminder with this id.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when the tenant has none with this id.
    async fn get(&self, tenant: &TenantId, id: ReminderId) -> Result<Reminder>;

    /// Writes `reminder` over the stored one if that is at `expected_version`. Its claim
    /// ends, or lasts until the reminder's [`not_before`](Reminder::not_before) when it
    /// has one (an attempt in progress, a retry that waits).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`]; [`Error::Conflict`] when the stored version differs.
    async fn update(&self, reminder: &Reminder, expected_version: u64) -> Result<()>;

    /// A page of the tenant's reminders by due time, then id.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidQuery`] for a bad page size.
    async fn list(&self, tenant: &TenantId, query: &ReminderQuery) -> Result<ReminderPage>;

    /// Claims up to `limit` scheduled reminders of any tenant due at `now` that no one
    /// holds (whose claim and [`not_before`](Reminder::not_before) have passed), the longest due first, until `lease_until`. Two
    /// claimers never get the same reminder while its lease runs. Each comes at the
    /// version it was claimed at: a sender that finds another version later knows it was
    /// changed meanwhile.
    ///
    /// # Errors
    ///
    /// [`Error::Backend`] when the store fails.
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Reminder>>;
}
