//! Amazon SQS (or an SQS-compatible server such as moto): queues with a redrive policy to
//! a dead-letter queue, batches of 10, long polling, visibility timeouts extended while a
//! handler runs, FIFO queues ordered per invoice.
//!
//! SQS has no exchange: an [`SqsPublisher`] holds routes (queue URL + binding patterns,
//! matched like an AMQP topic exchange, see [`topic_matches`](crate::topic_matches)) and
//! sends each event to every queue whose pattern matches its routing key: fan-out to
//! several checker queues is a route per queue.

#[cfg(feature = "aws")]
mod aws_defaults;
mod builder;
mod publisher;
mod subscriber;

pub use builder::SqsBrokerBuilder;
pub use publisher::SqsPublisher;
pub use subscriber::{SqsSubscriber, LAST_ERROR_ATTRIBUTE};

use std::time::Duration;

use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use aws_sdk_sqs::Client;

use crate::codec;
use crate::error::{Error, Result};
use crate::message::Message;
use crate::subscriber::DeadLetter;

/// How many times SQS delivers a message before its redrive policy moves it to the DLQ,
/// unless the queue is declared otherwise.
pub const DEFAULT_MAX_RECEIVE_COUNT: u32 = 5;

pub(crate) fn broker_error<E: std::error::Error + Send + Sync + 'static>(e: E) -> Error {
    Error::Broker {
        backend: "sqs",
        source: Box::new(e),
    }
}

/// A declared queue: its URL and its dead-letter queue's URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqsQueue {
    /// The queue's URL.
    pub url: String,
    /// The dead-letter queue's URL.
    pub dlq_url: String,
    /// Whether it is a FIFO queue (ordered per invoice, deduplicated per event id).
    pub fifo: bool,
}

/// How to declare a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueOptions {
    /// FIFO queue: name gets `.fifo`, MessageGroupId = invoice id, MessageDeduplicationId
    /// = event id.
    pub fifo: bool,
    /// Deliveries before the message moves to the DLQ.
    pub max_receive_count: u32,
    /// How long a received message stays invisible to other consumers.
    pub visibility_timeout: Duration,
}

impl Default for QueueOptions {
    fn default() -> Self {
        Self {
            fifo: false,
            max_receive_count: DEFAULT_MAX_RECEIVE_COUNT,
            visibility_timeout: Duration::from_secs(30),
        }
    }
}

/// Declares queues and hands out publishers and subscribers over one SQS client.
#[derive(Debug, Clone)]
pub struct SqsBroker {
    client: Client,
}

impl SqsBroker {
    /// A broker over an SDK client you configured (TLS, credentials, region).
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    /// A builder for an explicit endpoint (a local SQS-compatible server).
    pub fn builder() -> SqsBrokerBuilder {
        SqsBrokerBuilder::new()
    }

    /// The SDK client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Creates (or finds) `name` and its dead-letter queue `name-dlq`, with a redrive
    /// policy after `options.max_receive_count` deliveries.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for an empty name; [`Error::Broker`] when SQS refuses.
    pub async fn declare_queue(&self, name: &str, options: QueueOptions) -> Result<SqsQueue> {
        if name.is_empty() || name.len() > 70 {
            return Err(Error::Config {
                reason: format!("queue name {name:?} must be 1 to 70 characters"),
            });
        }
        let suffix = if options.fifo { ".fifo" } else { "" };
        let dlq_url = self
            .create(&format!("{name}-dlq{suffix}"), options.fifo, Vec::new())
            .await?;
        let dlq_arn = self.queue_arn(&dlq_url).await?;
        let redrive = serde_json::json!({
            "deadLetterTargetArn": dlq_arn,
            "maxReceiveCount": options.max_receive_count.max(1).to_string(),
        })
        .to_string();
        let url = self
            .create(
                &format!("{name}{suffix}"),
                options.fifo,
                vec![
                    (QueueAttributeName::RedrivePolicy, redrive),
                    (
                        QueueAttributeName::VisibilityTimeout,
                        options.visibility_timeout.as_secs().to_string(),
                    ),
                ],
            )
            .await?;
        Ok(SqsQueue {
            url,
            dlq_url,
            fifo: options.fifo,
        })
    }

