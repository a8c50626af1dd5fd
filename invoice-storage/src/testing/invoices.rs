//! Suite functions for [`InvoiceStore`] (its history with [`OutboxStore`] too).

use std::collections::BTreeSet;
use std::sync::Arc;

use invoice_core::{
    EventEnvelope, Invoice, InvoicePatch, InvoiceStatus, LineItem, NumberSeries, UnitCode, Vat,
};
use tokio::task::JoinSet;

use super::fixtures::{
    created, date, draft, fresh_tenant, new_event_id, new_id, pay, t0, with_payment_terms,
};
use crate::{
    Error, InvoiceJson, InvoiceQuery, InvoiceSort, InvoiceStore, IssueRequest, OutboxStore,
    PageRequest,
};

fn issue_request() -> IssueRequest {
    IssueRequest::new(date(2026, 11, 24), new_event_id(), t0())
}

/// Created invoices read back equal; an update with the right version is stored.
pub async fn create_get_update_round_trip(store: &dyn InvoiceStore) {
    let tenant = fresh_tenant();
    let (invoice, event) = created(draft(&tenant, "Round Trip AG"));
    store.create(&invoice, &[event]).await.unwrap();
    assert_eq!(store.get(&tenant, invoice.id()).await.unwrap(), invoice);
    assert!(matches!(
        store.create(&invoice, &[]).await,
        Err(Error::AlreadyExists { .. })
    ));

    let (changed, envelope) = with_payment_terms(&invoice, "14 days");
    store
        .update(&changed, invoice.version(), &[envelope])
        .await
        .unwrap();
    let stored = store.get(&tenant, invoice.id()).await.unwrap();
    assert_eq!(stored, changed);
    assert_eq!(stored.version(), 2);

    // The old version is stale now.
    assert!(matches!(
        store.update(&changed, invoice.version(), &[]).await,
        Err(Error::Conflict {
            expected: 1,
            found: 2,
            ..
        })
    ));
    assert!(matches!(
        store.get(&tenant, new_id()).await,
        Err(Error::NotFound { .. })
    ));
}

/// `get_json` answers with the document [`InvoiceJson::of`] writes for what `get`
/// returns: for a draft, after an update, once issued and once paid; another tenant's
/// invoice and an unknown id are not found.
pub async fn invoice_json_is_the_json_of_the_invoice(store: &dyn InvoiceStore) {
    let tenant = fresh_tenant();
    let (invoice, event) = created(draft(&tenant, "Json AG"));
    store.create(&invoice, &[event]).await.unwrap();
    let expect_current = || async {
        let stored = store.get(&tenant, invoice.id()).await.unwrap();
        let json = store.get_json(&tenant, invoice.id()).await.unwrap();
        assert_eq!(json, InvoiceJson::of(&stored).unwrap());
        assert_eq!(json.version(), stored.version());
        stored
    };
    expect_current().await;

    let (changed, envelope) = with_payment_terms(&invoice, "Net 30, \"quoted\" ü");
    store
        .update(&changed, invoice.version(), &[envelope])
        .await
        .unwrap();
    assert_eq!(expect_current().await.version(), 2);

    store
        .issue(&tenant, invoice.id(), &issue_request())
        .await
        .unwrap();
    let mut issued = expect_current().await;
    pay(
        store,
        &mut issued,
        invoice_core::Decimal::new(1000, 2),
        date(2026, 11, 30),
    )
    .await;
    let paid = expect_current().await;
    let value: serde_json::Value = serde_json::from_str(
        store
            .get_json(&tenant, invoice.id())
            .await
            .unwrap()
            .as_str(),
    )
    .unwrap();
    assert_eq!(
        value["amount_due"],
        serde_json::to_value(paid.amount_due().unwrap()).unwrap(),
        "the amount due follows the payment"
    );

    assert!(matches!(
        store.get_json(&fresh_tenant(), invoice.id()).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        store.get_json(&tenant, new_id()).await,
        Err(Error::NotFound { .. })
    ));
}

/// `answer`, what a write of `invoice` returned, is its document at `version`, and the
/// store now holds `invoice` and answers `get_json` with the same document.
async fn expect_stored(
    store: &dyn InvoiceStore,
    invoice: &Invoice,
    answer: &InvoiceJson,
    version: u64,
) {
    assert_eq!(*answer, InvoiceJson::of(invoice).unwrap());
    assert_eq!(answer.version(), version);
    let (tenant, id) = (invoice.tenant(), invoice.id());
    assert_eq!(store.get(tenant, id).await.unwrap(), *invoice);
    assert_eq!(store.get_json(tenant, id).await.unwrap(), *answer);
}

