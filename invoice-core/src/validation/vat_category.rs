//! Rule family: VAT categories (BR-S, BR-Z, BR-E, BR-AE, BR-IC, BR-G, BR-O, BR-AF, BR-AG,
//! BR-B).
//!
//! The rules and what is checked are listed on [`VatCategory`](crate::VatCategory), where
//! rustdoc shows them.

use rust_decimal::Decimal;

use crate::invoice::Invoice;
use crate::rounding::{PriceBasis, RoundingMode};
use crate::totals::Totals;
use crate::validation::{document_amount, is_present, Violation};
use crate::vat::{Vat, VatCategory, VatExemption};

/// What uses a VAT category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Line,
    Allowance,
    Charge,
}

impl Source {
    const ALL: [Source; 3] = [Source::Line, Source::Allowance, Source::Charge];

    fn name(self) -> &'static str {
        match self {
            Source::Line => "line",
            Source::Allowance => "document allowance",
            Source::Charge => "document charge",
        }
    }
}

/// A line, document allowance or document charge with its VAT.
#[derive(Debug, Clone, Copy)]
struct Use {
    source: Source,
    index: usize,
    vat: Vat,
}

impl Use {
    fn path(&self) -> String {
        match self.source {
            Source::Line => format!("lines[{}].vat", self.index),
            Source::Allowance | Source::Charge => format!("allowances_charges[{}].vat", self.index),
        }
    }
}

/// One row of the VAT breakdown; the amounts only when the totals could be computed.
#[derive(Debug, Clone, Copy)]
struct Row<'a> {
    vat: Vat,
    exemption: Option<&'a VatExemption>,
    amounts: Option<(Decimal, Decimal)>,
}

/// How many breakdown rows of a category the -01 rule allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowCount {
    ExactlyOne,
    AtLeastOne,
}

/// Which VAT identifiers the -02 to -04 rules ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ids {
    /// The seller's VAT id.
    Seller,
    /// The seller's VAT id and the buyer's VAT id or legal registration id (AE).
    SellerAndBuyerOrLegal,
    /// The seller's and the buyer's VAT ids (K).
    SellerAndBuyer,
    /// Neither the seller's nor the buyer's VAT id (O).
    None,
}

/// The rate the -05 to -07 rules allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rate {
    Positive,
    Zero,
    NonNegative,
}

