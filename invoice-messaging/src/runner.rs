//! Running a handler over a subscription: bounded concurrency, retries with exponential
//! backoff and jitter, dead letters, graceful shutdown.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::error::{Error, Result};
use crate::handler::{Handler, HandlerError};
use crate::message::Message;
use crate::subscriber::{Delivery, Subscriber};

/// How often and how patiently a retryable failure is retried.
///
/// Attempt `n` (from 1) waits `min(initial × 2^(n−1), max)`, scaled by a random factor in
/// `[0.5, 1.0]` (jitter, so that a burst of failures does not retry in lockstep).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// 5 attempts, 100 ms doubling up to 10 s.
    fn default() -> Self {
        Self {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// A policy of `max_attempts` attempts (at least 1) with backoff from `initial` up to `max`.
    pub fn new(max_attempts: u32, initial: Duration, max: Duration) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            initial_backoff: initial,
            max_backoff: max.max(initial),
        }
    }

    /// How many attempts before a message is dead-lettered.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait before attempt `attempt + 1`, without jitter.
    pub fn backoff_ceiling(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.initial_backoff
            .checked_mul(factor)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff)
    }

    /// The wait before attempt `attempt + 1`, with jitter.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self.backoff_ceiling(attempt);
        let half = ceiling / 2;
        let spread = u64::try_from((ceiling - half).as_micros()).unwrap_or(u64::MAX);
        half + Duration::from_micros(fastrand::u64(0..=spread))
    }
}

/// Counters of a running consumer.
#[derive(Debug, Default)]
pub struct RunnerStats {
    handled: AtomicU64,
    retried: AtomicU64,
    dead_lettered: AtomicU64,
    returned: AtomicU64,
}

impl RunnerStats {
    /// Deliveries handled and acknowledged.
    pub fn handled(&self) -> u64 {
        self.handled.load(Ordering::Relaxed)
    }

    /// Handler attempts that failed and were retried.
    pub fn retried(&self) -> u64 {
        self.retried.load(Ordering::Relaxed)
    }

    /// Deliveries moved to the dead-letter queue.
    pub fn dead_lettered(&self) -> u64 {
        self.dead_lettered.load(Ordering::Relaxed)
    }

    /// Deliveries handed back to the broker at shutdown.
    pub fn returned(&self) -> u64 {
        self.returned.load(Ordering::Relaxed)
    }
}

/// Runs a [`Handler`] over a [`Subscriber`].
///
/// Up to `concurrency` deliveries are handled at once. A retryable failure is retried with
/// [`RetryPolicy`] backoff while the delivery is held; after the last attempt, or at once
/// on a permanent failure, the delivery is dead-lettered with the error as its reason.
/// On shutdown no new delivery is taken, in-flight handlers finish, and deliveries
/// waiting for a retry are handed back to the broker (`nack` with requeue).
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use invoice_core::EventEnvelope;
/// use invoice_messaging::{ConsumerRunner, HandlerError, InProcessBroker};
/// use tokio_util::sync::CancellationToken;
///
/// let broker = InProcessBroker::new();
/// let subscriber = broker.subscribe("mailer", &["invoice.issued"])?;
/// let handler = |event: EventEnvelope| async move {
///     println!("send mail for {}", event.invoice_id);
///     Ok::<(), HandlerError>(())
/// };
/// let shutdown = CancellationToken::new();
/// let runner = ConsumerRunner::new(Arc::new(subscriber), Arc::new(handler)).with_concurrency(4);
/// let stats = runner.stats();
/// let task = tokio::spawn(runner.run(shutdown.clone()));
/// shutdown.cancel();
/// task.await??;
/// assert_eq!(stats.handled(), 0);
/// # Ok(())
/// # }
/// ```
pub struct ConsumerRunner<M: Message = invoice_core::EventEnvelope> {
    subscriber: Arc<dyn Subscriber<M>>,
    handler: Arc<dyn Handler<M>>,
    concurrency: usize,
    retry: RetryPolicy,
    stats: Arc<RunnerStats>,
}

impl<M: Message> Clone for ConsumerRunner<M> {
    fn clone(&self) -> Self {
        Self {
            subscriber: Arc::clone(&self.subscriber),
            handler: Arc::clone(&self.handler),
            concurrency: self.concurrency,
            retry: self.retry,
            stats: Arc::clone(&self.stats),
        }
    }
}

