//! What the worker's tests share: invoices, a pipeline from an in-memory store through
//! its outbox and an in-process broker to a running worker, and the two places mails
//! are read back from (a recording mailer, the SMTP sink's maildir).
#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use invoice_core::{
    Address, CountryCode, Currency, Decimal, EventEnvelope, EventId, Invoice, InvoiceBuilder,
    InvoiceId, LineItem, Party, TenantId, UnitCode, Vat,
};
use invoice_messaging::{
    CancellationToken, ConsumerRunner, InProcessBroker, InvoiceReminderPolicy, InvoiceReminders,
    OutboxRelay, ReminderScheduler, ReminderStats, RetryPolicy, RunnerStats,
};
use invoice_storage::testing::fresh_tenant;
use invoice_storage::{InMemoryStore, InvoiceStore, Stores};
use notification_worker::worker::{reminder_queue, BINDING, CONSUMER, REMINDER_BINDING};
use notification_worker::{Mail, MailError, Mailer, ScheduledReminders, Worker};

pub mod scenarios;
use tokio::task::JoinHandle;
use uuid::Uuid;

/// Where sent mails can be read back.
pub trait Sent: Send + Sync {
    /// The subjects of the mails sent to `address`, sorted.
    fn subjects_to(&self, address: &str) -> Vec<String>;
}

/// A mailer that keeps what it is given.
#[derive(Debug, Default)]
pub struct RecordingMailer {
    mails: Mutex<Vec<Mail>>,
}

#[async_trait]
impl Mailer for RecordingMailer {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        self.mails.lock().unwrap().push(mail.clone());
        Ok(())
    }
}

impl Sent for RecordingMailer {
    fn subjects_to(&self, address: &str) -> Vec<String> {
        let mut subjects: Vec<String> = self
            .mails
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.to == address)
            .map(|m| m.subject.clone())
            .collect();
        subjects.sort();
        subjects
    }
}

/// The maildir an aiosmtpd `Mailbox` handler delivers into: one complete file per mail
/// in `new/`.
#[derive(Debug)]
pub struct Maildir {
    pub dir: PathBuf,
}

