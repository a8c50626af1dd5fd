//! Rule family: decimals (BR-DEC-*): amounts have at most two decimals.
//!
//! Decimals are counted after dropping trailing zeros, so `1.000` has none. Checked:
//!
//! - document allowances and charges: amount BR-DEC-01 / BR-DEC-05, base amount
//!   BR-DEC-02 / BR-DEC-06;
//! - the totals: BT-106 BR-DEC-09, BT-107 BR-DEC-10, BT-108 BR-DEC-11, BT-109 BR-DEC-12,
//!   BT-110 BR-DEC-13, BT-112 BR-DEC-14, BT-113 BR-DEC-16, BT-114 BR-DEC-17,
//!   BT-115 BR-DEC-18, and per breakdown row BT-116 BR-DEC-19 and BT-117 BR-DEC-20;
//! - lines: net amount BR-DEC-23, line allowance amount and base BR-DEC-24 / BR-DEC-25,
//!   line charge amount and base BR-DEC-27 / BR-DEC-28.
//!
//! A percentage allowance or charge is checked with the amount and base it resolves to:
//! its stated base, or the line amount (line level) or the group's line nets (document
//! level). The totals are rounded to the currency's minor units, so a currency with three
//! (KWD, BHD) can break these rules on its own: EN 16931 allows two decimals whatever the
//! currency. When the totals cannot be computed only the stated amounts are checked. Not
//! checked: BR-DEC-15 (VAT in accounting currency, BT-111, which the model does not have).

use rust_decimal::Decimal;

use crate::allowance_charge::{AllowanceCharge, AllowanceChargeAmount};
use crate::invoice::Invoice;
use crate::validation::{group_line_nets, Violation};

/// The most decimals EN 16931 allows in an amount.
const MAX_DECIMALS: u32 = 2;

/// Appends the violations of this family to `out`.
///
/// For a currency with more than two minor units (KWD, BHD, …) the violations are
/// warnings: such an invoice cannot be stated in EN 16931 to the fils, but refusing to
/// issue it would make the library unusable for those currencies.
pub(super) fn check(invoice: &Invoice, out: &mut Vec<Violation>) {
    let start = out.len();
    check_amounts(invoice, out);
    if invoice.currency().minor_units() > MAX_DECIMALS {
        for v in out.iter_mut().skip(start) {
            *v = Violation::warning(v.rule(), v.path(), v.message());
        }
    }
}

fn check_amounts(invoice: &Invoice, out: &mut Vec<Violation>) {
    let dp = invoice.currency().minor_units();
    let totals = invoice.totals().ok();
    for (i, ac) in invoice.allowances_charges().iter().enumerate() {
        let rules = if ac.is_charge() {
            ["BR-DEC-05", "BR-DEC-06"]
        } else {
            ["BR-DEC-01", "BR-DEC-02"]
        };
        let default_base = totals
            .as_ref()
            .zip(ac.vat())
            .and_then(|(t, vat)| group_line_nets(invoice, t, vat));
        check_allowance_charge(
            ac,
            default_base,
            dp,
            rules,
            &format!("allowances_charges[{i}]"),
            out,
        );
    }
    for (i, line) in invoice.lines().iter().enumerate() {
        let net = match &totals {
            Some(t) => t.line_net_amounts().get(i).copied(),
            None => line.net_amount(dp).ok(),
        };
        if let Some(net) = net {
            limit(
                "BR-DEC-23",
                format!("lines[{i}].net_amount"),
                "line net amount",
                net,
                out,
            );
        }
        let line_amount = line.price_amount(dp).ok();
        for (j, ac) in line.allowances_charges().iter().enumerate() {
            let rules = if ac.is_charge() {
                ["BR-DEC-27", "BR-DEC-28"]
            } else {
                ["BR-DEC-24", "BR-DEC-25"]
            };
            let path = format!("lines[{i}].allowances_charges[{j}]");
            check_allowance_charge(ac, line_amount, dp, rules, &path, out);
        }
    }
    limit(
        "BR-DEC-16",
        "prepaid_amount",
        "prepaid amount",
        invoice.prepaid_amount(),
        out,
    );
    let Some(t) = totals else {
        return;
    };
    for (rule, field, what, value) in [
        (
            "BR-DEC-09",
            "line_extension_amount",
            "sum of line net amounts",
            t.line_extension_amount(),
        ),
        (
            "BR-DEC-10",
            "allowance_total",
            "sum of allowances",
            t.allowance_total(),
        ),
        (
            "BR-DEC-11",
            "charge_total",
            "sum of charges",
            t.charge_total(),
        ),
        (
            "BR-DEC-12",
            "tax_exclusive_amount",
            "total without vat",
            t.tax_exclusive_amount(),
        ),
        ("BR-DEC-13", "tax_total", "total vat", t.tax_total()),
        (
            "BR-DEC-14",
            "tax_inclusive_amount",
            "total with vat",
            t.tax_inclusive_amount(),
        ),
        (
            "BR-DEC-17",
            "rounding_amount",
            "rounding amount",
            t.rounding_amount(),
        ),
        (
            "BR-DEC-18",
            "payable_amount",
            "amount due",
            t.payable_amount(),
        ),
    ] {
        limit(rule, format!("totals.{field}"), what, value, out);
    }
    for (i, row) in t.vat_breakdown().iter().enumerate() {
        limit(
            "BR-DEC-19",
            format!("vat_breakdown[{i}].taxable_amount"),
            "taxable amount",
            row.taxable_amount(),
            out,
        );
        limit(
            "BR-DEC-20",
            format!("vat_breakdown[{i}].tax_amount"),
            "vat amount",
            row.tax_amount(),
            out,
        );
    }
}

