//! Receiving from an SQS queue: long polling, visibility extended while held, settle by
//! delete, visibility reset or a send to the dead-letter queue.

use std::collections::VecDeque;
use std::marker::PhantomData;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sqs::types::{Message, MessageAttributeValue, MessageSystemAttributeName};
use aws_sdk_sqs::Client;
use invoice_core::EventEnvelope;
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use super::{broker_error, SqsQueue};
use crate::codec;
use crate::error::Result;
use crate::message::Message as WireMessage;
use crate::subscriber::{Delivery, Settle, Subscriber};

/// The message attribute that carries a dead letter's reason.
pub const LAST_ERROR_ATTRIBUTE: &str = "last_error";

/// A subscription to one SQS queue.
pub struct SqsSubscriber<M = EventEnvelope> {
    client: Client,
    queue: SqsQueue,
    buffer: Mutex<VecDeque<Message>>,
    wait: Duration,
    visibility: Duration,
    _message: PhantomData<fn() -> M>,
}

impl<M> std::fmt::Debug for SqsSubscriber<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqsSubscriber")
            .field("queue", &self.queue)
            .field("wait", &self.wait)
            .field("visibility", &self.visibility)
            .finish_non_exhaustive()
    }
}

impl<M> SqsSubscriber<M> {
    pub(super) fn new(client: Client, queue: SqsQueue) -> Self {
        Self {
            client,
            queue,
            buffer: Mutex::new(VecDeque::new()),
            wait: Duration::from_secs(20),
            visibility: Duration::from_secs(30),
            _message: PhantomData,
        }
    }

    /// How long one receive call waits for messages (long polling, at most 20 s).
    pub fn with_wait(mut self, wait: Duration) -> Self {
        self.wait = wait.min(Duration::from_secs(20));
        self
    }

    /// The visibility timeout of received messages; extended by half of it while held.
    pub fn with_visibility_timeout(mut self, visibility: Duration) -> Self {
        self.visibility = visibility.max(Duration::from_secs(1));
        self
    }

    async fn fill(&self, buffer: &mut VecDeque<Message>) -> Result<()> {
        let output = self
            .client
            .receive_message()
            .queue_url(&self.queue.url)
            .max_number_of_messages(10)
            .wait_time_seconds(i32::try_from(self.wait.as_secs()).unwrap_or(20))
            .visibility_timeout(i32::try_from(self.visibility.as_secs()).unwrap_or(30))
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await
            .map_err(broker_error)?;
        buffer.extend(output.messages().iter().cloned());
        Ok(())
    }

    fn settle_for(&self, message: &Message) -> SqsSettle {
        let receipt = message.receipt_handle().unwrap_or_default().to_owned();
        let keep_alive = CancellationToken::new();
        // Extend the visibility while the delivery is held, so that a slow handler does not
        // see its message handed to another consumer.
        let client = self.client.clone();
        let url = self.queue.url.clone();
        let handle = receipt.clone();
        let visibility = self.visibility;
        let token = keep_alive.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = token.cancelled() => return,
                    _ = tokio::time::sleep(visibility / 2) => {}
                }
                let extended = client
                    .change_message_visibility()
                    .queue_url(&url)
                    .receipt_handle(&handle)
                    .visibility_timeout(i32::try_from(visibility.as_secs()).unwrap_or(30))
                    .send()
                    .await;
                if extended.is_err() {
                    return;
                }
            }
        });
        SqsSettle {
            client: self.client.clone(),
            queue: self.queue.clone(),
            receipt,
            body: message.body().unwrap_or_default().to_owned(),
            keep_alive,
        }
    }
}

#[async_trait]
impl<M: WireMessage> Subscriber<M> for SqsSubscriber<M> {
    async fn next(&self) -> Result<Option<Delivery<M>>> {
        let mut buffer = self.buffer.lock().await;
        loop {
            if buffer.is_empty() {
                self.fill(&mut buffer).await?;
                continue;
            }
            let Some(message) = buffer.pop_front() else {
                continue;
            };
            let attempt = message
                .attributes()
                .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
                .and_then(|n| n.parse().ok())
                .unwrap_or(1);
            let settle = self.settle_for(&message);
            match codec::decode::<M>(message.body().unwrap_or_default().as_bytes()) {
                Ok(envelope) => {
                    return Ok(Some(Delivery::new(envelope, attempt, Box::new(settle))))
                }
                Err(e) => {
                    Box::new(settle).dead_letter(&e.to_string()).await?;
                }
            }
        }
    }
}

struct SqsSettle {
    client: Client,
    queue: SqsQueue,
    receipt: String,
    body: String,
    keep_alive: CancellationToken,
}

impl SqsSettle {
    async fn delete(&self) -> Result<()> {
        self.client
            .delete_message()
            .queue_url(&self.queue.url)
            .receipt_handle(&self.receipt)
            .send()
            .await
            .map_err(broker_error)?;
        Ok(())
    }
}

impl Drop for SqsSettle {
    fn drop(&mut self) {
        self.keep_alive.cancel();
    }
}

#[async_trait]
impl Settle for SqsSettle {
    async fn ack(self: Box<Self>) -> Result<()> {
        self.keep_alive.cancel();
        self.delete().await
    }

    async fn nack(self: Box<Self>, requeue: bool) -> Result<()> {
        self.keep_alive.cancel();
        if requeue {
            // Visible again at once: the next receive gets it, its receive count one higher.
            self.client
                .change_message_visibility()
                .queue_url(&self.queue.url)
                .receipt_handle(&self.receipt)
                .visibility_timeout(0)
                .send()
                .await
                .map_err(broker_error)?;
            Ok(())
        } else {
            self.delete().await
        }
    }

    async fn dead_letter(self: Box<Self>, reason: &str) -> Result<()> {
        self.keep_alive.cancel();
        let mut request = self
            .client
            .send_message()
            .queue_url(&self.queue.dlq_url)
            .message_body(&self.body)
            .message_attributes(
                LAST_ERROR_ATTRIBUTE,
                MessageAttributeValue::builder()
                    .data_type("String")
                    .string_value(reason)
                    .build()
                    .map_err(broker_error)?,
            );
        if self.queue.fifo {
            let id = uuid_like(&self.receipt);
            request = request
                .message_group_id("dead-letters")
                .message_deduplication_id(id);
        }
        request.send().await.map_err(broker_error)?;
        self.delete().await
    }
}

/// A short stable id from a receipt handle (FIFO dead letters need a deduplication id).
fn uuid_like(receipt: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in receipt.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}
