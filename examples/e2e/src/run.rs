//! The names one run creates on the shared servers.

use uuid::Uuid;

/// The names of one run, fresh each time, so that runs (and other tests) can share the
/// servers.
pub struct Run {
    /// The PostgreSQL schema the processes keep their tables in.
    pub schema: String,
    /// The tenant whose invoice the test follows.
    pub tenant_a: String,
    /// The tenant that must see none of it.
    pub tenant_b: String,
    /// The buyer's e-mail address, which the mails go to.
    pub email: String,
    /// The S3 bucket the documents and archives go to.
    pub bucket: String,
    /// The RabbitMQ queue of the notification worker.
    pub notification_queue: String,
    /// The RabbitMQ queue of the export worker.
    pub export_queue: String,
    /// The RabbitMQ queue from which the service makes invoices' automatic reminders.
    pub invoice_reminder_queue: String,
}

impl Run {
    /// New names, all made from one random id.
    pub fn fresh() -> Self {
        let id = Uuid::new_v4().simple().to_string();
        Self {
            schema: format!("e2e_{id}"),
            tenant_a: format!("e2e-a-{id}"),
            tenant_b: format!("e2e-b-{id}"),
            email: format!("buyer-{id}@example.com"),
            bucket: format!("e2e-{id}"),
            notification_queue: format!("e2e-{id}-notification-worker"),
            export_queue: format!("e2e-{id}-export-worker"),
            invoice_reminder_queue: format!("e2e-{id}-invoice-reminders"),
        }
    }

    /// The notification worker's queues: its events' and its reminders' (the send
    /// commands of scheduled reminders, `<queue>-reminders`).
    pub fn notification_queues(&self) -> Vec<String> {
        vec![
            self.notification_queue.clone(),
            format!("{}-reminders", self.notification_queue),
        ]
    }
}