/// The header `name` of a raw mail, unfolded.
fn header(raw: &str, name: &str) -> Option<String> {
    let head = raw.split("\r\n\r\n").next()?.split("\n\n").next()?;
    let mut value: Option<String> = None;
    for line in head.lines() {
        let line = line.trim_end_matches('\r');
        if line.starts_with([' ', '\t']) {
            if let Some(v) = value.as_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        if value.is_some() {
            break;
        }
        if let Some((n, v)) = line.split_once(':') {
            if n.eq_ignore_ascii_case(name) {
                value = Some(v.trim().to_owned());
            }
        }
    }
    value
}

impl Sent for Maildir {
    fn subjects_to(&self, address: &str) -> Vec<String> {
        let mut subjects = Vec::new();
        let Ok(entries) = std::fs::read_dir(self.dir.join("new")) else {
            return subjects;
        };
        for entry in entries.flatten() {
            let Ok(raw) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            if header(&raw, "X-RcptTo").as_deref() == Some(address) {
                subjects.push(header(&raw, "Subject").unwrap_or_default());
            }
        }
        subjects.sort();
        subjects
    }
}

/// An address no other test (or earlier run against the same sink) uses.
pub fn fresh_address() -> String {
    format!("buyer-{}@example.com", Uuid::new_v4().simple())
}

pub fn event_id() -> EventId {
    EventId::from_uuid(Uuid::new_v4())
}

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// A valid draft of 238.00 EUR to a buyer reached at `email`, due on `due`.
pub fn draft(tenant: &TenantId, email: &str, due: NaiveDate) -> InvoiceBuilder {
    let address = Address::new(CountryCode::new("DE").unwrap())
        .with_line("Street 1")
        .with_city("Berlin")
        .with_postal_code("10115");
    InvoiceBuilder::new(
        InvoiceId::from_uuid(Uuid::new_v4()),
        tenant.clone(),
        Currency::EUR,
        Party::new("Seller GmbH", address.clone()).with_vat_id("DE123456789"),
        Party::new("Buyer AG", address).with_email(email),
    )
    .due_date(due)
    .line(LineItem::new(
        "1",
        "Service",
        Decimal::ONE,
        UnitCode::piece(),
        Decimal::ONE_HUNDRED,
        Vat::standard(Decimal::new(19, 0)),
    ))
}

/// Waits until `done` holds, failing the test after 10 s.
pub async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// An in-memory store whose outbox feeds an in-process broker, a worker running on that
/// broker, and the maker of the invoices' automatic reminders (what invoice-service runs)
/// writing into the worker's store, as when both share a database.
pub struct Pipeline {
    pub tenant: TenantId,
    pub store: InMemoryStore,
    pub broker: InProcessBroker,
    relay: OutboxRelay,
    pub stats: Arc<RunnerStats>,
    /// The worker's reminder scheduler, to run rounds on the test's clock.
    pub scheduler: ReminderScheduler,
    /// The worker's reminder sender's counters.
    pub sent: Arc<ReminderStats>,
    maker: Arc<RunnerStats>,
    shutdown: CancellationToken,
    task: JoinHandle<invoice_messaging::Result<()>>,
}

type Running = (
    Arc<RunnerStats>,
    ReminderScheduler,
    Arc<ReminderStats>,
    CancellationToken,
    JoinHandle<invoice_messaging::Result<()>>,
);

/// A worker consuming the `notification-worker` queue of `broker`, and its reminders'
/// queue. Its own scheduler looks once an hour: the tests run rounds themselves.
fn run_worker(broker: &InProcessBroker, mailer: Arc<dyn Mailer>, stores: &Stores) -> Running {
    let events = broker.subscribe(CONSUMER, &[BINDING]).unwrap();
    let reminders = broker
        .subscribe_as(&reminder_queue(CONSUMER), &[REMINDER_BINDING])
        .unwrap();
    let worker = Worker::new(Arc::new(events), mailer, stores).with_scheduled_reminders(
        stores,
        Arc::new(reminders),
        Arc::new(broker.publisher()),
        ScheduledReminders {
            period: Duration::from_secs(3600),
            lease: Duration::from_secs(5),
            retry: RetryPolicy::new(3, Duration::from_millis(10), Duration::from_millis(50)),
        },
    );
    let (stats, scheduler) = (worker.stats(), worker.reminder_scheduler().unwrap());
    let sent = worker.scheduled_stats().unwrap();
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(worker.run(shutdown.clone()));
    (stats, scheduler, sent, shutdown, task)
}

impl Pipeline {
    /// Starts a worker sending through `mailer` that remembers in a store of its own (in
    /// memory).
    pub fn start(mailer: Arc<dyn Mailer>) -> Self {
        Self::start_with(mailer, &Stores::new(InMemoryStore::new()))
    }

    /// Starts a worker that remembers in `worker_stores`, and the reminders' maker
    /// (3 days before the due date and the day after, 09:00 UTC) writing there.
    pub fn start_with(mailer: Arc<dyn Mailer>, worker_stores: &Stores) -> Self {
        let store = InMemoryStore::new();
        let broker = InProcessBroker::new();
        let subscriber = broker
            .subscribe("invoice-reminders", &["invoice.#"])
            .unwrap();
        let maker = ConsumerRunner::new(
            Arc::new(subscriber),
            Arc::new(InvoiceReminders::new(
                Arc::clone(&worker_stores.reminders),
                InvoiceReminderPolicy::default(),
            )),
        );
        let maker_stats = maker.stats();
        tokio::spawn(maker.run(CancellationToken::new()));
        let (stats, scheduler, sent, shutdown, task) = run_worker(&broker, mailer, worker_stores);
        let relay = OutboxRelay::new(Arc::new(store.clone()), Arc::new(broker.publisher()));
        Self {
            tenant: fresh_tenant(),
            store,
            broker,
            relay,
            stats,
            scheduler,
            sent,
            maker: maker_stats,
            shutdown,
            task,
        }
    }

    /// Stops the worker (it hands back what it holds unsettled) and starts a new one on
    /// the same queues that remembers in `worker_stores`: a restart.
    pub async fn restart(&mut self, mailer: Arc<dyn Mailer>, worker_stores: &Stores) -> u64 {
        self.shutdown.cancel();
        (&mut self.task).await.unwrap().unwrap();
        let handled_before = self.stats.handled();
        let running = run_worker(&self.broker, mailer, worker_stores);
        (
            self.stats,
            self.scheduler,
            self.sent,
            self.shutdown,
            self.task,
        ) = running;
        handled_before
    }

    /// Runs a scheduler round as if it were `at`; returns how many reminders it queued.
    pub async fn remind_as_of(&self, at: DateTime<Utc>) -> usize {
        self.scheduler.run_once(at).await.unwrap()
    }

    /// Waits until the worker has sent `n` reminders in all (since its start).
    pub async fn reminders_sent(&self, n: u64) {
        let sent = Arc::clone(&self.sent);
        eventually(&format!("{n} reminders sent"), || sent.sent() >= n).await;
    }

    /// Waits until the reminders' maker has handled `n` events in all.
    pub async fn reminders_made(&self, n: u64) {
        let stats = Arc::clone(&self.maker);
        eventually(&format!("{n} events seen by the reminders' maker"), || {
            stats.handled() >= n
        })
        .await;
    }

    /// Saves a new draft with its `Created` event.
    pub async fn create(&self, builder: InvoiceBuilder) -> Invoice {
        let (invoice, event) = Invoice::create(builder).unwrap();
        let envelope = EventEnvelope::new(event_id(), now(), &invoice, event);
        self.store.create(&invoice, &[envelope]).await.unwrap();
        invoice
    }

    /// Saves `invoice` after a command that produced `events`, from `version`.
    pub async fn save(
        &self,
        invoice: &Invoice,
        version: u64,
        events: Vec<invoice_core::InvoiceEvent>,
    ) {
        let envelopes: Vec<_> = events
            .into_iter()
            .map(|e| EventEnvelope::new(event_id(), now(), invoice, e))
            .collect();
        self.store
            .update(invoice, version, &envelopes)
            .await
            .unwrap();
    }

    /// Publishes everything in the outbox; returns how many events.
    pub async fn publish(&self) -> u64 {
        let mut published = 0;
        loop {
            match self.relay.run_once(now()).await.unwrap() {
                0 => return published,
                n => published += n as u64,
            }
        }
    }

    /// Waits until the worker has handled `n` deliveries in all.
    pub async fn handled(&self, n: u64) {
        let stats = Arc::clone(&self.stats);
        eventually(&format!("{n} handled deliveries"), || stats.handled() >= n).await;
        assert_eq!(self.stats.handled(), n, "more deliveries than expected");
        assert_eq!(
            self.stats.dead_lettered(),
            0,
            "dead letters: {:?}",
            self.broker.dead_letters("notification-worker")
        );
    }

    pub async fn stop(self) {
        self.shutdown.cancel();
        self.task.await.unwrap().unwrap();
    }
}
