//! The worker put together: a subscription to `invoice.issued` run by a
//! [`ConsumerRunner`] over the [`Archiver`], and the stores it uses.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use invoice_messaging::{
    BrokerBuilder, CancellationToken, ConsumerRunner, InProcessBroker, RunnerStats, Subscriber,
};
use invoice_storage::{
    DocumentStore, DocumentsBuilder, FsDocumentStore, InvoiceStore, StoresBuilder,
};

use crate::archive::Archiver;
use crate::config::{Documents, Messaging};

/// The consumer's name: the in-process queue and the RabbitMQ connection name.
pub const CONSUMER: &str = "export-worker";

/// The only events the worker needs.
pub const BINDING: &str = "invoice.issued";

/// The export worker.
#[derive(Debug)]
pub struct Worker {
    runner: ConsumerRunner,
}

impl Worker {
    /// A worker consuming `subscriber`, loading invoices from `invoices` and archiving
    /// into `documents`, four events at a time.
    pub fn new(
        subscriber: Arc<dyn Subscriber>,
        invoices: Arc<dyn InvoiceStore>,
        documents: Arc<dyn DocumentStore>,
    ) -> Self {
        // Archiving is idempotent (same invoice, same bytes, same keys), so deliveries
        // may run side by side, even two copies of one event.
        let archiver = Archiver::new(invoices, documents);
        let runner = ConsumerRunner::new(subscriber, Arc::new(archiver)).with_concurrency(4);
        Self { runner }
    }

    /// The runner's counters (events handled, retried, dead-lettered).
    pub fn stats(&self) -> Arc<RunnerStats> {
        self.runner.stats()
    }

    /// Consumes events until `shutdown` is cancelled or the subscription ends.
    ///
    /// # Errors
    ///
    /// The subscriber's error when it fails for good.
    pub async fn run(self, shutdown: CancellationToken) -> invoice_messaging::Result<()> {
        self.runner.run(shutdown).await
    }
}

/// Connects to the configured broker and subscribes the worker's queue to
/// `invoice.issued`. In process, also returns the broker, which nothing else publishes
/// into.
///
/// # Errors
///
/// When the broker cannot be reached or refuses the queue.
pub async fn subscribe(
    messaging: &Messaging,
) -> anyhow::Result<(Arc<dyn Subscriber>, Option<InProcessBroker>)> {
    let (builder, queue) = match messaging {
        Messaging::InProcess => (BrokerBuilder::new("inprocess:"), CONSUMER),
        // SQS has no exchange: publishers must route `invoice.issued` to this queue.
        // Without AWS_ENDPOINT_URL: AWS itself, with the SDK's default chain.
        Messaging::Sqs { endpoint, queue } => {
            let builder = BrokerBuilder::new("sqs:");
            let builder = match endpoint {
                Some(endpoint) => builder.sqs_endpoint(endpoint.clone()),
                None => builder,
            };
            (builder, queue.as_str())
        }
        Messaging::RabbitMq { url, queue } => (
            BrokerBuilder::new(url.clone()).connection_name(CONSUMER),
            queue.as_str(),
        ),
    };
    let broker = builder
        .connect()
        .await
        .context("MESSAGING: cannot connect to the broker (AMQP_URL, AWS_ENDPOINT_URL)")?;
    let subscriber = broker
        .subscribe(queue, &[BINDING])
        .await
        .with_context(|| format!("subscribing the queue {queue:?} (QUEUE_NAME)"))?;
    Ok((subscriber, broker.in_process().cloned()))
}

/// How long a load (and the start) waits for a PostgreSQL connection.
const POSTGRES_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens the configured invoice store: the database `invoice-service` writes (migrated if
/// needed, as the service does), or an empty in-memory one.
///
/// # Errors
///
/// When the SQLite file cannot be opened or the PostgreSQL server cannot be reached.
pub async fn invoices(database: &str) -> anyhow::Result<Arc<dyn InvoiceStore>> {
    // A refused PostgreSQL connection is retried until the acquire timeout: a short one
    // makes a wrong DATABASE_URL show at start.
    let stores = StoresBuilder::new(database)
        .postgres_acquire_timeout(POSTGRES_ACQUIRE_TIMEOUT)
        .open()
        .await
        .with_context(|| {
            format!(
                "DATABASE_URL: cannot open {database} (a PostgreSQL connection is waited for \
                 up to {}s)",
                POSTGRES_ACQUIRE_TIMEOUT.as_secs()
            )
        })?;
    Ok(stores.invoices)
}

/// Opens the configured document store (creating the folder or the bucket if missing).
///
/// # Errors
///
/// When the folder cannot be created, AWS's default chain finds no region, or S3 refuses.
pub async fn documents(documents: &Documents) -> anyhow::Result<Arc<dyn DocumentStore>> {
    Ok(match documents {
        Documents::Fs { dir } => Arc::new(
            FsDocumentStore::open(dir)
                .await
                .with_context(|| format!("DOCUMENTS_DIR {}", dir.display()))?,
        ),
        Documents::S3 { bucket, endpoint } => {
            // Without AWS_ENDPOINT_URL: AWS itself, with the SDK's default chain.
            let mut builder = DocumentsBuilder::new(format!("s3://{bucket}")).s3_bucket_created();
            if let Some(endpoint) = endpoint {
                builder = builder.s3_endpoint(endpoint.clone());
            }
            let at = endpoint.as_deref().unwrap_or("AWS");
            builder.open().await.with_context(|| {
                format!("S3_BUCKET {bucket:?} at {at}: cannot open or create it")
            })?
        }
    })
}
