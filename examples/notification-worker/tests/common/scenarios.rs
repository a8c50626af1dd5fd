//! The worker's behaviours, each run with any mailer and checked on what it sent.

use std::sync::Arc;

use chrono::{Days, NaiveDate, Utc};
use invoice_core::{EventEnvelope, Invoice, InvoicePatch, Payment, PaymentId};
use invoice_messaging::Publisher;
use invoice_storage::{InvoiceStore, IssueRequest};
use notification_worker::Mailer;
use uuid::Uuid;

use super::{draft, event_id, eventually, fresh_address, now, Pipeline, Sent};

fn pay_in_full(invoice: &mut Invoice, on: NaiveDate) -> Vec<invoice_core::InvoiceEvent> {
    let due = invoice.amount_due().unwrap();
    let payment = Payment::new(PaymentId::from_uuid(Uuid::new_v4()), due, on).unwrap();
    invoice.record_payment(payment).unwrap()
}

/// Created, updated, issued, deleted and paid each send one mail to the buyer, with the
/// invoice's reference in the subject; a recorded payment alone sends none.
pub async fn each_event_sends_one_mail_to_the_buyer(mailer: Arc<dyn Mailer>, sent: &dyn Sent) {
    let p = Pipeline::start(mailer);
    let email = fresh_address();
    let today = Utc::now().date_naive();

    let a = p
        .create(draft(&p.tenant, &email, today + Days::new(30)))
        .await;
    let mut changed = a.clone();
    let events = changed
        .update(InvoicePatch::new().due_date(Some(today + Days::new(40))))
        .unwrap()
        .into_iter()
        .collect();
    p.save(&changed, a.version(), events).await;
    let request = IssueRequest::new(today, event_id(), now());
    let (mut issued, _) = p.store.issue(&p.tenant, a.id(), &request).await.unwrap();
    let version = issued.version();
    let events = pay_in_full(&mut issued, today);
    p.save(&issued, version, events).await;

    let mut b = p
        .create(draft(&p.tenant, &email, today + Days::new(30)))
        .await;
    let version = b.version();
    let deleted = b.delete().unwrap();
    let envelope = EventEnvelope::new(event_id(), now(), &b, deleted);
    p.store
        .delete(&p.tenant, b.id(), version, &[envelope])
        .await
        .unwrap();

    // a: created, updated, issued, payment_recorded, paid; b: created, deleted.
    assert_eq!(p.publish().await, 7);
    p.handled(7).await;
    let number = issued.number().unwrap();
    let mut expected = vec![
        format!("Invoice draft {} prepared", a.id()),
        format!("Invoice draft {} changed", a.id()),
        format!("Invoice {number} issued"),
        format!("Invoice {number} paid"),
        format!("Invoice draft {} prepared", b.id()),
        format!("Invoice draft {} withdrawn", b.id()),
    ];
    expected.sort();
    eventually("six mails", || sent.subjects_to(&email).len() >= 6).await;
    assert_eq!(sent.subjects_to(&email), expected);
    p.stop().await;
}

/// An event delivered twice (as after a lost acknowledgement) sends one mail.
pub async fn a_redelivered_event_sends_no_second_mail(mailer: Arc<dyn Mailer>, sent: &dyn Sent) {
    let p = Pipeline::start(mailer);
    let email = fresh_address();
    let today = Utc::now().date_naive();
    let draft = p
        .create(draft(&p.tenant, &email, today + Days::new(30)))
        .await;
    let request = IssueRequest::new(today, event_id(), now());
    let (issued, issued_event) = p
        .store
        .issue(&p.tenant, draft.id(), &request)
        .await
        .unwrap();
    assert_eq!(p.publish().await, 2);
    p.broker.publisher().publish(&issued_event).await.unwrap();
    p.handled(3).await;

    let number = issued.number().unwrap();
    let mut expected = vec![
        format!("Invoice draft {} prepared", draft.id()),
        format!("Invoice {number} issued"),
    ];
    expected.sort();
    eventually("two mails", || sent.subjects_to(&email).len() >= 2).await;
    assert_eq!(sent.subjects_to(&email), expected);
    p.stop().await;
}

