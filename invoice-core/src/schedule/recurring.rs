//! A recurring invoice: a template, a rule, its status, and how far generation went.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::events::InvoiceEvent;
use crate::ids::{InvoiceId, ScheduleId, TenantId};
use crate::invoice::Invoice;

use super::{InvoiceTemplate, Occurrence, ScheduleRule};

/// Where a schedule stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleStatus {
    /// Its occurrences are generated as they fall due.
    Active,
    /// Nothing is generated; occurrences that fall while paused are skipped.
    Paused,
    /// Final: nothing is generated again.
    Cancelled,
}

impl ScheduleStatus {
    /// The status as stored and shown: `active`, `paused`, `cancelled`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Cancelled => "cancelled",
        }
    }

    /// The status named by [`as_str`](Self::as_str).
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Active, Self::Paused, Self::Cancelled]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// The schedule and period an invoice was generated for: recorded on the invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ScheduleOrigin {
    /// The schedule.
    pub schedule: ScheduleId,
    /// The occurrence's period number (0 for the first).
    pub period: u32,
}

/// A change to a schedule: only the fields that are `Some` change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleUpdate {
    /// A new name.
    #[serde(default)]
    pub name: Option<String>,
    /// A new template, for the occurrences generated from now on.
    #[serde(default)]
    pub template: Option<InvoiceTemplate>,
    /// A new rule. Once an occurrence was generated only its end may change, since
    /// period numbers must keep meaning the same dates.
    #[serde(default)]
    pub rule: Option<ScheduleRule>,
    /// Whether generated invoices are issued.
    #[serde(default)]
    pub auto_issue: Option<bool>,
}

/// A recurring invoice: a template, a rule, whether its invoices are issued as they are
/// generated, its status and the last period generated.
///
/// Like [`Invoice`], it changes only through its commands, each of which bumps
/// [`version`](Self::version). How far generation went
/// ([`last_period`](Self::last_period)) is the store's to record, outside the version,
/// so that generating never conflicts with a person's edit.
///
/// ```
/// use chrono::{NaiveDate, TimeZone, Utc};
/// use invoice_core::schedule::*;
/// use invoice_core::*;
///
/// let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
/// let party = |name| Party::new(name, Address::new(CountryCode::new("DE").unwrap()));
/// let rent = LineItem::new("1", "Rent", Decimal::ONE, UnitCode::piece(),
///     Decimal::new(1200, 0), Vat::standard(Decimal::new(19, 0)));
/// let template = InvoiceTemplate::new(Currency::EUR, party("Landlord"), party("Tenant"), vec![rent]);
/// let rule = ScheduleRule::new(
///     Recurrence::Monthly { every: 1, day: MonthDay::Day(1) },
///     date(2027, 1, 1),
///     ScheduleEnd::Never,
///     chrono_tz::Europe::Berlin,
/// )?;
/// let schedule = Schedule::new(
///     ScheduleId::from_uuid(uuid::Uuid::nil()), TenantId::new("t")?, "Rent", template, rule, true,
/// )?;
/// // Generation was down until mid-March: three periods are due, oldest first.
/// let now = Utc.with_ymd_and_hms(2027, 3, 15, 8, 0, 0).unwrap();
/// let due: Vec<u32> = schedule.due(now).iter().map(|o| o.period).collect();
/// assert_eq!(due, [0, 1, 2]);
/// # Ok::<(), invoice_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    id: ScheduleId,
    tenant: TenantId,
    name: String,
    template: InvoiceTemplate,
    rule: ScheduleRule,
    auto_issue: bool,
    status: ScheduleStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    resumed_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_period: Option<u32>,
    version: u64,
}

/// The longest name a schedule may have, in characters.
pub const MAX_SCHEDULE_NAME: usize = 200;

fn check_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::InvalidSchedule(
            "the name must not be blank".to_owned(),
        ));
    }
    if name.chars().count() > MAX_SCHEDULE_NAME {
        return Err(Error::InvalidSchedule(format!(
            "the name is longer than {MAX_SCHEDULE_NAME} characters"
        )));
    }
    Ok(())
}

impl Schedule {
    /// An active schedule at version 1. `auto_issue` says whether each generated draft
    /// is issued at once.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSchedule`] for a blank name or a template without lines; the
    /// template's own errors when a draft made from it would not build (for example a
    /// repeated line id).
    pub fn new(
        id: ScheduleId,
        tenant: TenantId,
        name: impl Into<String>,
        template: InvoiceTemplate,
        rule: ScheduleRule,
        auto_issue: bool,
    ) -> Result<Self> {
        let schedule = Self {
            id,
            tenant,
            name: name.into(),
            template,
            rule,
            auto_issue,
            status: ScheduleStatus::Active,
            resumed_on: None,
            last_period: None,
            version: 1,
        };
        schedule.check()?;
        Ok(schedule)
    }

    /// Checks the name and that the template makes a draft.
    fn check(&self) -> Result<()> {
        check_name(&self.name)?;
        let first = Occurrence {
            period: 0,
            date: self.rule.start(),
        };
        self.draft(InvoiceId::from_uuid(uuid::Uuid::nil()), first)
            .map(|_| ())
    }

    fn require_not_cancelled(&self, action: &str) -> Result<()> {
        if self.status == ScheduleStatus::Cancelled {
            return Err(Error::InvalidSchedule(format!(
                "cannot {action} a cancelled schedule"
            )));
        }
        Ok(())
    }

