//! Sending the reminders people schedule: a [`ReminderScheduler`] claims what is due and
//! publishes a [`SendReminder`] command for each; a [`SendReminderHandler`] behind a
//! [`ConsumerRunner`](crate::ConsumerRunner) sends it through a [`ReminderSender`] (an
//! SMTP mailer, say) and records the outcome.
//!
//! Exactly one mail per reminder, across restarts and redeliveries:
//! - a claim is leased, so two schedulers never publish one reminder at once; a scheduler
//!   that dies after claiming leaves the reminder to the next claim when the lease ends;
//! - the command names the version claimed; the handler sends nothing when the reminder
//!   changed since (rescheduled, redirected, cancelled, already sent);
//! - before sending, the handler stores the claimed version + 1 with a hold
//!   ([`Reminder::begin_attempt`]): of two copies of one command only one gets past that
//!   step, and no scheduler claims the reminder while the hold runs;
//! - a failed send is recorded with a retry time from the [`RetryPolicy`] backoff
//!   (the reminder waits in the store, not in the broker), and after the policy's last
//!   attempt the reminder ends [`Failed`](invoice_core::reminder::ReminderStatus::Failed)
//!   with the reason.
//!
//! The one window left is a process killed after the mail server accepted the mail and
//! before the store recorded it (the server's reply and one store write): no sender can
//! know whether a mail whose acceptance it never heard of went out, so the reminder is
//! sent again once the hold ends. Senders should give every copy of one reminder the same
//! id (a `Message-ID` made of the reminder's id), so that mail clients fold such a copy,
//! and keep few sends in flight at once (each may be repeated after a crash).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use invoice_core::reminder::{Reminder, ReminderStatus, SendReminder};
use invoice_storage::{Error as StoreError, ReminderStore};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::error::Result;
use crate::handler::{Handler, HandlerError};
use crate::message::Message;
use crate::publisher::Publisher;
use crate::runner::RetryPolicy;

impl Message for SendReminder {
    fn message_id(&self) -> Uuid {
        self.id
    }

    fn routing_key(&self) -> String {
        Self::ROUTING_KEY.to_owned()
    }

    /// The reminder: the commands of one reminder stay in order.
    fn ordering_key(&self) -> String {
        self.reminder.to_string()
    }

    fn occurred_at(&self) -> Option<DateTime<Utc>> {
        Some(self.claimed_at)
    }
}

fn std_to_chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// Claims due reminders and publishes a [`SendReminder`] for each.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use invoice_core::reminder::SendReminder;
/// use invoice_messaging::{InProcessBroker, ReminderScheduler};
/// use invoice_storage::InMemoryStore;
///
/// let broker = InProcessBroker::new();
/// let _mailer = broker.subscribe_as::<SendReminder>("mailer", &["reminder.send"])?;
/// let scheduler = ReminderScheduler::new(Arc::new(InMemoryStore::new()), Arc::new(broker.publisher()));
/// assert_eq!(scheduler.run_once(chrono::Utc::now()).await?, 0, "nothing is due");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct ReminderScheduler {
    store: Arc<dyn ReminderStore>,
    publisher: Arc<dyn Publisher<SendReminder>>,
    batch_size: u32,
    lease: Duration,
    period: Duration,
}

impl ReminderScheduler {
    /// A scheduler claiming up to 100 reminders a round, with a 60 s lease, every second.
    pub fn new(store: Arc<dyn ReminderStore>, publisher: Arc<dyn Publisher<SendReminder>>) -> Self {
        Self {
            store,
            publisher,
            batch_size: 100,
            lease: Duration::from_secs(60),
            period: Duration::from_secs(1),
        }
    }

    /// Reminders claimed per round (at least 1).
    pub fn with_batch_size(mut self, n: u32) -> Self {
        self.batch_size = n.max(1);
        self
    }

    /// How long a claim keeps other schedulers away: when it ends without the reminder
    /// sent, the reminder is claimed and published again. Longer than a command waits
    /// in the queue before a sender takes it, or the command is published twice (which
    /// sends nothing twice, but costs a message).
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// How often [`run`](Self::run) looks for due reminders: a reminder is published at
    /// most this long after it is due (while the scheduler runs).
    pub fn with_period(mut self, period: Duration) -> Self {
        self.period = period;
        self
    }

