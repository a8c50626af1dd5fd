//! Publishing with publisher confirms.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::types::ShortString;
use lapin::{BasicProperties, Channel, Confirmation, Connection};
use tokio::sync::Mutex;

use super::{broker_error, connection, short, topology, Settings, BACKEND};
use crate::codec;
use crate::error::{BoxError, Error, Result};
use crate::message::Message;
use crate::publisher::Publisher;

/// AMQP delivery mode 2: the broker writes the message to disk.
const PERSISTENT: u8 = 2;

/// Publishes messages of any [`Message`] type (invoice events, commands) to the broker's
/// topic exchange with their [routing key](Message::routing_key) (`invoice.<event>`,
/// `reminder.send`), as persistent JSON messages whose `message_id` is the
/// [message id](Message::message_id) and `type` the routing key.
///
/// [`publish_batch`](Publisher::publish_batch) sends every message, then waits for every
/// confirm: it returns `Ok` only when the broker has confirmed them all. A negative
/// confirm, a channel or connection that closes, or no confirm within the confirm timeout
/// is [`Error::NotConfirmed`]; the caller publishes again (consumers deduplicate). The
/// next publish after a failure opens a new connection.
///
/// Clones share one connection and one channel; concurrent publishes are fine (each
/// waits for its own confirms). Events nobody subscribed to are confirmed and dropped,
/// as a topic exchange does.
#[derive(Clone)]
pub struct RabbitMqPublisher {
    shared: Arc<Shared>,
}

struct Shared {
    settings: Arc<Settings>,
    exchange: ShortString,
    current: Mutex<Option<Link>>,
    generation: AtomicU64,
}

/// A live confirm-mode channel and the connection under it.
#[derive(Clone)]
struct Link {
    generation: u64,
    channel: Channel,
    // Kept so that the connection lives as long as its channel is in use.
    _connection: Arc<Connection>,
}

impl fmt::Debug for RabbitMqPublisher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RabbitMqPublisher")
            .field("exchange", &self.shared.settings.exchange)
            .finish_non_exhaustive()
    }
}

impl RabbitMqPublisher {
    pub(crate) fn new(settings: Arc<Settings>) -> Self {
        // The builder checked the name; an empty one only fails at publish time.
        let exchange = short(&settings.exchange, "exchange name").unwrap_or_default();
        Self {
            shared: Arc::new(Shared {
                settings,
                exchange,
                current: Mutex::new(None),
                generation: AtomicU64::new(0),
            }),
        }
    }

    /// Connects (if not connected) and declares the exchanges.
    pub(crate) async fn ensure_connected(&self) -> Result<()> {
        self.link().await.map(|_| ())
    }

    async fn link(&self) -> Result<Link> {
        let mut current = self.shared.current.lock().await;
        if let Some(link) = current.as_ref() {
            if link.channel.status().connected() {
                return Ok(link.clone());
            }
        }
        *current = None;
        let settings = &self.shared.settings;
        let (connection, channel) = connection::within(settings, "publisher setup", async {
            let connection = connection::open(settings, "publisher").await?;
            let channel = connection.create_channel().await.map_err(broker_error)?;
            channel
                .confirm_select(ConfirmSelectOptions::default())
                .await
                .map_err(broker_error)?;
            topology::declare_exchanges(&channel, &settings.exchange).await?;
            Ok((connection, channel))
        })
        .await?;
        let link = Link {
            generation: self.shared.generation.fetch_add(1, Ordering::Relaxed) + 1,
            channel,
            _connection: Arc::new(connection),
        };
        *current = Some(link.clone());
        Ok(link)
    }

    /// Drops the link that failed (not a newer one), so the next publish reconnects.
    async fn discard(&self, generation: u64) {
        let failed = {
            let mut current = self.shared.current.lock().await;
            if current.as_ref().map(|l| l.generation) == Some(generation) {
                current.take()
            } else {
                None
            }
        };
        if let Some(link) = failed {
            tracing::warn!(exchange = %self.shared.settings.exchange, "rabbitmq publisher link dropped after a failure");
            // Closing fails the confirms other publishes still wait for on this channel at
            // once. Outside the lock: a dead connection may never answer the close.
            connection::close_channel(&link.channel, "publish failed").await;
        }
    }

    async fn publish_on<M: Message>(
        &self,
        link: &Link,
        messages: &[(&M, ShortString, Vec<u8>)],
        progress: &mut usize,
    ) -> Result<()> {
        let mut confirms = Vec::with_capacity(messages.len());
        for (envelope, routing_key, body) in messages {
            let confirm = link
                .channel
                .basic_publish(
                    self.shared.exchange.clone(),
                    routing_key.clone(),
                    BasicPublishOptions::default(),
                    body,
                    properties(routing_key, *envelope),
                )
                .await
                .map_err(|e| not_confirmed(*envelope, Some(Box::new(e))))?;
            confirms.push(confirm);
        }
        for ((envelope, _, _), confirm) in messages.iter().zip(confirms) {
            match confirm.await {
                Ok(Confirmation::Ack(_)) => *progress += 1,
                Ok(Confirmation::Nack(_)) => {
                    return Err(not_confirmed(
                        *envelope,
                        Some("negative acknowledgement from the broker".into()),
                    ))
                }
                Ok(Confirmation::NotRequested) => {
                    return Err(not_confirmed(
                        *envelope,
                        Some("the channel is not in confirm mode".into()),
                    ))
                }
                Err(e) => return Err(not_confirmed(*envelope, Some(Box::new(e)))),
            }
        }
        Ok(())
    }
}

fn properties<M: Message>(routing_key: &ShortString, message: &M) -> BasicProperties {
    let mut properties = BasicProperties::default()
        .with_delivery_mode(PERSISTENT)
        .with_content_type(codec::CONTENT_TYPE.into())
        .with_message_id(message.message_id().to_string().as_str().into())
        .with_type(routing_key.clone());
    if let Some(seconds) = message
        .occurred_at()
        .and_then(|at| u64::try_from(at.timestamp()).ok())
    {
        properties = properties.with_timestamp(seconds);
    }
    properties
}

fn not_confirmed<M: Message>(message: &M, source: Option<BoxError>) -> Error {
    Error::NotConfirmed {
        backend: BACKEND,
        event_id: message.message_id().to_string(),
        source,
    }
}

#[async_trait]
impl<M: Message> Publisher<M> for RabbitMqPublisher {
    async fn publish_batch(&self, envelopes: &[M]) -> Result<()> {
        let Some(first) = envelopes.first() else {
            return Ok(());
        };
        // Encode everything first: a bad event sends nothing.
        let messages = envelopes
            .iter()
            .map(|e| {
                Ok((
                    e,
                    short(&e.routing_key(), "routing key")?,
                    codec::encode(e)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        // Not connected and cannot connect: Error::Broker, nothing was sent.
        let link = self.link().await?;
        let mut confirmed = 0;
        let timeout = self.shared.settings.confirm_timeout;
        let outcome =
            tokio::time::timeout(timeout, self.publish_on(&link, &messages, &mut confirmed)).await;
        match outcome {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => {
                self.discard(link.generation).await;
                Err(e)
            }
            Err(_) => {
                self.discard(link.generation).await;
                let envelope = envelopes.get(confirmed).unwrap_or(first);
                Err(not_confirmed(
                    envelope,
                    Some(format!("no confirm within {timeout:?}").into()),
                ))
            }
        }
    }
}