/// Each issued invoice's "due soon" and "overdue" reminders are stored by the maker and
/// mailed once each when a scheduler round reaches their time, however often rounds run;
/// a paid invoice's are cancelled; one issued overdue is reminded the next morning; one
/// due later is not reminded yet.
pub async fn reminders_are_sent_once_per_invoice_and_kind(
    mailer: Arc<dyn Mailer>,
    sent: &dyn Sent,
) {
    let p = Pipeline::start(mailer);
    let email = fresh_address();
    let today = Utc::now().date_naive();
    let issue = async |due: NaiveDate| {
        let draft = p.create(draft(&p.tenant, &email, due)).await;
        let request = IssueRequest::new(today, event_id(), now());
        p.store
            .issue(&p.tenant, draft.id(), &request)
            .await
            .unwrap()
            .0
    };
    let soon = issue(today + Days::new(5)).await;
    let later = issue(today + Days::new(40)).await;
    let late = issue(today - Days::new(5)).await;
    let mut paid = issue(today + Days::new(5)).await;
    let version = paid.version();
    let events = pay_in_full(&mut paid, today);
    p.save(&paid, version, events).await;
    // 4 × (created, issued) + payment_recorded, paid
    assert_eq!(p.publish().await, 10);
    p.handled(10).await;
    p.reminders_made(10).await;

    let noon = |days: u64| {
        (today + Days::new(days))
            .and_hms_opt(12, 0, 0)
            .unwrap()
            .and_utc()
    };
    // Three days on: `soon`'s "due soon" (09:00, three days before its due date) and
    // `late`'s "overdue" (the morning after its issue).
    assert_eq!(p.remind_as_of(noon(3)).await, 2);
    assert_eq!(p.remind_as_of(noon(3)).await, 0, "claimed once");
    p.reminders_sent(2).await;
    // Ten days on: "overdue" of `soon`; `later`'s are weeks away, `paid`'s cancelled.
    assert_eq!(p.remind_as_of(noon(10)).await, 1);
    p.reminders_sent(3).await;
    assert_eq!(p.remind_as_of(noon(10)).await, 0, "sent ones are done");

    let number = |i: &Invoice| i.number().unwrap().to_string();
    let mut expected = vec![
        format!(
            "Reminder: invoice {} is due on {}",
            number(&soon),
            today + Days::new(5)
        ),
        format!(
            "Overdue: invoice {} was due on {}",
            number(&soon),
            today + Days::new(5)
        ),
        format!(
            "Overdue: invoice {} was due on {}",
            number(&late),
            today - Days::new(5)
        ),
    ];
    expected.sort();
    let reminders = || {
        sent.subjects_to(&email)
            .into_iter()
            .filter(|s| s.starts_with("Reminder:") || s.starts_with("Overdue:"))
            .collect::<Vec<_>>()
    };
    eventually("three reminders", || reminders().len() >= 3).await;
    assert_eq!(reminders(), expected);
    assert!(!reminders()
        .iter()
        .any(|s| s.contains(&number(&later)) || s.contains(&number(&paid))));
    p.stop().await;
}

/// A mailer that takes `delay` per mail, so that a restart lands mid-stream.
#[derive(Debug)]
pub struct SlowMailer {
    pub inner: Arc<dyn Mailer>,
    pub delay: std::time::Duration,
}

#[async_trait::async_trait]
impl Mailer for SlowMailer {
    async fn send(
        &self,
        mail: &notification_worker::Mail,
    ) -> Result<(), notification_worker::MailError> {
        tokio::time::sleep(self.delay).await;
        self.inner.send(mail).await
    }
}

/// 30 invoices created and issued (60 events, 60 mails); the worker is restarted after
/// some 20 of them, its memory opened anew by `open`. Each mail arrives exactly once, and
/// each invoice's "overdue" reminder goes out once from the restarted worker, those made
/// while the first one ran included (the reminders are in the store).
pub async fn a_restarted_worker_mails_each_event_once_and_still_reminds(
    mailer: Arc<dyn Mailer>,
    sent: &dyn Sent,
    open: impl AsyncFn() -> invoice_storage::Stores,
) {
    let slow: Arc<dyn Mailer> = Arc::new(SlowMailer {
        inner: mailer,
        delay: std::time::Duration::from_millis(10),
    });
    let mut p = Pipeline::start_with(Arc::clone(&slow), &open().await);
    let today = Utc::now().date_naive();
    let due = today + Days::new(2);
    let mut addresses = Vec::new();
    for _ in 0..30 {
        let email = fresh_address();
        let draft = p.create(draft(&p.tenant, &email, due)).await;
        let request = IssueRequest::new(today, event_id(), now());
        p.store
            .issue(&p.tenant, draft.id(), &request)
            .await
            .unwrap();
        addresses.push(email);
    }
    assert_eq!(p.publish().await, 60);
    let stats = Arc::clone(&p.stats);
    eventually("20 handled deliveries", || stats.handled() >= 20).await;
    let handled_before = p.restart(Arc::clone(&slow), &open().await).await;
    assert!(
        (20..60).contains(&handled_before),
        "the restart came mid-stream: {handled_before} of 60 handled before it"
    );
    let total = || {
        addresses
            .iter()
            .map(|a| sent.subjects_to(a).len())
            .sum::<usize>()
    };
    eventually("60 mails", || total() >= 60).await;
    let stats = Arc::clone(&p.stats);
    eventually("every delivery handled", || {
        handled_before + stats.handled() >= 60
    })
    .await;
    // Due in two days: too late for "due soon"; "overdue" the day after the due date.
    p.reminders_made(60).await;
    let after_due = (due + Days::new(2)).and_hms_opt(0, 0, 0).unwrap().and_utc();
    assert_eq!(p.remind_as_of(after_due).await, 30);
    assert_eq!(p.remind_as_of(after_due).await, 0, "claimed once");
    p.reminders_sent(30).await;
    eventually("60 mails and 30 reminders", || total() >= 90).await;
    for address in &addresses {
        let subjects = sent.subjects_to(address);
        let reminders = subjects
            .iter()
            .filter(|s| s.starts_with("Overdue:"))
            .count();
        let mut distinct = subjects.clone();
        distinct.dedup();
        assert_eq!(
            (subjects.len(), distinct.len(), reminders),
            (3, 3, 1),
            "{address}: created, issued and one reminder, each once: {subjects:?}"
        );
    }
    p.stop().await;
}