/// `create_json` and `update_json` save what `create` and `update` save and answer with
/// the document `get_json` answers with right after (the one [`InvoiceJson::of`] writes
/// for the invoice); their events reach the invoice's history. A taken id and a stale
/// version fail as they do for `create` and `update`, and change nothing.
pub async fn write_answers_are_the_stored_json(store: &dyn InvoiceStore) {
    let tenant = fresh_tenant();
    let (invoice, created_event) = created(draft(&tenant, "Answer AG"));
    let answer = store
        .create_json(&invoice, std::slice::from_ref(&created_event))
        .await
        .unwrap();
    expect_stored(store, &invoice, &answer, 1).await;

    let (changed, envelope) = with_payment_terms(&invoice, "Net 30, \"quoted\" ü");
    let answer = store
        .update_json(&changed, invoice.version(), std::slice::from_ref(&envelope))
        .await
        .unwrap();
    expect_stored(store, &changed, &answer, 2).await;
    let history = store.history(&tenant, invoice.id()).await.unwrap();
    assert_eq!(
        history.iter().map(|e| e.event_id).collect::<Vec<_>>(),
        [created_event.event_id, envelope.event_id]
    );

    assert!(matches!(
        store.create_json(&invoice, &[]).await,
        Err(Error::AlreadyExists { .. })
    ));
    assert!(matches!(
        store.update_json(&invoice, invoice.version(), &[]).await,
        Err(Error::Conflict {
            expected: 1,
            found: 2,
            ..
        })
    ));
    assert_eq!(store.get_json(&tenant, invoice.id()).await.unwrap(), answer);
    assert!(matches!(
        store
            .update_json(&created(draft(&tenant, "Nobody AG")).0, 1, &[])
            .await,
        Err(Error::NotFound { .. })
    ));
}

/// 8 tasks × 25 read-modify-write updates of one invoice: the number of successful
/// updates equals the final version minus one, and every loser got `Conflict`.
pub async fn concurrent_updates_lose_nothing(store: Arc<dyn InvoiceStore>) {
    let tenant = fresh_tenant();
    let (invoice, event) = created(draft(&tenant, "Contended AG"));
    store.create(&invoice, &[event]).await.unwrap();
    let mut tasks = JoinSet::new();
    for task in 0..8u32 {
        let store = Arc::clone(&store);
        let tenant = tenant.clone();
        let id = invoice.id();
        tasks.spawn(async move {
            let (mut won, mut lost) = (0u64, 0u64);
            for attempt in 0..25u32 {
                let mut current = store.get(&tenant, id).await.unwrap();
                let read_version = current.version();
                let terms = format!("task {task} attempt {attempt}");
                let event = current
                    .update(InvoicePatch::new().payment_terms(Some(terms)))
                    .unwrap()
                    .unwrap();
                let envelope = EventEnvelope::new(new_event_id(), t0(), &current, event);
                match store.update(&current, read_version, &[envelope]).await {
                    Ok(()) => won += 1,
                    Err(Error::Conflict { .. }) => lost += 1,
                    Err(other) => panic!("unexpected error {other}"),
                }
            }
            (won, lost)
        });
    }
    let (mut won, mut lost) = (0, 0);
    while let Some(result) = tasks.join_next().await {
        let (w, l) = result.unwrap();
        won += w;
        lost += l;
    }
    assert_eq!(won + lost, 200);
    let last = store.get(&tenant, invoice.id()).await.unwrap();
    assert_eq!(
        last.version(),
        1 + won,
        "lost update: {won} wins, version {}",
        last.version()
    );
}

/// Tenant B can neither get, update, delete, issue nor list tenant A's invoice.
pub async fn tenants_are_isolated(store: &dyn InvoiceStore) {
    let a = fresh_tenant();
    let b = fresh_tenant();
    let (invoice, event) = created(draft(&a, "Tenant A Customer"));
    store.create(&invoice, &[event]).await.unwrap();
    assert!(matches!(
        store.get(&b, invoice.id()).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        store.delete(&b, invoice.id(), invoice.version(), &[]).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        store.issue(&b, invoice.id(), &issue_request()).await,
        Err(Error::NotFound { .. })
    ));
    // An update carries its tenant inside the invoice: B's copy of A's id is not found.
    let (foreign, _) = created(draft(&b, "Tenant B Customer"));
    let forged: invoice_core::Invoice = {
        let mut json = serde_json::to_value(&foreign).unwrap();
        json["id"] = serde_json::to_value(invoice.id()).unwrap();
        serde_json::from_value(json).unwrap()
    };
    assert!(matches!(
        store.update(&forged, 1, &[]).await,
        Err(Error::NotFound { .. })
    ));
    let page = store.list(&b, &InvoiceQuery::new()).await.unwrap();
    assert!(page.items.is_empty());
    assert_eq!(page.total, Some(0));
    assert_eq!(
        store.get(&a, invoice.id()).await.unwrap(),
        invoice,
        "A's row is untouched"
    );
}

/// Drafts can be deleted (with the right version); issued invoices cannot.
pub async fn delete_only_drafts(store: &dyn InvoiceStore) {
    let tenant = fresh_tenant();
    let (mut invoice, event) = created(draft(&tenant, "Delete AG"));
    store.create(&invoice, &[event]).await.unwrap();
    assert!(matches!(
        store.delete(&tenant, invoice.id(), 7, &[]).await,
        Err(Error::Conflict { .. })
    ));
    let deleted = invoice.delete().unwrap();
    let envelope = EventEnvelope::new(new_event_id(), t0(), &invoice, deleted);
    store
        .delete(&tenant, invoice.id(), 1, &[envelope])
        .await
        .unwrap();
    assert!(matches!(
        store.get(&tenant, invoice.id()).await,
        Err(Error::NotFound { .. })
    ));

    let (issued, event) = created(draft(&tenant, "Keep AG"));
    store.create(&issued, &[event]).await.unwrap();
    let (issued, _) = store
        .issue(&tenant, issued.id(), &issue_request())
        .await
        .unwrap();
    assert!(matches!(
        store
            .delete(&tenant, issued.id(), issued.version(), &[])
            .await,
        Err(Error::NotAllowed { .. })
    ));
}

