//! Payment reminders: which are due ([`due_reminders`], a pure function of the open
//! invoices and `today`), the open invoices as learnt from the events and kept in the
//! store ([`OpenInvoices`]), and the periodic task that sends each reminder once
//! ([`Reminders`]).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Days, NaiveDate, Utc};
use invoice_core::{Decimal, EventEnvelope, EventId, InvoiceId, InvoiceSnapshot, TenantId};
use invoice_messaging::CancellationToken;
use invoice_storage::{
    Begin, IdempotencyKey, IdempotencyStore, InboxStore, InvoiceViewStore, StoredResponse,
};
use uuid::Uuid;

use crate::mail::Mailer;
use crate::message::reminder_mail;

/// Which reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReminderKind {
    /// The due date is near (within [`ReminderPolicy::days_before`] days, the due date
    /// itself included).
    DueSoon,
    /// The due date has passed and something is still owed.
    Overdue,
}

impl ReminderKind {
    /// The kind as a word, as in the reminder's inbox key.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::DueSoon => "due_soon",
            Self::Overdue => "overdue",
        }
    }
}

/// When reminders are due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderPolicy {
    days_before: u32,
}

impl ReminderPolicy {
    /// "Due soon" goes out `days_before` days before the due date (0: on the day).
    pub fn new(days_before: u32) -> Self {
        Self { days_before }
    }

    /// How many days before the due date "due soon" goes out.
    pub fn days_before(&self) -> u32 {
        self.days_before
    }
}

/// An issued invoice that is not paid, credited or deleted, as the last event about it
/// described it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenInvoice {
    /// Its tenant.
    pub tenant: TenantId,
    /// Its id.
    pub id: InvoiceId,
    /// Its snapshot from the latest event.
    pub summary: InvoiceSnapshot,
}

/// A reminder to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    /// The invoice it is about.
    pub invoice: OpenInvoice,
    /// Which reminder.
    pub kind: ReminderKind,
}

/// The reminders due on `today`, at most one per invoice: "overdue" once the due date has
/// passed, else "due soon" from `policy.days_before()` days before it. An invoice with no
/// due date, nothing left to pay, or a status that takes no payment gets none.
///
/// The function does not know what was sent already; [`Reminders`] sends each
/// (invoice, kind) once. An invoice first seen after its due date gets only "overdue":
/// "due soon" would be wrong by then.
pub fn due_reminders<'a>(
    invoices: impl IntoIterator<Item = &'a OpenInvoice>,
    today: NaiveDate,
    policy: &ReminderPolicy,
) -> Vec<Reminder> {
    invoices
        .into_iter()
        .filter_map(|invoice| {
            let summary = &invoice.summary;
            if !summary.status.accepts_payments() || summary.amount_due <= Decimal::ZERO {
                return None;
            }
            let due = summary.due_date?;
            let kind = if today > due {
                ReminderKind::Overdue
            } else if due
                .checked_sub_days(Days::new(u64::from(policy.days_before)))
                .is_none_or(|from| today >= from)
            {
                ReminderKind::DueSoon
            } else {
                return None;
            };
            Some(Reminder {
                invoice: invoice.clone(),
                kind,
            })
        })
        .collect()
}

/// The open invoices, learnt from the event stream and kept in an
/// [`InvoiceViewStore`] under the worker's consumer name: the worker needs no access to
/// the invoice store, no store offers a query across tenants, and a restarted worker
/// (or a second one on the same store) knows every invoice the events described before.
///
/// Events may arrive out of order (SQS standard queues, redeliveries): the store keeps
/// the newest version of each invoice, and between events of the same version
/// (`PaymentRecorded` and `Paid` share one) a closed invoice stays closed.
#[derive(Debug, Clone)]
pub struct OpenInvoices {
    views: Arc<dyn InvoiceViewStore>,
}

impl OpenInvoices {
    /// The view kept in `views` under [`VIEW_CONSUMER`].
    pub fn new(views: Arc<dyn InvoiceViewStore>) -> Self {
        Self { views }
    }

    /// Applies an event (ignoring events without an invoice summary).
    ///
    /// # Errors
    ///
    /// The store's error; applying again later is harmless.
    pub async fn apply(&self, envelope: &EventEnvelope) -> invoice_storage::Result<()> {
        let Some(summary) = envelope.event.summary() else {
            return Ok(());
        };
        let open = summary.status.accepts_payments().then_some(summary);
        self.views
            .apply(
                VIEW_CONSUMER,
                &envelope.tenant,
                envelope.invoice_id,
                envelope.invoice_version,
                open,
            )
            .await?;
        Ok(())
    }

