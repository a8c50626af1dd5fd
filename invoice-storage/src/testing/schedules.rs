//! Suite functions for [`ScheduleStore`] and the [`ScheduleGenerator`] over it.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use invoice_core::schedule::{
    InvoiceTemplate, MonthDay, Recurrence, Schedule, ScheduleEnd, ScheduleRule, ScheduleStatus,
    ScheduleUpdate, Tz,
};
use invoice_core::{
    Address, CountryCode, Currency, Decimal, EventEnvelope, EventId, InvoiceId, InvoiceStatus,
    LineItem, Party, ScheduleId, TenantId, UnitCode, Vat,
};
use uuid::Uuid;

use super::fixtures::{date, fresh_tenant};
use crate::{
    Error, Generated, InvoiceQuery, InvoiceStore, OutboxStore, PageRequest, ScheduleGenerator,
    ScheduleQuery, ScheduleStore,
};

/// A template that issues: a seller with a VAT id, one line of 500.00 at 19 %.
fn template() -> InvoiceTemplate {
    let address = |city: &str| {
        Address::new(CountryCode::new("DE").unwrap())
            .with_line("Street 1")
            .with_city(city)
            .with_postal_code("10115")
    };
    let line = LineItem::new(
        "1",
        "Retainer",
        Decimal::ONE,
        UnitCode::piece(),
        Decimal::new(50000, 2),
        Vat::standard(Decimal::new(19, 0)),
    );
    let mut template = InvoiceTemplate::new(
        Currency::EUR,
        Party::new("Seller GmbH", address("Berlin")).with_vat_id("DE123456789"),
        Party::new("Buyer AG", address("Hamburg")),
        vec![line],
    );
    template.due_after_days = Some(14);
    template
}

/// A monthly schedule on the 1st from January 2027, in Berlin time, with a template that
/// issues (one line of 500.00 at 19 %, due 14 days after each occurrence).
pub fn monthly_schedule(tenant: &TenantId, auto_issue: bool) -> Schedule {
    let rule = ScheduleRule::new(
        Recurrence::Monthly {
            every: 1,
            day: MonthDay::Day(1),
        },
        date(2027, 1, 1),
        ScheduleEnd::Never,
        "Europe/Berlin".parse::<Tz>().unwrap(),
    )
    .unwrap();
    Schedule::new(
        ScheduleId::from_uuid(Uuid::new_v4()),
        tenant.clone(),
        "Retainer",
        template(),
        rule,
        auto_issue,
    )
    .unwrap()
}

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

fn today() -> NaiveDate {
    date(2027, 6, 1)
}

/// An instant of [`today`] in Berlin, the schedules' zone.
fn during_today() -> DateTime<Utc> {
    at(2027, 6, 1, 10)
}

