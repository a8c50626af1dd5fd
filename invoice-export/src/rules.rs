//! The rules of the EN 16931 syntax bindings that concern how a document states its
//! terms, checked on the document itself: UBL's cardinality rules (UBL-SR-*) and CII's
//! (CII-SR-*), the VAT tax scheme a category must carry, and the terms whose absence
//! the readers tolerate (a missing UBL type code, a party named only by its trading
//! name, an empty period).
//!
//! The readers take what the model needs and are lenient where the model has a
//! default; [`check_syntax_rules`] says where the document itself breaks a rule.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::xml::{input_text, Doc, El, ReadLimits};
use crate::{Error, Result};

/// A syntax-binding or business rule broken by how a document states its terms.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RuleViolation {
    /// The rule's id as the official schematron gives it (`UBL-SR-48`, `CII-SR-467`,
    /// `BR-CO-04`, ...).
    pub rule: &'static str,
    /// The path of the element concerned.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for RuleViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Checks the syntax-binding rules of `input`, a UBL 2.1 `Invoice` or `CreditNote` or a
/// CII `CrossIndustryInvoice`, and returns every rule broken, in document order.
///
/// # Errors
///
/// [`Error::Malformed`] and the limit errors when `input` is not well-formed XML within
/// `limits`; [`Error::UnexpectedRoot`] for another root element.
///
/// # Examples
///
/// ```
/// use invoice_export::{check_syntax_rules, ReadLimits};
///
/// let ubl = r#"<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
///   xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
///   xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
///   <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
///   <cac:InvoicePeriod><cbc:StartDate>2026-01-01</cbc:StartDate></cac:InvoicePeriod>
///   <cac:InvoicePeriod><cbc:StartDate>2026-02-01</cbc:StartDate></cac:InvoicePeriod>
/// </Invoice>"#;
/// let found = check_syntax_rules(ubl.as_bytes(), &ReadLimits::default())?;
/// assert_eq!(found[0].rule, "UBL-SR-08");
/// assert_eq!(found[0].path, "/Invoice/cac:InvoicePeriod[2]");
/// # Ok::<(), invoice_export::Error>(())
/// ```
pub fn check_syntax_rules(input: &[u8], limits: &ReadLimits) -> Result<Vec<RuleViolation>> {
    let text = input_text(input, limits)?;
    let doc = Doc::parse(text, limits)?;
    let root = doc.root();
    let mut found = Vec::new();
    match root.local_name() {
        "Invoice" | "CreditNote" => ubl(&root, &mut found),
        "CrossIndustryInvoice" => cii(&root, &mut found),
        _ => {
            return Err(Error::UnexpectedRoot {
                found: root.name().to_owned(),
                expected: "a UBL Invoice or CreditNote or a CII CrossIndustryInvoice",
            })
        }
    }
    Ok(found)
}

fn push(found: &mut Vec<RuleViolation>, rule: &'static str, el: &El<'_, '_>, message: &str) {
    found.push(RuleViolation {
        rule,
        path: el.path(),
        message: message.to_owned(),
    });
}