    /// The open invoices due on or before `last_due`.
    ///
    /// # Errors
    ///
    /// The store's error.
    pub async fn due_by(&self, last_due: NaiveDate) -> invoice_storage::Result<Vec<OpenInvoice>> {
        Ok(self
            .views
            .open_due_by(VIEW_CONSUMER, last_due)
            .await?
            .into_iter()
            .map(|viewed| OpenInvoice {
                tenant: viewed.tenant,
                id: viewed.id,
                summary: viewed.snapshot,
            })
            .collect())
    }
}

/// The consumer name of the worker's view of open invoices.
pub const VIEW_CONSUMER: &str = "notification-worker.open-invoices";

/// The inbox consumer name under which sent reminders are recorded.
pub const REMINDER_CONSUMER: &str = "notification-worker.reminders";

/// The id under which a reminder is recorded in the inbox: a name-based UUID (v5) of
/// tenant, invoice and kind, so that every worker derives the same one.
pub fn reminder_key(tenant: &TenantId, invoice: InvoiceId, kind: ReminderKind) -> EventId {
    let name = format!("{tenant}/{invoice}/{}", kind.as_str());
    EventId::from_uuid(Uuid::new_v5(&Uuid::NAMESPACE_OID, name.as_bytes()))
}

/// What one pass of [`Reminders::send_due`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReminderPass {
    /// Reminders sent.
    pub sent: usize,
    /// Reminders skipped because they had been sent before.
    pub already_sent: usize,
    /// Reminders another pass (or worker) is sending right now.
    pub in_progress: usize,
    /// Reminders whose sending failed after the retries; the next pass tries again.
    pub failed: usize,
    /// Reminders the mail server refused for good (a bad address); not tried again.
    pub refused: usize,
}

/// How often a failed send is tried again within a pass, and how long to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendRetry {
    /// Attempts in all (at least 1).
    pub attempts: u32,
    /// The wait after the first failure; it doubles after each further one.
    pub first_backoff: Duration,
}

impl Default for SendRetry {
    /// 4 attempts, waiting 1, 2 and 4 s between them.
    fn default() -> Self {
        Self {
            attempts: 4,
            first_backoff: Duration::from_secs(1),
        }
    }
}

/// How long a pass holds a reminder it is sending: longer than its retries take.
pub const SEND_LEASE: Duration = Duration::from_secs(300);

/// Sends the due reminders, each (invoice, kind) exactly once when all goes well and at
/// least once when a worker dies mid-send.
///
/// A reminder is claimed in the [`IdempotencyStore`] (under the invoice's tenant) before
/// it is sent, so that two passes, or two workers sharing the store, never send it both;
/// it is recorded in the [`InboxStore`] once the server accepted it, which is what later
/// passes check. A send that fails is retried with exponential backoff ([`SendRetry`]);
/// when it still fails the claim is released and the next pass tries again. A worker
/// that dies between the server's acceptance and the record holds the claim until its
/// lease ends ([`SEND_LEASE`]); the reminder is then sent again (the only duplicate).
#[derive(Debug, Clone)]
pub struct Reminders {
    open: OpenInvoices,
    inbox: Arc<dyn InboxStore>,
    claims: Arc<dyn IdempotencyStore>,
    mailer: Arc<dyn Mailer>,
    policy: ReminderPolicy,
    retry: SendRetry,
}

impl Reminders {
    /// Reminders for the invoices in `open`, claimed in `claims`, recorded in `inbox`,
    /// sent through `mailer`.
    pub fn new(
        open: OpenInvoices,
        inbox: Arc<dyn InboxStore>,
        claims: Arc<dyn IdempotencyStore>,
        mailer: Arc<dyn Mailer>,
        policy: ReminderPolicy,
    ) -> Self {
        Self {
            open,
            inbox,
            claims,
            mailer,
            policy,
            retry: SendRetry::default(),
        }
    }

    /// Retries failed sends as `retry` says instead of the default.
    pub fn with_retry(mut self, retry: SendRetry) -> Self {
        self.retry = retry;
        self
    }

