//! The reminders people schedule (`/reminders` of invoice-service, or any
//! [`ReminderStore`](invoice_storage::ReminderStore) writer), mailed on time.
//!
//! The worker runs a [`ReminderScheduler`](invoice_messaging::ReminderScheduler), which
//! claims the due reminders and publishes a send command for each on the broker, and a
//! [`ConsumerRunner`](invoice_messaging::ConsumerRunner) over a
//! [`SendReminderHandler`](invoice_messaging::SendReminderHandler) that mails them through
//! [`ReminderMailer`]. Several workers may run: the claims and the handler's version check
//! keep each reminder to one mail.

use std::sync::Arc;

use async_trait::async_trait;
use invoice_core::reminder::Reminder;
use invoice_messaging::{ReminderSendError, ReminderSender};

use crate::mail::{Mail, Mailer};
use crate::notifier::chain as error_chain;

/// Mails a reminder to its recipient, with its secondary address in copy.
#[derive(Debug, Clone)]
pub struct ReminderMailer {
    mailer: Arc<dyn Mailer>,
}

impl ReminderMailer {
    /// Sends through `mailer`.
    pub fn new(mailer: Arc<dyn Mailer>) -> Self {
        Self { mailer }
    }

    /// The mail for `reminder`. Its `Message-ID` names the reminder alone: one reminder
    /// is one mail, and the copy that a crash between the server's acceptance and the
    /// store's record sends again (see [`invoice_messaging::reminders`]) is one that
    /// mail clients fold into the first.
    pub fn mail(reminder: &Reminder) -> Mail {
        let mut mail = Mail::new(reminder.recipient(), reminder.subject(), reminder.body());
        mail.cc = reminder.secondary().map(str::to_owned);
        mail.message_id = Some(message_id(reminder));
        mail
    }
}

/// `<reminder.ID@invoice-rs.invalid>`.
pub fn message_id(reminder: &Reminder) -> String {
    format!("<reminder.{}@invoice-rs.invalid>", reminder.id())
}

#[async_trait]
impl ReminderSender for ReminderMailer {
    async fn send(&self, reminder: &Reminder) -> Result<(), ReminderSendError> {
        match self.mailer.send(&Self::mail(reminder)).await {
            Ok(()) => Ok(()),
            Err(e) if e.is_permanent() => Err(ReminderSendError::Permanent(error_chain(&e))),
            Err(e) => Err(ReminderSendError::Transient(error_chain(&e))),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};
    use invoice_core::reminder::ReminderAbout;
    use invoice_core::{ReminderId, TenantId};

    use super::*;

    #[test]
    fn the_mail_carries_both_addresses_and_one_id_per_reminder() {
        let now = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        let mut r = Reminder::new(
            ReminderId::from_uuid(uuid::Uuid::from_u128(7)),
            TenantId::new("t").unwrap(),
            ReminderAbout::Topic("x".to_owned()),
            "a@example.com",
            "Subject",
            "Body",
            NaiveDate::from_ymd_opt(2027, 1, 2)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap(),
            invoice_core::schedule::Tz::UTC,
            now,
        )
        .unwrap()
        .with_secondary("b@example.com")
        .unwrap();
        let mail = ReminderMailer::mail(&r);
        assert_eq!(mail.to, "a@example.com");
        assert_eq!(mail.cc.as_deref(), Some("b@example.com"));
        assert_eq!(
            (mail.subject.as_str(), mail.body.as_str()),
            ("Subject", "Body")
        );
        let first = mail.message_id.unwrap();
        assert_eq!(
            first,
            "<reminder.00000000-0000-0000-0000-000000000007@invoice-rs.invalid>"
        );
        r.begin_attempt(now).unwrap();
        let again = ReminderMailer::mail(&r).message_id.unwrap();
        assert_eq!(again, first, "a retry is the same mail");
    }
}
