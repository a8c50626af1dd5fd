//! Declaring exchanges and queues. Every declaration is idempotent, so it is repeated on
//! each (re)connect: a broker that lost its definitions gets them back.

use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{Channel, ExchangeKind};

use super::{broker_error, short};
use crate::error::{Error, Result};

pub(crate) fn dead_letter_exchange(exchange: &str) -> String {
    format!("{exchange}.dlx")
}

pub(crate) fn dead_letter_queue(queue: &str) -> String {
    format!("{queue}.dlq")
}

/// The events exchange (durable topic) and its dead-letter exchange (durable direct).
pub(crate) async fn declare_exchanges(channel: &Channel, exchange: &str) -> Result<()> {
    let durable = ExchangeDeclareOptions {
        durable: true,
        ..ExchangeDeclareOptions::default()
    };
    channel
        .exchange_declare(
            short(exchange, "exchange name")?,
            ExchangeKind::Topic,
            durable,
            FieldTable::default(),
        )
        .await
        .map_err(|e| declare_error("exchange", exchange, e))?;
    let dlx = dead_letter_exchange(exchange);
    channel
        .exchange_declare(
            short(&dlx, "exchange name")?,
            ExchangeKind::Direct,
            durable,
            FieldTable::default(),
        )
        .await
        .map_err(|e| declare_error("exchange", &dlx, e))
}

/// `queue` bound to `patterns` on `exchange`, dead-lettering into `<exchange>.dlx` with
/// the queue's name as routing key, and `<queue>.dlq` bound there. The exchanges must
/// exist.
pub(crate) async fn declare_queue(
    channel: &Channel,
    exchange: &str,
    queue: &str,
    patterns: &[String],
) -> Result<()> {
    let dlx = dead_letter_exchange(exchange);
    let dlq = dead_letter_queue(queue);
    let durable = QueueDeclareOptions {
        durable: true,
        ..QueueDeclareOptions::default()
    };

    channel
        .queue_declare(short(&dlq, "queue name")?, durable, quorum())
        .await
        .map_err(|e| declare_error("queue", &dlq, e))?;
    channel
        .queue_bind(
            short(&dlq, "queue name")?,
            short(&dlx, "exchange name")?,
            short(queue, "queue name")?,
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .map_err(|e| declare_error("binding of", &dlq, e))?;

    let mut arguments = quorum();
    arguments.insert(
        "x-dead-letter-exchange".into(),
        AMQPValue::LongString(dlx.as_str().into()),
    );
    arguments.insert(
        "x-dead-letter-routing-key".into(),
        AMQPValue::LongString(queue.into()),
    );
    channel
        .queue_declare(short(queue, "queue name")?, durable, arguments)
        .await
        .map_err(|e| declare_error("queue", queue, e))?;
    bind(channel, exchange, queue, patterns).await
}

/// A feed queue: `queue` bound to `patterns` on `exchange`, exclusive to the declaring
/// connection and deleted with it (a classic queue: quorum queues cannot be exclusive).
/// No dead-letter arguments: what its subscriber dead-letters is dropped.
pub(crate) async fn declare_feed_queue(
    channel: &Channel,
    exchange: &str,
    queue: &str,
    patterns: &[String],
) -> Result<()> {
    let transient = QueueDeclareOptions {
        durable: false,
        exclusive: true,
        auto_delete: true,
        ..QueueDeclareOptions::default()
    };
    channel
        .queue_declare(
            short(queue, "queue name")?,
            transient,
            FieldTable::default(),
        )
        .await
        .map_err(|e| declare_error("queue", queue, e))?;
    bind(channel, exchange, queue, patterns).await
}

async fn bind(channel: &Channel, exchange: &str, queue: &str, patterns: &[String]) -> Result<()> {
    for pattern in patterns {
        channel
            .queue_bind(
                short(queue, "queue name")?,
                short(exchange, "exchange name")?,
                short(pattern, "binding pattern")?,
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(|e| declare_error("binding of", queue, e))?;
    }
    Ok(())
}

fn quorum() -> FieldTable {
    let mut arguments = FieldTable::default();
    arguments.insert(
        "x-queue-type".into(),
        AMQPValue::LongString("quorum".into()),
    );
    arguments
}

/// PRECONDITION_FAILED (406) means the name exists with other arguments: a setup problem,
/// not a broker failure.
fn declare_error(what: &str, name: &str, e: lapin::Error) -> Error {
    if let lapin::ErrorKind::ProtocolError(amqp) = e.kind() {
        if amqp.get_id() == 406 {
            return Error::Config {
                reason: format!("{what} {name:?} exists with other settings: {amqp}"),
            };
        }
    }
    broker_error(e)
}
