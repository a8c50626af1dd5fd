//! The conformance suite: one `pub async fn` per behaviour, run against every adapter
//! through [`TestBroker`]. Queue names are fresh per call, so the functions can share a
//! broker.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use invoice_core::{EventEnvelope, EventId, Invoice, InvoicePatch};
use uuid::Uuid;

use crate::{
    ConsumerRunner, DeadLetter, Delivery, HandlerError, Message, Publisher, RetryPolicy, Subscriber,
};

/// A message type of the suite's own, beside invoice events: a command with an id and a
/// task, routed under `suite.command.<task>`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuiteCommand {
    /// Its id.
    pub id: Uuid,
    /// What to do; one word.
    pub task: String,
}

impl SuiteCommand {
    /// A command with a fresh id.
    pub fn new(task: &str) -> Self {
        Self {
            id: Uuid::new_v4(),
            task: task.to_owned(),
        }
    }
}

impl Message for SuiteCommand {
    fn message_id(&self) -> Uuid {
        self.id
    }

    fn routing_key(&self) -> String {
        format!("suite.command.{}", self.task)
    }
}

/// What the suite needs from an adapter.
#[async_trait]
pub trait TestBroker: Send + Sync {
    /// A publisher.
    async fn publisher(&self) -> Arc<dyn Publisher>;
    /// Declares `queue` bound to `patterns` (with its dead-letter queue) and subscribes.
    async fn subscriber(&self, queue: &str, patterns: &[&str]) -> Arc<dyn Subscriber>;
    /// The dead letters of `queue` so far (may drain them).
    async fn dead_letters(&self, queue: &str) -> Vec<DeadLetter>;
    /// A publisher of [`SuiteCommand`]s into the same broker.
    async fn command_publisher(&self) -> Arc<dyn Publisher<SuiteCommand>>;
    /// As [`subscriber`](Self::subscriber), reading [`SuiteCommand`]s.
    async fn command_subscriber(
        &self,
        queue: &str,
        patterns: &[&str],
    ) -> Arc<dyn Subscriber<SuiteCommand>>;
    /// Whether events of one invoice arrive in publish order.
    fn orders_per_invoice(&self) -> bool;
    /// Whether bindings may use `*` (one word), as AMQP's do; SNS filters cannot.
    fn matches_single_words(&self) -> bool {
        true
    }
}

/// A fresh queue name.
pub fn queue_name(purpose: &str) -> String {
    format!("suite-{purpose}-{}", Uuid::new_v4().simple())
}

/// `n` events of one new invoice: `Created`, then `n − 1` `Updated`, versions 1…n.
pub fn invoice_events(n: usize) -> Vec<EventEnvelope> {
    let tenant = invoice_storage::testing::fresh_tenant();
    let (mut invoice, created): (Invoice, _) =
        Invoice::create(invoice_storage::testing::draft(&tenant, "Suite Buyer")).unwrap();
    let id = || EventId::from_uuid(Uuid::new_v4());
    let mut out = vec![EventEnvelope::new(id(), Utc::now(), &invoice, created)];
    for i in 1..n {
        let event = invoice
            .update(InvoicePatch::new().payment_terms(Some(format!("terms {i}"))))
            .unwrap()
            .unwrap();
        out.push(EventEnvelope::new(id(), Utc::now(), &invoice, event));
    }
    out
}

/// Receives the next delivery or fails after `within`.
pub async fn receive<M: Message>(subscriber: &dyn Subscriber<M>, within: Duration) -> Delivery<M> {
    tokio::time::timeout(within, subscriber.next())
        .await
        .expect("no delivery in time")
        .unwrap()
        .expect("subscription ended")
}

/// Whether nothing arrives within `within`.
pub async fn nothing_arrives<M: Message>(subscriber: &dyn Subscriber<M>, within: Duration) -> bool {
    tokio::time::timeout(within, subscriber.next())
        .await
        .is_err()
}

const WAIT: Duration = Duration::from_secs(20);

/// One published event arrives once, intact, with attempt 1; after its ack it is gone.
pub async fn publish_and_receive(broker: &dyn TestBroker) {
    let queue = queue_name("single");
    let subscriber = broker.subscriber(&queue, &["invoice.#"]).await;
    let event = invoice_events(1).remove(0);
    broker.publisher().await.publish(&event).await.unwrap();
    let delivery = receive(subscriber.as_ref(), WAIT).await;
    assert_eq!(delivery.envelope(), &event);
    assert_eq!(delivery.attempt(), 1);
    delivery.ack().await.unwrap();
    assert!(nothing_arrives(subscriber.as_ref(), Duration::from_millis(500)).await);
}

