//! RabbitMQ over AMQP 0-9-1 (lapin): a durable topic exchange, quorum queues with a
//! dead-letter exchange, persistent messages, publisher confirms, manual acks, prefetch,
//! and reconnection after the broker or the connection goes away.
//!
//! # Topology
//!
//! | what | name | kind |
//! |---|---|---|
//! | events | `<exchange>` (default `invoice.events`) | durable topic exchange, routing key `invoice.<event>` |
//! | dead letters | `<exchange>.dlx` | durable direct exchange, routing key = queue name |
//! | a subscription | `<queue>` | durable quorum queue, `x-dead-letter-exchange` = the DLX |
//! | its dead letters | `<queue>.dlq` | durable quorum queue bound to the DLX with the queue name |
//! | a feed ([`RabbitMqBroker::subscribe_feed`]) | `<name>.<random>` | classic queue, exclusive to its connection, auto-deleted, no DLQ |
//!
//! Quorum queues because they count deliveries: the broker adds `x-delivery-count` to a
//! redelivered message, so [`Delivery::attempt`](crate::Delivery::attempt) is exact across
//! consumer crashes and reconnects (a classic queue only has the `redelivered` flag, which
//! would make every redelivery attempt 2). A message the handler gave up on is published
//! to the DLX with the header [`LAST_ERROR_HEADER`] and then acknowledged.
//!
//! # Reconnection
//!
//! lapin's own recovery gives up after a fixed number of reconnect attempts, so the
//! adapter reconnects by itself: a [`RabbitMqPublisher`] opens a new connection (and
//! re-declares its exchanges) on the first publish after a failure, and reports the failed
//! publish as [`Error::NotConfirmed`](crate::Error::NotConfirmed) instead of waiting; a
//! [`RabbitMqSubscriber`] reconnects with backoff, re-declares its queue and consumes
//! again, for up to the reconnect timeout before [`Subscriber::next`](crate::Subscriber::next)
//! fails. Deliveries handed out before a connection died can no longer be settled (their
//! ack fails with [`Error::Broker`](crate::Error::Broker)); the broker delivers them again.

mod builder;
mod connection;
mod publisher;
mod subscriber;
mod topology;

pub use builder::RabbitMqBrokerBuilder;
pub use publisher::RabbitMqPublisher;
use subscriber::QueueKind;
pub use subscriber::RabbitMqSubscriber;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use lapin::options::{BasicAckOptions, BasicGetOptions};
use lapin::types::{AMQPValue, FieldTable, ShortString};

use crate::codec;
use crate::error::{BoxError, Error, Result};
use crate::message::Message;
use crate::subscriber::DeadLetter;

/// The exchange used when none is given.
pub const DEFAULT_EXCHANGE: &str = "invoice.events";

/// The header that carries the reason of a dead-lettered message.
pub const LAST_ERROR_HEADER: &str = "x-last-error";

pub(crate) const BACKEND: &str = "rabbitmq";

pub(crate) fn broker_error(e: impl Into<BoxError>) -> Error {
    Error::Broker {
        backend: BACKEND,
        source: e.into(),
    }
}

/// An AMQP short string (at most 255 bytes), or [`Error::Config`] naming `what`.
pub(crate) fn short(value: &str, what: &str) -> Result<ShortString> {
    ShortString::try_new(value).map_err(|_| Error::Config {
        reason: format!("{what} {value:?} is longer than 255 bytes"),
    })
}

/// What every connection of one broker shares.
#[derive(Clone)]
pub(crate) struct Settings {
    pub(crate) url: String,
    pub(crate) exchange: String,
    pub(crate) prefetch: u16,
    pub(crate) confirm_timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) setup_timeout: Duration,
    pub(crate) reconnect_initial: Duration,
    pub(crate) reconnect_max: Duration,
    pub(crate) reconnect_timeout: Duration,
    pub(crate) connection_name: String,
}

impl Settings {
    pub(crate) fn dead_letter_exchange(&self) -> String {
        topology::dead_letter_exchange(&self.exchange)
    }
}

