//! The in-process broker passes the messaging suite; runner, relay and idempotency on it.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use invoice_core::EventEnvelope;
use invoice_messaging::testing::{self, invoice_events, SuiteCommand, TestBroker};
use invoice_messaging::{
    CancellationToken, ConsumerRunner, DeadLetter, HandlerError, Idempotent, InProcessBroker,
    OutboxRelay, Publisher, RetryPolicy, Subscriber,
};
use invoice_storage::{InMemoryStore, InboxStore, OutboxStore};

struct InProcess(InProcessBroker);

#[async_trait]
impl TestBroker for InProcess {
    async fn publisher(&self) -> Arc<dyn Publisher> {
        Arc::new(self.0.publisher())
    }
    async fn subscriber(&self, queue: &str, patterns: &[&str]) -> Arc<dyn Subscriber> {
        Arc::new(self.0.subscribe(queue, patterns).unwrap())
    }
    async fn dead_letters(&self, queue: &str) -> Vec<DeadLetter> {
        self.0.dead_letters(queue)
    }
    async fn command_publisher(&self) -> Arc<dyn Publisher<SuiteCommand>> {
        Arc::new(self.0.publisher())
    }
    async fn command_subscriber(
        &self,
        queue: &str,
        patterns: &[&str],
    ) -> Arc<dyn Subscriber<SuiteCommand>> {
        Arc::new(self.0.subscribe_as(queue, patterns).unwrap())
    }
    fn orders_per_invoice(&self) -> bool {
        true
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inprocess_broker_passes_the_messaging_suite() {
    testing::run_all(&InProcess(InProcessBroker::new())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_publishes_each_outbox_event_and_marks_it() {
    let store = InMemoryStore::new();
    let broker = InProcessBroker::new();
    let subscriber = broker.subscribe("all", &["invoice.#"]).unwrap();
    let events = invoice_events(30);
    store.append(&events).await.unwrap();
    let relay =
        OutboxRelay::new(Arc::new(store.clone()), Arc::new(broker.publisher())).with_batch_size(7);
    let mut published = 0;
    loop {
        let n = relay.run_once(Utc::now()).await.unwrap();
        if n == 0 {
            break;
        }
        published += n;
    }
    assert_eq!(published, 30);
    assert_eq!(store.pending().await.unwrap(), 0);
    for expected in &events {
        let d = testing::receive(&subscriber, Duration::from_secs(1)).await;
        assert_eq!(d.envelope().event_id, expected.event_id);
        d.ack().await.unwrap();
    }
}

/// A store and a publisher that answer at once never return `Pending`: the relay must
/// still hand its thread back between rounds, or a backlog starves every other task on
/// that worker (measured: the service's POST p99 under load).
#[tokio::test(flavor = "current_thread")]
async fn relay_lets_other_tasks_run_between_rounds_of_a_backlog() {
    let store = InMemoryStore::new();
    store.append(&invoice_events(200)).await.unwrap();
    let broker = InProcessBroker::new();
    let _subscriber = broker.subscribe("all", &["invoice.#"]).unwrap();
    let relay =
        OutboxRelay::new(Arc::new(store.clone()), Arc::new(broker.publisher())).with_batch_size(10);
    let shutdown = CancellationToken::new();
    let running = tokio::spawn({
        let shutdown = shutdown.clone();
        async move { relay.run(shutdown).await }
    });
    // Spawned after the relay, on the one thread: it runs when the relay first yields.
    let pending_when_it_ran = tokio::spawn({
        let store = store.clone();
        async move { store.pending().await.unwrap() }
    })
    .await
    .unwrap();
    assert!(
        pending_when_it_ran > 0,
        "the relay drained all 200 events before another task could run"
    );
    assert!(pending_when_it_ran < 200, "the relay never ran");
    while store.pending().await.unwrap() > 0 {
        tokio::task::yield_now().await;
    }
    shutdown.cancel();
    running.await.unwrap();
}

#[derive(Debug)]
struct FailingPublisher;

#[async_trait]
impl Publisher for FailingPublisher {
    async fn publish_batch(&self, envelopes: &[EventEnvelope]) -> invoice_messaging::Result<()> {
        Err(invoice_messaging::Error::NotConfirmed {
            backend: "test",
            event_id: envelopes[0].event_id.to_string(),
            source: None,
        })
    }
}

#[tokio::test]
async fn relay_marks_nothing_when_the_broker_refuses_and_a_later_relay_republishes() {
    let store = InMemoryStore::new();
    store.append(&invoice_events(3)).await.unwrap();
    let failing = OutboxRelay::new(Arc::new(store.clone()), Arc::new(FailingPublisher))
        .with_lease(Duration::from_secs(5));
    assert!(failing.run_once(Utc::now()).await.is_err());
    assert_eq!(store.pending().await.unwrap(), 3);
    // Another relay gets them once the lease has ended.
    let broker = InProcessBroker::new();
    let _all = broker.subscribe("all", &["invoice.#"]).unwrap();
    let working = OutboxRelay::new(Arc::new(store.clone()), Arc::new(broker.publisher()));
    assert_eq!(
        working.run_once(Utc::now()).await.unwrap(),
        0,
        "still leased"
    );
    let later = Utc::now() + chrono::Duration::seconds(6);
    assert_eq!(working.run_once(later).await.unwrap(), 3);
    assert_eq!(store.pending().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotent_handler_runs_once_per_event_id_across_redeliveries() {
    let store = InMemoryStore::new();
    let broker = InProcessBroker::new();
    let subscriber = Arc::new(broker.subscribe("mailer", &["invoice.#"]).unwrap());
    let sent = Arc::new(AtomicU32::new(0));
    let counter = Arc::clone(&sent);
    let handler = move |_e: EventEnvelope| {
        let counter = Arc::clone(&counter);
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok::<(), HandlerError>(())
        }
    };
    let inbox: Arc<dyn InboxStore> = Arc::new(store.clone());
    let handler = Idempotent::new(handler, inbox, "mailer");
    let events = invoice_events(5);
    // Every event published three times, as a relay restarted twice would.
    for _ in 0..3 {
        broker.publisher().publish_batch(&events).await.unwrap();
    }
    let shutdown = CancellationToken::new();
    let runner = ConsumerRunner::new(subscriber, Arc::new(handler)).with_concurrency(1);
    let stats = runner.stats();
    let task = tokio::spawn(runner.run(shutdown.clone()));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while stats.handled() < 15 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    shutdown.cancel();
    task.await.unwrap().unwrap();
    assert_eq!(stats.handled(), 15, "every delivery acknowledged");
    assert_eq!(sent.load(Ordering::SeqCst), 5, "one side effect per event");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_returns_deliveries_waiting_for_a_retry() {
    let broker = InProcessBroker::new();
    let subscriber = Arc::new(broker.subscribe("slow", &["invoice.#"]).unwrap());
    let handler = |_e: EventEnvelope| async { Err::<(), _>(HandlerError::retryable("down")) };
    let runner = ConsumerRunner::new(subscriber, Arc::new(handler)).with_retry(RetryPolicy::new(
        10,
        Duration::from_secs(60),
        Duration::from_secs(60),
    ));
    let stats = runner.stats();
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(runner.run(shutdown.clone()));
    broker
        .publisher()
        .publish_batch(&invoice_events(1))
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while stats.retried() < 1 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(stats.returned(), 1);
    assert_eq!(broker.depth("slow"), (1, 0), "back in the queue, not lost");
    assert!(broker.dead_letters("slow").is_empty());
}
