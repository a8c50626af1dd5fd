//! Named rounding modes and the rounding policies a total can be computed under.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::error::{overflow, Error, Result};

/// How a value is rounded to a number of decimal places. Each name says what it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RoundingMode {
    /// Ties go away from zero: 2.345 → 2.35, −2.345 → −2.35. The EN 16931 default; it is
    /// symmetric, so a credit note is the exact mirror of its invoice.
    HalfAwayFromZero,
    /// Ties go to the even neighbour (banker's rounding): 2.345 → 2.34, 2.355 → 2.36.
    HalfEven,
    /// Truncates: 2.349 → 2.34, −2.349 → −2.34.
    TowardZero,
    /// Any remainder goes away from zero: 2.341 → 2.35, −2.341 → −2.35.
    AwayFromZero,
}

impl RoundingMode {
    #[inline]
    fn strategy(self) -> RoundingStrategy {
        match self {
            Self::HalfAwayFromZero => RoundingStrategy::MidpointAwayFromZero,
            Self::HalfEven => RoundingStrategy::MidpointNearestEven,
            Self::TowardZero => RoundingStrategy::ToZero,
            Self::AwayFromZero => RoundingStrategy::AwayFromZero,
        }
    }

    /// Rounds `value` to `decimal_places` digits after the separator with this mode.
    ///
    /// # Examples
    ///
    /// ```
    /// use invoice_core::RoundingMode;
    /// use rust_decimal::Decimal;
    ///
    /// let v = Decimal::new(2345, 3); // 2.345
    /// assert_eq!(RoundingMode::HalfAwayFromZero.round(v, 2), Decimal::new(235, 2));
    /// assert_eq!(RoundingMode::HalfEven.round(v, 2), Decimal::new(234, 2));
    /// ```
    #[inline]
    pub fn round(self, value: Decimal, decimal_places: u32) -> Decimal {
        value.round_dp_with_strategy(decimal_places, self.strategy())
    }

    /// Rounds `value` to a multiple of `increment` (cash rounding: CHF 0.05, SEK 1.00).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidAmount`] when `increment` is not positive, [`Error::Overflow`]
    /// when the division or multiplication overflows.
    ///
    /// # Examples
    ///
    /// ```
    /// use invoice_core::RoundingMode;
    /// use rust_decimal::Decimal;
    ///
    /// let chf = Decimal::new(5, 2);
    /// let rounded = RoundingMode::HalfAwayFromZero.round_to_increment(Decimal::new(1027, 2), chf)?;
    /// assert_eq!(rounded, Decimal::new(1025, 2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn round_to_increment(self, value: Decimal, increment: Decimal) -> Result<Decimal> {
        if increment <= Decimal::ZERO {
            return Err(Error::InvalidAmount {
                value: increment.to_string(),
                reason: "rounding increment must be positive",
            });
        }
        let steps = value.checked_div(increment).ok_or_else(overflow)?;
        let steps = self.round(steps, 0);
        let rounded = steps.checked_mul(increment).ok_or_else(overflow)?;
        Ok(rounded.round_dp_with_strategy(increment.scale(), self.strategy()))
    }
}

/// Rounds half away from zero to `decimal_places`: the rounding EN 16931 prescribes.
pub fn round_half_away_from_zero(value: Decimal, decimal_places: u32) -> Decimal {
    RoundingMode::HalfAwayFromZero.round(value, decimal_places)
}

/// Where VAT is rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TaxRounding {
    /// EN 16931 default: VAT is computed and rounded once per breakdown group
    /// (category and rate), from the group's taxable amount (BR-S-09 and siblings).
    #[default]
    PerBreakdown,
    /// VAT is rounded on every line and every document allowance or charge, and a group's
    /// VAT is the sum of those. Common in retail systems; may differ from the default by
    /// a few cents.
    PerLine,
}

/// Whether unit prices are stated without or with VAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PriceBasis {
    /// Prices exclude VAT (EN 16931's BT-146 is always net).
    #[default]
    Net,
    /// Prices include VAT: each line's gross amount is what the buyer sees, its net
    /// amount is derived from it, and any cent of difference between the sum of the gross
    /// amounts and the EN 16931 total with VAT goes to the rounding amount (BT-114), so
    /// that the payable amount equals the sum of the gross lines.
    Gross,
}

