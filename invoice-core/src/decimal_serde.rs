//! Decimals read from serde input through [`parse_decimal`](crate::parse_decimal).
//!
//! `rust_decimal`'s own `Deserialize` reads a string with `Decimal::from_str`, which
//! accepts `_` separators and recurses once per `_`: a string of a few hundred thousand
//! underscores in a JSON body overflows the stack of the thread that reads it and aborts
//! the process (found by the `decimal` fuzz target). Every decimal field of the model
//! reads its value with these functions instead: a plain decimal string as
//! [`parse_decimal`](crate::parse_decimal) takes it, or a JSON integer. Serialization is
//! unchanged (a string, as `rust_decimal` writes it).
//!
//! Use them on decimal fields of your own types that read untrusted input:
//!
//! ```
//! use invoice_core::Decimal;
//! use serde::Deserialize;
//!
//! #[derive(Deserialize)]
//! struct Payment {
//!     #[serde(deserialize_with = "invoice_core::decimal_serde::plain")]
//!     amount: Decimal,
//!     #[serde(default, deserialize_with = "invoice_core::decimal_serde::plain_option")]
//!     fee: Option<Decimal>,
//! }
//!
//! let ok: Payment = serde_json::from_str(r#"{"amount": "12.50"}"#)?;
//! assert_eq!(ok.amount, Decimal::new(1250, 2));
//! assert_eq!(ok.fee, None);
//! let underscores = format!(r#"{{"amount": "1{}"}}"#, "_".repeat(1_000_000));
//! assert!(serde_json::from_str::<Payment>(&underscores).is_err());
//! assert!(serde_json::from_str::<Payment>(r#"{"amount": "1e3"}"#).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, Deserialize, Deserializer, Visitor};

/// A decimal read by [`plain`].
struct Plain(Decimal);

impl<'de> Deserialize<'de> for Plain {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(PlainVisitor).map(Plain)
    }
}

struct PlainVisitor;

impl Visitor<'_> for PlainVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal number as a string, such as \"12.50\"")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Decimal, E> {
        crate::parse_decimal(value).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(value))
    }
}

/// Reads a decimal: a plain decimal string, or an integer.
///
/// # Errors
///
/// The deserializer's error for anything else, with the reason
/// [`parse_decimal`](crate::parse_decimal) gives.
pub fn plain<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    Plain::deserialize(deserializer).map(|p| p.0)
}

/// Reads an optional decimal as [`plain`] reads one; `null` is `None`. Put
/// `#[serde(default)]` beside it for a field that may be missing.
///
/// # Errors
///
/// As [`plain`].
pub fn plain_option<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Decimal>, D::Error> {
    Option::<Plain>::deserialize(deserializer).map(|p| p.map(|p| p.0))
}

/// Reads a sequence of decimals as [`plain`] reads each.
///
/// # Errors
///
/// As [`plain`].
pub fn plain_vec<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Decimal>, D::Error> {
    Vec::<Plain>::deserialize(deserializer).map(|v| v.into_iter().map(|p| p.0).collect())
}

#[cfg(test)]
mod tests {
    use crate::{LineItem, Payment};

    /// `1` followed by a million `_`: `Decimal::from_str` recursed once per `_` and
    /// overflowed the stack; the model now refuses the text.
    fn underscores() -> String {
        format!("1{}", "_".repeat(1_000_000))
    }

    #[test]
    fn a_line_with_underscores_in_a_decimal_is_refused_not_a_crash() {
        let json = format!(
            r#"{{"id":"1","name":"x","quantity":"{}","unit":"C62","price":"1","vat":{{"category":"S","rate":"19"}}}}"#,
            underscores()
        );
        let error = serde_json::from_str::<LineItem>(&json).unwrap_err();
        assert!(
            error.to_string().contains("not a plain decimal number"),
            "{error}"
        );
    }

    #[test]
    fn decimals_read_as_before_where_they_are_plain() {
        let line: LineItem = serde_json::from_str(
            r#"{"id":"1","name":"x","quantity":"-2.500","unit":"C62","price":7,"gross_price":"8.1","vat":{"category":"S","rate":"19"}}"#,
        )
        .unwrap();
        assert_eq!(line.quantity().to_string(), "-2.500");
        assert_eq!(line.price().to_string(), "7");
        assert_eq!(
            line.gross_price().map(|p| p.to_string()),
            Some("8.1".to_owned())
        );
        // What serialization writes reads back.
        let again: LineItem = serde_json::from_str(&serde_json::to_string(&line).unwrap()).unwrap();
        assert_eq!(again, line);
        let payment = |amount: &str| {
            serde_json::from_str::<Payment>(&format!(
                r#"{{"id":"00000000-0000-0000-0000-000000000001","amount":"{amount}","date":"2026-01-01"}}"#
            ))
        };
        assert_eq!(payment("12.50").unwrap().amount().to_string(), "12.50");
        for bad in ["1e3", "1_000", "NaN", "", "12,5"] {
            assert!(payment(bad).is_err(), "{bad}");
        }
    }
}