/// Offset pages of the whole list, newest and oldest first, hold exactly the invoices
/// left after drafts were deleted (at the start, in the middle, in a run, the newest),
/// in order, at every page size; one created after the newest was deleted comes first.
pub async fn offset_pages_skip_deleted_drafts(store: &dyn InvoiceStore) {
    // 28 goes before 29: the gap it leaves is then above the newest invoice left.
    const DELETED: [usize; 8] = [0, 7, 12, 13, 14, 20, 28, 29];
    let tenant = fresh_tenant();
    let mut invoices = Vec::new();
    for i in 0..30 {
        let (invoice, event) = created(draft(&tenant, &format!("Buyer {i:02}")));
        store.create(&invoice, &[event]).await.unwrap();
        invoices.push(invoice);
    }
    for i in DELETED {
        let invoice = &mut invoices[i];
        let deleted = invoice.delete().unwrap();
        let envelope = EventEnvelope::new(new_event_id(), t0(), invoice, deleted);
        store
            .delete(&tenant, invoice.id(), 1, &[envelope])
            .await
            .unwrap();
    }
    let mut kept: Vec<_> = invoices
        .iter()
        .enumerate()
        .filter(|(i, _)| !DELETED.contains(i))
        .map(|(_, invoice)| invoice.id())
        .collect();
    let (invoice, event) = created(draft(&tenant, "Buyer 30"));
    store.create(&invoice, &[event]).await.unwrap();
    kept.push(invoice.id());

    let newest_first: Vec<_> = kept.iter().rev().copied().collect();
    for (sort, expected) in [
        (InvoiceSort::OldestFirst, &kept),
        (InvoiceSort::NewestFirst, &newest_first),
    ] {
        for size in 1..=4u32 {
            let pages = expected.len().div_ceil(size as usize) as u32;
            let mut listed = Vec::new();
            for page in 0..=pages {
                let query = InvoiceQuery::new()
                    .sort(sort)
                    .page(PageRequest::Offset { page, size });
                let found = store.list(&tenant, &query).await.unwrap();
                assert_eq!(found.total, Some(expected.len() as u64), "{sort:?} {size}");
                listed.extend(found.items.iter().map(|summary| summary.id));
            }
            assert_eq!(&listed, expected, "{sort:?}, pages of {size}");
        }
    }
}

/// 200 drafts issued concurrently from 8 tasks get numbers 1…200, no gap, no duplicate;
/// another tenant's series starts at 1 independently.
pub async fn issue_allocates_gapless_numbers_under_concurrency(store: Arc<dyn InvoiceStore>) {
    let tenant = fresh_tenant();
    let series = NumberSeries::new("N-{seq}").unwrap();
    let mut ids = Vec::new();
    for i in 0..200 {
        let (invoice, event) = created(draft(&tenant, &format!("Buyer {i}")));
        store.create(&invoice, &[event]).await.unwrap();
        ids.push(invoice.id());
    }
    let mut tasks = JoinSet::new();
    for chunk in ids.chunks(25) {
        let store = Arc::clone(&store);
        let tenant = tenant.clone();
        let chunk = chunk.to_vec();
        let series = series.clone();
        tasks.spawn(async move {
            let mut numbers = Vec::new();
            for id in chunk {
                let request = issue_request().with_series(series.clone());
                let (invoice, envelope) = store.issue(&tenant, id, &request).await.unwrap();
                assert_eq!(envelope.event.name(), "issued");
                assert_eq!(invoice.status(), InvoiceStatus::Issued);
                numbers.push(invoice.number().unwrap().as_str().to_owned());
            }
            numbers
        });
    }
    let mut numbers = BTreeSet::new();
    while let Some(result) = tasks.join_next().await {
        for n in result.unwrap() {
            assert!(numbers.insert(n.clone()), "duplicate number {n}");
        }
    }
    let expected: BTreeSet<String> = (1..=200).map(|n| format!("N-{n}")).collect();
    assert_eq!(numbers, expected);

    let other = fresh_tenant();
    let (invoice, event) = created(draft(&other, "Other"));
    store.create(&invoice, &[event]).await.unwrap();
    let request = issue_request().with_series(series);
    let (issued, _) = store.issue(&other, invoice.id(), &request).await.unwrap();
    assert_eq!(issued.number().unwrap().as_str(), "N-1");
}

/// An invoice that fails validation is not issued and consumes no number; issuing twice
/// is a domain error.
pub async fn issue_of_invalid_invoice_consumes_no_number(store: &dyn InvoiceStore) {
    let tenant = fresh_tenant();
    let bad_line = LineItem::new(
        "2",
        "",
        invoice_core::Decimal::ONE,
        UnitCode::piece(),
        -invoice_core::Decimal::ONE,
        Vat::exempt(),
    );
    let (bad, event) = created(draft(&tenant, "Invalid AG").line(bad_line));
    store.create(&bad, &[event]).await.unwrap();
    let err = store
        .issue(&tenant, bad.id(), &issue_request())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Domain(invoice_core::Error::RuleViolations { .. })
        ),
        "{err}"
    );
    assert_eq!(
        store.get(&tenant, bad.id()).await.unwrap(),
        bad,
        "unchanged"
    );

    let (good, event) = created(draft(&tenant, "Valid AG"));
    store.create(&good, &[event]).await.unwrap();
    let (issued, _) = store
        .issue(&tenant, good.id(), &issue_request())
        .await
        .unwrap();
    assert_eq!(issued.number().unwrap().as_str(), "INV-2026-00001");
    assert!(matches!(
        store.issue(&tenant, good.id(), &issue_request()).await,
        Err(Error::Domain(invoice_core::Error::InvalidTransition { .. }))
    ));
    assert!(matches!(
        store
            .issue(&tenant, bad.id(), &issue_request().with_expected_version(9))
            .await,
        Err(Error::Conflict { .. })
    ));
}

