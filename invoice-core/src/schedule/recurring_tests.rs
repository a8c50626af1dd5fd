use chrono::TimeZone;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::super::{MonthDay, Recurrence, ScheduleEnd};
use super::*;
use crate::{Address, CountryCode, Currency, InvoiceStatus, LineItem, Party, UnitCode, Vat};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

fn template() -> InvoiceTemplate {
    let party = |name| Party::new(name, Address::new(CountryCode::new("DE").unwrap()));
    let line = LineItem::new(
        "1",
        "Retainer",
        Decimal::ONE,
        UnitCode::piece(),
        Decimal::new(50000, 2),
        Vat::standard(Decimal::new(19, 0)),
    );
    let mut template =
        InvoiceTemplate::new(Currency::EUR, party("Seller"), party("Buyer"), vec![line]);
    template.due_after_days = Some(14);
    template
}

fn monthly(end: ScheduleEnd) -> Schedule {
    let rule = ScheduleRule::new(
        Recurrence::Monthly {
            every: 1,
            day: MonthDay::Day(1),
        },
        date(2027, 1, 1),
        end,
        chrono_tz::Europe::Berlin,
    )
    .unwrap();
    Schedule::new(
        ScheduleId::from_uuid(Uuid::from_u128(7)),
        TenantId::new("t").unwrap(),
        "Retainer",
        template(),
        rule,
        false,
    )
    .unwrap()
}

fn periods(occurrences: &[Occurrence]) -> Vec<u32> {
    occurrences.iter().map(|o| o.period).collect()
}

#[test]
fn due_lists_what_was_missed_and_nothing_generated_twice() {
    let schedule = monthly(ScheduleEnd::Never);
    // 1 March 00:00 in Berlin is 28 February 23:00 UTC.
    assert_eq!(periods(&schedule.due(at(2027, 2, 28, 22))), [0, 1]);
    assert_eq!(periods(&schedule.due(at(2027, 2, 28, 23))), [0, 1, 2]);
    let generated = schedule.clone().with_last_period(Some(1));
    assert_eq!(periods(&generated.due(at(2027, 3, 15, 0))), [2]);
    assert_eq!(
        generated.next_due_at(),
        Some(at(2027, 2, 28, 23)),
        "the next occurrence is due from midnight in Berlin"
    );
}

#[test]
fn a_paused_schedule_generates_nothing_and_skips_what_fell_meanwhile() {
    let mut schedule = monthly(ScheduleEnd::Never).with_last_period(Some(0));
    schedule.pause().unwrap();
    assert_eq!(schedule.status(), ScheduleStatus::Paused);
    assert!(schedule.due(at(2027, 6, 15, 0)).is_empty());
    assert_eq!(schedule.next_due_at(), None);
    assert!(schedule.pause().is_err(), "pausing twice is refused");
    schedule.resume(date(2027, 6, 15)).unwrap();
    // February to June fell while paused: the next is July's, period 6.
    assert!(schedule.due(at(2027, 6, 20, 0)).is_empty());
    assert_eq!(periods(&schedule.due(at(2027, 7, 2, 0))), [6]);
    assert_eq!(periods(&schedule.upcoming(2)), [6, 7]);
    assert_eq!(schedule.version(), 3);
}

#[test]
fn cancel_is_final() {
    let mut schedule = monthly(ScheduleEnd::Never);
    schedule.cancel().unwrap();
    assert!(schedule.due(at(2030, 1, 1, 0)).is_empty());
    assert!(schedule.upcoming(3).is_empty());
    assert!(schedule.cancel().is_err());
    assert!(schedule.resume(date(2030, 1, 1)).is_err());
    assert!(schedule.pause().is_err());
    assert!(schedule.update(ScheduleUpdate::default()).is_err());
}

#[test]
fn once_generated_only_the_end_of_the_rule_may_change() {
    let mut schedule = monthly(ScheduleEnd::Never).with_last_period(Some(2));
    let end_in_june = ScheduleRule::new(
        schedule.rule().recurrence(),
        schedule.rule().start(),
        ScheduleEnd::On(date(2027, 6, 30)),
        schedule.rule().time_zone(),
    )
    .unwrap();
    schedule
        .update(ScheduleUpdate {
            rule: Some(end_in_june),
            ..ScheduleUpdate::default()
        })
        .unwrap();
    assert_eq!(periods(&schedule.upcoming(10)), [3, 4, 5]);
    let weekly = ScheduleRule::new(
        Recurrence::Weekly { every: 1 },
        schedule.rule().start(),
        ScheduleEnd::Never,
        schedule.rule().time_zone(),
    )
    .unwrap();
    let before = schedule.clone();
    let refused = schedule.update(ScheduleUpdate {
        name: Some("Renamed".to_owned()),
        rule: Some(weekly),
        ..ScheduleUpdate::default()
    });
    assert!(matches!(refused, Err(Error::InvalidSchedule(_))));
    assert_eq!(schedule, before, "nothing changes on error");
}

#[test]
fn a_bad_template_or_name_is_refused_at_creation_and_update() {
    let schedule = monthly(ScheduleEnd::Never);
    let mut empty = template();
    empty.lines.clear();
    let created = Schedule::new(
        schedule.id(),
        schedule.tenant().clone(),
        "x",
        empty.clone(),
        *schedule.rule(),
        true,
    );
    assert!(matches!(created, Err(Error::InvalidSchedule(_))));
    let blank = Schedule::new(
        schedule.id(),
        schedule.tenant().clone(),
        "  ",
        template(),
        *schedule.rule(),
        true,
    );
    assert!(matches!(blank, Err(Error::InvalidSchedule(_))));
    let mut repeated = template();
    repeated.lines.push(repeated.lines[0].clone());
    let mut updated = schedule.clone();
    assert!(matches!(
        updated.update(ScheduleUpdate {
            template: Some(repeated),
            ..ScheduleUpdate::default()
        }),
        Err(Error::InvalidLine { .. })
    ));
    assert_eq!(updated, schedule);
}

#[test]
fn a_draft_records_its_schedule_and_period_and_is_due_after_its_date() {
    let schedule = monthly(ScheduleEnd::After(3));
    let occurrence = schedule.upcoming(3)[2];
    let id = InvoiceId::from_uuid(Uuid::from_u128(9));
    let (invoice, event) = schedule.draft(id, occurrence).unwrap();
    assert_eq!(invoice.id(), id);
    assert_eq!(invoice.status(), InvoiceStatus::Draft);
    assert_eq!(
        invoice.schedule_origin(),
        Some(ScheduleOrigin {
            schedule: schedule.id(),
            period: 2
        })
    );
    assert_eq!(invoice.due_date(), Some(date(2027, 3, 15)));
    assert!(matches!(event, InvoiceEvent::Created { .. }));
    let json = serde_json::to_string(&invoice).unwrap();
    let back: Invoice = serde_json::from_str(&json).unwrap();
    assert_eq!(back.schedule_origin(), invoice.schedule_origin());
    assert_eq!(schedule.with_last_period(Some(2)).next_due_at(), None);
}

#[test]
fn a_schedule_reads_back_from_json_and_a_bad_rule_is_refused() {
    let schedule = monthly(ScheduleEnd::Never);
    let json = serde_json::to_value(&schedule).unwrap();
    let back: Schedule = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, schedule);
    let mut bad = json;
    bad["rule"]["recurrence"]["every"] = 0.into();
    assert!(serde_json::from_value::<Schedule>(bad).is_err());
}
