//! Receiving events: deliveries that must be acknowledged.

use std::fmt::{self, Debug};

use async_trait::async_trait;
use invoice_core::EventEnvelope;

use crate::error::Result;

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

/// One delivered event, to be settled exactly once by [`ack`](Self::ack),
/// [`nack`](Self::nack) or [`dead_letter`](Self::dead_letter). Dropped unsettled, the
/// broker redelivers it (after the channel closes or the visibility timeout ends).
pub struct Delivery {
    envelope: EventEnvelope,
    attempt: u32,
    settle: Box<dyn Settle>,
}

impl Delivery {
    /// A delivery of `envelope`, delivered for the `attempt`-th time (1 the first time).
    pub fn new(envelope: EventEnvelope, attempt: u32, settle: Box<dyn Settle>) -> Self {
        Self {
            envelope,
            attempt: attempt.max(1),
            settle,
        }
    }

    /// The event.
    pub fn envelope(&self) -> &EventEnvelope {
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

impl Debug for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delivery")
            .field("event_id", &self.envelope.event_id)
            .field("event", &self.envelope.event.name())
            .field("attempt", &self.attempt)
            .finish_non_exhaustive()
    }
}

/// A subscription to one queue.
#[async_trait]
pub trait Subscriber: Debug + Send + Sync + 'static {
    /// Waits for the next delivery; `None` when the subscription has ended. Messages that
    /// are not event envelopes are dead-lettered by the adapter, never returned.
    ///
    /// # Errors
    ///
    /// [`Error::Broker`](crate::Error::Broker) when the connection failed and could not
    /// be restored.
    async fn next(&self) -> Result<Option<Delivery>>;
}

/// A message in a dead-letter queue, with the reason it is there.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeadLetter {
    /// The event, when the message was one.
    pub envelope: Option<EventEnvelope>,
    /// Why it was dead-lettered (the handler's last error).
    pub reason: String,
}

impl DeadLetter {
    /// A dead letter.
    pub fn new(envelope: Option<EventEnvelope>, reason: impl Into<String>) -> Self {
        Self {
            envelope,
            reason: reason.into(),
        }
    }
}
