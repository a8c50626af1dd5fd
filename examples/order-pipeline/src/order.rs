//! Orders and what the checkers said about them.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One product in an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    /// The product's id, as in the stock.
    pub product: String,
    /// How many, at least 1.
    pub quantity: u32,
    /// The net price of one, in EUR.
    pub unit_price: Decimal,
}

/// A checker's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// Whether the order may go ahead.
    pub ok: bool,
    /// Why not, when it may not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Where an order stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum OrderStatus {
    /// Waiting for its checks.
    Placed,
    /// Credit and stock reserved, invoiced.
    Shipped,
    /// Not shipped, and why.
    Rejected {
        /// A failed check's reason, a balance that ran out, or a timeout.
        reason: String,
    },
}

/// An order of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// Its id.
    pub id: Uuid,
    /// The customer's id, as in the accounts.
    pub customer: String,
    /// What is ordered.
    pub lines: Vec<OrderLine>,
    /// When it was placed.
    pub placed_at: DateTime<Utc>,
    /// Where it stands: `"status": "shipped"`, or `"rejected"` with a `"reason"`.
    #[serde(flatten)]
    pub status: OrderStatus,
    /// The credit checker's answer, once given.
    pub credit: Option<Check>,
    /// The stock checker's answer, once given.
    pub stock: Option<Check>,
}

impl Order {
    /// A placed order, not checked yet.
    pub fn new(
        id: Uuid,
        customer: impl Into<String>,
        lines: Vec<OrderLine>,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            customer: customer.into(),
            lines,
            placed_at: at,
            status: OrderStatus::Placed,
            credit: None,
            stock: None,
        }
    }

    /// Both answers, once both are in.
    pub fn checks(&self) -> Option<(&Check, &Check)> {
        Some((self.credit.as_ref()?, self.stock.as_ref()?))
    }
}
