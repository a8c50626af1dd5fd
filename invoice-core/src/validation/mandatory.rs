//! Rule family: mandatory content (BR-01…BR-65) and the presence rules BR-CO-25, BR-CO-26.
//!
//! Checked: BR-02 and BR-03 (number and issue date, once the invoice is no longer a draft:
//! a draft receives both at issue), BR-06, BR-07, BR-16, BR-21, BR-24 (a line whose net
//! amount cannot be computed), BR-25, BR-27, BR-28, BR-32, BR-33, BR-37, BR-38, BR-42,
//! BR-44, BR-CO-25 and BR-CO-26.
//!
//! Not checked, because the model cannot break them: BR-01, BR-04 and BR-05 (specification
//! id, type code and currency are always set); BR-08 to BR-11 (every [`Party`] has an
//! [`Address`], and every address a validated [`CountryCode`]); BR-22, BR-23 and BR-26
//! (quantity, unit and net price are required fields of a line); BR-31, BR-36, BR-41 and
//! BR-43 (every allowance or charge has an amount, fixed or as a percentage); BR-55 (an
//! [`InvoiceReference`] always holds a non-blank [`InvoiceNumber`]); BR-CO-04 (every line
//! has a VAT category). BR-CO-21 to BR-CO-24 state the same condition as BR-33, BR-38,
//! BR-42 and BR-44 and are reported under those ids only. The rules on parts the model
//! does not have (payee, tax representative, periods, payment means, item attributes and
//! identifiers, electronic addresses) do not apply.
//!
//! A text that is present but blank counts as absent.
//!
//! [`Party`]: crate::Party
//! [`Address`]: crate::Address
//! [`CountryCode`]: crate::CountryCode
//! [`InvoiceReference`]: crate::InvoiceReference
//! [`InvoiceNumber`]: crate::InvoiceNumber

use rust_decimal::Decimal;

use crate::allowance_charge::AllowanceCharge;
use crate::invoice::Invoice;
use crate::party::Party;
use crate::validation::{is_present, Violation};

/// Appends the violations of this family to `out`.
pub(super) fn check(invoice: &Invoice, out: &mut Vec<Violation>) {
    if !invoice.status().is_draft() {
        if invoice.number().is_none() {
            out.push(Violation::fatal(
                "BR-02",
                "number",
                "an issued invoice must have an invoice number",
            ));
        }
        if invoice.issue_date().is_none() {
            out.push(Violation::fatal(
                "BR-03",
                "issue_date",
                "an issued invoice must have an issue date",
            ));
        }
    }
    check_party(invoice.seller(), "seller", "BR-06", out);
    check_party(invoice.buyer(), "buyer", "BR-07", out);
    check_lines(invoice, out);
    check_document_allowances_charges(invoice.allowances_charges(), out);
    check_payment_terms(invoice, out);
    check_payment_means(invoice, out);
    let seller = invoice.seller();
    // BR-CO-26: any of the seller identifier (BT-29), legal registration id (BT-30) or
    // VAT id (BT-31) identifies the seller.
    if !is_present(seller.identifier())
        && !is_present(seller.vat_id())
        && !is_present(seller.legal_id())
    {
        out.push(Violation::fatal(
            "BR-CO-26",
            "seller.vat_id",
            "the seller needs an identifier, a legal registration identifier or a vat identifier",
        ));
    }
}

/// BR-06 / BR-07: the party's name.
fn check_party(party: &Party, path: &str, rule: &'static str, out: &mut Vec<Violation>) {
    if !is_present(Some(party.name())) {
        out.push(Violation::fatal(
            rule,
            format!("{path}.name"),
            format!("the {path} name is blank"),
        ));
    }
}

