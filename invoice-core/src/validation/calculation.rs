//! Rule family: calculation (BR-CO-09 to BR-CO-17).
//!
//! The totals are derived by [`Totals::compute`], never stated, so BR-CO-10 to BR-CO-16
//! hold by construction. They are still checked here, on the computed totals, as a cheap
//! self-check that keeps the validator meaningful should [`Totals`] ever be wrong:
//!
//! - BR-CO-10: BT-106 = Σ line net amounts (BT-131).
//! - BR-CO-11, BR-CO-12: BT-107 and BT-108 = Σ document allowances and charges; only with
//!   net prices, since with [`PriceBasis::Gross`] the amounts are net parts of stated gross
//!   amounts that only [`Totals`] derives.
//! - BR-CO-13: BT-109 = BT-106 − BT-107 + BT-108.
//! - BR-CO-14: BT-110 = Σ BT-117.
//! - BR-CO-15: BT-112 = BT-109 + BT-110.
//! - BR-CO-16: BT-115 = BT-112 − BT-113 + BT-114.
//! - BR-CO-17: per breakdown row, BT-117 = BT-116 × BT-119 / 100. Fatal when the VAT is off
//!   by one currency unit or more (the schematron's tolerance), or is not zero at rate 0. A
//!   smaller difference from the amount rounded to the policy's tax precision can only
//!   come from [`TaxRounding::PerLine`], which EN 16931 tolerates: a warning.
//!
//! When the totals cannot be computed, the cause is reported once: under BR-32 or BR-37
//! (a document allowance or charge without VAT) or BR-24 (a line without a net amount) by
//! the mandatory family, and otherwise, for an overflow in the sums, here under BR-CO-10.
//!
//! BR-CO-09 checks that every VAT identifier (BT-31, BT-48) starts with an ISO 3166-1
//! alpha-2 country code, with `EL` for Greece, `XI` for Northern Ireland and `1A` for
//! Kosovo as the schematron allows.
//!
//! [`PriceBasis::Gross`]: crate::PriceBasis::Gross
//! [`TaxRounding::PerLine`]: crate::TaxRounding::PerLine

use rust_decimal::Decimal;

use crate::invoice::Invoice;
use crate::party::Party;
use crate::rounding::{PriceBasis, RoundingMode};
use crate::totals::{TaxBreakdown, Totals};
use crate::validation::{document_amount, is_present, Violation};

/// The VAT identifier prefixes BR-CO-09 accepts: ISO 3166-1 alpha-2, plus `EL` (Greece),
/// `XI` (Northern Ireland) and `1A` (Kosovo), as listed by the EN 16931 schematron.
const VAT_PREFIXES: &str = "1A AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF \
BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW \
CX CY CZ DE DJ DK DM DO DZ EC EE EG EH EL ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL \
GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG \
KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO \
MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM \
PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY \
SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS \
XI YE YT ZA ZM ZW";

/// Appends the violations of this family to `out`.
pub(super) fn check(invoice: &Invoice, out: &mut Vec<Violation>) {
    check_vat_id(invoice.seller(), "seller", out);
    check_vat_id(invoice.buyer(), "buyer", out);
    match invoice.totals() {
        Ok(totals) => check_totals(invoice, &totals, out),
        Err(e) => {
            let dp = invoice.currency().minor_units();
            let reported_elsewhere = invoice
                .allowances_charges()
                .iter()
                .any(|ac| ac.vat().is_none())
                || invoice.lines().iter().any(|l| l.net_amount(dp).is_err());
            if !reported_elsewhere {
                out.push(Violation::fatal(
                    "BR-CO-10",
                    "totals",
                    format!("the totals cannot be computed: {e}"),
                ));
            }
        }
    }
}

/// BR-CO-09: the VAT identifier's country prefix.
fn check_vat_id(party: &Party, who: &str, out: &mut Vec<Violation>) {
    let Some(vat_id) = party.vat_id().filter(|v| is_present(Some(v))) else {
        return;
    };
    let known = vat_id
        .get(..2)
        .is_some_and(|prefix| VAT_PREFIXES.split_ascii_whitespace().any(|c| c == prefix));
    if !known {
        out.push(Violation::fatal(
            "BR-CO-09",
            format!("{who}.vat_id"),
            format!("the vat identifier {vat_id:?} does not start with a country code"),
        ));
    }
}

