//! Generated invoices of every VAT category, exported in both syntaxes into the export
//! folder for the validator, and read back with the same totals.
#![cfg(all(feature = "ubl", feature = "cii"))]

mod common;

use common::date;
use invoice_core::{
    Address, AllowanceCharge, CountryCode, Currency, Delivery, Invoice, InvoiceBuilder, InvoiceId,
    InvoiceNumber, InvoicePeriod, LineItem, Party, PaymentMeans, TenantId, UnitCode, Vat,
    VatCategory, VatExemption,
};
use invoice_export::{read_cii, read_ubl, write_cii, write_ubl, ImportOptions};
use rust_decimal_macros::dec;
use uuid::Uuid;

fn party(name: &str, country: &str, vat_id: Option<&str>) -> Party {
    let party = Party::new(
        name,
        Address::new(CountryCode::new(country).unwrap())
            .with_line("Main street 1")
            .with_city("City")
            .with_postal_code("12345"),
    )
    .with_legal_id(format!("REG-{country}-1"));
    match vat_id {
        Some(id) => party.with_vat_id(id),
        None => party,
    }
}

/// An invoice whose lines and document charge are all in `category`, with the parties,
/// exemption reason and delivery that the category's rules (BR-x-01..BR-x-10) ask for.
fn invoice_of(category: VatCategory) -> Invoice {
    let rate = match category {
        VatCategory::Standard => dec!(19),
        VatCategory::CanaryIslands => dec!(7),
        VatCategory::CeutaMelilla => dec!(4),
        VatCategory::Transferred => dec!(22),
        _ => dec!(0),
    };
    let vat = Vat::new(category, rate);
    let (seller, buyer) = match category {
        VatCategory::OutsideScope => (
            party("Seller Ltd", "DE", None)
                .with_identifier("4000001000005")
                .with_identifier_scheme("0088"),
            party("Buyer Ltd", "DE", None),
        ),
        VatCategory::ReverseCharge => (
            party("Seller Ltd", "DE", Some("DE123456789")),
            party("Buyer Ltd", "DE", Some("DE987654321")),
        ),
        VatCategory::IntraCommunity => (
            party("Seller Ltd", "DE", Some("DE123456789")),
            party("Acheteur SA", "FR", Some("FR12345678901")),
        ),
        VatCategory::Export => (
            party("Seller Ltd", "DE", Some("DE123456789")),
            party("Buyer Inc", "US", None),
        ),
        VatCategory::CanaryIslands | VatCategory::CeutaMelilla => (
            party("Vendedor SL", "ES", Some("ESB12345678")),
            party("Comprador SL", "ES", Some("ESB87654321")),
        ),
        VatCategory::Transferred => (
            party("Venditore Srl", "IT", Some("IT12345678901")),
            party("Comune di Roma", "IT", Some("IT02438750586")),
        ),
        _ => (
            party("Seller Ltd", "DE", Some("DE123456789")),
            party("Buyer Ltd", "DE", None),
        ),
    };
    let exemption = match category {
        VatCategory::Exempt => {
            Some(VatExemption::reason("Exempt under Art. 132").with_code("VATEX-EU-132"))
        }
        VatCategory::ReverseCharge => {
            Some(VatExemption::reason("Reverse charge").with_code("VATEX-EU-AE"))
        }
        VatCategory::IntraCommunity => {
            Some(VatExemption::reason("Intra-community supply").with_code("VATEX-EU-IC"))
        }
        VatCategory::Export => {
            Some(VatExemption::reason("Export outside the EU").with_code("VATEX-EU-G"))
        }
        VatCategory::OutsideScope => {
            Some(VatExemption::reason("Not subject to VAT").with_code("VATEX-EU-O"))
        }
        _ => None,
    };
    let line = |id: &str, qty, price| {
        let line = LineItem::new(id, format!("Item {id}"), qty, UnitCode::piece(), price, vat);
        match &exemption {
            Some(e) => line.with_exemption(e.clone()),
            None => line,
        }
    };
    let code = category.code();
    let mut builder = InvoiceBuilder::new(
        InvoiceId::from_uuid(Uuid::from_u128(100)),
        TenantId::new("categories").unwrap(),
        Currency::EUR,
        seller,
        buyer,
    )
    .issued(
        InvoiceNumber::new(format!("CAT-{code}")).unwrap(),
        date(2026, 3, 31),
    )
    .due_date(date(2026, 4, 30))
    .payment_terms("30 days net")
    .period(
        InvoicePeriod::new()
            .with_start(date(2026, 3, 1))
            .with_end(date(2026, 3, 31)),
    )
    .payment_means(
        PaymentMeans::new("58")
            .with_account_id("DE75512108001245126199")
            .with_account_name("Seller Ltd")
            .with_remittance_information(format!("CAT-{code}")),
    )
    .line(line("1", dec!(3), dec!(19.99)))
    .line(line("2", dec!(1.5), dec!(120.00)))
    .allowance_charge(
        AllowanceCharge::charge(dec!(7.50))
            .with_vat(vat)
            .with_reason("Freight"),
    );
    if category == VatCategory::IntraCommunity {
        builder = builder.delivery(
            Delivery::new()
                .with_date(date(2026, 3, 20))
                .with_party_name("Acheteur SA, entrepôt")
                .with_address(Address::new(CountryCode::new("FR").unwrap()).with_city("Lyon")),
        );
    }
    builder.build().unwrap()
}

