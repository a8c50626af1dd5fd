//! Invoices and ids for the suite.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use invoice_core::Decimal;
use invoice_core::{
    Address, CountryCode, Currency, EventEnvelope, EventId, Invoice, InvoiceBuilder, InvoiceId,
    InvoicePatch, LineItem, Party, Payment, PaymentId, TenantId, UnitCode, Vat,
};

use crate::InvoiceStore;
use uuid::Uuid;

/// A tenant id no other test uses.
pub fn fresh_tenant() -> TenantId {
    TenantId::new(format!("t-{}", Uuid::new_v4().simple())).expect("valid tenant id")
}

/// A fresh id.
pub(crate) fn new_id() -> InvoiceId {
    InvoiceId::from_uuid(Uuid::new_v4())
}

/// A fresh event id.
pub(crate) fn new_event_id() -> EventId {
    EventId::from_uuid(Uuid::new_v4())
}

/// A fixed point in time.
pub(crate) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap()
}

/// A calendar date.
pub(crate) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A valid draft for `tenant` to `buyer`: one line of 100.00 at 19 %.
pub fn draft(tenant: &TenantId, buyer: &str) -> InvoiceBuilder {
    let address = |city: &str| {
        Address::new(CountryCode::new("DE").unwrap())
            .with_line("Street 1")
            .with_city(city)
            .with_postal_code("10115")
    };
    InvoiceBuilder::new(
        new_id(),
        tenant.clone(),
        Currency::EUR,
        Party::new("Seller GmbH", address("Berlin")).with_vat_id("DE123456789"),
        Party::new(buyer, address("Hamburg")),
    )
    .due_date(date(2026, 12, 24))
    .line(LineItem::new(
        "1",
        "Service",
        Decimal::ONE,
        UnitCode::piece(),
        Decimal::ONE_HUNDRED,
        Vat::standard(Decimal::new(19, 0)),
    ))
}

/// `invoice` as created, with its `Created` event.
pub(crate) fn created(builder: InvoiceBuilder) -> (Invoice, EventEnvelope) {
    let (invoice, event) = Invoice::create(builder).unwrap();
    let envelope = EventEnvelope::new(new_event_id(), t0(), &invoice, event);
    (invoice, envelope)
}

/// A copy of `invoice` with its payment terms set to `terms`, and the envelope of the
/// event the change made (the invoice, one version on).
pub(crate) fn with_payment_terms(invoice: &Invoice, terms: &str) -> (Invoice, EventEnvelope) {
    let mut changed = invoice.clone();
    let event = changed
        .update(InvoicePatch::new().payment_terms(Some(terms.into())))
        .unwrap()
        .unwrap();
    let envelope = EventEnvelope::new(new_event_id(), t0(), &changed, event);
    (changed, envelope)
}

/// Records a payment of `amount` received `on` for `invoice` and saves it in `store`:
/// the events the payment made (`PaymentRecorded`, and `Paid` when nothing is left due).
pub(crate) async fn pay(
    store: &dyn InvoiceStore,
    invoice: &mut Invoice,
    amount: Decimal,
    on: NaiveDate,
) -> Vec<EventEnvelope> {
    let version = invoice.version();
    let payment = Payment::new(PaymentId::from_uuid(Uuid::new_v4()), amount, on).unwrap();
    let events: Vec<_> = invoice
        .record_payment(payment)
        .unwrap()
        .into_iter()
        .map(|e| EventEnvelope::new(new_event_id(), t0(), invoice, e))
        .collect();
    store.update(invoice, version, &events).await.unwrap();
    events
}