    /// Applies `update`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSchedule`] on a cancelled schedule, for a rule whose recurrence,
    /// start or time zone differs once an occurrence was generated, and as
    /// [`new`](Self::new) for the result. Nothing changes on error.
    pub fn update(&mut self, update: ScheduleUpdate) -> Result<()> {
        self.require_not_cancelled("change")?;
        let mut next = self.clone();
        if let Some(name) = update.name {
            next.name = name;
        }
        if let Some(template) = update.template {
            next.template = template;
        }
        if let Some(rule) = update.rule {
            let same_dates = rule.recurrence() == self.rule.recurrence()
                && rule.start() == self.rule.start()
                && rule.time_zone() == self.rule.time_zone();
            if self.last_period.is_some() && !same_dates {
                return Err(Error::InvalidSchedule(
                    "once an invoice was generated only the end of the rule may change; \
                     cancel this schedule and create another"
                        .to_owned(),
                ));
            }
            next.rule = rule;
        }
        if let Some(auto_issue) = update.auto_issue {
            next.auto_issue = auto_issue;
        }
        next.check()?;
        next.version += 1;
        *self = next;
        Ok(())
    }

    /// Stops generation until [`resume`](Self::resume).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSchedule`] unless it is active.
    pub fn pause(&mut self) -> Result<()> {
        if self.status != ScheduleStatus::Active {
            return Err(Error::InvalidSchedule(format!(
                "cannot pause a {} schedule",
                self.status.as_str()
            )));
        }
        self.status = ScheduleStatus::Paused;
        self.version += 1;
        Ok(())
    }

    /// Generation starts again with the occurrences dated `today` or later (in the
    /// schedule's time zone: [`ScheduleRule::today`]); those that fell while it was
    /// paused are skipped, not caught up.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSchedule`] unless it is paused.
    pub fn resume(&mut self, today: NaiveDate) -> Result<()> {
        if self.status != ScheduleStatus::Paused {
            return Err(Error::InvalidSchedule(format!(
                "cannot resume a {} schedule",
                self.status.as_str()
            )));
        }
        self.status = ScheduleStatus::Active;
        self.resumed_on = Some(today);
        self.version += 1;
        Ok(())
    }

    /// Stops generation for good.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSchedule`] if it is already cancelled.
    pub fn cancel(&mut self) -> Result<()> {
        self.require_not_cancelled("cancel")?;
        self.status = ScheduleStatus::Cancelled;
        self.version += 1;
        Ok(())
    }

    /// Whether `occurrence` is one generation may still make: after the last period
    /// generated and not skipped by a pause.
    fn pending(&self, occurrence: &Occurrence) -> bool {
        self.last_period.is_none_or(|last| occurrence.period > last)
            && self.resumed_on.is_none_or(|day| occurrence.date >= day)
    }

    /// The occurrences due at `now` and not generated yet, oldest first: what a
    /// generator must make to catch up. Empty unless the schedule is active.
    pub fn due(&self, now: DateTime<Utc>) -> Vec<Occurrence> {
        if self.status != ScheduleStatus::Active {
            return Vec::new();
        }
        let mut due = self.rule.due(self.last_period, now);
        due.retain(|o| self.pending(o));
        due
    }

    /// The next `count` occurrences still to generate, whatever the status: a preview.
    pub fn upcoming(&self, count: usize) -> Vec<Occurrence> {
        if self.status == ScheduleStatus::Cancelled {
            return Vec::new();
        }
        self.rule
            .all()
            .filter(|o| self.pending(o))
            .take(count)
            .collect()
    }

    /// When the next occurrence becomes due (the start of its day in the schedule's
    /// time zone); `None` when the schedule is not active or has no occurrence left.
    /// Stores index schedules by it.
    pub fn next_due_at(&self) -> Option<DateTime<Utc>> {
        if self.status != ScheduleStatus::Active {
            return None;
        }
        let next = self.rule.all().find(|o| self.pending(o))?;
        self.rule.day_starts_at(next.date)
    }

    /// The draft for `occurrence`, with id `invoice_id`, and its `Created` event; it
    /// records this schedule and the period.
    ///
    /// # Errors
    ///
    /// As [`InvoiceTemplate::draft`].
    pub fn draft(
        &self,
        invoice_id: InvoiceId,
        occurrence: Occurrence,
    ) -> Result<(Invoice, InvoiceEvent)> {
        let origin = ScheduleOrigin {
            schedule: self.id,
            period: occurrence.period,
        };
        let invoice = self
            .template
            .draft(invoice_id, self.tenant.clone(), origin, occurrence)?;
        let event = InvoiceEvent::Created {
            summary: invoice.snapshot()?,
        };
        Ok((invoice, event))
    }

    /// The schedule with the last generated period as a store records it.
    #[must_use]
    pub fn with_last_period(mut self, last_period: Option<u32>) -> Self {
        self.last_period = last_period;
        self
    }

    /// Its id.
    pub fn id(&self) -> ScheduleId {
        self.id
    }

    /// Its tenant.
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What each invoice contains.
    pub fn template(&self) -> &InvoiceTemplate {
        &self.template
    }

    /// When its invoices fall.
    pub fn rule(&self) -> &ScheduleRule {
        &self.rule
    }

    /// Whether each generated draft is issued at once.
    pub fn auto_issue(&self) -> bool {
        self.auto_issue
    }

    /// Where it stands.
    pub fn status(&self) -> ScheduleStatus {
        self.status
    }

    /// The day it was last resumed: occurrences before it are skipped.
    pub fn resumed_on(&self) -> Option<NaiveDate> {
        self.resumed_on
    }

    /// The last period generated, if any.
    pub fn last_period(&self) -> Option<u32> {
        self.last_period
    }

    /// The optimistic-concurrency version: 1 when created, +1 per command.
    pub fn version(&self) -> u64 {
        self.version
    }
}

#[cfg(test)]
#[path = "recurring_tests.rs"]
mod tests;
