//! Recurring invoices: when a schedule's occurrences fall, as a pure function of its
//! rule and a range of dates (or, for "what is due now", an instant the caller gives:
//! the core has no clock).
//!
//! Occurrences are numbered from 0; the number is the period a generator records with
//! the invoice it makes, so that each period is invoiced once whoever generates it.
//!
//! ```
//! use chrono::NaiveDate;
//! use invoice_core::schedule::{MonthDay, Recurrence, ScheduleEnd, ScheduleRule};
//!
//! let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
//! // Rent, due on the last day of each month from January, twelve times.
//! let rule = ScheduleRule::new(
//!     Recurrence::Monthly { every: 1, day: MonthDay::Last },
//!     date(2028, 1, 1),
//!     ScheduleEnd::After(12),
//!     chrono_tz::Europe::Berlin,
//! )?;
//! let dates: Vec<NaiveDate> =
//!     rule.occurrences(date(2028, 1, 1), date(2028, 3, 31)).map(|o| o.date).collect();
//! assert_eq!(dates, [date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31)]);
//! # Ok::<(), invoice_core::Error>(())
//! ```

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, TimeZone, Utc};
pub use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The day of the month a monthly occurrence falls on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonthDay {
    /// This day (1 to 31); in a shorter month, its last day (31 → 30, 28 or 29).
    Day(u8),
    /// The last day of the month.
    Last,
}

/// How often a schedule recurs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "every_unit")]
pub enum Recurrence {
    /// Every `every` weeks, on the start date's weekday.
    Weekly {
        /// Weeks between occurrences (at least 1).
        every: u32,
    },
    /// Every `every` months (3: quarterly, 12: yearly), on `day`.
    Monthly {
        /// Months between occurrences (at least 1).
        every: u32,
        /// The day of the month.
        day: MonthDay,
    },
}

impl Recurrence {
    /// Every three months, on `day`.
    pub const fn quarterly(day: MonthDay) -> Self {
        Self::Monthly { every: 3, day }
    }

    /// Every twelve months, on `day`.
    pub const fn yearly(day: MonthDay) -> Self {
        Self::Monthly { every: 12, day }
    }
}

/// When a schedule stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleEnd {
    /// It does not.
    Never,
    /// After its last occurrence on or before this date.
    On(NaiveDate),
    /// After this many occurrences.
    After(u32),
}

/// One occurrence: its period number and date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Occurrence {
    /// 0 for the first occurrence, 1 for the next, ...
    pub period: u32,
    /// The date it falls on, in the schedule's time zone.
    pub date: NaiveDate,
}

/// When a schedule's invoices fall.
///
/// Deserializing checks the rule as [`ScheduleRule::new`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RuleFields")]
pub struct ScheduleRule {
    recurrence: Recurrence,
    start: NaiveDate,
    end: ScheduleEnd,
    time_zone: Tz,
}

/// A rule as written, before [`ScheduleRule::new`] checks it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFields {
    recurrence: Recurrence,
    start: NaiveDate,
    end: ScheduleEnd,
    time_zone: Tz,
}

impl TryFrom<RuleFields> for ScheduleRule {
    type Error = Error;

    fn try_from(f: RuleFields) -> Result<Self> {
        Self::new(f.recurrence, f.start, f.end, f.time_zone)
    }
}

