//! An amount of money in a currency, with checked arithmetic.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::currency::Currency;
use crate::error::{overflow, Error, Result};
use crate::rounding::RoundingMode;

/// An amount in a currency. Arithmetic is checked: overflow and mixing currencies are
/// errors, never silent.
///
/// # Examples
///
/// ```
/// use invoice_core::{Currency, Money};
///
/// let a = Money::parse("10.005", Currency::EUR)?;
/// let b = Money::parse("0.995", Currency::EUR)?;
/// let sum = a.checked_add(b)?;
/// assert_eq!(sum.to_string(), "11.000 EUR");
/// assert_eq!(sum.round_to_minor_units().to_string(), "11.00 EUR");
/// assert!(a.checked_add(Money::parse("1", Currency::USD)?).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    #[serde(deserialize_with = "crate::decimal_serde::plain")]
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// An amount in `currency`.
    pub const fn new(amount: Decimal, currency: Currency) -> Self {
        Self { amount, currency }
    }

    /// Zero in `currency`.
    pub const fn zero(currency: Currency) -> Self {
        Self::new(Decimal::ZERO, currency)
    }

    /// Parses a decimal string exactly (no silent rounding of excess digits).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidAmount`] when `amount` is not a decimal number or has more digits
    /// than a 96-bit decimal holds.
    pub fn parse(amount: &str, currency: Currency) -> Result<Self> {
        Ok(Self::new(parse_decimal(amount)?, currency))
    }

    /// The amount.
    pub const fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub const fn currency(&self) -> Currency {
        self.currency
    }

    /// Adds two amounts of the same currency.
    ///
    /// # Errors
    ///
    /// [`Error::CurrencyMismatch`] for different currencies, [`Error::Overflow`] on overflow.
    pub fn checked_add(self, other: Money) -> Result<Money> {
        self.same_currency(other)?;
        let amount = self.amount.checked_add(other.amount).ok_or_else(overflow)?;
        Ok(Self::new(amount, self.currency))
    }

    /// Subtracts an amount of the same currency.
    ///
    /// # Errors
    ///
    /// [`Error::CurrencyMismatch`] for different currencies, [`Error::Overflow`] on overflow.
    pub fn checked_sub(self, other: Money) -> Result<Money> {
        self.same_currency(other)?;
        let amount = self.amount.checked_sub(other.amount).ok_or_else(overflow)?;
        Ok(Self::new(amount, self.currency))
    }

    /// Multiplies by a factor such as a quantity or a rate.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] on overflow.
    pub fn checked_mul(self, factor: Decimal) -> Result<Money> {
        let amount = self.amount.checked_mul(factor).ok_or_else(overflow)?;
        Ok(Self::new(amount, self.currency))
    }

    /// The negated amount.
    pub fn negate(self) -> Money {
        Self::new(-self.amount, self.currency)
    }

    /// Rounds half away from zero to the currency's minor units (EUR 2, JPY 0, KWD 3).
    pub fn round_to_minor_units(self) -> Money {
        self.round(RoundingMode::HalfAwayFromZero)
    }

    /// Rounds to the currency's minor units with a named mode.
    pub fn round(self, mode: RoundingMode) -> Money {
        Self::new(
            mode.round(self.amount, self.currency.minor_units()),
            self.currency,
        )
    }

    fn same_currency(self, other: Money) -> Result<()> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(Error::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

/// Parses a decimal string exactly: no exponent, no rounding of excess digits.
///
/// # Errors
///
/// [`Error::InvalidAmount`] when the text is not a plain decimal number or does not fit.
///
/// # Examples
///
/// ```
/// use invoice_core::parse_decimal;
///
/// assert_eq!(parse_decimal("-12.50")?.to_string(), "-12.50");
/// assert!(parse_decimal("12,50").is_err());
/// assert!(parse_decimal("NaN").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_decimal(text: &str) -> Result<Decimal> {
    let bytes = text.as_bytes();
    let solid = |b: Option<&u8>| b.is_some_and(u8::is_ascii_graphic);
    // Most amounts have nothing to trim: skip `trim`'s Unicode tables for them.
    let trimmed = if solid(bytes.first()) && solid(bytes.last()) {
        text
    } else {
        text.trim()
    };
    if let Some(value) = parse_short_decimal(trimmed) {
        return Ok(value);
    }
    let plain = !trimmed.is_empty()
        && trimmed
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+'));
    if !plain {
        return Err(Error::InvalidAmount {
            value: text.to_owned(),
            reason: "not a plain decimal number",
        });
    }
    Decimal::from_str_exact(trimmed).map_err(|_| Error::InvalidAmount {
        value: text.to_owned(),
        reason: "not a decimal number that fits 28 significant digits",
    })
}