/// `invoice.*`, or `invoice.#` where the adapter has no single-word wildcard: every invoice
/// event either way.
fn one_word(broker: &dyn TestBroker) -> &'static str {
    if broker.matches_single_words() {
        "invoice.*"
    } else {
        "invoice.#"
    }
}

/// A batch of 25 events arrives complete; in order where the adapter promises it.
pub async fn batch_arrives_complete_and_ordered(broker: &dyn TestBroker) {
    let queue = queue_name("batch");
    let subscriber = broker.subscriber(&queue, &[one_word(broker)]).await;
    let events = invoice_events(25);
    broker
        .publisher()
        .await
        .publish_batch(&events)
        .await
        .unwrap();
    let mut got = Vec::new();
    for _ in 0..events.len() {
        let delivery = receive(subscriber.as_ref(), WAIT).await;
        got.push(delivery.envelope().clone());
        delivery.ack().await.unwrap();
    }
    if broker.orders_per_invoice() {
        assert_eq!(got, events, "per-invoice order");
    } else {
        let mut got_ids: Vec<_> = got.iter().map(|e| e.event_id).collect();
        let mut want: Vec<_> = events.iter().map(|e| e.event_id).collect();
        got_ids.sort();
        want.sort();
        assert_eq!(got_ids, want);
    }
}

/// Only queues whose binding matches the routing key get the event; each of them does.
pub async fn routing_fans_out_by_binding(broker: &dyn TestBroker) {
    let issued_only = broker
        .subscriber(&queue_name("issued"), &["invoice.issued"])
        .await;
    let everything_a = broker
        .subscriber(&queue_name("all-a"), &["invoice.#"])
        .await;
    let everything_b = broker
        .subscriber(&queue_name("all-b"), &[one_word(broker)])
        .await;
    let created = invoice_events(1).remove(0);
    broker.publisher().await.publish(&created).await.unwrap();
    for s in [&everything_a, &everything_b] {
        let d = receive(s.as_ref(), WAIT).await;
        assert_eq!(d.envelope().event_id, created.event_id);
        d.ack().await.unwrap();
    }
    assert!(nothing_arrives(issued_only.as_ref(), Duration::from_millis(500)).await);
}

/// A nack with requeue redelivers the message with a higher attempt count.
pub async fn nack_requeues_for_redelivery(broker: &dyn TestBroker) {
    let queue = queue_name("nack");
    let subscriber = broker.subscriber(&queue, &["invoice.#"]).await;
    let event = invoice_events(1).remove(0);
    broker.publisher().await.publish(&event).await.unwrap();
    let first = receive(subscriber.as_ref(), WAIT).await;
    first.nack(true).await.unwrap();
    let second = receive(subscriber.as_ref(), WAIT).await;
    assert_eq!(second.envelope().event_id, event.event_id);
    assert!(second.attempt() >= 2, "attempt {}", second.attempt());
    second.ack().await.unwrap();
}

