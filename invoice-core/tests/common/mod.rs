//! Fixtures shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use invoice_core::{
    Address, AllowanceCharge, CountryCode, Currency, InvoiceBuilder, InvoiceId, LineItem, Party,
    TenantId, UnitCode, Vat,
};
use rust_decimal_macros::dec;
use uuid::Uuid;

/// A calendar date.
pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A UTC time on the hour.
pub fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

/// A fixed UUID.
pub fn uuid(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// A German seller with a VAT id.
pub fn seller() -> Party {
    Party::new(
        "Muster GmbH",
        Address::new(CountryCode::new("DE").unwrap())
            .with_line("Hauptstr. 1")
            .with_city("Berlin")
            .with_postal_code("10115"),
    )
    .with_vat_id("DE123456789")
}

/// A German buyer with an e-mail address.
pub fn buyer() -> Party {
    Party::new(
        "Kunde AG",
        Address::new(CountryCode::new("DE").unwrap())
            .with_city("Hamburg")
            .with_postal_code("20095"),
    )
    .with_email("ap@kunde.example")
}

/// A valid draft: two rates, a document allowance and a charge; payable 942.08 EUR.
pub fn draft() -> InvoiceBuilder {
    let vat19 = Vat::standard(dec!(19));
    let vat7 = Vat::standard(dec!(7));
    InvoiceBuilder::new(
        InvoiceId::from_uuid(uuid(1)),
        TenantId::new("muster").unwrap(),
        Currency::EUR,
        seller(),
        buyer(),
    )
    .due_date(date(2026, 12, 24))
    .line(LineItem::new(
        "1",
        "Consulting",
        dec!(8),
        UnitCode::hour(),
        dec!(95.00),
        vat19,
    ))
    .line(LineItem::new(
        "2",
        "Handbook",
        dec!(3),
        UnitCode::piece(),
        dec!(24.90),
        vat7,
    ))
    .allowance_charge(
        AllowanceCharge::allowance(dec!(40.00))
            .with_vat(vat19)
            .with_reason("Loyalty discount"),
    )
    .allowance_charge(
        AllowanceCharge::charge(dec!(5.00))
            .with_vat(vat7)
            .with_reason("Shipping"),
    )
}
