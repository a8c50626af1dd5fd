//! The worker put together: a subscription of invoice events run by a [`ConsumerRunner`]
//! over the idempotent [`Notifier`], and (with [`Worker::with_scheduled_reminders`]) the
//! scheduler and sender of the reminders in the store, all until shutdown.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use invoice_core::reminder::SendReminder;
use invoice_messaging::{
    CancellationToken, ConsumerRunner, Idempotent, InProcessBroker, Publisher, QueueOptions,
    RabbitMqBroker, ReminderScheduler, ReminderStats, RetryPolicy, RunnerStats,
    SendReminderHandler, SqsBroker, Subscriber,
};
use invoice_storage::Stores;

use crate::config::{Config, Messaging, Transport};
use crate::mail::{LogMailer, Mailer, SmtpMailer};
use crate::notifier::Notifier;
use crate::scheduled::ReminderMailer;

/// The inbox consumer name under which handled events are recorded.
pub const CONSUMER: &str = "notification-worker";

/// The binding that brings every invoice event; the worker mails on some.
pub const BINDING: &str = "invoice.#";

/// How many scheduled reminders a worker sends at once.
pub const REMINDER_CONCURRENCY: usize = 2;

/// The binding of the queue of send commands for scheduled reminders.
pub const REMINDER_BINDING: &str = SendReminder::ROUTING_KEY;

/// The notification worker: event mails and reminders.
#[derive(Debug)]
pub struct Worker {
    runner: ConsumerRunner,
    mailer: Arc<dyn Mailer>,
    scheduled: Option<Scheduled>,
}

/// How the reminders in the store are scheduled and sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduledReminders {
    /// How often the due ones are claimed and queued (how late one may go out).
    pub period: Duration,
    /// How long a claim, and a send attempt, keep a reminder from other workers: after a
    /// crash, the longest a reminder is delayed.
    pub lease: Duration,
    /// How many attempts a reminder gets and how long it waits between them.
    pub retry: RetryPolicy,
}

impl Default for ScheduledReminders {
    /// Every second, a 30 s lease, 5 attempts 30 s apart doubling up to 30 min.
    fn default() -> Self {
        Self {
            period: Duration::from_secs(1),
            lease: Duration::from_secs(30),
            retry: RetryPolicy::new(5, Duration::from_secs(30), Duration::from_secs(30 * 60)),
        }
    }
}

/// The scheduler and the sender of the reminders in the store.
#[derive(Debug)]
struct Scheduled {
    scheduler: ReminderScheduler,
    runner: ConsumerRunner<SendReminder>,
    stats: Arc<ReminderStats>,
}

/// What the worker consumes and publishes on the configured broker.
#[derive(Debug)]
pub struct Connections {
    /// Invoice events: the queue `QUEUE_NAME`, bound to `invoice.#`.
    pub events: Arc<dyn Subscriber>,
    /// Send commands of scheduled reminders: the queue `QUEUE_NAME-reminders`, bound to
    /// `reminder.send`.
    pub reminders: Arc<dyn Subscriber<SendReminder>>,
    /// Publishes the send commands.
    pub commands: Arc<dyn Publisher<SendReminder>>,
    /// In process, the broker, which nothing else publishes into.
    pub demo: Option<InProcessBroker>,
}

impl Worker {
    /// A worker mailing buyers about the invoice events of `subscriber` through
    /// `mailer`. It remembers the events it handled in `stores.inbox`, so a restarted
    /// worker mails nothing twice.
    pub fn new(subscriber: Arc<dyn Subscriber>, mailer: Arc<dyn Mailer>, stores: &Stores) -> Self {
        let notifier = Notifier::new(Arc::clone(&mailer));
        let handler = Idempotent::new(notifier, Arc::clone(&stores.inbox), CONSUMER);
        // One delivery at a time: `Idempotent` checks the inbox, mails, then records, so
        // two copies of one event handled at once would both mail. A mail takes a few
        // milliseconds on a pooled connection; one at a time is plenty.
        let runner = ConsumerRunner::new(subscriber, Arc::new(handler)).with_concurrency(1);
        Self {
            runner,
            mailer,
            scheduled: None,
        }
    }

    /// Also mails the reminders of `stores.reminders` when they are due (those people
    /// schedule, and the invoices' automatic ones that invoice-service makes): a
    /// scheduler claims them and publishes a command on `commands`; the commands
    /// consumed from `subscriber` are mailed through this worker's mailer, by `settings`.
    pub fn with_scheduled_reminders(
        mut self,
        stores: &Stores,
        subscriber: Arc<dyn Subscriber<SendReminder>>,
        commands: Arc<dyn Publisher<SendReminder>>,
        settings: ScheduledReminders,
    ) -> Self {
        let scheduler = ReminderScheduler::new(Arc::clone(&stores.reminders), commands)
            .with_period(settings.period)
            .with_lease(settings.lease);
        let handler = SendReminderHandler::new(
            Arc::clone(&stores.reminders),
            ReminderMailer::new(Arc::clone(&self.mailer)),
        )
        .with_hold(settings.lease)
        .with_retry(settings.retry);
        let stats = handler.stats();
        // Each command sends at most one mail whatever the concurrency: the handler's
        // version check lets one copy through. A few at once keep up with a burst; each
        // send in flight when the process dies may be sent again (see
        // `invoice_messaging::reminders`), so not many.
        let runner = ConsumerRunner::new(subscriber, Arc::new(handler))
            .with_concurrency(REMINDER_CONCURRENCY);
        self.scheduled = Some(Scheduled {
            scheduler,
            runner,
            stats,
        });
        self
    }