/// The last day of `date`'s month.
fn last_day_of_month(date: NaiveDate) -> NaiveDate {
    let first = date.with_day(1).unwrap_or(date);
    first
        .checked_add_months(Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(date)
}

/// `day` in the month of `month` (any date of it), clamped to its last day.
fn in_month(month: NaiveDate, day: MonthDay) -> NaiveDate {
    let last = last_day_of_month(month);
    match day {
        MonthDay::Last => last,
        MonthDay::Day(d) => last.with_day(u32::from(d).min(last.day())).unwrap_or(last),
    }
}

impl ScheduleRule {
    /// A rule from `start` (the first occurrence is on or after it), dated in `time_zone`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSchedule`] for an interval of 0, a day outside 1 to 31, a start or
    /// end outside the years 1900 to 9999, an end date before the start, or a count of 0.
    pub fn new(
        recurrence: Recurrence,
        start: NaiveDate,
        end: ScheduleEnd,
        time_zone: Tz,
    ) -> Result<Self> {
        let invalid = |reason: &str| Err(Error::InvalidSchedule(reason.to_owned()));
        match recurrence {
            Recurrence::Weekly { every: 0 } | Recurrence::Monthly { every: 0, .. } => {
                return invalid("the interval must be at least 1")
            }
            Recurrence::Monthly {
                day: MonthDay::Day(d),
                ..
            } if !(1..=31).contains(&d) => return invalid("the day of the month must be 1 to 31"),
            _ => {}
        }
        let years = 1900..=9999;
        if !years.contains(&start.year()) {
            return invalid("the start must be in the years 1900 to 9999");
        }
        match end {
            ScheduleEnd::On(date) if !years.contains(&date.year()) => {
                return invalid("the end must be in the years 1900 to 9999")
            }
            ScheduleEnd::On(date) if date < start => return invalid("the end is before the start"),
            ScheduleEnd::After(0) => return invalid("the count must be at least 1"),
            _ => {}
        }
        Ok(Self {
            recurrence,
            start,
            end,
            time_zone,
        })
    }

    /// How often it recurs.
    pub fn recurrence(&self) -> Recurrence {
        self.recurrence
    }

    /// The first day an occurrence may fall on.
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// When it stops.
    pub fn end(&self) -> ScheduleEnd {
        self.end
    }

    /// The time zone its dates are in.
    pub fn time_zone(&self) -> Tz {
        self.time_zone
    }

    /// The date of period `period`, ignoring the end; `None` past the calendar's end.
    pub fn date_of(&self, period: u32) -> Option<NaiveDate> {
        match self.recurrence {
            Recurrence::Weekly { every } => {
                let days = u64::from(every)
                    .checked_mul(7)?
                    .checked_mul(u64::from(period))?;
                self.start.checked_add_days(Days::new(days))
            }
            Recurrence::Monthly { every, day } => {
                // The first occurrence is in the start's month if its day is not before
                // the start, else one interval later.
                let first = if in_month(self.start, day) >= self.start {
                    self.start
                } else {
                    self.start.checked_add_months(Months::new(every))?
                };
                let months = every.checked_mul(period)?;
                let month = first.with_day(1)?.checked_add_months(Months::new(months))?;
                Some(in_month(month, day))
            }
        }
    }

    /// Whether period `period` on `date` is within the end.
    fn within_end(&self, period: u32, date: NaiveDate) -> bool {
        match self.end {
            ScheduleEnd::Never => true,
            ScheduleEnd::On(end) => date <= end,
            ScheduleEnd::After(count) => period < count,
        }
    }

    /// Every occurrence from the first, in order, until the end.
    pub fn all(&self) -> impl Iterator<Item = Occurrence> + '_ {
        (0..=u32::MAX)
            .map_while(|period| {
                Some(Occurrence {
                    period,
                    date: self.date_of(period)?,
                })
            })
            .take_while(|o| self.within_end(o.period, o.date))
    }

    /// The occurrences dated from `from` to `to`, both included, in order.
    pub fn occurrences(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> impl Iterator<Item = Occurrence> + '_ {
        self.all()
            .take_while(move |o| o.date <= to)
            .filter(move |o| o.date >= from)
    }

    /// The instant `date` begins in the schedule's time zone: when an occurrence on it
    /// becomes due. Where midnight does not exist (a daylight saving change at
    /// midnight), the first hour of the day that does.
    pub fn day_starts_at(&self, date: NaiveDate) -> Option<DateTime<Utc>> {
        (0..24).find_map(|hour| {
            self.time_zone
                .from_local_datetime(&date.and_hms_opt(hour, 0, 0)?)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
        })
    }

    /// The date it is in the schedule's time zone at `now`.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.time_zone).date_naive()
    }

    /// The occurrences due at `now` (dated on or before the schedule's today) after
    /// period `after` (`None`: from the first): what a generator that last generated
    /// `after` must catch up on, oldest first.
    pub fn due(&self, after: Option<u32>, now: DateTime<Utc>) -> Vec<Occurrence> {
        let today = self.today(now);
        self.all()
            .take_while(|o| o.date <= today)
            .filter(|o| after.is_none_or(|last| o.period > last))
            .collect()
    }
}

mod recurring;
mod template;

pub use recurring::{Schedule, ScheduleOrigin, ScheduleStatus, ScheduleUpdate, MAX_SCHEDULE_NAME};
pub use template::InvoiceTemplate;

#[cfg(test)]
mod tests;