/// Filters (status, client, issue dates, due date, text) and offset pages with totals.
pub async fn list_filters_and_offset_pages(store: &dyn InvoiceStore) {
    let tenant = fresh_tenant();
    let client = invoice_core::ClientId::from_uuid(uuid::Uuid::new_v4());
    for i in 0..25 {
        let mut builder = draft(&tenant, &format!("Buyer {i:02}")).due_date(date(2026, 12, 1 + i));
        if i % 5 == 0 {
            builder = builder.client(client);
        }
        let (invoice, event) = created(builder);
        store.create(&invoice, &[event]).await.unwrap();
        if i < 10 {
            let request = IssueRequest::new(date(2026, 11, 1 + i), new_event_id(), t0());
            store.issue(&tenant, invoice.id(), &request).await.unwrap();
        }
    }
    let tenant = &tenant;
    let count =
        |q: InvoiceQuery| async move { store.list(tenant, &q).await.unwrap().total.unwrap() };
    assert_eq!(count(InvoiceQuery::new()).await, 25);
    assert_eq!(
        count(InvoiceQuery::new().status(InvoiceStatus::Issued)).await,
        10
    );
    assert_eq!(
        count(InvoiceQuery::new().status(InvoiceStatus::Draft)).await,
        15
    );
    assert_eq!(count(InvoiceQuery::new().client(client)).await, 5);
    assert_eq!(
        count(InvoiceQuery::new().issued_between(Some(date(2026, 11, 3)), Some(date(2026, 11, 5))))
            .await,
        3
    );
    assert_eq!(
        count(InvoiceQuery::new().due_before(date(2026, 12, 4))).await,
        3
    );
    assert_eq!(count(InvoiceQuery::new().text("buyer 1")).await, 10);
    assert_eq!(count(InvoiceQuery::new().text("INV-2026-0000")).await, 9);

    let page = |n| InvoiceQuery::new().page(PageRequest::Offset { page: n, size: 10 });
    let p0 = store.list(tenant, &page(0)).await.unwrap();
    let p2 = store.list(tenant, &page(2)).await.unwrap();
    let p3 = store.list(tenant, &page(3)).await.unwrap();
    assert_eq!((p0.items.len(), p2.items.len(), p3.items.len()), (10, 5, 0));
    // Every page states the count of all that matches, past the last one too.
    assert_eq!(
        (p0.total, p2.total, p3.total),
        (Some(25), Some(25), Some(25))
    );
    let issued = |n| {
        InvoiceQuery::new()
            .status(InvoiceStatus::Issued)
            .page(PageRequest::Offset { page: n, size: 4 })
    };
    for (n, len) in [(0, 4), (2, 2), (7, 0)] {
        let page = store.list(tenant, &issued(n)).await.unwrap();
        assert_eq!((page.items.len(), page.total), (len, Some(10)), "page {n}");
    }
    let nobody = InvoiceQuery::new().text("nobody by that name");
    assert_eq!(store.list(tenant, &nobody).await.unwrap().total, Some(0));
    assert_eq!(p0.items[0].buyer_name, "Buyer 24", "newest first");
    let by_due = store
        .list(
            tenant,
            &InvoiceQuery::new()
                .sort(InvoiceSort::DueDate)
                .page(PageRequest::Offset { page: 0, size: 3 }),
        )
        .await
        .unwrap();
    let names: Vec<_> = by_due.items.iter().map(|i| i.buyer_name.clone()).collect();
    assert_eq!(names, ["Buyer 00", "Buyer 01", "Buyer 02"]);
    assert!(matches!(
        store
            .list(
                tenant,
                &InvoiceQuery::new().page(PageRequest::Offset { page: 0, size: 0 })
            )
            .await,
        Err(Error::InvalidQuery { .. })
    ));
}

/// A draft of `tenant` to `buyer` of one line, `quantity` × `price` at 19 % VAT.
fn priced(
    tenant: &invoice_core::TenantId,
    buyer: &str,
    currency: invoice_core::Currency,
    quantity: i64,
    price: i64,
) -> invoice_core::InvoiceBuilder {
    use invoice_core::{Address, CountryCode, Decimal, InvoiceBuilder, Party};
    let address = Address::new(CountryCode::new("DE").unwrap())
        .with_line("Street 1")
        .with_city("Berlin")
        .with_postal_code("10115");
    InvoiceBuilder::new(
        super::fixtures::new_id(),
        tenant.clone(),
        currency,
        Party::new("Seller GmbH", address.clone()).with_vat_id("DE123456789"),
        Party::new(buyer, address),
    )
    .due_date(date(2026, 12, 24))
    .line(LineItem::new(
        "1",
        "Service",
        Decimal::from(quantity),
        UnitCode::piece(),
        Decimal::from(price),
        Vat::standard(Decimal::from(19)),
    ))
}

