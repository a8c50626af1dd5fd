//! Consuming a queue (a durable quorum queue, or a feed's own classic queue) with manual
//! acks, and settling deliveries.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use futures_util::StreamExt;
use invoice_core::EventEnvelope;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions,
};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::Acker;
use lapin::{BasicProperties, Channel, Confirmation, Connection, Consumer};
use tokio::sync::Mutex;

use super::connection::{self, Backoff};
use super::{broker_error, short, topology, Settings, LAST_ERROR_HEADER};
use crate::codec;
use crate::error::{Error, Result};
use crate::message::Message;
use crate::subscriber::{Delivery, Settle, Subscriber};

/// Reasons longer than this are cut: headers must fit in one AMQP frame (128 KiB).
const MAX_REASON_BYTES: usize = 4096;

/// A subscription to one durable quorum queue, made by
/// [`RabbitMqBroker::subscribe`](super::RabbitMqBroker::subscribe), or to a feed queue of
/// its own, made by [`RabbitMqBroker::subscribe_feed`](super::RabbitMqBroker::subscribe_feed).
///
/// Deliveries are acknowledged manually; at most the broker's prefetch are unsettled at
/// once. [`Delivery::attempt`] is 1 plus the queue's `x-delivery-count` header (so it
/// counts redeliveries after nacks, consumer crashes and reconnects), and at least 2 for
/// a message the broker flags as redelivered. A body that does not decode as the
/// subscriber's message type is dead-lettered with the decode error as its reason and never handed out. A feed's queue
/// is a classic queue without a delivery count or a dead-letter queue: there the attempt
/// is 1, or 2 for a flagged redelivery, and what is dead-lettered is dropped.
///
/// When the connection goes away, [`next`](Subscriber::next) reconnects with backoff,
/// declares the queue again and resumes consuming; it fails with [`Error::Broker`] only
/// when that has not worked for the reconnect timeout.
pub struct RabbitMqSubscriber<M = EventEnvelope> {
    shared: Arc<Shared>,
    _message: PhantomData<fn() -> M>,
}

impl<M> Clone for RabbitMqSubscriber<M> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
            _message: PhantomData,
        }
    }
}

/// What a subscription's queue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QueueKind {
    /// Durable, quorum, shared by competing subscribers, with a dead-letter queue.
    Durable,
    /// This subscriber's alone, deleted with its connection, no dead-letter queue.
    Feed,
}

struct Shared {
    settings: Arc<Settings>,
    queue: String,
    kind: QueueKind,
    patterns: Vec<String>,
    dead_letter_exchange: ShortString,
    dead_letter_key: ShortString,
    consuming: Mutex<Option<Consuming>>,
}

/// One connection's worth of consuming: dropped whole when anything in it fails.
struct Consuming {
    consumer: Consumer,
    // Dead letters are published on a confirm-mode channel of the same connection.
    dead_letters: Channel,
    _channel: Channel,
    connection: Connection,
}

impl<M> fmt::Debug for RabbitMqSubscriber<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RabbitMqSubscriber")
            .field("queue", &self.shared.queue)
            .field("patterns", &self.shared.patterns)
            .finish_non_exhaustive()
    }
}

impl<M: Message> RabbitMqSubscriber<M> {
    pub(crate) async fn start(
        settings: Arc<Settings>,
        queue: &str,
        kind: QueueKind,
        patterns: &[&str],
    ) -> Result<Self> {
        if queue.is_empty() || patterns.is_empty() {
            return Err(Error::Config {
                reason: "a queue needs a name and at least one binding pattern".to_owned(),
            });
        }
        short(&topology::dead_letter_queue(queue), "queue name")?;
        for pattern in patterns {
            short(pattern, "binding pattern")?;
        }
        let shared = Shared {
            dead_letter_exchange: short(&settings.dead_letter_exchange(), "exchange name")?,
            dead_letter_key: short(queue, "queue name")?,
            settings,
            queue: queue.to_owned(),
            kind,
            patterns: patterns.iter().map(|p| (*p).to_owned()).collect(),
            consuming: Mutex::new(None),
        };
        // Declare and consume now: the queue must exist before events are published.
        let consuming = shared.consume().await?;
        *shared.consuming.lock().await = Some(consuming);
        Ok(Self {
            shared: Arc::new(shared),
            _message: PhantomData,
        })
    }

    /// The queue's name.
    pub fn queue(&self) -> &str {
        &self.shared.queue
    }
}

impl Shared {
    async fn consume(&self) -> Result<Consuming> {
        connection::within(&self.settings, "subscriber setup", self.consume_unbounded()).await
    }

