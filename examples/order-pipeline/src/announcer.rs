//! Publishing the orders the API stored: the outbox's relay.
//!
//! The API stores orders with their announcement pending, in one step, and answers; the
//! [`Announcer`] claims pending announcements under a lease, publishes [`OrderPlaced`] and
//! marks them published. A broker that is down delays orders, never loses them; an
//! announcer that dies after publishing leaves them to be published again when the lease
//! ends, and the checkers' answers for one order are one message each (derived ids), so
//! a second announcement changes nothing.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use invoice_messaging::{CancellationToken, Publisher};

use crate::messages::OrderPlaced;
use crate::store::OrderStore;

/// Moves pending announcements from the store to the broker.
pub struct Announcer {
    orders: Arc<dyn OrderStore>,
    placed: Arc<dyn Publisher<OrderPlaced>>,
    lease: Duration,
}

impl std::fmt::Debug for Announcer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Announcer")
            .field("lease", &self.lease)
            .finish_non_exhaustive()
    }
}

impl Announcer {
    /// An announcer of `orders`' pending announcements on `placed`, with a 30 s lease.
    pub fn new(orders: Arc<dyn OrderStore>, placed: Arc<dyn Publisher<OrderPlaced>>) -> Self {
        Self {
            orders,
            placed,
            lease: Duration::from_secs(30),
        }
    }

    /// One round at `now`: claims up to 100, publishes, marks; returns how many.
    ///
    /// # Errors
    ///
    /// The store's or the broker's error, as text; what was claimed is published again
    /// when its lease ends.
    pub async fn run_once(&self, now: DateTime<Utc>) -> Result<usize, String> {
        let lease_until = now + chrono::Duration::from_std(self.lease).unwrap_or_default();
        let claimed = self
            .orders
            .claim_announcements(now, lease_until, 100)
            .await
            .map_err(|e| e.to_string())?;
        if claimed.is_empty() {
            return Ok(0);
        }
        let messages: Vec<OrderPlaced> = claimed
            .into_iter()
            .map(|order| OrderPlaced { order })
            .collect();
        self.placed
            .publish_batch(&messages)
            .await
            .map_err(|e| e.to_string())?;
        let ids: Vec<_> = messages.iter().map(|m| m.order.id).collect();
        self.orders
            .mark_announced(&ids)
            .await
            .map_err(|e| e.to_string())?;
        Ok(ids.len())
    }

    /// Runs rounds until `shutdown`: at once while there is work, every 100 ms when
    /// there is none, every second after a failure (logged).
    pub async fn run(&self, shutdown: CancellationToken) {
        loop {
            let wait = match self.run_once(Utc::now()).await {
                Ok(0) => Duration::from_millis(100),
                Ok(_) => Duration::ZERO,
                Err(e) => {
                    tracing::warn!(error = %e, "announcing orders failed; trying again");
                    Duration::from_secs(1)
                }
            };
            tokio::select! {
                biased;
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(wait) => {}
            }
        }
    }
}