    /// The runner's counters (events handled, retried, dead-lettered).
    pub fn stats(&self) -> Arc<RunnerStats> {
        self.runner.stats()
    }

    /// The counters of the scheduled reminders' sender, when it runs.
    pub fn scheduled_stats(&self) -> Option<Arc<ReminderStats>> {
        self.scheduled.as_ref().map(|s| Arc::clone(&s.stats))
    }

    /// The scheduler of the reminders, when it runs: a round on another clock
    /// ([`ReminderScheduler::run_once`]) shows what a later day sends.
    pub fn reminder_scheduler(&self) -> Option<ReminderScheduler> {
        self.scheduled.as_ref().map(|s| s.scheduler.clone())
    }

    /// Consumes events and sends reminders until `shutdown` is cancelled or the events'
    /// subscription ends.
    ///
    /// # Errors
    ///
    /// The events' subscriber's error when it fails for good.
    pub async fn run(self, shutdown: CancellationToken) -> invoice_messaging::Result<()> {
        let stop = shutdown.child_token();
        let scheduled = self.scheduled.map(|s| {
            let (scheduler, token) = (s.scheduler, stop.clone());
            let scheduling = tokio::spawn(async move { scheduler.run(token).await });
            let sending = tokio::spawn(s.runner.run(stop.clone()));
            (scheduling, sending)
        });
        let result = self.runner.run(shutdown).await;
        stop.cancel();
        if let Some((scheduling, sending)) = scheduled {
            let _ = scheduling.await;
            match sending.await {
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "scheduled reminders' subscription failed")
                }
                Err(e) => tracing::error!(error = %e, "scheduled reminders' sender panicked"),
                Ok(Ok(())) => {}
            }
        }
        result
    }
}

/// Connects to the configured broker: subscribes the worker's queue to every invoice
/// event and its reminders' queue to the send commands. In process, also returns the
/// broker, which nothing else publishes into.
///
/// # Errors
///
/// When the broker cannot be reached or refuses a queue.
pub async fn connect(messaging: &Messaging) -> anyhow::Result<Connections> {
    Ok(match messaging {
        Messaging::InProcess => {
            let broker = InProcessBroker::new();
            let events = broker.subscribe(CONSUMER, &[BINDING])?;
            let reminders = broker.subscribe_as(&reminder_queue(CONSUMER), &[REMINDER_BINDING])?;
            Connections {
                events: Arc::new(events),
                reminders: Arc::new(reminders),
                commands: Arc::new(broker.publisher()),
                demo: Some(broker),
            }
        }
        Messaging::Sqs { endpoint, queue } => {
            let broker = match endpoint {
                Some(endpoint) => SqsBroker::builder()
                    .endpoint(endpoint.clone())
                    .build()
                    .with_context(|| format!("SQS at AWS_ENDPOINT_URL {endpoint:?}"))?,
                // Without AWS_ENDPOINT_URL: AWS itself, with the SDK's default chain.
                None => SqsBroker::from_aws_defaults()
                    .await
                    .context("SQS on AWS (AWS_ENDPOINT_URL unset)")?,
            };
            // SQS has no exchange: publishers must route `invoice.#` to this queue.
            let events = broker
                .declare_queue(queue, QueueOptions::default())
                .await
                .with_context(|| format!("declaring the SQS queue {queue:?} (QUEUE_NAME)"))?;
            let reminders_queue = reminder_queue(queue);
            let reminders = broker
                .declare_queue(&reminders_queue, QueueOptions::default())
                .await
                .with_context(|| format!("declaring the SQS queue {reminders_queue:?}"))?;
            // The commands are this worker's own: its publisher routes them.
            let commands = broker.publisher();
            commands.route(&reminders, &[REMINDER_BINDING]);
            Connections {
                events: Arc::new(broker.subscriber(&events)),
                reminders: Arc::new(broker.subscriber_as(&reminders)),
                commands: Arc::new(commands),
                demo: None,
            }
        }
        Messaging::RabbitMq { url, queue } => {
            let broker = RabbitMqBroker::builder(url.clone())
                .connection_name(CONSUMER)
                .build()
                .await
                .context("connecting to RabbitMQ at AMQP_URL")?;
            let events = broker.subscribe(queue, &[BINDING]).await.with_context(|| {
                format!("subscribing the RabbitMQ queue {queue:?} (QUEUE_NAME)")
            })?;
            let reminders_queue = reminder_queue(queue);
            let reminders = broker
                .subscribe_as(&reminders_queue, &[REMINDER_BINDING])
                .await
                .with_context(|| format!("subscribing the RabbitMQ queue {reminders_queue:?}"))?;
            Connections {
                events: Arc::new(events),
                reminders: Arc::new(reminders),
                commands: Arc::new(broker.publisher()),
                demo: None,
            }
        }
    })
}

/// The queue of the send commands beside the events' queue `queue`: `<queue>-reminders`.
pub fn reminder_queue(queue: &str) -> String {
    format!("{queue}-reminders")
}

/// The configured mailer; an SMTP server must answer now, so that a wrong `SMTP_URL`
/// shows at start.
///
/// # Errors
///
/// When the SMTP server cannot be reached.
pub async fn mailer(config: &Config) -> anyhow::Result<Arc<dyn Mailer>> {
    Ok(match &config.transport {
        Transport::Log => Arc::new(LogMailer),
        Transport::Smtp { host, port } => {
            let mailer = SmtpMailer::new(host, *port, config.from.clone());
            mailer.check().await.with_context(|| {
                format!("SMTP_URL: the SMTP server at {host}:{port} does not answer")
            })?;
            Arc::new(mailer)
        }
    })
}
