//! Fan-out and join in memory: one request answered by several parts, joined by
//! correlation id, within one process.
//!
//! The [`Aggregator`] completes a join when every expected reply has arrived, or times
//! out. It keeps its joins in memory: a process that dies loses the replies it had. For
//! a join that must survive a crash (the order pipeline's), keep the replies in a store
//! and decide in one step of it, as `examples/order-pipeline` does.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::oneshot;

/// What happened to a reply offered to [`Aggregator::deliver`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliverOutcome {
    /// Stored; more replies are awaited.
    Waiting,
    /// It was the last reply: the join has completed.
    Completed,
    /// Nobody awaits this correlation id (never registered, completed or timed out).
    Unknown,
    /// This part had already replied; the reply is ignored (at-least-once delivery).
    Duplicate,
    /// The part is not one the join expects.
    Unexpected,
}

/// Why a join did not complete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JoinError {
    /// Not every part replied in time.
    #[error("timed out waiting for {missing:?}")]
    TimedOut {
        /// The parts that did not reply.
        missing: Vec<String>,
    },
    /// The correlation id is already being awaited.
    #[error("correlation id {0} is already awaited")]
    AlreadyAwaited(String),
}

struct Pending<T> {
    expected: BTreeSet<String>,
    received: BTreeMap<String, T>,
    done: Option<oneshot::Sender<BTreeMap<String, T>>>,
}

/// Joins replies by correlation id.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use std::time::Duration;
/// use invoice_messaging::{Aggregator, DeliverOutcome};
///
/// let aggregator: Aggregator<bool> = Aggregator::new();
/// let join = aggregator.expect("order-1", &["balance", "stock"], Duration::from_secs(5)).unwrap();
/// assert_eq!(aggregator.deliver("order-1", "balance", true), DeliverOutcome::Waiting);
/// assert_eq!(aggregator.deliver("order-1", "stock", true), DeliverOutcome::Completed);
/// let replies = join.await.unwrap();
/// assert!(replies.values().all(|ok| *ok));
/// # }
/// ```
pub struct Aggregator<T> {
    pending: Arc<Mutex<HashMap<String, Pending<T>>>>,
}

impl<T> Clone for Aggregator<T> {
    fn clone(&self) -> Self {
        Self {
            pending: Arc::clone(&self.pending),
        }
    }
}

impl<T> std::fmt::Debug for Aggregator<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Aggregator")
            .field("pending", &self.lock().len())
            .finish()
    }
}

impl<T: Send + 'static> Default for Aggregator<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Aggregator<T> {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Pending<T>>> {
        // Each change is one insert or remove: a poisoned map is still consistent.
        self.pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl<T: Send + 'static> Aggregator<T> {
    /// An aggregator with nothing awaited.
    pub fn new() -> Self {
        Self {
            pending: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Starts awaiting replies from `parts` for `correlation_id`; the returned future
    /// resolves with every reply, by part, or with [`JoinError::TimedOut`] after `timeout`.
    ///
    /// # Errors
    ///
    /// [`JoinError::AlreadyAwaited`] when the id is awaited already.
    pub fn expect(
        &self,
        correlation_id: &str,
        parts: &[&str],
        timeout: Duration,
    ) -> Result<impl std::future::Future<Output = Result<BTreeMap<String, T>, JoinError>>, JoinError>
    {
        let (tx, rx) = oneshot::channel();
        {
            let mut pending = self.lock();
            if pending.contains_key(correlation_id) {
                return Err(JoinError::AlreadyAwaited(correlation_id.to_owned()));
            }
            pending.insert(
                correlation_id.to_owned(),
                Pending {
                    expected: parts.iter().map(|p| (*p).to_owned()).collect(),
                    received: BTreeMap::new(),
                    done: Some(tx),
                },
            );
        }
        let this = self.clone();
        let id = correlation_id.to_owned();
        Ok(async move {
            match tokio::time::timeout(timeout, rx).await {
                Ok(Ok(replies)) => Ok(replies),
                _ => {
                    let missing = this
                        .lock()
                        .remove(&id)
                        .map(|p| {
                            p.expected
                                .into_iter()
                                .filter(|e| !p.received.contains_key(e))
                                .collect()
                        })
                        .unwrap_or_default();
                    Err(JoinError::TimedOut { missing })
                }
            }
        })
    }

    /// Offers the reply of `part` for `correlation_id`.
    pub fn deliver(&self, correlation_id: &str, part: &str, reply: T) -> DeliverOutcome {
        let mut pending = self.lock();
        let Some(p) = pending.get_mut(correlation_id) else {
            return DeliverOutcome::Unknown;
        };
        if !p.expected.contains(part) {
            return DeliverOutcome::Unexpected;
        }
        if p.received.contains_key(part) {
            return DeliverOutcome::Duplicate;
        }
        p.received.insert(part.to_owned(), reply);
        if p.received.len() < p.expected.len() {
            return DeliverOutcome::Waiting;
        }
        if let Some(p) = pending.remove(correlation_id) {
            if let Some(done) = p.done {
                // The awaiting side may have given up; the join is complete either way.
                let _ = done.send(p.received);
            }
        }
        DeliverOutcome::Completed
    }

    /// How many joins are awaited.
    pub fn pending(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn join_completes_when_all_parts_reply_and_ignores_duplicates() {
        let agg: Aggregator<u32> = Aggregator::new();
        let join = agg
            .expect("c1", &["a", "b"], Duration::from_secs(5))
            .unwrap();
        assert!(matches!(
            agg.expect("c1", &["a"], Duration::from_secs(1)),
            Err(JoinError::AlreadyAwaited(_))
        ));
        assert_eq!(agg.deliver("c1", "a", 1), DeliverOutcome::Waiting);
        assert_eq!(agg.deliver("c1", "a", 9), DeliverOutcome::Duplicate);
        assert_eq!(agg.deliver("c1", "x", 9), DeliverOutcome::Unexpected);
        assert_eq!(agg.deliver("c1", "b", 2), DeliverOutcome::Completed);
        assert_eq!(agg.deliver("c1", "b", 2), DeliverOutcome::Unknown);
        let replies = join.await.unwrap();
        assert_eq!(replies.get("a"), Some(&1));
        assert_eq!(replies.get("b"), Some(&2));
        assert_eq!(agg.pending(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn join_times_out_naming_the_missing_parts() {
        let agg: Aggregator<u32> = Aggregator::new();
        let join = agg
            .expect("c2", &["balance", "stock"], Duration::from_secs(2))
            .unwrap();
        agg.deliver("c2", "stock", 1);
        assert_eq!(
            join.await,
            Err(JoinError::TimedOut {
                missing: vec!["balance".to_owned()]
            })
        );
        assert_eq!(agg.pending(), 0);
        assert_eq!(agg.deliver("c2", "balance", 1), DeliverOutcome::Unknown);
    }
}
