//! What travels over a broker: invoice events, commands, any serde type that says how it
//! is routed and deduplicated.

use std::fmt::Debug;

use chrono::{DateTime, Utc};
use invoice_core::EventEnvelope;
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

/// A message the brokers carry, as JSON.
///
/// [`EventEnvelope`] (invoice events) is one; a command such as
/// [`SendReminder`](invoice_core::reminder::SendReminder) is another, and a service's own
/// types (an order placed, a check's answer) can be messages too. Every publisher,
/// subscriber, handler and runner of this crate is generic over the message type and
/// defaults to [`EventEnvelope`].
///
/// # Examples
///
/// ```
/// use invoice_messaging::Message;
/// use serde::{Deserialize, Serialize};
/// use uuid::Uuid;
///
/// #[derive(Debug, Clone, Serialize, Deserialize)]
/// struct OrderPlaced { id: Uuid, order: u64 }
///
/// impl Message for OrderPlaced {
///     fn message_id(&self) -> Uuid { self.id }
///     fn routing_key(&self) -> String { "order.placed".to_owned() }
/// }
///
/// let placed = OrderPlaced { id: Uuid::nil(), order: 7 };
/// assert_eq!(placed.routing_key(), "order.placed");
/// assert_eq!(placed.ordering_key(), placed.routing_key());
/// ```
pub trait Message: Serialize + DeserializeOwned + Debug + Clone + Send + Sync + 'static {
    /// Unique per message: the broker's message id and the key consumers deduplicate on
    /// ([`Idempotent`](crate::Idempotent)). A message published again keeps its id.
    fn message_id(&self) -> Uuid;

    /// The topic it is published under, words separated by `.` (`invoice.issued`,
    /// `reminder.send`); queues bind to patterns of these.
    fn routing_key(&self) -> String;

    /// Messages with the same ordering key are delivered in publish order where the
    /// broker can promise it (the message group of an SQS FIFO queue). The routing key
    /// unless overridden.
    fn ordering_key(&self) -> String {
        self.routing_key()
    }

    /// When what it says happened, stamped on the message where the broker has a field
    /// for it (the AMQP `timestamp`).
    fn occurred_at(&self) -> Option<DateTime<Utc>> {
        None
    }

    /// Checks a decoded message before it is handed to a consumer: an error (such as a
    /// schema version newer than this reader's) dead-letters it.
    ///
    /// # Errors
    ///
    /// Why the message cannot be read.
    fn check(&self) -> Result<(), String> {
        Ok(())
    }
}

impl Message for EventEnvelope {
    fn message_id(&self) -> Uuid {
        *self.event_id.as_uuid()
    }

    fn routing_key(&self) -> String {
        EventEnvelope::routing_key(self)
    }

    /// The invoice: the events of one invoice stay in order.
    fn ordering_key(&self) -> String {
        self.invoice_id.to_string()
    }

    fn occurred_at(&self) -> Option<DateTime<Utc>> {
        Some(self.occurred_at)
    }

    fn check(&self) -> Result<(), String> {
        if self.schema_version > EventEnvelope::SCHEMA_VERSION {
            return Err(format!(
                "schema version {} is newer than {}",
                self.schema_version,
                EventEnvelope::SCHEMA_VERSION
            ));
        }
        Ok(())
    }
}
