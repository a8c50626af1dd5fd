//! Domain events and the envelope they travel in.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::currency::Currency;
use crate::ids::{ClientId, EventId, InvoiceId, InvoiceNumber, TenantId};
use crate::invoice::Invoice;
use crate::lifecycle::InvoiceStatus;
use crate::note::Note;
use crate::payment::Payment;

/// A compact snapshot of an invoice, carried by events so that consumers (an e-mail
/// sender, a websocket push) need not load the invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InvoiceSnapshot {
    /// The number, once issued.
    pub number: Option<InvoiceNumber>,
    /// 380 for an invoice, 381 for a credit note.
    pub type_code: u16,
    /// The status after the event.
    pub status: InvoiceStatus,
    /// The linked client record.
    pub client: Option<ClientId>,
    /// The buyer's name.
    pub buyer_name: String,
    /// Where the buyer wants e-mail: its electronic address, else its contact's e-mail.
    pub buyer_email: Option<String>,
    /// The invoice currency.
    pub currency: Currency,
    /// BT-115.
    #[serde(deserialize_with = "crate::decimal_serde::plain")]
    pub payable_amount: Decimal,
    /// BT-115 minus recorded payments.
    #[serde(deserialize_with = "crate::decimal_serde::plain")]
    pub amount_due: Decimal,
    /// The issue date, once issued.
    pub issue_date: Option<NaiveDate>,
    /// The due date.
    pub due_date: Option<NaiveDate>,
}

/// Something that happened to an invoice. Serialized with a `type` tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
#[non_exhaustive]
pub enum InvoiceEvent {
    /// A draft was created.
    Created {
        /// The draft.
        summary: InvoiceSnapshot,
    },
    /// A draft was edited.
    Updated {
        /// Names of the fields that changed, such as `"lines"` or `"due_date"`.
        changed: Vec<String>,
        /// The draft after the change.
        summary: InvoiceSnapshot,
    },
    /// A number was given and the invoice frozen.
    Issued {
        /// The issued invoice.
        summary: InvoiceSnapshot,
    },
    /// A note was added.
    NoteAdded {
        /// The note.
        note: Note,
    },
    /// A payment was recorded.
    PaymentRecorded {
        /// The payment.
        payment: Payment,
        /// The invoice after it.
        summary: InvoiceSnapshot,
    },
    /// Nothing is due any more.
    Paid {
        /// The paid invoice.
        summary: InvoiceSnapshot,
    },
    /// The invoice was corrected by a credit note.
    Credited {
        /// The credit note's id.
        credit_note_id: InvoiceId,
        /// The credited invoice.
        summary: InvoiceSnapshot,
    },
    /// A draft was deleted.
    Deleted {
        /// The draft as it was.
        summary: InvoiceSnapshot,
    },
}

impl InvoiceEvent {
    /// The event's name in snake case, as used in routing keys (`invoice.<name>`).
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Created { .. } => "created",
            Self::Updated { .. } => "updated",
            Self::Issued { .. } => "issued",
            Self::NoteAdded { .. } => "note_added",
            Self::PaymentRecorded { .. } => "payment_recorded",
            Self::Paid { .. } => "paid",
            Self::Credited { .. } => "credited",
            Self::Deleted { .. } => "deleted",
        }
    }

    /// The invoice snapshot, for the events that carry one.
    pub fn summary(&self) -> Option<&InvoiceSnapshot> {
        match self {
            Self::Created { summary }
            | Self::Updated { summary, .. }
            | Self::Issued { summary }
            | Self::PaymentRecorded { summary, .. }
            | Self::Paid { summary }
            | Self::Credited { summary, .. }
            | Self::Deleted { summary } => Some(summary),
            Self::NoteAdded { .. } => None,
        }
    }
}

/// An event with what a consumer needs to route, order and deduplicate it.
///
/// # Examples
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use invoice_core::{Address, CountryCode, Currency, EventEnvelope, EventId, Invoice,
///     InvoiceBuilder, InvoiceId, Party, TenantId};
/// use uuid::Uuid;
///
/// let party = Party::new("P", Address::new(CountryCode::new("FR")?));
/// let (invoice, event) = Invoice::create(InvoiceBuilder::new(
///     InvoiceId::from_uuid(Uuid::from_u128(1)), TenantId::new("t")?, Currency::EUR,
///     party.clone(), party))?;
/// let envelope = EventEnvelope::new(EventId::from_uuid(Uuid::from_u128(2)),
///     Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(), &invoice, event);
/// assert_eq!(envelope.routing_key(), "invoice.created");
/// assert_eq!(envelope.invoice_version, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EventEnvelope {
    /// Unique per event; consumers deduplicate on it.
    pub event_id: EventId,
    /// The tenant the invoice belongs to.
    pub tenant: TenantId,
    /// The invoice the event is about.
    pub invoice_id: InvoiceId,
    /// The invoice's version after the command that caused the event (events of one
    /// command share it): orders the events of one invoice.
    pub invoice_version: u64,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// The version of this wire format ([`EventEnvelope::SCHEMA_VERSION`] when written).
    pub schema_version: u16,
    /// What happened.
    pub event: InvoiceEvent,
}

impl EventEnvelope {
    /// The wire format version this library writes.
    pub const SCHEMA_VERSION: u16 = 1;

    /// Wraps an event of `invoice` (as it is after the event); id and time come from the caller.
    pub fn new(
        event_id: EventId,
        occurred_at: DateTime<Utc>,
        invoice: &Invoice,
        event: InvoiceEvent,
    ) -> Self {
        Self {
            event_id,
            tenant: invoice.tenant().clone(),
            invoice_id: invoice.id(),
            invoice_version: invoice.version(),
            occurred_at,
            schema_version: Self::SCHEMA_VERSION,
            event,
        }
    }

    /// `invoice.<event name>`, the routing key brokers use.
    pub fn routing_key(&self) -> String {
        format!("invoice.{}", self.event.name())
    }
}