impl fmt::Debug for Settings {
    // The URL is left out: it carries the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("exchange", &self.exchange)
            .field("prefetch", &self.prefetch)
            .field("confirm_timeout", &self.confirm_timeout)
            .field("connection_name", &self.connection_name)
            .finish_non_exhaustive()
    }
}

/// A RabbitMQ broker: declares the topology, hands out publishers and subscribers, and
/// reads dead letters.
///
/// All [`RabbitMqPublisher`]s of one broker share one connection and one confirm-mode
/// channel; each [`RabbitMqSubscriber`] has a connection of its own, so that a slow
/// consumer never holds up publishing (RabbitMQ blocks publishing connections under
/// memory pressure, consumers must keep running then).
///
/// # TLS
///
/// The `rabbitmq` feature speaks plain AMQP, enough for a broker on the same host or
/// network (and all this crate's tests). For a broker elsewhere, enable `rabbitmq-tls`
/// (`invoice-messaging = { version = "0.1", features = ["rabbitmq-tls"] }`: rustls with
/// ring, server certificates checked against the webpki roots) and use an `amqps://` URL,
/// usually on port 5671. Without the feature, [`build`](RabbitMqBrokerBuilder::build)
/// rejects `amqps://` URLs with [`Error::Config`](crate::Error::Config).
///
/// # Examples
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use invoice_messaging::{Publisher, RabbitMqBroker, Subscriber};
///
/// let broker = RabbitMqBroker::connect("amqp://guest:guest@127.0.0.1:5672/%2f", "invoice.events").await?;
/// let mailer = broker.subscribe("mailer", &["invoice.issued", "invoice.paid"]).await?;
/// let publisher = broker.publisher();
/// # let event = invoice_messaging::testing::invoice_events(1).remove(0);
/// publisher.publish(&event).await?; // returns once RabbitMQ has confirmed it
/// if let Some(delivery) = mailer.next().await? {
///     delivery.ack().await?;
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct RabbitMqBroker {
    settings: Arc<Settings>,
    publisher: RabbitMqPublisher,
}

impl RabbitMqBroker {
    /// A builder for the broker at `url` (`amqp://user:password@host:5672/%2f`, the vhost
    /// URL-encoded).
    pub fn builder(url: impl Into<String>) -> RabbitMqBrokerBuilder {
        RabbitMqBrokerBuilder::new(url)
    }

    /// Connects to `url` with events on `exchange`, and the defaults of
    /// [`RabbitMqBrokerBuilder`] otherwise.
    ///
    /// # Errors
    ///
    /// As [`RabbitMqBrokerBuilder::build`].
    pub async fn connect(url: impl Into<String>, exchange: impl Into<String>) -> Result<Self> {
        Self::builder(url).exchange(exchange).build().await
    }

    pub(crate) fn new(settings: Arc<Settings>, publisher: RabbitMqPublisher) -> Self {
        Self {
            settings,
            publisher,
        }
    }

    /// The name of the events exchange.
    pub fn exchange(&self) -> &str {
        &self.settings.exchange
    }

    /// A publisher to the events exchange; clones share one connection.
    pub fn publisher(&self) -> RabbitMqPublisher {
        self.publisher.clone()
    }

    /// Declares the durable quorum queue `queue` bound to `patterns` (AMQP topic patterns
    /// such as `invoice.*`, `invoice.#`, `invoice.issued`), with its dead-letter queue
    /// `<queue>.dlq`, and starts consuming it. Several subscribers of one queue compete
    /// for its messages.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for an empty or too long queue name, no pattern, or a queue that
    /// exists with other arguments (such as a classic queue of the same name);
    /// [`Error::Broker`] when the broker cannot be reached.
    pub async fn subscribe(&self, queue: &str, patterns: &[&str]) -> Result<RabbitMqSubscriber> {
        self.subscribe_as(queue, patterns).await
    }

