//! A scheduled reminder whose send fails waits for its backoff and is tried again; it is
//! sent once in the end, or ends failed with the server's error after the last attempt.
//! The failures are real: an SMTP server that does not answer (a closed port on
//! 127.0.0.1).

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use common::{fresh_address, Pipeline, RecordingMailer, Sent};
use invoice_core::reminder::{Reminder, ReminderAbout, ReminderStatus};
use invoice_core::schedule::Tz;
use invoice_core::ReminderId;
use invoice_storage::{InMemoryStore, Stores};
use notification_worker::{Mail, MailError, Mailer, SmtpMailer};
use uuid::Uuid;

/// Fails the first `failures` sends to `flaky` as an unreachable server does; delivers
/// everything else.
#[derive(Debug)]
struct Flaky {
    down: SmtpMailer,
    up: Arc<RecordingMailer>,
    flaky: String,
    failures: usize,
    calls: AtomicUsize,
}

#[async_trait]
impl Mailer for Flaky {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        if mail.to == self.flaky && self.calls.fetch_add(1, Ordering::SeqCst) < self.failures {
            return self.down.send(mail).await;
        }
        self.up.send(mail).await
    }
}

fn reminder(tenant: &invoice_core::TenantId, to: &str) -> Reminder {
    let now = Utc::now();
    Reminder::new(
        ReminderId::from_uuid(Uuid::new_v4()),
        tenant.clone(),
        ReminderAbout::Topic("retry".to_owned()),
        to,
        "Try again",
        "Until it goes.",
        (now + chrono::Duration::seconds(1)).naive_utc(),
        Tz::UTC,
        now,
    )
    .unwrap()
}

/// Runs scheduler rounds until `done` holds of the reminder, or fails after 10 s.
async fn rounds_until(
    p: &Pipeline,
    stores: &Stores,
    r: &Reminder,
    done: impl Fn(&Reminder) -> bool,
) -> Reminder {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let now = stores.reminders.get(r.tenant(), r.id()).await.unwrap();
        if done(&now) {
            return now;
        }
        assert!(std::time::Instant::now() < deadline, "{now:?}");
        p.remind_as_of(Utc::now() + chrono::Duration::seconds(2))
            .await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_send_is_retried_after_its_backoff_and_sent_once() {
    let up = Arc::new(RecordingMailer::default());
    let (flaky, lost) = (fresh_address(), fresh_address());
    let mailer = Arc::new(Flaky {
        // Port 1 on the loopback: nothing listens there, the connection is refused.
        down: SmtpMailer::new("127.0.0.1", 1, "a@localhost".parse().unwrap()),
        up: Arc::clone(&up),
        flaky: flaky.clone(),
        failures: 2,
        calls: AtomicUsize::new(0),
    });
    let stores = Stores::new(InMemoryStore::new());
    let p = Pipeline::start_with(mailer, &stores);
    let goes = reminder(&p.tenant, &flaky);
    stores.reminders.create(&goes).await.unwrap();

    let sent = rounds_until(&p, &stores, &goes, |r| {
        r.status() != ReminderStatus::Scheduled
    })
    .await;
    assert_eq!(sent.status(), ReminderStatus::Sent);
    assert_eq!(sent.attempts(), 2, "two failed attempts before it went");
    let reason = sent.last_error().unwrap();
    assert!(reason.contains("unavailable"), "{reason}");
    // Rounds after it was sent send nothing more.
    p.remind_as_of(Utc::now() + chrono::Duration::minutes(5))
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(up.subjects_to(&flaky), ["Try again"]);

    // A server that never takes it: failed after the policy's 3 attempts, with why.
    let never = Arc::new(Flaky {
        down: SmtpMailer::new("127.0.0.1", 1, "a@localhost".parse().unwrap()),
        up: Arc::clone(&up),
        flaky: lost.clone(),
        failures: usize::MAX,
        calls: AtomicUsize::new(0),
    });
    let stores = Stores::new(InMemoryStore::new());
    let p = Pipeline::start_with(never, &stores);
    let gives_up = reminder(&p.tenant, &lost);
    stores.reminders.create(&gives_up).await.unwrap();
    let failed = rounds_until(&p, &stores, &gives_up, |r| {
        r.status() != ReminderStatus::Scheduled
    })
    .await;
    assert_eq!(failed.status(), ReminderStatus::Failed);
    assert_eq!(failed.attempts(), 3);
    assert!(failed.last_error().unwrap().contains("unavailable"));
    assert!(up.subjects_to(&lost).is_empty());
}
