//! Invoices meant for a network or a CIUS, written in both syntaxes: XRechnung (KoSIT's
//! CIUS for German public buyers) and Peppol BIS Billing 3.0. Each document goes into
//! the export folder (`EXPORT_DIR`), where `.ci/run` holds the XRechnung ones to
//! `validate --xrechnung` and the Peppol ones to `validate --peppol`; here each is read
//! back to the same invoice.
#![cfg(all(feature = "ubl", feature = "cii"))]

mod common;

use invoice_core::{
    Address, Contact, CountryCode, Currency, Delivery, ElectronicAddress, Invoice, InvoiceBuilder,
    InvoiceId, InvoiceNumber, LineItem, Party, PaymentMeans, Specification, TenantId, UnitCode,
    Vat,
};
use invoice_export::{
    read_cii_with_warnings, read_ubl_with_warnings, write_cii, write_ubl, ImportOptions,
};
use rust_decimal_macros::dec;
use uuid::Uuid;

fn options() -> ImportOptions {
    ImportOptions::new(
        InvoiceId::from_uuid(Uuid::from_u128(7)),
        TenantId::new("networks").unwrap(),
    )
}

/// A German seller with everything XRechnung asks of one: a contact with name, phone and
/// e-mail (BR-DE-2, BR-DE-5 to BR-DE-7), city and post code (BR-DE-3, BR-DE-4), and an
/// electronic address (BT-34, which XRechnung 3 requires of both parties).
fn german_seller() -> Party {
    Party::new(
        "Muster GmbH",
        Address::new(CountryCode::new("DE").unwrap())
            .with_line("Hauptstraße 1")
            .with_city("Berlin")
            .with_postal_code("10115"),
    )
    .with_vat_id("DE123456789")
    .with_electronic_address(ElectronicAddress::email("billing@muster.example").unwrap())
    .with_contact(
        Contact::new()
            .with_name("Erika Muster")
            .with_phone("+49 30 1234567")
            .with_email("erika@muster.example"),
    )
}

fn public_buyer() -> Party {
    Party::new(
        "Bundesamt für Beispiele",
        Address::new(CountryCode::new("DE").unwrap())
            .with_line("Amtsweg 3")
            .with_city("Bonn")
            .with_postal_code("53113"),
    )
    .with_electronic_address(ElectronicAddress::new("0204", "991-01234-56").unwrap())
}

fn builder(
    number: &str,
    specification: Specification,
    seller: Party,
    buyer: Party,
) -> InvoiceBuilder {
    InvoiceBuilder::new(
        InvoiceId::from_uuid(Uuid::from_u128(7)),
        TenantId::new("networks").unwrap(),
        Currency::EUR,
        seller,
        buyer,
    )
    .specification(specification)
    .issued(
        InvoiceNumber::new(number).unwrap(),
        common::date(2026, 11, 24),
    )
    .due_date(common::date(2026, 12, 24))
    // The date of supply (BR-DE-TMP-32 asks for one).
    .delivery(Delivery::new().with_date(common::date(2026, 11, 20)))
    .payment_terms("30 Tage netto")
    .payment_means(
        PaymentMeans::new("58")
            .with_account_id("DE89370400440532013000")
            .with_account_name("Muster GmbH")
            .with_remittance_information("RE-2026-1"),
    )
    .line(LineItem::new(
        "1",
        "Beratung",
        dec!(8),
        UnitCode::hour(),
        dec!(120.00),
        Vat::standard(dec!(19)),
    ))
    .line(LineItem::new(
        "2",
        "Fachbuch",
        dec!(2),
        UnitCode::piece(),
        dec!(39.90),
        Vat::standard(dec!(7)),
    ))
}

/// An XRechnung 3.0 invoice to a German public buyer, who is addressed by its Leitweg-ID
/// (BT-10, BR-DE-15).
fn xrechnung() -> Invoice {
    builder(
        "RE-2026-1",
        Specification::xrechnung_3(),
        german_seller(),
        public_buyer(),
    )
    .buyer_reference("991-01234-56")
    .build()
    .unwrap()
}

/// A Peppol BIS Billing 3.0 invoice between a Dutch and a Swedish company, addressed by
/// their Peppol participant ids (BT-34, BT-49).
fn peppol() -> Invoice {
    let seller = Party::new(
        "Leverancier BV",
        Address::new(CountryCode::new("NL").unwrap())
            .with_line("Kade 1")
            .with_city("Rotterdam")
            .with_postal_code("3011 AA"),
    )
    .with_vat_id("NL123456789B01")
    .with_legal_id("12345678")
    .with_legal_id_scheme("0106")
    .with_electronic_address(ElectronicAddress::new("0106", "12345678").unwrap());
    let buyer = Party::new(
        "Köpare AB",
        Address::new(CountryCode::new("SE").unwrap())
            .with_line("Storgatan 1")
            .with_city("Stockholm")
            .with_postal_code("111 22"),
    )
    .with_vat_id("SE556677889901")
    .with_electronic_address(ElectronicAddress::new("0007", "5566778899").unwrap());
    builder(
        "INV-2026-7",
        Specification::peppol_bis_billing_3(),
        seller,
        buyer,
    )
    .buyer_reference("PO-4711")
    .build()
    .unwrap()
}

/// Writes `invoice` in both syntaxes into `folder` of the export folder and reads each
/// back: the same invoice as far as a document carries it, and nothing unmapped.
fn export_and_read_back(name: &str, folder: &str, invoice: &Invoice) {
    let dir = std::env::var_os("EXPORT_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("exports"))
        .join(folder);
    std::fs::create_dir_all(&dir).unwrap();
    let ubl = write_ubl(Vec::new(), invoice).unwrap();
    let cii = write_cii(Vec::new(), invoice).unwrap();
    std::fs::write(dir.join(format!("{name}.ubl.xml")), &ubl).unwrap();
    std::fs::write(dir.join(format!("{name}.cii.xml")), &cii).unwrap();
    for (syntax, imported) in [
        ("UBL", read_ubl_with_warnings(&ubl, &options()).unwrap()),
        ("CII", read_cii_with_warnings(&cii, &options()).unwrap()),
    ] {
        assert!(
            imported.warnings.is_empty(),
            "{syntax}: {:?}",
            imported.warnings
        );
        common::stated::compare(invoice, &imported.invoice)
            .unwrap_or_else(|e| panic!("{syntax}: {e}"));
        assert_eq!(imported.invoice.specification(), invoice.specification());
    }
}

#[test]
fn an_xrechnung_invoice_is_written_for_its_cius_and_reads_back() {
    let invoice = xrechnung();
    assert!(invoice.specification().unwrap().is_xrechnung());
    export_and_read_back("xrechnung-invoice", "xrechnung", &invoice);
}

#[test]
fn a_peppol_invoice_is_written_for_peppol_and_reads_back() {
    let invoice = peppol();
    assert!(invoice.specification().unwrap().is_peppol());
    export_and_read_back("peppol-invoice", "peppol", &invoice);
}
