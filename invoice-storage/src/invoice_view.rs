//! A consumer's view of invoices, as it learns them from events: the latest snapshot of
//! each invoice it heard about, kept in the store so that a restarted consumer (or
//! another instance of it) knows what the events it consumed before said.
//!
//! Events may arrive out of order (SQS standard queues, redeliveries), so the store keeps
//! the newest version of each invoice: an older event changes nothing, and between two
//! events of one version (`PaymentRecorded` and `Paid` share one) a closed invoice stays
//! closed. The notification worker keeps its open invoices, for payment reminders, here.

use std::fmt::Debug;

use async_trait::async_trait;
use chrono::NaiveDate;
use invoice_core::{InvoiceId, InvoiceSnapshot, TenantId};

use crate::error::Result;

/// An open invoice of a view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewedInvoice {
    /// Its tenant.
    pub tenant: TenantId,
    /// Its id.
    pub id: InvoiceId,
    /// The version of the event that described it last.
    pub version: u64,
    /// What that event said.
    pub snapshot: InvoiceSnapshot,
}

/// Views of invoices, one per consumer name, across tenants.
#[async_trait]
pub trait InvoiceViewStore: Debug + Send + Sync + 'static {
    /// Records what an event of `version` said about invoice `id`: `Some` while the
    /// invoice is open, `None` once it is closed (paid, credited, deleted) or not yet
    /// issued. Ignored, returning `false`, when the view holds a newer version, or the
    /// same version closed and this one is open.
    ///
    /// # Errors
    ///
    /// [`Error::Backend`](crate::Error::Backend) when the store fails.
    async fn apply(
        &self,
        consumer: &str,
        tenant: &TenantId,
        id: InvoiceId,
        version: u64,
        open: Option<&InvoiceSnapshot>,
    ) -> Result<bool>;

    /// The open invoices of `consumer`'s view, of every tenant, whose due date is on or
    /// before `due_by` (invoices without a due date are left out).
    ///
    /// # Errors
    ///
    /// [`Error::Backend`](crate::Error::Backend) when the store fails;
    /// [`Error::Corrupt`](crate::Error::Corrupt) for a snapshot that cannot be read.
    async fn open_due_by(&self, consumer: &str, due_by: NaiveDate) -> Result<Vec<ViewedInvoice>>;
}

/// The condition under which a new event replaces the stored one, in SQL: newer, or as
/// new and not reopening a closed invoice. `excluded` is the new row, `invoice_views`
/// the stored one (PostgreSQL and SQLite upserts alike). A macro, so that the statements
/// stay literals (`concat!`).
#[allow(unused_macros)] // used by the SQL adapters, behind their features
macro_rules! view_replaces {
    () => {
        "excluded.version > invoice_views.version \
         OR (excluded.version = invoice_views.version \
             AND (invoice_views.snapshot IS NOT NULL OR excluded.snapshot IS NULL))"
    };
}

/// The same rule for the memory store.
pub(crate) fn replaces(stored: (u64, bool), new: (u64, bool)) -> bool {
    let ((stored_version, stored_open), (version, open)) = (stored, new);
    version > stored_version || (version == stored_version && (stored_open || !open))
}
