//! Publishing messages: confirmed by the broker before the call returns.

use std::fmt::Debug;

use async_trait::async_trait;
use invoice_core::EventEnvelope;

use crate::error::Result;
use crate::message::Message;

/// Publishes messages (invoice events unless said otherwise). Both methods return only
/// once the broker has confirmed every message (RabbitMQ publisher confirms, the SQS send
/// result); any failure is an error and the caller must publish again (consumers
/// deduplicate on the [message id](Message::message_id)).
///
/// The adapters of this crate publish every [`Message`] type: one publisher serves
/// `Arc<dyn Publisher>` for events and `Arc<dyn Publisher<SendReminder>>` for commands.
#[async_trait]
pub trait Publisher<M: Message = EventEnvelope>: Debug + Send + Sync + 'static {
    /// Publishes messages in order; returns when all are confirmed.
    ///
    /// # Errors
    ///
    /// [`Error::NotConfirmed`](crate::Error::NotConfirmed) when the broker refused or did
    /// not confirm; [`Error::Broker`](crate::Error::Broker) when the connection failed.
    async fn publish_batch(&self, messages: &[M]) -> Result<()>;

    /// Publishes one message; returns when it is confirmed.
    ///
    /// # Errors
    ///
    /// As [`publish_batch`](Self::publish_batch).
    async fn publish(&self, message: &M) -> Result<()> {
        self.publish_batch(std::slice::from_ref(message)).await
    }
}