/// The rules under which [`Totals`](crate::Totals) are computed.
///
/// The default is EN 16931: line nets and allowance/charge amounts rounded half away from
/// zero to the currency's minor units, VAT rounded per breakdown group, no cash rounding.
///
/// # Examples
///
/// ```
/// use invoice_core::RoundingPolicy;
/// use rust_decimal::Decimal;
///
/// let swiss_cash = RoundingPolicy::en16931().with_cash_increment(Decimal::new(5, 2))?;
/// assert_eq!(swiss_cash.cash_increment(), Some(Decimal::new(5, 2)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct RoundingPolicy {
    #[serde(default)]
    tax: TaxRounding,
    #[serde(default)]
    prices: PriceBasis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "crate::decimal_serde::plain_option")]
    cash_increment: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tax_precision: Option<u32>,
}

impl RoundingPolicy {
    /// The EN 16931 default policy.
    pub const fn en16931() -> Self {
        Self {
            tax: TaxRounding::PerBreakdown,
            prices: PriceBasis::Net,
            cash_increment: None,
            tax_precision: None,
        }
    }

    /// Rounds VAT per line instead of per breakdown group.
    pub const fn with_tax_per_line(mut self) -> Self {
        self.tax = TaxRounding::PerLine;
        self
    }

    /// Treats unit prices as VAT-inclusive (see [`PriceBasis::Gross`]).
    pub const fn with_gross_prices(mut self) -> Self {
        self.prices = PriceBasis::Gross;
        self
    }

    /// Rounds the amount due to a multiple of `increment`, the difference going to
    /// BT-114 (for example CHF 0.05 or SEK 1.00).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidAmount`] when `increment` is not positive.
    pub fn with_cash_increment(mut self, increment: Decimal) -> Result<Self> {
        if increment <= Decimal::ZERO {
            return Err(Error::InvalidAmount {
                value: increment.to_string(),
                reason: "cash rounding increment must be positive",
            });
        }
        self.cash_increment = Some(increment);
        Ok(self)
    }

    /// States VAT with `decimal_places` digits instead of the currency's minor units
    /// (one official HUF example states VAT in whole forints).
    pub const fn with_tax_precision(mut self, decimal_places: u32) -> Self {
        self.tax_precision = Some(decimal_places);
        self
    }

    /// Where VAT is rounded.
    pub const fn tax_rounding(&self) -> TaxRounding {
        self.tax
    }

    /// Whether prices include VAT.
    pub const fn price_basis(&self) -> PriceBasis {
        self.prices
    }

    /// The cash rounding increment, if any.
    pub const fn cash_increment(&self) -> Option<Decimal> {
        self.cash_increment
    }

    /// The decimal places VAT is rounded to, when it differs from the currency's.
    pub const fn tax_precision(&self) -> Option<u32> {
        self.tax_precision
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn modes_differ_only_where_their_names_say() {
        let tie = dec!(2.345);
        assert_eq!(RoundingMode::HalfAwayFromZero.round(tie, 2), dec!(2.35));
        assert_eq!(RoundingMode::HalfEven.round(tie, 2), dec!(2.34));
        assert_eq!(RoundingMode::TowardZero.round(dec!(2.349), 2), dec!(2.34));
        assert_eq!(RoundingMode::AwayFromZero.round(dec!(2.341), 2), dec!(2.35));
        assert_eq!(RoundingMode::HalfAwayFromZero.round(-tie, 2), dec!(-2.35));
    }

    #[test]
    fn cash_rounding_to_increments() {
        let m = RoundingMode::HalfAwayFromZero;
        assert_eq!(
            m.round_to_increment(dec!(10.27), dec!(0.05)).unwrap(),
            dec!(10.25)
        );
        assert_eq!(
            m.round_to_increment(dec!(10.275), dec!(0.05)).unwrap(),
            dec!(10.30)
        );
        assert_eq!(
            m.round_to_increment(dec!(99.50), dec!(1.00)).unwrap(),
            dec!(100.00)
        );
        assert_eq!(
            m.round_to_increment(dec!(-10.275), dec!(0.05)).unwrap(),
            dec!(-10.30)
        );
        assert!(m.round_to_increment(dec!(1), dec!(0)).is_err());
        assert!(RoundingPolicy::en16931()
            .with_cash_increment(dec!(-1))
            .is_err());
    }

    #[test]
    fn policy_serde_round_trip() {
        let p = RoundingPolicy::en16931()
            .with_tax_per_line()
            .with_gross_prices()
            .with_tax_precision(0)
            .with_cash_increment(dec!(0.05))
            .unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(
            json,
            r#"{"tax":"per_line","prices":"gross","cash_increment":"0.05","tax_precision":0}"#
        );
        assert_eq!(serde_json::from_str::<RoundingPolicy>(&json).unwrap(), p);
        assert_eq!(
            serde_json::from_str::<RoundingPolicy>("{}").unwrap(),
            RoundingPolicy::en16931()
        );
    }
}
