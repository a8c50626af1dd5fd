//! The automatic reminders of an issued invoice, as [`Reminder`]s people see and can
//! cancel: one some days before the due date, one the day after it.
//!
//! [`InvoiceReminders`] is a [`Handler`] of invoice events: when an invoice with a due
//! date, an amount due and a buyer's e-mail address is issued, it stores a "due soon"
//! reminder (unless its time has passed) and an "overdue" one (the next morning when the
//! invoice is issued overdue); when the
//! invoice is paid, credited or deleted, it cancels those not sent yet. Their ids are
//! derived from the invoice's, so a redelivered event creates or cancels nothing twice,
//! and a user who cancelled one is not overruled. They are sent like every other
//! reminder ([`reminders`](crate::reminders)).

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{Days, NaiveDate, NaiveTime};
use invoice_core::reminder::{Reminder, ReminderAbout, ReminderStatus};
use invoice_core::schedule::Tz;
use invoice_core::{EventEnvelope, InvoiceEvent, InvoiceId, InvoiceSnapshot, ReminderId};
use invoice_storage::{Error as StoreError, ReminderStore};
use uuid::Uuid;

use crate::handler::{Handler, HandlerError};

/// Which automatic reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvoiceReminderKind {
    /// Some days before the due date.
    DueSoon,
    /// The day after the due date.
    Overdue,
}

impl InvoiceReminderKind {
    /// Both kinds.
    pub const ALL: [Self; 2] = [Self::DueSoon, Self::Overdue];

    /// `due_soon` or `overdue`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::DueSoon => "due_soon",
            Self::Overdue => "overdue",
        }
    }
}

/// The id of the automatic reminder of `kind` about `invoice`: the same for every
/// delivery of the invoice's events.
pub fn invoice_reminder_id(invoice: InvoiceId, kind: InvoiceReminderKind) -> ReminderId {
    // A fixed namespace of this library's (a random v4 uuid, chosen once).
    const NAMESPACE: Uuid = Uuid::from_u128(0x6d1f_3c2a_8b7e_4f90_a1d2_5e6c_7b8a_9f01);
    let name = format!("invoice/{invoice}/{}", kind.as_str());
    ReminderId::from_uuid(Uuid::new_v5(&NAMESPACE, name.as_bytes()))
}

/// When the automatic reminders go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvoiceReminderPolicy {
    days_before: u32,
    at: NaiveTime,
    time_zone: Tz,
}

impl Default for InvoiceReminderPolicy {
    /// Three days before the due date and the day after it, at 09:00 UTC.
    fn default() -> Self {
        Self {
            days_before: 3,
            at: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN),
            time_zone: Tz::UTC,
        }
    }
}

impl InvoiceReminderPolicy {
    /// "Due soon" `days_before` days before the due date (0: on the day), both at `at`
    /// local time in `time_zone`.
    pub fn new(days_before: u32, at: NaiveTime, time_zone: Tz) -> Self {
        Self {
            days_before,
            at,
            time_zone,
        }
    }

    /// The local day a reminder of `kind` goes out for an invoice due on `due`.
    pub fn day(&self, kind: InvoiceReminderKind, due: NaiveDate) -> Option<NaiveDate> {
        match kind {
            InvoiceReminderKind::DueSoon => {
                due.checked_sub_days(Days::new(self.days_before.into()))
            }
            InvoiceReminderKind::Overdue => due.checked_add_days(Days::new(1)),
        }
    }
}

/// Stores and cancels the automatic reminders of invoices as their events arrive.
#[derive(Debug, Clone)]
pub struct InvoiceReminders {
    store: Arc<dyn ReminderStore>,
    policy: InvoiceReminderPolicy,
}

impl InvoiceReminders {
    /// Reminders in `store`, at the times of `policy`.
    pub fn new(store: Arc<dyn ReminderStore>, policy: InvoiceReminderPolicy) -> Self {
        Self { store, policy }
    }

