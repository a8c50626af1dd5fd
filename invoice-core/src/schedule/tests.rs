use chrono::{TimeZone, Weekday};
use proptest::prelude::*;

use super::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn monthly(every: u32, day: MonthDay, start: NaiveDate, end: ScheduleEnd) -> ScheduleRule {
    ScheduleRule::new(
        Recurrence::Monthly { every, day },
        start,
        end,
        chrono_tz::UTC,
    )
    .unwrap()
}

fn dates(rule: &ScheduleRule, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    rule.occurrences(from, to).map(|o| o.date).collect()
}

#[test]
fn the_31st_falls_on_each_months_last_day_when_shorter() {
    let rule = monthly(1, MonthDay::Day(31), date(2027, 1, 1), ScheduleEnd::Never);
    assert_eq!(
        dates(&rule, date(2027, 1, 1), date(2027, 5, 31)),
        [
            date(2027, 1, 31),
            date(2027, 2, 28),
            date(2027, 3, 31),
            date(2027, 4, 30),
            date(2027, 5, 31)
        ]
    );
    let leap = monthly(1, MonthDay::Day(30), date(2028, 1, 15), ScheduleEnd::Never);
    assert_eq!(
        dates(&leap, date(2028, 1, 1), date(2028, 3, 31)),
        [date(2028, 1, 30), date(2028, 2, 29), date(2028, 3, 30)]
    );
}

#[test]
fn quarterly_yearly_and_weekly() {
    let quarterly = ScheduleRule::new(
        Recurrence::quarterly(MonthDay::Day(15)),
        date(2027, 1, 20),
        ScheduleEnd::Never,
        chrono_tz::UTC,
    )
    .unwrap();
    // The 15th of January is before the start: the first quarter is April's.
    assert_eq!(
        dates(&quarterly, date(2027, 1, 1), date(2027, 12, 31)),
        [date(2027, 4, 15), date(2027, 7, 15), date(2027, 10, 15)]
    );
    let yearly = monthly(12, MonthDay::Last, date(2027, 2, 1), ScheduleEnd::Never);
    assert_eq!(
        dates(&yearly, date(2027, 1, 1), date(2029, 12, 31)),
        [date(2027, 2, 28), date(2028, 2, 29), date(2029, 2, 28)]
    );
    let fortnightly = ScheduleRule::new(
        Recurrence::Weekly { every: 2 },
        date(2027, 3, 3),
        ScheduleEnd::After(3),
        chrono_tz::UTC,
    )
    .unwrap();
    let all: Vec<NaiveDate> = fortnightly.all().map(|o| o.date).collect();
    assert_eq!(
        all,
        [date(2027, 3, 3), date(2027, 3, 17), date(2027, 3, 31)]
    );
    assert!(all.iter().all(|d| d.weekday() == Weekday::Wed));
}

#[test]
fn an_end_between_occurrences_keeps_the_last_one_before_it() {
    let rule = monthly(
        1,
        MonthDay::Day(10),
        date(2027, 1, 1),
        ScheduleEnd::On(date(2027, 3, 20)),
    );
    let all: Vec<Occurrence> = rule.all().collect();
    assert_eq!(
        all.iter().map(|o| (o.period, o.date)).collect::<Vec<_>>(),
        [
            (0, date(2027, 1, 10)),
            (1, date(2027, 2, 10)),
            (2, date(2027, 3, 10))
        ]
    );
}

#[test]
fn invalid_rules_are_refused() {
    let start = date(2027, 1, 1);
    for (recurrence, end) in [
        (Recurrence::Weekly { every: 0 }, ScheduleEnd::Never),
        (
            Recurrence::Monthly {
                every: 0,
                day: MonthDay::Last,
            },
            ScheduleEnd::Never,
        ),
        (
            Recurrence::Monthly {
                every: 1,
                day: MonthDay::Day(0),
            },
            ScheduleEnd::Never,
        ),
        (
            Recurrence::Monthly {
                every: 1,
                day: MonthDay::Day(32),
            },
            ScheduleEnd::Never,
        ),
        (
            Recurrence::Weekly { every: 1 },
            ScheduleEnd::On(date(2026, 12, 31)),
        ),
        (Recurrence::Weekly { every: 1 }, ScheduleEnd::After(0)),
    ] {
        assert!(
            matches!(
                ScheduleRule::new(recurrence, start, end, chrono_tz::UTC),
                Err(Error::InvalidSchedule(_))
            ),
            "{recurrence:?} {end:?}"
        );
    }
}

