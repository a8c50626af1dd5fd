//! The row of an invoice listing: what a list page shows, read from columns the stores
//! keep beside the invoice, so that a page decodes no invoice body.

use chrono::{DateTime, NaiveDate, Utc};
use invoice_core::{
    ClientId, Currency, Decimal, Invoice, InvoiceId, InvoiceNumber, InvoiceStatus, Totals,
};
use serde::{Deserialize, Serialize};

use crate::error::Result;

/// Whether a listed document is an invoice or a credit note (BT-3: 380 or 381).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DocumentKind {
    /// A commercial invoice (380).
    Invoice,
    /// A credit note (381).
    CreditNote,
}

impl DocumentKind {
    /// The kind of `invoice`.
    pub fn of(invoice: &Invoice) -> Self {
        if invoice.kind().is_credit_note() {
            Self::CreditNote
        } else {
            Self::Invoice
        }
    }

    /// The kind as a lower-case word (`"credit_note"`), as on the wire and in the
    /// stores' `kind` column.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Invoice => "invoice",
            Self::CreditNote => "credit_note",
        }
    }

    /// Reads [`as_str`](Self::as_str)'s word.
    pub fn from_word(word: &str) -> Option<Self> {
        match word {
            "invoice" => Some(Self::Invoice),
            "credit_note" => Some(Self::CreditNote),
            _ => None,
        }
    }
}

/// One row of [`InvoiceStore::list`](crate::InvoiceStore::list): who, how much, in
/// which state, and when it last changed; everything a list page or a dashboard shows,
/// without the lines.
///
/// The amounts are the invoice's EN 16931 totals as computed when it was last written.
/// Not to be confused with [`invoice_core::InvoiceSnapshot`], the snapshot that events
/// carry.
///
/// # Examples
///
/// ```
/// use chrono::NaiveDate;
/// use invoice_core::{Address, CountryCode, Currency, Invoice, InvoiceBuilder, InvoiceId,
///     LineItem, Party, TenantId, UnitCode, Vat};
/// use invoice_storage::{DocumentKind, InvoiceSummary};
/// use rust_decimal_macros::dec;
///
/// let address = Address::new(CountryCode::new("DE")?);
/// let (draft, _) = Invoice::create(
///     InvoiceBuilder::new(InvoiceId::from_uuid(uuid::Uuid::nil()), TenantId::new("acme")?,
///             Currency::EUR, Party::new("Seller GmbH", address.clone()), Party::new("Buyer AG", address))
///         .due_date(NaiveDate::from_ymd_opt(2026, 12, 24).unwrap())
///         .line(LineItem::new("1", "Service", dec!(2), UnitCode::piece(), dec!(50), Vat::standard(dec!(19)))),
/// )?;
/// let summary = InvoiceSummary::of(&draft, None)?;
/// assert_eq!(summary.kind, DocumentKind::Invoice);
/// assert_eq!((summary.net_amount, summary.vat_amount, summary.gross_amount), (dec!(100.00), dec!(19.00), dec!(119.00)));
/// assert!(!summary.is_overdue(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap())); // a draft is never overdue
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InvoiceSummary {
    /// The invoice's id.
    pub id: InvoiceId,
    /// Its number, once issued (BT-1).
    pub number: Option<InvoiceNumber>,
    /// Invoice or credit note.
    pub kind: DocumentKind,
    /// The stored status (overdue is derived: [`is_overdue`](Self::is_overdue)).
    pub status: InvoiceStatus,
    /// The linked client record.
    pub client: Option<ClientId>,
    /// The seller's name (BT-27).
    pub seller_name: String,
    /// The buyer's name (BT-44).
    pub buyer_name: String,
    /// The invoice currency (BT-5).
    pub currency: Currency,
    /// The issue date, once issued (BT-2).
    pub issue_date: Option<NaiveDate>,
    /// The due date (BT-9).
    pub due_date: Option<NaiveDate>,
    /// Total without VAT (BT-109).
    #[serde(deserialize_with = "invoice_core::decimal_serde::plain")]
    pub net_amount: Decimal,
    /// Total VAT (BT-110).
    #[serde(deserialize_with = "invoice_core::decimal_serde::plain")]
    pub vat_amount: Decimal,
    /// Total with VAT (BT-112).
    #[serde(deserialize_with = "invoice_core::decimal_serde::plain")]
    pub gross_amount: Decimal,
    /// What is still due: the amount due for payment (BT-115) minus recorded payments.
    #[serde(deserialize_with = "invoice_core::decimal_serde::plain")]
    pub amount_due: Decimal,
    /// The stored version.
    pub version: u64,
    /// When the invoice last changed: the time of the newest event saved with its last
    /// write (`None` when it was written without events).
    pub updated_at: Option<DateTime<Utc>>,
}

impl InvoiceSummary {
    /// The summary of `invoice` as last changed at `updated_at`.
    ///
    /// # Errors
    ///
    /// As [`Invoice::totals`] (an amount that overflows).
    pub fn of(invoice: &Invoice, updated_at: Option<DateTime<Utc>>) -> Result<Self> {
        Self::with_totals(invoice, &invoice.totals()?, updated_at)
    }

    /// [`of`](Self::of), from the invoice's totals computed once for several uses.
    pub(crate) fn with_totals(
        invoice: &Invoice,
        totals: &Totals,
        updated_at: Option<DateTime<Utc>>,
    ) -> Result<Self> {
        let amount_due = invoice.amount_due_with(totals)?;
        Ok(Self {
            id: invoice.id(),
            number: invoice.number().cloned(),
            kind: DocumentKind::of(invoice),
            status: invoice.status(),
            client: invoice.client(),
            seller_name: invoice.seller().name().to_owned(),
            buyer_name: invoice.buyer().name().to_owned(),
            currency: invoice.currency(),
            issue_date: invoice.issue_date(),
            due_date: invoice.due_date(),
            net_amount: totals.tax_exclusive_amount(),
            vat_amount: totals.tax_total(),
            gross_amount: totals.tax_inclusive_amount(),
            amount_due,
            version: invoice.version(),
            updated_at,
        })
    }

    /// Whether the invoice is past its due date on `today` with something still due (as
    /// [`Invoice::is_overdue`]).
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status.accepts_payments()
            && self.due_date.is_some_and(|due| today > due)
            && self.amount_due > Decimal::ZERO
    }
}

/// The time of the newest of `events`, which a write stores as the invoice's last change.
pub(crate) fn last_change(events: &[invoice_core::EventEnvelope]) -> Option<DateTime<Utc>> {
    events.iter().map(|e| e.occurred_at).max()
}