/// Create, get, update under optimistic concurrency, pause, resume, cancel, list with a
/// status filter and pages, and tenants that never see each other's schedules.
pub async fn schedules_crud_pause_resume_cancel_and_isolation(store: &dyn ScheduleStore) {
    let (tenant, other) = (fresh_tenant(), fresh_tenant());
    let schedule = monthly_schedule(&tenant, false);
    store.create(&schedule).await.unwrap();
    assert_eq!(store.get(&tenant, schedule.id()).await.unwrap(), schedule);
    assert!(matches!(
        store.create(&schedule).await,
        Err(Error::AlreadyExists { .. })
    ));
    assert!(matches!(
        store.get(&other, schedule.id()).await,
        Err(Error::NotFound { .. })
    ));

    let mut renamed = schedule.clone();
    renamed
        .update(ScheduleUpdate {
            name: Some("Monthly retainer".to_owned()),
            auto_issue: Some(true),
            ..ScheduleUpdate::default()
        })
        .unwrap();
    store.update(&renamed, 1).await.unwrap();
    assert_eq!(store.get(&tenant, schedule.id()).await.unwrap(), renamed);
    assert!(
        matches!(
            store.update(&renamed, 1).await,
            Err(Error::Conflict {
                expected: 1,
                found: 2,
                ..
            })
        ),
        "a stale version is refused"
    );
    let foreign = monthly_schedule(&other, false);
    assert!(matches!(
        store.update(&foreign, 1).await,
        Err(Error::NotFound { .. })
    ));

    let paused = store.pause(&tenant, schedule.id(), Some(2)).await.unwrap();
    assert_eq!(paused.status(), ScheduleStatus::Paused);
    assert_eq!(store.get(&tenant, schedule.id()).await.unwrap(), paused);
    assert!(matches!(
        store.pause(&tenant, schedule.id(), None).await,
        Err(Error::Domain(_))
    ));
    assert!(matches!(
        store
            .resume(&tenant, schedule.id(), during_today(), Some(2))
            .await,
        Err(Error::Conflict { .. })
    ));
    let resumed = store
        .resume(&tenant, schedule.id(), during_today(), Some(3))
        .await
        .unwrap();
    assert_eq!(resumed.status(), ScheduleStatus::Active);
    assert_eq!(resumed.resumed_on(), Some(today()));
    let cancelled = store.cancel(&tenant, schedule.id(), None).await.unwrap();
    assert_eq!(cancelled.status(), ScheduleStatus::Cancelled);
    assert!(matches!(
        store
            .resume(&tenant, schedule.id(), during_today(), None)
            .await,
        Err(Error::Domain(_))
    ));
    assert!(matches!(
        store.cancel(&other, schedule.id(), None).await,
        Err(Error::NotFound { .. })
    ));

    // Five more, one paused: pages of two in id order, and the status filter.
    let mut ids = vec![schedule.id()];
    for i in 0..5 {
        let s = monthly_schedule(&tenant, false);
        store.create(&s).await.unwrap();
        if i == 0 {
            store.pause(&tenant, s.id(), None).await.unwrap();
        }
        ids.push(s.id());
    }
    store
        .create(&monthly_schedule(&other, false))
        .await
        .unwrap();
    ids.sort();
    let mut listed = Vec::new();
    let mut query = ScheduleQuery::new().size(2);
    loop {
        let page = store.list(&tenant, &query).await.unwrap();
        assert!(page.items.len() <= 2);
        listed.extend(page.items.iter().map(|s| s.id()));
        match page.next_cursor {
            Some(cursor) => query = query.after(cursor.parse().unwrap()),
            None => break,
        }
    }
    assert_eq!(
        listed, ids,
        "every schedule once, in id order, no other tenant's"
    );
    let active = store
        .list(
            &tenant,
            &ScheduleQuery::new().status(ScheduleStatus::Active),
        )
        .await
        .unwrap();
    assert_eq!(active.items.len(), 4);
    assert!(active
        .items
        .iter()
        .all(|s| s.status() == ScheduleStatus::Active));
    assert!(matches!(
        store.list(&tenant, &ScheduleQuery::new().size(0)).await,
        Err(Error::InvalidQuery { .. })
    ));
}

