//! The in-process demo: with `MESSAGING=inprocess` nothing else publishes to the worker,
//! so `main` plays a few invoices through an in-memory store and its outbox, the way
//! `invoice-service` would, to show every mail the worker sends; `main` also makes their
//! reminders, as the service would, and sends them as of a month later.

use std::sync::Arc;

use chrono::{DateTime, Days, NaiveDate, Utc};
use invoice_core::{
    Address, CountryCode, Currency, Decimal, EventEnvelope, EventId, Invoice, InvoiceBuilder,
    InvoiceId, InvoicePatch, LineItem, Party, Payment, PaymentId, TenantId, UnitCode, Vat,
};
use invoice_messaging::{OutboxRelay, Publisher};
use invoice_storage::{InMemoryStore, InvoiceStore, IssueRequest};
use uuid::Uuid;

fn event_id() -> EventId {
    EventId::from_uuid(Uuid::new_v4())
}

fn draft(tenant: &TenantId, email: &str, due: NaiveDate) -> anyhow::Result<InvoiceBuilder> {
    let address = Address::new(CountryCode::new("DE")?)
        .with_line("Hauptstraße 1")
        .with_city("Berlin")
        .with_postal_code("10115");
    Ok(InvoiceBuilder::new(
        InvoiceId::from_uuid(Uuid::new_v4()),
        tenant.clone(),
        Currency::EUR,
        Party::new("Demo Seller GmbH", address.clone()).with_vat_id("DE123456789"),
        Party::new("Demo Buyer AG", address).with_email(email),
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

async fn create(
    store: &InMemoryStore,
    builder: InvoiceBuilder,
    now: DateTime<Utc>,
) -> anyhow::Result<Invoice> {
    let (invoice, event) = Invoice::create(builder)?;
    let envelope = EventEnvelope::new(event_id(), now, &invoice, event);
    store.create(&invoice, &[envelope]).await?;
    Ok(invoice)
}

/// Plays four invoices through the store and publishes their events with an outbox relay:
/// one changed and issued, due in five days (reminded three days before, and overdue the
/// day after); one issued long after its due date (overdue the next morning); one issued
/// and paid (its reminders cancelled); one deleted as a draft. Returns the number of
/// events published.
///
/// # Errors
///
/// When a store or broker call fails (none should, in memory).
pub async fn publish(publisher: Arc<dyn Publisher>, today: NaiveDate) -> anyhow::Result<usize> {
    let store = InMemoryStore::new();
    let tenant = TenantId::new("demo")?;
    let now = Utc::now();
    let email = "buyer@example.com";
    let days = |n| Days::new(n);

    let soon = create(&store, draft(&tenant, email, today + days(10))?, now).await?;
    let mut changed = soon.clone();
    let event = changed
        .update(InvoicePatch::new().due_date(Some(today + days(5))))?
        .into_iter()
        .map(|e| EventEnvelope::new(event_id(), now, &changed, e))
        .collect::<Vec<_>>();
    store.update(&changed, soon.version(), &event).await?;
    store
        .issue(
            &tenant,
            soon.id(),
            &IssueRequest::new(today, event_id(), now),
        )
        .await?;

    let issued_long_ago = today - days(30);
    let late = create(&store, draft(&tenant, email, today - days(16))?, now).await?;
    store
        .issue(
            &tenant,
            late.id(),
            &IssueRequest::new(issued_long_ago, event_id(), now),
        )
        .await?;

    let paid = create(&store, draft(&tenant, email, today + days(30))?, now).await?;
    let (mut paid, _) = store
        .issue(
            &tenant,
            paid.id(),
            &IssueRequest::new(today, event_id(), now),
        )
        .await?;
    let version = paid.version();
    let amount = paid.amount_due()?;
    let events = paid
        .record_payment(Payment::new(
            PaymentId::from_uuid(Uuid::new_v4()),
            amount,
            today,
        )?)?
        .into_iter()
        .map(|e| EventEnvelope::new(event_id(), now, &paid, e))
        .collect::<Vec<_>>();
    store.update(&paid, version, &events).await?;

    let mut withdrawn = create(&store, draft(&tenant, email, today + days(30))?, now).await?;
    let version = withdrawn.version();
    let deleted = withdrawn.delete()?;
    let event = EventEnvelope::new(event_id(), now, &withdrawn, deleted);
    store
        .delete(&tenant, withdrawn.id(), version, &[event])
        .await?;

    let relay = OutboxRelay::new(Arc::new(store), publisher);
    let mut published = 0;
    loop {
        match relay.run_once(now).await? {
            0 => return Ok(published),
            n => published += n,
        }
    }
}