    /// Claims everything due at `now`, batch by batch, and publishes a command for each.
    /// Returns how many were published.
    ///
    /// # Errors
    ///
    /// The store's or the publisher's error. What was claimed and not published is
    /// claimed again when its lease ends.
    pub async fn run_once(&self, now: DateTime<Utc>) -> Result<usize> {
        let lease_until = now + std_to_chrono(self.lease);
        let mut published = 0;
        loop {
            let claimed = self
                .store
                .claim_due(now, lease_until, self.batch_size)
                .await?;
            if claimed.is_empty() {
                return Ok(published);
            }
            let commands: Vec<SendReminder> = claimed
                .iter()
                .map(|r| SendReminder::new(Uuid::new_v4(), r, now))
                .collect();
            self.publisher.publish_batch(&commands).await?;
            published += commands.len();
            if claimed.len() < self.batch_size as usize {
                return Ok(published);
            }
        }
    }

    /// Runs a round every period until `shutdown` is cancelled. Errors are logged and the
    /// round is tried again at the next period (the store or broker may be restarting).
    pub async fn run(&self, shutdown: CancellationToken) {
        let mut ticks = tokio::time::interval(self.period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                _ = shutdown.cancelled() => return,
                _ = ticks.tick() => {}
            }
            match self.run_once(Utc::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(published = n, "reminders published"),
                Err(e) => tracing::warn!(error = %e, "reminder scheduler round failed"),
            }
        }
    }
}

/// Why a reminder was not sent.
#[derive(Debug, thiserror::Error)]
pub enum ReminderSendError {
    /// Worth another try later (a server that is down, a 4xx reply).
    #[error("{0}")]
    Transient(String),
    /// Never going to work (an address the server refuses): the reminder fails now.
    #[error("{0}")]
    Permanent(String),
}

/// Delivers one reminder to its recipient (and secondary address): an SMTP mailer, a
/// push service.
#[async_trait]
pub trait ReminderSender: Send + Sync + 'static {
    /// Sends `reminder`. A reminder sent again after a crash (see the
    /// [module documentation](self)) should carry the same message id.
    ///
    /// # Errors
    ///
    /// [`ReminderSendError`], saying whether a retry can help.
    async fn send(&self, reminder: &Reminder) -> std::result::Result<(), ReminderSendError>;
}

/// Counters of a [`SendReminderHandler`].
#[derive(Debug, Default)]
pub struct ReminderStats {
    sent: AtomicU64,
    stale: AtomicU64,
    failed_attempts: AtomicU64,
    given_up: AtomicU64,
}

impl ReminderStats {
    /// Reminders sent and recorded as sent.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Commands that sent nothing: the reminder had changed, been sent or was gone.
    pub fn stale(&self) -> u64 {
        self.stale.load(Ordering::Relaxed)
    }

    /// Attempts that failed (each recorded on the reminder).
    pub fn failed_attempts(&self) -> u64 {
        self.failed_attempts.load(Ordering::Relaxed)
    }

    /// Reminders that ended failed after their last attempt.
    pub fn given_up(&self) -> u64 {
        self.given_up.load(Ordering::Relaxed)
    }
}

/// Handles [`SendReminder`] commands: re-reads the reminder, takes it at the claimed
/// version, sends it, and records it sent, or records the failure with a retry time.
///
/// See the [module documentation](self) for why each reminder is sent once.
pub struct SendReminderHandler<S> {
    store: Arc<dyn ReminderStore>,
    sender: S,
    retry: RetryPolicy,
    hold: Duration,
    stats: Arc<ReminderStats>,
}

impl<S> std::fmt::Debug for SendReminderHandler<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendReminderHandler")
            .field("retry", &self.retry)
            .field("hold", &self.hold)
            .finish_non_exhaustive()
    }
}