    /// Sends the reminders due on `today` that were not sent before.
    ///
    /// # Errors
    ///
    /// The store's error; reminders before it in this pass were handled.
    pub async fn send_due(
        &self,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> invoice_storage::Result<ReminderPass> {
        let mut pass = ReminderPass::default();
        let last_due = today
            .checked_add_days(Days::new(u64::from(self.policy.days_before)))
            .unwrap_or(NaiveDate::MAX);
        let open = self.open.due_by(last_due).await?;
        for reminder in due_reminders(&open, today, &self.policy) {
            let Some(mail) = reminder_mail(&reminder) else {
                continue;
            };
            let invoice = &reminder.invoice;
            let key = reminder_key(&invoice.tenant, invoice.id, reminder.kind);
            if self.inbox.contains(REMINDER_CONSUMER, key).await? {
                pass.already_sent += 1;
                continue;
            }
            let claim = IdempotencyKey::new(format!("reminder-{key}"))?;
            let lease_until = now + SEND_LEASE;
            match self
                .claims
                .begin(&invoice.tenant, &claim, "reminder", now, lease_until)
                .await?
            {
                Begin::Started => {}
                Begin::Completed(_) => {
                    pass.already_sent += 1;
                    continue;
                }
                Begin::InProgress | Begin::Mismatch => {
                    pass.in_progress += 1;
                    continue;
                }
            }
            let outcome = self.send_with_retry(&mail).await;
            let status = match &outcome {
                Ok(()) => 250,
                Err(e) if e.is_permanent() => 550,
                Err(e) => {
                    pass.failed += 1;
                    tracing::warn!(
                        tenant = %invoice.tenant, invoice = %invoice.id,
                        kind = reminder.kind.as_str(), error = %e,
                        "reminder not sent; the next pass tries again"
                    );
                    self.claims.release(&invoice.tenant, &claim).await?;
                    continue;
                }
            };
            self.inbox.record(REMINDER_CONSUMER, key, now).await?;
            let done = StoredResponse {
                status,
                headers: Vec::new(),
                body: Vec::new(),
            };
            self.claims.complete(&invoice.tenant, &claim, &done).await?;
            match outcome {
                Ok(()) => pass.sent += 1,
                Err(e) => {
                    pass.refused += 1;
                    tracing::error!(
                        tenant = %invoice.tenant, invoice = %invoice.id,
                        kind = reminder.kind.as_str(), error = %e,
                        "reminder refused by the mail server; not tried again"
                    );
                }
            }
        }
        Ok(pass)
    }

    /// Sends `mail`, retrying a failure the server may get over with exponential backoff.
    async fn send_with_retry(&self, mail: &crate::Mail) -> Result<(), crate::MailError> {
        let mut backoff = self.retry.first_backoff;
        let mut attempt = 1;
        loop {
            match self.mailer.send(mail).await {
                Err(e) if !e.is_permanent() && attempt < self.retry.attempts => {
                    tracing::debug!(attempt, error = %e, "reminder send failed; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = backoff.saturating_mul(2);
                    attempt += 1;
                }
                outcome => return outcome,
            }
        }
    }

    /// Runs [`send_due`](Self::send_due) now and then every `every`, with the clock's
    /// date, until `shutdown` is cancelled.
    pub async fn run(self, every: Duration, shutdown: CancellationToken) {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = ticks.tick() => {}
            }
            let now = Utc::now();
            match self.send_due(now.date_naive(), now).await {
                Ok(pass) if pass.sent + pass.failed + pass.refused > 0 => {
                    tracing::info!(
                        sent = pass.sent,
                        failed = pass.failed,
                        refused = pass.refused,
                        "reminders"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "reminder pass stopped; next one retries"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use invoice_core::{Invoice, InvoiceNumber, Payment, PaymentId};
    use invoice_storage::testing::{draft, fresh_tenant};

    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn envelope(invoice: &Invoice, event: invoice_core::InvoiceEvent) -> EventEnvelope {
        let at = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        EventEnvelope::new(EventId::from_uuid(Uuid::new_v4()), at, invoice, event)
    }

    /// An issued invoice due on `due`, with its `Issued` event.
    fn issued(due: NaiveDate) -> (Invoice, EventEnvelope) {
        let tenant = fresh_tenant();
        let (mut invoice, _) = Invoice::create(draft(&tenant, "Buyer").due_date(due)).unwrap();
        let event = invoice
            .issue(InvoiceNumber::new("INV-1").unwrap(), date(2026, 11, 1))
            .unwrap();
        let envelope = envelope(&invoice, event);
        (invoice, envelope)
    }

    fn open(due: NaiveDate) -> OpenInvoice {
        let (invoice, _) = issued(due);
        OpenInvoice {
            tenant: invoice.tenant().clone(),
            id: invoice.id(),
            summary: invoice.snapshot().unwrap(),
        }
    }

    fn kinds(invoices: &[OpenInvoice], today: NaiveDate, days_before: u32) -> Vec<ReminderKind> {
        due_reminders(invoices, today, &ReminderPolicy::new(days_before))
            .into_iter()
            .map(|r| r.kind)
            .collect()
    }

    #[test]
    fn due_soon_from_n_days_before_through_the_due_date_then_overdue() {
        let due = date(2026, 12, 10);
        let invoices = [open(due)];
        assert_eq!(kinds(&invoices, date(2026, 12, 6), 3), vec![]);
        assert_eq!(
            kinds(&invoices, date(2026, 12, 7), 3),
            vec![ReminderKind::DueSoon]
        );
        assert_eq!(kinds(&invoices, due, 3), vec![ReminderKind::DueSoon]);
        assert_eq!(
            kinds(&invoices, date(2026, 12, 11), 3),
            vec![ReminderKind::Overdue]
        );
        assert_eq!(
            kinds(&invoices, date(2027, 3, 1), 3),
            vec![ReminderKind::Overdue]
        );
        assert_eq!(kinds(&invoices, date(2026, 12, 9), 0), vec![]);
        assert_eq!(kinds(&invoices, due, 0), vec![ReminderKind::DueSoon]);
    }

    #[test]
    fn paid_or_undated_invoices_get_no_reminder() {
        let mut paid = open(date(2026, 12, 10));
        let (mut invoice, _) = issued(date(2026, 12, 10));
        let due = invoice.amount_due().unwrap();
        invoice
            .record_payment(
                Payment::new(PaymentId::from_uuid(Uuid::new_v4()), due, date(2026, 12, 1)).unwrap(),
            )
            .unwrap();
        paid.summary = invoice.snapshot().unwrap();

        let tenant = fresh_tenant();
        let builder = draft(&tenant, "Buyer");
        let (mut undated, _) = Invoice::create(builder).unwrap();
        // BR-CO-25: without a due date, payment terms are needed to issue.
        undated
            .update(
                invoice_core::InvoicePatch::new()
                    .due_date(None)
                    .payment_terms(Some("30 days net".to_owned())),
            )
            .unwrap();
        undated
            .issue(InvoiceNumber::new("INV-2").unwrap(), date(2026, 11, 1))
            .unwrap();
        let undated = OpenInvoice {
            tenant,
            id: undated.id(),
            summary: undated.snapshot().unwrap(),
        };
        assert_eq!(kinds(&[paid, undated], date(2027, 1, 1), 3), vec![]);
    }

    #[tokio::test]
    async fn the_view_keeps_the_newest_version_and_closed_wins_ties() {
        let (mut invoice, issued_event) = issued(date(2026, 12, 10));
        let view = OpenInvoices::new(Arc::new(invoice_storage::InMemoryStore::new()));
        let all = date(2027, 1, 1);
        view.apply(&issued_event).await.unwrap();
        assert_eq!(view.due_by(all).await.unwrap().len(), 1);

        let due = invoice.amount_due().unwrap();
        let events: Vec<_> = invoice
            .record_payment(
                Payment::new(PaymentId::from_uuid(Uuid::new_v4()), due, date(2026, 12, 1)).unwrap(),
            )
            .unwrap()
            .into_iter()
            .map(|e| envelope(&invoice, e))
            .collect();
        let (recorded, paid) = (&events[0], &events[1]);
        assert_eq!(paid.event.name(), "paid");
        view.apply(paid).await.unwrap();
        assert!(view.due_by(all).await.unwrap().is_empty());
        // Late copies: the payment of the same version, then the older Issued.
        view.apply(recorded).await.unwrap();
        view.apply(&issued_event).await.unwrap();
        assert!(
            view.due_by(all).await.unwrap().is_empty(),
            "a late event reopened a paid invoice"
        );
    }

    #[test]
    fn reminder_keys_differ_by_invoice_and_kind_and_are_stable() {
        let tenant = fresh_tenant();
        let a = InvoiceId::from_uuid(Uuid::new_v4());
        let b = InvoiceId::from_uuid(Uuid::new_v4());
        let key = reminder_key(&tenant, a, ReminderKind::DueSoon);
        assert_eq!(key, reminder_key(&tenant, a, ReminderKind::DueSoon));
        assert_ne!(key, reminder_key(&tenant, a, ReminderKind::Overdue));
        assert_ne!(key, reminder_key(&tenant, b, ReminderKind::DueSoon));
        assert_ne!(key, reminder_key(&fresh_tenant(), a, ReminderKind::DueSoon));
    }
}
