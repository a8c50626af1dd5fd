//! The partial update of a draft ([`InvoicePatch`]) and the command that applies it.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::allowance_charge::AllowanceCharge;
use crate::currency::Currency;
use crate::error::{Error, Result};
use crate::events::InvoiceEvent;
use crate::ids::ClientId;
use crate::line_item::LineItem;
use crate::party::Party;
use crate::rounding::RoundingPolicy;

use super::builder::{check_lines, LineIds};
use super::Invoice;

/// A partial update of a draft, as a `PATCH` request carries it: only what is set changes.
///
/// # Examples
///
/// ```
/// use chrono::NaiveDate;
/// use invoice_core::InvoicePatch;
///
/// let patch = InvoicePatch::new()
///     .due_date(NaiveDate::from_ymd_opt(2026, 12, 31))
///     .payment_terms(Some("30 days net".to_owned()));
/// assert!(!patch.is_empty());
/// ```
#[derive(Debug, Clone, Default)]
#[must_use = "a patch does nothing until passed to `Invoice::update`"]
pub struct InvoicePatch {
    seller: Option<Party>,
    buyer: Option<Party>,
    client: Option<Option<ClientId>>,
    currency: Option<Currency>,
    due_date: Option<Option<NaiveDate>>,
    buyer_reference: Option<Option<String>>,
    payment_terms: Option<Option<String>>,
    lines: Option<Vec<LineItem>>,
    allowances_charges: Option<Vec<AllowanceCharge>>,
    prepaid_amount: Option<Decimal>,
    rounding_policy: Option<RoundingPolicy>,
}

impl InvoicePatch {
    /// A patch that changes nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the seller.
    pub fn seller(mut self, seller: Party) -> Self {
        self.seller = Some(seller);
        self
    }

    /// Replaces the buyer.
    pub fn buyer(mut self, buyer: Party) -> Self {
        self.buyer = Some(buyer);
        self
    }

    /// Sets or clears the client link.
    pub fn client(mut self, client: Option<ClientId>) -> Self {
        self.client = Some(client);
        self
    }

    /// Changes the currency.
    pub fn currency(mut self, currency: Currency) -> Self {
        self.currency = Some(currency);
        self
    }

    /// Sets or clears the due date.
    pub fn due_date(mut self, date: Option<NaiveDate>) -> Self {
        self.due_date = Some(date);
        self
    }

    /// Sets or clears the buyer reference.
    pub fn buyer_reference(mut self, reference: Option<String>) -> Self {
        self.buyer_reference = Some(reference);
        self
    }

    /// Sets or clears the payment terms.
    pub fn payment_terms(mut self, terms: Option<String>) -> Self {
        self.payment_terms = Some(terms);
        self
    }

    /// Replaces all lines.
    pub fn lines(mut self, lines: Vec<LineItem>) -> Self {
        self.lines = Some(lines);
        self
    }

    /// Replaces all document-level allowances and charges.
    pub fn allowances_charges(mut self, allowances_charges: Vec<AllowanceCharge>) -> Self {
        self.allowances_charges = Some(allowances_charges);
        self
    }

    /// Sets the prepaid amount.
    pub fn prepaid_amount(mut self, amount: Decimal) -> Self {
        self.prepaid_amount = Some(amount);
        self
    }

    /// Sets the rounding policy.
    pub fn rounding_policy(mut self, policy: RoundingPolicy) -> Self {
        self.rounding_policy = Some(policy);
        self
    }

    /// Whether the patch sets nothing.
    pub fn is_empty(&self) -> bool {
        self.seller.is_none()
            && self.buyer.is_none()
            && self.client.is_none()
            && self.currency.is_none()
            && self.due_date.is_none()
            && self.buyer_reference.is_none()
            && self.payment_terms.is_none()
            && self.lines.is_none()
            && self.allowances_charges.is_none()
            && self.prepaid_amount.is_none()
            && self.rounding_policy.is_none()
    }
}

/// Moves `new` into `field` when it differs, recording `name` as changed.
fn apply<T: PartialEq>(
    field: &mut T,
    new: Option<T>,
    name: &'static str,
    changed: &mut Vec<String>,
) {
    if let Some(new) = new {
        if *field != new {
            *field = new;
            changed.push(name.to_owned());
        }
    }
}

impl Invoice {
    /// Applies a partial update to a draft. Returns `None`, and keeps the version, when
    /// nothing actually changed.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidTransition`] unless the invoice is a draft; the errors of
    /// [`InvoiceBuilder::build`](super::InvoiceBuilder::build) for the new lines or prepaid amount.
    pub fn update(&mut self, patch: InvoicePatch) -> Result<Option<InvoiceEvent>> {
        self.require_draft("edit")?;
        if let Some(lines) = &patch.lines {
            check_lines(lines, LineIds::Unique)?;
        }
        if patch.prepaid_amount.is_some_and(|p| p < Decimal::ZERO) {
            return Err(Error::InvalidAmount {
                value: patch.prepaid_amount.unwrap_or_default().to_string(),
                reason: "the prepaid amount must not be negative",
            });
        }
        let mut next = self.clone();
        let mut changed = Vec::new();
        apply(&mut next.seller, patch.seller, "seller", &mut changed);
        apply(&mut next.buyer, patch.buyer, "buyer", &mut changed);
        apply(&mut next.client, patch.client, "client", &mut changed);
        apply(&mut next.currency, patch.currency, "currency", &mut changed);
        apply(&mut next.due_date, patch.due_date, "due_date", &mut changed);
        apply(
            &mut next.buyer_reference,
            patch.buyer_reference,
            "buyer_reference",
            &mut changed,
        );
        apply(
            &mut next.payment_terms,
            patch.payment_terms,
            "payment_terms",
            &mut changed,
        );
        apply(&mut next.lines, patch.lines, "lines", &mut changed);
        apply(
            &mut next.allowances_charges,
            patch.allowances_charges,
            "allowances_charges",
            &mut changed,
        );
        apply(
            &mut next.prepaid_amount,
            patch.prepaid_amount,
            "prepaid_amount",
            &mut changed,
        );
        apply(
            &mut next.rounding_policy,
            patch.rounding_policy,
            "rounding_policy",
            &mut changed,
        );
        if changed.is_empty() {
            return Ok(None);
        }
        next.version += 1;
        let summary = next.snapshot()?;
        *self = next;
        Ok(Some(InvoiceEvent::Updated { changed, summary }))
    }
}
