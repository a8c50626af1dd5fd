//! The worker put together: a subscription run by a [`ConsumerRunner`] over the
//! idempotent [`Notifier`], and the periodic [`Reminders`] task, both until shutdown.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use invoice_messaging::{
    CancellationToken, ConsumerRunner, Idempotent, InProcessBroker, QueueOptions, RabbitMqBroker,
    RunnerStats, SqsBroker, Subscriber,
};
use invoice_storage::Stores;

use crate::config::{Config, Messaging, Transport};
use crate::mail::{LogMailer, Mailer, SmtpMailer};
use crate::notifier::Notifier;
use crate::reminders::{OpenInvoices, ReminderPolicy, Reminders};

/// The inbox consumer name under which handled events are recorded.
pub const CONSUMER: &str = "notification-worker";

/// The binding that brings every invoice event: the worker mails on some and learns the
/// open invoices from the others (payments, credit notes).
pub const BINDING: &str = "invoice.#";

/// The notification worker: event mails and reminders.
#[derive(Debug)]
pub struct Worker {
    runner: ConsumerRunner,
    reminders: Reminders,
    reminder_every: Duration,
}

impl Worker {
    /// A worker consuming `subscriber`, sending through `mailer`, reminding by `policy`
    /// every hour. What it must not forget lives in `stores`: handled events and sent
    /// reminders (`inbox`), reminders being sent (`idempotency`) and the open invoices
    /// (`invoice_views`), so a restarted worker mails nothing twice and still reminds.
    pub fn new(
        subscriber: Arc<dyn Subscriber>,
        mailer: Arc<dyn Mailer>,
        stores: &Stores,
        policy: ReminderPolicy,
    ) -> Self {
        let open = OpenInvoices::new(Arc::clone(&stores.invoice_views));
        let notifier = Notifier::new(Arc::clone(&mailer), open.clone());
        let handler = Idempotent::new(notifier, Arc::clone(&stores.inbox), CONSUMER);
        // One delivery at a time: `Idempotent` checks the inbox, mails, then records, so
        // two copies of one event handled at once would both mail. A mail takes a few
        // milliseconds on a pooled connection; one at a time is plenty.
        let runner = ConsumerRunner::new(subscriber, Arc::new(handler)).with_concurrency(1);
        let reminders = Reminders::new(
            open,
            Arc::clone(&stores.inbox),
            Arc::clone(&stores.idempotency),
            mailer,
            policy,
        );
        Self {
            runner,
            reminders,
            reminder_every: Duration::from_secs(3600),
        }
    }

    /// Looks for due reminders every `every` instead of every hour.
    pub fn with_reminder_every(mut self, every: Duration) -> Self {
        self.reminder_every = every;
        self
    }

    /// The runner's counters (events handled, retried, dead-lettered).
    pub fn stats(&self) -> Arc<RunnerStats> {
        self.runner.stats()
    }

    /// The reminder sender, sharing this worker's view of the open invoices.
    pub fn reminders(&self) -> Reminders {
        self.reminders.clone()
    }

    /// Consumes events and sends reminders until `shutdown` is cancelled or the
    /// subscription ends.
    ///
    /// # Errors
    ///
    /// The subscriber's error when it fails for good.
    pub async fn run(self, shutdown: CancellationToken) -> invoice_messaging::Result<()> {
        let stop = shutdown.child_token();
        let reminders = tokio::spawn(self.reminders.run(self.reminder_every, stop.clone()));
        let result = self.runner.run(shutdown).await;
        stop.cancel();
        let _ = reminders.await;
        result
    }
}

/// Connects to the configured broker and subscribes the worker's queue to every invoice
/// event. In process, also returns the broker, which nothing else publishes into.
///
/// # Errors
///
/// When the broker cannot be reached or refuses the queue.
pub async fn subscribe(
    messaging: &Messaging,
) -> anyhow::Result<(Arc<dyn Subscriber>, Option<InProcessBroker>)> {
    Ok(match messaging {
        Messaging::InProcess => {
            let broker = InProcessBroker::new();
            let subscriber = broker.subscribe(CONSUMER, &[BINDING])?;
            (Arc::new(subscriber), Some(broker))
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
            let queue = broker
                .declare_queue(queue, QueueOptions::default())
                .await
                .with_context(|| format!("declaring the SQS queue {queue:?} (QUEUE_NAME)"))?;
            (Arc::new(broker.subscriber(&queue)), None)
        }
        Messaging::RabbitMq { url, queue } => {
            let broker = RabbitMqBroker::builder(url.clone())
                .connection_name(CONSUMER)
                .build()
                .await
                .context("connecting to RabbitMQ at AMQP_URL")?;
            let subscriber = broker.subscribe(queue, &[BINDING]).await.with_context(|| {
                format!("subscribing the RabbitMQ queue {queue:?} (QUEUE_NAME)")
            })?;
            (Arc::new(subscriber), None)
        }
    })
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
