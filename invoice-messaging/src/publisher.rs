//! Publishing events: confirmed by the broker before the call returns.

use std::fmt::Debug;

use async_trait::async_trait;
use invoice_core::EventEnvelope;

use crate::error::Result;

/// Publishes event envelopes. Both methods return only once the broker has confirmed
/// every event (RabbitMQ publisher confirms, the SQS send result); any failure is an
/// error and the caller must publish again (consumers deduplicate on the event id).
#[async_trait]
pub trait Publisher: Debug + Send + Sync + 'static {
    /// Publishes events in order; returns when all are confirmed.
    ///
    /// # Errors
    ///
    /// [`Error::NotConfirmed`](crate::Error::NotConfirmed) when the broker refused or did
    /// not confirm; [`Error::Broker`](crate::Error::Broker) when the connection failed.
    async fn publish_batch(&self, envelopes: &[EventEnvelope]) -> Result<()>;

    /// Publishes one event; returns when it is confirmed.
    ///
    /// # Errors
    ///
    /// As [`publish_batch`](Self::publish_batch).
    async fn publish(&self, envelope: &EventEnvelope) -> Result<()> {
        self.publish_batch(std::slice::from_ref(envelope)).await
    }
}
