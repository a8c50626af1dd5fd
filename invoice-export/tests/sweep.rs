//! The sweep: every official CEN example (the folder `EN16931_EXAMPLES` names; see
//! `tests/common`) is imported, totalled by `invoice-core`, and compared with what the
//! file states (`invoice-core/tests/data/expected-totals.json`) to the cent: BT-106 to
//! BT-115 and every VAT breakdown row. Each import is exported again in both syntaxes,
//! read back, and must give the same totals; the exports are written to the export folder
//! (`EXPORT_DIR`, or `exports/` in the test scratch dir) for the validator.
#![cfg(all(feature = "ubl", feature = "cii"))]

mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use invoice_core::{Decimal, Invoice, InvoiceId, TenantId, Totals};
use invoice_export::{
    check_code_lists, check_structure, check_syntax_rules, read_cii, read_cii_with_warnings,
    read_ubl, read_ubl_with_warnings, write_cii, write_ubl, ImportOptions, ImportWarning,
    ReadLimits,
};
use serde_json::Value;
use uuid::Uuid;

/// CEN examples whose content the Factur-X EN 16931 profile's code lists refuse, so
/// that their CII re-exports can only pass plain EN 16931 (`--cii-profile en16931`):
/// they are written to the `en16931-profile/` subfolder of the export folder.
const FACTUR_X_REFUSES: [(&str, &str); 2] = [
    (
        "cen/ubl/FT G2G_TD01 con Allegato, Bonifico e Split Payment.xml",
        "VAT category B (Italian split payment) is not in Factur-X's category list",
    ),
    (
        "cen/cii/XRechnung-O.xml",
        "its VATEX code is lower case (vatex-eu-132-1a), kept as stated",
    ),
];

/// The CEN examples that state Peppol BIS Billing 3.0 and pass its rules as published
/// (`validate --peppol`). `issue116.xml` states Peppol too but breaks its rules itself
/// (no electronic addresses, among others), so its re-export is not held to them.
const PEPPOL_VALID: [&str; 3] = [
    "cen/ubl/BIS3_Invoice_negativ.XML",
    "cen/ubl/BIS3_Invoice_positive.XML",
    "cen/ubl/FT G2G_TD01 con Allegato, Bonifico e Split Payment.xml",
];

/// What each official example states, kept in the repository.
const EXPECTED_TOTALS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../invoice-core/tests/data/expected-totals.json"
);

fn options() -> ImportOptions {
    ImportOptions::new(
        InvoiceId::from_uuid(Uuid::from_u128(42)),
        TenantId::new("sweep").unwrap(),
    )
}

fn stated(entry: &Value, field: &str) -> Option<Decimal> {
    entry[field].as_str().map(|s| Decimal::from_str(s).unwrap())
}

