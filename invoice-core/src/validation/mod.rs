//! EN 16931 business-rule validation: every violation, each with its rule id.
//!
//! One file per rule family: [`mandatory`] (BR-01…BR-65 that the model can break),
//! [`calculation`] (BR-CO-*), [`vat_category`] (BR-S/Z/E/AE/K/G/O/IC/IG/IP-*) and
//! [`decimals`] (BR-DEC-*).

mod calculation;
mod decimals;
mod mandatory;
mod vat_category;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::invoice::Invoice;

/// How bad a violation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The invoice is not EN 16931 compliant and cannot be issued.
    Fatal,
    /// Allowed, but probably a mistake.
    Warning,
}

/// One broken rule: its EN 16931 id, where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Violation {
    rule: &'static str,
    severity: Severity,
    path: String,
    message: String,
}

impl Violation {
    /// A fatal violation of `rule` at `path` (such as `lines[2].price`).
    pub(crate) fn fatal(
        rule: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            rule,
            severity: Severity::Fatal,
            path: path.into(),
            message: message.into(),
        }
    }

    /// A warning about `rule` at `path`.
    pub(crate) fn warning(
        rule: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            rule,
            severity: Severity::Warning,
            path: path.into(),
            message: message.into(),
        }
    }

    /// The EN 16931 rule id, such as `BR-CO-10` or `BR-S-05`.
    pub fn rule(&self) -> &'static str {
        self.rule
    }

    /// Fatal or warning.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// Where in the invoice, such as `buyer.address.country` or `lines[0].vat.rate`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong, in words.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}: {}", self.rule, self.path, self.message)
    }
}

/// Runs every rule family over `invoice` and returns all violations, in rule-family order.
pub(crate) fn validate(invoice: &Invoice) -> Vec<Violation> {
    let mut out = Vec::new();
    mandatory::check(invoice, &mut out);
    calculation::check(invoice, &mut out);
    vat_category::check(invoice, &mut out);
    decimals::check(invoice, &mut out);
    out
}