/// The amount and base amount of an allowance or charge at `path`; a percentage without a
/// base applies to `default_base`, and is skipped when that is unknown.
fn check_allowance_charge(
    ac: &AllowanceCharge,
    default_base: Option<Decimal>,
    dp: u32,
    [amount_rule, base_rule]: [&'static str; 2],
    path: &str,
    out: &mut Vec<Violation>,
) {
    match ac.amount() {
        AllowanceChargeAmount::Fixed { amount } => {
            limit(amount_rule, format!("{path}.amount"), "amount", amount, out);
        }
        AllowanceChargeAmount::Percentage { base, .. } => {
            let Some(base) = base.or(default_base) else {
                return;
            };
            limit(
                base_rule,
                format!("{path}.base_amount"),
                "base amount",
                base,
                out,
            );
            if let Ok(amount) = ac.resolved_amount(base, dp) {
                limit(amount_rule, format!("{path}.amount"), "amount", amount, out);
            }
        }
    }
}

/// Pushes a fatal `rule` when `value` has more than two decimals.
fn limit(
    rule: &'static str,
    path: impl Into<String>,
    what: &str,
    value: Decimal,
    out: &mut Vec<Violation>,
) {
    let decimals = value.normalize().scale();
    if decimals > MAX_DECIMALS {
        out.push(Violation::fatal(
            rule,
            path,
            format!(
                "the {what} {value} has {decimals} decimals, at most {MAX_DECIMALS} are allowed"
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;
    use crate::allowance_charge::AllowanceChargeKind;
    use crate::validation::tests::{buyer, draft, line, rules_of, seller, valid};
    use crate::validation::Severity;
    use crate::{Currency, InvoicePatch, LineItem, UnitCode, Vat};

    fn rules(invoice: &Invoice) -> Vec<&'static str> {
        rules_of(check, invoice)
    }

    fn vat19() -> Vat {
        Vat::standard(dec!(19))
    }

    fn percentage(
        kind: AllowanceChargeKind,
        percent: Decimal,
        base: Option<Decimal>,
    ) -> AllowanceCharge {
        AllowanceCharge::new(kind, AllowanceChargeAmount::Percentage { percent, base })
            .with_vat(vat19())
            .with_reason("x")
    }

    #[test]
    fn valid_invoice_passes() {
        assert_eq!(rules(&valid().build().unwrap()), Vec::<&str>::new());
    }

    #[test]
    fn document_allowance_with_three_decimals_breaks_br_dec_01_and_every_total_it_reaches() {
        let invoice = valid()
            .allowance_charge(
                AllowanceCharge::allowance(dec!(1.005))
                    .with_vat(vat19())
                    .with_reason("Discount"),
            )
            .build()
            .unwrap();
        // BT-109 98.995, BT-112 117.805 (VAT 18.81), BT-115 117.805, BT-116 98.995.
        assert_eq!(
            rules(&invoice),
            [
                "BR-DEC-01",
                "BR-DEC-10",
                "BR-DEC-12",
                "BR-DEC-14",
                "BR-DEC-18",
                "BR-DEC-19"
            ]
        );
    }

    #[test]
    fn trailing_zeros_are_not_decimals() {
        let invoice = valid()
            .allowance_charge(
                AllowanceCharge::allowance(dec!(1.000))
                    .with_vat(vat19())
                    .with_reason("Discount"),
            )
            .allowance_charge(percentage(
                AllowanceChargeKind::Charge,
                dec!(10),
                Some(dec!(10.0000)),
            ))
            .build()
            .unwrap();
        assert_eq!(rules(&invoice), Vec::<&str>::new());
    }

    #[test]
    fn document_charge_base_with_three_decimals_breaks_br_dec_06() {
        // 10 % of 10.005 is 1.0005, rounded to 1.00: only the base is at fault.
        let invoice = valid()
            .allowance_charge(percentage(
                AllowanceChargeKind::Charge,
                dec!(10),
                Some(dec!(10.005)),
            ))
            .build()
            .unwrap();
        let mut out = Vec::new();
        check(&invoice, &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(
            (out[0].rule(), out[0].path()),
            ("BR-DEC-06", "allowances_charges[0].base_amount")
        );
    }

    #[test]
    fn document_charge_with_three_decimals_breaks_br_dec_05() {
        let invoice = valid()
            .allowance_charge(
                AllowanceCharge::charge(dec!(0.001))
                    .with_vat(vat19())
                    .with_reason("Freight"),
            )
            .build()
            .unwrap();
        assert!(rules(&invoice).contains(&"BR-DEC-05"));
        assert!(rules(&invoice).contains(&"BR-DEC-11"));
    }

    #[test]
    fn line_allowance_and_charge_decimals_break_br_dec_24_and_br_dec_28() {
        let invoice = valid()
            .line(
                line("2", vat19())
                    .with_allowance_charge(AllowanceCharge::allowance(dec!(0.125)).with_reason("x"))
                    .with_allowance_charge(
                        AllowanceCharge::new(
                            AllowanceChargeKind::Charge,
                            AllowanceChargeAmount::Percentage {
                                percent: dec!(10),
                                base: Some(dec!(1.001)),
                            },
                        )
                        .with_reason("y"),
                    ),
            )
            .build()
            .unwrap();
        let mut out = Vec::new();
        check(&invoice, &mut out);
        let found: Vec<_> = out.iter().map(|v| (v.rule(), v.path())).collect();
        for expected in [
            ("BR-DEC-23", "lines[1].net_amount"), // 100 − 0.125 + 0.10
            ("BR-DEC-24", "lines[1].allowances_charges[0].amount"),
            ("BR-DEC-28", "lines[1].allowances_charges[1].base_amount"),
        ] {
            assert!(
                found.contains(&expected),
                "{expected:?} missing from {found:?}"
            );
        }
    }

    #[test]
    fn stated_line_net_with_three_decimals_breaks_br_dec_23() {
        let invoice = valid()
            .line(line("2", vat19()).with_stated_net_amount(dec!(100.001)))
            .build()
            .unwrap();
        let rules = rules(&invoice);
        assert_eq!(rules.first(), Some(&"BR-DEC-23"));
        assert!(rules.contains(&"BR-DEC-09"));
    }

    #[test]
    fn prepaid_and_rounding_amounts_with_three_decimals_break_br_dec_16_and_br_dec_17() {
        let invoice = valid()
            .prepaid_amount(dec!(0.001))
            .stated_rounding_amount(dec!(0.002))
            .build()
            .unwrap();
        // 119.00 − 0.001 + 0.002 = 119.001
        assert_eq!(rules(&invoice), ["BR-DEC-16", "BR-DEC-17", "BR-DEC-18"]);
    }

    #[test]
    fn three_decimal_currency_breaks_the_total_rules() {
        let mut invoice = draft(seller(), buyer())
            .line(LineItem::new(
                "1",
                "Item",
                dec!(1),
                UnitCode::piece(),
                dec!(1.2345),
                Vat::standard(dec!(5)),
            ))
            .build()
            .unwrap();
        invoice
            .update(InvoicePatch::new().currency(Currency::KWD))
            .unwrap();
        // Net 1.235, VAT 0.062, total 1.297.
        assert_eq!(
            rules(&invoice),
            [
                "BR-DEC-23",
                "BR-DEC-09",
                "BR-DEC-12",
                "BR-DEC-13",
                "BR-DEC-14",
                "BR-DEC-18",
                "BR-DEC-19",
                "BR-DEC-20"
            ]
        );
    }

    #[test]
    fn three_decimal_currency_amounts_that_fit_two_decimals_pass() {
        let mut invoice = draft(seller(), buyer())
            .line(LineItem::new(
                "1",
                "Item",
                dec!(1),
                UnitCode::piece(),
                dec!(2.000),
                Vat::standard(dec!(5)),
            ))
            .build()
            .unwrap();
        invoice
            .update(InvoicePatch::new().currency(Currency::KWD))
            .unwrap();
        assert_eq!(rules(&invoice), Vec::<&str>::new());
    }

    #[test]
    fn three_decimal_currency_gets_warnings_not_fatal_violations() {
        let kwd_invoice = draft(seller(), buyer())
            .line(crate::LineItem::new(
                "1",
                "Widget",
                dec!(1),
                crate::UnitCode::piece(),
                dec!(1.234),
                crate::Vat::standard(dec!(5)),
            ))
            .build()
            .unwrap();
        let kwd = crate::InvoicePatch::new().currency(crate::Currency::KWD);
        let mut kwd_invoice = kwd_invoice;
        kwd_invoice.update(kwd).unwrap();
        let mut out = Vec::new();
        check(&kwd_invoice, &mut out);
        assert!(!out.is_empty(), "the fils should be reported");
        assert!(out.iter().all(|v| v.severity() == Severity::Warning));
    }
}