/// The offset-only orders: by number, issue date, gross amount (numerically, not as text:
/// 9.52 < 10.71 < 107.10) and lifecycle status, each way, with drafts (no number, no issue
/// date) last both ways and ties in insertion order; pages of any size agree with the
/// whole order, filters apply, and `list_invoices` gives the same order. A keyset page in
/// any of these orders is [`Error::InvalidQuery`].
pub async fn list_sorts_by_number_date_amount_and_status(store: &dyn InvoiceStore) {
    use invoice_core::{Currency, Decimal};
    let tenant = fresh_tenant();
    let yen = Currency::from_code("JPY").unwrap();
    let create = |name: &'static str, currency: Currency, quantity: i64, price: i64| {
        let (invoice, event) = created(priced(&tenant, name, currency, quantity, price));
        async move {
            store.create(&invoice, &[event]).await.unwrap();
            invoice
        }
    };
    let issue = |invoice: Invoice, on: chrono::NaiveDate, series: &'static str| {
        let request = IssueRequest::new(on, new_event_id(), t0())
            .with_series(NumberSeries::new(series).unwrap());
        let tenant = tenant.clone();
        async move {
            store
                .issue(&tenant, invoice.id(), &request)
                .await
                .unwrap()
                .0
        }
    };
    let default_series = "INV-{year}-{seq:05}";
    // Gross amounts at 19 %: 9 → 10.71, 90 → 107.10, 8 → 9.52, 1000 → 1190.00; as text
    // "10.71" < "107.10" < "9.52", as numbers the other way round.
    let _a = create("A", Currency::EUR, 1, 9).await;
    let b = create("B", Currency::EUR, 1, 90).await;
    let c = create("C", Currency::EUR, 1, 8).await;
    let _d = create("D", Currency::EUR, 1, 8).await;
    let e = create("E", Currency::EUR, 1, 9).await;
    let _f = create("F", Currency::EUR, -1, 9).await; // -10.71
    let g = create("G", Currency::EUR, 1, 1000).await;
    let _ = issue(b, date(2026, 11, 5), default_series).await; // INV-2026-00001
    let mut c = issue(c, date(2026, 11, 3), default_series).await; // INV-2026-00002
    pay(store, &mut c, Decimal::new(952, 2), date(2026, 11, 20)).await; // paid
    let mut e = issue(e, date(2026, 11, 4), default_series).await; // INV-2026-00003
    pay(store, &mut e, Decimal::ONE, date(2026, 11, 20)).await; // partially paid
    let mut g = issue(g, date(2026, 11, 3), "A-{seq:03}").await;
    let version = g.version();
    let (credit_note, credited) = g.credit(super::fixtures::new_id()).unwrap();
    let envelope = EventEnvelope::new(new_event_id(), t0(), &g, credited);
    store.update(&g, version, &[envelope]).await.unwrap(); // credited
    let envelope = EventEnvelope::new(
        new_event_id(),
        t0(),
        &credit_note,
        invoice_core::InvoiceEvent::Created {
            summary: credit_note.snapshot().unwrap(),
        },
    );
    store.create(&credit_note, &[envelope]).await.unwrap(); // "G", 8th, 1190.00
    let h = issue(credit_note, date(2026, 11, 6), default_series).await; // INV-2026-00004
    let _j = create("J", yen, 1, 9).await; // 11 (yen, no minor units)
    let _z = create("Z", Currency::EUR, 0, 9).await; // 0.00

    // Rows by buyer; the credit note (also to "G", the 8th row) is "H".
    let name = |summary: &crate::InvoiceSummary| {
        if summary.id == h.id() {
            "H".to_owned()
        } else {
            summary.buyer_name.clone()
        }
    };
    let tenant = &tenant;
    let expected = [
        (InvoiceSort::NumberAscending, "G B C E H A D F J Z"),
        (InvoiceSort::NumberDescending, "H E C B G A D F J Z"),
        (InvoiceSort::IssueDateAscending, "C G E B H A D F J Z"),
        (InvoiceSort::IssueDateDescending, "H B E C G A D F J Z"),
        (InvoiceSort::AmountAscending, "F Z C D A E J B G H"),
        (InvoiceSort::AmountDescending, "G H B J A E C D Z F"),
        (InvoiceSort::Status, "A D F J Z B H E C G"),
    ];
    for (sort, order) in expected {
        let whole = InvoiceQuery::new()
            .sort(sort)
            .page(PageRequest::Offset { page: 0, size: 50 });
        let page = store.list(tenant, &whole).await.unwrap();
        let names: Vec<_> = page.items.iter().map(name).collect();
        assert_eq!(names.join(" "), order, "{sort:?}");
        assert_eq!(page.total, Some(10), "{sort:?}");
        // Pages of 3 cut the same order.
        let mut paged = Vec::new();
        for n in 0..4 {
            let query = whole.clone().page(PageRequest::Offset { page: n, size: 3 });
            let page = store.list(tenant, &query).await.unwrap();
            assert_eq!(page.total, Some(10), "{sort:?} page {n}");
            paged.extend(page.items.iter().map(name));
        }
        assert_eq!(paged.join(" "), order, "{sort:?} in pages of 3");
        let invoices = store.list_invoices(tenant, &whole).await.unwrap();
        let ids: Vec<_> = invoices.items.iter().map(Invoice::id).collect();
        let listed: Vec<_> = page.items.iter().map(|s| s.id).collect();
        assert_eq!(ids, listed, "{sort:?}: list_invoices in the same order");

        // Keyset pages are for the insertion and due-date orders only.
        assert!(!sort.supports_keyset());
        let keyset = InvoiceQuery::new().sort(sort).page(PageRequest::Keyset {
            cursor: None,
            size: 3,
        });
        assert!(
            matches!(
                store.list(tenant, &keyset).await,
                Err(Error::InvalidQuery { ref reason }) if reason.contains("offset")
            ),
            "{sort:?}: keyset page"
        );
        assert!(
            matches!(
                store.list_invoices(tenant, &keyset).await,
                Err(Error::InvalidQuery { .. })
            ),
            "{sort:?}: keyset page of invoices"
        );
    }

    // Filters apply before the order.
    let issued_by_amount = InvoiceQuery::new()
        .status(InvoiceStatus::Issued)
        .sort(InvoiceSort::AmountDescending);
    let page = store.list(tenant, &issued_by_amount).await.unwrap();
    let names: Vec<_> = page.items.iter().map(name).collect();
    assert_eq!((names.join(" "), page.total), ("H B".to_owned(), Some(2)));

    // A cursor of a keyset order does not carry over to an offset-only one.
    let first = InvoiceQuery::new().page(PageRequest::Keyset {
        cursor: None,
        size: 3,
    });
    let cursor = store.list(tenant, &first).await.unwrap().next_cursor;
    assert!(cursor.is_some());
    let carried = InvoiceQuery::new()
        .sort(InvoiceSort::AmountAscending)
        .page(PageRequest::Keyset { cursor, size: 3 });
    assert!(matches!(
        store.list(tenant, &carried).await,
        Err(Error::InvalidQuery { .. })
    ));
}