/// The rules of one category.
#[derive(Debug, Clone, Copy)]
struct Family {
    /// The rule ids -01 to -10.
    ids: [&'static str; 10],
    name: &'static str,
    rows: RowCount,
    vat_ids: Ids,
    rate: Rate,
    /// Whether VAT is charged (-09: taxable × rate, and -08 within 1) or not (-09: 0).
    taxed: bool,
    exemption_required: bool,
}

macro_rules! ids {
    ($p:literal) => {
        [
            concat!($p, "-01"),
            concat!($p, "-02"),
            concat!($p, "-03"),
            concat!($p, "-04"),
            concat!($p, "-05"),
            concat!($p, "-06"),
            concat!($p, "-07"),
            concat!($p, "-08"),
            concat!($p, "-09"),
            concat!($p, "-10"),
        ]
    };
}

/// The rules of `category`; `None` for B, whose rules (BR-B-01, BR-B-02) are of another shape.
fn family(category: VatCategory) -> Option<Family> {
    let untaxed = |ids, name, vat_ids| Family {
        ids,
        name,
        rows: RowCount::ExactlyOne,
        vat_ids,
        rate: Rate::Zero,
        taxed: false,
        exemption_required: true,
    };
    let taxed = |ids, name, rate| Family {
        ids,
        name,
        rows: RowCount::AtLeastOne,
        vat_ids: Ids::Seller,
        rate,
        taxed: true,
        exemption_required: false,
    };
    Some(match category {
        VatCategory::Standard => taxed(ids!("BR-S"), "standard rated", Rate::Positive),
        VatCategory::ZeroRated => Family {
            exemption_required: false,
            ..untaxed(ids!("BR-Z"), "zero rated", Ids::Seller)
        },
        VatCategory::Exempt => untaxed(ids!("BR-E"), "exempt", Ids::Seller),
        VatCategory::ReverseCharge => {
            untaxed(ids!("BR-AE"), "reverse charge", Ids::SellerAndBuyerOrLegal)
        }
        VatCategory::IntraCommunity => {
            untaxed(ids!("BR-IC"), "intra-community", Ids::SellerAndBuyer)
        }
        VatCategory::Export => untaxed(ids!("BR-G"), "export", Ids::Seller),
        VatCategory::OutsideScope => untaxed(ids!("BR-O"), "not subject to vat", Ids::None),
        VatCategory::CanaryIslands => taxed(ids!("BR-AF"), "igic", Rate::NonNegative),
        VatCategory::CeutaMelilla => taxed(ids!("BR-AG"), "ipsi", Rate::NonNegative),
        VatCategory::Transferred => return None,
    })
}

/// Appends the violations of this family to `out`.
pub(super) fn check(invoice: &Invoice, out: &mut Vec<Violation>) {
    let uses = uses(invoice);
    let totals = invoice.totals().ok();
    let rows = match &totals {
        Some(t) => t
            .vat_breakdown()
            .iter()
            .map(|b| Row {
                vat: Vat::new(b.category(), b.rate()),
                exemption: b.exemption(),
                amounts: Some((b.taxable_amount(), b.tax_amount())),
            })
            .collect(),
        None => rows_without_totals(invoice, &uses),
    };
    for category in VatCategory::ALL {
        let Some(f) = family(category) else {
            continue;
        };
        if uses.iter().any(|u| u.vat.category() == category) {
            check_family(invoice, totals.as_ref(), &uses, &rows, category, &f, out);
        }
    }
    check_outside_scope(&uses, &rows, out);
    check_split_payment(invoice, &uses, out);
}

/// Every line and every document allowance or charge with VAT, in that order.
fn uses(invoice: &Invoice) -> Vec<Use> {
    let lines = invoice.lines().iter().enumerate().map(|(index, l)| Use {
        source: Source::Line,
        index,
        vat: l.vat(),
    });
    let acs = invoice
        .allowances_charges()
        .iter()
        .enumerate()
        .filter_map(|(index, ac)| {
            Some(Use {
                source: if ac.is_charge() {
                    Source::Charge
                } else {
                    Source::Allowance
                },
                index,
                vat: ac.vat()?,
            })
        });
    lines.chain(acs).collect()
}

/// The breakdown rows, without amounts, grouped as [`Totals::compute`] groups them.
fn rows_without_totals<'a>(invoice: &'a Invoice, uses: &[Use]) -> Vec<Row<'a>> {
    let mut rows: Vec<Row<'a>> = Vec::new();
    for u in uses {
        let exemption = match u.source {
            Source::Line => invoice.lines().get(u.index).and_then(|l| l.exemption()),
            Source::Allowance | Source::Charge => None,
        };
        match rows.iter_mut().find(|r| r.vat == u.vat) {
            Some(row) => {
                if row.exemption.is_none() {
                    row.exemption = exemption;
                }
            }
            None => rows.push(Row {
                vat: u.vat,
                exemption,
                amounts: None,
            }),
        }
    }
    rows
}

