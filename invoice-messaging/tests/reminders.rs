//! Reminder sending through the in-process broker and the memory store: the scheduler
//! publishes what is due, the handler sends each reminder once, skips what changed, and
//! retries failures with backoff until the reminder fails.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use invoice_core::reminder::{Reminder, ReminderAbout, ReminderStatus, SendReminder};
use invoice_core::schedule::Tz;
use invoice_core::{ReminderId, TenantId};
use invoice_messaging::{
    CancellationToken, ConsumerRunner, Handler, InProcessBroker, Publisher, ReminderScheduler,
    ReminderSendError, ReminderSender, RetryPolicy, SendReminderHandler,
};
use invoice_storage::{InMemoryStore, ReminderStore};
use uuid::Uuid;

/// Records what it sends; fails the first `fail_first` attempts of every reminder.
#[derive(Clone, Default)]
struct Outbox {
    sent: Arc<Mutex<Vec<(ReminderId, u64, String)>>>,
    tries: Arc<Mutex<Vec<ReminderId>>>,
    fail_first: usize,
    permanent: bool,
}

#[async_trait]
impl ReminderSender for Outbox {
    async fn send(&self, reminder: &Reminder) -> Result<(), ReminderSendError> {
        let tries = {
            let mut tries = self.tries.lock().unwrap();
            tries.push(reminder.id());
            tries.iter().filter(|id| **id == reminder.id()).count()
        };
        if tries <= self.fail_first {
            return Err(if self.permanent {
                ReminderSendError::Permanent("550 no such mailbox".to_owned())
            } else {
                ReminderSendError::Transient("421 try again later".to_owned())
            });
        }
        self.sent.lock().unwrap().push((
            reminder.id(),
            reminder.version(),
            reminder.recipient().to_owned(),
        ));
        Ok(())
    }
}

fn in_seconds(now: DateTime<Utc>, s: i64) -> NaiveDateTime {
    (now + chrono::Duration::seconds(s)).naive_utc()
}

fn reminder(tenant: &TenantId, due: NaiveDateTime, now: DateTime<Utc>) -> Reminder {
    Reminder::new(
        ReminderId::from_uuid(Uuid::new_v4()),
        tenant.clone(),
        ReminderAbout::Topic("standup".to_owned()),
        "team@example.com",
        "Standup",
        "In five minutes.",
        due,
        Tz::UTC,
        now,
    )
    .unwrap()
}

struct Setup {
    store: Arc<InMemoryStore>,
    scheduler: ReminderScheduler,
    broker: InProcessBroker,
    tenant: TenantId,
}

fn setup() -> Setup {
    let store = Arc::new(InMemoryStore::new());
    let broker = InProcessBroker::new();
    broker
        .subscribe_as::<SendReminder>("mailer", &["reminder.send"])
        .unwrap();
    let scheduler = ReminderScheduler::new(store.clone(), Arc::new(broker.publisher()));
    Setup {
        store,
        scheduler,
        broker,
        tenant: TenantId::new("acme").unwrap(),
    }
}

/// Handles every command waiting in the queue once, in order.
async fn drain(s: &Setup, handler: &dyn Handler<SendReminder>) -> usize {
    let subscriber = s
        .broker
        .subscribe_as::<SendReminder>("mailer", &["reminder.send"])
        .unwrap();
    let mut n = 0;
    while s.broker.depth("mailer").0 > 0 {
        let delivery =
            invoice_messaging::testing::receive(&subscriber, Duration::from_secs(1)).await;
        handler.handle(delivery.envelope()).await.unwrap();
        delivery.ack().await.unwrap();
        n += 1;
    }
    n
}

