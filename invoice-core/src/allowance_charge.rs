//! Allowances (discounts) and charges, on a line (BG-27/28) or the whole document (BG-20/21).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{overflow, Result};
use crate::rounding::RoundingMode;
use crate::vat::{Vat, VatExemption};

/// Whether an [`AllowanceCharge`] lowers or raises the amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AllowanceChargeKind {
    /// A discount: subtracted.
    Allowance,
    /// A surcharge: added.
    Charge,
}

/// How the amount of an allowance or charge is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AllowanceChargeAmount {
    /// A fixed amount (BT-92, BT-99, BT-136, BT-141).
    Fixed {
        /// The amount, without VAT.
        #[serde(deserialize_with = "crate::decimal_serde::plain")]
        amount: Decimal,
    },
    /// A percentage of a base amount (BT-94 × BT-93).
    Percentage {
        /// The percentage, `10` for 10 %.
        #[serde(deserialize_with = "crate::decimal_serde::plain")]
        percent: Decimal,
        /// The base amount. When absent, a line allowance/charge takes the line's
        /// quantity × price, and a document one the sum of the line nets with its VAT.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[serde(deserialize_with = "crate::decimal_serde::plain_option")]
        base: Option<Decimal>,
    },
}

/// A discount or surcharge, with its reason.
///
/// Document-level ones need a [`Vat`] (BR-32, BR-37); line-level ones take the line's.
///
/// # Examples
///
/// ```
/// use invoice_core::{AllowanceCharge, Vat};
/// use rust_decimal::Decimal;
///
/// let discount = AllowanceCharge::allowance(Decimal::new(1000, 2))
///     .with_vat(Vat::standard(Decimal::new(19, 0)))
///     .with_reason("Loyalty discount")
///     .with_reason_code("95");
/// assert_eq!(discount.resolved_amount(Decimal::ZERO, 2)?, Decimal::new(1000, 2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AllowanceCharge {
    kind: AllowanceChargeKind,
    amount: AllowanceChargeAmount,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    vat: Option<Vat>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exemption: Option<VatExemption>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "crate::decimal_serde::plain_option")]
    stated_percent: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "crate::decimal_serde::plain_option")]
    stated_base: Option<Decimal>,
}

impl AllowanceCharge {
    /// A fixed-amount allowance (discount).
    pub fn allowance(amount: Decimal) -> Self {
        Self::new(
            AllowanceChargeKind::Allowance,
            AllowanceChargeAmount::Fixed { amount },
        )
    }

    /// A fixed-amount charge (surcharge).
    pub fn charge(amount: Decimal) -> Self {
        Self::new(
            AllowanceChargeKind::Charge,
            AllowanceChargeAmount::Fixed { amount },
        )
    }

    /// An allowance or charge of any [`AllowanceChargeAmount`].
    pub fn new(kind: AllowanceChargeKind, amount: AllowanceChargeAmount) -> Self {
        Self {
            kind,
            amount,
            vat: None,
            reason: None,
            reason_code: None,
            exemption: None,
            stated_percent: None,
            stated_base: None,
        }
    }

    /// Sets the VAT of a document-level allowance or charge (BT-95/96, BT-102/103).
    pub fn with_vat(mut self, vat: Vat) -> Self {
        self.vat = Some(vat);
        self
    }

    /// Sets the reason text (BT-97, BT-104, BT-139, BT-144).
    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// Sets the reason code (UNCL5189 for allowances, UNCL7161 for charges).
    pub fn with_reason_code(mut self, code: impl Into<String>) -> Self {
        self.reason_code = Some(code.into());
        self
    }

    /// Sets the VAT exemption reason that this document-level allowance or charge brings
    /// into its breakdown group, for a group (E, AE, K, G, O) that has no line of its own
    /// to carry one (BR-E-10 and its siblings).
    pub fn with_exemption(mut self, exemption: VatExemption) -> Self {
        self.exemption = Some(exemption);
        self
    }

    /// The VAT exemption reason of a document-level allowance or charge.
    pub fn exemption(&self) -> Option<&VatExemption> {
        self.exemption.as_ref()
    }

    /// Allowance or charge.
    pub fn kind(&self) -> AllowanceChargeKind {
        self.kind
    }

