use chrono::NaiveDate;
use uuid::Uuid;

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 1, 8, 0, 0).unwrap()
}

fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
}

fn reminder() -> Reminder {
    Reminder::new(
        ReminderId::from_uuid(Uuid::from_u128(1)),
        TenantId::new("acme").unwrap(),
        ReminderAbout::Invoice(InvoiceId::from_uuid(Uuid::from_u128(2))),
        "ap@buyer.example",
        "Invoice due",
        "Please pay.",
        local(2027, 3, 5, 9, 0),
        chrono_tz::Europe::Berlin,
        now(),
    )
    .unwrap()
}

#[test]
fn a_time_in_the_past_or_in_a_dst_gap_is_refused() {
    let make = |at, zone| {
        Reminder::new(
            ReminderId::from_uuid(Uuid::from_u128(1)),
            TenantId::new("acme").unwrap(),
            ReminderAbout::Topic("x".to_owned()),
            "a@b.example",
            "s",
            "b",
            at,
            zone,
            now(),
        )
    };
    // 09:00 Berlin on 1 March is 08:00 UTC: now, not after it.
    assert!(make(local(2027, 3, 1, 9, 0), chrono_tz::Europe::Berlin).is_err());
    assert!(make(local(2027, 3, 1, 9, 1), chrono_tz::Europe::Berlin).is_ok());
    // 02:30 on 28 March 2027 does not exist in Berlin (clocks go from 02:00 to 03:00).
    let gap = make(local(2027, 3, 28, 2, 30), chrono_tz::Europe::Berlin);
    assert!(matches!(
        gap,
        Err(Error::InvalidField {
            field: "reminder time",
            ..
        })
    ));
    // 02:30 on 31 October 2027 happens twice: the earlier one, 00:30 UTC.
    let twice = make(local(2027, 10, 31, 2, 30), chrono_tz::Europe::Berlin).unwrap();
    assert_eq!(
        twice.due_at(),
        Utc.with_ymd_and_hms(2027, 10, 31, 0, 30, 0).unwrap()
    );
}

#[test]
fn bad_addresses_and_blank_texts_are_refused() {
    for address in [
        "",
        "no-at",
        "a@",
        "@b.example",
        "a@b",
        "a b@c.example",
        "a@b@c.example",
        "a@.example",
    ] {
        let made = Reminder::new(
            ReminderId::from_uuid(Uuid::from_u128(1)),
            TenantId::new("acme").unwrap(),
            ReminderAbout::Topic("x".to_owned()),
            address,
            "s",
            "b",
            local(2027, 4, 1, 9, 0),
            chrono_tz::UTC,
            now(),
        );
        assert!(made.is_err(), "{address:?}");
    }
    let blank_subject = Reminder::new(
        ReminderId::from_uuid(Uuid::from_u128(1)),
        TenantId::new("acme").unwrap(),
        ReminderAbout::Topic("x".to_owned()),
        "a@b.example",
        "  ",
        "b",
        local(2027, 4, 1, 9, 0),
        chrono_tz::UTC,
        now(),
    );
    assert!(blank_subject.is_err());
    let mut r = reminder();
    let before = r.clone();
    assert!(r.redirect("not an address", None).is_err());
    assert!(r.redirect("ok@x.example", Some("bad".to_owned())).is_err());
    assert_eq!(r, before, "nothing changes on error");
}

#[test]
fn reschedule_redirect_and_cancel_until_sent() {
    let mut r = reminder();
    r.reschedule(
        local(2027, 3, 6, 10, 0),
        chrono_tz::America::New_York,
        now(),
    )
    .unwrap();
    assert_eq!(
        r.due_at(),
        Utc.with_ymd_and_hms(2027, 3, 6, 15, 0, 0).unwrap()
    );
    assert!(r
        .reschedule(local(2027, 2, 1, 10, 0), chrono_tz::UTC, now())
        .is_err());
    r.redirect("cfo@buyer.example", Some("ap@buyer.example".to_owned()))
        .unwrap();
    assert_eq!(r.recipient(), "cfo@buyer.example");
    assert_eq!(r.secondary(), Some("ap@buyer.example"));
    assert_eq!(r.version(), 3);
    r.mark_sent(now()).unwrap();
    assert_eq!(r.status(), ReminderStatus::Sent);
    for refused in [
        r.clone().cancel(),
        r.clone().redirect("x@y.example", None),
        r.clone()
            .reschedule(local(2028, 1, 1, 0, 0), chrono_tz::UTC, now()),
        r.clone().mark_sent(now()),
    ] {
        assert!(
            matches!(refused, Err(Error::InvalidReminder(_))),
            "{refused:?}"
        );
    }
}

#[test]
fn failures_are_counted_until_the_last_attempt_and_a_reschedule_forgets_them() {
    let mut r = reminder();
    let later = now() + chrono::Duration::minutes(5);
    r.record_failure("connection refused", 3, later).unwrap();
    r.record_failure("connection refused", 3, later).unwrap();
    assert_eq!((r.status(), r.attempts()), (ReminderStatus::Scheduled, 2));
    assert_eq!(r.not_before(), Some(later), "waits for its retry");
    r.reschedule(local(2027, 3, 7, 9, 0), chrono_tz::UTC, now())
        .unwrap();
    assert_eq!(
        (r.attempts(), r.last_error(), r.not_before()),
        (0, None, None)
    );
    for _ in 0..3 {
        r.record_failure("550 mailbox unavailable", 3, later)
            .unwrap();
    }
    assert_eq!(r.status(), ReminderStatus::Failed);
    assert_eq!(r.not_before(), None);
    assert_eq!(r.last_error(), Some("550 mailbox unavailable"));
    assert!(r.record_failure("again", 3, later).is_err());
}

#[test]
fn an_attempt_holds_the_reminder_and_bumps_its_version_until_sent() {
    let mut r = reminder();
    let hold = now() + chrono::Duration::minutes(2);
    r.begin_attempt(hold).unwrap();
    assert_eq!((r.version(), r.not_before()), (2, Some(hold)));
    assert_eq!(r.attempts(), 0, "only a failure counts");
    r.mark_sent(now()).unwrap();
    assert_eq!(
        (r.status(), r.not_before(), r.version()),
        (ReminderStatus::Sent, None, 3)
    );
    assert!(
        r.begin_attempt(hold).is_err(),
        "a sent reminder is not sent again"
    );
    let back: Reminder = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
    assert_eq!(back, r);
}

#[test]
fn a_reminder_reads_back_from_json() {
    let r = reminder();
    let back: Reminder = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
    assert_eq!(back, r);
    for status in [
        ReminderStatus::Scheduled,
        ReminderStatus::Sent,
        ReminderStatus::Cancelled,
        ReminderStatus::Failed,
    ] {
        assert_eq!(ReminderStatus::parse(status.as_str()), Some(status));
    }
}