impl<S: ReminderSender> SendReminderHandler<S> {
    /// A handler sending through `sender`, with the default [`RetryPolicy`] (5 attempts)
    /// between attempts and a 2-minute hold per attempt.
    pub fn new(store: Arc<dyn ReminderStore>, sender: S) -> Self {
        Self {
            store,
            sender,
            retry: RetryPolicy::default(),
            hold: Duration::from_secs(120),
            stats: Arc::new(ReminderStats::default()),
        }
    }

    /// How many attempts a reminder gets and how long it waits between them.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// How long an attempt holds its reminder: longer than a send takes, since a sender
    /// still at work when it ends may see another send the same reminder.
    pub fn with_hold(mut self, hold: Duration) -> Self {
        self.hold = hold;
        self
    }

    /// The counters, shared with the handler.
    pub fn stats(&self) -> Arc<ReminderStats> {
        Arc::clone(&self.stats)
    }

    /// Writes `reminder` at `expected`, trying again a few times on a store error (not on
    /// a conflict): a send already happened, and losing the record would send it again.
    async fn record(
        &self,
        reminder: &Reminder,
        expected: u64,
    ) -> std::result::Result<(), StoreError> {
        let mut attempt = 1;
        loop {
            match self.store.update(reminder, expected).await {
                Err(StoreError::Backend { .. }) if attempt < 5 => {
                    tokio::time::sleep(self.retry.backoff(attempt)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }
}

#[async_trait]
impl<S: ReminderSender> Handler<SendReminder> for SendReminderHandler<S> {
    async fn handle(&self, command: &SendReminder) -> std::result::Result<(), HandlerError> {
        let stored = match self.store.get(&command.tenant, command.reminder).await {
            Ok(stored) => stored,
            Err(StoreError::NotFound { .. }) => {
                self.stats.stale.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
            Err(e) => return Err(HandlerError::retryable(e)),
        };
        if stored.status() != ReminderStatus::Scheduled || stored.version() != command.version {
            tracing::debug!(reminder = %command.reminder, claimed = command.version, now = stored.version(), "stale send command");
            self.stats.stale.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        let now = Utc::now();
        let mut attempt = stored;
        attempt
            .begin_attempt(now + std_to_chrono(self.hold))
            .map_err(HandlerError::permanent)?;
        match self.store.update(&attempt, command.version).await {
            Ok(()) => {}
            Err(StoreError::Conflict { .. }) => {
                // Changed since it was read, or another sender took this version.
                self.stats.stale.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
            Err(e) => return Err(HandlerError::retryable(e)),
        }
        let outcome = self.sender.send(&attempt).await;
        let mut after = attempt.clone();
        let given_up = match &outcome {
            Ok(()) => {
                after
                    .mark_sent(Utc::now())
                    .map_err(HandlerError::permanent)?;
                false
            }
            Err(e) => {
                let max = match e {
                    ReminderSendError::Transient(_) => self.retry.max_attempts(),
                    ReminderSendError::Permanent(_) => 1,
                };
                let next = after.attempts().saturating_add(1);
                let retry_at = Utc::now() + std_to_chrono(self.retry.backoff(next));
                after
                    .record_failure(e.to_string(), max, retry_at)
                    .map_err(HandlerError::permanent)?;
                after.status() == ReminderStatus::Failed
            }
        };
        match self.record(&after, attempt.version()).await {
            Ok(()) => {}
            Err(StoreError::Conflict { .. }) => {
                // Rescheduled, redirected or cancelled while it was being sent: the
                // change stands (a rescheduled reminder is sent again at its new time).
                tracing::warn!(reminder = %command.reminder, "reminder changed while it was being sent");
            }
            Err(e) => {
                // The hold ends and the reminder is tried again: at least once.
                tracing::error!(reminder = %command.reminder, error = %e, "could not record a send attempt");
                return Err(HandlerError::retryable(e));
            }
        }
        match outcome {
            Ok(()) => self.stats.sent.fetch_add(1, Ordering::Relaxed),
            Err(e) => {
                tracing::warn!(reminder = %command.reminder, error = %e, given_up, "reminder not sent");
                if given_up {
                    self.stats.given_up.fetch_add(1, Ordering::Relaxed);
                }
                self.stats.failed_attempts.fetch_add(1, Ordering::Relaxed)
            }
        };
        Ok(())
    }
}
