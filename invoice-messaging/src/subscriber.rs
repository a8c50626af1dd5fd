//! Receiving messages: deliveries that must be acknowledged.

use std::fmt::{self, Debug};

use async_trait::async_trait;
use invoice_core::EventEnvelope;

use crate::error::Result;
use crate::message::Message;

/// How a backend settles one delivery. Implemented by each adapter.
#[async_trait]
pub trait Settle: Send + Sync + 'static {
    /// Done: remove the message.
    async fn ack(self: Box<Self>) -> Result<()>;
    /// Not done: put it back for another delivery (`requeue`) or drop it.
    async fn nack(self: Box<Self>, requeue: bool) -> Result<()>;
    /// Give up: move the message to the dead-letter queue with `reason`.
    async fn dead_letter(self: Box<Self>, reason: &str) -> Result<()>;
}

/// One delivered message, to be settled exactly once by [`ack`](Self::ack),
/// [`nack`](Self::nack) or [`dead_letter`](Self::dead_letter). Dropped unsettled, the
/// broker redelivers it (after the channel closes or the visibility timeout ends).
pub struct Delivery<M = EventEnvelope> {
    envelope: M,
    attempt: u32,
    settle: Box<dyn Settle>,
}

impl<M: Message> Delivery<M> {
    /// A delivery of `envelope`, delivered for the `attempt`-th time (1 the first time).
    pub fn new(envelope: M, attempt: u32, settle: Box<dyn Settle>) -> Self {
        Self {
            envelope,
            attempt: attempt.max(1),
            settle,
        }
    }

    /// The message.
    pub fn envelope(&self) -> &M {
        &self.envelope
    }

    /// How many times the broker has delivered it, this time included.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// Acknowledges: the message is removed.
    ///
    /// # Errors
    ///
    /// [`Error::Broker`](crate::Error::Broker) when the broker cannot be told (the message
    /// will then be delivered again).
    pub async fn ack(self) -> Result<()> {
        self.settle.ack().await
    }

    /// Rejects: with `requeue` the message is delivered again, without it it is dropped
    /// (or dead-lettered by the broker's own policy).
    ///
    /// # Errors
    ///
    /// As [`ack`](Self::ack).
    pub async fn nack(self, requeue: bool) -> Result<()> {
        self.settle.nack(requeue).await
    }

    /// Moves the message to the dead-letter queue with `reason`.
    ///
    /// # Errors
    ///
    /// As [`ack`](Self::ack).
    pub async fn dead_letter(self, reason: &str) -> Result<()> {
        self.settle.dead_letter(reason).await
    }
}

impl<M: Message> Debug for Delivery<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delivery")
            .field("message_id", &self.envelope.message_id())
            .field("routing_key", &self.envelope.routing_key())
            .field("attempt", &self.attempt)
            .finish_non_exhaustive()
    }
}

/// A subscription to one queue, delivering messages of type `M` (invoice events unless
/// said otherwise). The adapters of this crate subscribe to any [`Message`] type.
#[async_trait]
pub trait Subscriber<M: Message = EventEnvelope>: Debug + Send + Sync + 'static {
    /// Waits for the next delivery; `None` when the subscription has ended. Messages that
    /// do not decode as `M` are dead-lettered by the adapter, never returned.
    ///
    /// # Errors
    ///
    /// [`Error::Broker`](crate::Error::Broker) when the connection failed and could not
    /// be restored.
    async fn next(&self) -> Result<Option<Delivery<M>>>;
}

/// A message in a dead-letter queue, with the reason it is there.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeadLetter<M = EventEnvelope> {
    /// The message, when it decodes as `M`.
    pub envelope: Option<M>,
    /// Why it was dead-lettered (the handler's last error).
    pub reason: String,
}

impl<M> DeadLetter<M> {
    /// A dead letter.
    pub fn new(envelope: Option<M>, reason: impl Into<String>) -> Self {
        Self {
            envelope,
            reason: reason.into(),
        }
    }
}
