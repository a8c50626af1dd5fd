//! The transactional outbox: events saved with the invoice change that caused them, then
//! claimed by relays under a lease and marked published.

use std::fmt::Debug;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use invoice_core::{EventEnvelope, EventId};

use crate::error::Result;

/// An outbox event handed to one relay until its lease ends.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClaimedEvent {
    /// The outbox's insertion sequence: relays publish in this order.
    pub seq: i64,
    /// The event.
    pub envelope: EventEnvelope,
    /// How many times it has been claimed, this claim included.
    pub attempts: u32,
}

/// The outbox. Events get in through [`InvoiceStore`](crate::InvoiceStore) writes, in
/// the same transaction as the invoice, or through [`append`](Self::append).
///
/// A relay [`claim`](Self::claim)s a batch, publishes it, and
/// [`mark_published`](Self::mark_published)s it. While a lease runs no other relay gets the
/// same event; when a relay dies its lease ends and another one re-publishes (consumers
/// deduplicate on the event id).
#[async_trait]
pub trait OutboxStore: Debug + Send + Sync + 'static {
    /// Appends events outside an invoice write.
    ///
    /// # Errors
    ///
    /// [`Error::AlreadyExists`](crate::Error::AlreadyExists) when an event id is in the
    /// outbox already (then none is appended).
    async fn append(&self, events: &[EventEnvelope]) -> Result<()>;

    /// Claims up to `limit` unpublished events whose lease is free at `now`, oldest first,
    /// and leases them until `now + lease`.
    ///
    /// # Errors
    ///
    /// [`Error::Backend`](crate::Error::Backend) when the store fails.
    async fn claim(
        &self,
        limit: u32,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> Result<Vec<ClaimedEvent>>;

    /// Marks events published; they are never claimed again. Unknown ids are ignored, so a
    /// relay whose lease ran out may mark what another relay also published.
    ///
    /// # Errors
    ///
    /// [`Error::Backend`](crate::Error::Backend) when the store fails.
    async fn mark_published(&self, ids: &[EventId], now: DateTime<Utc>) -> Result<()>;

    /// How many events are not yet published.
    ///
    /// # Errors
    ///
    /// [`Error::Backend`](crate::Error::Backend) when the store fails.
    async fn pending(&self) -> Result<u64>;
}