    /// How the amount is given.
    pub fn amount(&self) -> AllowanceChargeAmount {
        self.amount
    }

    /// The VAT of a document-level allowance or charge.
    pub fn vat(&self) -> Option<Vat> {
        self.vat
    }

    /// The reason text.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// The reason code.
    pub fn reason_code(&self) -> Option<&str> {
        self.reason_code.as_deref()
    }

    /// Whether this is a charge (adds) rather than an allowance (subtracts).
    pub fn is_charge(&self) -> bool {
        self.kind == AllowanceChargeKind::Charge
    }

    /// The amount: a fixed amount as stated, or `base × percent / 100` rounded half
    /// away from zero to `decimal_places`. `default_base` is used when no base is given.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`](crate::Error::Overflow) when the multiplication overflows.
    pub fn resolved_amount(&self, default_base: Decimal, decimal_places: u32) -> Result<Decimal> {
        match self.amount {
            AllowanceChargeAmount::Fixed { amount } => Ok(amount),
            AllowanceChargeAmount::Percentage { percent, base } => {
                let base = base.unwrap_or(default_base);
                let product = base.checked_mul(percent).ok_or_else(overflow)?;
                let amount = crate::totals::percent_of(product)?;
                Ok(RoundingMode::HalfAwayFromZero.round(amount, decimal_places))
            }
        }
    }

    /// Keeps the percentage (BT-94, BT-101, BT-138, BT-143) and base amount (BT-93,
    /// BT-100, BT-137, BT-142) a received document states beside a fixed amount they do
    /// not give (a percentage of the base that is not the amount): written again as
    /// stated, never used to compute the amount.
    pub fn with_stated_percentage(
        mut self,
        percent: Option<Decimal>,
        base: Option<Decimal>,
    ) -> Self {
        self.stated_percent = percent;
        self.stated_base = base;
        self
    }

    /// The percentage: of a percentage amount, or as a received document states it beside
    /// a fixed amount.
    pub fn percent(&self) -> Option<Decimal> {
        match self.amount {
            AllowanceChargeAmount::Percentage { percent, .. } => Some(percent),
            AllowanceChargeAmount::Fixed { .. } => self.stated_percent,
        }
    }

    /// The base amount: of a percentage amount with a stated base, or as a received
    /// document states it beside a fixed amount.
    pub fn base_amount(&self) -> Option<Decimal> {
        match self.amount {
            AllowanceChargeAmount::Percentage { base, .. } => base,
            AllowanceChargeAmount::Fixed { .. } => self.stated_base,
        }
    }

    /// The same allowance or charge with every amount negated (for negated invoices).
    #[cfg(test)]
    pub(crate) fn negated(&self) -> Self {
        let mut out = self.clone();
        out.amount = match self.amount {
            AllowanceChargeAmount::Fixed { amount } => {
                AllowanceChargeAmount::Fixed { amount: -amount }
            }
            AllowanceChargeAmount::Percentage { percent, base } => {
                AllowanceChargeAmount::Percentage {
                    percent,
                    base: base.map(|b| -b),
                }
            }
        };
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn percentage_is_rounded_half_away_from_zero() {
        let ac = AllowanceCharge::new(
            AllowanceChargeKind::Allowance,
            AllowanceChargeAmount::Percentage {
                percent: dec!(2.5),
                base: Some(dec!(10.10)),
            },
        );
        // 10.10 × 2.5 % = 0.2525 → 0.25
        assert_eq!(ac.resolved_amount(dec!(999), 2).unwrap(), dec!(0.25));
        let no_base = AllowanceCharge::new(
            AllowanceChargeKind::Charge,
            AllowanceChargeAmount::Percentage {
                percent: dec!(10),
                base: None,
            },
        );
        assert_eq!(
            no_base.resolved_amount(dec!(-12.35), 2).unwrap(),
            dec!(-1.24)
        );
    }

    #[test]
    fn serde_round_trip() {
        let ac = AllowanceCharge::charge(dec!(5.00)).with_reason("Freight");
        let json = serde_json::to_string(&ac).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"charge","amount":{"type":"fixed","amount":"5.00"},"reason":"Freight"}"#
        );
        assert_eq!(serde_json::from_str::<AllowanceCharge>(&json).unwrap(), ac);
    }
}