/// Σ `values`, or `None` on overflow.
fn sum(values: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
    values
        .into_iter()
        .try_fold(Decimal::ZERO, |acc, v| acc.checked_add(v))
}

/// Pushes a fatal `rule` unless `stated` equals `expected` (`None`: the expected value
/// overflowed, which the totals would have failed on first).
fn expect_equal(
    rule: &'static str,
    path: &str,
    what: &str,
    stated: Decimal,
    expected: Option<Decimal>,
    out: &mut Vec<Violation>,
) {
    match expected {
        Some(expected) if expected == stated => {}
        Some(expected) => out.push(Violation::fatal(
            rule,
            path,
            format!("{what} is {stated}, expected {expected}"),
        )),
        None => out.push(Violation::fatal(
            rule,
            path,
            format!("{what} cannot be checked: arithmetic overflow"),
        )),
    }
}

/// The BR-CO identities on computed totals. Split from [`check`] so tests can feed it
/// totals that are wrong on purpose.
fn check_totals(invoice: &Invoice, t: &Totals, out: &mut Vec<Violation>) {
    expect_equal(
        "BR-CO-10",
        "totals.line_extension_amount",
        "the sum of line net amounts",
        t.line_extension_amount(),
        sum(t.line_net_amounts().iter().copied()),
        out,
    );
    if invoice.rounding_policy().price_basis() == PriceBasis::Net {
        let amounts = |charges: bool| {
            sum(invoice
                .allowances_charges()
                .iter()
                .filter(|ac| ac.is_charge() == charges)
                .map(|ac| document_amount(invoice, t, ac))
                .collect::<Option<Vec<_>>>()?)
        };
        expect_equal(
            "BR-CO-11",
            "totals.allowance_total",
            "the sum of document allowances",
            t.allowance_total(),
            amounts(false),
            out,
        );
        expect_equal(
            "BR-CO-12",
            "totals.charge_total",
            "the sum of document charges",
            t.charge_total(),
            amounts(true),
            out,
        );
    }
    expect_equal(
        "BR-CO-13",
        "totals.tax_exclusive_amount",
        "the total without vat",
        t.tax_exclusive_amount(),
        t.line_extension_amount()
            .checked_sub(t.allowance_total())
            .and_then(|d| d.checked_add(t.charge_total())),
        out,
    );
    expect_equal(
        "BR-CO-14",
        "totals.tax_total",
        "the total vat",
        t.tax_total(),
        sum(t.vat_breakdown().iter().map(TaxBreakdown::tax_amount)),
        out,
    );
    expect_equal(
        "BR-CO-15",
        "totals.tax_inclusive_amount",
        "the total with vat",
        t.tax_inclusive_amount(),
        t.tax_exclusive_amount().checked_add(t.tax_total()),
        out,
    );
    expect_equal(
        "BR-CO-16",
        "totals.payable_amount",
        "the amount due",
        t.payable_amount(),
        t.tax_inclusive_amount()
            .checked_sub(t.prepaid_amount())
            .and_then(|d| d.checked_add(t.rounding_amount())),
        out,
    );
    let tax_dp = invoice
        .rounding_policy()
        .tax_precision()
        .unwrap_or(invoice.currency().minor_units());
    for (i, row) in t.vat_breakdown().iter().enumerate() {
        check_breakdown_tax(i, row, tax_dp, out);
    }
}

