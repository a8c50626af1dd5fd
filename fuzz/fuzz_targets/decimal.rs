//! `parse_decimal` against `Decimal::from_str_exact`, the general parser its short path
//! stands in for: on plain decimal text (digits, `.`, signs) both give the same value at
//! the same scale, or both refuse it; anything else `parse_decimal` refuses. The general
//! parser is asked about plain text only: it recurses once per `_` separator and
//! overflows the stack on a long run of them (what this target found first).
#![no_main]

use invoice_core::parse_decimal;
use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;

fuzz_target!(|text: &str| {
    let ours = parse_decimal(text);
    let trimmed = text.trim();
    let plain = !trimmed.is_empty()
        && trimmed
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+'));
    if !plain {
        assert!(ours.is_err(), "{text:?}: not plain, yet read as {ours:?}");
        return;
    }
    match (&ours, &Decimal::from_str_exact(trimmed)) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b, "{text:?}: another value");
            assert_eq!(a.scale(), b.scale(), "{text:?}: another scale");
            assert_eq!(a.to_string(), b.to_string(), "{text:?}: written otherwise");
        }
        (Ok(a), Err(e)) => panic!("{text:?}: parse_decimal gives {a}, from_str_exact {e}"),
        (Err(e), Ok(b)) => panic!("{text:?}: parse_decimal refuses {b}: {e}"),
        (Err(_), Err(_)) => {}
    }
    if let Ok(value) = ours {
        // What it gives reads back as itself.
        assert_eq!(
            parse_decimal(&value.to_string()).ok(),
            Some(value),
            "{text:?}"
        );
    }
});
