//! A payment recorded against an invoice.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::PaymentId;

/// A payment received against an invoice, in the invoice's currency.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Payment {
    id: PaymentId,
    #[serde(deserialize_with = "crate::decimal_serde::plain")]
    amount: Decimal,
    date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reference: Option<String>,
}

impl Payment {
    /// A payment of `amount` on `date`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidAmount`] when the amount is not positive.
    pub fn new(id: PaymentId, amount: Decimal, date: NaiveDate) -> Result<Self> {
        if amount <= Decimal::ZERO {
            return Err(Error::InvalidAmount {
                value: amount.to_string(),
                reason: "a payment must be positive",
            });
        }
        Ok(Self {
            id,
            amount,
            date,
            reference: None,
        })
    }

    /// Adds the bank or remittance reference.
    pub fn with_reference(mut self, reference: impl Into<String>) -> Self {
        self.reference = Some(reference.into());
        self
    }

    /// The payment's id.
    pub fn id(&self) -> PaymentId {
        self.id
    }

    /// The amount paid.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The value date.
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// The bank or remittance reference.
    pub fn reference(&self) -> Option<&str> {
        self.reference.as_deref()
    }
}