    /// The ARN of the queue at `url`.
    ///
    /// # Errors
    ///
    /// [`Error::Broker`] when SQS refuses; [`Error::Config`] when it gives no ARN.
    pub async fn queue_arn(&self, url: &str) -> Result<String> {
        self.client
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .map_err(broker_error)?
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
            .ok_or_else(|| Error::Config {
                reason: format!("the queue at {url} has no ARN"),
            })
    }

    /// Sets the access policy (a JSON document) of the queue at `url`: who may send to
    /// it, such as an SNS topic.
    ///
    /// # Errors
    ///
    /// [`Error::Broker`] when SQS refuses.
    pub async fn set_policy(&self, url: &str, policy: &str) -> Result<()> {
        self.client
            .set_queue_attributes()
            .queue_url(url)
            .attributes(QueueAttributeName::Policy, policy)
            .send()
            .await
            .map_err(broker_error)?;
        Ok(())
    }

    async fn create(
        &self,
        name: &str,
        fifo: bool,
        attributes: Vec<(QueueAttributeName, String)>,
    ) -> Result<String> {
        let mut request = self.client.create_queue().queue_name(name);
        if fifo {
            request = request.attributes(QueueAttributeName::FifoQueue, "true");
        }
        for (key, value) in attributes {
            request = request.attributes(key, value);
        }
        let output = request.send().await.map_err(broker_error)?;
        output
            .queue_url()
            .map(str::to_owned)
            .ok_or_else(|| Error::Config {
                reason: format!("SQS returned no URL for {name}"),
            })
    }

    /// Takes up to 10 messages from `queue`'s dead-letter queue (waiting up to `wait`),
    /// deleting them, with their reasons: the `last_error` attribute the runner set, or
    /// the redrive policy's move after too many receives.
    ///
    /// # Errors
    ///
    /// [`Error::Broker`] when SQS fails.
    pub async fn take_dead_letters(
        &self,
        queue: &SqsQueue,
        wait: Duration,
    ) -> Result<Vec<DeadLetter>> {
        self.take_dead_letters_as(queue, wait).await
    }

    /// As [`take_dead_letters`](Self::take_dead_letters), for a queue of messages of
    /// type `M`.
    ///
    /// # Errors
    ///
    /// As [`take_dead_letters`](Self::take_dead_letters).
    pub async fn take_dead_letters_as<M: Message>(
        &self,
        queue: &SqsQueue,
        wait: Duration,
    ) -> Result<Vec<DeadLetter<M>>> {
        let output = self
            .client
            .receive_message()
            .queue_url(&queue.dlq_url)
            .max_number_of_messages(10)
            .wait_time_seconds(i32::try_from(wait.as_secs().min(20)).unwrap_or(0))
            .message_attribute_names("All")
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await
            .map_err(broker_error)?;
        let mut out = Vec::new();
        for message in output.messages() {
            let body = message.body().unwrap_or_default();
            let reason = message
                .message_attributes()
                .and_then(|a| a.get(LAST_ERROR_ATTRIBUTE))
                .and_then(|v| v.string_value())
                .map(str::to_owned)
                .unwrap_or_else(|| {
                    "moved by the redrive policy after too many receives".to_owned()
                });
            out.push(DeadLetter::new(codec::decode(body.as_bytes()).ok(), reason));
            if let Some(receipt) = message.receipt_handle() {
                self.client
                    .delete_message()
                    .queue_url(&queue.dlq_url)
                    .receipt_handle(receipt)
                    .send()
                    .await
                    .map_err(broker_error)?;
            }
        }
        Ok(out)
    }

    /// A publisher with no routes yet.
    pub fn publisher(&self) -> SqsPublisher {
        SqsPublisher::new(self.client.clone())
    }

    /// A subscriber to `queue`.
    pub fn subscriber(&self, queue: &SqsQueue) -> SqsSubscriber {
        self.subscriber_as(queue)
    }

    /// As [`subscriber`](Self::subscriber), for messages of type `M` rather than
    /// invoice events.
    pub fn subscriber_as<M: Message>(&self, queue: &SqsQueue) -> SqsSubscriber<M> {
        SqsSubscriber::new(self.client.clone(), queue.clone())
    }
}