/// The children of `el` named `name` (local name).
fn kids<'d, 'a>(el: &El<'d, 'a>, name: &'d str) -> impl Iterator<Item = El<'d, 'a>> + 'd {
    el.child_elements().filter(move |c| c.local_name() == name)
}

/// The elements at the end of `path` (local names, child steps) below `el`.
fn below<'d, 'a>(el: &El<'d, 'a>, path: &[&'d str]) -> Vec<El<'d, 'a>> {
    let mut current = vec![*el];
    for step in path {
        current = current.iter().flat_map(|e| kids(e, step)).collect();
    }
    current
}

/// Every element of the tree below `el`, `el` included, in document order.
fn descendants<'d, 'a>(el: &El<'d, 'a>) -> Vec<El<'d, 'a>> {
    let mut out = Vec::new();
    let mut stack = vec![*el];
    while let Some(e) = stack.pop() {
        out.push(e);
        let mut children: Vec<_> = e.child_elements().collect();
        children.reverse();
        stack.extend(children);
    }
    out
}

/// Reports the occurrences of `path` below `el` past the `max`-th.
fn at_most(
    found: &mut Vec<RuleViolation>,
    rule: &'static str,
    el: &El<'_, '_>,
    path: &[&str],
    max: usize,
    what: &str,
) {
    for extra in below(el, path).iter().skip(max) {
        let times = if max == 1 { "once" } else { "twice" };
        push(
            found,
            rule,
            extra,
            &format!("{what} may occur at most {times}"),
        );
    }
}

/// The upper-cased scheme id of a UBL `cac:PartyTaxScheme` (`VAT` for a VAT id).
fn tax_scheme(party_tax_scheme: &El<'_, '_>) -> String {
    below(party_tax_scheme, &["TaxScheme", "ID"])
        .first()
        .map(|id| id.text().to_uppercase())
        .unwrap_or_default()
}

/// UBL's cardinality rules that go beyond its XML Schema, per context.
const UBL_ROOT_AT_MOST_ONCE: [(&str, &[&str], &str); 20] = [
    (
        "UBL-SR-01",
        &["ContractDocumentReference", "ID"],
        "the contract identifier",
    ),
    (
        "UBL-SR-02",
        &["ReceiptDocumentReference", "ID"],
        "the receiving advice identifier",
    ),
    (
        "UBL-SR-03",
        &["DespatchDocumentReference", "ID"],
        "the despatch advice identifier",
    ),
    ("UBL-SR-05", &["PaymentTerms", "Note"], "the payment terms"),
    ("UBL-SR-08", &["InvoicePeriod"], "the invoicing period"),
    (
        "UBL-SR-09",
        &[
            "AccountingSupplierParty",
            "Party",
            "PartyLegalEntity",
            "RegistrationName",
        ],
        "the seller name",
    ),
    (
        "UBL-SR-10",
        &["AccountingSupplierParty", "Party", "PartyName", "Name"],
        "the seller trading name",
    ),
    (
        "UBL-SR-11",
        &[
            "AccountingSupplierParty",
            "Party",
            "PartyLegalEntity",
            "CompanyID",
        ],
        "the seller legal registration identifier",
    ),
    (
        "UBL-SR-14",
        &[
            "AccountingSupplierParty",
            "Party",
            "PartyLegalEntity",
            "CompanyLegalForm",
        ],
        "the seller additional legal information",
    ),
    (
        "UBL-SR-15",
        &[
            "AccountingCustomerParty",
            "Party",
            "PartyLegalEntity",
            "RegistrationName",
        ],
        "the buyer name",
    ),
    (
        "UBL-SR-16",
        &[
            "AccountingCustomerParty",
            "Party",
            "PartyIdentification",
            "ID",
        ],
        "the buyer identifier",
    ),
    (
        "UBL-SR-17",
        &[
            "AccountingCustomerParty",
            "Party",
            "PartyLegalEntity",
            "CompanyID",
        ],
        "the buyer legal registration identifier",
    ),
    ("UBL-SR-24", &["Delivery"], "the deliver-to information"),
    (
        "UBL-SR-39",
        &["ProjectReference", "ID"],
        "the project reference",
    ),
    (
        "UBL-SR-40",
        &["AccountingCustomerParty", "Party", "PartyName", "Name"],
        "the buyer trading name",
    ),
    (
        "UBL-SR-45",
        &["PaymentMeans", "PaymentDueDate"],
        "the due date",
    ),
    (
        "UBL-SR-49",
        &["InvoicePeriod", "DescriptionCode"],
        "the value tax point date code",
    ),
    (
        "UBL-SR-54",
        &["PaymentMeans", "CardAccount"],
        "the payment card account",
    ),
    (
        "UBL-SR-55",
        &["PaymentMeans", "PaymentMandate"],
        "the payment mandate",
    ),
    (
        "UBL-SR-56",
        &["OriginatorDocumentReference", "ID"],
        "the originator document reference",
    ),
];

fn ubl(root: &El<'_, '_>, found: &mut Vec<RuleViolation>) {
    // BR-04: the readers default a missing type code to 380 or 381.
    let type_code = if root.local_name() == "CreditNote" {
        "CreditNoteTypeCode"
    } else {
        "InvoiceTypeCode"
    };
    if kids(root, type_code).all(|c| c.text().is_empty()) {
        push(
            found,
            "BR-04",
            root,
            "the invoice type code (BT-3) is missing",
        );
    }
    // BR-06, BR-07: the readers fall back on the trading name for a party's name.
    for (party, rule, who) in [
        ("AccountingSupplierParty", "BR-06", "seller"),
        ("AccountingCustomerParty", "BR-07", "buyer"),
    ] {
        for party in below(root, &[party, "Party"]) {
            let named = below(&party, &["PartyLegalEntity", "RegistrationName"])
                .iter()
                .any(|n| !n.text().is_empty());
            if !named {
                push(
                    found,
                    rule,
                    &party,
                    &format!("the {who} name (PartyLegalEntity/RegistrationName) is missing"),
                );
            }
        }
    }
    for (rule, path, what) in UBL_ROOT_AT_MOST_ONCE {
        at_most(found, rule, root, path, 1, what);
    }
    let object_ids: Vec<_> = kids(root, "AdditionalDocumentReference")
        .filter(|r| kids(r, "DocumentTypeCode").any(|c| c.text() == "130"))
        .flat_map(|r| kids(&r, "ID").collect::<Vec<_>>())
        .collect();
    for extra in object_ids.iter().skip(1) {
        push(
            found,
            "UBL-SR-04",
            extra,
            "the invoiced object identifier may occur at most once",
        );
    }
    for (party, vat, other) in [
        ("AccountingSupplierParty", "UBL-SR-12", Some("UBL-SR-13")),
        ("AccountingCustomerParty", "UBL-SR-18", None),
    ] {
        let schemes = below(root, &[party, "Party", "PartyTaxScheme"]);
        let (vat_ids, other_ids): (Vec<_>, Vec<_>) =
            schemes.iter().partition(|s| tax_scheme(s) == "VAT");
        for extra in vat_ids
            .iter()
            .flat_map(|s| below(s, &["CompanyID"]))
            .skip(1)
        {
            push(
                found,
                vat,
                &extra,
                "the VAT identifier may occur at most once",
            );
        }
        if let Some(rule) = other {
            for extra in other_ids
                .iter()
                .flat_map(|s| below(s, &["CompanyID"]))
                .skip(1)
            {
                push(
                    found,
                    rule,
                    &extra,
                    "the tax registration identifier may occur at most once",
                );
            }
        }
    }
    for party in below(root, &["AccountingSupplierParty", "Party"]) {
        at_most(
            found,
            "UBL-SR-42",
            &party,
            &["PartyTaxScheme"],
            2,
            "the party tax scheme",
        );
    }
    let all = descendants(root);
    let sepa: Vec<_> = all
        .iter()
        .filter(|e| e.local_name() == "ID")
        .filter(|e| {
            e.parent()
                .is_some_and(|p| p.local_name() == "PartyIdentification")
        })
        .filter(|e| {
            e.attr("schemeID")
                .is_some_and(|s| s.eq_ignore_ascii_case("SEPA"))
        })
        .collect();
    for extra in sepa.iter().skip(1) {
        push(
            found,
            "UBL-SR-29",
            extra,
            "the bank assigned creditor identifier may occur at most once",
        );
    }
    distinct_at_most_one(
        found,
        "UBL-SR-44",
        &all,
        "PaymentID",
        "the payment reference",
    );
    distinct_at_most_one(
        found,
        "UBL-SR-47",
        &all,
        "PaymentMeansCode",
        "the payment means code",
    );
    let means_names: Vec<_> = below(root, &["PaymentMeans", "PaymentMeansCode"])
        .into_iter()
        .filter(|c| c.attr("name").is_some())
        .collect();
    for extra in means_names.iter().skip(1) {
        push(
            found,
            "UBL-SR-46",
            extra,
            "the payment means text may occur at most once",
        );
    }
    for el in &all {
        ubl_context(el, found);
    }
    let document_level: Vec<_> = kids(root, "AllowanceCharge").collect();
    let is_charge = |ac: &El<'_, '_>| kids(ac, "ChargeIndicator").any(|i| i.text() == "true");
    for total in kids(root, "LegalMonetaryTotal") {
        stated_sums(found, &total, &document_level, is_charge);
    }
}

/// BR-CO-11, BR-CO-12: a document with allowances (charges) on document level states
/// their sum (BT-107, BT-108). Its value is a calculation rule, checked on the stated
/// amounts; here only its presence.
fn stated_sums(
    found: &mut Vec<RuleViolation>,
    totals: &El<'_, '_>,
    allowances_charges: &[El<'_, '_>],
    is_charge: impl Fn(&El<'_, '_>) -> bool,
) {
    let charges = allowances_charges.iter().filter(|ac| is_charge(ac)).count();
    let allowances = allowances_charges.len() - charges;
    for (count, total, rule, what) in [
        (allowances, "AllowanceTotalAmount", "BR-CO-11", "allowances"),
        (charges, "ChargeTotalAmount", "BR-CO-12", "charges"),
    ] {
        if count > 0 && kids(totals, total).next().is_none() {
            push(
                found,
                rule,
                totals,
                &format!("the document has {what} on document level, so it states their sum"),
            );
        }
    }
}

/// Reports the elements named `name` anywhere whose value differs from the first one's.
fn distinct_at_most_one(
    found: &mut Vec<RuleViolation>,
    rule: &'static str,
    all: &[El<'_, '_>],
    name: &str,
    what: &str,
) {
    let mut first: Option<&str> = None;
    for el in all.iter().filter(|e| e.local_name() == name) {
        match first {
            None => first = Some(el.text()),
            Some(value) if value != el.text() => push(
                found,
                rule,
                el,
                &format!("{what} differs from the first one ({value:?})"),
            ),
            Some(_) => {}
        }
    }
}

/// The rules whose context is an element anywhere in a UBL document.
fn ubl_context(el: &El<'_, '_>, found: &mut Vec<RuleViolation>) {
    let is_doc_level = el.parent().is_some_and(|p| p.parent().is_none());
    match el.local_name() {
        "PostalAddress" | "Address" => {
            at_most(
                found,
                "UBL-SR-51",
                el,
                &["AddressLine"],
                1,
                "the third address line",
            );
        }
        "AdditionalDocumentReference" => {
            at_most(
                found,
                "UBL-SR-33",
                el,
                &["DocumentDescription"],
                1,
                "the document description",
            );
        }
        "Delivery" => {
            at_most(
                found,
                "UBL-SR-25",
                el,
                &["DeliveryParty", "PartyName", "Name"],
                1,
                "the deliver-to party name",
            );
        }
        "AllowanceCharge" => {
            let charge = kids(el, "ChargeIndicator").any(|i| i.text() == "true");
            let (rule, what) = if charge {
                ("UBL-SR-31", "the charge reason")
            } else {
                ("UBL-SR-30", "the allowance reason")
            };
            at_most(found, rule, el, &["AllowanceChargeReason"], 1, what);
            if is_doc_level {
                let rule = if charge { "BR-37" } else { "BR-32" };
                vat_scheme(found, rule, el, "TaxCategory");
            }
        }
        "PartyTaxScheme"
            if below(el, &["TaxScheme", "ID"]).is_empty()
                || below(el, &["CompanyID"]).is_empty() =>
        {
            push(
                found,
                "UBL-SR-53",
                el,
                "a party tax scheme needs its scheme id and the company id (VAT identifier)",
            );
        }
        "InvoiceLine" | "CreditNoteLine" => {
            at_most(found, "UBL-SR-34", el, &["Note"], 1, "the line note");
            at_most(
                found,
                "UBL-SR-35",
                el,
                &["OrderLineReference", "LineID"],
                1,
                "the order line reference",
            );
            at_most(
                found,
                "UBL-SR-36",
                el,
                &["InvoicePeriod"],
                1,
                "the line period",
            );
            at_most(
                found,
                "UBL-SR-37",
                el,
                &["Price", "AllowanceCharge", "Amount"],
                1,
                "the price discount",
            );
            at_most(
                found,
                "UBL-SR-50",
                el,
                &["Item", "Description"],
                1,
                "the item description",
            );
            at_most(
                found,
                "UBL-SR-52",
                el,
                &["DocumentReference"],
                1,
                "the line's document reference",
            );
            let categories = below(el, &["Item", "ClassifiedTaxCategory"]);
            if categories.len() != 1 {
                push(
                    found,
                    "UBL-SR-48",
                    el,
                    &format!(
                        "a line has exactly one classified tax category, not {}",
                        categories.len()
                    ),
                );
            }
            for item in kids(el, "Item") {
                vat_scheme(found, "BR-CO-04", &item, "ClassifiedTaxCategory");
            }
        }
        "PaymentMeans" => {
            at_most(
                found,
                "UBL-SR-26",
                el,
                &["PaymentID"],
                1,
                "the payment reference",
            );
            at_most(
                found,
                "UBL-SR-27",
                el,
                &["PaymentMeansCode"],
                1,
                "the payment means code",
            );
            at_most(
                found,
                "UBL-SR-28",
                el,
                &["PaymentMandate", "ID"],
                1,
                "the mandate reference",
            );
        }
        "BillingReference" => {
            at_most(
                found,
                "UBL-SR-06",
                el,
                &["InvoiceDocumentReference"],
                1,
                "the preceding invoice reference",
            );
            if below(el, &["InvoiceDocumentReference"]).len() == 1
                && below(el, &["InvoiceDocumentReference", "ID"]).is_empty()
            {
                push(
                    found,
                    "UBL-SR-07",
                    el,
                    "the preceding invoice reference needs its number",
                );
            }
        }
        "TaxRepresentativeParty" => {
            at_most(
                found,
                "UBL-SR-22",
                el,
                &["PartyName", "Name"],
                1,
                "the tax representative name",
            );
            at_most(
                found,
                "UBL-SR-23",
                el,
                &["PartyTaxScheme", "CompanyID"],
                1,
                "the tax representative VAT identifier",
            );
        }
        "TaxSubtotal" => {
            at_most(
                found,
                "UBL-SR-32",
                el,
                &["TaxCategory", "TaxExemptionReason"],
                1,
                "the exemption reason",
            );
            vat_scheme(found, "BR-47", el, "TaxCategory");
        }
        "InvoicePeriod" => {
            let dated = kids(el, "StartDate")
                .chain(kids(el, "EndDate"))
                .any(|d| !d.text().is_empty());
            let at_line = el
                .parent()
                .is_some_and(|p| matches!(p.local_name(), "InvoiceLine" | "CreditNoteLine"));
            if at_line && !dated {
                push(
                    found,
                    "BR-CO-20",
                    el,
                    "a line period needs a start or an end date",
                );
            } else if is_doc_level && !dated && kids(el, "DescriptionCode").next().is_none() {
                push(
                    found,
                    "BR-CO-19",
                    el,
                    "an invoicing period needs a start or an end date",
                );
            }
        }
        _ => {}
    }
}

/// The VAT category `category` of `holder` must be of the `VAT` tax scheme: with another
/// scheme, or none, the line, allowance, charge or breakdown row has no VAT category.
fn vat_scheme(
    found: &mut Vec<RuleViolation>,
    rule: &'static str,
    holder: &El<'_, '_>,
    category: &str,
) {
    for category in kids(holder, category) {
        let is_vat = below(&category, &["TaxScheme", "ID"])
            .iter()
            .any(|id| id.text().eq_ignore_ascii_case("VAT"));
        if !is_vat {
            push(
                found,
                rule,
                &category,
                "the VAT category must be of the tax scheme VAT",
            );
        }
    }
}

fn cii(root: &El<'_, '_>, found: &mut Vec<RuleViolation>) {
    let all = descendants(root);
    let means: Vec<_> = all
        .iter()
        .filter(|e| e.local_name() == "SpecifiedTradeSettlementPaymentMeans")
        .collect();
    let codes: Vec<_> = means
        .iter()
        .flat_map(|m| kids(m, "TypeCode").collect::<Vec<_>>())
        .collect();
    distinct_at_most_one(
        found,
        "CII-SR-467",
        &codes,
        "TypeCode",
        "the payment means type code",
    );
    let texts: Vec<_> = means
        .iter()
        .flat_map(|m| kids(m, "Information").collect::<Vec<_>>())
        .collect();
    distinct_at_most_one(
        found,
        "CII-SR-468",
        &texts,
        "Information",
        "the payment means text",
    );
    for m in &means {
        let transfer = kids(m, "TypeCode").any(|c| matches!(c.text(), "30" | "58"));
        if transfer {
            let accounts = below(m, &["PayeePartyCreditorFinancialAccount"]);
            let has_id = accounts.iter().any(|a| {
                kids(a, "IBANID")
                    .chain(kids(a, "ProprietaryID"))
                    .next()
                    .is_some()
            });
            if !has_id {
                push(
                    found,
                    "CII-SR-470",
                    m,
                    "a credit transfer needs an IBAN or a proprietary id",
                );
            }
        }
    }
    let settlements = below(
        root,
        &[
            "SupplyChainTradeTransaction",
            "ApplicableHeaderTradeSettlement",
        ],
    );
    for settlement in &settlements {
        at_most(
            found,
            "CII-SR-469",
            settlement,
            &["PaymentReference"],
            1,
            "the payment reference",
        );
    }
    for agreement in below(
        root,
        &[
            "SupplyChainTradeTransaction",
            "ApplicableHeaderTradeAgreement",
        ],
    ) {
        for (party, rule) in [
            ("SellerTradeParty", "CII-SR-465"),
            ("BuyerTradeParty", "CII-SR-466"),
        ] {
            for contact in below(&agreement, &[party, "DefinedTradeContact"]) {
                let both = kids(&contact, "PersonName").next().is_some()
                    && kids(&contact, "DepartmentName").next().is_some();
                if both {
                    push(
                        found,
                        rule,
                        &contact,
                        "a contact point is a person or a department, not both",
                    );
                }
            }
        }
    }
    let is_charge = |ac: &El<'_, '_>| {
        below(ac, &["ChargeIndicator", "Indicator"])
            .iter()
            .any(|i| i.text() == "true")
    };
    for settlement in &settlements {
        let document_level: Vec<_> = kids(settlement, "SpecifiedTradeAllowanceCharge").collect();
        for total in kids(
            settlement,
            "SpecifiedTradeSettlementHeaderMonetarySummation",
        ) {
            stated_sums(found, &total, &document_level, is_charge);
        }
    }
    for el in &all {
        match el.local_name() {
            "SpecifiedTradeAllowanceCharge" => {
                if kids(el, "ChargeIndicator").next().is_none() {
                    push(
                        found,
                        "CII-SR-463",
                        el,
                        "an allowance or charge needs its charge indicator",
                    );
                }
                if el
                    .parent()
                    .is_some_and(|p| p.local_name() == "ApplicableHeaderTradeSettlement")
                {
                    let rule = if is_charge(el) { "BR-37" } else { "BR-32" };
                    cii_vat_type(found, rule, el, "CategoryTradeTax");
                }
            }
            "SpecifiedLineTradeSettlement" => {
                cii_vat_type(found, "BR-CO-04", el, "ApplicableTradeTax")
            }
            "ApplicableHeaderTradeSettlement" => {
                cii_vat_type(found, "BR-CO-17", el, "ApplicableTradeTax")
            }
            "BillingSpecifiedPeriod" => {
                let dated = kids(el, "StartDateTime")
                    .chain(kids(el, "EndDateTime"))
                    .next()
                    .is_some();
                if !dated {
                    let at_line = el
                        .parent()
                        .is_some_and(|p| p.local_name() == "SpecifiedLineTradeSettlement");
                    let rule = if at_line { "BR-CO-20" } else { "BR-CO-19" };
                    push(found, rule, el, "a period needs a start or an end date");
                }
            }
            _ => {}
        }
    }
}

/// CII's VAT categories state their tax type (`ram:TypeCode`), which must be `VAT`.
fn cii_vat_type(
    found: &mut Vec<RuleViolation>,
    rule: &'static str,
    holder: &El<'_, '_>,
    tax: &str,
) {
    for tax in kids(holder, tax) {
        if !kids(&tax, "TypeCode").any(|t| t.text() == "VAT") {
            push(
                found,
                rule,
                &tax,
                "the VAT category must be of the tax type VAT",
            );
        }
    }
}
