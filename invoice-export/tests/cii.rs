//! CII: golden file, reading back, and hostile or broken input.
#![cfg(feature = "cii")]

mod common;

use invoice_core::{InvoiceId, TenantId};
use invoice_export::{read_cii, write_cii, Error, ImportOptions, ReadLimits};
use uuid::Uuid;

fn options() -> ImportOptions {
    ImportOptions::new(
        InvoiceId::from_uuid(Uuid::from_u128(7)),
        TenantId::new("t").unwrap(),
    )
}

fn sample_cii() -> String {
    String::from_utf8(write_cii(Vec::new(), &common::sample()).unwrap()).unwrap()
}

#[test]
fn sample_invoice_matches_the_golden_file() {
    common::assert_golden("sample.cii.xml", sample_cii().as_bytes());
    common::write_export("sample.cii.xml", sample_cii().as_bytes());
}

#[test]
fn sample_reads_back_with_the_same_totals_and_fields() {
    let original = common::sample();
    let back = read_cii(sample_cii().as_bytes(), &options()).unwrap();
    assert_eq!(back.totals().unwrap(), original.totals().unwrap());
    assert_eq!(back.seller(), original.seller());
    assert_eq!(back.buyer(), original.buyer());
    assert_eq!(back.number(), original.number());
    assert_eq!(back.issue_date(), original.issue_date());
    assert_eq!(back.due_date(), original.due_date());
    assert_eq!(back.payment_terms(), original.payment_terms());
    assert_eq!(
        back.lines()[1].gross_price(),
        original.lines()[1].gross_price()
    );
}

#[test]
fn a_bad_quantity_is_reported_with_its_element_path() {
    let xml = sample_cii();
    let bad = xml.replacen(
        r#"<ram:BilledQuantity unitCode="C62">-1</ram:BilledQuantity>"#,
        r#"<ram:BilledQuantity unitCode="C62">1e3</ram:BilledQuantity>"#,
        1,
    );
    assert_ne!(bad, xml);
    match read_cii(bad.as_bytes(), &options()) {
        Err(Error::InvalidValue { path, value, .. }) => {
            assert_eq!(
                path,
                "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction\
                 /ram:IncludedSupplyChainTradeLineItem[3]/ram:SpecifiedLineTradeDelivery\
                 /ram:BilledQuantity"
            );
            assert_eq!(value, "1e3");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_date_in_another_format_is_refused_with_its_path() {
    let bad = sample_cii().replacen(
        r#"format="102">20261124"#,
        r#"format="203">202611240930"#,
        1,
    );
    match read_cii(bad.as_bytes(), &options()) {
        Err(Error::InvalidValue { path, .. }) => assert_eq!(
            path,
            "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString/@format"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn entity_declarations_and_limits_are_enforced() {
    let xml = sample_cii();
    let with_doctype = xml.replacen(
        "<rsm:CrossIndustryInvoice",
        "<!DOCTYPE x SYSTEM \"http://evil.example/x.dtd\"><rsm:CrossIndustryInvoice",
        1,
    );
    assert!(matches!(
        read_cii(with_doctype.as_bytes(), &options()),
        Err(Error::DocTypeNotAllowed)
    ));
    let few = options().with_limits(ReadLimits::new().with_max_elements(20));
    assert!(matches!(
        read_cii(xml.as_bytes(), &few),
        Err(Error::TooManyElements { limit: 20 })
    ));
}

#[test]
fn a_ubl_document_is_not_read_as_cii() {
    let xml = r#"<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>"#;
    assert!(matches!(
        read_cii(xml.as_bytes(), &options()),
        Err(Error::UnexpectedRoot { .. })
    ));
}

#[test]
fn truncated_and_mangled_documents_never_panic() {
    let xml = sample_cii();
    let bytes = xml.as_bytes();
    for end in (0..bytes.len()).step_by(101) {
        let _ = read_cii(&bytes[..end], &options());
    }
    for at in (0..bytes.len()).step_by(199) {
        let mut mangled = bytes.to_vec();
        mangled[at] = b'>';
        let _ = read_cii(mangled.as_slice(), &options());
    }
}

#[test]
fn a_base_quantity_that_is_not_positive_is_reported_with_its_path() {
    let xml = sample_cii();
    let bad = xml.replacen(
        "<ram:ChargeAmount>95.00</ram:ChargeAmount>",
        r#"<ram:ChargeAmount>95.00</ram:ChargeAmount><ram:BasisQuantity unitCode="C62">-1</ram:BasisQuantity>"#,
        1,
    );
    assert_ne!(bad, xml);
    match read_cii(bad.as_bytes(), &options()) {
        Err(Error::InvalidValue { path, value, .. }) => {
            assert_eq!(
                path,
                "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:BasisQuantity"
            );
            assert_eq!(value, "-1");
        }
        other => panic!("{other:?}"),
    }
}

/// BT-8 is a UNTDID 2005 code in the model and in UBL, a UNTDID 2475 code in CII: the
/// writer and the reader translate (35 delivery date is 29 in CII).
#[test]
fn the_vat_point_date_code_is_written_in_ciis_own_code_list() {
    let mut json = serde_json::to_value(common::sample()).unwrap();
    json["vat_point_date_code"] = "35".into();
    let invoice: invoice_core::Invoice = serde_json::from_value(json).unwrap();
    let xml = String::from_utf8(write_cii(Vec::new(), &invoice).unwrap()).unwrap();
    assert!(
        xml.contains("<ram:DueDateTypeCode>29</ram:DueDateTypeCode>"),
        "{xml}"
    );
    assert!(!xml.contains("<ram:DueDateTypeCode>35<"));
    let back = read_cii(xml.as_bytes(), &options()).unwrap();
    assert_eq!(back.vat_point_date_code(), Some("35"));
}
