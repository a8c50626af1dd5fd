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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_worker_mails_each_event_once_and_still_reminds() {
    let mailer = Arc::new(RecordingMailer::default());
    // One store outlives the restart, as a database does.
    let stores = invoice_storage::Stores::new(invoice_storage::InMemoryStore::new());
    scenarios::a_restarted_worker_mails_each_event_once_and_still_reminds(
        mailer.clone(),
        mailer.as_ref(),
        async || stores.clone(),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_worker_remembers_through_its_sqlite_file() {
    let mailer = Arc::new(RecordingMailer::default());
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("worker.db").display());
    // Each start opens the file anew: what the first worker knew is read back from it.
    scenarios::a_restarted_worker_mails_each_event_once_and_still_reminds(
        mailer.clone(),
        mailer.as_ref(),
        async || invoice_storage::open_stores(&url).await.unwrap(),
    )
    .await;
}
