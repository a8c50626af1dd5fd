//! The inbox: which events a consumer has already processed, for idempotent consumers.

use std::fmt::Debug;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use invoice_core::EventId;

use crate::error::Result;

/// Whether [`InboxStore::record`] saw the event for the first time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Recorded {
    /// First time: process it.
    First,
    /// Already recorded: skip it.
    Duplicate,
}

/// Processed event ids, per consumer.
#[async_trait]
pub trait InboxStore: Debug + Send + Sync + 'static {
    /// Records that `consumer` processed `event_id`; says whether it had already.
    /// Concurrent calls with the same id: exactly one gets [`Recorded::First`].
    ///
    /// # Errors
    ///
    /// [`Error::Backend`](crate::Error::Backend) when the store fails.
    async fn record(
        &self,
        consumer: &str,
        event_id: EventId,
        now: DateTime<Utc>,
    ) -> Result<Recorded>;

    /// Whether `consumer` has recorded `event_id`.
    ///
    /// # Errors
    ///
    /// [`Error::Backend`](crate::Error::Backend) when the store fails.
    async fn contains(&self, consumer: &str, event_id: EventId) -> Result<bool>;
}
