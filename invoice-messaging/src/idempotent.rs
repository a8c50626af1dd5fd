//! Idempotent consumers: skip messages already processed, using an [`InboxStore`].

use std::sync::Arc;

use async_trait::async_trait;
use invoice_core::EventId;
use invoice_storage::InboxStore;

use crate::handler::{Handler, HandlerError};
use crate::message::Message;

/// Wraps a handler so that each [message id](Message::message_id) is handled once per
/// consumer name.
///
/// The inbox is checked before the handler runs and the id recorded after it succeeds:
/// a crash in between runs the handler again on redelivery (at least once), never loses
/// the event. Two deliveries of the same event processed *at the same time* can both run
/// the handler; where that matters, record the id in the same transaction as the
/// handler's own writes (the inbox's unique key then rejects the second).
#[derive(Debug)]
pub struct Idempotent<H> {
    inner: H,
    inbox: Arc<dyn InboxStore>,
    consumer: String,
}

impl<H> Idempotent<H> {
    /// Wraps `inner` for the consumer named `consumer` (one inbox namespace per consumer).
    pub fn new(inner: H, inbox: Arc<dyn InboxStore>, consumer: impl Into<String>) -> Self {
        Self {
            inner,
            inbox,
            consumer: consumer.into(),
        }
    }
}

#[async_trait]
impl<M: Message, H: Handler<M>> Handler<M> for Idempotent<H> {
    async fn handle(&self, envelope: &M) -> Result<(), HandlerError> {
        let id = EventId::from_uuid(envelope.message_id());
        let seen = self
            .inbox
            .contains(&self.consumer, id)
            .await
            .map_err(HandlerError::retryable)?;
        if seen {
            return Ok(());
        }
        self.inner.handle(envelope).await?;
        // A `Duplicate` here means a concurrent delivery finished first; both are done.
        self.inbox
            .record(&self.consumer, id, chrono::Utc::now())
            .await
            .map_err(HandlerError::retryable)?;
        Ok(())
    }
}
