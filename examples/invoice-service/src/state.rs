//! The shared state of the handlers, and the background tasks that keep events moving:
//! the outbox relay (store → broker) and the WebSocket feed (broker → connected clients).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use invoice_core::EventEnvelope;
use invoice_messaging::{
    Broker, BrokerBuilder, CancellationToken, ConsumerRunner, HandlerError, InvoiceReminders,
    OutboxRelay,
};
use invoice_storage::{
    ClientStore, DocumentStore, DocumentsBuilder, FsDocumentStore, IdempotencyStore, InvoiceStore,
    OutboxStore, ReminderStore, ReportStore, ScheduleGenerator, ScheduleStore, Stores,
    StoresBuilder,
};
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::sync::broadcast;
use tokio::task::JoinSet;

use crate::auth::{Authenticator, JwksConfig, JwksVerifier};
use crate::config::{Auth, Config, Documents, Messaging};
use crate::metrics::CountingPublisher;

/// What every handler can reach, behind one reference count: axum clones the state for
/// every extractor and middleware of every request, and a clone of [`Shared`] itself
/// (eight stores, the event sender, the authenticator, the dashboard's policy string) cost
/// about a quarter of a `/health` request's CPU.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    /// The state of `shared`.
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }

    /// This state with `auth` checking the bearer tokens instead.
    pub fn with_auth(self, auth: Authenticator) -> AppState {
        let mut shared = Arc::unwrap_or_clone(self.0);
        shared.auth = auth;
        AppState::new(shared)
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The stores, channels and settings the handlers share (through [`AppState`]).
#[derive(Clone)]
pub struct Shared {
    /// Invoices (and their outbox, written in the same transaction).
    pub invoices: Arc<dyn InvoiceStore>,
    /// Clients with contact info.
    pub clients: Arc<dyn ClientStore>,
    /// Idempotency keys of `POST` requests.
    pub idempotency: Arc<dyn IdempotencyStore>,
    /// Reports computed by the store.
    pub reports: Arc<dyn ReportStore>,
    /// Recurring invoice schedules.
    pub schedules: Arc<dyn ScheduleStore>,
    /// Reminders people schedule.
    pub reminders: Arc<dyn ReminderStore>,
    /// The outbox, for `/health`.
    pub outbox: Arc<dyn OutboxStore>,
    /// Archived documents.
    pub documents: Arc<dyn DocumentStore>,
    /// Events as the broker delivers them, for WebSocket clients.
    pub events: broadcast::Sender<EventEnvelope>,
    /// Checks bearer tokens.
    pub auth: crate::auth::Authenticator,
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
    /// How the dashboard signs people in.
    pub sign_in: crate::dashboard::SignIn,
}

/// The running background tasks.
pub struct Background {
    /// Cancel to stop them.
    pub shutdown: CancellationToken,
    tasks: JoinSet<()>,
}

impl Background {
    /// Stops the tasks and waits for them (the runner hands back unsettled deliveries).
    pub async fn stop(mut self) {
        self.shutdown.cancel();
        while self.tasks.join_next().await.is_some() {}
    }
}

/// How long a request (and the start) waits for a PostgreSQL connection.
const POSTGRES_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens (and migrates) the stores `DATABASE_URL` names; a SQLite file held for this
/// process alone when `sqlite_exclusive` (`SQLITE_EXCLUSIVE=on`).
pub async fn stores(database: &str, sqlite_exclusive: bool) -> anyhow::Result<Stores> {
    // A refused PostgreSQL connection is retried until the acquire timeout: a short one
    // makes a wrong DATABASE_URL show at start.
    StoresBuilder::new(database)
        .sqlite_exclusive(sqlite_exclusive)
        .postgres_acquire_timeout(POSTGRES_ACQUIRE_TIMEOUT)
        .open()
        .await
        .with_context(|| {
            format!(
                "DATABASE_URL: cannot open {database} (a PostgreSQL connection is waited for \
                 up to {}s)",
                POSTGRES_ACQUIRE_TIMEOUT.as_secs()
            )
        })
}

/// Connects the broker `MESSAGING` names.
async fn broker(messaging: &Messaging) -> anyhow::Result<Broker> {
    let builder = match messaging {
        Messaging::InProcess => BrokerBuilder::new("inprocess:"),
        Messaging::RabbitMq { url } => BrokerBuilder::new(url.clone()),
        // Without AWS_ENDPOINT_URL: AWS itself, with the SDK's default chain.
        Messaging::Sqs { endpoint: None } => BrokerBuilder::new("sqs:"),
        Messaging::Sqs {
            endpoint: Some(endpoint),
        } => BrokerBuilder::new("sqs:").sqs_endpoint(endpoint.clone()),
    };
    builder
        .connect()
        .await
        .context("MESSAGING: cannot connect to the broker (AMQP_URL, AWS_ENDPOINT_URL)")
}

/// Forgets idempotency keys older than their retention, once an hour.
async fn purge_idempotency_keys(store: Arc<dyn IdempotencyStore>, shutdown: CancellationToken) {
    loop {
        let start = chrono::Duration::from_std(crate::idempotency::RETENTION)
            .ok()
            .and_then(|retention| chrono::Utc::now().checked_sub_signed(retention));
        if let Some(start) = start {
            if let Err(e) = store.purge(start).await {
                tracing::warn!(error = %e, "purging idempotency keys");
            }
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(Duration::from_secs(3600)) => {}
        }
    }
}

/// Makes the due invoices of every tenant's schedules every `interval`. Instances may
/// all run it: the store makes each period once.
async fn generate_recurring_invoices(
    generator: ScheduleGenerator,
    interval: Duration,
    shutdown: CancellationToken,
) {
    loop {
        match generator.run_once(chrono::Utc::now()).await {
            Ok(report) => {
                if report.created > 0 || report.issued > 0 {
                    tracing::info!(
                        created = report.created,
                        issued = report.issued,
                        "recurring invoices generated"
                    );
                }
                for failure in &report.failed {
                    tracing::warn!(
                        schedule = %failure.schedule,
                        period = failure.period,
                        reason = %failure.reason,
                        "recurring invoice not generated"
                    );
                }
            }
            Err(e) => tracing::warn!(error = %e, "generating recurring invoices"),
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(interval) => {}
        }
    }
}

/// The token checker the configuration asks for (an OIDC one fetches its keys now).
async fn authenticator(config: &Config) -> anyhow::Result<Authenticator> {
    Ok(match &config.auth {
        Auth::Secret(secret) | Auth::Development(secret) => {
            Authenticator::hs256(secret, &config.tenant_claim)
        }
        Auth::Jwks {
            url,
            issuer,
            audience,
        } => {
            let mut jwks = JwksConfig::new(url.clone(), issuer.clone(), audience.clone());
            jwks.tenant_claim.clone_from(&config.tenant_claim);
            Authenticator::jwks(Arc::new(JwksVerifier::connect(jwks).await?))
        }
    })
}

/// Builds the state and starts the relay and the WebSocket feed.
pub async fn build(config: &Config) -> anyhow::Result<(AppState, Background)> {
    let Stores {
        invoices,
        clients,
        outbox,
        idempotency,
        reports,
        schedules,
        reminders,
        ..
    } = stores(&config.database, config.sqlite_exclusive).await?;
    let documents: Arc<dyn DocumentStore> = match &config.documents {
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
    };
    let broker = broker(&config.messaging).await?;
    // Where the broker has them (RabbitMQ), a feed queue of this instance's own: every
    // instance pushes every event to its WebSocket clients. SQS has none: there it is one
    // shared queue, and each instance's clients see the events its instance got.
    let feed = broker
        .subscribe_feed("invoice-service-ws", &["invoice.#"])
        .await
        .context("MESSAGING: subscribing the WebSocket feed")?;
    // Bound before the relay publishes, so that no event misses the queue. A work queue
    // the instances share: each issued, paid, credited or deleted invoice's reminders are
    // made or cancelled once, by whichever instance takes the event.
    let invoice_reminders = match &config.invoice_reminders {
        Some(reminders_config) => Some(
            broker
                .subscribe(
                    &reminders_config.queue,
                    &[
                        "invoice.issued",
                        "invoice.paid",
                        "invoice.credited",
                        "invoice.deleted",
                    ],
                )
                .await
                .context("MESSAGING: subscribing the invoice reminders' queue (REMINDER_QUEUE)")?,
        ),
        None => None,
    };
    let publisher = broker.publisher();
    let metrics = crate::metrics::install()?;
    let (events, _) = broadcast::channel(1024);

    let shutdown = CancellationToken::new();
    let mut tasks = JoinSet::new();
    let relay = OutboxRelay::new(
        Arc::clone(&outbox),
        Arc::new(CountingPublisher::new(publisher)),
    )
    .with_idle_wait(Duration::from_millis(50));
    let token = shutdown.clone();
    tasks.spawn(async move { relay.run(token).await });
    let sender = events.clone();
    let forward = move |event: EventEnvelope| {
        let sender = sender.clone();
        async move {
            // No WebSocket client connected is fine: the event is just not pushed.
            let _ = sender.send(event);
            Ok::<(), HandlerError>(())
        }
    };
    let runner = ConsumerRunner::new(feed, Arc::new(forward));
    let token = shutdown.clone();
    tasks.spawn(async move {
        if let Err(e) = runner.run(token).await {
            tracing::error!(error = %e, "websocket feed stopped");
        }
    });

    if let (Some(subscriber), Some(reminders_config)) =
        (invoice_reminders, &config.invoice_reminders)
    {
        let handler = InvoiceReminders::new(Arc::clone(&reminders), reminders_config.policy);
        let runner = ConsumerRunner::new(subscriber, Arc::new(handler));
        let token = shutdown.clone();
        tasks.spawn(async move {
            if let Err(e) = runner.run(token).await {
                tracing::error!(error = %e, "invoice reminders stopped");
            }
        });
    }

    tasks.spawn(crate::metrics::keep_up(
        metrics.clone(),
        crate::metrics::UPKEEP_PERIOD,
        shutdown.clone(),
    ));

    let purge = Arc::clone(&idempotency);
    let token = shutdown.clone();
    tasks.spawn(async move { purge_idempotency_keys(purge, token).await });

    if let Some(interval) = config.schedule_interval {
        let generator = ScheduleGenerator::new(Arc::clone(&schedules), Arc::clone(&invoices));
        let token = shutdown.clone();
        tasks.spawn(async move { generate_recurring_invoices(generator, interval, token).await });
    }

    let state = AppState::new(Shared {
        invoices,
        clients,
        idempotency,
        reports,
        schedules,
        reminders,
        outbox,
        documents,
        events,
        auth: authenticator(config).await?,
        metrics,
        sign_in: crate::dashboard::SignIn::from_config(config)?,
    });
    Ok((state, Background { shutdown, tasks }))
}