/// Through the runner: a poison event (permanent failure) and one that keeps failing
/// (retryable, 3 attempts) end in the dead-letter queue with their last error, and a good
/// event is handled.
pub async fn poison_goes_to_the_dead_letter_queue_with_its_reason(broker: &dyn TestBroker) {
    let queue = queue_name("poison");
    let subscriber = broker.subscriber(&queue, &["invoice.#"]).await;
    let events = invoice_events(3);
    let (poison, flaky, good) = (events[0].event_id, events[1].event_id, events[2].event_id);
    let handler = move |e: EventEnvelope| async move {
        if e.event_id == poison {
            Err(HandlerError::permanent("unreadable buyer address"))
        } else if e.event_id == flaky {
            Err(HandlerError::retryable("smtp timeout"))
        } else {
            Ok(())
        }
    };
    let shutdown = crate::CancellationToken::new();
    let runner = ConsumerRunner::new(Arc::clone(&subscriber), Arc::new(handler))
        .with_concurrency(3)
        .with_retry(RetryPolicy::new(
            3,
            Duration::from_millis(10),
            Duration::from_millis(50),
        ));
    let stats = runner.stats();
    let task = tokio::spawn(runner.run(shutdown.clone()));
    broker
        .publisher()
        .await
        .publish_batch(&events)
        .await
        .unwrap();

    let deadline = tokio::time::Instant::now() + WAIT;
    let mut dead = Vec::new();
    while tokio::time::Instant::now() < deadline {
        dead.extend(broker.dead_letters(&queue).await);
        if dead.len() >= 2 && stats.handled() >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    shutdown.cancel();
    task.await.unwrap().unwrap();
    assert_eq!(stats.handled(), 1, "the good event {good}");
    let reason_of = |id: EventId| {
        dead.iter()
            .find(|d| d.envelope.as_ref().map(|e| e.event_id) == Some(id))
            .map(|d| d.reason.clone())
            .unwrap_or_else(|| panic!("{id} not dead-lettered: {dead:?}"))
    };
    assert!(reason_of(poison).contains("unreadable buyer address"));
    let flaky_reason = reason_of(flaky);
    assert!(
        flaky_reason.contains("smtp timeout") && flaky_reason.contains('3'),
        "{flaky_reason}"
    );
    assert_eq!(stats.retried(), 2);
}

/// Commands and events share the broker: each queue gets what its bindings say, decoded
/// as its own type; the runner and its retries work for commands as for events.
pub async fn commands_travel_beside_events(broker: &dyn TestBroker) {
    let commands = queue_name("commands");
    let events = queue_name("events");
    let command_subscriber = broker
        .command_subscriber(&commands, &["suite.command.#"])
        .await;
    let event_subscriber = broker.subscriber(&events, &["invoice.#"]).await;
    let sent = vec![SuiteCommand::new("mail"), SuiteCommand::new("ship")];
    let event = invoice_events(1).remove(0);
    broker.publisher().await.publish(&event).await.unwrap();
    broker
        .command_publisher()
        .await
        .publish_batch(&sent)
        .await
        .unwrap();

    let got = receive(event_subscriber.as_ref(), WAIT).await;
    assert_eq!(got.envelope(), &event);
    got.ack().await.unwrap();
    assert!(nothing_arrives(event_subscriber.as_ref(), Duration::from_millis(500)).await);

    // Through the runner, the first attempt of each command failing once.
    let tried = Arc::new(std::sync::Mutex::new(Vec::<Uuid>::new()));
    let seen = Arc::clone(&tried);
    let handler = move |c: SuiteCommand| {
        let seen = Arc::clone(&seen);
        async move {
            let mut seen = seen.lock().unwrap();
            let first = !seen.contains(&c.id);
            seen.push(c.id);
            if first {
                Err(HandlerError::retryable("first try fails"))
            } else {
                Ok(())
            }
        }
    };
    let runner =
        ConsumerRunner::new(Arc::clone(&command_subscriber), Arc::new(handler)).with_retry(
            RetryPolicy::new(3, Duration::from_millis(10), Duration::from_millis(20)),
        );
    let stats = runner.stats();
    let shutdown = crate::CancellationToken::new();
    let task = tokio::spawn(runner.run(shutdown.clone()));
    let deadline = tokio::time::Instant::now() + WAIT;
    while stats.handled() < 2 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    shutdown.cancel();
    task.await.unwrap().unwrap();
    assert_eq!(stats.handled(), 2);
    assert_eq!(stats.retried(), 2);
    let mut tried = tried.lock().unwrap().clone();
    tried.sort();
    tried.dedup();
    let mut expected: Vec<Uuid> = sent.iter().map(|c| c.id).collect();
    expected.sort();
    assert_eq!(tried, expected);
}

/// A queue of commands that receives something else (an event, bound by mistake)
/// dead-letters it with the decode error and hands out only commands.
pub async fn a_message_of_another_type_is_dead_lettered(broker: &dyn TestBroker) {
    let queue = queue_name("mixed");
    let subscriber = broker
        .command_subscriber(&queue, &["suite.command.#", "invoice.#"])
        .await;
    let event = invoice_events(1).remove(0);
    let command = SuiteCommand::new("mail");
    broker.publisher().await.publish(&event).await.unwrap();
    broker
        .command_publisher()
        .await
        .publish(&command)
        .await
        .unwrap();
    let got = receive(subscriber.as_ref(), WAIT).await;
    assert_eq!(got.envelope(), &command);
    got.ack().await.unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut dead = Vec::new();
    while dead.is_empty() && tokio::time::Instant::now() < deadline {
        dead.extend(broker.dead_letters(&queue).await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0].envelope.as_ref(), Some(&event));
    assert!(
        dead[0].reason.contains("unknown field"),
        "{}",
        dead[0].reason
    );
}

/// Runs every function against one adapter.
pub async fn run_all(broker: &dyn TestBroker) {
    publish_and_receive(broker).await;
    batch_arrives_complete_and_ordered(broker).await;
    routing_fans_out_by_binding(broker).await;
    nack_requeues_for_redelivery(broker).await;
    poison_goes_to_the_dead_letter_queue_with_its_reason(broker).await;
    commands_travel_beside_events(broker).await;
    a_message_of_another_type_is_dead_lettered(broker).await;
}