/// `generate` makes a period once: a second call names the first invoice and writes
/// nothing; the invoice records its schedule and period; the schedule's last period and
/// due time move; a paused schedule, another tenant's and an invoice without an origin
/// are refused.
pub async fn schedules_generate_each_period_once<S>(store: &S)
where
    S: ScheduleStore + InvoiceStore,
{
    let tenant = fresh_tenant();
    let schedule = monthly_schedule(&tenant, false);
    ScheduleStore::create(store, &schedule).await.unwrap();
    let now = at(2027, 2, 10, 12);
    assert!(ScheduleStore::due(store, now, 1000)
        .await
        .unwrap()
        .iter()
        .any(|s| s.id() == schedule.id()));
    let occurrences = schedule.due(now);
    assert_eq!(occurrences.len(), 2);
    let envelope = |invoice: &invoice_core::Invoice, event| {
        EventEnvelope::new(EventId::from_uuid(Uuid::new_v4()), now, invoice, event)
    };
    let (first, event) = schedule
        .draft(InvoiceId::from_uuid(Uuid::new_v4()), occurrences[0])
        .unwrap();
    assert_eq!(
        store
            .generate(&first, &[envelope(&first, event.clone())])
            .await
            .unwrap(),
        Generated::Created
    );
    let (again, event) = schedule
        .draft(InvoiceId::from_uuid(Uuid::new_v4()), occurrences[0])
        .unwrap();
    assert_eq!(
        store
            .generate(&again, &[envelope(&again, event)])
            .await
            .unwrap(),
        Generated::AlreadyGenerated {
            invoice: first.id()
        }
    );
    assert!(matches!(
        InvoiceStore::get(store, &tenant, again.id()).await,
        Err(Error::NotFound { .. })
    ));
    let stored = InvoiceStore::get(store, &tenant, first.id()).await.unwrap();
    assert_eq!(stored.schedule_origin(), first.schedule_origin());
    let progressed = ScheduleStore::get(store, &tenant, schedule.id())
        .await
        .unwrap();
    assert_eq!(progressed.last_period(), Some(0));
    assert_eq!(
        progressed.due(now),
        occurrences[1..],
        "only the second period is left"
    );

    // A person's edit keeps the recorded progress.
    let mut edited = progressed.clone();
    edited
        .update(ScheduleUpdate {
            name: Some("Edited".to_owned()),
            ..ScheduleUpdate::default()
        })
        .unwrap();
    ScheduleStore::update(store, &edited.clone().with_last_period(None), 1)
        .await
        .unwrap();
    assert_eq!(
        ScheduleStore::get(store, &tenant, schedule.id())
            .await
            .unwrap()
            .last_period(),
        Some(0)
    );

    // Paused: the next period is refused, and the schedule is not due.
    store.pause(&tenant, schedule.id(), None).await.unwrap();
    assert!(!ScheduleStore::due(store, now, 1000)
        .await
        .unwrap()
        .iter()
        .any(|s| s.id() == schedule.id()));
    let (second, event) = schedule
        .draft(InvoiceId::from_uuid(Uuid::new_v4()), occurrences[1])
        .unwrap();
    assert!(matches!(
        store.generate(&second, &[envelope(&second, event)]).await,
        Err(Error::NotAllowed { .. })
    ));
    assert!(matches!(
        InvoiceStore::get(store, &tenant, second.id()).await,
        Err(Error::NotFound { .. })
    ));

    // Another tenant's schedule, and an invoice no schedule made.
    let other = monthly_schedule(&fresh_tenant(), false);
    let (foreign, event) = other
        .draft(InvoiceId::from_uuid(Uuid::new_v4()), occurrences[0])
        .unwrap();
    assert!(matches!(
        store.generate(&foreign, &[envelope(&foreign, event)]).await,
        Err(Error::NotFound { .. })
    ));
    let (plain, event) = invoice_core::Invoice::create(super::draft(&tenant, "Plain")).unwrap();
    assert!(matches!(
        store.generate(&plain, &[envelope(&plain, event)]).await,
        Err(Error::InvalidQuery { .. })
    ));
}

/// The generator, on a clock the test controls: nothing before the first occurrence;
/// each period as it falls due; after downtime, each missed period once, issued with
/// gapless numbers; a second run at the same time makes nothing; every invoice's
/// `Created` and `Issued` events are in the outbox. `store` must have an empty outbox
/// and no other schedules.
pub async fn generator_catches_up_after_downtime<S>(store: Arc<S>)
where
    S: ScheduleStore + InvoiceStore + OutboxStore,
{
    let tenant = fresh_tenant();
    let schedule = monthly_schedule(&tenant, true);
    ScheduleStore::create(&*store, &schedule).await.unwrap();
    let generator = ScheduleGenerator::new(store.clone(), store.clone());
    // 1 January 00:00 in Berlin is 31 December 23:00 UTC.
    let report = generator.run_once(at(2026, 12, 31, 22)).await.unwrap();
    assert_eq!(report.created, 0);
    let report = generator.run_once(at(2026, 12, 31, 23)).await.unwrap();
    assert_eq!((report.created, report.issued), (1, 1), "{report:?}");
    // Down from January to the morning of 2 April: February, March, April.
    let report = generator.run_once(at(2027, 4, 2, 6)).await.unwrap();
    assert_eq!((report.created, report.issued), (3, 3), "{report:?}");
    assert!(report.failed.is_empty(), "{report:?}");
    let report = generator.run_once(at(2027, 4, 2, 6)).await.unwrap();
    assert_eq!((report.created, report.already_generated), (0, 0));

    let page = InvoiceStore::list_invoices(
        &*store,
        &tenant,
        &InvoiceQuery::new().page(PageRequest::Offset { page: 0, size: 100 }),
    )
    .await
    .unwrap();
    let mut made: Vec<(u32, String, Option<NaiveDate>)> = page
        .items
        .iter()
        .map(|i| {
            assert_eq!(i.status(), InvoiceStatus::Issued);
            (
                i.schedule_origin().unwrap().period,
                i.number().unwrap().to_string(),
                i.issue_date(),
            )
        })
        .collect();
    made.sort();
    let periods: Vec<u32> = made.iter().map(|m| m.0).collect();
    assert_eq!(periods, [0, 1, 2, 3]);
    let dates: Vec<Option<NaiveDate>> = made.iter().map(|m| m.2).collect();
    assert_eq!(
        dates,
        [
            Some(date(2027, 1, 1)),
            Some(date(2027, 2, 1)),
            Some(date(2027, 3, 1)),
            Some(date(2027, 4, 1))
        ],
        "each invoice is dated its occurrence"
    );
    let numbers: HashSet<&str> = made.iter().map(|m| m.1.as_str()).collect();
    assert_eq!(numbers.len(), 4);
    assert_eq!(store.pending().await.unwrap(), 8, "Created and Issued each");
}