#[tokio::test]
async fn due_reminders_are_published_once_and_sent_once() {
    let s = setup();
    let now = Utc::now();
    let mut due = Vec::new();
    for i in 0..5 {
        let r = reminder(&s.tenant, in_seconds(now, 10 + i), now);
        s.store.create(&r).await.unwrap();
        due.push(r.id());
    }
    let not_yet = reminder(&s.tenant, in_seconds(now, 3600), now);
    s.store.create(&not_yet).await.unwrap();

    let at = now + chrono::Duration::seconds(20);
    assert_eq!(s.scheduler.run_once(at).await.unwrap(), 5);
    assert_eq!(s.scheduler.run_once(at).await.unwrap(), 0, "leased");
    let outbox = Outbox::default();
    let handler = SendReminderHandler::new(s.store.clone(), outbox.clone());
    let stats = handler.stats();
    assert_eq!(drain(&s, &handler).await, 5);
    let mut sent: Vec<ReminderId> = outbox.sent.lock().unwrap().iter().map(|s| s.0).collect();
    sent.sort();
    due.sort();
    assert_eq!(sent, due);
    assert_eq!(stats.sent(), 5);
    for id in &due {
        let r = s.store.get(&s.tenant, *id).await.unwrap();
        assert_eq!(r.status(), ReminderStatus::Sent);
        assert_eq!(r.version(), 3, "claimed at 1, attempt 2, sent 3");
    }
    // After the lease, nothing sent comes back.
    let after = at + chrono::Duration::minutes(5);
    assert_eq!(s.scheduler.run_once(after).await.unwrap(), 0);
}

#[tokio::test]
async fn a_command_published_twice_sends_once_and_a_changed_reminder_not_at_all() {
    let s = setup();
    let now = Utc::now();
    let twice = reminder(&s.tenant, in_seconds(now, 5), now);
    let moved = reminder(&s.tenant, in_seconds(now, 5), now);
    let cancelled = reminder(&s.tenant, in_seconds(now, 5), now);
    let redirected = reminder(&s.tenant, in_seconds(now, 5), now);
    for r in [&twice, &moved, &cancelled, &redirected] {
        s.store.create(r).await.unwrap();
    }
    let at = now + chrono::Duration::seconds(10);
    assert_eq!(s.scheduler.run_once(at).await.unwrap(), 4);
    // The same command again, as after a redelivery or a second scheduler.
    let publisher: Arc<dyn Publisher<SendReminder>> = Arc::new(s.broker.publisher());
    publisher
        .publish(&SendReminder::new(Uuid::new_v4(), &twice, at))
        .await
        .unwrap();
    // Changed after the claim, before the send.
    let mut m = s.store.get(&s.tenant, moved.id()).await.unwrap();
    m.reschedule(in_seconds(now, 3600), Tz::UTC, at).unwrap();
    s.store.update(&m, 1).await.unwrap();
    let mut c = s.store.get(&s.tenant, cancelled.id()).await.unwrap();
    c.cancel().unwrap();
    s.store.update(&c, 1).await.unwrap();
    let mut r = s.store.get(&s.tenant, redirected.id()).await.unwrap();
    r.redirect("boss@example.com", None).unwrap();
    s.store.update(&r, 1).await.unwrap();

    let outbox = Outbox::default();
    let handler = SendReminderHandler::new(s.store.clone(), outbox.clone());
    let stats = handler.stats();
    assert_eq!(drain(&s, &handler).await, 5);
    let sent = outbox.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].0, twice.id());
    assert_eq!(stats.stale(), 4);

    // The redirected one is claimed again at once, at its new version, to its new address.
    let later = at + chrono::Duration::seconds(1);
    assert_eq!(s.scheduler.run_once(later).await.unwrap(), 1);
    drain(&s, &handler).await;
    let sent = outbox.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 2);
    assert_eq!(
        (sent[1].0, sent[1].2.as_str()),
        (redirected.id(), "boss@example.com")
    );
    // The rescheduled one waits for its new time, then goes; the cancelled one never.
    let before = now + chrono::Duration::seconds(3599);
    assert_eq!(s.scheduler.run_once(before).await.unwrap(), 0);
    let new_time = now + chrono::Duration::seconds(3601);
    assert_eq!(s.scheduler.run_once(new_time).await.unwrap(), 1);
    drain(&s, &handler).await;
    let sent = outbox.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[2].0, moved.id());
    let c = s.store.get(&s.tenant, cancelled.id()).await.unwrap();
    assert_eq!(c.status(), ReminderStatus::Cancelled);
}

