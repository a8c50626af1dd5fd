//! Suite functions for [`ReportStore`]: generated data, the store's reports against the
//! core's reference computation.

use chrono::{Days, NaiveDate};
use invoice_core::reports::{self, Period, ReportFacts, RevenueGrouping};
use invoice_core::{
    Address, ClientId, CountryCode, Currency, Decimal, Invoice, InvoiceBuilder, InvoiceId,
    LineItem, Party, Payment, PaymentId, TenantId, UnitCode, Vat,
};
use uuid::Uuid;

use super::fixtures::{date, fresh_tenant, new_event_id, t0};
use crate::{InvoiceStore, IssueRequest, ReportStore};

/// A small deterministic generator (xorshift64*), so that a failure reproduces.
struct Numbers(u64);

impl Numbers {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn draft(
    tenant: &TenantId,
    currency: Currency,
    client: ClientId,
    n: &mut Numbers,
) -> InvoiceBuilder {
    let address = Address::new(CountryCode::new("DE").unwrap())
        .with_line("Street 1")
        .with_city("Berlin")
        .with_postal_code("10115");
    let mut builder = InvoiceBuilder::new(
        InvoiceId::from_uuid(Uuid::new_v4()),
        tenant.clone(),
        currency,
        Party::new("Seller GmbH", address.clone()).with_vat_id("DE123456789"),
        Party::new("Buyer AG", address),
    )
    .client(client);
    for line in 0..=n.below(3) {
        let rate = if n.below(3) == 0 { 7 } else { 19 };
        builder = builder.line(LineItem::new(
            (line + 1).to_string(),
            "Service",
            Decimal::from(n.below(5) + 1),
            UnitCode::piece(),
            Decimal::new(i64::try_from(n.below(50_000) + 1).unwrap(), 2),
            Vat::standard(Decimal::from(rate)),
        ));
    }
    builder
}

/// Saves `count` generated documents of `tenant` through the store: drafts, issued
/// invoices over two years in three currencies and four clients, some partly or fully
/// paid, some credited by a credit note.
async fn generate(store: &dyn InvoiceStore, tenant: &TenantId, count: usize, seed: u64) {
    let mut n = Numbers(seed | 1);
    let clients: Vec<ClientId> = (0..4)
        .map(|_| ClientId::from_uuid(Uuid::new_v4()))
        .collect();
    for _ in 0..count {
        let currency = [Currency::EUR, Currency::EUR, Currency::USD, Currency::GBP]
            [usize::try_from(n.below(4)).unwrap()];
        let client = clients[usize::try_from(n.below(4)).unwrap()];
        let issued_on = date(2025, 1, 1) + Days::new(n.below(730));
        let due = issued_on + Days::new(n.below(90));
        let (draft, created) =
            Invoice::create(draft(tenant, currency, client, &mut n).due_date(due)).unwrap();
        let envelope = invoice_core::EventEnvelope::new(new_event_id(), t0(), &draft, created);
        store.create(&draft, &[envelope]).await.unwrap();
        if n.below(10) == 0 {
            continue; // stays a draft
        }
        let request = IssueRequest::new(issued_on, new_event_id(), t0());
        let (mut invoice, _) = store.issue(tenant, draft.id(), &request).await.unwrap();
        match n.below(6) {
            0 | 1 => {
                let due = invoice.amount_due().unwrap();
                let amount = if n.below(2) == 0 {
                    due
                } else {
                    (due / Decimal::from(3)).round_dp(2)
                };
                let version = invoice.version();
                let paid_on = issued_on + Days::new(n.below(60));
                let payment =
                    Payment::new(PaymentId::from_uuid(Uuid::new_v4()), amount, paid_on).unwrap();
                let events = invoice.record_payment(payment).unwrap();
                let envelopes: Vec<_> = events
                    .into_iter()
                    .map(|e| invoice_core::EventEnvelope::new(new_event_id(), t0(), &invoice, e))
                    .collect();
                store.update(&invoice, version, &envelopes).await.unwrap();
            }
            2 => {
                let version = invoice.version();
                let (credit_note, credited) = invoice
                    .credit(InvoiceId::from_uuid(Uuid::new_v4()))
                    .unwrap();
                let envelope =
                    invoice_core::EventEnvelope::new(new_event_id(), t0(), &invoice, credited);
                store.update(&invoice, version, &[envelope]).await.unwrap();
                let created = invoice_core::InvoiceEvent::Created {
                    summary: credit_note.snapshot().unwrap(),
                };
                let envelope =
                    invoice_core::EventEnvelope::new(new_event_id(), t0(), &credit_note, created);
                store.create(&credit_note, &[envelope]).await.unwrap();
                let credited_on = issued_on + Days::new(n.below(30));
                let request = IssueRequest::new(credited_on, new_event_id(), t0());
                store
                    .issue(tenant, credit_note.id(), &request)
                    .await
                    .unwrap();
            }
            _ => {}
        }
    }
}

/// The facts of every document of `tenant`, read back from the store.
async fn facts_of(store: &dyn InvoiceStore, tenant: &TenantId) -> Vec<ReportFacts> {
    let mut facts = Vec::new();
    let mut query = crate::InvoiceQuery::new().page(crate::PageRequest::Offset {
        page: 0,
        size: 1000,
    });
    for page in 0.. {
        query = query.page(crate::PageRequest::Offset { page, size: 1000 });
        let listed = store.list(tenant, &query).await.unwrap();
        if listed.items.is_empty() {
            break;
        }
        for summary in listed.items {
            let invoice = store.get(tenant, summary.id).await.unwrap();
            facts.push(ReportFacts::of(&invoice).unwrap());
        }
    }
    facts
}

/// Every report of the store, over `count` generated documents (and another tenant's),
/// equals the core's reference computation over the same documents, for several dates,
/// ranges and groupings; the other tenant's documents count in none of them.
pub async fn reports_match_the_reference_computation<S>(store: &S, count: usize)
where
    S: InvoiceStore + ReportStore,
{
    let (tenant, other) = (fresh_tenant(), fresh_tenant());
    generate(store, &tenant, count, 0x5eed_0001).await;
    generate(store, &other, count / 10, 0x5eed_0002).await;
    let facts = facts_of(store, &tenant).await;
    assert!(facts.len() >= count, "{} documents read back", facts.len());

    for as_of in [
        date(2025, 3, 1),
        date(2025, 12, 31),
        date(2026, 6, 30),
        date(2028, 1, 1),
    ] {
        let expected = reports::aging(&facts, as_of).unwrap();
        assert_eq!(
            store.aging(&tenant, as_of).await.unwrap(),
            expected,
            "aging as of {as_of}"
        );
    }
    let ranges: [(NaiveDate, NaiveDate); 3] = [
        (date(2025, 1, 1), date(2026, 12, 31)),
        (date(2025, 4, 1), date(2025, 6, 30)),
        (date(2026, 2, 1), date(2026, 2, 28)),
    ];
    for (from, to) in ranges {
        for by in [
            RevenueGrouping::Period(Period::Day),
            RevenueGrouping::Period(Period::Month),
            RevenueGrouping::Period(Period::Quarter),
            RevenueGrouping::Period(Period::Year),
            RevenueGrouping::Client,
        ] {
            let expected = reports::revenue(&facts, from, to, by).unwrap();
            let got = store.revenue(&tenant, from, to, by).await.unwrap();
            assert_eq!(got, expected, "revenue {from}..{to} by {by:?}");
        }
        let expected = reports::vat_summary(&facts, from, to).unwrap();
        assert_eq!(
            store.vat_summary(&tenant, from, to).await.unwrap(),
            expected,
            "VAT {from}..{to}"
        );
    }
    // The generated data has what the reports must handle.
    let all = reports::revenue(
        &facts,
        date(2025, 1, 1),
        date(2026, 12, 31),
        RevenueGrouping::Client,
    )
    .unwrap();
    assert!(
        all.iter()
            .map(|r| r.currency)
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            >= 3
    );
    assert!(facts.iter().any(|f| f.credit_note) && facts.iter().any(|f| f.status.is_draft()));
    let aging = store.aging(&tenant, date(2026, 6, 30)).await.unwrap();
    assert!(aging
        .totals
        .iter()
        .any(|t| t.amounts.over_90 > Decimal::ZERO));
    let mine = store.aging(&other, date(2028, 1, 1)).await.unwrap();
    let other_facts = facts_of(store, &other).await;
    assert_eq!(
        mine,
        reports::aging(&other_facts, date(2028, 1, 1)).unwrap(),
        "tenants apart"
    );
}