/// The common case of [`parse_decimal`] without the general parser: digits, at most
/// one `.` between digits, an optional leading `-` before a number other than zero, at
/// most 18 digits in all (so the mantissa fits an `i64`). `None` for anything else,
/// which the general parser then reads (or refuses).
fn parse_short_decimal(text: &str) -> Option<Decimal> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = match digits.split_once('.') {
        Some((whole, fraction)) if !fraction.is_empty() => (whole, fraction),
        Some(_) => return None,
        None => (digits, ""),
    };
    if whole.is_empty() || whole.len() + fraction.len() > 18 {
        return None;
    }
    let mut mantissa: i64 = 0;
    for b in whole.bytes().chain(fraction.bytes()) {
        if !b.is_ascii_digit() {
            return None;
        }
        mantissa = mantissa * 10 + i64::from(b - b'0');
    }
    if negative {
        if mantissa == 0 {
            // The general parser's negative zero, kept as it gives it.
            return None;
        }
        mantissa = -mantissa;
    }
    Some(Decimal::new(mantissa, u32::try_from(fraction.len()).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    proptest! {
        /// The short path gives exactly what the general parser gives (value, scale and
        /// sign), and refuses nothing the general parser takes.
        #[test]
        fn short_decimals_parse_as_the_general_parser_parses_them(
            text in "[-+]?[0-9]{0,20}(\\.[0-9]{0,12})?"
        ) {
            let general = Decimal::from_str_exact(&text).ok();
            if let Some(short) = parse_short_decimal(&text) {
                let general = general.expect("the short path took what the parser refuses");
                prop_assert_eq!(short, general);
                prop_assert_eq!(short.scale(), general.scale());
                prop_assert_eq!(short.is_sign_negative(), general.is_sign_negative());
                prop_assert_eq!(short.to_string(), general.to_string());
            }
            prop_assert_eq!(parse_decimal(&text).ok(), general);
        }
    }

    #[test]
    fn the_short_path_takes_the_common_amounts() {
        for text in [
            "0",
            "7",
            "12.50",
            "-12.50",
            "0.001",
            "999999999999999999",
            "-0.5",
        ] {
            let short = parse_short_decimal(text).unwrap();
            assert_eq!(short.to_string(), text);
        }
        for text in [
            "",
            "-",
            ".5",
            "5.",
            "+1",
            "-0",
            "-0.00",
            "1e3",
            "1234567890123456789",
        ] {
            assert_eq!(parse_short_decimal(text), None, "{text:?}");
        }
    }

    #[test]
    fn rounding_follows_the_currency() {
        let yen = Money::new(dec!(1234.5), Currency::JPY).round_to_minor_units();
        assert_eq!(yen.amount(), dec!(1235));
        let dinar = Money::new(dec!(1.2345), Currency::KWD).round_to_minor_units();
        assert_eq!(dinar.amount(), dec!(1.235));
        let bhd = Money::new(dec!(-0.0005), Currency::BHD).round_to_minor_units();
        assert_eq!(bhd.amount(), dec!(-0.001));
    }

    #[test]
    fn overflow_is_an_error() {
        let big = Money::new(Decimal::MAX, Currency::EUR);
        assert_eq!(big.checked_add(big), Err(Error::Overflow));
        assert_eq!(big.checked_mul(dec!(2)), Err(Error::Overflow));
    }

    #[test]
    fn parse_rejects_what_is_not_exact() {
        assert!(parse_decimal("1e3").is_err());
        assert!(parse_decimal("").is_err());
        assert!(parse_decimal("1.2.3").is_err());
        assert!(parse_decimal("0.00000000000000000000000000001").is_err());
        assert_eq!(parse_decimal(" 7.10 ").unwrap(), dec!(7.10));
    }

    #[test]
    fn money_serializes_amount_as_string() {
        let m = Money::new(dec!(19.90), Currency::EUR);
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"{"amount":"19.90","currency":"EUR"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
    }
}
