//! Invoices shared by the integration tests, and a golden-file helper.
#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;

use chrono::{NaiveDate, TimeZone, Utc};
use invoice_core::{
    Address, AllowanceCharge, AllowanceChargeAmount, AllowanceChargeKind, Contact, CountryCode,
    Currency, Invoice, InvoiceBuilder, InvoiceId, InvoiceNumber, LineItem, Note, NoteId, Party,
    TenantId, UnitCode, Vat, VatExemption,
};
use rust_decimal_macros::dec;
use uuid::Uuid;

// Where the official examples are: the same file as the library's unit tests use.
#[path = "../../src/test_data.rs"]
pub(crate) mod test_data;

pub mod stated;

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn seller() -> Party {
    Party::new(
        "Muster GmbH",
        Address::new(CountryCode::new("DE").unwrap())
            .with_line("Hauptstraße 1")
            .with_line("Hinterhaus")
            .with_city("Berlin")
            .with_postal_code("10115"),
    )
    .with_trading_name("Muster")
    .with_vat_id("DE123456789")
    .with_legal_id("HRB 12345")
    .with_email("billing@muster.example")
    .with_contact(
        Contact::new()
            .with_name("Erika Muster")
            .with_phone("+49 30 1234567")
            .with_email("erika@muster.example"),
    )
}

pub fn buyer() -> Party {
    Party::new(
        "Kunde & Söhne AG",
        Address::new(CountryCode::new("DE").unwrap())
            .with_line("Elbchaussee 2")
            .with_city("Hamburg")
            .with_postal_code("20095"),
    )
    .with_vat_id("DE987654321")
    .with_email("ap@kunde.example")
}

/// An issued invoice with two rates, an exempt line, a line allowance, a gross price, a
/// document allowance and charge, a note, a negative line and hostile text.
pub fn sample() -> Invoice {
    let s19 = Vat::standard(dec!(19));
    let s7 = Vat::standard(dec!(7));
    InvoiceBuilder::new(
        InvoiceId::from_uuid(Uuid::from_u128(0x5eed)),
        TenantId::new("muster").unwrap(),
        Currency::EUR,
        seller(),
        buyer(),
    )
    .issued(
        InvoiceNumber::new("INV-2026-00042").unwrap(),
        date(2026, 11, 24),
    )
    .due_date(date(2026, 12, 24))
    .buyer_reference("PO-4711")
    .payment_terms("30 days net")
    .line(
        LineItem::new(
            "1",
            "Consulting",
            dec!(8),
            UnitCode::hour(),
            dec!(95.00),
            s19,
        )
        .with_description("On site, <Berlin> & remote"),
    )
    .line(
        LineItem::new("2", "Handbook", dec!(2), UnitCode::piece(), dec!(24.90), s7)
            .with_gross_price(dec!(27.00))
            .with_allowance_charge(
                percent(AllowanceChargeKind::Allowance, dec!(10), dec!(49.80))
                    .with_reason("Volume discount")
                    .with_reason_code("95"),
            ),
    )
    .line(LineItem::new(
        "3",
        "=HYPERLINK(\"http://evil.example\")",
        dec!(-1),
        UnitCode::piece(),
        dec!(12.50),
        s19,
    ))
    .line(
        LineItem::new(
            "4",
            "Medical textbook",
            dec!(1),
            UnitCode::piece(),
            dec!(30.00),
            Vat::exempt(),
        )
        .with_exemption(VatExemption::reason("Exempt under §4 UStG").with_code("VATEX-EU-132")),
    )
    .allowance_charge(
        AllowanceCharge::allowance(dec!(40.00))
            .with_vat(s19)
            .with_reason("Loyalty discount")
            .with_reason_code("95"),
    )
    .allowance_charge(
        AllowanceCharge::charge(dec!(5.00))
            .with_vat(s19)
            .with_reason("Freight")
            .with_reason_code("FC"),
    )
    .note(
        Note::new(
            NoteId::from_uuid(Uuid::from_u128(1)),
            "admin",
            "Thank you for your business",
            Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap(),
        )
        .unwrap(),
    )
    .build()
    .unwrap()
}

/// A percentage allowance or charge with a stated base.
pub fn percent(
    kind: AllowanceChargeKind,
    percent: rust_decimal::Decimal,
    base: rust_decimal::Decimal,
) -> AllowanceCharge {
    AllowanceCharge::new(
        kind,
        AllowanceChargeAmount::Percentage {
            percent,
            base: Some(base),
        },
    )
}

/// The path of a golden file in `tests/golden/`.
pub fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

/// Compares `actual` with the golden file `name`; with `UPDATE_GOLDEN=1`, rewrites it.
pub fn assert_golden(name: &str, actual: &[u8]) {
    let path = golden_path(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create it)",
            path.display()
        )
    });
    if expected != actual {
        panic!(
            "{} differs from the output:\n--- expected\n{}\n--- actual\n{}",
            path.display(),
            String::from_utf8_lossy(&expected),
            String::from_utf8_lossy(actual)
        );
    }
}

/// Writes an exported document into the export folder the validator reads
/// (`EXPORT_DIR`, or `exports/` in the test scratch dir).
pub fn write_export(name: &str, bytes: &[u8]) {
    let dir = std::env::var_os("EXPORT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("exports"));
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}
