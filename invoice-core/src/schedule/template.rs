//! What each invoice of a schedule contains: a draft's content without its id, number
//! or dates.

use chrono::Days;
use serde::{Deserialize, Serialize};

use crate::allowance_charge::AllowanceCharge;
use crate::currency::Currency;
use crate::error::{Error, Result};
use crate::ids::{ClientId, InvoiceId, TenantId};
use crate::invoice::{Invoice, InvoiceBuilder};
use crate::line_item::LineItem;
use crate::numbering::NumberSeries;
use crate::party::Party;
use crate::payment_means::PaymentMeans;

use super::{Occurrence, ScheduleOrigin};

/// The content of every invoice a schedule generates.
///
/// The due date of each invoice is its occurrence's date plus
/// [`due_after_days`](Self::due_after_days); when the schedule issues what it generates,
/// the number comes from [`series`](Self::series) (`INV-{year}-{seq:05}` when absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvoiceTemplate {
    /// The client record the invoices are linked to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientId>,
    /// The invoice currency (BT-5).
    pub currency: Currency,
    /// The seller (BG-4).
    pub seller: Party,
    /// The buyer (BG-7).
    pub buyer: Party,
    /// Buyer reference (BT-10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_reference: Option<String>,
    /// Payment terms (BT-20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_terms: Option<String>,
    /// Payment instructions (BG-16).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub payment_means: Vec<PaymentMeans>,
    /// The lines (BG-25).
    pub lines: Vec<LineItem>,
    /// Document allowances and charges (BG-20, BG-21).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowances_charges: Vec<AllowanceCharge>,
    /// Days from an occurrence's date to its invoice's due date (BT-9); none: no due
    /// date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_after_days: Option<u32>,
    /// The number format used when the schedule issues its invoices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<NumberSeries>,
}

impl InvoiceTemplate {
    /// A template with these parties and lines and nothing else.
    pub fn new(currency: Currency, seller: Party, buyer: Party, lines: Vec<LineItem>) -> Self {
        Self {
            client: None,
            currency,
            seller,
            buyer,
            buyer_reference: None,
            payment_terms: None,
            payment_means: Vec::new(),
            lines,
            allowances_charges: Vec::new(),
            due_after_days: None,
            series: None,
        }
    }

    /// The draft for `occurrence` of schedule `origin`, with id `id`.
    ///
    /// # Errors
    ///
    /// As [`InvoiceBuilder::build`] and [`Invoice::totals`] (a template whose lines do
    /// not add up); [`Error::InvalidSchedule`] for a template without lines or a due date
    /// past the calendar's end.
    pub fn draft(
        &self,
        id: InvoiceId,
        tenant: TenantId,
        origin: ScheduleOrigin,
        occurrence: Occurrence,
    ) -> Result<Invoice> {
        if self.lines.is_empty() {
            return Err(Error::InvalidSchedule(
                "the template has no lines".to_owned(),
            ));
        }
        let mut builder = InvoiceBuilder::new(
            id,
            tenant,
            self.currency,
            self.seller.clone(),
            self.buyer.clone(),
        )
        .lines(self.lines.iter().cloned())
        .schedule_origin(origin);
        for ac in &self.allowances_charges {
            builder = builder.allowance_charge(ac.clone());
        }
        for means in &self.payment_means {
            builder = builder.payment_means(means.clone());
        }
        if let Some(client) = self.client {
            builder = builder.client(client);
        }
        if let Some(reference) = &self.buyer_reference {
            builder = builder.buyer_reference(reference.clone());
        }
        if let Some(terms) = &self.payment_terms {
            builder = builder.payment_terms(terms.clone());
        }
        if let Some(days) = self.due_after_days {
            let due = occurrence
                .date
                .checked_add_days(Days::new(u64::from(days)))
                .ok_or_else(|| {
                    Error::InvalidSchedule("the due date is past the calendar's end".to_owned())
                })?;
            builder = builder.due_date(due);
        }
        let invoice = builder.build()?;
        invoice.totals()?;
        Ok(invoice)
    }
}
