//! The `export-worker` binary: reads the configuration, connects, and archives until
//! Ctrl-C. See the library docs (`src/lib.rs`) for what it does and how to run it:
//!
//! ```sh
//! cargo run -p export-worker
//! ```

use std::io::IsTerminal;
use std::sync::Arc;

use export_worker::config::Config;
use export_worker::{demo, worker, Worker};
use invoice_messaging::CancellationToken;
use invoice_storage::{InMemoryStore, InvoiceStore, StoreUrl};
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
    // In memory nothing else writes invoices: the demo below plays into this store.
    let (invoices, demo_store): (Arc<dyn InvoiceStore>, _) =
        if StoreUrl::parse(&config.database)? == StoreUrl::Memory {
            let store = InMemoryStore::new();
            (Arc::new(store.clone()), Some(store))
        } else {
            (worker::invoices(&config.database).await?, None)
        };
    let documents = worker::documents(&config.documents).await?;
    let (subscriber, demo_broker) = worker::subscribe(&config.messaging).await?;
    let worker = Worker::new(subscriber, invoices, documents);

    match (demo_broker, demo_store) {
        (Some(broker), Some(store)) => {
            let today = chrono::Utc::now().date_naive();
            let issued = demo::publish(&store, Arc::new(broker.publisher()), today).await?;
            tracing::info!(issued, "MESSAGING=inprocess: issued the demo invoices");
        }
        (None, Some(_)) => tracing::warn!(
            "DATABASE_URL is unset or memory: invoices issued by invoice-service cannot be \
             loaded; set it to the service's database"
        ),
        _ => {}
    }
    let shutdown = CancellationToken::new();
    let token = shutdown.clone();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        token.cancel();
    });
    tracing::info!(messaging = %config.messaging, documents = ?config.documents, "export worker running; Ctrl-C stops it");
    worker.run(shutdown).await?;
    Ok(())
}
