//! Fan-out on AWS: one SNS topic, SQS queues subscribed to it.
//!
//! A publisher sends each message once to the topic, with its routing key as the message
//! attribute [`ROUTING_KEY_ATTRIBUTE`]; SNS copies it to every subscribed queue whose
//! filter policy matches, with raw delivery (the queue receives the message's JSON, not an
//! SNS envelope). Queues are SQS queues with their dead-letter queue
//! ([`SqsBroker::declare_queue`]), read by an [`SqsSubscriber`]; several processes may
//! subscribe the same queue and share its messages, and several queues receive each
//! message: the order pipeline's shape, where one placed order reaches the credit and the
//! stock checkers.
//!
//! SNS filters by exact value or prefix, so a queue's binding patterns must be a routing
//! key (`order.placed`), a prefix ending in `.#` (`order.#`: every key that starts with
//! `order.`) or `#` (everything); `*`, or `#` elsewhere, is refused.
//!
//! ```no_run
//! # async fn run() -> invoice_messaging::Result<()> {
//! use invoice_messaging::{Publisher, SnsBroker};
//!
//! let broker = SnsBroker::builder()
//!     .endpoint("http://127.0.0.1:5000")
//!     .credentials("testing", "testing")
//!     .topic("orders")
//!     .build()
//!     .await?;
//! let credit = broker.subscribe("credit-checker", &["invoice.#"]).await?;
//! let stock = broker.subscribe("stock-checker", &["invoice.#"]).await?;
//! let publisher = broker.publisher();
//! # let _ = (credit, stock, publisher);
//! # Ok(())
//! # }
//! ```

use async_trait::async_trait;
use aws_sdk_sns::types::{MessageAttributeValue, PublishBatchRequestEntry};

use crate::codec;
use crate::error::{Error, Result};
use crate::message::Message;
use crate::publisher::Publisher;
use crate::sqs::{QueueOptions, SqsBroker, SqsQueue, SqsSubscriber};

/// The message attribute that carries the routing key, which subscriptions filter on.
pub const ROUTING_KEY_ATTRIBUTE: &str = "routing_key";

/// How many messages one `PublishBatch` call carries at most.
const BATCH: usize = 10;

fn broker_error(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::Broker {
        backend: "sns",
        source: Box::new(e),
    }
}

/// The SNS filter policy for AMQP-style `patterns`, or why SNS cannot express them.
///
/// # Errors
///
/// [`Error::Config`] for no pattern, or one with `*` or with `#` other than as its last
/// word.
///
/// # Examples
///
/// ```
/// use invoice_messaging::sns::filter_policy;
///
/// assert_eq!(
///     filter_policy(&["order.placed", "invoice.#"])?.as_deref(),
///     Some(r#"{"routing_key":["order.placed",{"prefix":"invoice."}]}"#)
/// );
/// assert_eq!(filter_policy(&["#"])?, None, "everything: no filter");
/// assert!(filter_policy(&["order.*.checked"]).is_err());
/// # Ok::<(), invoice_messaging::Error>(())
/// ```
pub fn filter_policy(patterns: &[&str]) -> Result<Option<String>> {
    if patterns.is_empty() {
        return Err(Error::Config {
            reason: "a subscription needs at least one binding pattern".to_owned(),
        });
    }
    let mut allowed = Vec::with_capacity(patterns.len());
    for pattern in patterns {
        let words: Vec<&str> = pattern.split('.').collect();
        let wildcard = |w: &&str| *w == "*" || *w == "#";
        match words.split_last() {
            Some((&"#", [])) => return Ok(None),
            Some((&"#", rest)) if !rest.iter().any(wildcard) => {
                allowed.push(serde_json::json!({ "prefix": format!("{}.", rest.join(".")) }));
            }
            _ if !words.iter().any(wildcard) && !pattern.is_empty() => {
                allowed.push(serde_json::json!(pattern));
            }
            _ => {
                return Err(Error::Config {
                    reason: format!(
                        "SNS filters by exact key or prefix: {pattern:?} cannot be expressed \
                         (use a key, `prefix.#` or `#`)"
                    ),
                })
            }
        }
    }
    Ok(Some(
        serde_json::json!({ ROUTING_KEY_ATTRIBUTE: allowed }).to_string(),
    ))
}

/// One SNS topic and the SQS queues subscribed to it.
#[derive(Debug, Clone)]
pub struct SnsBroker {
    sns: aws_sdk_sns::Client,
    sqs: SqsBroker,
    topic_arn: String,
    options: QueueOptions,
}

impl SnsBroker {
    /// A broker over SDK clients you configured, publishing to the topic `topic_arn`.
    pub fn new(sns: aws_sdk_sns::Client, sqs: SqsBroker, topic_arn: impl Into<String>) -> Self {
        Self {
            sns,
            sqs,
            topic_arn: topic_arn.into(),
            options: QueueOptions::default(),
        }
    }

