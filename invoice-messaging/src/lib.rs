//! At-least-once delivery of invoice events, made safe: no event lost, no side effect
//! doubled.
//!
//! - [`Publisher`]: publish envelopes, confirmed by the broker before returning.
//! - [`Subscriber`] yields [`Delivery`]s to ack, nack or dead-letter; a [`Handler`]
//!   returns `Ok`, a retryable or a permanent [`HandlerError`].
//! - [`ConsumerRunner`]: bounded concurrency, retries with exponential backoff and
//!   jitter ([`RetryPolicy`]), dead letters with the last error, graceful shutdown.
//! - [`Idempotent`]: skips event ids an [`InboxStore`](invoice_storage::InboxStore) has
//!   seen.
//! - [`OutboxRelay`]: from an [`OutboxStore`](invoice_storage::OutboxStore) to a publisher.
//! - [`Aggregator`]: fan-out and join by correlation id, with a timeout.
//!
//! | feature | adapter |
//! |---|---|
//! | (always) | [`InProcessBroker`]: tokio channels with AMQP-style topic routing |
//! | `sqs` | `SqsBroker`: Amazon SQS queues with redrive to a DLQ, FIFO per invoice |
//! | `rabbitmq` | `RabbitMqBroker`: durable topic exchange, quorum queues, publisher confirms, dead-letter exchange, reconnect |
//! | `rabbitmq-tls` | `amqps://` URLs for the RabbitMQ adapter (rustls) |
//! | `testing` | the conformance suite, module `testing` |
//!
//! # Example: outbox → broker → idempotent consumer
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use chrono::Utc;
//! use invoice_messaging::{Delivery, InProcessBroker, OutboxRelay, Subscriber};
//! use invoice_storage::{InMemoryStore, InvoiceStore};
//!
//! let store = InMemoryStore::new();
//! let broker = InProcessBroker::new();
//! let mailer = broker.subscribe("mailer", &["invoice.#"])?;
//! let relay = OutboxRelay::new(Arc::new(store.clone()), Arc::new(broker.publisher()));
//!
//! // ... an InvoiceStore write saved an invoice and its events in the outbox ...
//! # let tenant = invoice_storage::testing::fresh_tenant();
//! # let (invoice, event) = invoice_core::Invoice::create(invoice_storage::testing::draft(&tenant, "B"))?;
//! # let event = invoice_core::EventEnvelope::new(invoice_core::EventId::from_uuid(uuid::Uuid::new_v4()), Utc::now(), &invoice, event);
//! # store.create(&invoice, &[event]).await?;
//! assert_eq!(relay.run_once(Utc::now()).await?, 1);
//! let delivery: Delivery = mailer.next().await?.expect("one event");
//! assert_eq!(delivery.envelope().event.name(), "created");
//! delivery.ack().await?;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod codec;
mod error;
mod fanout;
mod handler;
mod idempotent;
mod inprocess;
mod publisher;
#[cfg(feature = "rabbitmq")]
mod rabbitmq;
mod relay;
mod runner;
#[cfg(feature = "sqs")]
mod sqs;
mod subscriber;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use error::{BoxError, Error, Result};
pub use fanout::{Aggregator, DeliverOutcome, JoinError};
pub use handler::{Handler, HandlerError};
pub use idempotent::Idempotent;
pub use inprocess::{topic_matches, InProcessBroker, InProcessPublisher, InProcessSubscriber};
pub use publisher::Publisher;
#[cfg(feature = "rabbitmq")]
pub use rabbitmq::{
    RabbitMqBroker, RabbitMqBrokerBuilder, RabbitMqPublisher, RabbitMqSubscriber, DEFAULT_EXCHANGE,
    LAST_ERROR_HEADER,
};
pub use relay::OutboxRelay;
pub use runner::{ConsumerRunner, RetryPolicy, RunnerStats};
#[cfg(feature = "sqs")]
pub use sqs::{
    QueueOptions, SqsBroker, SqsBrokerBuilder, SqsPublisher, SqsQueue, SqsSubscriber,
    DEFAULT_MAX_RECEIVE_COUNT, LAST_ERROR_ATTRIBUTE,
};
pub use subscriber::{DeadLetter, Delivery, Settle, Subscriber};
pub use tokio_util::sync::CancellationToken;

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn traits_are_object_safe() {
        fn _publisher(_: Arc<dyn Publisher>) {}
        fn _subscriber(_: Arc<dyn Subscriber>) {}
        fn _handler(_: Arc<dyn Handler>) {}
    }
}