fn check_family(
    invoice: &Invoice,
    totals: Option<&Totals>,
    uses: &[Use],
    rows: &[Row<'_>],
    category: VatCategory,
    f: &Family,
    out: &mut Vec<Violation>,
) {
    let code = category.code();
    let own_rows: Vec<(usize, &Row<'_>)> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.vat.category() == category)
        .collect();
    // -01
    let too_many = f.rows == RowCount::ExactlyOne && own_rows.len() > 1;
    if too_many || own_rows.is_empty() {
        let rates: Vec<String> = own_rows
            .iter()
            .map(|(_, r)| r.vat.rate().to_string())
            .collect();
        out.push(Violation::fatal(
            f.ids[0],
            "vat_breakdown",
            format!(
                "the vat breakdown has {} rows of category {code} (rates {}), {} allowed",
                own_rows.len(),
                rates.join(", "),
                if too_many {
                    "exactly one"
                } else {
                    "at least one"
                }
            ),
        ));
    }
    for (k, source) in Source::ALL.into_iter().enumerate() {
        let own: Vec<&Use> = uses
            .iter()
            .filter(|u| u.source == source && u.vat.category() == category)
            .collect();
        // -02 to -04
        if let Some(first) = own.first() {
            check_ids(invoice, f, f.ids[1 + k], source, first, out);
        }
        // -05 to -07
        for u in own {
            let rate = u.vat.rate();
            let (ok, allowed) = match f.rate {
                Rate::Positive => (rate > Decimal::ZERO, "above 0"),
                Rate::Zero => (rate.is_zero(), "0"),
                Rate::NonNegative => (rate >= Decimal::ZERO, "0 or more"),
            };
            if !ok {
                out.push(Violation::fatal(
                    f.ids[4 + k],
                    format!("{}.rate", u.path()),
                    format!(
                        "the vat rate of a {} {} must be {allowed}, found {rate}",
                        f.name,
                        source.name()
                    ),
                ));
            }
        }
    }
    for (i, row) in own_rows {
        if let (Some(t), Some(amounts)) = (totals, row.amounts) {
            check_row_amounts(invoice, t, i, row.vat, amounts, f, out);
        }
        // -10
        let has_reason = row.exemption.is_some_and(|e| !e.is_empty());
        if f.exemption_required && !has_reason {
            out.push(Violation::fatal(
                f.ids[9],
                format!("vat_breakdown[{i}].exemption"),
                format!(
                    "the {} breakdown row ({code}) needs an exemption reason or code, given on \
                     one of its lines",
                    f.name
                ),
            ));
        } else if !f.exemption_required && has_reason {
            out.push(Violation::fatal(
                f.ids[9],
                format!("vat_breakdown[{i}].exemption"),
                format!(
                    "the {} breakdown row ({code} {} %) must not have an exemption reason",
                    f.name,
                    row.vat.rate()
                ),
            ));
        }
    }
}

/// The -02 to -04 rule `rule` for the first `source` of the category, `first`.
fn check_ids(
    invoice: &Invoice,
    f: &Family,
    rule: &'static str,
    source: Source,
    first: &Use,
    out: &mut Vec<Violation>,
) {
    let seller = is_present(invoice.seller().vat_id());
    let representative = invoice
        .tax_representative()
        .is_some_and(|r| is_present(Some(r.vat_id())));
    // The seller is identified for VAT by its VAT identifier (BT-31), its tax
    // registration identifier (BT-32) or its tax representative's VAT identifier (BT-63).
    let seller_identified =
        seller || representative || is_present(invoice.seller().tax_registration_id());
    let buyer = is_present(invoice.buyer().vat_id());
    let buyer_legal = is_present(invoice.buyer().legal_id());
    let what = format!("a {} {} ({})", f.name, source.name(), first.path());
    let needs_seller = f.vat_ids != Ids::None;
    if needs_seller && !seller_identified {
        out.push(Violation::fatal(
            rule,
            "seller.vat_id",
            format!(
                "{what} requires the seller vat identifier, its tax registration identifier \
                 or its tax representative's vat identifier"
            ),
        ));
    }
    let buyer_missing = match f.vat_ids {
        Ids::SellerAndBuyerOrLegal if !buyer && !buyer_legal => {
            Some("buyer vat identifier or legal registration identifier")
        }
        Ids::SellerAndBuyer if !buyer => Some("buyer vat identifier"),
        _ => None,
    };
    if let Some(whose) = buyer_missing {
        out.push(Violation::fatal(
            rule,
            "buyer.vat_id",
            format!("{what} requires the {whose}"),
        ));
    }
    if f.vat_ids == Ids::None {
        for (present, path, whose) in [
            (seller, "seller.vat_id", "seller"),
            (
                representative,
                "tax_representative.vat_id",
                "tax representative",
            ),
            (buyer, "buyer.vat_id", "buyer"),
        ] {
            if present {
                out.push(Violation::fatal(
                    rule,
                    path,
                    format!("{what} forbids a {whose} vat identifier"),
                ));
            }
        }
    }
}

/// The -08 and -09 rules on breakdown row `i` of VAT `vat`, with its taxable amount and tax.
fn check_row_amounts(
    invoice: &Invoice,
    t: &Totals,
    i: usize,
    vat: Vat,
    (taxable, tax): (Decimal, Decimal),
    f: &Family,
    out: &mut Vec<Violation>,
) {
    // -08: with gross prices the allowance and charge amounts are derived inside Totals.
    if invoice.rounding_policy().price_basis() == PriceBasis::Net {
        let expected = expected_taxable(invoice, t, vat);
        let ok = expected
            .and_then(|e| taxable.checked_sub(e))
            .is_some_and(|d| {
                if f.taxed {
                    d.abs() < Decimal::ONE
                } else {
                    d.is_zero()
                }
            });
        if !ok {
            out.push(Violation::fatal(
                f.ids[7],
                format!("vat_breakdown[{i}].taxable_amount"),
                format!(
                    "the taxable amount {taxable} is not the sum of its line nets, charges and \
                     allowances ({})",
                    expected.map_or_else(|| "overflow".to_owned(), |e| e.to_string())
                ),
            ));
        }
    }
    // -09
    let expected = if f.taxed {
        taxable
            .checked_mul(vat.rate())
            .and_then(|p| p.checked_div(Decimal::ONE_HUNDRED))
            .map(|e| RoundingMode::HalfAwayFromZero.round(e, 2))
    } else {
        Some(Decimal::ZERO)
    };
    let ok = expected.and_then(|e| tax.checked_sub(e)).is_some_and(|d| {
        if f.taxed {
            d.abs() < Decimal::ONE
        } else {
            d.is_zero()
        }
    });
    if !ok {
        out.push(Violation::fatal(
            f.ids[8],
            format!("vat_breakdown[{i}].tax_amount"),
            format!(
                "the vat {tax} of the {} row is not {}",
                f.name,
                expected.map_or_else(|| "computable".to_owned(), |e| e.to_string())
            ),
        ));
    }
}

/// Σ line nets + Σ charges − Σ allowances of the group `vat`.
fn expected_taxable(invoice: &Invoice, t: &Totals, vat: Vat) -> Option<Decimal> {
    let mut sum = super::group_line_nets(invoice, t, vat)?;
    for ac in invoice
        .allowances_charges()
        .iter()
        .filter(|ac| ac.vat() == Some(vat))
    {
        let amount = document_amount(invoice, t, ac)?;
        sum = if ac.is_charge() {
            sum.checked_add(amount)?
        } else {
            sum.checked_sub(amount)?
        };
    }
    Some(sum)
}

/// BR-O-11 to BR-O-14: an invoice with an O row has only O.
fn check_outside_scope(uses: &[Use], rows: &[Row<'_>], out: &mut Vec<Violation>) {
    let is_o = |vat: Vat| vat.category() == VatCategory::OutsideScope;
    if !rows.iter().any(|r| is_o(r.vat)) {
        return;
    }
    let others: Vec<&str> = rows
        .iter()
        .filter(|r| !is_o(r.vat))
        .map(|r| r.vat.category().code())
        .collect();
    if !others.is_empty() {
        out.push(Violation::fatal(
            "BR-O-11",
            "vat_breakdown",
            format!(
                "an invoice not subject to vat must have no other breakdown rows, found {}",
                others.join(", ")
            ),
        ));
    }
    for (rule, source) in [
        ("BR-O-12", Source::Line),
        ("BR-O-13", Source::Allowance),
        ("BR-O-14", Source::Charge),
    ] {
        let mut other = uses.iter().filter(|u| u.source == source && !is_o(u.vat));
        if let Some(first) = other.next() {
            out.push(Violation::fatal(
                rule,
                first.path(),
                format!(
                    "an invoice not subject to vat must have no {} of another category, found {}",
                    source.name(),
                    1 + other.count()
                ),
            ));
        }
    }
}

/// BR-B-01 and BR-B-02: split payment (B) is Italian only and excludes standard rate.
fn check_split_payment(invoice: &Invoice, uses: &[Use], out: &mut Vec<Violation>) {
    if !uses
        .iter()
        .any(|u| u.vat.category() == VatCategory::Transferred)
    {
        return;
    }
    for (party, who) in [(invoice.seller(), "seller"), (invoice.buyer(), "buyer")] {
        let country = party.country();
        if country.as_str() != "IT" {
            out.push(Violation::fatal(
                "BR-B-01",
                format!("{who}.address.country"),
                format!(
                    "split payment is for domestic italian invoices, the {who} is in {country}"
                ),
            ));
        }
    }
    if let Some(standard) = uses
        .iter()
        .find(|u| u.vat.category() == VatCategory::Standard)
    {
        out.push(Violation::fatal(
            "BR-B-02",
            standard.path(),
            "an invoice with split payment must have no standard rated line, allowance or charge",
        ));
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;
    use crate::validation::tests::{buyer, draft, line, rules_of, seller, valid};
    use crate::{Address, AllowanceCharge, CountryCode, Party};

    fn rules(invoice: &Invoice) -> Vec<&'static str> {
        rules_of(check, invoice)
    }

    fn vat19() -> Vat {
        Vat::standard(dec!(19))
    }

    fn exempt_line(id: &str, vat: Vat, reason: &str) -> crate::LineItem {
        line(id, vat).with_exemption(VatExemption::reason(reason))
    }

    fn italian(name: &str) -> Party {
        Party::new(name, Address::new(CountryCode::new("IT").unwrap())).with_vat_id("IT1")
    }

    #[test]
    fn valid_standard_rated_invoice_passes() {
        assert_eq!(rules(&valid().build().unwrap()), Vec::<&str>::new());
    }

    #[test]
    fn standard_line_without_seller_vat_id_breaks_br_s_02() {
        // A legal registration id (BT-30) is not a VAT or tax registration id.
        let seller = Party::new("Muster GmbH", seller().address().clone()).with_legal_id("HRB 1");
        let invoice = draft(seller, buyer())
            .line(line("1", vat19()))
            .allowance_charge(
                AllowanceCharge::charge(dec!(1.00))
                    .with_vat(vat19())
                    .with_reason("Freight"),
            )
            .build()
            .unwrap();
        assert_eq!(rules(&invoice), ["BR-S-02", "BR-S-04"]);
    }

    /// BR-S-02 as the official schematron states it: the seller's VAT identifier
    /// (BT-31), its tax registration identifier (BT-32) or its tax representative's VAT
    /// identifier (BT-63) will do.
    #[test]
    fn a_tax_registration_or_a_tax_representative_satisfies_br_s_02() {
        let unidentified = Party::new("Muster GmbH", seller().address().clone());
        let registered = unidentified
            .clone()
            .with_tax_registration_id("201/113/40209");
        let invoice = draft(registered, buyer())
            .line(line("1", vat19()))
            .build()
            .unwrap();
        assert_eq!(rules(&invoice), Vec::<&str>::new());
        let representative = crate::TaxRepresentative::new(
            "Rep BV",
            "NL123456789B01",
            Address::new(CountryCode::new("NL").unwrap()),
        )
        .unwrap();
        let invoice = draft(unidentified.clone(), buyer())
            .tax_representative(representative.clone())
            .line(line("1", vat19()))
            .build()
            .unwrap();
        assert_eq!(rules(&invoice), Vec::<&str>::new());
        let without = draft(unidentified, buyer())
            .line(line("1", vat19()))
            .build()
            .unwrap();
        assert_eq!(rules(&without), ["BR-S-02"]);
    }

    #[test]
    fn standard_rate_of_zero_breaks_br_s_05_to_07() {
        let zero = Vat::standard(dec!(0));
        let invoice = valid()
            .line(line("2", zero))
            .allowance_charge(
                AllowanceCharge::allowance(dec!(1.00))
                    .with_vat(zero)
                    .with_reason("x"),
            )
            .allowance_charge(
                AllowanceCharge::charge(dec!(1.00))
                    .with_vat(zero)
                    .with_reason("y"),
            )
            .build()
            .unwrap();
        let mut out = Vec::new();
        check(&invoice, &mut out);
        let found: Vec<_> = out.iter().map(|v| (v.rule(), v.path())).collect();
        assert_eq!(
            found,
            [
                ("BR-S-05", "lines[1].vat.rate"),
                ("BR-S-06", "allowances_charges[0].vat.rate"),
                ("BR-S-07", "allowances_charges[1].vat.rate"),
            ]
        );
    }

    #[test]
    fn standard_line_with_exemption_breaks_br_s_10() {
        let invoice = draft(seller(), buyer())
            .line(exempt_line("1", vat19(), "Exempt"))
            .build()
            .unwrap();
        assert_eq!(rules(&invoice), ["BR-S-10"]);
    }

    #[test]
    fn zero_rated_at_two_rates_breaks_br_z_01_br_z_05_and_br_z_09() {
        let invoice = valid()
            .line(line("2", Vat::zero_rated()))
            .line(line("3", Vat::new(VatCategory::ZeroRated, dec!(5))))
            .build()
            .unwrap();
        // The totals tax the 5 % row, which zero rating forbids (BR-Z-09).
        assert_eq!(rules(&invoice), ["BR-Z-01", "BR-Z-05", "BR-Z-09"]);
    }

    #[test]
    fn zero_rated_line_with_exemption_breaks_br_z_10() {
        let invoice = valid()
            .line(exempt_line("2", Vat::zero_rated(), "Zero rated"))
            .build()
            .unwrap();
        assert_eq!(rules(&invoice), ["BR-Z-10"]);
    }

    #[test]
    fn exempt_line_without_reason_breaks_br_e_10() {
        let without = valid().line(line("2", Vat::exempt())).build().unwrap();
        let mut out = Vec::new();
        check(&without, &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].rule(), "BR-E-10");
        assert_eq!(out[0].path(), "vat_breakdown[1].exemption");
        // A blank reason is no reason.
        let blank = valid()
            .line(exempt_line("2", Vat::exempt(), " "))
            .build()
            .unwrap();
        assert_eq!(rules(&blank), ["BR-E-10"]);
        let with = valid()
            .line(line("2", Vat::exempt()))
            .line(line("3", Vat::exempt()).with_exemption(VatExemption::code("VATEX-EU-132")))
            .build()
            .unwrap();
        assert_eq!(rules(&with), Vec::<&str>::new());
    }

    #[test]
    fn exempt_rules_hold_when_totals_cannot_be_computed() {
        // A charge without VAT stops the totals; the rows are rebuilt from the lines.
        let invoice = valid()
            .line(line("2", Vat::new(VatCategory::Exempt, dec!(7))))
            .allowance_charge(AllowanceCharge::charge(dec!(1.00)).with_reason("Freight"))
            .build()
            .unwrap();
        assert!(invoice.totals().is_err());
        assert_eq!(rules(&invoice), ["BR-E-05", "BR-E-10"]);
    }

    #[test]
    fn reverse_charge_needs_buyer_vat_or_legal_id_br_ae_02() {
        let reverse = |buyer: Party| {
            draft(seller(), buyer)
                .line(exempt_line("1", Vat::reverse_charge(), "Reverse charge"))
                .build()
                .unwrap()
        };
        assert_eq!(rules(&reverse(buyer())), ["BR-AE-02"]);
        assert_eq!(
            rules(&reverse(buyer().with_legal_id("HRB 2"))),
            Vec::<&str>::new()
        );
        assert_eq!(
            rules(&reverse(buyer().with_vat_id("DE999999999"))),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn reverse_charge_without_reason_breaks_br_ae_10() {
        let invoice = draft(seller(), buyer().with_vat_id("DE999999999"))
            .line(line("1", Vat::reverse_charge()))
            .build()
            .unwrap();
        assert_eq!(rules(&invoice), ["BR-AE-10"]);
    }

    #[test]
    fn intra_community_needs_buyer_vat_id_br_ic_02() {
        let invoice = draft(seller(), buyer().with_legal_id("HRB 2"))
            .line(exempt_line("1", Vat::intra_community(), "VATEX-EU-IC"))
            .build()
            .unwrap();
        let mut out = Vec::new();
        check(&invoice, &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!((out[0].rule(), out[0].path()), ("BR-IC-02", "buyer.vat_id"));
    }

    #[test]
    fn export_without_reason_breaks_br_g_10() {
        let invoice = draft(seller(), buyer())
            .line(line("1", Vat::export()))
            .build()
            .unwrap();
        assert_eq!(rules(&invoice), ["BR-G-10"]);
    }

    #[test]
    fn outside_scope_invoice_without_vat_ids_passes() {
        let seller = Party::new("Verein e.V.", seller().address().clone()).with_legal_id("VR 1");
        let invoice = draft(seller, buyer())
            .line(exempt_line("1", Vat::outside_scope(), "Not subject to VAT"))
            .build()
            .unwrap();
        assert_eq!(rules(&invoice), Vec::<&str>::new());
    }

    #[test]
    fn outside_scope_with_vat_ids_breaks_br_o_02() {
        let invoice = draft(seller(), buyer().with_vat_id("DE999999999"))
            .line(exempt_line("1", Vat::outside_scope(), "Not subject to VAT"))
            .build()
            .unwrap();
        let mut out = Vec::new();
        check(&invoice, &mut out);
        let found: Vec<_> = out.iter().map(|v| (v.rule(), v.path())).collect();
        assert_eq!(
            found,
            [("BR-O-02", "seller.vat_id"), ("BR-O-02", "buyer.vat_id")]
        );
    }

    #[test]
    fn outside_scope_beside_other_categories_breaks_br_o_11_to_br_o_14() {
        let seller = Party::new("Verein e.V.", seller().address().clone());
        let invoice = draft(seller, buyer())
            .line(exempt_line("1", Vat::outside_scope(), "Not subject to VAT"))
            .line(exempt_line("2", Vat::exempt(), "Exempt"))
            .allowance_charge(
                AllowanceCharge::allowance(dec!(1.00))
                    .with_vat(Vat::exempt())
                    .with_reason("x"),
            )
            .allowance_charge(
                AllowanceCharge::charge(dec!(1.00))
                    .with_vat(Vat::outside_scope())
                    .with_reason("y"),
            )
            .build()
            .unwrap();
        // BR-E-02, BR-E-03: the exempt line and allowance also want a seller VAT id.
        assert_eq!(
            rules(&invoice),
            ["BR-E-02", "BR-E-03", "BR-O-11", "BR-O-12", "BR-O-13"]
        );
    }

    #[test]
    fn canary_islands_negative_rate_breaks_br_af_05() {
        let igic = |rate| Vat::new(VatCategory::CanaryIslands, rate);
        let ok = valid().line(line("2", igic(dec!(7)))).build().unwrap();
        assert_eq!(rules(&ok), Vec::<&str>::new());
        let negative = valid().line(line("2", igic(dec!(-7)))).build().unwrap();
        assert_eq!(rules(&negative), ["BR-AF-05"]);
        let ipsi = valid()
            .line(exempt_line(
                "2",
                Vat::new(VatCategory::CeutaMelilla, dec!(4)),
                "x",
            ))
            .build()
            .unwrap();
        assert_eq!(rules(&ipsi), ["BR-AG-10"]);
    }

    #[test]
    fn split_payment_outside_italy_or_beside_standard_breaks_br_b_01_and_br_b_02() {
        let split = Vat::new(VatCategory::Transferred, dec!(22));
        let domestic = draft(italian("Venditore"), italian("Comune"))
            .line(line("1", split))
            .build()
            .unwrap();
        assert_eq!(rules(&domestic), Vec::<&str>::new());
        let abroad = draft(italian("Venditore"), buyer())
            .line(line("1", split))
            .line(line("2", vat19()))
            .build()
            .unwrap();
        let mut out = Vec::new();
        check(&abroad, &mut out);
        let found: Vec<_> = out.iter().map(|v| (v.rule(), v.path())).collect();
        assert_eq!(
            found,
            [
                ("BR-B-01", "buyer.address.country"),
                ("BR-B-02", "lines[1].vat")
            ]
        );
    }

    #[test]
    fn wrong_breakdown_amounts_break_the_08_and_09_rules() {
        let invoice = valid().line(line("2", Vat::zero_rated())).build().unwrap();
        let mut json = serde_json::to_value(invoice.totals().unwrap()).unwrap();
        json["vat_breakdown"][0]["taxable_amount"] = "101.00".into();
        json["vat_breakdown"][0]["tax_amount"] = "21.00".into();
        json["vat_breakdown"][1]["tax_amount"] = "0.01".into();
        let totals: Totals = serde_json::from_value(json).unwrap();
        let mut out = Vec::new();
        for (i, b) in totals.vat_breakdown().iter().enumerate() {
            let f = family(b.category()).unwrap();
            let vat = Vat::new(b.category(), b.rate());
            let amounts = (b.taxable_amount(), b.tax_amount());
            check_row_amounts(&invoice, &totals, i, vat, amounts, &f, &mut out);
        }
        let found: Vec<_> = out.iter().map(|v| (v.rule(), v.path())).collect();
        assert_eq!(
            found,
            [
                ("BR-S-08", "vat_breakdown[0].taxable_amount"),
                ("BR-S-09", "vat_breakdown[0].tax_amount"),
                ("BR-Z-09", "vat_breakdown[1].tax_amount"),
            ]
        );
    }
}