fn check_lines(invoice: &Invoice, out: &mut Vec<Violation>) {
    if invoice.lines().is_empty() {
        out.push(Violation::fatal(
            "BR-16",
            "lines",
            "an invoice must have at least one line",
        ));
    }
    let dp = invoice.currency().minor_units();
    for (i, line) in invoice.lines().iter().enumerate() {
        // The builder rejects blank ids, but a deserialized invoice has not been through it.
        if !is_present(Some(line.id())) {
            out.push(Violation::fatal(
                "BR-21",
                format!("lines[{i}].id"),
                "the line id is blank",
            ));
        }
        if let Err(e) = line.net_amount(dp) {
            out.push(Violation::fatal(
                "BR-24",
                format!("lines[{i}].net_amount"),
                format!("the line net amount cannot be computed: {e}"),
            ));
        }
        if !is_present(Some(line.name())) {
            out.push(Violation::fatal(
                "BR-25",
                format!("lines[{i}].name"),
                "the item name is blank",
            ));
        }
        if line.price() < Decimal::ZERO {
            out.push(Violation::fatal(
                "BR-27",
                format!("lines[{i}].price"),
                format!("the item net price {} is negative", line.price()),
            ));
        }
        if let Some(gross) = line.gross_price().filter(|g| *g < Decimal::ZERO) {
            out.push(Violation::fatal(
                "BR-28",
                format!("lines[{i}].gross_price"),
                format!("the item gross price {gross} is negative"),
            ));
        }
        for (j, ac) in line.allowances_charges().iter().enumerate() {
            if !has_reason(ac) {
                let (rule, what) = if ac.is_charge() {
                    ("BR-44", "line charge")
                } else {
                    ("BR-42", "line allowance")
                };
                out.push(Violation::fatal(
                    rule,
                    format!("lines[{i}].allowances_charges[{j}].reason"),
                    format!("the {what} has neither a reason nor a reason code"),
                ));
            }
        }
    }
}

fn check_document_allowances_charges(acs: &[AllowanceCharge], out: &mut Vec<Violation>) {
    for (i, ac) in acs.iter().enumerate() {
        let (vat_rule, reason_rule, what) = if ac.is_charge() {
            ("BR-37", "BR-38", "document charge")
        } else {
            ("BR-32", "BR-33", "document allowance")
        };
        if ac.vat().is_none() {
            out.push(Violation::fatal(
                vat_rule,
                format!("allowances_charges[{i}].vat"),
                format!("the {what} has no vat category"),
            ));
        }
        if !has_reason(ac) {
            out.push(Violation::fatal(
                reason_rule,
                format!("allowances_charges[{i}].reason"),
                format!("the {what} has neither a reason nor a reason code"),
            ));
        }
    }
}

fn has_reason(ac: &AllowanceCharge) -> bool {
    is_present(ac.reason()) || is_present(ac.reason_code())
}

/// BR-CO-25: a positive amount due needs a due date or payment terms. When the totals
/// cannot be computed the amount is unknown; the calculation family reports why.
///
/// For a credit note it is a warning: the UBL binding applies the rule to invoices only
/// (an official UBL credit-note example has neither), while CII applies it to every
/// document.
fn check_payment_terms(invoice: &Invoice, out: &mut Vec<Violation>) {
    let Ok(totals) = invoice.totals() else {
        return;
    };
    if totals.payable_amount() > Decimal::ZERO
        && invoice.due_date().is_none()
        && !is_present(invoice.payment_terms())
    {
        let message = format!(
            "the amount due {} is positive, so a due date or payment terms are required",
            totals.payable_amount()
        );
        out.push(if invoice.kind().is_credit_note() {
            Violation::warning("BR-CO-25", "due_date", message)
        } else {
            Violation::fatal("BR-CO-25", "due_date", message)
        });
    }
}

/// The payment means codes of a credit transfer (UNTDID 4461): SEPA credit transfer
/// and credit transfer.
const CREDIT_TRANSFER_CODES: [&str; 2] = ["30", "58"];

