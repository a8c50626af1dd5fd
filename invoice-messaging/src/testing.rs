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
    ConsumerRunner, DeadLetter, Delivery, HandlerError, Publisher, RetryPolicy, Subscriber,
};

/// What the suite needs from an adapter.
#[async_trait]
pub trait TestBroker: Send + Sync {
    /// A publisher.
    async fn publisher(&self) -> Arc<dyn Publisher>;
    /// Declares `queue` bound to `patterns` (with its dead-letter queue) and subscribes.
    async fn subscriber(&self, queue: &str, patterns: &[&str]) -> Arc<dyn Subscriber>;
    /// The dead letters of `queue` so far (may drain them).
    async fn dead_letters(&self, queue: &str) -> Vec<DeadLetter>;
    /// Whether events of one invoice arrive in publish order.
    fn orders_per_invoice(&self) -> bool;
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
pub async fn receive(subscriber: &dyn Subscriber, within: Duration) -> Delivery {
    tokio::time::timeout(within, subscriber.next())
        .await
        .expect("no delivery in time")
        .unwrap()
        .expect("subscription ended")
}

/// Whether nothing arrives within `within`.
pub async fn nothing_arrives(subscriber: &dyn Subscriber, within: Duration) -> bool {
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

/// A batch of 25 events arrives complete; in order where the adapter promises it.
pub async fn batch_arrives_complete_and_ordered(broker: &dyn TestBroker) {
    let queue = queue_name("batch");
    let subscriber = broker.subscriber(&queue, &["invoice.*"]).await;
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
        .subscriber(&queue_name("all-b"), &["invoice.*"])
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

/// Runs every function against one adapter.
pub async fn run_all(broker: &dyn TestBroker) {
    publish_and_receive(broker).await;
    batch_arrives_complete_and_ordered(broker).await;
    routing_fans_out_by_binding(broker).await;
    nack_requeues_for_redelivery(broker).await;
    poison_goes_to_the_dead_letter_queue_with_its_reason(broker).await;
}
