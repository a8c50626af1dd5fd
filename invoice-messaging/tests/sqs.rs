//! The SQS adapter against a real SQS-compatible server (moto in CI): the messaging suite
//! on standard and FIFO queues, visibility timeouts and the redrive policy. Set
//! `AWS_ENDPOINT_URL`, e.g. `http://127.0.0.1:5000`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use invoice_messaging::testing::{self, invoice_events, SuiteCommand, TestBroker};
use invoice_messaging::{
    DeadLetter, Error, Publisher, QueueOptions, SqsBroker, SqsPublisher, SqsQueue, Subscriber,
};
use invoice_storage::testing::require_env;

struct Sqs {
    broker: SqsBroker,
    publisher: SqsPublisher,
    fifo: bool,
    queues: Mutex<Vec<(String, SqsQueue)>>,
}

impl Sqs {
    fn new(endpoint: &str, fifo: bool) -> Self {
        let broker = SqsBroker::builder()
            .endpoint(endpoint)
            .credentials("testing", "testing")
            .build()
            .unwrap();
        let publisher = broker.publisher();
        Self {
            broker,
            publisher,
            fifo,
            queues: Mutex::new(Vec::new()),
        }
    }
}

impl Sqs {
    async fn declare(&self, queue: &str, patterns: &[&str]) -> SqsQueue {
        let options = QueueOptions {
            fifo: self.fifo,
            visibility_timeout: Duration::from_secs(5),
            ..QueueOptions::default()
        };
        let declared = self.broker.declare_queue(queue, options).await.unwrap();
        self.publisher.route(&declared, patterns);
        self.queues
            .lock()
            .unwrap()
            .push((queue.to_owned(), declared.clone()));
        declared
    }
}

#[async_trait]
impl TestBroker for Sqs {
    async fn publisher(&self) -> Arc<dyn Publisher> {
        Arc::new(self.publisher.clone())
    }
    async fn subscriber(&self, queue: &str, patterns: &[&str]) -> Arc<dyn Subscriber> {
        let declared = self.declare(queue, patterns).await;
        Arc::new(
            self.broker
                .subscriber(&declared)
                .with_wait(Duration::from_secs(1)),
        )
    }
    async fn command_publisher(&self) -> Arc<dyn Publisher<SuiteCommand>> {
        Arc::new(self.publisher.clone())
    }
    async fn command_subscriber(
        &self,
        queue: &str,
        patterns: &[&str],
    ) -> Arc<dyn Subscriber<SuiteCommand>> {
        let declared = self.declare(queue, patterns).await;
        Arc::new(
            self.broker
                .subscriber_as(&declared)
                .with_wait(Duration::from_secs(1)),
        )
    }
    async fn dead_letters(&self, queue: &str) -> Vec<DeadLetter> {
        let declared = self
            .queues
            .lock()
            .unwrap()
            .iter()
            .find(|(n, _)| n == queue)
            .map(|(_, q)| q.clone())
            .unwrap();
        self.broker
            .take_dead_letters(&declared, Duration::from_secs(1))
            .await
            .unwrap()
    }
    fn orders_per_invoice(&self) -> bool {
        self.fifo
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqs_standard_queues_pass_the_messaging_suite() {
    let Some(endpoint) = require_env(
        "AWS_ENDPOINT_URL",
        "sqs_standard_queues_pass_the_messaging_suite",
    ) else {
        return;
    };
    testing::run_all(&Sqs::new(&endpoint, false)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqs_fifo_queues_pass_the_messaging_suite_in_order() {
    let Some(endpoint) = require_env(
        "AWS_ENDPOINT_URL",
        "sqs_fifo_queues_pass_the_messaging_suite_in_order",
    ) else {
        return;
    };
    testing::run_all(&Sqs::new(&endpoint, true)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqs_unacked_message_reappears_and_then_goes_to_the_dlq() {
    let Some(endpoint) = require_env(
        "AWS_ENDPOINT_URL",
        "sqs_unacked_message_reappears_and_then_goes_to_the_dlq",
    ) else {
        return;
    };
    let sqs = Sqs::new(&endpoint, false);
    let options = QueueOptions {
        max_receive_count: 2,
        visibility_timeout: Duration::from_secs(1),
        ..QueueOptions::default()
    };
    let queue = sqs
        .broker
        .declare_queue(&testing::queue_name("redrive"), options)
        .await
        .unwrap();
    sqs.publisher.route(&queue, &["invoice.#"]);
    let subscriber = sqs
        .broker
        .subscriber(&queue)
        .with_wait(Duration::from_secs(2))
        .with_visibility_timeout(Duration::from_secs(1));
    let event = invoice_events(1).remove(0);
    sqs.publisher.publish(&event).await.unwrap();

    // Received and dropped unsettled twice: it comes back after the visibility timeout.
    let first = testing::receive(&subscriber, Duration::from_secs(10)).await;
    assert_eq!(first.attempt(), 1);
    drop(first);
    let second = testing::receive(&subscriber, Duration::from_secs(10)).await;
    assert_eq!(second.envelope().event_id, event.event_id);
    assert_eq!(second.attempt(), 2);
    drop(second);
    // After maxReceiveCount = 2 the redrive policy moves it to the DLQ.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(testing::nothing_arrives(&subscriber, Duration::from_secs(3)).await);
    let mut dead = Vec::new();
    for _ in 0..10 {
        dead.extend(
            sqs.broker
                .take_dead_letters(&queue, Duration::from_secs(1))
                .await
                .unwrap(),
        );
        if !dead.is_empty() {
            break;
        }
    }
    assert_eq!(dead.len(), 1);
    assert_eq!(
        dead[0].envelope.as_ref().map(|e| e.event_id),
        Some(event.event_id)
    );
}

#[tokio::test]
async fn sqs_builder_and_declare_reject_bad_settings() {
    assert!(matches!(
        SqsBroker::builder().build(),
        Err(Error::Config { .. })
    ));
    assert!(matches!(
        SqsBroker::builder().endpoint("localhost:5000").build(),
        Err(Error::Config { .. })
    ));
    let broker = SqsBroker::builder()
        .endpoint("http://127.0.0.1:9")
        .build()
        .unwrap();
    assert!(matches!(
        broker.declare_queue("", QueueOptions::default()).await,
        Err(Error::Config { .. })
    ));
    assert!(matches!(
        broker.declare_queue("q", QueueOptions::default()).await,
        Err(Error::Broker { .. })
    ));
}
