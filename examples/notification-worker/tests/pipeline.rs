//! The worker's behaviours with a recording mailer: no server needed, always run.

mod common;

use std::sync::Arc;

use common::{scenarios, RecordingMailer};

#[tokio::test]
async fn each_event_sends_one_mail_to_the_buyer() {
    let mailer = Arc::new(RecordingMailer::default());
    scenarios::each_event_sends_one_mail_to_the_buyer(mailer.clone(), mailer.as_ref()).await;
}

#[tokio::test]
async fn a_redelivered_event_sends_no_second_mail() {
    let mailer = Arc::new(RecordingMailer::default());
    scenarios::a_redelivered_event_sends_no_second_mail(mailer.clone(), mailer.as_ref()).await;
}

#[tokio::test]
async fn reminders_are_sent_once_per_invoice_and_kind() {
    let mailer = Arc::new(RecordingMailer::default());
    scenarios::reminders_are_sent_once_per_invoice_and_kind(mailer.clone(), mailer.as_ref()).await;
}
