//! The `notification-worker` binary: reads the configuration, connects, and mails until
//! Ctrl-C. See the library docs (`src/lib.rs`) for what it does and how to run it:
//!
//! ```sh
//! cargo run -p notification-worker
//! ```

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use invoice_messaging::{
    CancellationToken, ConsumerRunner, InProcessBroker, InvoiceReminderPolicy, InvoiceReminders,
};
use invoice_storage::{Stores, StoresBuilder};
use notification_worker::config::Config;
use notification_worker::{demo, worker, ScheduledReminders, Worker};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        // Logs go to stderr, without colours when that is a file (CI logs).
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let config = Config::from_env(|k| std::env::var(k).ok())?;
    let mailer = worker::mailer(&config).await?;
    let connections = worker::connect(&config.messaging).await?;
    let stores = StoresBuilder::new(&config.database)
        .open()
        .await
        .with_context(|| format!("DATABASE_URL: cannot open {}", config.database))?;
    let worker = Worker::new(connections.events, mailer, &stores).with_scheduled_reminders(
        &stores,
        connections.reminders,
        connections.commands,
        ScheduledReminders {
            period: config.scheduler_period,
            lease: config.reminder_lease,
            ..ScheduledReminders::default()
        },
    );

    let shutdown = CancellationToken::new();
    if let Some(broker) = connections.demo {
        demo_in_process(&broker, &worker, &stores, shutdown.clone()).await?;
    }
    let token = shutdown.clone();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        token.cancel();
    });
    tracing::info!(messaging = %config.messaging, "notification worker running; Ctrl-C stops it");
    worker.run(shutdown).await?;
    Ok(())
}

/// With nothing else on the in-process bus, plays the demo invoices' events, makes their
/// reminders as invoice-service would, and, once all is handled, sends the reminders as
/// of a month later (they go to the log, as every mail without `SMTP_URL`).
async fn demo_in_process(
    broker: &InProcessBroker,
    worker: &Worker,
    stores: &Stores,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    // Bound before the events are published, as the service binds its queue.
    let subscriber = broker.subscribe("demo-invoice-reminders", &["invoice.#"])?;
    let maker = ConsumerRunner::new(
        Arc::new(subscriber),
        Arc::new(InvoiceReminders::new(
            Arc::clone(&stores.reminders),
            InvoiceReminderPolicy::default(),
        )),
    );
    let made = maker.stats();
    tokio::spawn(maker.run(shutdown));
    let today = chrono::Utc::now().date_naive();
    let published = demo::publish(Arc::new(broker.publisher()), today).await? as u64;
    tracing::info!(
        published,
        "MESSAGING=inprocess: published the demo invoices' events"
    );
    let (mailed, scheduler) = (worker.stats(), worker.reminder_scheduler());
    tokio::spawn(async move {
        for _ in 0..500 {
            if made.handled() >= published && mailed.handled() >= published {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let Some(scheduler) = scheduler else { return };
        let a_month_later = chrono::Utc::now() + chrono::Duration::days(31);
        match scheduler.run_once(a_month_later).await {
            Ok(n) => tracing::info!(
                reminders = n,
                "demo: the reminders due within a month, sent now"
            ),
            Err(e) => tracing::error!(error = %e, "demo reminders"),
        }
    });
    Ok(())
}
