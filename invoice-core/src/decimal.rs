//! Exact decimal parsing: amounts and quantities from text, with no exponent and no
//! silent rounding.

use rust_decimal::Decimal;

use crate::error::{Error, Result};

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
    use crate::Currency;
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
        let round = |v, c: Currency| crate::round_half_away_from_zero(v, c.minor_units());
        assert_eq!(round(dec!(1234.5), Currency::JPY), dec!(1235));
        assert_eq!(round(dec!(1.2345), Currency::KWD), dec!(1.235));
        assert_eq!(round(dec!(-0.0005), Currency::BHD), dec!(-0.001));
    }

    #[test]
    fn parse_rejects_what_is_not_exact() {
        assert!(parse_decimal("1e3").is_err());
        assert!(parse_decimal("").is_err());
        assert!(parse_decimal("1.2.3").is_err());
        assert!(parse_decimal("0.00000000000000000000000000001").is_err());
        assert_eq!(parse_decimal(" 7.10 ").unwrap(), dec!(7.10));
    }
}
