//! An in-process broker on tokio channels: topic routing like AMQP, acknowledgements,
//! redelivery and dead letters, for one binary and for tests.

use std::collections::{HashMap, VecDeque};
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use invoice_core::EventEnvelope;
use tokio::sync::Notify;

use crate::codec;
use crate::error::{Error, Result};
use crate::message::Message;
use crate::publisher::Publisher;
use crate::subscriber::{DeadLetter, Delivery, Settle, Subscriber};

/// Whether an AMQP-style binding pattern matches a routing key: words separated by `.`,
/// `*` matches one word, `#` zero or more.
///
/// ```
/// use invoice_messaging::topic_matches;
///
/// assert!(topic_matches("invoice.*", "invoice.issued"));
/// assert!(topic_matches("invoice.#", "invoice.payment_recorded"));
/// assert!(!topic_matches("invoice.issued", "invoice.paid"));
/// ```
pub fn topic_matches(pattern: &str, key: &str) -> bool {
    fn go(p: &[&str], k: &[&str]) -> bool {
        match (p.split_first(), k.split_first()) {
            (None, None) => true,
            (Some((&"#", rest)), _) => go(rest, k) || (!k.is_empty() && go(p, &k[1..])),
            (Some((&"*", rest)), Some((_, krest))) => go(rest, krest),
            (Some((word, rest)), Some((kword, krest))) => word == kword && go(rest, krest),
            _ => false,
        }
    }
    let p: Vec<&str> = pattern.split('.').collect();
    let k: Vec<&str> = key.split('.').collect();
    go(&p, &k)
}

#[derive(Debug, Default)]
struct Queue {
    patterns: Vec<String>,
    /// Encoded messages with their delivery count: a queue holds bytes, as a broker
    /// does, and each subscriber decodes them as the type it reads.
    ready: VecDeque<(Arc<[u8]>, u32)>,
    dead: Vec<(Arc<[u8]>, String)>,
    unacked: usize,
}

#[derive(Debug, Default)]
struct State {
    queues: HashMap<String, Queue>,
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    notify: Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Every change is a single push or pop: a poisoned state is still consistent.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// An in-process broker. Queues are declared with binding patterns; a published event is
/// copied to every queue whose pattern matches its routing key (`invoice.<event>`), so one
/// event fans out to several consumers. Within a queue, delivery is in publish order.
///
/// # Examples
///
/// ```
/// use invoice_messaging::InProcessBroker;
///
/// let broker = InProcessBroker::new();
/// let _mailer = broker.subscribe("mailer", &["invoice.*"])?;
/// let _archiver = broker.subscribe("archiver", &["invoice.issued"])?;
/// let publisher = broker.publisher();
/// # let _ = publisher;
/// # Ok::<(), invoice_messaging::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct InProcessBroker {
    shared: Arc<Shared>,
}

impl InProcessBroker {
    /// A broker with no queues.
    pub fn new() -> Self {
        Self::default()
    }