impl<M: Message> std::fmt::Debug for ConsumerRunner<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsumerRunner")
            .field("subscriber", &self.subscriber)
            .field("concurrency", &self.concurrency)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl<M: Message> ConsumerRunner<M> {
    /// A runner with concurrency 1 and the default [`RetryPolicy`].
    pub fn new(subscriber: Arc<dyn Subscriber<M>>, handler: Arc<dyn Handler<M>>) -> Self {
        Self {
            subscriber,
            handler,
            concurrency: 1,
            retry: RetryPolicy::default(),
            stats: Arc::new(RunnerStats::default()),
        }
    }

    /// Handles up to `n` deliveries at once (at least 1).
    pub fn with_concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Sets the retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The counters, shared with the running consumer.
    pub fn stats(&self) -> Arc<RunnerStats> {
        Arc::clone(&self.stats)
    }

    /// Consumes until `shutdown` is cancelled or the subscription ends, then drains.
    ///
    /// # Errors
    ///
    /// The subscriber's error when it fails for good.
    pub async fn run(self, shutdown: CancellationToken) -> Result<()> {
        let permits = Arc::new(Semaphore::new(self.concurrency));
        let mut tasks = JoinSet::new();
        let outcome = loop {
            let permit = tokio::select! {
                biased;
                _ = shutdown.cancelled() => break Ok(()),
                permit = Arc::clone(&permits).acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => break Ok(()),
                },
            };
            // Biased: once shut down, never take another delivery, not even one a
            // retrying task has just returned to the queue (it would be handled and
            // returned a second time).
            let next = tokio::select! {
                biased;
                _ = shutdown.cancelled() => break Ok(()),
                next = self.subscriber.next() => next,
            };
            let delivery = match next {
                Ok(Some(delivery)) => delivery,
                Ok(None) => break Ok(()),
                Err(Error::Closed { .. }) => break Ok(()),
                Err(e) => break Err(e),
            };
            let handler = Arc::clone(&self.handler);
            let stats = Arc::clone(&self.stats);
            let retry = self.retry;
            let shutdown = shutdown.clone();
            tasks.spawn(async move {
                handle_one(delivery, handler.as_ref(), retry, &stats, &shutdown).await;
                drop(permit);
            });
            // Reap finished tasks so the set does not grow.
            while tasks.try_join_next().is_some() {}
        };
        while tasks.join_next().await.is_some() {}
        outcome
    }
}

async fn handle_one<M: Message>(
    delivery: Delivery<M>,
    handler: &dyn Handler<M>,
    retry: RetryPolicy,
    stats: &RunnerStats,
    shutdown: &CancellationToken,
) {
    let mut attempt = delivery.attempt();
    loop {
        let result = handler.handle(delivery.envelope()).await;
        let settled = match result {
            Ok(()) => {
                stats.handled.fetch_add(1, Ordering::Relaxed);
                delivery.ack().await
            }
            Err(HandlerError::Permanent(e)) => {
                stats.dead_lettered.fetch_add(1, Ordering::Relaxed);
                let reason = format!("permanent failure: {e}");
                tracing::warn!(message_id = %delivery.envelope().message_id(), %reason, "dead-lettered");
                delivery.dead_letter(&reason).await
            }
            Err(HandlerError::Retryable(e)) if attempt >= retry.max_attempts() => {
                stats.dead_lettered.fetch_add(1, Ordering::Relaxed);
                let reason = format!("failed {attempt} times, last error: {e}");
                tracing::warn!(message_id = %delivery.envelope().message_id(), %reason, "dead-lettered");
                delivery.dead_letter(&reason).await
            }
            Err(HandlerError::Retryable(e)) => {
                stats.retried.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(message_id = %delivery.envelope().message_id(), attempt, error = %e, "retrying");
                let wait = retry.backoff(attempt);
                attempt += 1;
                tokio::select! {
                    _ = tokio::time::sleep(wait) => continue,
                    _ = shutdown.cancelled() => {
                        stats.returned.fetch_add(1, Ordering::Relaxed);
                        delivery.nack(true).await
                    }
                }
            }
        };
        if let Err(e) = settled {
            // The broker will redeliver; the handler must be idempotent anyway.
            tracing::warn!(error = %e, "could not settle a delivery");
        }
        return;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_ceiling_with_jitter_in_range() {
        let policy = RetryPolicy::new(10, Duration::from_millis(100), Duration::from_secs(1));
        assert_eq!(policy.backoff_ceiling(1), Duration::from_millis(100));
        assert_eq!(policy.backoff_ceiling(2), Duration::from_millis(200));
        assert_eq!(policy.backoff_ceiling(4), Duration::from_millis(800));
        assert_eq!(policy.backoff_ceiling(5), Duration::from_secs(1));
        assert_eq!(policy.backoff_ceiling(64), Duration::from_secs(1));
        for attempt in 1..8 {
            let ceiling = policy.backoff_ceiling(attempt);
            for _ in 0..100 {
                let wait = policy.backoff(attempt);
                assert!(
                    wait >= ceiling / 2 && wait <= ceiling,
                    "{wait:?} outside {ceiling:?}"
                );
            }
        }
        assert_eq!(
            RetryPolicy::new(0, Duration::ZERO, Duration::ZERO).max_attempts(),
            1
        );
    }
}