    /// The reminders an issued invoice gets when `envelope` is its `Issued` event: "due
    /// soon" if its time is after the event, "overdue" at its time or, for an invoice
    /// issued when already overdue, the next morning. None for a credit note, an
    /// invoice without a due date, an amount due or a buyer's e-mail address.
    pub fn planned(&self, envelope: &EventEnvelope) -> Vec<Reminder> {
        let InvoiceEvent::Issued { summary } = &envelope.event else {
            return Vec::new();
        };
        let (Some(due), Some(email)) = (summary.due_date, summary.buyer_email.as_deref()) else {
            return Vec::new();
        };
        if summary.type_code != 380 || summary.amount_due <= invoice_core::Decimal::ZERO {
            return Vec::new();
        }
        let issued_on = envelope
            .occurred_at
            .with_timezone(&self.policy.time_zone)
            .date_naive();
        InvoiceReminderKind::ALL
            .into_iter()
            .filter_map(|kind| {
                let mut day = self.policy.day(kind, due)?;
                if kind == InvoiceReminderKind::Overdue && day <= issued_on {
                    // Issued when already overdue: say so the next morning.
                    day = issued_on.checked_add_days(Days::new(1))?;
                }
                let (subject, body) = text(kind, summary, envelope.invoice_id, due);
                // "Due soon" already past, or malformed: no reminder.
                Reminder::new(
                    invoice_reminder_id(envelope.invoice_id, kind),
                    envelope.tenant.clone(),
                    ReminderAbout::Invoice(envelope.invoice_id),
                    email,
                    subject,
                    body,
                    day.and_time(self.policy.at),
                    self.policy.time_zone,
                    envelope.occurred_at,
                )
                .ok()
            })
            .collect()
    }

    async fn cancel(&self, envelope: &EventEnvelope) -> Result<(), HandlerError> {
        for kind in InvoiceReminderKind::ALL {
            let id = invoice_reminder_id(envelope.invoice_id, kind);
            let mut reminder = match self.store.get(&envelope.tenant, id).await {
                Ok(reminder) => reminder,
                Err(StoreError::NotFound { .. }) => continue,
                Err(e) => return Err(HandlerError::retryable(e)),
            };
            if reminder.status() != ReminderStatus::Scheduled {
                continue;
            }
            let version = reminder.version();
            reminder.cancel().map_err(HandlerError::permanent)?;
            // A conflict (a send began meanwhile): retried, and then seen as it is.
            self.store
                .update(&reminder, version)
                .await
                .map_err(HandlerError::retryable)?;
        }
        Ok(())
    }
}

fn text(
    kind: InvoiceReminderKind,
    summary: &InvoiceSnapshot,
    id: InvoiceId,
    due: NaiveDate,
) -> (String, String) {
    let reference = summary
        .number
        .as_ref()
        .map_or_else(|| id.to_string(), ToString::to_string);
    let amount = format!("{} {}", summary.payable_amount, summary.currency);
    let (subject, text) = match kind {
        InvoiceReminderKind::DueSoon => (
            format!("Reminder: invoice {reference} is due on {due}"),
            format!("invoice {reference} of {amount} is due on {due}."),
        ),
        InvoiceReminderKind::Overdue => (
            format!("Overdue: invoice {reference} was due on {due}"),
            format!(
                "invoice {reference} of {amount} was due on {due} and is not paid in full. \
                 Please pay it at your earliest convenience."
            ),
        ),
    };
    (subject, format!("Dear {},\n\n{text}\n", summary.buyer_name))
}

#[async_trait]
impl Handler for InvoiceReminders {
    async fn handle(&self, envelope: &EventEnvelope) -> Result<(), HandlerError> {
        match &envelope.event {
            InvoiceEvent::Issued { .. } => {
                for reminder in self.planned(envelope) {
                    match self.store.create(&reminder).await {
                        Ok(()) | Err(StoreError::AlreadyExists { .. }) => {}
                        Err(e) => return Err(HandlerError::retryable(e)),
                    }
                }
                Ok(())
            }
            InvoiceEvent::Paid { .. }
            | InvoiceEvent::Credited { .. }
            | InvoiceEvent::Deleted { .. } => self.cancel(envelope).await,
            _ => Ok(()),
        }
    }
}