/// Every difference between the computed totals and what the file states. Amounts a
/// file leaves out are zero, except a missing BT-110, which is the sum of the stated
/// breakdown VAT (BR-CO-14); rows match by category and rate.
fn mismatches(entry: &Value, invoice: &Invoice, totals: &Totals) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |what: &str, computed: Decimal, stated: Decimal| {
        if computed != stated {
            out.push(format!("{what}: computed {computed}, stated {stated}"));
        }
    };
    let zero = |field| stated(entry, field).unwrap_or(Decimal::ZERO);
    let breakdown = entry["vat_breakdown"].as_array().unwrap();
    check(
        "BT-106",
        totals.line_extension_amount(),
        zero("line_extension_total"),
    );
    check("BT-107", totals.allowance_total(), zero("allowance_total"));
    check("BT-108", totals.charge_total(), zero("charge_total"));
    check(
        "BT-109",
        totals.tax_exclusive_amount(),
        zero("tax_exclusive_total"),
    );
    let tax_total = stated(entry, "tax_total").unwrap_or_else(|| {
        breakdown
            .iter()
            .map(|row| stated(row, "tax_amount").unwrap())
            .sum()
    });
    check("BT-110", totals.tax_total(), tax_total);
    check(
        "BT-112",
        totals.tax_inclusive_amount(),
        zero("tax_inclusive_total"),
    );
    check("BT-113", totals.prepaid_amount(), zero("prepaid_amount"));
    check("BT-114", totals.rounding_amount(), zero("rounding_amount"));
    check("BT-115", totals.payable_amount(), zero("payable_amount"));
    if totals.vat_breakdown().len() != breakdown.len() {
        out.push(format!(
            "breakdown rows: computed {}, stated {}",
            totals.vat_breakdown().len(),
            breakdown.len()
        ));
    }
    for row in breakdown {
        let category = row["category"].as_str().unwrap();
        let rate = stated(row, "rate").unwrap_or(Decimal::ZERO);
        match totals
            .vat_breakdown()
            .iter()
            .find(|c| c.category().code() == category && c.rate() == rate)
        {
            Some(c) => {
                if c.taxable_amount() != stated(row, "taxable_amount").unwrap()
                    || c.tax_amount() != stated(row, "tax_amount").unwrap()
                {
                    out.push(format!(
                        "VAT {category} {rate}: computed {} / {}, stated {} / {}",
                        c.taxable_amount(),
                        c.tax_amount(),
                        row["taxable_amount"],
                        row["tax_amount"]
                    ));
                }
            }
            None => out.push(format!("VAT {category} {rate}: not computed")),
        }
    }
    let type_code = entry["type_code"].as_str().unwrap();
    if invoice.kind().type_code().to_string() != type_code {
        out.push(format!(
            "type code {} vs {type_code}",
            invoice.kind().type_code()
        ));
    }
    if invoice.lines().len() != entry["line_count"].as_u64().unwrap() as usize {
        out.push("line count".to_owned());
    }
    out
}