    /// As [`subscribe`](Self::subscribe), for messages of type `M` (commands, a service's
    /// own [`Message`] types) rather than invoice events.
    ///
    /// # Errors
    ///
    /// As [`subscribe`](Self::subscribe).
    pub async fn subscribe_as<M: Message>(
        &self,
        queue: &str,
        patterns: &[&str],
    ) -> Result<RabbitMqSubscriber<M>> {
        RabbitMqSubscriber::start(
            Arc::clone(&self.settings),
            queue,
            QueueKind::Durable,
            patterns,
        )
        .await
    }

    /// Subscribes to a feed: every event matching `patterns` from now on, for this
    /// subscriber alone, where [`subscribe`](Self::subscribe)'s subscribers of one queue
    /// compete. For what each instance of a service must see, such as the events it
    /// pushes to its WebSocket clients.
    ///
    /// The queue is named `<name>.<random suffix>`, exclusive to the subscriber's
    /// connection and deleted by the broker when that closes, so a crashed instance leaves
    /// nothing behind. It is not durable: events published while the subscriber
    /// reconnects are not delivered to it, and what it dead-letters is dropped. Use
    /// [`subscribe`](Self::subscribe) for work that must not be lost.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run() -> invoice_messaging::Result<()> {
    /// use invoice_messaging::{RabbitMqBroker, Subscriber};
    ///
    /// let broker = RabbitMqBroker::connect("amqp://guest:guest@127.0.0.1:5672/%2f", "invoice.events").await?;
    /// let feed = broker.subscribe_feed("invoice-service.ws", &["invoice.#"]).await?;
    /// while let Some(delivery) = feed.next().await? {
    ///     println!("{}", delivery.envelope().event_id);
    ///     delivery.ack().await?;
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`subscribe`](Self::subscribe).
    pub async fn subscribe_feed(
        &self,
        name: &str,
        patterns: &[&str],
    ) -> Result<RabbitMqSubscriber> {
        let queue = format!("{name}.{:016x}", fastrand::u64(..));
        RabbitMqSubscriber::start(
            Arc::clone(&self.settings),
            &queue,
            QueueKind::Feed,
            patterns,
        )
        .await
    }

    /// Takes up to `max` events out of the dead-letter queue of `queue`, oldest first,
    /// with the reason each is there (the [`LAST_ERROR_HEADER`], or the broker's own
    /// reason such as `rejected` for messages it dead-lettered itself).
    ///
    /// # Errors
    ///
    /// [`Error::Broker`] when the broker cannot be reached or the queue does not exist.
    pub async fn drain_dead_letters(&self, queue: &str, max: usize) -> Result<Vec<DeadLetter>> {
        self.drain_dead_letters_as(queue, max).await
    }

    /// As [`drain_dead_letters`](Self::drain_dead_letters), for a queue of messages of
    /// type `M`.
    ///
    /// # Errors
    ///
    /// As [`drain_dead_letters`](Self::drain_dead_letters).
    pub async fn drain_dead_letters_as<M: Message>(
        &self,
        queue: &str,
        max: usize,
    ) -> Result<Vec<DeadLetter<M>>> {
        let dlq = short(&topology::dead_letter_queue(queue), "queue name")?;
        let settings = &self.settings;
        connection::within(settings, "reading dead letters", async {
            Self::drain(settings, dlq, max).await
        })
        .await
    }

    async fn drain<M: Message>(
        settings: &Settings,
        dlq: ShortString,
        max: usize,
    ) -> Result<Vec<DeadLetter<M>>> {
        let connection = connection::open(settings, "dead-letters").await?;
        let channel = connection.create_channel().await.map_err(broker_error)?;
        let mut out = Vec::new();
        while out.len() < max {
            let Some(message) = channel
                .basic_get(dlq.clone(), BasicGetOptions { no_ack: false })
                .await
                .map_err(broker_error)?
            else {
                break;
            };
            let delivery = message.delivery;
            out.push(DeadLetter::new(
                codec::decode(&delivery.data).ok(),
                dead_letter_reason(delivery.properties.headers().as_ref()),
            ));
            delivery
                .acker
                .ack(BasicAckOptions::default())
                .await
                .map_err(broker_error)?;
        }
        connection::close(&connection).await;
        Ok(out)
    }

    /// Deletes `queue` and its dead-letter queue, with any messages in them.
    ///
    /// # Errors
    ///
    /// [`Error::Broker`] when the broker cannot be reached.
    pub async fn delete_queue(&self, queue: &str) -> Result<()> {
        let names = [
            short(queue, "queue name")?,
            short(&topology::dead_letter_queue(queue), "queue name")?,
        ];
        connection::within(&self.settings, "deleting a queue", async {
            let connection = connection::open(&self.settings, "admin").await?;
            let channel = connection.create_channel().await.map_err(broker_error)?;
            for name in names {
                channel
                    .queue_delete(name, lapin::options::QueueDeleteOptions::default())
                    .await
                    .map_err(broker_error)?;
            }
            connection::close(&connection).await;
            Ok(())
        })
        .await
    }

    /// Deletes the events exchange and the dead-letter exchange (queues stay, unbound).
    ///
    /// # Errors
    ///
    /// [`Error::Broker`] when the broker cannot be reached.
    pub async fn delete_exchanges(&self) -> Result<()> {
        let names = [
            short(&self.settings.exchange, "exchange name")?,
            short(&self.settings.dead_letter_exchange(), "exchange name")?,
        ];
        connection::within(&self.settings, "deleting exchanges", async {
            let connection = connection::open(&self.settings, "admin").await?;
            let channel = connection.create_channel().await.map_err(broker_error)?;
            for name in names {
                channel
                    .exchange_delete(name, lapin::options::ExchangeDeleteOptions::default())
                    .await
                    .map_err(broker_error)?;
            }
            connection::close(&connection).await;
            Ok(())
        })
        .await
    }
}

