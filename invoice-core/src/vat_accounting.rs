//! The VAT accounting currency (BT-6) and the invoice's VAT total in it (BT-111), for a
//! seller who must account for VAT in a currency other than the invoice's.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::currency::Currency;
use crate::error::{overflow, Error, Result};
use crate::rounding::RoundingMode;

/// Where the VAT total in the accounting currency (BT-111) comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VatAccountingBasis {
    /// The caller's exchange rate: units of the accounting currency per unit of the
    /// invoice currency. BT-111 is the invoice's VAT total (BT-110) times the rate,
    /// rounded half away from zero to the accounting currency's minor units. The core
    /// fetches no rate; the caller states the one the law asks for.
    ExchangeRate(#[serde(deserialize_with = "crate::decimal_serde::plain")] Decimal),
    /// The amount a document states, kept as stated (an imported invoice).
    StatedTotal(#[serde(deserialize_with = "crate::decimal_serde::plain")] Decimal),
}

/// The VAT accounting currency (BT-6) and how the VAT total in it (BT-111) is found.
///
/// # Examples
///
/// ```
/// use invoice_core::{Currency, Decimal, VatAccounting};
///
/// // An invoice in DKK whose seller accounts for VAT in EUR, at 0.13405 EUR per DKK.
/// let accounting = VatAccounting::with_exchange_rate(Currency::from_code("EUR")?, Decimal::new(13405, 5))?;
/// assert_eq!(accounting.vat_total(Decimal::new(67500, 2))?, Decimal::new(9048, 2)); // 675.00 DKK → 90.48 EUR
/// assert!(VatAccounting::with_exchange_rate(Currency::from_code("EUR")?, Decimal::ZERO).is_err());
/// # Ok::<(), invoice_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VatAccounting {
    currency: Currency,
    basis: VatAccountingBasis,
}

impl VatAccounting {
    /// VAT accounted in `currency` at `rate` units of it per unit of the invoice currency.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidField`] unless the rate is greater than zero.
    pub fn with_exchange_rate(currency: Currency, rate: Decimal) -> Result<Self> {
        if rate <= Decimal::ZERO {
            return Err(Error::InvalidField {
                field: "VAT accounting exchange rate",
                value: rate.to_string(),
                reason: "must be greater than zero",
            });
        }
        Ok(Self {
            currency,
            basis: VatAccountingBasis::ExchangeRate(rate),
        })
    }

    /// VAT accounted in `currency`, with the total in it (BT-111) as a document states it.
    pub fn stated(currency: Currency, vat_total: Decimal) -> Self {
        Self {
            currency,
            basis: VatAccountingBasis::StatedTotal(vat_total),
        }
    }

    /// The VAT accounting currency (BT-6).
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Where BT-111 comes from.
    pub fn basis(&self) -> VatAccountingBasis {
        self.basis
    }

    /// The VAT total in the accounting currency (BT-111) of an invoice whose VAT total
    /// in its own currency (BT-110) is `invoice_vat_total`.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] when the product overflows.
    pub fn vat_total(&self, invoice_vat_total: Decimal) -> Result<Decimal> {
        match self.basis {
            VatAccountingBasis::StatedTotal(total) => Ok(total),
            VatAccountingBasis::ExchangeRate(rate) => {
                let product = invoice_vat_total.checked_mul(rate).ok_or_else(overflow)?;
                Ok(RoundingMode::HalfAwayFromZero.round(product, self.currency.minor_units()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_at_the_rate_rounded_to_the_accounting_currency() {
        let jpy = Currency::from_code("JPY").unwrap();
        let a = VatAccounting::with_exchange_rate(jpy, Decimal::new(16250, 2)).unwrap();
        // 19.01 EUR × 162.50 = 3089.125 JPY → 3089 (JPY has no minor unit)
        assert_eq!(
            a.vat_total(Decimal::new(1901, 2)).unwrap(),
            Decimal::new(3089, 0)
        );
        let kwd = Currency::from_code("KWD").unwrap();
        let a = VatAccounting::with_exchange_rate(kwd, Decimal::new(3, 1)).unwrap();
        // −10.05 × 0.3 = −3.015 KWD, kept to three places
        assert_eq!(
            a.vat_total(Decimal::new(-1005, 2)).unwrap(),
            Decimal::new(-3015, 3)
        );
        assert!(VatAccounting::with_exchange_rate(kwd, Decimal::new(-1, 0)).is_err());
    }

    #[test]
    fn a_stated_total_is_kept_and_serde_round_trips() {
        let eur = Currency::from_code("EUR").unwrap();
        let a = VatAccounting::stated(eur, Decimal::new(62862, 2));
        assert_eq!(
            a.vat_total(Decimal::new(67500, 2)).unwrap(),
            Decimal::new(62862, 2)
        );
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<VatAccounting>(&json).unwrap(), a);
    }
}
