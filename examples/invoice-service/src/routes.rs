//! The HTTP routes, one module per resource.

pub mod clients;
pub mod invoices;
pub mod reminders;
pub mod reports;
pub mod schedules;
pub mod service;

use axum::http::{header, HeaderValue};
use axum::response::Response;
use chrono::Utc;
use invoice_core::{EventEnvelope, EventId, Invoice, InvoiceEvent};
use uuid::Uuid;

/// Wraps the events of one command in envelopes (ids and time come from here: the core
/// has neither a clock nor randomness).
pub fn envelopes(
    invoice: &Invoice,
    events: impl IntoIterator<Item = InvoiceEvent>,
) -> Vec<EventEnvelope> {
    events
        .into_iter()
        .map(|e| EventEnvelope::new(EventId::from_uuid(Uuid::new_v4()), Utc::now(), invoice, e))
        .collect()
}

/// `response` with an `ETag` naming `version` (`"3"`), as `If-Match` takes it back.
pub fn with_etag(mut response: Response, version: u64) -> Response {
    if let Ok(value) = HeaderValue::from_str(&format!("\"{version}\"")) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}