    /// A builder for an explicit endpoint (a local server that speaks SNS and SQS).
    pub fn builder() -> SnsBrokerBuilder {
        SnsBrokerBuilder::default()
    }

    /// Creates (or finds) the standard topic `name` and returns its ARN.
    ///
    /// # Errors
    ///
    /// [`Error::Broker`] when SNS refuses.
    pub async fn create_topic(sns: &aws_sdk_sns::Client, name: &str) -> Result<String> {
        let output = sns
            .create_topic()
            .name(name)
            .send()
            .await
            .map_err(broker_error)?;
        output
            .topic_arn()
            .map(str::to_owned)
            .ok_or_else(|| Error::Config {
                reason: format!("SNS returned no ARN for the topic {name}"),
            })
    }

    /// Declares queues with `options` (visibility timeout, receives before the
    /// dead-letter queue) instead of the defaults. FIFO queues are refused at subscribe:
    /// the topic is a standard one.
    pub fn with_queue_options(mut self, options: QueueOptions) -> Self {
        self.options = options;
        self
    }

    /// The topic's ARN.
    pub fn topic_arn(&self) -> &str {
        &self.topic_arn
    }

    /// The SQS side: dead letters ([`SqsBroker::take_dead_letters`]), queue deletion.
    pub fn sqs(&self) -> &SqsBroker {
        &self.sqs
    }

    /// A publisher to the topic.
    pub fn publisher(&self) -> SnsPublisher {
        SnsPublisher {
            sns: self.sns.clone(),
            topic_arn: self.topic_arn.clone(),
        }
    }

    /// Declares the queue `queue` (with its dead-letter queue), lets the topic send to it,
    /// subscribes it to the messages whose routing key matches `patterns` and returns its
    /// declaration. Subscribing again changes nothing.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for patterns SNS cannot express ([`filter_policy`]) or a FIFO
    /// queue; [`Error::Broker`] when SNS or SQS refuses.
    pub async fn declare(&self, queue: &str, patterns: &[&str]) -> Result<SqsQueue> {
        let filter = filter_policy(patterns)?;
        if self.options.fifo {
            return Err(Error::Config {
                reason: "an SNS standard topic cannot feed FIFO queues".to_owned(),
            });
        }
        let declared = self.sqs.declare_queue(queue, self.options).await?;
        let arn = self.sqs.queue_arn(&declared.url).await?;
        // On AWS a queue takes messages only from whom its policy names: this topic.
        let policy = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": { "Service": "sns.amazonaws.com" },
                "Action": "sqs:SendMessage",
                "Resource": arn,
                "Condition": { "ArnEquals": { "aws:SourceArn": self.topic_arn } }
            }]
        });
        self.sqs
            .set_policy(&declared.url, &policy.to_string())
            .await?;
        let mut request = self
            .sns
            .subscribe()
            .topic_arn(&self.topic_arn)
            .protocol("sqs")
            .endpoint(arn)
            .attributes("RawMessageDelivery", "true")
            .return_subscription_arn(true);
        if let Some(filter) = filter {
            request = request.attributes("FilterPolicy", filter);
        }
        request.send().await.map_err(broker_error)?;
        Ok(declared)
    }

    /// Declares and subscribes `queue` ([`declare`](Self::declare)) and reads its invoice
    /// events.
    ///
    /// # Errors
    ///
    /// As [`declare`](Self::declare).
    pub async fn subscribe(&self, queue: &str, patterns: &[&str]) -> Result<SqsSubscriber> {
        self.subscribe_as(queue, patterns).await
    }

    /// As [`subscribe`](Self::subscribe), for messages of type `M`.
    ///
    /// # Errors
    ///
    /// As [`declare`](Self::declare).
    pub async fn subscribe_as<M: Message>(
        &self,
        queue: &str,
        patterns: &[&str],
    ) -> Result<SqsSubscriber<M>> {
        let declared = self.declare(queue, patterns).await?;
        Ok(self.sqs.subscriber_as(&declared))
    }
}

#[cfg(feature = "aws")]
impl SnsBroker {
    /// A broker on AWS itself with the SDK's default configuration (as
    /// [`SqsBroker::from_aws_defaults`]), publishing to the topic `topic`, created if
    /// missing.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the default chain finds no region; [`Error::Broker`] when
    /// the topic cannot be created.
    pub async fn from_aws_defaults(topic: &str) -> Result<Self> {
        use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};

