//! A reminder whose send fails is tried again with backoff within the pass, and by the
//! next pass when it still fails; it is sent once in the end. The failures are real:
//! an SMTP server that does not answer (a closed port on 127.0.0.1).

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{Days, Utc};
use common::{draft, event_id, fresh_address, now, RecordingMailer, Sent};
use invoice_core::{EventEnvelope, Invoice, InvoiceNumber};
use invoice_storage::testing::fresh_tenant;
use invoice_storage::{InMemoryStore, Stores};
use notification_worker::{
    Mail, MailError, Mailer, OpenInvoices, ReminderPolicy, Reminders, SendRetry, SmtpMailer,
};

/// Fails the first `failures` sends as an unreachable server does, then delivers.
#[derive(Debug)]
struct Flaky {
    down: SmtpMailer,
    up: Arc<RecordingMailer>,
    failures: usize,
    calls: AtomicUsize,
}

#[async_trait]
impl Mailer for Flaky {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        if self.calls.fetch_add(1, Ordering::SeqCst) < self.failures {
            return self.down.send(mail).await;
        }
        self.up.send(mail).await
    }
}

async fn unreachable_server() -> SmtpMailer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    SmtpMailer::new(
        "127.0.0.1",
        port,
        "Invoices <invoices@localhost>".parse().unwrap(),
    )
}

/// Reminders over an in-memory store that knows one invoice, due tomorrow, of a buyer
/// at `email`.
async fn reminders(mailer: Arc<dyn Mailer>, email: &str, retry: SendRetry) -> Reminders {
    let stores = Stores::new(InMemoryStore::new());
    let open = OpenInvoices::new(Arc::clone(&stores.invoice_views));
    let today = Utc::now().date_naive();
    let tenant = fresh_tenant();
    let (mut invoice, _) = Invoice::create(draft(&tenant, email, today + Days::new(1))).unwrap();
    let issued = invoice
        .issue(InvoiceNumber::new("INV-7").unwrap(), today)
        .unwrap();
    open.apply(&EventEnvelope::new(event_id(), now(), &invoice, issued))
        .await
        .unwrap();
    Reminders::new(
        open,
        Arc::clone(&stores.inbox),
        Arc::clone(&stores.idempotency),
        mailer,
        ReminderPolicy::new(3),
    )
    .with_retry(retry)
}

#[tokio::test]
async fn a_failed_send_is_retried_with_backoff_and_sent_once() {
    let up = Arc::new(RecordingMailer::default());
    let flaky = Arc::new(Flaky {
        down: unreachable_server().await,
        up: Arc::clone(&up),
        failures: 2,
        calls: AtomicUsize::new(0),
    });
    let email = fresh_address();
    let retry = SendRetry {
        attempts: 3,
        first_backoff: Duration::from_millis(10),
    };
    let reminders = reminders(flaky.clone(), &email, retry).await;
    let today = Utc::now().date_naive();
    let pass = reminders.send_due(today, now()).await.unwrap();
    assert_eq!((pass.sent, pass.failed), (1, 0), "{pass:?}");
    assert_eq!(
        flaky.calls.load(Ordering::SeqCst),
        3,
        "two failures, then sent"
    );
    assert_eq!(up.subjects_to(&email).len(), 1);
    let again = reminders.send_due(today, now()).await.unwrap();
    assert_eq!((again.sent, again.already_sent), (0, 1));
    assert_eq!(up.subjects_to(&email).len(), 1);
}

#[tokio::test]
async fn a_send_that_keeps_failing_is_left_to_the_next_pass() {
    let up = Arc::new(RecordingMailer::default());
    let flaky = Arc::new(Flaky {
        down: unreachable_server().await,
        up: Arc::clone(&up),
        failures: 2,
        calls: AtomicUsize::new(0),
    });
    let email = fresh_address();
    let retry = SendRetry {
        attempts: 2,
        first_backoff: Duration::from_millis(10),
    };
    let reminders = reminders(flaky.clone(), &email, retry).await;
    let today = Utc::now().date_naive();
    let pass = reminders.send_due(today, now()).await.unwrap();
    assert_eq!((pass.sent, pass.failed), (0, 1), "{pass:?}");
    assert!(up.subjects_to(&email).is_empty());
    // The claim was released: the next pass sends it.
    let next = reminders.send_due(today, now()).await.unwrap();
    assert_eq!((next.sent, next.failed), (1, 0), "{next:?}");
    assert_eq!(up.subjects_to(&email).len(), 1);
    assert_eq!(flaky.calls.load(Ordering::SeqCst), 3);
}
