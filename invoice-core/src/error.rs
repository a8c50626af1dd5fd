//! The crate's error type.

use rust_decimal::Decimal;

use crate::lifecycle::InvoiceStatus;
use crate::validation::Violation;

/// Everything that can go wrong in `invoice-core`.
///
/// Each variant says what happened and carries what a caller needs to react.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A currency code that is not an active ISO 4217 code.
    #[error("unknown currency code {code:?}")]
    UnknownCurrency {
        /// The code as given.
        code: String,
    },
    /// A decimal operation overflowed (the numbers exceed 96 bits of mantissa).
    #[error("arithmetic overflow")]
    Overflow,
    /// An amount or quantity could not be parsed or is out of its allowed range.
    #[error("invalid amount {value:?}: {reason}")]
    InvalidAmount {
        /// The offending input.
        value: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// An identifier, code or other text field is malformed.
    #[error("invalid {field} {value:?}: {reason}")]
    InvalidField {
        /// Which field (for example `"country code"`).
        field: &'static str,
        /// The offending input.
        value: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A line item is inconsistent.
    #[error("line {index}: {reason}")]
    InvalidLine {
        /// Zero-based position of the line.
        index: usize,
        /// Why it was rejected.
        reason: String,
    },
    /// A command is not allowed in the invoice's current status.
    #[error("cannot {action} an invoice that is {status}")]
    InvalidTransition {
        /// What was attempted, for example `"edit"`.
        action: &'static str,
        /// The status the invoice is in.
        status: InvoiceStatus,
    },
    /// The invoice breaks EN 16931 rules and cannot be issued.
    #[error("invoice violates {} rule(s), first {}", .violations.len(), .violations.first().map_or("none", |v| v.rule()))]
    RuleViolations {
        /// Every fatal violation found.
        violations: Vec<Violation>,
    },
    /// A payment larger than the amount still due.
    #[error("payment of {amount} exceeds the amount due {due}")]
    Overpayment {
        /// The payment's amount.
        amount: Decimal,
        /// What was still due before it.
        due: Decimal,
    },
    /// A number series format string is malformed.
    #[error("invalid number format {format:?}: {reason}")]
    InvalidNumberFormat {
        /// The format as given.
        format: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A payment, note or line id that the invoice does not hold.
    #[error("{what} {id} not found on the invoice")]
    NotFound {
        /// Kind of thing, for example `"note"`.
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// A recurring schedule's rule that cannot hold (an interval of 0, a day outside 1 to
    /// 31, an end before the start).
    #[error("invalid schedule: {0}")]
    InvalidSchedule(String),
    /// A reminder command its status does not allow (rescheduling a sent reminder,
    /// cancelling a cancelled one).
    #[error("{0}")]
    InvalidReminder(String),
}

/// [`Error::Overflow`], for `ok_or_else`: `ok_or(Error::Overflow)` would build and drop
/// an `Error` on every successful operation, which showed up at 8 % of `Totals::compute`.
#[inline]
pub(crate) fn overflow() -> Error {
    Error::Overflow
}

/// `value` when it holds more than white space, else [`Error::InvalidField`] naming
/// `field`, the value and `reason`.
pub(crate) fn non_blank(
    field: &'static str,
    value: String,
    reason: &'static str,
) -> Result<String> {
    if value.trim().is_empty() {
        Err(Error::InvalidField {
            field,
            value,
            reason,
        })
    } else {
        Ok(value)
    }
}

/// The crate's result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_send_sync_static() {
        fn assert_bounds<T: std::error::Error + Send + Sync + 'static>() {}
        assert_bounds::<Error>();
    }

    #[test]
    fn messages_are_lowercase_without_period() {
        let e = Error::Overpayment {
            amount: Decimal::new(1000, 2),
            due: Decimal::new(500, 2),
        };
        let msg = e.to_string();
        assert_eq!(msg, "payment of 10.00 exceeds the amount due 5.00");
        assert!(!msg.ends_with('.'));
    }
}
