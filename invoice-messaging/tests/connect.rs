//! Brokers connected from a URL: on each backend, a `Broker` publishes and subscribes as
//! the adapter does (the suite's publish, batch and fan-out functions through it).

use std::sync::Arc;

use async_trait::async_trait;
use invoice_messaging::testing::{self, SuiteCommand, TestBroker};
use invoice_messaging::{connect, Broker, BrokerBuilder, DeadLetter, Error, Publisher, Subscriber};
use invoice_storage::testing::require_env;

/// The suite's view of a `Broker` (without dead letters, which each adapter reads its
/// own way and its own tests cover).
struct Connected {
    broker: Broker,
    ordered: bool,
}

#[async_trait]
impl TestBroker for Connected {
    async fn publisher(&self) -> Arc<dyn Publisher> {
        self.broker.publisher()
    }

    async fn subscriber(&self, queue: &str, patterns: &[&str]) -> Arc<dyn Subscriber> {
        self.broker.subscribe(queue, patterns).await.unwrap()
    }

    async fn dead_letters(&self, _queue: &str) -> Vec<DeadLetter> {
        unreachable!("not used by the functions run here")
    }

    async fn command_publisher(&self) -> Arc<dyn Publisher<SuiteCommand>> {
        self.broker.publisher_as()
    }

    async fn command_subscriber(
        &self,
        queue: &str,
        patterns: &[&str],
    ) -> Arc<dyn Subscriber<SuiteCommand>> {
        self.broker.subscribe_as(queue, patterns).await.unwrap()
    }

    fn orders_per_invoice(&self) -> bool {
        self.ordered
    }

    fn matches_single_words(&self) -> bool {
        // SNS filters by exact key or prefix only.
        self.broker.backend() != "sns"
    }
}

async fn suite(broker: Broker, ordered: bool) {
    let connected = Connected { broker, ordered };
    testing::publish_and_receive(&connected).await;
    testing::batch_arrives_complete_and_ordered(&connected).await;
    testing::routing_fans_out_by_binding(&connected).await;
    testing::commands_travel_beside_events(&connected).await;
}

#[tokio::test]
async fn inprocess_url_connects_the_in_process_broker() {
    let broker = connect("inprocess:").await.unwrap();
    assert_eq!(broker.backend(), "inprocess");
    assert!(broker.in_process().is_some());
    suite(broker, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amqp_url_connects_rabbitmq() {
    let Some(url) = require_env("AMQP_URL", "amqp_url_connects_rabbitmq") else {
        return;
    };
    let exchange = format!("connect-{}", uuid::Uuid::new_v4().simple());
    let broker = BrokerBuilder::new(url)
        .exchange(exchange)
        .connection_name("connect-test")
        .connect()
        .await
        .unwrap();
    assert_eq!(broker.backend(), "rabbitmq");
    suite(broker, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqs_url_connects_sqs_at_the_endpoint() {
    let Some(endpoint) = require_env("AWS_ENDPOINT_URL", "sqs_url_connects_sqs_at_the_endpoint")
    else {
        return;
    };
    let broker = BrokerBuilder::new("sqs:")
        .sqs_endpoint(endpoint)
        .sqs_credentials("testing", "testing")
        .connect()
        .await
        .unwrap();
    assert_eq!(broker.backend(), "sqs");
    suite(broker, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sns_url_connects_a_topic_at_the_endpoint() {
    let Some(endpoint) = require_env(
        "AWS_ENDPOINT_URL",
        "sns_url_connects_a_topic_at_the_endpoint",
    ) else {
        return;
    };
    let topic = format!("sns:connect-{}", uuid::Uuid::new_v4().simple());
    let broker = BrokerBuilder::new(topic)
        .sqs_endpoint(endpoint)
        .sqs_credentials("testing", "testing")
        .connect()
        .await
        .unwrap();
    assert_eq!(broker.backend(), "sns");
    suite(broker, false).await;
}

#[tokio::test]
async fn unknown_urls_are_refused() {
    for url in [
        "kafka://localhost:9092",
        "",
        "rabbitmq",
        "sns:",
        "sns:a topic",
    ] {
        let refused = connect(url).await;
        assert!(
            matches!(refused, Err(Error::InvalidUrl { .. })),
            "{url}: {refused:?}"
        );
    }
}

/// `sqs:` without an endpoint is AWS itself: the SDK's default chain. Here the chain
/// finds moto through `AWS_ENDPOINT_URL` and the credentials and region through
/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_REGION` (`.ci/services.sh` sets
/// them), so the broker passes the suite only if it really took its settings from the
/// chain. The test never runs without `AWS_ENDPOINT_URL`, so it cannot reach AWS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqs_url_without_an_endpoint_uses_the_aws_default_chain() {
    let name = "sqs_url_without_an_endpoint_uses_the_aws_default_chain";
    for var in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"] {
        if require_env(var, name).is_none() {
            return;
        }
    }
    let Some(_endpoint) = require_env("AWS_ENDPOINT_URL", name) else {
        return;
    };
    let broker = connect("sqs:").await.unwrap();
    assert_eq!(broker.backend(), "sqs");
    suite(broker, false).await;
}