    /// A publisher into this broker.
    pub fn publisher(&self) -> InProcessPublisher {
        InProcessPublisher {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Declares `queue` (if new) bound to `patterns`, and subscribes to it. Several
    /// subscribers of one queue compete for its messages.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for an empty queue name or no pattern.
    pub fn subscribe(&self, queue: &str, patterns: &[&str]) -> Result<InProcessSubscriber> {
        self.subscribe_as(queue, patterns)
    }

    /// As [`subscribe`](Self::subscribe), for messages of type `M` rather than invoice
    /// events.
    ///
    /// # Errors
    ///
    /// As [`subscribe`](Self::subscribe).
    pub fn subscribe_as<M: Message>(
        &self,
        queue: &str,
        patterns: &[&str],
    ) -> Result<InProcessSubscriber<M>> {
        if queue.is_empty() || patterns.is_empty() {
            return Err(Error::Config {
                reason: "a queue needs a name and at least one binding pattern".to_owned(),
            });
        }
        let mut state = self.shared.lock();
        let q = state.queues.entry(queue.to_owned()).or_default();
        for p in patterns {
            if !q.patterns.iter().any(|x| x == p) {
                q.patterns.push((*p).to_owned());
            }
        }
        Ok(InProcessSubscriber {
            shared: Arc::clone(&self.shared),
            queue: queue.to_owned(),
            _message: PhantomData,
        })
    }

    /// The events dead-lettered from `queue`, oldest first.
    pub fn dead_letters(&self, queue: &str) -> Vec<DeadLetter> {
        self.dead_letters_as(queue)
    }

    /// The messages dead-lettered from `queue`, oldest first, decoded as `M` where they
    /// can be.
    pub fn dead_letters_as<M: Message>(&self, queue: &str) -> Vec<DeadLetter<M>> {
        self.shared
            .lock()
            .queues
            .get(queue)
            .map(|q| {
                q.dead
                    .iter()
                    .map(|(body, reason)| DeadLetter::new(codec::decode(body).ok(), reason.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// How many messages wait in `queue`, and how many are delivered but not settled.
    pub fn depth(&self, queue: &str) -> (usize, usize) {
        self.shared
            .lock()
            .queues
            .get(queue)
            .map_or((0, 0), |q| (q.ready.len(), q.unacked))
    }
}

/// Publishes into an [`InProcessBroker`]; confirmed as soon as queued.
#[derive(Debug, Clone)]
pub struct InProcessPublisher {
    shared: Arc<Shared>,
}

#[async_trait]
impl<M: Message> Publisher<M> for InProcessPublisher {
    async fn publish_batch(&self, messages: &[M]) -> Result<()> {
        // Encode everything first: a bad message sends nothing.
        let encoded = messages
            .iter()
            .map(|m| Ok((m.routing_key(), Arc::from(codec::encode(m)?))))
            .collect::<Result<Vec<(String, Arc<[u8]>)>>>()?;
        {
            let mut state = self.shared.lock();
            for (key, body) in encoded {
                for q in state.queues.values_mut() {
                    if q.patterns.iter().any(|p| topic_matches(p, &key)) {
                        q.ready.push_back((Arc::clone(&body), 1));
                    }
                }
            }
        }
        self.shared.notify.notify_waiters();
        Ok(())
    }
}

/// A subscription to one queue of an [`InProcessBroker`].
pub struct InProcessSubscriber<M = EventEnvelope> {
    shared: Arc<Shared>,
    queue: String,
    _message: PhantomData<fn() -> M>,
}

impl<M> Clone for InProcessSubscriber<M> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
            queue: self.queue.clone(),
            _message: PhantomData,
        }
    }
}

impl<M> std::fmt::Debug for InProcessSubscriber<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcessSubscriber")
            .field("queue", &self.queue)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl<M: Message> Subscriber<M> for InProcessSubscriber<M> {
    async fn next(&self) -> Result<Option<Delivery<M>>> {
        loop {
            // Register interest before checking, so a publish in between is not missed.
            let notified = self.shared.notify.notified();
            {
                let mut state = self.shared.lock();
                let queue = state.queues.get_mut(&self.queue).ok_or(Error::Closed {
                    backend: "inprocess",
                })?;
                while let Some((body, attempt)) = queue.ready.pop_front() {
                    match codec::decode::<M>(&body) {
                        Ok(message) => {
                            queue.unacked += 1;
                            let settle = InProcessSettle {
                                shared: Arc::clone(&self.shared),
                                queue: self.queue.clone(),
                                body,
                                attempt,
                            };
                            return Ok(Some(Delivery::new(message, attempt, Box::new(settle))));
                        }
                        Err(e) => queue.dead.push((body, e.to_string())),
                    }
                }
            }
            notified.await;
        }
    }
}

struct InProcessSettle {
    shared: Arc<Shared>,
    queue: String,
    body: Arc<[u8]>,
    attempt: u32,
}

impl InProcessSettle {
    fn settle(self, then: impl FnOnce(&mut Queue, Arc<[u8]>, u32)) {
        let mut state = self.shared.lock();
        if let Some(q) = state.queues.get_mut(&self.queue) {
            q.unacked = q.unacked.saturating_sub(1);
            then(q, self.body, self.attempt);
        }
    }
}

#[async_trait]
impl Settle for InProcessSettle {
    async fn ack(self: Box<Self>) -> Result<()> {
        self.settle(|_, _, _| {});
        Ok(())
    }

    async fn nack(self: Box<Self>, requeue: bool) -> Result<()> {
        let shared = Arc::clone(&self.shared);
        self.settle(|q, body, attempt| {
            if requeue {
                q.ready.push_back((body, attempt + 1));
            }
        });
        shared.notify.notify_waiters();
        Ok(())
    }

    async fn dead_letter(self: Box<Self>, reason: &str) -> Result<()> {
        let reason = reason.to_owned();
        self.settle(|q, body, _| q.dead.push((body, reason)));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::topic_matches;

    #[test]
    fn topic_patterns_follow_amqp() {
        assert!(topic_matches("#", "invoice.issued"));
        assert!(topic_matches("invoice.#", "invoice"));
        assert!(topic_matches("*.issued", "invoice.issued"));
        assert!(!topic_matches("*", "invoice.issued"));
        assert!(!topic_matches("invoice.*.x", "invoice.issued"));
        assert!(topic_matches("a.#.z", "a.b.c.z"));
    }
}
