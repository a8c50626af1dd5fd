#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod codec;
mod connect;
mod error;
mod fanout;
mod handler;
mod idempotent;
mod inprocess;
pub mod invoice_reminders;
mod message;
mod publisher;
#[cfg(feature = "rabbitmq")]
mod rabbitmq;
mod relay;
pub mod reminders;
mod runner;
#[cfg(feature = "sns")]
pub mod sns;
#[cfg(feature = "sqs")]
mod sqs;
mod subscriber;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use connect::{connect, Broker, BrokerBuilder, BrokerUrl};
pub use error::{BoxError, Error, Result};
pub use fanout::{Aggregator, DeliverOutcome, JoinError};
pub use handler::{Handler, HandlerError};
pub use idempotent::Idempotent;
pub use inprocess::{topic_matches, InProcessBroker, InProcessPublisher, InProcessSubscriber};
pub use invoice_reminders::{InvoiceReminderPolicy, InvoiceReminders};
pub use message::Message;
pub use publisher::Publisher;
#[cfg(feature = "rabbitmq")]
pub use rabbitmq::{
    RabbitMqBroker, RabbitMqBrokerBuilder, RabbitMqPublisher, RabbitMqSubscriber, DEFAULT_EXCHANGE,
    LAST_ERROR_HEADER,
};
pub use relay::OutboxRelay;
pub use reminders::{
    ReminderScheduler, ReminderSendError, ReminderSender, ReminderStats, SendReminderHandler,
};
pub use runner::{ConsumerRunner, RetryPolicy, RunnerStats};
#[cfg(feature = "sns")]
pub use sns::{SnsBroker, SnsBrokerBuilder, SnsPublisher};
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