/// The folder exported documents go to.
pub fn export_dir() -> PathBuf {
    let dir = std::env::var_os("EXPORT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("exports"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn import(path: &Path, syntax: &str) -> invoice_export::Result<Invoice> {
    let file = std::fs::File::open(path).unwrap();
    if syntax == "cii" {
        read_cii(file, &options())
    } else {
        read_ubl(file, &options())
    }
}

#[test]
fn every_official_example_imports_and_totals_to_the_cent() {
    let Some(examples) = common::test_data::en16931_examples(
        "every_official_example_imports_and_totals_to_the_cent",
    ) else {
        return;
    };
    let text = std::fs::read_to_string(EXPECTED_TOTALS).unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    // A folder that brings its own list of stated totals must state what the repository keeps.
    if let Ok(theirs) = std::fs::read_to_string(examples.join("expected-totals.json")) {
        let theirs: Value = serde_json::from_str(&theirs).unwrap();
        assert!(
            theirs == all,
            "{}/expected-totals.json differs from {EXPECTED_TOTALS}",
            examples.display()
        );
    }
    let entries = all["invoices"].as_object().unwrap();
    let exports = export_dir();
    let mut failures = Vec::new();
    let mut matched = 0;
    let mut peppol_documents = 0;
    for (file, entry) in entries {
        let syntax = entry["syntax"].as_str().unwrap();
        let path = examples.join(file);
        let invoice = match import(&path, syntax) {
            Ok(invoice) => invoice,
            Err(e) => {
                failures.push(format!("{file}: import failed: {e}"));
                continue;
            }
        };
        let totals = invoice.totals().unwrap();
        let diffs = mismatches(entry, &invoice, &totals);
        if !diffs.is_empty() {
            failures.push(format!("{file}:\n    {}", diffs.join("\n    ")));
            continue;
        }
        // Export again in both syntaxes; reading each back gives the same totals.
        let stem = file
            .rsplit('/')
            .next()
            .unwrap()
            .replace(' ', "_")
            .replace(',', "")
            .to_lowercase()
            .replace(".xml", "");
        let ubl = write_ubl(Vec::new(), &invoice).unwrap();
        let cii = write_cii(Vec::new(), &invoice).unwrap();
        std::fs::write(exports.join(format!("sweep-{stem}.ubl.xml")), &ubl).unwrap();
        // The Factur-X profile accepts only its own guideline ids (FX-SCH-A-000556); a
        // document that states another one (Peppol, XRechnung, ZUGFeRD 1.0) keeps it.
        let factur_x_refuses =
            FACTUR_X_REFUSES.iter().any(|(f, _)| *f == file) || invoice.specification().is_some();
        let cii_dir = if factur_x_refuses {
            exports.join("en16931-profile")
        } else {
            exports.clone()
        };
        std::fs::create_dir_all(&cii_dir).unwrap();
        std::fs::write(cii_dir.join(format!("sweep-{stem}.cii.xml")), &cii).unwrap();
        // The examples that pass Peppol's rules as published must still pass them once
        // re-exported (`validate --peppol` in CI).
        if PEPPOL_VALID.contains(&file.as_str()) {
            assert!(
                invoice.specification().is_some_and(|s| s.is_peppol()),
                "{file} states Peppol BIS Billing 3.0"
            );
            let peppol = exports.join("peppol");
            std::fs::create_dir_all(&peppol).unwrap();
            std::fs::write(peppol.join(format!("sweep-{stem}.ubl.xml")), &ubl).unwrap();
            peppol_documents += 1;
        }
        let from_ubl = read_ubl(ubl.as_slice(), &options()).unwrap();
        let from_cii = read_cii(cii.as_slice(), &options()).unwrap();
        for (syntax, back) in [("UBL", &from_ubl), ("CII", &from_cii)] {
            let lost = identification_lost(&invoice, back, syntax == "CII");
            if !lost.is_empty() {
                failures.push(format!("{file}: through {syntax}, {}", lost.join(", ")));
            }
        }
        let changed: Vec<&str> = [("UBL", from_ubl), ("CII", from_cii)]
            .into_iter()
            .filter(|(_, back)| back.totals().unwrap() != totals)
            .map(|(syntax, _)| syntax)
            .collect();
        if changed.is_empty() {
            matched += 1;
        } else {
            failures.push(format!("{file}: totals changed through {changed:?}"));
        }
    }
    // Through stderr's handle, which libtest does not capture: the count shows in CI logs.
    let _ = writeln!(std::io::stderr(), "{matched}/{} matched", entries.len());
    assert_eq!(
        peppol_documents,
        PEPPOL_VALID.len(),
        "Peppol examples found"
    );
    assert!(
        failures.is_empty(),
        "{matched}/{} matched; failures:\n{}",
        entries.len(),
        failures.join("\n")
    );
}

/// The identifying terms of `original` that `back` (read from a re-export) lost or
/// changed: the specification and process (BT-24, BT-23), the VAT accounting currency
/// and the VAT total in it (BT-6, BT-111), the document references (BT-11, BT-12,
/// BT-14 to BT-19, BG-24), the preceding invoices (BG-3), the tax representative (BG-11),
/// the payee (BG-10), the tax
/// point (BT-7, BT-8), the delivery (BG-13), the notes with their subject codes (BT-21),
/// each line's details (BT-127, BG-26, BT-132,
/// BT-133, BT-155 to BT-159, BG-32), and per party the electronic
/// address with its scheme (BT-34/BT-49), the tax registration id (BT-32), the legal registration id with its scheme
/// (BT-30/BT-47) and the party identifier with its scheme (BT-29/BT-46).
///
/// CII cannot state a VAT accounting currency equal to the invoice's (its BR-53), so
/// through CII (`cii`) that one is expected to be gone.
fn identification_lost(original: &Invoice, back: &Invoice, cii: bool) -> Vec<String> {
    let mut lost = Vec::new();
    if original.specification() != back.specification() {
        lost.push(format!(
            "specification {:?} became {:?}",
            original.specification(),
            back.specification()
        ));
    }
    let a = original
        .vat_accounting_total()
        .unwrap()
        .filter(|(currency, _)| !cii || *currency != original.currency());
    let b = back.vat_accounting_total().unwrap();
    if a != b {
        lost.push(format!("VAT accounting (BT-6, BT-111) {a:?} became {b:?}"));
    }
    let header = |i: &Invoice| {
        (
            (
                i.kind().clone(),
                i.type_code(),
                i.preceding_invoices().to_vec(),
            ),
            (i.payee().cloned(), i.creditor_id().map(str::to_owned)),
            i.tax_point_date(),
            i.vat_point_date_code().map(str::to_owned),
            i.delivery().cloned(),
            i.notes()
                .iter()
                .map(|n| (n.text().to_owned(), n.subject_code().map(str::to_owned)))
                .collect::<Vec<_>>(),
        )
    };
    if header(original) != header(back) {
        lost.push(format!(
            "kind and preceding invoices, payee, tax point, delivery or notes {:?} became {:?}",
            header(original),
            header(back)
        ));
    }
    if original.tax_representative() != back.tax_representative() {
        lost.push(format!(
            "tax representative {:?} became {:?}",
            original.tax_representative(),
            back.tax_representative()
        ));
    }
    if original.references() != back.references() {
        lost.push(format!(
            "references {:?} became {:?}",
            original.references(),
            back.references()
        ));
    }
    for (line, (a, b)) in original.lines().iter().zip(back.lines()).enumerate() {
        // CII states a price discount inside the gross price: one a UBL document states
        // without a gross price has no place there.
        let carried = |details: Option<&invoice_core::LineDetails>| {
            details.map(|d| {
                let without_gross = cii && a.gross_price().is_none();
                let mut value = serde_json::to_value(d).unwrap();
                if without_gross {
                    value
                        .as_object_mut()
                        .unwrap()
                        .remove("stated_price_discount");
                }
                value
            })
        };
        if carried(a.details()) != carried(b.details()) {
            lost.push(format!(
                "line {} details {:?} became {:?}",
                line + 1,
                a.details(),
                b.details()
            ));
        }
    }
    for (role, a, b) in [
        ("seller", original.seller(), back.seller()),
        ("buyer", original.buyer(), back.buyer()),
    ] {
        if a.electronic_address() != b.electronic_address() {
            lost.push(format!(
                "{role} electronic address {:?} became {:?}",
                a.electronic_address(),
                b.electronic_address()
            ));
        }
        if a.additional_legal_info() != b.additional_legal_info() {
            lost.push(format!(
                "{role} additional legal info {:?} became {:?}",
                a.additional_legal_info(),
                b.additional_legal_info()
            ));
        }
        if a.tax_registration_id() != b.tax_registration_id() {
            lost.push(format!(
                "{role} tax registration {:?} became {:?}",
                a.tax_registration_id(),
                b.tax_registration_id()
            ));
        }
        if (a.legal_id(), a.legal_id_scheme()) != (b.legal_id(), b.legal_id_scheme()) {
            lost.push(format!(
                "{role} legal id {:?} became {:?}",
                (a.legal_id(), a.legal_id_scheme()),
                (b.legal_id(), b.legal_id_scheme())
            ));
        }
    }
    lost
}

/// Elements the readers map since issue 16; a warning about one of them is a regression.
const MAPPED_NOW: [&str; 15] = [
    "EndpointID",
    "URIUniversalCommunication",
    "CustomizationID",
    "ProfileID",
    "GuidelineSpecifiedDocumentContextParameter",
    "BusinessProcessSpecifiedDocumentContextParameter",
    "TaxCurrencyCode",
    "PartyLegalEntity/cbc:CompanyID",
    "SellersItemIdentification",
    "AdditionalItemProperty",
    "ApplicableProductCharacteristic",
    "ContractDocumentReference",
    "ContractReferencedDocument",
    "/Invoice/cbc:AccountingCost",
    "ProjectReference",
];

/// Every official example read with warnings: the same invoice as the plain reader,
/// and a list of what the model does not keep, counted per element (indices dropped)
/// on stderr, where CI logs show it.
#[test]
fn every_official_example_reports_what_it_does_not_map() {
    let Some(examples) =
        common::test_data::en16931_examples("every_official_example_reports_what_it_does_not_map")
    else {
        return;
    };
    let text = std::fs::read_to_string(EXPECTED_TOTALS).unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    let mut per_element = std::collections::BTreeMap::<String, usize>::new();
    let mut documents_with_warnings = 0;
    for (file, entry) in all["invoices"].as_object().unwrap() {
        let bytes = std::fs::read(examples.join(file)).unwrap();
        let cii = entry["syntax"] == "cii";
        let imported = if cii {
            read_cii_with_warnings(&bytes, &options())
        } else {
            read_ubl_with_warnings(&bytes, &options())
        }
        .unwrap_or_else(|e| panic!("{file}: {e}"));
        let plain = if cii {
            read_cii(bytes.as_slice(), &options())
        } else {
            read_ubl(bytes.as_slice(), &options())
        }
        .unwrap();
        assert_eq!(imported.invoice, plain, "{file}: the two readings differ");
        if !imported.warnings.is_empty() {
            documents_with_warnings += 1;
        }
        for warning in &imported.warnings {
            let ImportWarning::Unmapped { path } = warning else {
                continue;
            };
            for mapped in MAPPED_NOW {
                assert!(!path.contains(mapped), "{file}: {path} is mapped");
            }
            let mut element = String::new();
            let mut in_index = false;
            for c in path.chars() {
                match c {
                    '[' => in_index = true,
                    ']' => in_index = false,
                    c if !in_index => element.push(c),
                    _ => {}
                }
            }
            *per_element.entry(element).or_default() += 1;
        }
    }
    let mut report = std::io::stderr().lock();
    let total: usize = per_element.values().sum();
    let _ = writeln!(
        report,
        "unmapped: {total} elements in {documents_with_warnings} of {} documents, {} distinct",
        all["invoices"].as_object().unwrap().len(),
        per_element.len()
    );
    for (element, count) in &per_element {
        let _ = writeln!(report, "  {count:4}  {element}");
    }
}

/// The document checks find nothing in the official examples, which pass the official
/// validator, nor in their re-exports in both syntaxes: no structure the syntaxes' XML
/// Schemas refuse, no code outside its list, no syntax-binding rule broken.
#[test]
fn every_official_example_and_its_re_exports_pass_the_document_checks() {
    let Some(examples) = common::test_data::en16931_examples(
        "every_official_example_and_its_re_exports_pass_the_document_checks",
    ) else {
        return;
    };
    let text = std::fs::read_to_string(EXPECTED_TOTALS).unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    let limits = ReadLimits::default();
    let findings = |document: &[u8]| -> Vec<String> {
        let structure = check_structure(document, &limits).unwrap();
        let codes = check_code_lists(document, &limits).unwrap();
        let rules = check_syntax_rules(document, &limits).unwrap();
        let structure = structure.iter().map(ToString::to_string);
        let codes = codes.iter().map(|c| format!("{} {c}", c.rule));
        let rules = rules.iter().map(|r| format!("{} {r}", r.rule));
        structure.chain(codes).chain(rules).collect()
    };
    let mut checked = 0;
    for (file, entry) in all["invoices"].as_object().unwrap() {
        let bytes = std::fs::read(examples.join(file)).unwrap();
        let found = findings(&bytes);
        assert!(found.is_empty(), "{file}: {found:#?}");
        let invoice = import(&examples.join(file), entry["syntax"].as_str().unwrap()).unwrap();
        for (syntax, document) in [
            ("UBL", write_ubl(Vec::new(), &invoice).unwrap()),
            ("CII", write_cii(Vec::new(), &invoice).unwrap()),
        ] {
            let found = findings(&document);
            assert!(found.is_empty(), "{file} as {syntax}: {found:#?}");
        }
        checked += 1;
    }
    assert_eq!(checked, 34);
}
