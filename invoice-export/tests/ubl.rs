//! UBL: golden file, reading back, and hostile or broken input.
#![cfg(feature = "ubl")]

mod common;

use invoice_core::{InvoiceId, TenantId};
use invoice_export::{read_ubl, write_ubl, Error, ImportOptions, ReadLimits};
use uuid::Uuid;

fn options() -> ImportOptions {
    ImportOptions::new(
        InvoiceId::from_uuid(Uuid::from_u128(7)),
        TenantId::new("t").unwrap(),
    )
}

fn sample_ubl() -> String {
    String::from_utf8(write_ubl(Vec::new(), &common::sample()).unwrap()).unwrap()
}

#[test]
fn sample_invoice_matches_the_golden_file() {
    common::assert_golden("sample.ubl.xml", sample_ubl().as_bytes());
    common::write_export("sample.ubl.xml", sample_ubl().as_bytes());
}

#[test]
fn text_is_escaped_by_the_writer() {
    let xml = sample_ubl();
    assert!(xml.contains("<cbc:Description>On site, &lt;Berlin&gt; &amp; remote</cbc:Description>"));
    assert!(xml.contains("<cbc:RegistrationName>Kunde &amp; Söhne AG</cbc:RegistrationName>"));
}

#[test]
fn sample_reads_back_with_the_same_totals_and_fields() {
    let original = common::sample();
    let back = read_ubl(sample_ubl().as_bytes(), &options()).unwrap();
    assert_eq!(back.totals().unwrap(), original.totals().unwrap());
    assert_eq!(back.seller(), original.seller());
    assert_eq!(back.buyer(), original.buyer());
    assert_eq!(back.number(), original.number());
    assert_eq!(back.due_date(), original.due_date());
    assert_eq!(back.notes()[0].text(), original.notes()[0].text());
    assert_eq!(
        back.lines()[1].gross_price(),
        original.lines()[1].gross_price()
    );
    assert_eq!(
        back.lines()[1].allowances_charges(),
        original.lines()[1].allowances_charges()
    );
}

#[test]
fn a_draft_cannot_be_exported() {
    let mut draft = serde_json::to_value(common::sample()).unwrap();
    draft.as_object_mut().unwrap().remove("number");
    let draft: invoice_core::Invoice = serde_json::from_value(draft).unwrap();
    assert!(matches!(
        write_ubl(Vec::new(), &draft),
        Err(Error::Incomplete { .. })
    ));
}

