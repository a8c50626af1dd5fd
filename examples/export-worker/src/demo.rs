//! The in-process demo: with `MESSAGING=inprocess` and the in-memory store nothing else
//! writes invoices or publishes events, so `main` issues two invoices into the store and
//! publishes their events through the store's outbox, as `invoice-service` would.

use std::sync::Arc;

use chrono::{Days, NaiveDate, Utc};
use invoice_core::{
    Address, ClientId, CountryCode, Currency, Decimal, EventEnvelope, EventId, Invoice,
    InvoiceBuilder, InvoiceId, LineItem, Party, TenantId, UnitCode, Vat,
};
use invoice_messaging::{OutboxRelay, Publisher};
use invoice_storage::{InMemoryStore, InvoiceStore, IssueRequest};
use uuid::Uuid;

fn event_id() -> EventId {
    EventId::from_uuid(Uuid::new_v4())
}

fn draft(tenant: &TenantId, due: NaiveDate) -> anyhow::Result<InvoiceBuilder> {
    let address = Address::new(CountryCode::new("DE")?)
        .with_line("Hauptstraße 1")
        .with_city("Berlin")
        .with_postal_code("10115");
    Ok(InvoiceBuilder::new(
        InvoiceId::from_uuid(Uuid::new_v4()),
        tenant.clone(),
        Currency::EUR,
        Party::new("Demo Seller GmbH", address.clone()).with_vat_id("DE123456789"),
        Party::new("Demo Buyer AG", address),
    )
    .due_date(due)
    .line(LineItem::new(
        "1",
        "Consulting",
        Decimal::new(2, 0),
        UnitCode::hour(),
        Decimal::new(12000, 2),
        Vat::standard(Decimal::new(19, 0)),
    )))
}

/// Creates and issues two invoices in `store` (one linked to a client record, one not)
/// and publishes their events; returns how many `Issued` events were published.
///
/// # Errors
///
/// When a store or broker call fails (none should, in memory).
pub async fn publish(
    store: &InMemoryStore,
    publisher: Arc<dyn Publisher>,
    today: NaiveDate,
) -> anyhow::Result<u64> {
    let tenant = TenantId::new("demo")?;
    let now = Utc::now();
    let client = ClientId::from_uuid(Uuid::new_v4());
    let due = today + Days::new(30);
    for builder in [draft(&tenant, due)?.client(client), draft(&tenant, due)?] {
        let (invoice, created) = Invoice::create(builder)?;
        let envelope = EventEnvelope::new(event_id(), now, &invoice, created);
        store.create(&invoice, &[envelope]).await?;
        let request = IssueRequest::new(today, event_id(), now);
        store.issue(&tenant, invoice.id(), &request).await?;
    }
    let relay = OutboxRelay::new(Arc::new(store.clone()), publisher);
    while relay.run_once(now).await? > 0 {}
    Ok(2)
}
