//! The outbox relay: claims events from an [`OutboxStore`], publishes them, marks them
//! published. Several relays may run at once: leases keep them apart.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use invoice_storage::OutboxStore;
use tokio_util::sync::CancellationToken;

use crate::error::Result;
use crate::publisher::Publisher;

/// Moves events from the outbox to the broker.
///
/// A crash between publishing and marking leaves the events unmarked: when their lease
/// ends another relay publishes them again, and consumers deduplicate on the event id.
#[derive(Debug, Clone)]
pub struct OutboxRelay {
    outbox: Arc<dyn OutboxStore>,
    publisher: Arc<dyn Publisher>,
    batch_size: u32,
    lease: Duration,
    idle_wait: Duration,
}

impl OutboxRelay {
    /// A relay with batches of 100, a 30 s lease and a 200 ms wait when the outbox is empty.
    pub fn new(outbox: Arc<dyn OutboxStore>, publisher: Arc<dyn Publisher>) -> Self {
        Self {
            outbox,
            publisher,
            batch_size: 100,
            lease: Duration::from_secs(30),
            idle_wait: Duration::from_millis(200),
        }
    }

    /// Events claimed and published per round (at least 1).
    pub fn with_batch_size(mut self, n: u32) -> Self {
        self.batch_size = n.max(1);
        self
    }

    /// How long a claim keeps other relays away; must exceed a publish round.
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// How long to wait when there was nothing to publish.
    pub fn with_idle_wait(mut self, wait: Duration) -> Self {
        self.idle_wait = wait;
        self
    }

    /// One round at time `now`: claim a batch, publish it, mark it. Returns how many
    /// events were published.
    ///
    /// # Errors
    ///
    /// The outbox's or publisher's error; nothing of the batch is marked then.
    pub async fn run_once(&self, now: DateTime<Utc>) -> Result<usize> {
        let claimed = self.outbox.claim(self.batch_size, self.lease, now).await?;
        if claimed.is_empty() {
            return Ok(0);
        }
        let envelopes: Vec<_> = claimed.into_iter().map(|c| c.envelope).collect();
        self.publisher.publish_batch(&envelopes).await?;
        let ids: Vec<_> = envelopes.iter().map(|e| e.event_id).collect();
        self.outbox.mark_published(&ids, now).await?;
        Ok(envelopes.len())
    }

    /// Runs rounds until `shutdown` is cancelled. Errors are logged and retried after
    /// the idle wait (the broker or database may be restarting).
    pub async fn run(&self, shutdown: CancellationToken) {
        while !shutdown.is_cancelled() {
            let wait = match self.run_once(Utc::now()).await {
                Ok(0) => self.idle_wait,
                Ok(_) => Duration::ZERO,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox relay round failed");
                    self.idle_wait
                }
            };
            if wait.is_zero() {
                // A store and a publisher that answer at once (in memory, in process)
                // never hand the thread back on their own: without this, a backlog keeps
                // the relay on its worker and the requests queued there wait for it.
                tokio::task::yield_now().await;
            } else {
                tokio::select! {
                    _ = shutdown.cancelled() => {}
                    _ = tokio::time::sleep(wait) => {}
                }
            }
        }
    }
}