fn options() -> ImportOptions {
    ImportOptions::new(
        InvoiceId::from_uuid(Uuid::from_u128(100)),
        TenantId::new("categories").unwrap(),
    )
}

#[test]
fn every_vat_category_exports_in_both_syntaxes_and_reads_back() {
    for category in VatCategory::ALL {
        let invoice = invoice_of(category);
        let code = category.code().to_lowercase();
        let ubl = write_ubl(Vec::new(), &invoice).unwrap();
        let cii = write_cii(Vec::new(), &invoice).unwrap();
        common::write_export(&format!("category-{code}.ubl.xml"), &ubl);
        // Factur-X's category list has no B (split payment): plain EN 16931 only.
        let cii_name = if category == VatCategory::Transferred {
            format!("en16931-profile/category-{code}.cii.xml")
        } else {
            format!("category-{code}.cii.xml")
        };
        common::write_export(&cii_name, &cii);
        let totals = invoice.totals().unwrap();
        for back in [
            read_ubl(ubl.as_slice(), &options()).unwrap(),
            read_cii(cii.as_slice(), &options()).unwrap(),
        ] {
            assert_eq!(back.totals().unwrap(), totals, "{code}");
            assert_eq!(back.delivery(), invoice.delivery(), "{code}");
            assert_eq!(back.period(), invoice.period(), "{code}");
            assert_eq!(back.payment_means(), invoice.payment_means(), "{code}");
        }
    }
}

/// Found by the round-trip fuzz target: two exempt lines of one VAT group with different
/// reasons were written with the first reason only, and read back with it on both. A
/// document states one reason per group, so the writers now refuse the invoice.
#[test]
fn lines_of_one_group_with_different_exemption_reasons_are_refused() {
    let exempt = Vat::new(VatCategory::Exempt, dec!(0));
    let line = |id: &str, reason: &str| {
        LineItem::new(id, "Book", dec!(1), UnitCode::piece(), dec!(10), exempt)
            .with_exemption(VatExemption::reason(reason).with_code("VATEX-EU-132"))
    };
    let build = |second: &str| {
        InvoiceBuilder::new(
            InvoiceId::from_uuid(Uuid::from_u128(9)),
            TenantId::new("t").unwrap(),
            Currency::EUR,
            party("Seller Ltd", "DE", Some("DE123456789")),
            party("Buyer Ltd", "DE", None),
        )
        .issued(InvoiceNumber::new("X-1").unwrap(), date(2026, 1, 1))
        .line(line("1", "Books"))
        .line(line("2", second))
        .build()
        .unwrap()
    };
    let differing = build("Medical");
    for written in [
        write_ubl(Vec::new(), &differing).map(drop),
        write_cii(Vec::new(), &differing).map(drop),
    ] {
        match written {
            Err(invoice_export::Error::InvalidValue { value, reason, .. }) => {
                assert!(value.contains("Medical"), "{value}");
                assert!(
                    reason.contains("E 0") && reason.contains("Books"),
                    "{reason}"
                );
            }
            other => panic!("{other:?}"),
        }
    }
    // The same reason on both lines is written, once.
    let same = build("Books");
    let ubl = String::from_utf8(write_ubl(Vec::new(), &same).unwrap()).unwrap();
    assert_eq!(ubl.matches("<cbc:TaxExemptionReason>Books<").count(), 1);
    assert!(write_cii(Vec::new(), &same).is_ok());
}
