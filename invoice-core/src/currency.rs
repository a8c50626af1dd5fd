//! ISO 4217 currencies and their minor units.

mod iso4217;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use iso4217::{Iso4217Row, ISO_4217};

/// An active ISO 4217 currency, which knows its minor units.
///
/// Only codes in the ISO 4217 table can be constructed, so every `Currency` has a known
/// number of minor units. It serializes as its three-letter code.
///
/// # Examples
///
/// ```
/// use invoice_core::Currency;
///
/// let yen = Currency::from_code("JPY")?;
/// assert_eq!(yen.minor_units(), 0);
/// assert_eq!(Currency::from_code("KWD")?.minor_units(), 3);
/// assert_eq!(Currency::EUR.code(), "EUR");
/// assert!(Currency::from_code("EURO").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: &'static str,
    minor_units: u8,
}

impl Currency {
    /// Euro.
    pub const EUR: Self = Self::known("EUR", 2);
    /// US dollar.
    pub const USD: Self = Self::known("USD", 2);
    /// Pound sterling.
    pub const GBP: Self = Self::known("GBP", 2);
    /// Swiss franc.
    pub const CHF: Self = Self::known("CHF", 2);
    /// Swedish krona.
    pub const SEK: Self = Self::known("SEK", 2);
    /// Norwegian krone.
    pub const NOK: Self = Self::known("NOK", 2);
    /// Danish krone.
    pub const DKK: Self = Self::known("DKK", 2);
    /// Polish złoty.
    pub const PLN: Self = Self::known("PLN", 2);
    /// Czech koruna.
    pub const CZK: Self = Self::known("CZK", 2);
    /// Hungarian forint.
    pub const HUF: Self = Self::known("HUF", 2);
    /// Japanese yen (no minor unit).
    pub const JPY: Self = Self::known("JPY", 0);
    /// Kuwaiti dinar (three minor digits).
    pub const KWD: Self = Self::known("KWD", 3);
    /// Bahraini dinar (three minor digits).
    pub const BHD: Self = Self::known("BHD", 3);

    /// Builds a constant; `tests::constants_match_the_table` checks it against the table.
    const fn known(code: &'static str, minor_units: u8) -> Self {
        Self { code, minor_units }
    }

    /// Looks up an active ISO 4217 code (case-sensitive, upper case).
    ///
    /// # Errors
    ///
    /// [`Error::UnknownCurrency`] when the code is not in the table.
    pub fn from_code(code: &str) -> Result<Self> {
        Self::row(code)
            .map(|row| Self {
                code: row.code,
                minor_units: row.minor_units,
            })
            .ok_or_else(|| Error::UnknownCurrency {
                code: code.to_owned(),
            })
    }

    fn row(code: &str) -> Option<&'static Iso4217Row> {
        ISO_4217
            .binary_search_by(|row| row.code.cmp(code))
            .ok()
            .and_then(|i| ISO_4217.get(i))
    }

    /// The three-letter alphabetic code, such as `EUR`.
    pub const fn code(&self) -> &'static str {
        self.code
    }

    /// How many digits follow the decimal separator: EUR 2, JPY 0, KWD 3.
    pub const fn minor_units(&self) -> u32 {
        self.minor_units as u32
    }

    /// The ISO 4217 numeric code, such as 978 for EUR.
    pub fn numeric_code(&self) -> u16 {
        Self::row(self.code).map_or(0, |row| row.numeric)
    }

    /// The currency's English name.
    pub fn name(&self) -> &'static str {
        Self::row(self.code).map_or("", |row| row.name)
    }

    /// Every active currency in the table, in code order.
    pub fn all() -> impl Iterator<Item = Currency> {
        ISO_4217.iter().map(|row| Self {
            code: row.code,
            minor_units: row.minor_units,
        })
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.code)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl FromStr for Currency {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::from_code(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code)
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Self::from_code(&code).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_unique_and_well_formed() {
        assert!(ISO_4217.len() >= 150, "only {} rows", ISO_4217.len());
        for pair in ISO_4217.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} !< {}",
                pair[0].code,
                pair[1].code
            );
        }
        for row in ISO_4217 {
            assert_eq!(row.code.len(), 3);
            assert!(row.code.bytes().all(|b| b.is_ascii_uppercase()));
            assert!(row.minor_units <= 4, "{}", row.code);
            assert!(row.numeric > 0 && row.numeric < 1000, "{}", row.code);
        }
    }

    #[test]
    fn constants_match_the_table() {
        for c in [
            Currency::EUR,
            Currency::USD,
            Currency::GBP,
            Currency::CHF,
            Currency::SEK,
            Currency::NOK,
            Currency::DKK,
            Currency::PLN,
            Currency::CZK,
            Currency::HUF,
            Currency::JPY,
            Currency::KWD,
            Currency::BHD,
        ] {
            assert_eq!(Currency::from_code(c.code()).unwrap(), c);
        }
    }

    #[test]
    fn minor_units_follow_iso_4217() {
        let cases = [
            ("EUR", 2, 978),
            ("JPY", 0, 392),
            ("KRW", 0, 410),
            ("KWD", 3, 414),
            ("BHD", 3, 48),
            ("TND", 3, 788),
            ("CLF", 4, 990),
            ("HUF", 2, 348),
            ("CHF", 2, 756),
        ];
        for (code, units, numeric) in cases {
            let c = Currency::from_code(code).unwrap();
            assert_eq!(c.minor_units(), units, "{code}");
            assert_eq!(c.numeric_code(), numeric, "{code}");
        }
    }

    #[test]
    fn unknown_and_lowercase_codes_are_rejected() {
        for bad in ["", "eur", "EU", "EURO", "XXX", "HRK"] {
            assert!(
                matches!(Currency::from_code(bad), Err(Error::UnknownCurrency { .. })),
                "{bad:?} accepted"
            );
        }
    }

    #[test]
    fn serde_uses_the_code() {
        assert_eq!(serde_json::to_string(&Currency::JPY).unwrap(), "\"JPY\"");
        let c: Currency = serde_json::from_str("\"KWD\"").unwrap();
        assert_eq!(c.minor_units(), 3);
        assert!(serde_json::from_str::<Currency>("\"ABC\"").is_err());
    }
}
