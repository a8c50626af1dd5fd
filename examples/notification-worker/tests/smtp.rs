//! The worker's behaviours against a real SMTP server: the local aiosmtpd sink, whose
//! maildir the tests read back. Set `SMTP_URL` (`smtp://127.0.0.1:2525`) and
//! `SMTP_MAILDIR` (the sink's maildir), as `.ci/services.sh` does; unset, each test is
//! skipped by name.

mod common;

use std::sync::Arc;

use common::{scenarios, Maildir};
use invoice_storage::testing::require_env;
use notification_worker::config::Config;
use notification_worker::{worker, Mailer};

async fn sink(test: &str) -> Option<(Arc<dyn Mailer>, Maildir)> {
    let url = require_env("SMTP_URL", test)?;
    let dir = require_env("SMTP_MAILDIR", test)?;
    let config = Config::from_env(|k| (k == "SMTP_URL").then(|| url.clone())).unwrap();
    let mailer = worker::mailer(&config).await.unwrap();
    Some((mailer, Maildir { dir: dir.into() }))
}

#[tokio::test]
async fn smtp_each_event_sends_one_mail_to_the_buyer() {
    let Some((mailer, maildir)) = sink("smtp_each_event_sends_one_mail_to_the_buyer").await else {
        return;
    };
    scenarios::each_event_sends_one_mail_to_the_buyer(mailer, &maildir).await;
}

#[tokio::test]
async fn smtp_a_redelivered_event_sends_no_second_mail() {
    let Some((mailer, maildir)) = sink("smtp_a_redelivered_event_sends_no_second_mail").await
    else {
        return;
    };
    scenarios::a_redelivered_event_sends_no_second_mail(mailer, &maildir).await;
}

#[tokio::test]
async fn smtp_reminders_are_sent_once_per_invoice_and_kind() {
    let Some((mailer, maildir)) = sink("smtp_reminders_are_sent_once_per_invoice_and_kind").await
    else {
        return;
    };
    scenarios::reminders_are_sent_once_per_invoice_and_kind(mailer, &maildir).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_a_restarted_worker_mails_each_event_once_and_still_reminds() {
    let Some((mailer, maildir)) =
        sink("smtp_a_restarted_worker_mails_each_event_once_and_still_reminds").await
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("worker.db").display());
    scenarios::a_restarted_worker_mails_each_event_once_and_still_reminds(
        mailer,
        &maildir,
        async || invoice_storage::open_stores(&url).await.unwrap(),
    )
    .await;
}