/// Keyset pages neither skip nor repeat a row while new rows are inserted between pages.
pub async fn keyset_pages_are_stable_while_rows_are_inserted(store: &dyn InvoiceStore) {
    let tenant = fresh_tenant();
    let mut originals = BTreeSet::new();
    for i in 0..30 {
        let (invoice, event) = created(draft(&tenant, &format!("Original {i}")));
        store.create(&invoice, &[event]).await.unwrap();
        originals.insert(invoice.id());
    }
    for sort in [
        InvoiceSort::NewestFirst,
        InvoiceSort::OldestFirst,
        InvoiceSort::DueDate,
    ] {
        let mut seen = BTreeSet::new();
        let mut cursor = None;
        loop {
            let query = InvoiceQuery::new().sort(sort).page(PageRequest::Keyset {
                cursor: cursor.clone(),
                size: 7,
            });
            let page = store.list(&tenant, &query).await.unwrap();
            for invoice in &page.items {
                assert!(seen.insert(invoice.id), "{sort:?}: {} repeated", invoice.id);
            }
            // Someone inserts while we page.
            let (invoice, event) = created(draft(&tenant, "Inserted meanwhile"));
            store.create(&invoice, &[event]).await.unwrap();
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert!(
            originals.is_subset(&seen),
            "{sort:?}: an original row was skipped"
        );
    }
    assert!(matches!(
        store
            .list(
                &tenant,
                &InvoiceQuery::new().page(PageRequest::Keyset {
                    cursor: Some("garbage".into()),
                    size: 5
                })
            )
            .await,
        Err(Error::InvalidQuery { .. })
    ));
}

/// A listing's rows are the invoices' summaries, read from the store: the same fields
/// and amounts as [`InvoiceSummary::of`](crate::InvoiceSummary::of) computes from the stored invoice, the last
/// change the newest event's time; whole invoices list in the same order, and
/// [`invoices`](crate::invoices) walks every one of them.
pub async fn summaries_match_the_invoices(store: &dyn InvoiceStore) {
    use futures_util::TryStreamExt;
    let tenant = fresh_tenant();
    let client = invoice_core::ClientId::from_uuid(uuid::Uuid::new_v4());
    let at = |minutes: i64| t0() + chrono::Duration::minutes(minutes);
    let mut ids = Vec::new();
    for i in 0..12i64 {
        let mut builder = draft(&tenant, &format!("Summary {i}")).due_date(date(2026, 12, 10));
        if i % 3 == 0 {
            builder = builder.client(client);
        }
        let (invoice, created) = Invoice::create(builder).unwrap();
        let event = EventEnvelope::new(new_event_id(), at(i), &invoice, created);
        store.create(&invoice, &[event]).await.unwrap();
        if i % 2 == 0 {
            let request = IssueRequest::new(date(2026, 11, 20), new_event_id(), at(100 + i));
            store.issue(&tenant, invoice.id(), &request).await.unwrap();
        }
        ids.push(invoice.id());
    }
    // A write without events keeps the last change.
    let first = store.get(&tenant, ids[1]).await.unwrap();
    let mut edited = first.clone();
    edited
        .update(InvoicePatch::new().due_date(Some(date(2027, 1, 31))))
        .unwrap();
    store.update(&edited, first.version(), &[]).await.unwrap();

    let query = InvoiceQuery::new().page(PageRequest::Offset { page: 0, size: 50 });
    let summaries = store.list(&tenant, &query).await.unwrap();
    let invoices = store.list_invoices(&tenant, &query).await.unwrap();
    assert_eq!(summaries.total, Some(12));
    assert_eq!(invoices.total, Some(12));
    let listed: Vec<_> = summaries.items.iter().map(|s| s.id).collect();
    let whole: Vec<_> = invoices.items.iter().map(Invoice::id).collect();
    assert_eq!(listed, whole, "both listings in one order");
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(listed, newest_first);
    for summary in &summaries.items {
        let stored = store.get(&tenant, summary.id).await.unwrap();
        let n = ids.iter().position(|id| *id == summary.id).unwrap() as i64;
        let changed = if n % 2 == 0 { at(100 + n) } else { at(n) };
        assert_eq!(
            *summary,
            crate::InvoiceSummary::of(&stored, Some(changed)).unwrap(),
            "summary of invoice {n}"
        );
    }
    assert_eq!(summaries.items[10].due_date, Some(date(2027, 1, 31)));
    assert!(summaries.items.iter().any(|s| s.number.is_some()));
    assert!(summaries
        .items
        .iter()
        .all(|s| s.gross_amount > invoice_core::Decimal::ZERO));

    let walked: Vec<Invoice> = crate::invoices(
        store,
        &tenant,
        InvoiceQuery::new().page(PageRequest::Offset { page: 0, size: 5 }),
    )
    .try_collect()
    .await
    .unwrap();
    assert_eq!(
        walked.iter().map(Invoice::id).collect::<Vec<_>>(),
        newest_first
    );
    assert_eq!(walked, invoices.items);

    // Totals follow deletes and status changes, unfiltered and by status.
    let deleted = store.get(&tenant, ids[3]).await.unwrap();
    store
        .delete(&tenant, deleted.id(), deleted.version(), &[])
        .await
        .unwrap();
    let tenant = &tenant;
    let total = |q: InvoiceQuery| async move {
        let q = q.page(PageRequest::Offset { page: 5, size: 3 });
        store.list(tenant, &q).await.unwrap().total
    };
    assert_eq!(total(InvoiceQuery::new()).await, Some(11));
    let drafts = InvoiceQuery::new().status(InvoiceStatus::Draft);
    assert_eq!(total(drafts.clone()).await, Some(5));
    assert_eq!(total(drafts.status(InvoiceStatus::Issued)).await, Some(11));
    assert_eq!(total(InvoiceQuery::new().client(client)).await, Some(3));
}

/// An invoice's history is its events in the order saved, oldest first (the two events
/// of one payment in their order), versions never going back; it stays whole once a
/// relay published the events, and a deleted draft keeps its history, `Deleted` last.
/// Another tenant and an unknown id get `NotFound`. `outbox` is the same store as
/// `invoices`; its events are claimed and marked published along the way.
pub async fn history_lists_an_invoices_events_in_order(
    invoices: &dyn InvoiceStore,
    outbox: &dyn OutboxStore,
) {
    use invoice_core::{Decimal, Note, NoteId};
    let tenant = fresh_tenant();
    let (mut invoice, created_event) = created(draft(&tenant, "History AG"));
    invoices
        .create(&invoice, std::slice::from_ref(&created_event))
        .await
        .unwrap();
    let mut saved = vec![created_event];

    let version = invoice.version();
    let event = invoice
        .update(InvoicePatch::new().payment_terms(Some("14 days".into())))
        .unwrap()
        .unwrap();
    let envelope = EventEnvelope::new(new_event_id(), t0(), &invoice, event);
    invoices
        .update(&invoice, version, std::slice::from_ref(&envelope))
        .await
        .unwrap();
    saved.push(envelope);

    let (mut invoice, issued) = invoices
        .issue(&tenant, invoice.id(), &issue_request())
        .await
        .unwrap();
    saved.push(issued);

    // 119.00 in full: `PaymentRecorded` and `Paid`, from one command.
    let paid = pay(
        invoices,
        &mut invoice,
        Decimal::new(11900, 2),
        date(2026, 11, 30),
    )
    .await;
    saved.extend(paid);

    let version = invoice.version();
    let note = Note::new(
        NoteId::from_uuid(uuid::Uuid::new_v4()),
        "admin",
        "Paid by transfer",
        t0(),
    )
    .unwrap();
    let event = invoice.add_note(note).unwrap();
    let envelope = EventEnvelope::new(new_event_id(), t0(), &invoice, event);
    invoices
        .update(&invoice, version, std::slice::from_ref(&envelope))
        .await
        .unwrap();
    saved.push(envelope);

    let history = invoices.history(&tenant, invoice.id()).await.unwrap();
    let names: Vec<_> = history.iter().map(|e| e.event.name()).collect();
    assert_eq!(
        names,
        [
            "created",
            "updated",
            "issued",
            "payment_recorded",
            "paid",
            "note_added"
        ]
    );
    assert_eq!(history, saved, "the envelopes as saved");
    assert!(
        history
            .windows(2)
            .all(|w| w[0].invoice_version <= w[1].invoice_version),
        "versions never go back: {:?}",
        history
            .iter()
            .map(|e| e.invoice_version)
            .collect::<Vec<_>>()
    );
    assert_eq!(history.last().unwrap().invoice_version, invoice.version());

    assert!(matches!(
        invoices.history(&fresh_tenant(), invoice.id()).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        invoices.history(&tenant, new_id()).await,
        Err(Error::NotFound { .. })
    ));

    // A relay publishes everything pending; the history stays.
    let lease = std::time::Duration::from_secs(60);
    loop {
        let claimed = outbox.claim(100, lease, t0()).await.unwrap();
        if claimed.is_empty() {
            break;
        }
        let ids: Vec<_> = claimed.iter().map(|c| c.envelope.event_id).collect();
        outbox.mark_published(&ids, t0()).await.unwrap();
    }
    assert_eq!(outbox.pending().await.unwrap(), 0);
    assert_eq!(
        invoices.history(&tenant, invoice.id()).await.unwrap(),
        saved,
        "published events stay in the history"
    );

    // A deleted draft: gone for `get`, its history kept.
    let (mut doomed, created_event) = created(draft(&tenant, "Deleted AG"));
    invoices
        .create(&doomed, std::slice::from_ref(&created_event))
        .await
        .unwrap();
    let version = doomed.version();
    let deleted = doomed.delete().unwrap();
    let deleted = EventEnvelope::new(new_event_id(), t0(), &doomed, deleted);
    invoices
        .delete(
            &tenant,
            doomed.id(),
            version,
            std::slice::from_ref(&deleted),
        )
        .await
        .unwrap();
    assert!(matches!(
        invoices.get(&tenant, doomed.id()).await,
        Err(Error::NotFound { .. })
    ));
    assert_eq!(
        invoices.history(&tenant, doomed.id()).await.unwrap(),
        [created_event, deleted]
    );
    assert!(matches!(
        invoices.history(&fresh_tenant(), doomed.id()).await,
        Err(Error::NotFound { .. })
    ));
}

/// `list_json` is `list`'s page as JSON: its rows are what `serde_json` writes for
/// `list`'s summaries, byte for byte, with the same total and next cursor, for offset
/// and keyset pages, filters and orders, and for names that need escaping, times with
/// and without fractions, invoices without a last change, issued, paid and credited
/// invoices and a credit note.
pub async fn list_json_is_the_json_of_the_summaries(store: &dyn InvoiceStore) {
    let tenant = fresh_tenant();
    let client = invoice_core::ClientId::from_uuid(uuid::Uuid::new_v4());
    let names = [
        "Plain AG",
        "\"Quoted\" & <Sons>",
        "Back\\slash",
        "Café Zürich 東京 🧾",
        "Tab\tand new\nline",
        "Üñíçødé GmbH",
    ];
    // Last changes with no fraction, milliseconds, microseconds.
    let at = |n: i64| {
        let fraction = [0, 7_000, 7_123][(n % 3) as usize];
        t0() + chrono::Duration::seconds(n) + chrono::Duration::microseconds(fraction)
    };
    let mut ids = Vec::new();
    for (n, name) in names.iter().enumerate() {
        let n = n as i64;
        let mut builder = draft(&tenant, name).due_date(date(2026, 12, 1 + n as u32));
        if n % 2 == 1 {
            builder = builder.client(client);
        }
        let (invoice, created) = Invoice::create(builder).unwrap();
        // One written without events: no last change.
        let events = if n == 4 {
            vec![]
        } else {
            vec![EventEnvelope::new(new_event_id(), at(n), &invoice, created)]
        };
        store.create(&invoice, &events).await.unwrap();
        ids.push(invoice.id());
    }
    let tenant = &tenant;
    let issue = |id| async move {
        let request = IssueRequest::new(date(2026, 11, 20), new_event_id(), at(50));
        store.issue(tenant, id, &request).await.unwrap().0
    };
    issue(ids[0]).await;
    let mut paid = issue(ids[1]).await;
    pay(
        store,
        &mut paid,
        invoice_core::Decimal::new(11900, 2),
        date(2026, 11, 25),
    )
    .await;
    let mut credited = issue(ids[2]).await;
    let version = credited.version();
    let (credit_note, event) = credited.credit(new_id()).unwrap();
    let envelope = EventEnvelope::new(new_event_id(), at(60), &credited, event);
    store.update(&credited, version, &[envelope]).await.unwrap();
    let envelope = EventEnvelope::new(
        new_event_id(),
        at(61),
        &credit_note,
        invoice_core::InvoiceEvent::Created {
            summary: credit_note.snapshot().unwrap(),
        },
    );
    store.create(&credit_note, &[envelope]).await.unwrap();

    let both = |query: InvoiceQuery| async move {
        let page = store.list(tenant, &query).await.unwrap();
        let json = store.list_json(tenant, &query).await.unwrap();
        assert_eq!(
            json.items_json(),
            serde_json::to_string(&page.items).unwrap(),
            "{query:?}"
        );
        assert_eq!(json.len(), page.items.len(), "{query:?}");
        assert_eq!(json.total(), page.total, "{query:?}");
        assert_eq!(json.next_cursor(), page.next_cursor.as_deref(), "{query:?}");
        page
    };
    let offset = |page, size| InvoiceQuery::new().page(PageRequest::Offset { page, size });
    let all = both(offset(0, 50)).await;
    assert_eq!(all.items.len(), names.len() + 1);
    assert!(all.items.iter().any(|s| s.updated_at.is_none()));
    assert!(all.items.iter().any(|s| s.number.is_some()));
    assert!(all
        .items
        .iter()
        .any(|s| s.kind == crate::DocumentKind::CreditNote));
    both(offset(1, 3)).await;
    assert!(both(offset(9, 3)).await.items.is_empty());
    both(offset(0, 4).status(InvoiceStatus::Draft)).await;
    both(offset(0, 4).client(client)).await;
    both(offset(0, 4).text("zürich")).await;
    both(offset(0, 10).sort(InvoiceSort::DueDate)).await;
    both(offset(0, 10).sort(InvoiceSort::NumberAscending)).await;
    // Keyset pages, walked to the end.
    for sort in [InvoiceSort::NewestFirst, InvoiceSort::DueDate] {
        let mut cursor = None;
        let mut walked = 0;
        loop {
            let query = InvoiceQuery::new()
                .sort(sort)
                .page(PageRequest::Keyset { cursor, size: 3 });
            let page = both(query).await;
            walked += page.items.len();
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(walked, names.len() + 1, "{sort:?}");
    }
}
