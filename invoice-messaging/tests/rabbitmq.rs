//! The RabbitMQ adapter against a real broker (`AMQP_URL`, such as
//! `amqp://guest:guest@127.0.0.1:5672/%2f`): the messaging suite, and what only this
//! adapter does. Every test uses its own exchange and queues, and deletes them.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use invoice_messaging::testing::{self, invoice_events, SuiteCommand, TestBroker};
use invoice_messaging::{
    DeadLetter, Error, Publisher, RabbitMqBroker, Subscriber, LAST_ERROR_HEADER,
};
use invoice_storage::testing::require_env;
use lapin::options::BasicPublishOptions;
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Connection, ConnectionProperties};
use tokio::sync::Mutex;
use uuid::Uuid;

fn fresh_exchange() -> String {
    format!("test-{}", Uuid::new_v4().simple())
}

async fn broker(url: &str) -> RabbitMqBroker {
    RabbitMqBroker::builder(url)
        .exchange(fresh_exchange())
        .confirm_timeout(Duration::from_secs(10))
        .build()
        .await
        .unwrap()
}

/// The suite's view of a broker; remembers its queues to delete them afterwards.
struct RabbitMq {
    broker: RabbitMqBroker,
    queues: Mutex<Vec<String>>,
}

impl RabbitMq {
    async fn delete_everything(&self) {
        for queue in self.queues.lock().await.drain(..) {
            self.broker.delete_queue(&queue).await.unwrap();
        }
        self.broker.delete_exchanges().await.unwrap();
    }
}