    async fn consume_unbounded(&self) -> Result<Consuming> {
        let settings = &self.settings;
        let connection = connection::open(settings, &format!("subscriber-{}", self.queue)).await?;
        let channel = connection.create_channel().await.map_err(broker_error)?;
        topology::declare_exchanges(&channel, &settings.exchange).await?;
        match self.kind {
            QueueKind::Durable => {
                topology::declare_queue(&channel, &settings.exchange, &self.queue, &self.patterns)
                    .await?;
            }
            QueueKind::Feed => {
                topology::declare_feed_queue(
                    &channel,
                    &settings.exchange,
                    &self.queue,
                    &self.patterns,
                )
                .await?;
            }
        }
        channel
            .basic_qos(settings.prefetch, BasicQosOptions::default())
            .await
            .map_err(broker_error)?;
        let consumer = channel
            .basic_consume(
                short(&self.queue, "queue name")?,
                ShortString::default(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(broker_error)?;
        let dead_letters = connection.create_channel().await.map_err(broker_error)?;
        dead_letters
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(broker_error)?;
        Ok(Consuming {
            consumer,
            dead_letters,
            _channel: channel,
            connection,
        })
    }

    fn settle_for(
        &self,
        consuming: &Consuming,
        delivery: lapin::message::Delivery,
    ) -> RabbitMqSettle {
        RabbitMqSettle {
            acker: delivery.acker,
            body: delivery.data,
            properties: delivery.properties,
            dead_letters: consuming.dead_letters.clone(),
            exchange: self.dead_letter_exchange.clone(),
            routing_key: self.dead_letter_key.clone(),
            confirm_timeout: self.settings.confirm_timeout,
        }
    }
}

#[async_trait]
impl<M: Message> Subscriber<M> for RabbitMqSubscriber<M> {
    async fn next(&self) -> Result<Option<Delivery<M>>> {
        let shared = &self.shared;
        let mut consuming = shared.consuming.lock().await;
        let mut backoff = Backoff::new(
            shared.settings.reconnect_initial,
            shared.settings.reconnect_max,
        );
        let mut lost_since: Option<Instant> = None;
        loop {
            let Some(current) = consuming.as_mut() else {
                match shared.consume().await {
                    Ok(fresh) => {
                        tracing::info!(queue = %shared.queue, "rabbitmq subscriber reconnected");
                        *consuming = Some(fresh);
                    }
                    Err(Error::Config { reason }) => return Err(Error::Config { reason }),
                    Err(e) => {
                        let since = *lost_since.get_or_insert_with(Instant::now);
                        if since.elapsed() >= shared.settings.reconnect_timeout {
                            return Err(e);
                        }
                        let wait = backoff.next_wait();
                        tracing::debug!(queue = %shared.queue, error = %e, ?wait, "rabbitmq reconnect failed");
                        tokio::time::sleep(wait).await;
                    }
                }
                continue;
            };
            match current.consumer.next().await {
                Some(Ok(delivery)) => {
                    let attempt = attempt(&delivery);
                    let decoded = codec::decode::<M>(&delivery.data);
                    let settle = shared.settle_for(current, delivery);
                    match decoded {
                        Ok(envelope) => {
                            return Ok(Some(Delivery::new(envelope, attempt, Box::new(settle))))
                        }
                        Err(e) => {
                            tracing::warn!(queue = %shared.queue, error = %e, "dead-lettering an undecodable message");
                            if let Err(e) = Box::new(settle).dead_letter(&e.to_string()).await {
                                // Still unacked: it comes back after the reconnect.
                                tracing::warn!(queue = %shared.queue, error = %e, "could not dead-letter");
                                *consuming = None;
                            }
                        }
                    }
                }
                Some(Err(e)) => {
                    tracing::warn!(queue = %shared.queue, error = %e, "rabbitmq consumer failed, reconnecting");
                    if let Some(old) = consuming.take() {
                        connection::close(&old.connection).await;
                    }
                }
                None => {
                    tracing::warn!(queue = %shared.queue, "rabbitmq consumer ended, reconnecting");
                    if let Some(old) = consuming.take() {
                        connection::close(&old.connection).await;
                    }
                }
            }
        }
    }
}

/// 1 + `x-delivery-count` (set by quorum queues on redelivery); at least 2 when the
/// broker flags the message as redelivered.
fn attempt(delivery: &lapin::message::Delivery) -> u32 {
    let count = delivery
        .properties
        .headers()
        .as_ref()
        .and_then(|h| h.inner().get("x-delivery-count"))
        .and_then(as_u64)
        .unwrap_or(0);
    let from_count = u32::try_from(count.saturating_add(1)).unwrap_or(u32::MAX);
    if delivery.redelivered {
        from_count.max(2)
    } else {
        from_count
    }
}

fn as_u64(value: &AMQPValue) -> Option<u64> {
    match *value {
        AMQPValue::ShortShortUInt(n) => Some(u64::from(n)),
        AMQPValue::ShortUInt(n) => Some(u64::from(n)),
        AMQPValue::LongUInt(n) => Some(u64::from(n)),
        AMQPValue::ShortShortInt(n) => u64::try_from(n).ok(),
        AMQPValue::ShortInt(n) => u64::try_from(n).ok(),
        AMQPValue::LongInt(n) => u64::try_from(n).ok(),
        AMQPValue::LongLongInt(n) => u64::try_from(n).ok(),
        _ => None,
    }
}

struct RabbitMqSettle {
    acker: Acker,
    body: Vec<u8>,
    properties: BasicProperties,
    dead_letters: Channel,
    exchange: ShortString,
    routing_key: ShortString,
    confirm_timeout: std::time::Duration,
}

/// Waits for an ack or nack to be sent, for at most `within`: on a connection that died
/// under it, lapin may never answer. `Ok(false)` from lapin means the channel is gone, so
/// the broker was not told either.
async fn told(
    within: std::time::Duration,
    sent: impl std::future::Future<Output = std::result::Result<bool, lapin::Error>>,
) -> Result<()> {
    match tokio::time::timeout(within, sent).await {
        Ok(Ok(true)) => Ok(()),
        Ok(Ok(false)) => Err(broker_error(
            "the channel of this delivery is closed; the broker will deliver it again",
        )),
        Ok(Err(e)) => Err(broker_error(e)),
        Err(_) => Err(broker_error(format!(
            "the broker was not told within {within:?}; it will deliver the message again"
        ))),
    }
}

fn truncate(reason: &str) -> &str {
    if reason.len() <= MAX_REASON_BYTES {
        return reason;
    }
    let mut end = MAX_REASON_BYTES;
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    &reason[..end]
}

#[async_trait]
impl Settle for RabbitMqSettle {
    async fn ack(self: Box<Self>) -> Result<()> {
        told(
            self.confirm_timeout,
            self.acker.ack(BasicAckOptions::default()),
        )
        .await
    }

    async fn nack(self: Box<Self>, requeue: bool) -> Result<()> {
        let options = BasicNackOptions {
            multiple: false,
            requeue,
        };
        told(self.confirm_timeout, self.acker.nack(options)).await
    }

    async fn dead_letter(self: Box<Self>, reason: &str) -> Result<()> {
        let mut headers = self.properties.headers().clone().unwrap_or_default();
        headers.insert(
            LAST_ERROR_HEADER.into(),
            AMQPValue::LongString(truncate(reason).into()),
        );
        let properties = self
            .properties
            .clone()
            .with_headers(headers)
            .with_delivery_mode(2);
        let publish = async {
            self.dead_letters
                .basic_publish(
                    self.exchange.clone(),
                    self.routing_key.clone(),
                    BasicPublishOptions::default(),
                    &self.body,
                    properties,
                )
                .await?
                .await
        };
        match tokio::time::timeout(self.confirm_timeout, publish).await {
            Ok(Ok(Confirmation::Ack(_))) => {}
            Ok(Ok(_)) => return Err(broker_error("the dead-letter exchange refused the message")),
            Ok(Err(e)) => return Err(broker_error(e)),
            Err(_) => return Err(broker_error("no confirm for the dead letter in time")),
        }
        // Acked only once the copy is safe: a failure in between dead-letters it twice,
        // never zero times.
        told(
            self.confirm_timeout,
            self.acker.ack(BasicAckOptions::default()),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_reasons_are_cut_on_a_char_boundary() {
        let reason = "é".repeat(MAX_REASON_BYTES);
        let cut = truncate(&reason);
        assert!(cut.len() <= MAX_REASON_BYTES && cut.len() >= MAX_REASON_BYTES - 1);
        assert_eq!(truncate("short"), "short");
    }

    #[test]
    fn delivery_counts_read_any_integer_type() {
        assert_eq!(as_u64(&AMQPValue::LongLongInt(3)), Some(3));
        assert_eq!(as_u64(&AMQPValue::LongInt(-1)), None);
        assert_eq!(as_u64(&AMQPValue::LongString("3".into())), None);
    }
}
