//! Reminders people schedule: a message to a recipient at a local time in a stated time
//! zone, about an invoice or anything else, rescheduled, redirected or cancelled until
//! it is sent.
//!
//! The core has no clock: creating and rescheduling take the instant it is now, so that a
//! reminder is never set in the past.
//!
//! ```
//! use chrono::{NaiveDate, TimeZone, Utc};
//! use invoice_core::reminder::{Reminder, ReminderAbout, ReminderStatus};
//! use invoice_core::{ReminderId, TenantId};
//!
//! let now = Utc.with_ymd_and_hms(2027, 3, 1, 8, 0, 0).unwrap();
//! let nine = NaiveDate::from_ymd_opt(2027, 3, 2).unwrap().and_hms_opt(9, 0, 0).unwrap();
//! let mut reminder = Reminder::new(
//!     ReminderId::from_uuid(uuid::Uuid::nil()),
//!     TenantId::new("acme")?,
//!     ReminderAbout::Topic("Quarterly VAT return".to_owned()),
//!     "finance@acme.example",
//!     "VAT return due",
//!     "File the Q1 return today.",
//!     nine,
//!     chrono_tz::Europe::Berlin,
//!     now,
//! )?;
//! // 09:00 in Berlin is 08:00 UTC in March.
//! assert_eq!(reminder.due_at(), Utc.with_ymd_and_hms(2027, 3, 2, 8, 0, 0).unwrap());
//! reminder.cancel()?;
//! assert_eq!(reminder.status(), ReminderStatus::Cancelled);
//! assert!(reminder.cancel().is_err(), "cancel is final");
//! # Ok::<(), invoice_core::Error>(())
//! ```

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::ids::{InvoiceId, ReminderId, TenantId};

/// What a reminder is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderAbout {
    /// An invoice of the tenant's.
    Invoice(InvoiceId),
    /// Anything else, in words.
    Topic(String),
}

/// Where a reminder stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderStatus {
    /// Waiting for its time; it may still be rescheduled, redirected or cancelled.
    Scheduled,
    /// Sent: final.
    Sent,
    /// Cancelled: final.
    Cancelled,
    /// Not sent after every attempt: final, with the last reason.
    Failed,
}

impl ReminderStatus {
    /// The status as stored and shown: `scheduled`, `sent`, `cancelled`, `failed`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Sent => "sent",
            Self::Cancelled => "cancelled",
            Self::Failed => "failed",
        }
    }

    /// The status named by [`as_str`](Self::as_str).
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Scheduled, Self::Sent, Self::Cancelled, Self::Failed]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// The longest subject, in characters.
pub const MAX_REMINDER_SUBJECT: usize = 200;

/// The longest body, in characters.
pub const MAX_REMINDER_BODY: usize = 10_000;

/// A reminder: a message to a recipient (and optionally a second address) at a local
/// time in a time zone.
///
/// It changes only through its commands, each of which bumps [`version`](Self::version):
/// a sender that claimed version 3 and finds version 4 knows the reminder was
/// rescheduled, redirected or cancelled meanwhile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    id: ReminderId,
    tenant: TenantId,
    about: ReminderAbout,
    recipient: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secondary: Option<String>,
    subject: String,
    body: String,
    local_time: NaiveDateTime,
    time_zone: Tz,
    due_at: DateTime<Utc>,
    status: ReminderStatus,
    #[serde(default)]
    attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sent_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    not_before: Option<DateTime<Utc>>,
    version: u64,
}

/// Checks an e-mail address: one `@` with text on both sides, a dot in the domain, no
/// spaces or control characters, at most 254 characters.
fn check_address(address: &str) -> Result<()> {
    let invalid = |reason| {
        Err(Error::InvalidField {
            field: "e-mail address",
            value: address.to_owned(),
            reason,
        })
    };
    if address.len() > 254 {
        return invalid("longer than 254 characters");
    }
    if address.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return invalid("contains a space or a control character");
    }
    match address.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.') =>
        {
            Ok(())
        }
        _ => invalid("expected name@domain.tld"),
    }
}

fn check_text(field: &'static str, text: &str, max: usize) -> Result<()> {
    let invalid = |reason| {
        Err(Error::InvalidField {
            field,
            value: text.chars().take(40).collect(),
            reason,
        })
    };
    if text.trim().is_empty() {
        return invalid("must not be blank");
    }
    if text.chars().count() > max {
        return invalid("is too long");
    }
    Ok(())
}

