//! `notification-worker`: e-mails buyers about their invoices, and reminds them to pay.
//!
//! It consumes invoice events through a [`ConsumerRunner`](invoice_messaging::ConsumerRunner)
//! over an [`Idempotent`](invoice_messaging::Idempotent) handler, so a redelivered event
//! sends no second mail, and writes to the buyer's address
//! ([`InvoiceSnapshot::buyer_email`](invoice_core::InvoiceSnapshot::buyer_email)) when an
//! invoice is created, updated, issued, deleted or paid. And it mails the reminders in
//! the store `DATABASE_URL` names when they fall due, through a scheduler and a send
//! queue on the broker ([`scheduled`]): those people schedule (`/reminders` of
//! invoice-service) and the "due soon" and "overdue" reminders invoice-service makes for
//! each issued invoice ([`InvoiceReminders`](invoice_messaging::InvoiceReminders)). Point
//! the worker at the service's database for those.
//!
//! Run it on embedded defaults (in-process bus with a short demo, in which the worker
//! also makes the demo invoices' reminders and sends them as of a month later; mail
//! written to the log instead of sent):
//!
//! ```sh
//! cargo run -p notification-worker
//! ```
//!
//! Against real services:
//!
//! ```sh
//! SMTP_URL=smtp://127.0.0.1:2525 MESSAGING=rabbitmq AMQP_URL=amqp://127.0.0.1:5672/%2f \
//!   cargo run -p notification-worker
//! ```
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `DATABASE_URL` | `sqlite:notification-worker.db` | `memory:`, `sqlite:FILE` or `postgres://…`: where the worker remembers |
//! | `MESSAGING` | `inprocess` | `inprocess`, `sqs` or `rabbitmq` (+ `AMQP_URL`) |
//! | `AWS_ENDPOINT_URL` | unset | for `sqs`: an SQS-compatible server such as moto at `http://127.0.0.1:5000`; without it, AWS itself through the SDK's default credential chain and region |
//! | `QUEUE_NAME` | `notification-worker` | the SQS or RabbitMQ queue consumed |
//! | `SMTP_URL` | unset: mail is logged | `smtp://host:port`, plain SMTP without TLS or AUTH |
//! | `MAIL_FROM` | `Invoices <invoices@localhost>` | the sender |
//! | `SCHEDULER_PERIOD_MS` | `1000` | how often due scheduled reminders are claimed and queued (how late one may go out) |
//! | `REMINDER_LEASE_SECS` | `30` | how long a claimed reminder, or one being sent, is kept from other workers: after a crash, the longest it is delayed |
//!
//! What it must not forget is in the store `DATABASE_URL` names (default: the SQLite
//! file `notification-worker.db`): handled events
//! ([`InboxStore`](invoice_storage::InboxStore)) and the reminders with their state
//! ([`ReminderStore`](invoice_storage::ReminderStore)). A restarted worker mails nothing
//! twice and picks up the reminders where the last one left them.

pub mod config;
pub mod demo;
pub mod mail;
pub mod message;
pub mod notifier;
pub mod scheduled;
pub mod worker;

pub use mail::{LogMailer, Mail, MailError, Mailer, SmtpMailer};
pub use notifier::Notifier;
pub use scheduled::ReminderMailer;
pub use worker::{ScheduledReminders, Worker};
