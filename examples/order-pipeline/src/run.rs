//! The pipeline put together from a [`Config`]: stores, broker, and the roles asked for.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use invoice_messaging::{Broker, BrokerBuilder, CancellationToken, ConsumerRunner, RetryPolicy};
use invoice_storage::StoresBuilder;
use tokio::task::JoinSet;

use crate::aggregator::Aggregator;
use crate::announcer::Announcer;
use crate::checkers::CheckHandler;
use crate::config::{Config, Messaging, Role};
use crate::http::{router, Api};
use crate::invoice::Invoicing;
use crate::messages::{Checker, OrderChecked, OrderPlaced};
use crate::store::{InMemoryOrderStore, OrderStore, PostgresOrderStore};

/// Retries for a minute and a half before a message goes to the dead-letter queue: a
/// broker or database that restarts, or a slow one, must not cost an order its answer
/// (an answer that is lost all the same ends in the order's timeout).
fn patient() -> RetryPolicy {
    RetryPolicy::new(12, Duration::from_millis(200), Duration::from_secs(15))
}

async fn broker(config: &Config) -> anyhow::Result<Broker> {
    let builder = match &config.messaging {
        Messaging::InProcess => BrokerBuilder::new("inprocess:"),
        Messaging::RabbitMq { url, exchange } => BrokerBuilder::new(url.clone())
            .exchange(exchange.clone())
            .connection_name("order-pipeline"),
        Messaging::Sns { endpoint, topic } => {
            let mut builder = BrokerBuilder::new(format!("sns:{topic}"));
            if let Some(endpoint) = endpoint {
                builder = builder.sqs_endpoint(endpoint.clone());
            }
            builder
        }
    };
    builder
        .connect()
        .await
        .context("MESSAGING: connecting the broker")
}

/// Starts every role of `config` on `shutdown`'s watch; returns the tasks.
///
/// # Errors
///
/// When a store or the broker cannot be opened, a queue cannot be subscribed or `BIND`
/// cannot be listened on.
pub async fn start(config: &Config, shutdown: CancellationToken) -> anyhow::Result<JoinSet<()>> {
    let orders: Arc<dyn OrderStore> = if config.database == "memory:" {
        Arc::new(InMemoryOrderStore::new())
    } else {
        Arc::new(
            PostgresOrderStore::connect(&config.database, None)
                .await
                .context("DATABASE_URL: opening the order store")?,
        )
    };
    let stores = StoresBuilder::new(&config.database)
        .open()
        .await
        .context("DATABASE_URL: opening the invoice store")?;
    let invoicing = Invoicing::demo(&config.tenant).context("INVOICE_TENANT")?;
    let broker = broker(config).await?;
    let queue = |what: &str| format!("{}-{what}", config.queue_prefix);
    let mut tasks = JoinSet::new();

    // Queues first, so that nothing published from here on misses them.
    for (role, checker) in [
        (Role::Credit, Checker::Credit),
        (Role::Stock, Checker::Stock),
    ] {
        if !config.runs(role) {
            continue;
        }
        let subscriber = broker
            .subscribe_as::<OrderPlaced>(&queue(checker.as_str()), &["order.placed"])
            .await
            .with_context(|| format!("subscribing the {} checker's queue", checker.as_str()))?;
        let handler = CheckHandler::new(
            checker,
            Arc::clone(&orders),
            invoicing.clone(),
            broker.publisher_as(),
        );
        let runner = ConsumerRunner::new(subscriber, Arc::new(handler))
            .with_concurrency(8)
            .with_retry(patient());
        let token = shutdown.clone();
        tasks.spawn(async move {
            if let Err(e) = runner.run(token).await {
                tracing::error!(error = %e, "checker stopped");
            }
        });
    }
    if config.runs(Role::Aggregator) {
        let subscriber = broker
            .subscribe_as::<OrderChecked>(&queue("aggregator"), &["order.checked"])
            .await
            .context("subscribing the aggregator's queue")?;
        let aggregator = Arc::new(Aggregator::new(
            Arc::clone(&orders),
            Arc::clone(&stores.invoices),
            invoicing.clone(),
            broker.publisher_as(),
            broker.publisher_as(),
        ));
        let runner = ConsumerRunner::new(subscriber, Arc::clone(&aggregator) as _)
            .with_concurrency(8)
            .with_retry(patient());
        let token = shutdown.clone();
        tasks.spawn(async move {
            if let Err(e) = runner.run(token).await {
                tracing::error!(error = %e, "aggregator stopped");
            }
        });
        let (timeout, token) = (config.timeout, shutdown.clone());
        tasks.spawn(async move {
            let mut ticks = tokio::time::interval(Duration::from_secs(1));
            loop {
                tokio::select! {
                    biased;
                    () = token.cancelled() => return,
                    _ = ticks.tick() => {}
                }
                let before =
                    chrono::Utc::now() - chrono::Duration::from_std(timeout).unwrap_or_default();
                match aggregator.expire(before).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(expired = n, "orders timed out"),
                    Err(e) => tracing::warn!(error = %e, "expiring orders failed"),
                }
            }
        });
    }
    if config.runs(Role::Api) {
        let api = Api {
            orders: Arc::clone(&orders),
        };
        let announcer = Announcer::new(Arc::clone(&orders), broker.publisher_as());
        let token = shutdown.clone();
        tasks.spawn(async move { announcer.run(token).await });
        let listener = tokio::net::TcpListener::bind(config.bind)
            .await
            .with_context(|| format!("BIND {}: cannot listen", config.bind))?;
        tracing::info!("listening on {}", config.bind);
        let token = shutdown.clone();
        tasks.spawn(async move {
            let served = axum::serve(listener, router(api))
                .with_graceful_shutdown(async move { token.cancelled().await })
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "HTTP server stopped");
            }
        });
    }
    tracing::info!(roles = ?config.roles, "order pipeline running");
    Ok(tasks)
}
