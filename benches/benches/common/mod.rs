//! What the storage benchmarks share: the invoices they store.

use chrono::{NaiveDate, Utc};
use invoice_core::{
    Address, ClientId, CountryCode, Currency, EventEnvelope, EventId, Invoice, InvoiceBuilder,
    InvoiceId, LineItem, Party, TenantId, UnitCode, Vat,
};
use rust_decimal::Decimal;
use uuid::Uuid;

/// A 10-line draft of `tenant` (buyer `Buyer {i}`, due 1 to 60 days after 2026-12-01),
/// of `client` when given, with its `Created` event.
pub(crate) fn draft(
    tenant: &TenantId,
    client: Option<ClientId>,
    i: u64,
) -> (Invoice, EventEnvelope) {
    let address = Address::new(CountryCode::new("DE").unwrap())
        .with_city("Berlin")
        .with_postal_code("10115");
    let mut builder = InvoiceBuilder::new(
        InvoiceId::from_uuid(Uuid::new_v4()),
        tenant.clone(),
        Currency::EUR,
        Party::new("Seller GmbH", address.clone()).with_vat_id("DE123456789"),
        Party::new(format!("Buyer {i}"), address),
    )
    .due_date(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap() + chrono::Days::new(i % 60))
    .lines((1..=10).map(|n| {
        LineItem::new(
            n.to_string(),
            "Service",
            Decimal::new(n, 0),
            UnitCode::piece(),
            Decimal::new(1999, 2),
            Vat::standard(Decimal::new(19, 0)),
        )
    }));
    if let Some(client) = client {
        builder = builder.client(client);
    }
    let (invoice, event) = Invoice::create(builder).unwrap();
    let envelope = EventEnvelope::new(
        EventId::from_uuid(Uuid::new_v4()),
        Utc::now(),
        &invoice,
        event,
    );
    (invoice, envelope)
}
