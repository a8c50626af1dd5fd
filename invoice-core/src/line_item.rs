//! Invoice lines (BG-25): quantity, unit, price, line allowances and charges, VAT.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::allowance_charge::AllowanceCharge;
use crate::error::{overflow, Error, Result};
use crate::rounding::RoundingMode;
use crate::vat::{Vat, VatExemption};

mod details;

pub use details::{ItemAttribute, ItemClassification, LineDetails, SchemedId};

/// A UN/ECE Recommendation 20/21 unit code (BT-130), such as `C62` (one) or `HUR` (hour).
///
/// The format is checked (1 to 3 upper-case letters or digits); whether the code is in the
/// recommendation's list is left to the receiving schematron.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UnitCode(String);

impl UnitCode {
    /// Checks and wraps a unit code.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidField`] unless the code is 1 to 3 upper-case ASCII letters or digits.
    pub fn new(code: impl Into<String>) -> Result<Self> {
        let code = code.into();
        let ok = (1..=3).contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if ok {
            Ok(Self(code))
        } else {
            Err(Error::InvalidField {
                field: "unit code",
                value: code,
                reason: "must be 1 to 3 upper-case letters or digits (UN/ECE Rec 20/21)",
            })
        }
    }

    /// `C62`, "one": a piece.
    pub fn piece() -> Self {
        Self("C62".to_owned())
    }

    /// `HUR`: an hour.
    pub fn hour() -> Self {
        Self("HUR".to_owned())
    }

    /// `DAY`: a day.
    pub fn day() -> Self {
        Self("DAY".to_owned())
    }

    /// `KGM`: a kilogram.
    pub fn kilogram() -> Self {
        Self("KGM".to_owned())
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for UnitCode {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::new(s)
    }
}

impl TryFrom<String> for UnitCode {
    type Error = Error;

    fn try_from(s: String) -> Result<Self> {
        Self::new(s)
    }
}

impl From<UnitCode> for String {
    fn from(u: UnitCode) -> Self {
        u.0
    }
}

fn one() -> Decimal {
    Decimal::ONE
}

fn is_one(d: &Decimal) -> bool {
    *d == Decimal::ONE
}

/// One invoice line.
///
/// A line authored here gets its net amount (BT-131) from
/// `round(quantity × price / base quantity) + charges − allowances`. A line read from a
/// received invoice keeps the net amount the invoice states
/// ([`with_stated_net_amount`](Self::with_stated_net_amount)), because EN 16931 ties the
/// document totals to the stated line nets, not to quantity × price.
///
/// # Examples
///
/// ```
/// use invoice_core::{LineItem, UnitCode, Vat};
/// use rust_decimal::Decimal;
///
/// let line = LineItem::new("1", "Consulting", Decimal::new(15, 1), UnitCode::hour(),
///     Decimal::new(12000, 2), Vat::standard(Decimal::new(19, 0)));
/// assert_eq!(line.net_amount(2)?, Decimal::new(18000, 2)); // 1.5 h × 120.00
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LineItem {
    id: String,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(deserialize_with = "crate::decimal_serde::plain")]
    quantity: Decimal,
    unit: UnitCode,
    #[serde(deserialize_with = "crate::decimal_serde::plain")]
    price: Decimal,
    #[serde(default = "one", skip_serializing_if = "is_one")]
    #[serde(deserialize_with = "crate::decimal_serde::plain")]
    base_quantity: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "crate::decimal_serde::plain_option")]
    gross_price: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    allowances_charges: Vec<AllowanceCharge>,
    vat: Vat,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exemption: Option<VatExemption>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "crate::decimal_serde::plain_option")]
    stated_net_amount: Option<Decimal>,
    /// Boxed: most lines have none, and the totals walk lines by the thousand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    details: Option<Box<LineDetails>>,
}

