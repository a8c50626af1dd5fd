//! The event handler: mails the buyer.

use std::sync::Arc;

use async_trait::async_trait;
use invoice_core::EventEnvelope;
use invoice_messaging::{Handler, HandlerError};

use crate::mail::Mailer;
use crate::message::event_mail;

/// Handles one invoice event: sends the buyer the mail [`event_mail`] renders, if any.
///
/// On its own it mails again when an event is delivered again; wrap it in
/// [`Idempotent`](invoice_messaging::Idempotent), as [`Worker`](crate::Worker) does.
/// A server that is down is a retryable failure; an address that cannot be parsed or a
/// mail the server refuses is permanent (dead-lettered).
#[derive(Debug, Clone)]
pub struct Notifier {
    mailer: Arc<dyn Mailer>,
}

impl Notifier {
    /// A notifier sending through `mailer`.
    pub fn new(mailer: Arc<dyn Mailer>) -> Self {
        Self { mailer }
    }
}

#[async_trait]
impl Handler for Notifier {
    async fn handle(&self, envelope: &EventEnvelope) -> Result<(), HandlerError> {
        let Some(mail) = event_mail(envelope) else {
            tracing::debug!(event = envelope.event.name(), invoice = %envelope.invoice_id, "no mail for this event");
            return Ok(());
        };
        match self.mailer.send(&mail).await {
            Ok(()) => {
                tracing::debug!(event = envelope.event.name(), to = %mail.to, subject = %mail.subject, "mail sent");
                Ok(())
            }
            Err(e) if e.is_permanent() => Err(HandlerError::permanent(chain(&e))),
            Err(e) => Err(HandlerError::retryable(chain(&e))),
        }
    }
}

/// The error and its sources on one line, so that a dead letter's (or a failed
/// reminder's) reason says it all.
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
