//! What the pipeline's services say to each other, as broker [`Message`]s.

use chrono::{DateTime, Utc};
use invoice_core::{InvoiceId, InvoiceNumber};
use invoice_messaging::Message;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::order::{Check, Order};

/// The checkers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Checker {
    /// The customer's credit covers the order.
    Credit,
    /// The stock covers every line.
    Stock,
}

impl Checker {
    /// `credit` or `stock`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Credit => "credit",
            Self::Stock => "stock",
        }
    }
}

/// An id derived from `order` and `what`: the same each time the same step publishes.
fn derived(order: Uuid, what: &str) -> Uuid {
    Uuid::new_v5(&order, what.as_bytes())
}

/// An order was placed: the checkers check it. Routing key `order.placed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPlaced {
    /// The order as placed.
    pub order: Order,
}

impl Message for OrderPlaced {
    fn message_id(&self) -> Uuid {
        self.order.id
    }

    fn routing_key(&self) -> String {
        "order.placed".to_owned()
    }

    fn ordering_key(&self) -> String {
        self.order.id.to_string()
    }

    fn occurred_at(&self) -> Option<DateTime<Utc>> {
        Some(self.order.placed_at)
    }
}

/// A checker's answer about an order. Routing key `order.checked`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderChecked {
    /// The order.
    pub order: Uuid,
    /// Who answers.
    pub checker: Checker,
    /// The answer.
    pub check: Check,
}

impl Message for OrderChecked {
    /// One per order and checker: an answer given twice is one message.
    fn message_id(&self) -> Uuid {
        derived(self.order, self.checker.as_str())
    }

    fn routing_key(&self) -> String {
        "order.checked".to_owned()
    }

    fn ordering_key(&self) -> String {
        self.order.to_string()
    }
}

/// An order was shipped and invoiced. Routing key `order.shipped`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderShipped {
    /// The order.
    pub order: Uuid,
    /// Its invoice.
    pub invoice: InvoiceId,
    /// The invoice's number.
    pub number: InvoiceNumber,
}

impl Message for OrderShipped {
    fn message_id(&self) -> Uuid {
        derived(self.order, "shipped")
    }

    fn routing_key(&self) -> String {
        "order.shipped".to_owned()
    }
}

/// An order was rejected. Routing key `order.rejected`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRejected {
    /// The order.
    pub order: Uuid,
    /// Why.
    pub reason: String,
}

impl Message for OrderRejected {
    fn message_id(&self) -> Uuid {
        derived(self.order, "rejected")
    }

    fn routing_key(&self) -> String {
        "order.rejected".to_owned()
    }
}
