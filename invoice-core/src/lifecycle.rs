//! Where an invoice is in its life: draft, issued, paid, credited; and what kind it is.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{InvoiceId, InvoiceNumber};

/// The stored status of an invoice. Overdue is not a status: it is derived from the due
/// date and a `today` argument ([`Invoice::is_overdue`](crate::Invoice::is_overdue)).
///
/// ```text
/// Draft ──issue──► Issued ──pay part──► PartiallyPaid ──pay rest──► Paid
///   │                 │                      │                        │
/// delete              └──────────── credit ──┴────────────────────────┴──► Credited
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum InvoiceStatus {
    /// Being prepared: editable and deletable, no number yet.
    Draft,
    /// Issued with a number; frozen.
    Issued,
    /// Some, but not all, of the amount due has been paid.
    PartiallyPaid,
    /// Paid in full.
    Paid,
    /// Corrected by a credit note.
    Credited,
}

impl InvoiceStatus {
    /// The status as a lower-case word (`"partially_paid"`), as on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Issued => "issued",
            Self::PartiallyPaid => "partially_paid",
            Self::Paid => "paid",
            Self::Credited => "credited",
        }
    }

    /// Whether the invoice may still be edited or deleted.
    pub const fn is_draft(self) -> bool {
        matches!(self, Self::Draft)
    }

    /// Whether the invoice has been issued (whatever happened since).
    pub const fn is_issued(self) -> bool {
        !self.is_draft()
    }

    /// Whether a payment may be recorded.
    pub const fn accepts_payments(self) -> bool {
        matches!(self, Self::Issued | Self::PartiallyPaid)
    }
}

impl std::str::FromStr for InvoiceStatus {
    type Err = crate::Error;

    /// Reads the word [`as_str`](InvoiceStatus::as_str) gives.
    ///
    /// ```
    /// use invoice_core::InvoiceStatus;
    /// assert_eq!("partially_paid".parse::<InvoiceStatus>().unwrap(), InvoiceStatus::PartiallyPaid);
    /// assert!("overdue".parse::<InvoiceStatus>().is_err());
    /// ```
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        [
            Self::Draft,
            Self::Issued,
            Self::PartiallyPaid,
            Self::Paid,
            Self::Credited,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
        .ok_or_else(|| crate::Error::InvalidField {
            field: "invoice status",
            value: text.to_owned(),
            reason: "expected draft, issued, partially_paid, paid or credited",
        })
    }
}

impl fmt::Display for InvoiceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The invoice a credit note corrects (BG-3).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InvoiceReference {
    number: InvoiceNumber,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<InvoiceId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    issue_date: Option<NaiveDate>,
}

impl InvoiceReference {
    /// A reference by number (BT-25).
    pub fn new(number: InvoiceNumber) -> Self {
        Self {
            number,
            id: None,
            issue_date: None,
        }
    }

    /// Adds the id of the corrected invoice, when it is one of ours.
    pub fn with_id(mut self, id: InvoiceId) -> Self {
        self.id = Some(id);
        self
    }

    /// Adds the issue date of the corrected invoice (BT-26).
    pub fn with_issue_date(mut self, date: NaiveDate) -> Self {
        self.issue_date = Some(date);
        self
    }

    /// The corrected invoice's number.
    pub fn number(&self) -> &InvoiceNumber {
        &self.number
    }

    /// The corrected invoice's id, when known.
    pub fn id(&self) -> Option<InvoiceId> {
        self.id
    }

    /// The corrected invoice's issue date.
    pub fn issue_date(&self) -> Option<NaiveDate> {
        self.issue_date
    }
}

/// Invoice or credit note (BT-3: 380 or 381).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InvoiceKind {
    /// A commercial invoice (type code 380).
    #[default]
    Invoice,
    /// A credit note (381); `corrects` is the invoice it corrects, when known.
    CreditNote {
        /// The corrected invoice.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        corrects: Option<InvoiceReference>,
    },
}

impl InvoiceKind {
    /// The UNTDID 1001 type code: 380 for an invoice, 381 for a credit note.
    pub const fn type_code(&self) -> u16 {
        match self {
            Self::Invoice => 380,
            Self::CreditNote { .. } => 381,
        }
    }

    /// Whether this is a credit note.
    pub const fn is_credit_note(&self) -> bool {
        matches!(self, Self::CreditNote { .. })
    }
}