/// The instant `local` is in `zone`, after `now`.
fn due_instant(local: NaiveDateTime, zone: Tz, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let at = zone
        .from_local_datetime(&local)
        .earliest()
        .ok_or_else(|| Error::InvalidField {
            field: "reminder time",
            value: format!("{local} {zone}"),
            reason: "does not exist in that time zone (a daylight saving gap)",
        })?
        .with_timezone(&Utc);
    if at <= now {
        return Err(Error::InvalidField {
            field: "reminder time",
            value: format!("{local} {zone}"),
            reason: "is not in the future",
        });
    }
    Ok(at)
}

impl Reminder {
    /// A scheduled reminder at version 1, due when `local_time` comes in `time_zone`
    /// (the earlier of two where a clock goes back).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidField`] for a time not after `now` or that the zone skips, a
    /// malformed recipient, a blank or too long subject or body, or a topic that is
    /// blank.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: ReminderId,
        tenant: TenantId,
        about: ReminderAbout,
        recipient: impl Into<String>,
        subject: impl Into<String>,
        body: impl Into<String>,
        local_time: NaiveDateTime,
        time_zone: Tz,
        now: DateTime<Utc>,
    ) -> Result<Self> {
        let (recipient, subject, body) = (recipient.into(), subject.into(), body.into());
        check_address(&recipient)?;
        check_text("subject", &subject, MAX_REMINDER_SUBJECT)?;
        check_text("body", &body, MAX_REMINDER_BODY)?;
        if let ReminderAbout::Topic(topic) = &about {
            check_text("topic", topic, MAX_REMINDER_SUBJECT)?;
        }
        let due_at = due_instant(local_time, time_zone, now)?;
        Ok(Self {
            id,
            tenant,
            about,
            recipient,
            secondary: None,
            subject,
            body,
            local_time,
            time_zone,
            due_at,
            status: ReminderStatus::Scheduled,
            attempts: 0,
            last_error: None,
            sent_at: None,
            not_before: None,
            version: 1,
        })
    }

    /// The new reminder, also sent to `address`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidField`] for a malformed address.
    pub fn with_secondary(mut self, address: impl Into<String>) -> Result<Self> {
        let address = address.into();
        check_address(&address)?;
        self.secondary = Some(address);
        Ok(self)
    }

    fn require_scheduled(&self, action: &str) -> Result<()> {
        if self.status != ReminderStatus::Scheduled {
            return Err(Error::InvalidReminder(format!(
                "cannot {action} a {} reminder",
                self.status.as_str()
            )));
        }
        Ok(())
    }

    /// Moves it to `local_time` in `time_zone`; earlier failed attempts are forgotten.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new) for the time; [`Error::InvalidReminder`] unless it is
    /// scheduled.
    pub fn reschedule(
        &mut self,
        local_time: NaiveDateTime,
        time_zone: Tz,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.require_scheduled("reschedule")?;
        self.due_at = due_instant(local_time, time_zone, now)?;
        self.local_time = local_time;
        self.time_zone = time_zone;
        self.attempts = 0;
        self.last_error = None;
        self.not_before = None;
        self.version += 1;
        Ok(())
    }

    /// Sends it to `recipient` instead, and to `secondary` as well when given.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidField`] for a malformed address; [`Error::InvalidReminder`] unless
    /// it is scheduled.
    pub fn redirect(
        &mut self,
        recipient: impl Into<String>,
        secondary: Option<String>,
    ) -> Result<()> {
        self.require_scheduled("redirect")?;
        let recipient = recipient.into();
        check_address(&recipient)?;
        if let Some(second) = &secondary {
            check_address(second)?;
        }
        self.recipient = recipient;
        self.secondary = secondary;
        self.version += 1;
        Ok(())
    }

    /// Cancels it for good.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidReminder`] unless it is scheduled (a sent, failed or cancelled
    /// reminder stays as it is).
    pub fn cancel(&mut self) -> Result<()> {
        self.require_scheduled("cancel")?;
        self.status = ReminderStatus::Cancelled;
        self.version += 1;
        Ok(())
    }

    /// Starts a send attempt: the sender that stores this version holds the reminder, and
    /// no scheduler claims it again before `hold_until` (when a sender that has not
    /// finished by then is presumed dead, and another attempt may start).
    ///
    /// Stored with the version the sender was told to send, this is the step that makes a
    /// sender the only one: of two senders of one version, one store update fails.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidReminder`] unless it is scheduled.
    pub fn begin_attempt(&mut self, hold_until: DateTime<Utc>) -> Result<()> {
        self.require_scheduled("send")?;
        self.not_before = Some(hold_until);
        self.version += 1;
        Ok(())
    }

    /// Records that it was sent at `at`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidReminder`] unless it is scheduled.
    pub fn mark_sent(&mut self, at: DateTime<Utc>) -> Result<()> {
        self.require_scheduled("send")?;
        self.status = ReminderStatus::Sent;
        self.sent_at = Some(at);
        self.not_before = None;
        self.version += 1;
        Ok(())
    }

    /// Records a failed attempt with its reason; after `max_attempts` it is
    /// [`Failed`](ReminderStatus::Failed), else it stays scheduled and is not claimed
    /// again before `retry_at` (the caller's backoff).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidReminder`] unless it is scheduled.
    pub fn record_failure(
        &mut self,
        reason: impl Into<String>,
        max_attempts: u32,
        retry_at: DateTime<Utc>,
    ) -> Result<()> {
        self.require_scheduled("send")?;
        self.attempts = self.attempts.saturating_add(1);
        self.last_error = Some(reason.into());
        if self.attempts >= max_attempts {
            self.status = ReminderStatus::Failed;
            self.not_before = None;
        } else {
            self.not_before = Some(retry_at);
        }
        self.version += 1;
        Ok(())
    }

    /// Its id.
    pub fn id(&self) -> ReminderId {
        self.id
    }

    /// Its tenant.
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    /// What it is about.
    pub fn about(&self) -> &ReminderAbout {
        &self.about
    }

    /// Whom it goes to.
    pub fn recipient(&self) -> &str {
        &self.recipient
    }

    /// A second address it also goes to.
    pub fn secondary(&self) -> Option<&str> {
        self.secondary.as_deref()
    }

    /// The mail's subject.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The mail's text.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The local time it is due at, in [`time_zone`](Self::time_zone).
    pub fn local_time(&self) -> NaiveDateTime {
        self.local_time
    }

    /// The time zone of its time.
    pub fn time_zone(&self) -> Tz {
        self.time_zone
    }

    /// The instant it is due.
    pub fn due_at(&self) -> DateTime<Utc> {
        self.due_at
    }

    /// Where it stands.
    pub fn status(&self) -> ReminderStatus {
        self.status
    }

    /// Failed attempts since it was last scheduled.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The reason of the last failed attempt.
    pub fn last_error(&self) -> Option<&str> {
        self.last_error.as_deref()
    }

    /// When it was sent.
    pub fn sent_at(&self) -> Option<DateTime<Utc>> {
        self.sent_at
    }

    /// The instant before which no send attempt starts: an attempt is in progress, or a
    /// failed one waits for its retry. `None` when it may be sent as soon as it is due.
    /// Stores keep a reminder away from schedulers' claims until then.
    pub fn not_before(&self) -> Option<DateTime<Utc>> {
        self.not_before
    }

    /// The optimistic-concurrency version: 1 when created, +1 per command.
    pub fn version(&self) -> u64 {
        self.version
    }
}

/// The command to send one reminder, at the version a scheduler claimed it at.
///
/// A scheduler publishes it for each reminder it claims; a sender re-reads the reminder
/// and sends nothing when it is no longer scheduled at that version (rescheduled,
/// redirected, cancelled or sent since). Its routing key is `reminder.send`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SendReminder {
    /// Unique per command: a command published again keeps it.
    pub id: Uuid,
    /// The reminder's tenant.
    pub tenant: TenantId,
    /// The reminder.
    pub reminder: ReminderId,
    /// The version claimed.
    pub version: u64,
    /// When the reminder is due.
    pub due_at: DateTime<Utc>,
    /// When the scheduler claimed it.
    pub claimed_at: DateTime<Utc>,
}

impl SendReminder {
    /// The routing key of every send command.
    pub const ROUTING_KEY: &'static str = "reminder.send";

    /// The command to send `reminder` as it is now; id and time come from the caller.
    pub fn new(id: Uuid, reminder: &Reminder, claimed_at: DateTime<Utc>) -> Self {
        Self {
            id,
            tenant: reminder.tenant().clone(),
            reminder: reminder.id(),
            version: reminder.version(),
            due_at: reminder.due_at(),
            claimed_at,
        }
    }
}

#[cfg(test)]
mod tests;
