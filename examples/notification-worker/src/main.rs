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
use invoice_messaging::CancellationToken;
use invoice_storage::StoresBuilder;
use notification_worker::config::Config;
use notification_worker::{demo, worker, ReminderPolicy, Worker};
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
    let worker = Worker::new(
        connections.events,
        mailer,
        &stores,
        ReminderPolicy::new(config.reminder_days_before),
    )
    .with_reminder_every(config.reminder_every)
    .with_scheduled_reminders(
        &stores,
        connections.reminders,
        connections.commands,
        config.scheduler_period,
        config.reminder_lease,
    );

    let shutdown = CancellationToken::new();
    if let Some(broker) = connections.demo {
        let today = chrono::Utc::now().date_naive();
        let published = demo::publish(Arc::new(broker.publisher()), today).await?;
        tracing::info!(
            published,
            "MESSAGING=inprocess: published the demo invoices' events"
        );
        let (stats, reminders) = (worker.stats(), worker.reminders());
        tokio::spawn(async move {
            // The reminder task's first pass may run before the demo's events are
            // handled; one more pass after them shows the reminders now, not in an hour.
            for _ in 0..500 {
                if stats.handled() >= published as u64 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let now = chrono::Utc::now();
            if let Err(e) = reminders.send_due(now.date_naive(), now).await {
                tracing::error!(error = %e, "demo reminders");
            }
        });
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