/// BR-CO-17 for one breakdown row.
fn check_breakdown_tax(i: usize, row: &TaxBreakdown, tax_dp: u32, out: &mut Vec<Violation>) {
    let path = format!("vat_breakdown[{i}].tax_amount");
    let (tax, rate) = (row.tax_amount(), row.rate());
    if rate.is_zero() {
        if !tax.is_zero() {
            out.push(Violation::fatal(
                "BR-CO-17",
                path,
                format!("the vat at rate 0 must be 0, found {tax}"),
            ));
        }
        return;
    }
    let Some(exact) = row
        .taxable_amount()
        .checked_mul(rate)
        .and_then(|p| p.checked_div(Decimal::ONE_HUNDRED))
    else {
        out.push(Violation::fatal(
            "BR-CO-17",
            path,
            "the vat cannot be checked: arithmetic overflow",
        ));
        return;
    };
    let en = RoundingMode::HalfAwayFromZero.round(exact, 2);
    let off_by = tax.checked_sub(en).map(|d| d.abs());
    if off_by.is_none_or(|d| d >= Decimal::ONE) {
        out.push(Violation::fatal(
            "BR-CO-17",
            path,
            format!(
                "the vat {tax} is not {} × {rate} % = {en}",
                row.taxable_amount()
            ),
        ));
        return;
    }
    let rounded = RoundingMode::HalfAwayFromZero.round(exact, tax_dp);
    if rounded != tax {
        out.push(Violation::warning(
            "BR-CO-17",
            path,
            format!(
                "the vat {tax} differs from {} × {rate} % = {rounded}, within the tolerance of \
                 1 (vat rounded per line)",
                row.taxable_amount()
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;
    use crate::validation::tests::{buyer, draft, line, rules_of, seller, valid};
    use crate::validation::Severity;
    use crate::{AllowanceCharge, LineItem, RoundingPolicy, UnitCode, Vat};

    fn rules(invoice: &Invoice) -> Vec<&'static str> {
        rules_of(check, invoice)
    }

    fn vat19() -> Vat {
        Vat::standard(dec!(19))
    }

    /// An invoice with an allowance and a charge, so that every identity has terms.
    fn rich() -> Invoice {
        valid()
            .line(line("2", Vat::standard(dec!(7))))
            .allowance_charge(
                AllowanceCharge::allowance(dec!(10.00))
                    .with_vat(vat19())
                    .with_reason("Discount"),
            )
            .allowance_charge(
                AllowanceCharge::charge(dec!(5.00))
                    .with_vat(Vat::standard(dec!(7)))
                    .with_reason("Freight"),
            )
            .prepaid_amount(dec!(20.00))
            .build()
            .unwrap()
    }

    /// The rules `check_totals` reports for `invoice` with its totals after `edit` on
    /// their JSON form.
    fn rules_with_tampered_totals(
        invoice: &Invoice,
        edit: impl FnOnce(&mut serde_json::Value),
    ) -> Vec<&'static str> {
        let mut json = serde_json::to_value(invoice.totals().unwrap()).unwrap();
        edit(&mut json);
        let totals: Totals = serde_json::from_value(json).unwrap();
        let mut out = Vec::new();
        check_totals(invoice, &totals, &mut out);
        out.iter().map(Violation::rule).collect()
    }

    #[test]
    fn computed_totals_pass_every_identity() {
        assert_eq!(rules(&rich()), Vec::<&str>::new());
        assert_eq!(
            rules_with_tampered_totals(&rich(), |_| {}),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn wrong_line_extension_amount_breaks_br_co_10() {
        let rules = rules_with_tampered_totals(&rich(), |t| {
            t["line_extension_amount"] = "200.01".into();
        });
        // BT-109 no longer matches either.
        assert_eq!(rules, ["BR-CO-10", "BR-CO-13"]);
    }

    #[test]
    fn wrong_allowance_and_charge_totals_break_br_co_11_and_br_co_12() {
        let rules = rules_with_tampered_totals(&rich(), |t| {
            t["allowance_total"] = "9.00".into();
            t["charge_total"] = "6.00".into();
        });
        assert_eq!(rules, ["BR-CO-11", "BR-CO-12", "BR-CO-13"]);
    }

    #[test]
    fn wrong_tax_exclusive_amount_breaks_br_co_13() {
        let rules = rules_with_tampered_totals(&rich(), |t| {
            t["tax_exclusive_amount"] = "1.00".into();
        });
        assert_eq!(rules, ["BR-CO-13", "BR-CO-15"]);
    }

    #[test]
    fn wrong_tax_total_breaks_br_co_14() {
        let rules = rules_with_tampered_totals(&rich(), |t| {
            t["tax_total"] = "0.00".into();
        });
        assert_eq!(rules, ["BR-CO-14", "BR-CO-15"]);
    }

    #[test]
    fn wrong_payable_amount_breaks_br_co_16() {
        let rules = rules_with_tampered_totals(&rich(), |t| {
            t["payable_amount"] = "1.00".into();
        });
        assert_eq!(rules, ["BR-CO-16"]);
    }

    #[test]
    fn breakdown_tax_off_by_a_unit_breaks_br_co_17() {
        let invoice = valid().build().unwrap();
        let rules = rules_with_tampered_totals(&invoice, |t| {
            t["vat_breakdown"][0]["tax_amount"] = "20.00".into();
            t["tax_total"] = "20.00".into();
            t["tax_inclusive_amount"] = "120.00".into();
            t["payable_amount"] = "120.00".into();
        });
        assert_eq!(rules, ["BR-CO-17"]);
    }

    #[test]
    fn per_line_vat_rounding_is_a_br_co_17_warning() {
        // 0.13 × 19 % = 0.0247 → 0.02 per line, 0.06 in all; the group's 0.39 gives 0.07.
        let cent = |id| LineItem::new(id, "Nail", dec!(1), UnitCode::piece(), dec!(0.13), vat19());
        let invoice = draft(seller(), buyer())
            .lines([cent("1"), cent("2"), cent("3")])
            .rounding_policy(RoundingPolicy::en16931().with_tax_per_line())
            .build()
            .unwrap();
        let mut out = Vec::new();
        check(&invoice, &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].rule(), "BR-CO-17");
        assert_eq!(out[0].severity(), Severity::Warning);
        assert_eq!(out[0].path(), "vat_breakdown[0].tax_amount");
    }

    #[test]
    fn whole_unit_tax_precision_is_not_a_warning() {
        let invoice = valid()
            .line(LineItem::new(
                "2",
                "Item",
                dec!(1),
                UnitCode::piece(),
                dec!(0.30),
                vat19(),
            ))
            .rounding_policy(RoundingPolicy::en16931().with_tax_precision(0))
            .build()
            .unwrap();
        assert_eq!(rules(&invoice), Vec::<&str>::new());
    }

    #[test]
    fn vat_id_without_country_prefix_breaks_br_co_09() {
        let seller = seller().with_vat_id("123456789");
        let buyer = buyer().with_vat_id("xx999");
        let invoice = draft(seller, buyer)
            .line(line("1", vat19()))
            .build()
            .unwrap();
        let mut out = Vec::new();
        check(&invoice, &mut out);
        let found: Vec<_> = out.iter().map(|v| (v.rule(), v.path())).collect();
        assert_eq!(
            found,
            [("BR-CO-09", "seller.vat_id"), ("BR-CO-09", "buyer.vat_id")]
        );
    }

    #[test]
    fn greek_el_and_northern_irish_xi_prefixes_pass_br_co_09() {
        let invoice = draft(
            seller().with_vat_id("EL094259216"),
            buyer().with_vat_id("XI1"),
        )
        .line(line("1", vat19()))
        .build()
        .unwrap();
        assert_eq!(rules(&invoice), Vec::<&str>::new());
        // A multi-byte first character must not panic.
        let odd = draft(seller().with_vat_id("ÄB1"), buyer())
            .line(line("1", vat19()))
            .build()
            .unwrap();
        assert_eq!(rules(&odd), ["BR-CO-09"]);
    }

    #[test]
    fn overflowing_sums_break_br_co_10() {
        // Each line net fits; their sum does not.
        let huge = |id| {
            LineItem::new(
                id,
                "Ship",
                dec!(1),
                UnitCode::piece(),
                Decimal::MAX - dec!(1),
                vat19(),
            )
        };
        let invoice = valid().line(huge("2")).line(huge("3")).build().unwrap();
        let mut out = Vec::new();
        check(&invoice, &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].rule(), "BR-CO-10");
        assert_eq!(out[0].path(), "totals");
    }

    #[test]
    fn document_charge_without_vat_is_left_to_br_37() {
        let invoice = valid()
            .allowance_charge(AllowanceCharge::charge(dec!(1.00)).with_reason("Freight"))
            .build()
            .unwrap();
        assert_eq!(rules(&invoice), Vec::<&str>::new());
    }
}