#[test]
fn a_bad_amount_is_reported_with_its_element_path() {
    let xml = sample_ubl();
    // The third line's net amount.
    let bad = xml.replacen(
        r#"<cbc:LineExtensionAmount currencyID="EUR">-12.50</cbc:LineExtensionAmount>"#,
        r#"<cbc:LineExtensionAmount currencyID="EUR">twelve</cbc:LineExtensionAmount>"#,
        1,
    );
    assert_ne!(bad, xml);
    match read_ubl(bad.as_bytes(), &options()) {
        Err(Error::InvalidValue { path, value, .. }) => {
            assert_eq!(path, "/Invoice/cac:InvoiceLine[3]/cbc:LineExtensionAmount");
            assert_eq!(value, "twelve");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_missing_element_is_reported_with_its_path() {
    let xml = sample_ubl().replacen(
        "<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>",
        "",
        1,
    );
    match read_ubl(xml.as_bytes(), &options()) {
        Err(Error::Missing { path }) => assert_eq!(path, "/Invoice/cbc:DocumentCurrencyCode"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn entity_declarations_are_refused() {
    let xml = sample_ubl().replacen(
        "<Invoice ",
        "<!DOCTYPE Invoice [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><Invoice ",
        1,
    );
    assert!(matches!(
        read_ubl(xml.as_bytes(), &options()),
        Err(Error::DocTypeNotAllowed)
    ));
}

#[test]
fn limits_on_size_and_depth_are_enforced() {
    let xml = sample_ubl();
    let small = options().with_limits(ReadLimits::new().with_max_bytes(1_000));
    assert!(matches!(
        read_ubl(xml.as_bytes(), &small),
        Err(Error::TooLarge { limit: 1_000 })
    ));
    let shallow = options().with_limits(ReadLimits::new().with_max_depth(4));
    assert!(matches!(
        read_ubl(xml.as_bytes(), &shallow),
        Err(Error::TooDeep { limit: 4, .. })
    ));
}

#[test]
fn other_documents_are_refused() {
    for (xml, what) in [
        ("<Order xmlns=\"urn:x\"/>", "root"),
        ("<Invoice xmlns=\"urn:not-ubl\"/>", "namespace"),
    ] {
        assert!(
            matches!(
                read_ubl(xml.as_bytes(), &options()),
                Err(Error::UnexpectedRoot { .. })
            ),
            "{what}"
        );
    }
}

#[test]
fn truncated_and_mangled_documents_never_panic() {
    let xml = sample_ubl();
    let bytes = xml.as_bytes();
    // Every prefix, and every position with a byte flipped to '<', is an error or an
    // invoice, never a panic.
    for end in (0..bytes.len()).step_by(97) {
        let _ = read_ubl(&bytes[..end], &options());
    }
    for at in (0..bytes.len()).step_by(211) {
        let mut mangled = bytes.to_vec();
        mangled[at] = b'<';
        let _ = read_ubl(mangled.as_slice(), &options());
    }
}

#[test]
fn a_base_quantity_that_is_not_positive_is_reported_with_its_path() {
    let xml = sample_ubl();
    let bad = xml.replacen(
        r#"<cbc:PriceAmount currencyID="EUR">95.00</cbc:PriceAmount>"#,
        r#"<cbc:PriceAmount currencyID="EUR">95.00</cbc:PriceAmount><cbc:BaseQuantity unitCode="C62">0</cbc:BaseQuantity>"#,
        1,
    );
    assert_ne!(bad, xml);
    match read_ubl(bad.as_bytes(), &options()) {
        Err(Error::InvalidValue { path, value, .. }) => {
            assert_eq!(path, "/Invoice/cac:InvoiceLine/cac:Price/cbc:BaseQuantity");
            assert_eq!(value, "0");
        }
        other => panic!("{other:?}"),
    }
}

/// BR-CO-17: a received invoice whose row VAT is a cent off its rounded product (and
/// whose totals follow it) reads with that VAT kept, and is written again as stated.
#[test]
fn a_stated_vat_a_cent_off_is_kept_through_import_and_export() {
    use invoice_core::{
        Address, CountryCode, Currency, InvoiceBuilder, InvoiceId, InvoiceNumber, LineItem, Party,
        TenantId, UnitCode, Vat,
    };
    use rust_decimal_macros::dec;
    let de = Address::new(CountryCode::new("DE").unwrap());
    let invoice = InvoiceBuilder::new(
        InvoiceId::from_uuid(uuid::Uuid::from_u128(3)),
        TenantId::new("t").unwrap(),
        Currency::EUR,
        Party::new("Seller", de.clone()).with_vat_id("DE123456789"),
        Party::new("Buyer", de),
    )
    .issued(
        InvoiceNumber::new("INV-1").unwrap(),
        common::date(2026, 1, 5),
    )
    .line(LineItem::new(
        "1",
        "Widget",
        dec!(1),
        UnitCode::piece(),
        dec!(100.00),
        Vat::standard(dec!(19)),
    ))
    .build()
    .unwrap();
    let written = String::from_utf8(write_ubl(Vec::new(), &invoice).unwrap()).unwrap();
    let stated = written
        .replace(">119.00<", ">TOTAL<")
        .replace(">19.00<", ">19.01<")
        .replace(">TOTAL<", ">119.01<");
    assert_eq!(stated.matches(">19.01<").count(), 2, "{stated}");
    let options = ImportOptions::new(
        InvoiceId::from_uuid(uuid::Uuid::from_u128(3)),
        TenantId::new("t").unwrap(),
    );
    let read = read_ubl(stated.as_bytes(), &options).unwrap();
    assert_eq!(read.stated_vat_amounts().len(), 1);
    let totals = read.totals().unwrap();
    assert_eq!(totals.tax_total(), dec!(19.01));
    assert_eq!(totals.payable_amount(), dec!(119.01));
    let again = String::from_utf8(write_ubl(Vec::new(), &read).unwrap()).unwrap();
    assert!(again.contains(r#"<cbc:TaxAmount currencyID="EUR">19.01</cbc:TaxAmount>"#));
    assert!(again.contains(r#"<cbc:PayableAmount currencyID="EUR">119.01</cbc:PayableAmount>"#));
}

/// A breakdown row with nothing in it, for a category no line uses (EN 16931 allows it):
/// kept on import, listed by the totals, and written again in both syntaxes.
#[cfg(feature = "cii")]
#[test]
fn a_stated_empty_breakdown_row_is_kept() {
    use invoice_core::VatCategory;
    use invoice_export::{read_cii, write_cii};
    let empty_row = r#"<cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">0.00</cbc:TaxableAmount><cbc:TaxAmount currencyID="EUR">0.00</cbc:TaxAmount><cac:TaxCategory><cbc:ID>AE</cbc:ID><cbc:Percent>0</cbc:Percent><cbc:TaxExemptionReason>Reverse charge</cbc:TaxExemptionReason><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:TaxSubtotal></cac:TaxTotal>"#;
    let xml = sample_ubl();
    assert!(xml.contains("</cac:TaxTotal>"));
    let stated = xml.replacen("</cac:TaxTotal>", empty_row, 1);
    let invoice = read_ubl(stated.as_bytes(), &options()).unwrap();
    assert_eq!(invoice.empty_vat_rows().len(), 1);
    let rows = |invoice: &invoice_core::Invoice| -> Vec<(VatCategory, String)> {
        invoice
            .totals()
            .unwrap()
            .vat_breakdown()
            .iter()
            .map(|r| (r.category(), r.taxable_amount().to_string()))
            .collect()
    };
    let computed = rows(&invoice);
    assert_eq!(
        computed.last().unwrap(),
        &(VatCategory::ReverseCharge, "0".to_owned())
    );
    assert_eq!(computed.len(), rows(&common::sample()).len() + 1);
    let again = String::from_utf8(write_ubl(Vec::new(), &invoice).unwrap()).unwrap();
    assert_eq!(
        again.matches("<cac:TaxSubtotal>").count(),
        stated.matches("<cac:TaxSubtotal>").count()
    );
    assert!(again.contains("<cbc:TaxExemptionReason>Reverse charge</cbc:TaxExemptionReason>"));
    let cii = write_cii(Vec::new(), &invoice).unwrap();
    let back = read_cii(cii.as_slice(), &options()).unwrap();
    assert_eq!(back.empty_vat_rows(), invoice.empty_vat_rows());
    assert_eq!(rows(&back), computed);
}
