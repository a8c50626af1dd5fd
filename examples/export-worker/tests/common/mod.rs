//! What the worker's tests share: invoices, and a pipeline from an in-memory store
//! through its outbox and an in-process broker to a running worker.
#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Days, NaiveDate, Utc};
use export_worker::Worker;
use invoice_core::{
    Address, ClientId, CountryCode, Currency, Decimal, EventEnvelope, EventId, Invoice,
    InvoiceBuilder, InvoiceId, LineItem, Party, TenantId, UnitCode, Vat,
};
use invoice_messaging::{CancellationToken, InProcessBroker, OutboxRelay, RunnerStats};
use invoice_storage::testing::fresh_tenant;
use invoice_storage::{DocumentStore, InMemoryStore, InvoiceStore, IssueRequest};
use tokio::task::JoinHandle;
use uuid::Uuid;

pub mod scenarios;

pub const QUEUE: &str = "export-worker";

pub fn event_id() -> EventId {
    EventId::from_uuid(Uuid::new_v4())
}

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// A valid draft of two lines, due in 30 days.
pub fn draft(tenant: &TenantId) -> InvoiceBuilder {
    let address = Address::new(CountryCode::new("DE").unwrap())
        .with_line("Street 1")
        .with_city("Berlin")
        .with_postal_code("10115");
    let line = |id: &str, price: i64| {
        LineItem::new(
            id,
            "Service",
            Decimal::ONE,
            UnitCode::piece(),
            Decimal::new(price, 2),
            Vat::standard(Decimal::new(19, 0)),
        )
    };
    InvoiceBuilder::new(
        InvoiceId::from_uuid(Uuid::new_v4()),
        tenant.clone(),
        Currency::EUR,
        Party::new("Seller GmbH", address.clone()).with_vat_id("DE123456789"),
        Party::new("Buyer AG", address),
    )
    .due_date(today() + Days::new(30))
    .line(line("1", 10000))
    .line(line("2", 2550))
}

pub fn client() -> ClientId {
    ClientId::from_uuid(Uuid::new_v4())
}

/// Waits until `done` holds, failing the test after 10 s.
pub async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// An in-memory invoice store whose outbox feeds an in-process broker, and a worker on
/// that broker archiving into the given document store.
pub struct Pipeline {
    pub tenant: TenantId,
    pub store: InMemoryStore,
    pub broker: InProcessBroker,
    relay: OutboxRelay,
    pub stats: Arc<RunnerStats>,
    shutdown: CancellationToken,
    task: JoinHandle<invoice_messaging::Result<()>>,
}

impl Pipeline {
    pub fn start(documents: Arc<dyn DocumentStore>) -> Self {
        let store = InMemoryStore::new();
        let broker = InProcessBroker::new();
        let subscriber = broker.subscribe(QUEUE, &["invoice.issued"]).unwrap();
        let worker = Worker::new(Arc::new(subscriber), Arc::new(store.clone()), documents);
        let stats = worker.stats();
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(worker.run(shutdown.clone()));
        let relay = OutboxRelay::new(Arc::new(store.clone()), Arc::new(broker.publisher()));
        Self {
            tenant: fresh_tenant(),
            store,
            broker,
            relay,
            stats,
            shutdown,
            task,
        }
    }

    /// Saves a new draft with its `Created` event.
    pub async fn create(&self, builder: InvoiceBuilder) -> Invoice {
        let (invoice, event) = Invoice::create(builder).unwrap();
        let envelope = EventEnvelope::new(event_id(), now(), &invoice, event);
        self.store.create(&invoice, &[envelope]).await.unwrap();
        invoice
    }

    /// Creates and issues a draft; returns the issued invoice and its `Issued` event.
    pub async fn issue(&self, builder: InvoiceBuilder) -> (Invoice, EventEnvelope) {
        let draft = self.create(builder).await;
        let request = IssueRequest::new(today(), event_id(), now());
        self.store
            .issue(&self.tenant, draft.id(), &request)
            .await
            .unwrap()
    }

    /// Publishes everything in the outbox.
    pub async fn publish(&self) {
        while self.relay.run_once(now()).await.unwrap() > 0 {}
    }

    /// Waits until the worker has settled `n` deliveries, handled or dead-lettered.
    pub async fn settled(&self, n: u64) {
        let stats = Arc::clone(&self.stats);
        eventually(&format!("{n} settled deliveries"), || {
            stats.handled() + stats.dead_lettered() >= n
        })
        .await;
        assert_eq!(self.stats.handled() + self.stats.dead_lettered(), n);
    }

    pub async fn stop(self) {
        self.shutdown.cancel();
        self.task.await.unwrap().unwrap();
    }
}