#[async_trait]
impl TestBroker for RabbitMq {
    async fn publisher(&self) -> Arc<dyn Publisher> {
        Arc::new(self.broker.publisher())
    }
    async fn subscriber(&self, queue: &str, patterns: &[&str]) -> Arc<dyn Subscriber> {
        self.queues.lock().await.push(queue.to_owned());
        Arc::new(self.broker.subscribe(queue, patterns).await.unwrap())
    }
    async fn dead_letters(&self, queue: &str) -> Vec<DeadLetter> {
        self.broker.drain_dead_letters(queue, 100).await.unwrap()
    }
    async fn command_publisher(&self) -> Arc<dyn Publisher<SuiteCommand>> {
        Arc::new(self.broker.publisher())
    }
    async fn command_subscriber(
        &self,
        queue: &str,
        patterns: &[&str],
    ) -> Arc<dyn Subscriber<SuiteCommand>> {
        self.queues.lock().await.push(queue.to_owned());
        Arc::new(self.broker.subscribe_as(queue, patterns).await.unwrap())
    }
    fn orders_per_invoice(&self) -> bool {
        // One publishing channel, one queue, one consumer: the broker keeps publish order.
        true
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rabbitmq_passes_the_messaging_suite() {
    let Some(url) = require_env("AMQP_URL", "rabbitmq_passes_the_messaging_suite") else {
        return;
    };
    let rabbit = RabbitMq {
        broker: broker(&url).await,
        queues: Mutex::new(Vec::new()),
    };
    testing::run_all(&rabbit).await;
    rabbit.delete_everything().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rabbitmq_passes_the_messaging_suite_behind_an_arc_dyn() {
    let Some(url) = require_env(
        "AMQP_URL",
        "rabbitmq_passes_the_messaging_suite_behind_an_arc_dyn",
    ) else {
        return;
    };
    let rabbit: Arc<RabbitMq> = Arc::new(RabbitMq {
        broker: broker(&url).await,
        queues: Mutex::new(Vec::new()),
    });
    let as_dyn: Arc<dyn TestBroker> = Arc::clone(&rabbit) as Arc<dyn TestBroker>;
    testing::publish_and_receive(as_dyn.as_ref()).await;
    testing::nack_requeues_for_redelivery(as_dyn.as_ref()).await;
    rabbit.delete_everything().await;
}

/// Publishes raw bytes the way a foreign producer would.
async fn publish_raw(url: &str, exchange: &str, routing_key: &str, body: &[u8]) {
    let connection = Connection::connect(url, ConnectionProperties::default())
        .await
        .unwrap();
    let channel = connection.create_channel().await.unwrap();
    channel.confirm_select(Default::default()).await.unwrap();
    let confirm = channel
        .basic_publish(
            exchange.into(),
            routing_key.into(),
            BasicPublishOptions::default(),
            body,
            BasicProperties::default().with_delivery_mode(2),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    assert!(confirm.is_ack());
    connection.close(200, "done".into()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undecodable_messages_are_dead_lettered_with_the_decode_error() {
    let Some(url) = require_env(
        "AMQP_URL",
        "undecodable_messages_are_dead_lettered_with_the_decode_error",
    ) else {
        return;
    };
    let broker = broker(&url).await;
    let queue = testing::queue_name("garbage");
    let subscriber = broker.subscribe(&queue, &["invoice.#"]).await.unwrap();
    publish_raw(&url, broker.exchange(), "invoice.created", b"{not json").await;
    let good = invoice_events(1).remove(0);
    broker.publisher().publish(&good).await.unwrap();

    // The garbage is never handed out: the first delivery is the good event.
    let delivery = testing::receive(&subscriber, Duration::from_secs(10)).await;
    assert_eq!(delivery.envelope().event_id, good.event_id);
    delivery.ack().await.unwrap();

    let dead = broker.drain_dead_letters(&queue, 10).await.unwrap();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert!(dead[0].envelope.is_none());
    assert!(dead[0].reason.contains("undecodable"), "{}", dead[0].reason);
    broker.delete_queue(&queue).await.unwrap();
    broker.delete_exchanges().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn published_messages_are_persistent_json_with_the_event_id() {
    let Some(url) = require_env(
        "AMQP_URL",
        "published_messages_are_persistent_json_with_the_event_id",
    ) else {
        return;
    };
    let broker = broker(&url).await;
    // A plain queue read with bare lapin, to see the wire properties.
    let connection = Connection::connect(&url, ConnectionProperties::default())
        .await
        .unwrap();
    let channel = connection.create_channel().await.unwrap();
    let queue = testing::queue_name("wire");
    channel
        .queue_declare(
            queue.as_str().into(),
            // Exclusive: gone with the connection (auto-delete needs a consumer first).
            lapin::options::QueueDeclareOptions {
                exclusive: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await
        .unwrap();
    channel
        .queue_bind(
            queue.as_str().into(),
            broker.exchange().into(),
            "invoice.created".into(),
            Default::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
    let event = invoice_events(1).remove(0);
    broker.publisher().publish(&event).await.unwrap();
    let message = channel
        .basic_get(
            queue.as_str().into(),
            lapin::options::BasicGetOptions { no_ack: true },
        )
        .await
        .unwrap()
        .expect("the event is in the queue");
    let properties = &message.delivery.properties;
    assert_eq!(message.delivery.routing_key.as_str(), "invoice.created");
    assert_eq!(*properties.delivery_mode(), Some(2));
    assert_eq!(
        properties.content_type().as_ref().map(|c| c.as_str()),
        Some("application/json")
    );
    assert_eq!(
        properties
            .message_id()
            .as_ref()
            .map(|m| m.as_str().to_owned()),
        Some(event.event_id.to_string())
    );
    assert_eq!(
        invoice_messaging::codec::decode::<invoice_core::EventEnvelope>(&message.delivery.data)
            .unwrap(),
        event
    );
    connection.close(200, "done".into()).await.unwrap();
    broker.delete_exchanges().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letters_carry_the_reason_header_and_the_original_message() {
    let Some(url) = require_env(
        "AMQP_URL",
        "dead_letters_carry_the_reason_header_and_the_original_message",
    ) else {
        return;
    };
    let broker = broker(&url).await;
    let queue = testing::queue_name("reason");
    let subscriber = broker.subscribe(&queue, &["invoice.#"]).await.unwrap();
    let event = invoice_events(1).remove(0);
    broker.publisher().publish(&event).await.unwrap();
    let delivery = testing::receive(&subscriber, Duration::from_secs(10)).await;
    delivery.dead_letter("buyer has no address").await.unwrap();

    // Read the DLQ with bare lapin to see the header itself.
    let connection = Connection::connect(&url, ConnectionProperties::default())
        .await
        .unwrap();
    let channel = connection.create_channel().await.unwrap();
    let message = channel
        .basic_get(
            format!("{queue}.dlq").as_str().into(),
            lapin::options::BasicGetOptions { no_ack: true },
        )
        .await
        .unwrap()
        .expect("a dead letter");
    let headers = message.delivery.properties.headers().clone().unwrap();
    assert_eq!(
        headers.inner().get(LAST_ERROR_HEADER),
        Some(&AMQPValue::LongString("buyer has no address".into()))
    );
    assert_eq!(*message.delivery.properties.delivery_mode(), Some(2));
    assert_eq!(
        invoice_messaging::codec::decode::<invoice_core::EventEnvelope>(&message.delivery.data)
            .unwrap(),
        event
    );
    connection.close(200, "done".into()).await.unwrap();
    assert!(testing::nothing_arrives(&subscriber, Duration::from_millis(300)).await);
    broker.delete_queue(&queue).await.unwrap();
    broker.delete_exchanges().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nack_without_requeue_is_dead_lettered_by_the_broker() {
    let Some(url) = require_env(
        "AMQP_URL",
        "a_nack_without_requeue_is_dead_lettered_by_the_broker",
    ) else {
        return;
    };
    let broker = broker(&url).await;
    let queue = testing::queue_name("reject");
    let subscriber = broker.subscribe(&queue, &["invoice.#"]).await.unwrap();
    let event = invoice_events(1).remove(0);
    broker.publisher().publish(&event).await.unwrap();
    testing::receive(&subscriber, Duration::from_secs(10))
        .await
        .nack(false)
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let dead = loop {
        let dead = broker.drain_dead_letters(&queue, 10).await.unwrap();
        if !dead.is_empty() || tokio::time::Instant::now() > deadline {
            break dead;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].envelope.as_ref(), Some(&event));
    assert!(dead[0].reason.contains("rejected"), "{}", dead[0].reason);
    broker.delete_queue(&queue).await.unwrap();
    broker.delete_exchanges().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_publishes_from_clones_are_all_confirmed() {
    let Some(url) = require_env(
        "AMQP_URL",
        "concurrent_publishes_from_clones_are_all_confirmed",
    ) else {
        return;
    };
    let broker = broker(&url).await;
    let queue = testing::queue_name("concurrent");
    let subscriber = broker.subscribe(&queue, &["invoice.#"]).await.unwrap();
    let mut tasks = Vec::new();
    let mut want = Vec::new();
    for _ in 0..8 {
        let events = invoice_events(25);
        want.extend(events.iter().map(|e| e.event_id));
        let publisher = broker.publisher();
        tasks.push(tokio::spawn(async move {
            publisher.publish_batch(&events).await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let mut got = Vec::new();
    for _ in 0..want.len() {
        let d = testing::receive(&subscriber, Duration::from_secs(10)).await;
        got.push(d.envelope().event_id);
        d.ack().await.unwrap();
    }
    got.sort();
    want.sort();
    assert_eq!(got, want);
    broker.delete_queue(&queue).await.unwrap();
    broker.delete_exchanges().await.unwrap();
}

#[tokio::test]
async fn bad_credentials_are_a_broker_error_not_a_panic() {
    let Some(url) = require_env("AMQP_URL", "bad_credentials_are_a_broker_error_not_a_panic")
    else {
        return;
    };
    let Some(rest) = url.split_once('@').map(|(_, rest)| rest.to_owned()) else {
        return;
    };
    let wrong = format!("amqp://nobody:wrong@{rest}");
    let result = RabbitMqBroker::connect(wrong, fresh_exchange()).await;
    assert!(
        matches!(
            result,
            Err(Error::Broker {
                backend: "rabbitmq",
                ..
            })
        ),
        "{result:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_feed_subscriber_gets_every_event_on_a_queue_of_its_own() {
    let Some(url) = require_env(
        "AMQP_URL",
        "every_feed_subscriber_gets_every_event_on_a_queue_of_its_own",
    ) else {
        return;
    };
    let broker = broker(&url).await;
    // Two instances of one service, each with its WebSocket clients.
    let first = broker
        .subscribe_feed("test-feed", &["invoice.#"])
        .await
        .unwrap();
    let second = broker
        .subscribe_feed("test-feed", &["invoice.#"])
        .await
        .unwrap();
    assert_ne!(first.queue(), second.queue());
    assert!(first.queue().starts_with("test-feed."), "{}", first.queue());

    let events = invoice_events(5);
    let publisher = broker.publisher();
    for event in &events {
        publisher.publish(event).await.unwrap();
    }
    let sent: Vec<_> = events.iter().map(|e| e.event_id).collect();
    for feed in [&first, &second] {
        let mut received = Vec::new();
        for _ in 0..events.len() {
            let delivery = testing::receive(feed, Duration::from_secs(10)).await;
            received.push(delivery.envelope().event_id);
            delivery.ack().await.unwrap();
        }
        assert_eq!(received, sent, "feed {}", feed.queue());
    }

    // The queue belongs to the subscriber's connection: another connection may not even
    // look at it (RESOURCE_LOCKED), and the broker deletes it when that connection goes.
    let connection = Connection::connect(&url, ConnectionProperties::default())
        .await
        .unwrap();
    let channel = connection.create_channel().await.unwrap();
    let passive = channel
        .queue_declare(
            first.queue().into(),
            lapin::options::QueueDeclareOptions {
                passive: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await
        .expect_err("an exclusive queue is not visible to other connections");
    assert!(passive.to_string().contains("RESOURCE_LOCKED"), "{passive}");
    connection.close(200, "done".into()).await.ok();
    broker.delete_exchanges().await.unwrap();
}
