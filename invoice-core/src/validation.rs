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

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::allowance_charge::AllowanceCharge;
use crate::invoice::Invoice;
use crate::totals::Totals;
use crate::vat::Vat;

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

/// Whether an optional text is given and not blank. The schematron tests `exists(...)`;
/// a blank value here would be written as an empty element, so it counts as absent.
fn is_present(text: Option<&str>) -> bool {
    text.is_some_and(|t| !t.trim().is_empty())
}

/// The sum of the computed net amounts of the lines whose VAT is `vat`: the base a
/// document allowance or charge given as a percentage without a base applies to.
fn group_line_nets(invoice: &Invoice, totals: &Totals, vat: Vat) -> Option<Decimal> {
    invoice
        .lines()
        .iter()
        .zip(totals.line_net_amounts())
        .filter(|(line, _)| line.vat() == vat)
        .try_fold(Decimal::ZERO, |sum, (_, net)| sum.checked_add(*net))
}

/// The amount of a document allowance or charge (BT-92, BT-99) as the totals resolve it;
/// `None` when it has no VAT (BR-32, BR-37) or the amount overflows.
fn document_amount(invoice: &Invoice, totals: &Totals, ac: &AllowanceCharge) -> Option<Decimal> {
    let base = group_line_nets(invoice, totals, ac.vat()?)?;
    ac.resolved_amount(base, invoice.currency().minor_units())
        .ok()
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use rust_decimal_macros::dec;
    use uuid::Uuid;

    use super::*;
    use crate::{
        Address, CountryCode, Currency, InvoiceBuilder, InvoiceId, InvoiceNumber, LineItem, Party,
        TenantId, UnitCode,
    };

    /// A German seller with a VAT id.
    pub(super) fn seller() -> Party {
        Party::new(
            "Muster GmbH",
            Address::new(CountryCode::new("DE").unwrap())
                .with_line("Hauptstr. 1")
                .with_city("Berlin")
                .with_postal_code("10115"),
        )
        .with_vat_id("DE123456789")
    }

    /// A German buyer without a VAT id.
    pub(super) fn buyer() -> Party {
        Party::new(
            "Kunde AG",
            Address::new(CountryCode::new("DE").unwrap())
                .with_city("Hamburg")
                .with_postal_code("20095"),
        )
    }

    /// Line `id`: 2 pieces at 50.00 under `vat`.
    pub(super) fn line(id: &str, vat: Vat) -> LineItem {
        LineItem::new(id, "Widget", dec!(2), UnitCode::piece(), dec!(50.00), vat)
    }

    /// A draft in EUR between `seller` and `buyer` with a due date and no lines yet.
    pub(super) fn draft(seller: Party, buyer: Party) -> InvoiceBuilder {
        InvoiceBuilder::new(
            InvoiceId::from_uuid(Uuid::from_u128(1)),
            TenantId::new("t").unwrap(),
            Currency::EUR,
            seller,
            buyer,
        )
        .due_date(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap())
    }

    /// The shared fixture: a minimal valid issued invoice, one standard-rated line at
    /// 19 % (100.00 + 19.00). Tests add or break exactly one thing.
    pub(super) fn valid() -> InvoiceBuilder {
        draft(seller(), buyer())
            .line(line("1", Vat::standard(dec!(19))))
            .issued(
                InvoiceNumber::new("INV-1").unwrap(),
                NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
            )
    }

    /// The rule ids `check` reports for `invoice`, in order.
    pub(super) fn rules_of(
        check: fn(&Invoice, &mut Vec<Violation>),
        invoice: &Invoice,
    ) -> Vec<&'static str> {
        let mut out = Vec::new();
        check(invoice, &mut out);
        out.iter().map(Violation::rule).collect()
    }

    #[test]
    fn valid_invoice_has_no_violations_as_draft_or_issued() {
        let issued = valid().build().unwrap();
        assert_eq!(validate(&issued), []);
        let draft = draft(seller(), buyer())
            .line(line("1", Vat::standard(dec!(19))))
            .build()
            .unwrap();
        assert_eq!(validate(&draft), []);
    }

    #[test]
    fn every_problem_is_reported_not_just_the_first() {
        let invoice = draft(Party::new(" ", seller().address().clone()), buyer())
            .line(
                LineItem::new("1", "", dec!(1), UnitCode::piece(), dec!(-5), Vat::exempt())
                    .with_stated_net_amount(dec!(-5.001)),
            )
            .line(line("2", Vat::standard(dec!(0))))
            .allowance_charge(AllowanceCharge::charge(dec!(1.00)))
            .build()
            .unwrap();
        let rules: Vec<_> = validate(&invoice).iter().map(Violation::rule).collect();
        for expected in [
            "BR-06",     // blank seller name
            "BR-25",     // blank item name
            "BR-27",     // negative price
            "BR-37",     // charge without VAT
            "BR-38",     // charge without reason
            "BR-CO-26",  // seller has neither VAT id nor legal id
            "BR-S-02",   // standard-rated line, no seller VAT id
            "BR-S-05",   // standard rate of 0 %
            "BR-E-02",   // exempt line, no seller VAT id
            "BR-E-10",   // exempt without a reason
            "BR-DEC-23", // stated net with 3 decimals
        ] {
            assert!(
                rules.contains(&expected),
                "{expected} missing from {rules:?}"
            );
        }
    }

    #[test]
    fn violation_displays_rule_path_and_message() {
        let v = Violation::fatal("BR-25", "lines[0].name", "item name is blank");
        assert_eq!(v.to_string(), "[BR-25] lines[0].name: item name is blank");
        assert_eq!(v.severity(), Severity::Fatal);
        assert_eq!(
            Violation::warning("BR-CO-17", "x", "y").severity(),
            Severity::Warning
        );
    }
}