/// The reason a dead letter carries: ours, else the broker's `x-death` reason.
fn dead_letter_reason(headers: Option<&FieldTable>) -> String {
    let Some(headers) = headers else {
        return "unknown".to_owned();
    };
    if let Some(reason) = headers.inner().get(LAST_ERROR_HEADER).and_then(text) {
        return reason;
    }
    // x-death: an array of tables, newest first, each with a `reason` such as `rejected`.
    if let Some(AMQPValue::FieldArray(deaths)) = headers.inner().get("x-death") {
        if let Some(AMQPValue::FieldTable(death)) = deaths.as_slice().first() {
            if let Some(reason) = death.inner().get("reason").and_then(text) {
                return format!("dead-lettered by the broker: {reason}");
            }
        }
    }
    "unknown".to_owned()
}

pub(crate) fn text(value: &AMQPValue) -> Option<String> {
    match value {
        AMQPValue::LongString(s) => Some(String::from_utf8_lossy(s.as_bytes()).into_owned()),
        AMQPValue::ShortString(s) => Some(s.as_str().to_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dead_letter_reason_prefers_our_header_then_the_brokers() {
        let mut ours = FieldTable::default();
        ours.insert(
            LAST_ERROR_HEADER.into(),
            AMQPValue::LongString("smtp timeout".into()),
        );
        assert_eq!(dead_letter_reason(Some(&ours)), "smtp timeout");

        let mut death = FieldTable::default();
        death.insert("reason".into(), AMQPValue::LongString("rejected".into()));
        let mut broker = FieldTable::default();
        broker.insert(
            "x-death".into(),
            AMQPValue::FieldArray(vec![AMQPValue::FieldTable(death)].into()),
        );
        assert_eq!(
            dead_letter_reason(Some(&broker)),
            "dead-lettered by the broker: rejected"
        );
        assert_eq!(dead_letter_reason(None), "unknown");
    }

    #[test]
    fn short_strings_over_255_bytes_are_config_errors() {
        assert!(short("q", "queue name").is_ok());
        let long = "x".repeat(256);
        assert!(matches!(
            short(&long, "queue name"),
            Err(Error::Config { .. })
        ));
    }
}