#[tokio::test]
async fn failures_wait_for_their_backoff_and_end_failed_with_the_reason() {
    let s = setup();
    let now = Utc::now();
    let flaky = reminder(&s.tenant, in_seconds(now, 1), now);
    s.store.create(&flaky).await.unwrap();
    let outbox = Outbox {
        fail_first: 10,
        ..Outbox::default()
    };
    let policy = RetryPolicy::new(3, Duration::from_secs(60), Duration::from_secs(600));
    let handler = SendReminderHandler::new(s.store.clone(), outbox.clone()).with_retry(policy);
    let stats = handler.stats();

    let mut at = now + chrono::Duration::seconds(2);
    for attempt in 1..=3u32 {
        assert_eq!(
            s.scheduler.run_once(at).await.unwrap(),
            1,
            "attempt {attempt}"
        );
        drain(&s, &handler).await;
        let r = s.store.get(&s.tenant, flaky.id()).await.unwrap();
        assert_eq!(r.attempts(), attempt);
        assert_eq!(r.last_error(), Some("421 try again later"));
        if attempt < 3 {
            assert_eq!(r.status(), ReminderStatus::Scheduled);
            let retry_at = r.not_before().unwrap();
            let wait = retry_at - Utc::now();
            let ceiling = policy.backoff_ceiling(attempt);
            assert!(
                wait <= chrono::Duration::from_std(ceiling).unwrap()
                    && wait
                        >= chrono::Duration::from_std(ceiling / 2).unwrap()
                            - chrono::Duration::seconds(1),
                "attempt {attempt}: waits {wait}"
            );
            // Not before its retry time.
            assert_eq!(
                s.scheduler
                    .run_once(retry_at - chrono::Duration::seconds(1))
                    .await
                    .unwrap(),
                0
            );
            at = retry_at;
        } else {
            assert_eq!(r.status(), ReminderStatus::Failed);
        }
    }
    assert_eq!(
        (stats.failed_attempts(), stats.given_up(), stats.sent()),
        (3, 1, 0)
    );
    assert_eq!(
        s.scheduler
            .run_once(at + chrono::Duration::days(1))
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn a_permanent_failure_fails_the_reminder_at_once() {
    let s = setup();
    let now = Utc::now();
    let bad = reminder(&s.tenant, in_seconds(now, 1), now);
    s.store.create(&bad).await.unwrap();
    let outbox = Outbox {
        fail_first: 1,
        permanent: true,
        ..Outbox::default()
    };
    let handler = SendReminderHandler::new(s.store.clone(), outbox);
    s.scheduler
        .run_once(now + chrono::Duration::seconds(2))
        .await
        .unwrap();
    drain(&s, &handler).await;
    let r = s.store.get(&s.tenant, bad.id()).await.unwrap();
    assert_eq!(r.status(), ReminderStatus::Failed);
    assert_eq!(r.last_error(), Some("550 no such mailbox"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduler_and_runner_send_on_time_in_the_background() {
    let s = setup();
    let now = Utc::now();
    let r = reminder(&s.tenant, in_seconds(now, 1), now);
    s.store.create(&r).await.unwrap();
    let outbox = Outbox::default();
    let handler = SendReminderHandler::new(s.store.clone(), outbox.clone());
    let subscriber = s
        .broker
        .subscribe_as::<SendReminder>("mailer", &["reminder.send"])
        .unwrap();
    let shutdown = CancellationToken::new();
    let runner = ConsumerRunner::new(Arc::new(subscriber), Arc::new(handler));
    let scheduler = s.scheduler.clone().with_period(Duration::from_millis(100));
    let (a, b) = (shutdown.clone(), shutdown.clone());
    let running = tokio::spawn(async move { runner.run(a).await });
    let scheduling = tokio::spawn(async move { scheduler.run(b).await });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while outbox.sent.lock().unwrap().is_empty() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let sent_at = Utc::now();
    shutdown.cancel();
    running.await.unwrap().unwrap();
    scheduling.await.unwrap();
    assert_eq!(outbox.sent.lock().unwrap().len(), 1);
    let late = sent_at - r.due_at();
    assert!(late < chrono::Duration::seconds(2), "sent {late} after due");
}

mod invoice_reminders {
    use super::*;
    use chrono::{NaiveDate, NaiveTime, TimeZone};
    use invoice_core::reminder::ReminderAbout;
    use invoice_core::{
        Address, CountryCode, Currency, Decimal, EventEnvelope, EventId, Invoice, InvoiceBuilder,
        InvoiceId, InvoiceNumber, LineItem, Party, Payment, PaymentId, UnitCode, Vat,
    };
    use invoice_messaging::invoice_reminders::{invoice_reminder_id, InvoiceReminderKind};
    use invoice_messaging::{InvoiceReminderPolicy, InvoiceReminders};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn envelope(
        invoice: &Invoice,
        event: invoice_core::InvoiceEvent,
        at: DateTime<Utc>,
    ) -> EventEnvelope {
        EventEnvelope::new(EventId::from_uuid(Uuid::new_v4()), at, invoice, event)
    }

    /// An invoice of 119.00 EUR due on 20 March 2027 to a buyer at `email`, issued at
    /// `issued_at`, with its `Issued` event.
    fn issued(
        tenant: &TenantId,
        email: Option<&str>,
        issued_at: DateTime<Utc>,
    ) -> (Invoice, EventEnvelope) {
        let address = Address::new(CountryCode::new("DE").unwrap()).with_city("Berlin");
        let mut buyer = Party::new("Buyer AG", address.clone());
        if let Some(email) = email {
            buyer = buyer.with_email(email);
        }
        let builder = InvoiceBuilder::new(
            InvoiceId::from_uuid(Uuid::new_v4()),
            tenant.clone(),
            Currency::EUR,
            Party::new("Seller GmbH", address).with_vat_id("DE123456789"),
            buyer,
        )
        .due_date(date(2027, 3, 20))
        .line(LineItem::new(
            "1",
            "Service",
            Decimal::ONE,
            UnitCode::piece(),
            Decimal::ONE_HUNDRED,
            Vat::standard(Decimal::new(19, 0)),
        ));
        let (mut invoice, _) = Invoice::create(builder).unwrap();
        let event = invoice
            .issue(InvoiceNumber::new("INV-7").unwrap(), issued_at.date_naive())
            .unwrap();
        let envelope = envelope(&invoice, event, issued_at);
        (invoice, envelope)
    }

    fn policy() -> InvoiceReminderPolicy {
        InvoiceReminderPolicy::new(
            3,
            NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            "Europe/Berlin".parse().unwrap(),
        )
    }

    #[tokio::test]
    async fn an_issued_invoice_gets_both_reminders_once_and_payment_cancels_them() {
        let store = Arc::new(InMemoryStore::new());
        let handler = InvoiceReminders::new(store.clone(), policy());
        let tenant = TenantId::new("acme").unwrap();
        let issued_at = Utc.with_ymd_and_hms(2027, 3, 1, 10, 0, 0).unwrap();
        let (mut invoice, event) = issued(&tenant, Some("buyer@example.com"), issued_at);
        handler.handle(&event).await.unwrap();
        handler.handle(&event).await.unwrap(); // redelivered

        let due_soon = store
            .get(
                &tenant,
                invoice_reminder_id(invoice.id(), InvoiceReminderKind::DueSoon),
            )
            .await
            .unwrap();
        let overdue = store
            .get(
                &tenant,
                invoice_reminder_id(invoice.id(), InvoiceReminderKind::Overdue),
            )
            .await
            .unwrap();
        // 09:00 in Berlin: 08:00 UTC in winter time, 07:00 after the switch on 28 March.
        assert_eq!(
            due_soon.due_at(),
            Utc.with_ymd_and_hms(2027, 3, 17, 8, 0, 0).unwrap()
        );
        assert_eq!(
            overdue.due_at(),
            Utc.with_ymd_and_hms(2027, 3, 21, 8, 0, 0).unwrap()
        );
        assert_eq!(due_soon.about(), &ReminderAbout::Invoice(invoice.id()));
        assert_eq!(due_soon.recipient(), "buyer@example.com");
        assert_eq!(
            due_soon.subject(),
            "Reminder: invoice INV-7 is due on 2027-03-20"
        );
        assert!(
            overdue.body().contains("119.00 EUR was due on 2027-03-20"),
            "{}",
            overdue.body()
        );
        let page = store
            .list(&tenant, &invoice_storage::ReminderQuery::new())
            .await
            .unwrap();
        assert_eq!(page.items.len(), 2, "created once");

        // The user cancels "due soon" by hand; then the invoice is paid in full.
        let mut cancelled = due_soon.clone();
        cancelled.cancel().unwrap();
        store.update(&cancelled, 1).await.unwrap();
        let events = invoice
            .record_payment(
                Payment::new(
                    PaymentId::from_uuid(Uuid::new_v4()),
                    Decimal::new(11900, 2),
                    date(2027, 3, 18),
                )
                .unwrap(),
            )
            .unwrap();
        let paid_at = Utc.with_ymd_and_hms(2027, 3, 18, 12, 0, 0).unwrap();
        for e in events {
            let e = envelope(&invoice, e, paid_at);
            handler.handle(&e).await.unwrap();
            handler.handle(&e).await.unwrap();
        }
        for id in [due_soon.id(), overdue.id()] {
            let r = store.get(&tenant, id).await.unwrap();
            assert_eq!(r.status(), ReminderStatus::Cancelled);
        }
        let again = store.get(&tenant, due_soon.id()).await.unwrap();
        assert_eq!(again.version(), 2, "cancelled once, by the user");
    }

    #[tokio::test]
    async fn what_is_already_past_or_unreachable_gets_no_reminder() {
        let store = Arc::new(InMemoryStore::new());
        let handler = InvoiceReminders::new(store.clone(), policy());
        let tenant = TenantId::new("acme").unwrap();
        // Issued two days before it is due: only the overdue one is ahead.
        let late = Utc.with_ymd_and_hms(2027, 3, 18, 10, 0, 0).unwrap();
        let (invoice, event) = issued(&tenant, Some("buyer@example.com"), late);
        assert_eq!(handler.planned(&event).len(), 1);
        handler.handle(&event).await.unwrap();
        assert!(store
            .get(
                &tenant,
                invoice_reminder_id(invoice.id(), InvoiceReminderKind::DueSoon)
            )
            .await
            .is_err());
        // Issued a week after its due date: overdue the next morning.
        let after_due = Utc.with_ymd_and_hms(2027, 3, 27, 10, 0, 0).unwrap();
        let (_, overdue) = issued(&tenant, Some("buyer@example.com"), after_due);
        let planned = handler.planned(&overdue);
        assert_eq!(planned.len(), 1);
        assert_eq!(
            planned[0].due_at(),
            Utc.with_ymd_and_hms(2027, 3, 28, 7, 0, 0).unwrap(),
            "09:00 summer time"
        );
        // No address to write to: nothing.
        let (_, silent) = issued(&tenant, None, late);
        assert!(handler.planned(&silent).is_empty());
        // Only `Issued` plans reminders.
        let created = Invoice::create(invoice_storage::testing::draft(&tenant, "Buyer")).unwrap();
        let created = envelope(&created.0, created.1, late);
        assert!(handler.planned(&created).is_empty());
        handler.handle(&created).await.unwrap();
    }
}