#[test]
fn an_occurrence_is_due_from_midnight_in_the_schedules_zone_across_dst_changes() {
    // Berlin moves to summer time on 2027-03-28 at 01:00 UTC, back on 2027-10-31 at
    // 01:00 UTC; New York on 2027-03-14 at 07:00 UTC and 2027-11-07 at 06:00 UTC.
    for (zone, day, midnight_utc) in [
        (
            chrono_tz::Europe::Berlin,
            date(2027, 3, 28),
            (2027, 3, 27, 23),
        ),
        (
            chrono_tz::Europe::Berlin,
            date(2027, 3, 29),
            (2027, 3, 28, 22),
        ),
        (
            chrono_tz::Europe::Berlin,
            date(2027, 10, 31),
            (2027, 10, 30, 22),
        ),
        (
            chrono_tz::Europe::Berlin,
            date(2027, 11, 1),
            (2027, 10, 31, 23),
        ),
        (
            chrono_tz::America::New_York,
            date(2027, 3, 14),
            (2027, 3, 14, 5),
        ),
        (
            chrono_tz::America::New_York,
            date(2027, 3, 15),
            (2027, 3, 15, 4),
        ),
        (
            chrono_tz::America::New_York,
            date(2027, 11, 8),
            (2027, 11, 8, 5),
        ),
    ] {
        let rule = ScheduleRule::new(
            Recurrence::Weekly { every: 1 },
            day,
            ScheduleEnd::After(1),
            zone,
        )
        .unwrap();
        let (y, m, d, h) = midnight_utc;
        let midnight = Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap();
        let before = midnight - chrono::Duration::seconds(1);
        assert!(
            rule.due(None, before).is_empty(),
            "{zone} {day}: due a second early"
        );
        assert_eq!(
            rule.due(None, midnight),
            [Occurrence {
                period: 0,
                date: day
            }],
            "{zone} {day}: due at local midnight"
        );
    }
}

#[test]
fn catching_up_after_downtime_lists_each_missed_period_once() {
    let rule = monthly(1, MonthDay::Day(1), date(2027, 1, 1), ScheduleEnd::Never);
    let now = Utc.with_ymd_and_hms(2027, 4, 2, 9, 0, 0).unwrap();
    let due = rule.due(Some(0), now);
    assert_eq!(
        due.iter().map(|o| o.period).collect::<Vec<_>>(),
        [1, 2, 3],
        "February, March and April were missed"
    );
    assert!(rule.due(Some(3), now).is_empty());
}

fn any_rule() -> impl Strategy<Value = ScheduleRule> {
    let recurrence = prop_oneof![
        (1u32..6).prop_map(|every| Recurrence::Weekly { every }),
        (
            1u32..13,
            prop_oneof![(1u8..=31).prop_map(MonthDay::Day), Just(MonthDay::Last)]
        )
            .prop_map(|(every, day)| Recurrence::Monthly { every, day }),
    ];
    let end = prop_oneof![
        Just(ScheduleEnd::Never),
        (0u64..2000).prop_map(|days| ScheduleEnd::On(date(2024, 1, 1) + Days::new(days))),
        (1u32..40).prop_map(ScheduleEnd::After),
    ];
    (recurrence, 0u64..1500, end).prop_filter_map(
        "end before start",
        |(recurrence, offset, end)| {
            let start = date(2024, 1, 1) + Days::new(offset);
            ScheduleRule::new(recurrence, start, end, chrono_tz::Europe::Berlin).ok()
        },
    )
}

proptest! {
    /// Occurrences are on or after the start, strictly increasing, numbered 0, 1, 2, ...
    /// without a gap; monthly ones fall in consecutive intervals on their day (or the
    /// month's last), weekly ones exactly `every` weeks apart; none is past the end.
    #[test]
    fn no_occurrence_twice_none_skipped(rule in any_rule()) {
        let all: Vec<Occurrence> = rule.occurrences(date(2020, 1, 1), date(2031, 12, 31)).collect();
        for (i, o) in all.iter().enumerate() {
            prop_assert_eq!(o.period as usize, i);
            prop_assert!(o.date >= rule.start());
            match rule.end() {
                ScheduleEnd::On(end) => prop_assert!(o.date <= end),
                ScheduleEnd::After(n) => prop_assert!(o.period < n),
                ScheduleEnd::Never => {}
            }
        }
        for pair in all.windows(2) {
            let (a, b) = (pair[0].date, pair[1].date);
            prop_assert!(a < b);
            match rule.recurrence() {
                Recurrence::Weekly { every } => {
                    prop_assert_eq!((b - a).num_days(), 7 * i64::from(every));
                }
                Recurrence::Monthly { every, day } => {
                    let months = (b.year() - a.year()) * 12 + b.month() as i32 - a.month() as i32;
                    prop_assert_eq!(months, every as i32);
                    let last = last_day_of_month(b);
                    let expected = match day {
                        MonthDay::Last => last.day(),
                        MonthDay::Day(d) => u32::from(d).min(last.day()),
                    };
                    prop_assert_eq!(b.day(), expected);
                }
            }
        }
        // The occurrence after the last one listed, if within the end, is past the range.
        if let (Some(last), ScheduleEnd::On(end)) = (all.last(), rule.end()) {
            if let Some(next) = rule.date_of(last.period + 1) {
                prop_assert!(next > end.min(date(2031, 12, 31)));
            }
        }
    }

    /// Two adjacent ranges list together exactly what the whole range lists.
    #[test]
    fn ranges_split_without_loss(rule in any_rule(), split in 0u64..3000) {
        let (from, to) = (date(2023, 1, 1), date(2032, 1, 1));
        let mid = from + Days::new(split);
        let whole: Vec<Occurrence> = rule.occurrences(from, to).collect();
        let mut parts: Vec<Occurrence> = rule.occurrences(from, mid).collect();
        parts.extend(rule.occurrences(mid + Days::new(1), to));
        prop_assert_eq!(whole, parts);
    }
}