/// BR-61: a credit transfer needs the account to pay to (BT-84). BR-50: so does any
/// credit transfer information given (the account's name BT-85 or its provider BT-86).
fn check_payment_means(invoice: &Invoice, out: &mut Vec<Violation>) {
    for (i, means) in invoice.payment_means().iter().enumerate() {
        if is_present(means.account_id()) {
            continue;
        }
        let path = format!("payment_means[{i}].account_id");
        if CREDIT_TRANSFER_CODES.contains(&means.code().trim()) {
            out.push(Violation::fatal(
                "BR-61",
                path,
                format!(
                    "payment means {} is a credit transfer, so it needs the account to pay to",
                    means.code()
                ),
            ));
        } else if is_present(means.account_name()) || is_present(means.provider_id()) {
            out.push(Violation::fatal(
                "BR-50",
                path,
                "credit transfer information is given, so the account to pay to is required",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;
    use crate::validation::tests::{buyer, draft, line, rules_of, seller, valid};
    use crate::{AllowanceChargeAmount, AllowanceChargeKind, LineItem, UnitCode, Vat};

    fn rules(invoice: &Invoice) -> Vec<&'static str> {
        rules_of(check, invoice)
    }

    /// `invoice` after `edit` on its JSON form: for states the builder refuses to create.
    fn edited(invoice: &Invoice, edit: impl FnOnce(&mut serde_json::Value)) -> Invoice {
        let mut json = serde_json::to_value(invoice).unwrap();
        edit(&mut json);
        serde_json::from_value(json).unwrap()
    }

    fn vat19() -> Vat {
        Vat::standard(dec!(19))
    }

    #[test]
    fn valid_invoice_passes() {
        assert_eq!(rules(&valid().build().unwrap()), Vec::<&str>::new());
    }

    #[test]
    fn issued_invoice_without_number_or_issue_date_breaks_br_02_and_br_03() {
        let invoice = edited(&valid().build().unwrap(), |json| {
            json.as_object_mut().unwrap().remove("number");
            json.as_object_mut().unwrap().remove("issue_date");
        });
        assert_eq!(rules(&invoice), ["BR-02", "BR-03"]);
    }

    #[test]
    fn draft_needs_no_number_or_issue_date() {
        let invoice = draft(seller(), buyer())
            .line(line("1", vat19()))
            .build()
            .unwrap();
        assert_eq!(rules(&invoice), Vec::<&str>::new());
    }

    #[test]
    fn blank_seller_and_buyer_names_break_br_06_and_br_07() {
        let seller = crate::Party::new("", seller().address().clone()).with_vat_id("DE1");
        let buyer = crate::Party::new("  ", buyer().address().clone());
        let invoice = draft(seller, buyer)
            .line(line("1", vat19()))
            .build()
            .unwrap();
        assert_eq!(rules(&invoice), ["BR-06", "BR-07"]);
    }

    #[test]
    fn invoice_without_lines_breaks_br_16() {
        let invoice = draft(seller(), buyer()).build().unwrap();
        assert_eq!(rules(&invoice), ["BR-16"]);
    }

    #[test]
    fn blank_line_id_breaks_br_21() {
        let invoice = edited(&valid().build().unwrap(), |json| {
            json["lines"][0]["id"] = " ".into();
        });
        assert_eq!(rules(&invoice), ["BR-21"]);
    }

    #[test]
    fn line_without_computable_net_breaks_br_24() {
        // Zero base quantity: the builder rejects it, deserialization does not.
        let invoice = edited(&valid().build().unwrap(), |json| {
            json["lines"][0]["base_quantity"] = "0".into();
        });
        let mut out = Vec::new();
        check(&invoice, &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].rule(), "BR-24");
        assert_eq!(out[0].path(), "lines[0].net_amount");
    }

    #[test]
    fn blank_item_name_breaks_br_25() {
        let invoice = valid()
            .line(LineItem::new(
                "2",
                "\t",
                dec!(1),
                UnitCode::piece(),
                dec!(1),
                vat19(),
            ))
            .build()
            .unwrap();
        let mut out = Vec::new();
        check(&invoice, &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].rule(), "BR-25");
        assert_eq!(out[0].path(), "lines[1].name");
    }

    #[test]
    fn negative_net_and_gross_prices_break_br_27_and_br_28() {
        let invoice = valid()
            .line(
                LineItem::new("2", "Refund", dec!(1), UnitCode::piece(), dec!(-1), vat19())
                    .with_gross_price(dec!(-2)),
            )
            .build()
            .unwrap();
        assert_eq!(rules(&invoice), ["BR-27", "BR-28"]);
    }

    #[test]
    fn negative_quantity_with_positive_price_is_allowed() {
        let invoice = valid()
            .line(LineItem::new(
                "2",
                "Return",
                dec!(-1),
                UnitCode::piece(),
                dec!(1),
                vat19(),
            ))
            .build()
            .unwrap();
        assert_eq!(rules(&invoice), Vec::<&str>::new());
    }

    #[test]
    fn document_allowance_without_vat_or_reason_breaks_br_32_and_br_33() {
        let invoice = valid()
            .allowance_charge(AllowanceCharge::allowance(dec!(1.00)).with_reason(" "))
            .build()
            .unwrap();
        assert_eq!(rules(&invoice), ["BR-32", "BR-33"]);
    }

    #[test]
    fn document_charge_without_vat_or_reason_breaks_br_37_and_br_38() {
        let invoice = valid()
            .allowance_charge(AllowanceCharge::charge(dec!(1.00)))
            .build()
            .unwrap();
        assert_eq!(rules(&invoice), ["BR-37", "BR-38"]);
    }

    #[test]
    fn reason_code_alone_satisfies_br_33() {
        let invoice = valid()
            .allowance_charge(
                AllowanceCharge::allowance(dec!(1.00))
                    .with_vat(vat19())
                    .with_reason_code("95"),
            )
            .build()
            .unwrap();
        assert_eq!(rules(&invoice), Vec::<&str>::new());
    }

    #[test]
    fn line_allowance_and_charge_without_reason_break_br_42_and_br_44() {
        let invoice = valid()
            .line(
                line("2", vat19())
                    .with_allowance_charge(AllowanceCharge::allowance(dec!(1.00)))
                    .with_allowance_charge(AllowanceCharge::new(
                        AllowanceChargeKind::Charge,
                        AllowanceChargeAmount::Percentage {
                            percent: dec!(10),
                            base: None,
                        },
                    )),
            )
            .build()
            .unwrap();
        let mut out = Vec::new();
        check(&invoice, &mut out);
        let found: Vec<_> = out.iter().map(|v| (v.rule(), v.path())).collect();
        assert_eq!(
            found,
            [
                ("BR-42", "lines[1].allowances_charges[0].reason"),
                ("BR-44", "lines[1].allowances_charges[1].reason"),
            ]
        );
    }

    #[test]
    fn amount_due_without_due_date_or_terms_breaks_br_co_25() {
        let no_due_date = |b: crate::InvoiceBuilder| {
            let invoice = b.build().unwrap();
            edited(&invoice, |json| {
                json.as_object_mut().unwrap().remove("due_date");
            })
        };
        let mut out = Vec::new();
        check(&no_due_date(valid()), &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(
            (out[0].rule(), out[0].severity()),
            ("BR-CO-25", crate::Severity::Fatal)
        );
        assert_eq!(
            rules(&no_due_date(valid().payment_terms("30 days net"))),
            Vec::<&str>::new()
        );
        // Nothing due (fully prepaid): no terms needed.
        assert_eq!(
            rules(&no_due_date(valid().prepaid_amount(dec!(119.00)))),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn credit_note_without_due_date_or_terms_gets_a_br_co_25_warning() {
        let credit_note = edited(&valid().credit_note(None).build().unwrap(), |json| {
            json.as_object_mut().unwrap().remove("due_date");
        });
        let mut out = Vec::new();
        check(&credit_note, &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].rule(), "BR-CO-25");
        assert_eq!(out[0].severity(), crate::Severity::Warning);
    }

    #[test]
    fn seller_without_vat_or_legal_id_breaks_br_co_26() {
        let anonymous = crate::Party::new("Muster GmbH", seller().address().clone());
        let invoice = draft(anonymous.clone(), buyer())
            .line(line("1", vat19()))
            .build()
            .unwrap();
        assert_eq!(rules(&invoice), ["BR-CO-26"]);
        let registered = draft(anonymous.clone().with_legal_id("HRB 12345"), buyer())
            .line(line("1", vat19()))
            .build()
            .unwrap();
        assert_eq!(rules(&registered), Vec::<&str>::new());
        // The seller identifier (BT-29) alone is enough too (official example 7 relies on it).
        let identified = draft(anonymous.with_identifier("5532331183"), buyer())
            .line(line("1", vat19()))
            .build()
            .unwrap();
        assert_eq!(rules(&identified), Vec::<&str>::new());
    }

    #[test]
    fn a_credit_transfer_needs_the_account_to_pay_to() {
        let with = |means: crate::PaymentMeans| {
            draft(seller(), buyer())
                .line(line("1", vat19()))
                .payment_means(means)
                .build()
                .unwrap()
        };
        let sepa = crate::PaymentMeans::new("58");
        assert_eq!(rules(&with(sepa.clone())), ["BR-61"]);
        assert_eq!(
            rules(&with(sepa.with_account_id("DE89370400440532013000"))),
            Vec::<&str>::new()
        );
        // Account details without the account itself (BR-50), on any other means.
        let cash = crate::PaymentMeans::new("10");
        assert_eq!(rules(&with(cash.clone())), Vec::<&str>::new());
        assert_eq!(
            rules(&with(cash.with_account_name("Muster GmbH"))),
            ["BR-50"]
        );
    }
}