impl LineItem {
    /// A line with its id (BT-126), item name (BT-153), quantity (BT-129) in a unit
    /// (BT-130), net unit price (BT-146) and VAT (BT-151, BT-152).
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        quantity: Decimal,
        unit: UnitCode,
        price: Decimal,
        vat: Vat,
    ) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            description: None,
            quantity,
            unit,
            price,
            base_quantity: Decimal::ONE,
            gross_price: None,
            allowances_charges: Vec::new(),
            vat,
            exemption: None,
            stated_net_amount: None,
            details: None,
        }
    }

    /// Sets the item description (BT-154).
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the quantity the price applies to (BT-149), such as 100 for a price per
    /// hundred. Must be positive; [`InvoiceBuilder::build`](crate::InvoiceBuilder::build)
    /// checks it.
    pub fn with_base_quantity(mut self, base_quantity: Decimal) -> Self {
        self.base_quantity = base_quantity;
        self
    }

    /// Sets the gross price before the price discount (BT-148).
    pub fn with_gross_price(mut self, gross_price: Decimal) -> Self {
        self.gross_price = Some(gross_price);
        self
    }

    /// Adds a line allowance or charge (BG-27, BG-28); its VAT is the line's.
    pub fn with_allowance_charge(mut self, allowance_charge: AllowanceCharge) -> Self {
        self.allowances_charges.push(allowance_charge);
        self
    }

    /// Sets the VAT exemption reason that this line brings into its breakdown group.
    pub fn with_exemption(mut self, exemption: VatExemption) -> Self {
        self.exemption = Some(exemption);
        self
    }

    /// Sets what the line states besides its amounts (note, period, references, item
    /// identifiers, classifications, attributes); empty details are no details.
    pub fn with_details(mut self, details: LineDetails) -> Self {
        self.details = (!details.is_empty()).then(|| Box::new(details));
        self
    }

    /// What the line states besides its amounts, when it states any.
    pub fn details(&self) -> Option<&LineDetails> {
        self.details.as_deref()
    }

    /// Keeps the net amount a received invoice states (BT-131) instead of computing it.
    pub fn with_stated_net_amount(mut self, net_amount: Decimal) -> Self {
        self.stated_net_amount = Some(net_amount);
        self
    }

    /// The line id (BT-126).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The item name (BT-153).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The item description (BT-154).
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The invoiced quantity (BT-129).
    #[inline]
    pub fn quantity(&self) -> Decimal {
        self.quantity
    }

    /// The unit of the quantity (BT-130).
    pub fn unit(&self) -> &UnitCode {
        &self.unit
    }

    /// The net unit price (BT-146).
    #[inline]
    pub fn price(&self) -> Decimal {
        self.price
    }

    /// The quantity the price applies to (BT-149), 1 unless set.
    pub fn base_quantity(&self) -> Decimal {
        self.base_quantity
    }

    /// The gross price (BT-148).
    pub fn gross_price(&self) -> Option<Decimal> {
        self.gross_price
    }

    /// Line allowances and charges.
    pub fn allowances_charges(&self) -> &[AllowanceCharge] {
        &self.allowances_charges
    }

    /// The VAT category and rate.
    #[inline]
    pub fn vat(&self) -> Vat {
        self.vat
    }

    /// The VAT exemption reason.
    #[inline]
    pub fn exemption(&self) -> Option<&VatExemption> {
        self.exemption.as_ref()
    }

    /// The net amount as stated by a received invoice, if any.
    #[inline]
    pub fn stated_net_amount(&self) -> Option<Decimal> {
        self.stated_net_amount
    }

    /// `quantity × price / base quantity`, rounded half away from zero to `decimal_places`:
    /// the line amount before line allowances and charges.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] on overflow, [`Error::InvalidLine`] when the base quantity is zero.
    #[inline]
    pub fn price_amount(&self, decimal_places: u32) -> Result<Decimal> {
        let gross = self.quantity.checked_mul(self.price).ok_or_else(overflow)?;
        // Compared by representation first: almost every line has base quantity 1, and
        // this runs once per line in `Totals::compute`.
        let exact = if self.base_quantity.serialize() == Decimal::ONE.serialize()
            || self.base_quantity == Decimal::ONE
        {
            gross
        } else if self.base_quantity.is_zero() {
            return Err(Error::InvalidLine {
                index: 0,
                reason: format!("line {}: base quantity is zero", self.id),
            });
        } else {
            gross.checked_div(self.base_quantity).ok_or_else(overflow)?
        };
        Ok(RoundingMode::HalfAwayFromZero.round(exact, decimal_places))
    }

    /// The line net amount (BT-131): the stated one, or the computed one with every
    /// amount rounded half away from zero to `decimal_places`.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] on overflow, [`Error::InvalidLine`] when the base quantity is zero.
    #[inline]
    pub fn net_amount(&self, decimal_places: u32) -> Result<Decimal> {
        if let Some(stated) = self.stated_net_amount {
            return Ok(stated);
        }
        let mut net = self.price_amount(decimal_places)?;
        if self.allowances_charges.is_empty() {
            return Ok(net);
        }
        let base = net;
        for ac in &self.allowances_charges {
            let amount = ac.resolved_amount(base, decimal_places)?;
            net = if ac.is_charge() {
                net.checked_add(amount)
            } else {
                net.checked_sub(amount)
            }
            .ok_or_else(overflow)?;
        }
        Ok(net)
    }

    /// Whether the net amount is just `round(quantity × price)`: no stated net, base
    /// quantity 1, no line allowances or charges. `Totals::compute` takes a shorter path
    /// for such lines; returning a `bool` rather than an `Option<Decimal>` keeps the
    /// amount out of memory (an `Option<Decimal>` return cost a store-forwarding stall
    /// per line in profiles).
    #[inline]
    pub(crate) fn is_simple(&self) -> bool {
        self.stated_net_amount.is_none()
            && self.allowances_charges.is_empty()
            && self.base_quantity.scale() == 0
            && self.base_quantity.mantissa() == 1
    }

    /// The same line with quantity and every stated amount negated.
    #[cfg(test)]
    pub(crate) fn negated(&self) -> Self {
        let mut out = self.clone();
        out.quantity = -self.quantity;
        out.stated_net_amount = self.stated_net_amount.map(|n| -n);
        out.allowances_charges = self
            .allowances_charges
            .iter()
            .map(AllowanceCharge::negated)
            .collect();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn line(qty: Decimal, price: Decimal) -> LineItem {
        LineItem::new(
            "1",
            "Item",
            qty,
            UnitCode::piece(),
            price,
            Vat::standard(dec!(25)),
        )
    }

    #[test]
    fn net_is_rounded_after_dividing_by_base_quantity() {
        // 3 × 10.005 per 2 = 15.0075 → 15.01
        let l = line(dec!(3), dec!(10.005)).with_base_quantity(dec!(2));
        assert_eq!(l.net_amount(2).unwrap(), dec!(15.01));
        assert_eq!(l.net_amount(0).unwrap(), dec!(15));
    }

    #[test]
    fn line_allowances_and_charges_adjust_the_net() {
        let l = line(dec!(10), dec!(9.99))
            .with_allowance_charge(AllowanceCharge::allowance(dec!(5.00)))
            .with_allowance_charge(AllowanceCharge::charge(dec!(1.50)));
        assert_eq!(l.net_amount(2).unwrap(), dec!(96.40));
    }

    #[test]
    fn stated_net_wins_over_quantity_times_price() {
        let l = line(dec!(2), dec!(800.00)).with_stated_net_amount(dec!(400.00));
        assert_eq!(l.net_amount(2).unwrap(), dec!(400.00));
    }

    #[test]
    fn zero_base_quantity_is_a_typed_error() {
        let l = line(dec!(1), dec!(1)).with_base_quantity(Decimal::ZERO);
        assert!(matches!(l.net_amount(2), Err(Error::InvalidLine { .. })));
    }

    #[test]
    fn unit_code_format() {
        assert!(UnitCode::new("C62").is_ok());
        assert!(UnitCode::new("h").is_err());
        assert!(UnitCode::new("ABCD").is_err());
    }
}
