//! The SNS fan-out adapter against moto (which serves SNS and SQS on one port): the
//! messaging suite, and one message reaching several queues. Set `AWS_ENDPOINT_URL`
//! (`http://127.0.0.1:5000`), as `.ci/services.sh` does; unset, each test is skipped by
//! name.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use invoice_messaging::testing::{self, invoice_events, SuiteCommand, TestBroker};
use invoice_messaging::{
    DeadLetter, Error, Publisher, QueueOptions, SnsBroker, SqsQueue, Subscriber,
};
use invoice_storage::testing::require_env;
use uuid::Uuid;

struct Sns {
    broker: SnsBroker,
    queues: Mutex<Vec<(String, SqsQueue)>>,
}

impl Sns {
    async fn new(endpoint: &str) -> Self {
        let broker = SnsBroker::builder()
            .endpoint(endpoint)
            .credentials("testing", "testing")
            .topic(format!("suite-{}", Uuid::new_v4().simple()))
            .build()
            .await
            .unwrap()
            .with_queue_options(QueueOptions {
                visibility_timeout: Duration::from_secs(5),
                ..QueueOptions::default()
            });
        Self {
            broker,
            queues: Mutex::new(Vec::new()),
        }
    }

    async fn declare(&self, queue: &str, patterns: &[&str]) -> SqsQueue {
        let declared = self.broker.declare(queue, patterns).await.unwrap();
        self.queues
            .lock()
            .unwrap()
            .push((queue.to_owned(), declared.clone()));
        declared
    }
}

#[async_trait]
impl TestBroker for Sns {
    async fn publisher(&self) -> Arc<dyn Publisher> {
        Arc::new(self.broker.publisher())
    }
    async fn subscriber(&self, queue: &str, patterns: &[&str]) -> Arc<dyn Subscriber> {
        let declared = self.declare(queue, patterns).await;
        Arc::new(
            self.broker
                .sqs()
                .subscriber(&declared)
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
            .sqs()
            .take_dead_letters(&declared, Duration::from_secs(1))
            .await
            .unwrap()
    }
    async fn command_publisher(&self) -> Arc<dyn Publisher<SuiteCommand>> {
        Arc::new(self.broker.publisher())
    }
    async fn command_subscriber(
        &self,
        queue: &str,
        patterns: &[&str],
    ) -> Arc<dyn Subscriber<SuiteCommand>> {
        let declared = self.declare(queue, patterns).await;
        Arc::new(
            self.broker
                .sqs()
                .subscriber_as(&declared)
                .with_wait(Duration::from_secs(1)),
        )
    }
    fn orders_per_invoice(&self) -> bool {
        false
    }
    fn matches_single_words(&self) -> bool {
        false
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sns_fan_out_passes_the_messaging_suite() {
    let Some(endpoint) = require_env("AWS_ENDPOINT_URL", "sns_fan_out_passes_the_messaging_suite")
    else {
        return;
    };
    testing::run_all(&Sns::new(&endpoint).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_published_event_reaches_every_subscribed_queue_once() {
    let Some(endpoint) = require_env(
        "AWS_ENDPOINT_URL",
        "one_published_event_reaches_every_subscribed_queue_once",
    ) else {
        return;
    };
    let sns = Sns::new(&endpoint).await;
    let credit = sns
        .subscriber(&testing::queue_name("credit"), &["invoice.#"])
        .await;
    let stock = sns
        .subscriber(&testing::queue_name("stock"), &["invoice.created"])
        .await;
    let other = sns
        .subscriber(&testing::queue_name("other"), &["order.#"])
        .await;
    let events = invoice_events(12);
    sns.publisher().await.publish_batch(&events).await.unwrap();
    let mut got = Vec::new();
    for _ in 0..events.len() {
        let d = testing::receive(credit.as_ref(), Duration::from_secs(20)).await;
        got.push(d.envelope().event_id);
        d.ack().await.unwrap();
    }
    got.sort();
    let mut want: Vec<_> = events.iter().map(|e| e.event_id).collect();
    want.sort();
    assert_eq!(got, want, "all 12, across two PublishBatch calls");
    let created = testing::receive(stock.as_ref(), Duration::from_secs(20)).await;
    assert_eq!(created.envelope(), &events[0]);
    created.ack().await.unwrap();
    assert!(testing::nothing_arrives(stock.as_ref(), Duration::from_millis(500)).await);
    assert!(testing::nothing_arrives(other.as_ref(), Duration::from_millis(500)).await);
}

#[tokio::test]
async fn patterns_sns_cannot_filter_are_refused_before_anything_is_created() {
    let Some(endpoint) = require_env(
        "AWS_ENDPOINT_URL",
        "patterns_sns_cannot_filter_are_refused_before_anything_is_created",
    ) else {
        return;
    };
    let sns = Sns::new(&endpoint).await;
    for bad in [&["invoice.*"][..], &["#.issued"], &[]] {
        let err = sns.broker.declare("never-made", bad).await.unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{bad:?}: {err}");
    }
    let queues = sns
        .broker
        .sqs()
        .client()
        .list_queues()
        .queue_name_prefix("never-made")
        .send()
        .await
        .unwrap();
    assert!(queues.queue_urls().is_empty());
}