        let https = aws_smithy_http_client::Builder::new()
            .tls_provider(Provider::Rustls(CryptoMode::Ring))
            .build_https();
        let shared = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(https)
            .load()
            .await;
        if shared.region().is_none() {
            return Err(Error::Config {
                reason: "the AWS default chain found no region: set AWS_REGION, or region in \
                         the AWS config file"
                    .to_owned(),
            });
        }
        let sns = aws_sdk_sns::Client::new(&shared);
        let sqs = SqsBroker::new(aws_sdk_sqs::Client::new(&shared));
        let topic_arn = Self::create_topic(&sns, topic).await?;
        Ok(Self::new(sns, sqs, topic_arn))
    }
}

/// Publishes to an SNS topic; confirmed when SNS has accepted each message (it then
/// delivers to the subscribed queues on its own).
#[derive(Debug, Clone)]
pub struct SnsPublisher {
    sns: aws_sdk_sns::Client,
    topic_arn: String,
}

#[async_trait]
impl<M: Message> Publisher<M> for SnsPublisher {
    async fn publish_batch(&self, messages: &[M]) -> Result<()> {
        // Encode everything first: a bad message sends nothing.
        let mut entries = Vec::with_capacity(messages.len());
        for (i, message) in messages.iter().enumerate() {
            let body = String::from_utf8(codec::encode(message)?).map_err(|e| Error::Decode {
                reason: e.to_string(),
            })?;
            let key = MessageAttributeValue::builder()
                .data_type("String")
                .string_value(message.routing_key())
                .build()
                .map_err(broker_error)?;
            let entry = PublishBatchRequestEntry::builder()
                .id(format!("m{}", i % BATCH))
                .message(body)
                .message_attributes(ROUTING_KEY_ATTRIBUTE, key)
                .build()
                .map_err(broker_error)?;
            entries.push((message.message_id(), entry));
        }
        for chunk in entries.chunks(BATCH) {
            let not_confirmed =
                |index: usize, source: crate::error::BoxError| Error::NotConfirmed {
                    backend: "sns",
                    event_id: chunk
                        .get(index)
                        .map(|(id, _)| id.to_string())
                        .unwrap_or_default(),
                    source: Some(source),
                };
            let output = self
                .sns
                .publish_batch()
                .topic_arn(&self.topic_arn)
                .set_publish_batch_request_entries(Some(
                    chunk.iter().map(|(_, e)| e.clone()).collect(),
                ))
                .send()
                .await
                .map_err(|e| not_confirmed(0, Box::new(e)))?;
            if let Some(failed) = output.failed().first() {
                let index = failed.id().trim_start_matches('m').parse().unwrap_or(0);
                return Err(not_confirmed(
                    index,
                    format!(
                        "{}: {}",
                        failed.code(),
                        failed.message().unwrap_or_default()
                    )
                    .into(),
                ));
            }
        }
        Ok(())
    }
}

/// Builds an [`SnsBroker`] for an explicit endpoint that serves SNS and SQS (moto, a
/// LocalStack), over plain HTTP, creating the topic.
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct SnsBrokerBuilder {
    endpoint: Option<String>,
    region: Option<String>,
    credentials: Option<(String, String)>,
    topic: Option<String>,
}

impl SnsBrokerBuilder {
    /// The server's URL.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The region (`us-east-1` by default).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Static credentials.
    pub fn credentials(mut self, key: impl Into<String>, secret: impl Into<String>) -> Self {
        self.credentials = Some((key.into(), secret.into()));
        self
    }

    /// The topic's name (created if missing).
    pub fn topic(mut self, name: impl Into<String>) -> Self {
        self.topic = Some(name.into());
        self
    }

    /// Checks the settings, creates the topic and builds the broker.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] without an endpoint or a topic, or with an endpoint that is not
    /// an http(s) URL; [`Error::Broker`] when the topic cannot be created.
    pub async fn build(self) -> Result<SnsBroker> {
        use aws_sdk_sns::config::{BehaviorVersion, Credentials, Region};

        let endpoint = self.endpoint.ok_or_else(|| Error::Config {
            reason: "an endpoint is required; use SnsBroker::new for AWS".to_owned(),
        })?;
        let topic = self.topic.ok_or_else(|| Error::Config {
            reason: "an SNS broker needs a topic name".to_owned(),
        })?;
        let region = self.region.unwrap_or_else(|| "us-east-1".to_owned());
        let (key, secret) = self
            .credentials
            .unwrap_or_else(|| ("anonymous".to_owned(), "anonymous".to_owned()));
        let sqs = SqsBroker::builder()
            .endpoint(endpoint.clone())
            .region(region.clone())
            .credentials(key.clone(), secret.clone())
            .build()?;
        let config = aws_sdk_sns::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .region(Region::new(region))
            .endpoint_url(endpoint)
            .credentials_provider(Credentials::new(key, secret, None, None, "static"))
            .build();
        let sns = aws_sdk_sns::Client::from_conf(config);
        let topic_arn = SnsBroker::create_topic(&sns, &topic).await?;
        Ok(SnsBroker::new(sns, sqs, topic_arn))
    }
}