/// Two generators (two store handles, as two service instances would have) race over
/// the same due periods: `schedules` schedules with three periods each. Every period is
/// made once and issued once; between them the generators created exactly that many
/// invoices and saw the rest as generated. Returns (created by a, by b, already
/// generated seen by both) for the caller to print. `a` and `b` must share a fresh
/// database with an empty outbox and no other schedules.
pub async fn racing_generators_make_each_period_once<S>(
    a: Arc<S>,
    b: Arc<S>,
    schedules: usize,
) -> (u32, u32, u32)
where
    S: ScheduleStore + InvoiceStore + OutboxStore,
{
    let tenant = fresh_tenant();
    for _ in 0..schedules {
        ScheduleStore::create(&*a, &monthly_schedule(&tenant, true))
            .await
            .unwrap();
    }
    let now = at(2027, 3, 15, 12);
    // Small batches, so that the two interleave schedule by schedule.
    let first = ScheduleGenerator::new(a.clone(), a.clone()).batch_size(3);
    let second = ScheduleGenerator::new(b.clone(), b.clone()).batch_size(3);
    let (ra, rb) = tokio::join!(
        tokio::spawn(async move { first.run_once(now).await }),
        tokio::spawn(async move { second.run_once(now).await })
    );
    let (ra, rb) = (ra.unwrap().unwrap(), rb.unwrap().unwrap());
    assert!(
        ra.failed.is_empty() && rb.failed.is_empty(),
        "{ra:?} {rb:?}"
    );
    let periods = u32::try_from(schedules * 3).unwrap();
    assert_eq!(ra.created + rb.created, periods, "{ra:?} {rb:?}");
    assert_eq!(ra.issued + rb.issued, periods, "{ra:?} {rb:?}");

    let mut made = HashSet::new();
    let mut numbers = HashSet::new();
    let mut query = InvoiceQuery::new().page(PageRequest::Keyset {
        cursor: None,
        size: 1000,
    });
    loop {
        let page = InvoiceStore::list_invoices(&*a, &tenant, &query)
            .await
            .unwrap();
        for invoice in &page.items {
            assert_eq!(invoice.status(), InvoiceStatus::Issued);
            let origin = invoice.schedule_origin().unwrap();
            assert!(
                made.insert((origin.schedule, origin.period)),
                "{origin:?} twice"
            );
            assert!(numbers.insert(invoice.number().unwrap().to_string()));
        }
        match page.next_cursor {
            Some(cursor) => {
                query = query.page(PageRequest::Keyset {
                    cursor: Some(cursor),
                    size: 1000,
                })
            }
            None => break,
        }
    }
    assert_eq!(made.len(), schedules * 3, "one invoice per period");
    assert_eq!(
        a.pending().await.unwrap(),
        u64::from(periods) * 2,
        "one Created and one Issued event per period"
    );
    (
        ra.created,
        rb.created,
        ra.already_generated + rb.already_generated,
    )
}
