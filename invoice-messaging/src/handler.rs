//! What consumers implement: handling one message.

use async_trait::async_trait;
use invoice_core::EventEnvelope;

use crate::error::BoxError;
use crate::message::Message;

/// Why a handler failed, which decides what happens to the message.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// Worth another try (a timeout, a server that is down): retried with backoff.
    #[error("retryable: {0}")]
    Retryable(BoxError),
    /// Never going to work (malformed data, a rule violation): dead-lettered at once.
    #[error("permanent: {0}")]
    Permanent(BoxError),
}

impl HandlerError {
    /// A retryable failure from any error or message.
    pub fn retryable(e: impl Into<BoxError>) -> Self {
        Self::Retryable(e.into())
    }

    /// A permanent failure from any error or message.
    pub fn permanent(e: impl Into<BoxError>) -> Self {
        Self::Permanent(e.into())
    }
}

/// Handles messages (invoice events unless said otherwise). Must tolerate seeing a
/// message twice (delivery is at least once), or be wrapped in
/// [`Idempotent`](crate::Idempotent).
#[async_trait]
pub trait Handler<M: Message = EventEnvelope>: Send + Sync + 'static {
    /// Handles one message.
    ///
    /// # Errors
    ///
    /// A [`HandlerError`] saying whether to retry.
    async fn handle(&self, envelope: &M) -> Result<(), HandlerError>;
}

#[async_trait]
impl<M, F, Fut> Handler<M> for F
where
    M: Message,
    F: Fn(M) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), HandlerError>> + Send + 'static,
{
    async fn handle(&self, envelope: &M) -> Result<(), HandlerError> {
        self(envelope.clone()).await
    }
}
