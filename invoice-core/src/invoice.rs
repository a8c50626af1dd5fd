//! The invoice aggregate and the commands that change it; its builder (`builder.rs`) and
//! the partial update of a draft (`patch.rs`) live beside it.

mod builder;
mod patch;

pub use builder::InvoiceBuilder;
pub use patch::InvoicePatch;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::allowance_charge::AllowanceCharge;
use crate::currency::Currency;
use crate::delivery::{Delivery, InvoicePeriod};
use crate::error::{overflow, Error, Result};
use crate::events::{InvoiceEvent, InvoiceSnapshot};
use crate::ids::{ClientId, InvoiceId, InvoiceNumber, TenantId};
use crate::lifecycle::{InvoiceKind, InvoiceReference, InvoiceStatus};
use crate::line_item::LineItem;
use crate::note::Note;
use crate::party::{Party, Payee, TaxRepresentative};
use crate::payment::Payment;
use crate::payment_means::PaymentMeans;
use crate::references::DocumentReferences;
use crate::rounding::RoundingPolicy;
use crate::schedule::ScheduleOrigin;
use crate::specification::Specification;
use crate::totals::Totals;
use crate::validation::{self, Severity, Violation};
use crate::vat::{EmptyVatRow, StatedVatAmount};
use crate::vat_accounting::VatAccounting;

/// An invoice or credit note: the aggregate every command goes through.
///
/// Build one with [`InvoiceBuilder`]; change it only through its commands
/// ([`update`](Self::update), [`issue`](Self::issue), [`record_payment`](Self::record_payment),
/// [`add_note`](Self::add_note), [`credit`](Self::credit), [`delete`](Self::delete)), each
/// of which checks the lifecycle, bumps [`version`](Self::version) and returns the domain
/// events it caused. Totals, the amount due and overdue status are derived, never stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    id: InvoiceId,
    tenant: TenantId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client: Option<ClientId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    number: Option<InvoiceNumber>,
    #[serde(default)]
    kind: InvoiceKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stated_type_code: Option<u16>,
    status: InvoiceStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    issue_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    due_date: Option<NaiveDate>,
    currency: Currency,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    specification: Option<Specification>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    vat_accounting: Option<VatAccounting>,
    seller: Party,
    buyer: Party,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tax_representative: Option<TaxRepresentative>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    payee: Option<Payee>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tax_point_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    vat_point_date_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    buyer_reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    payment_terms: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    order_reference: Option<String>,
    #[serde(default, skip_serializing_if = "DocumentReferences::is_empty")]
    references: DocumentReferences,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    preceding_invoices: Vec<InvoiceReference>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    payment_means: Vec<PaymentMeans>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    creditor_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    delivery: Option<Delivery>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    period: Option<InvoicePeriod>,
    #[serde(default)]
    lines: Vec<LineItem>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    allowances_charges: Vec<AllowanceCharge>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    notes: Vec<Note>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    payments: Vec<Payment>,
    #[serde(default, skip_serializing_if = "Decimal::is_zero")]
    #[serde(deserialize_with = "crate::decimal_serde::plain")]
    prepaid_amount: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "crate::decimal_serde::plain_option")]
    stated_rounding_amount: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    stated_vat_amounts: Vec<StatedVatAmount>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    empty_vat_rows: Vec<EmptyVatRow>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    outside_scope_rate_stated: bool,
    #[serde(default)]
    rounding_policy: RoundingPolicy,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    schedule: Option<ScheduleOrigin>,
    version: u64,
}

impl Invoice {
    /// Builds a draft and returns it with its `Created` event.
    ///
    /// # Errors
    ///
    /// As [`InvoiceBuilder::build`].
    pub fn create(builder: InvoiceBuilder) -> Result<(Invoice, InvoiceEvent)> {
        let invoice = builder.build()?;
        let event = InvoiceEvent::Created {
            summary: invoice.snapshot()?,
        };
        Ok((invoice, event))
    }

    /// Issues a draft under `number` on `issue_date` (BT-1, BT-2). The invoice must pass
    /// [`validate`](Self::validate) with no fatal violation; it is then frozen.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidTransition`] unless the invoice is a draft;
    /// [`Error::RuleViolations`] with every fatal violation, the invoice left unchanged.
    pub fn issue(&mut self, number: InvoiceNumber, issue_date: NaiveDate) -> Result<InvoiceEvent> {
        self.require_draft("issue")?;
        let mut next = self.clone();
        next.number = Some(number);
        next.issue_date = Some(issue_date);
        next.status = InvoiceStatus::Issued;
        let fatal: Vec<Violation> = next
            .validate()
            .into_iter()
            .filter(|v| v.severity() == Severity::Fatal)
            .collect();
        if !fatal.is_empty() {
            return Err(Error::RuleViolations { violations: fatal });
        }
        next.version += 1;
        let summary = next.snapshot()?;
        *self = next;
        Ok(InvoiceEvent::Issued { summary })
    }

    /// Records a payment. Returns `PaymentRecorded`, followed by `Paid` when nothing is
    /// due any more.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidTransition`] for a draft, a paid or a credited invoice;
    /// [`Error::Overpayment`] when the payment exceeds the amount due; [`Error::InvalidField`]
    /// when a payment with the same id was already recorded.
    pub fn record_payment(&mut self, payment: Payment) -> Result<Vec<InvoiceEvent>> {
        if !self.status.accepts_payments() {
            return Err(Error::InvalidTransition {
                action: "pay",
                status: self.status,
            });
        }
        if self.payments.iter().any(|p| p.id() == payment.id()) {
            return Err(Error::InvalidField {
                field: "payment id",
                value: payment.id().to_string(),
                reason: "already recorded on this invoice",
            });
        }
        let due = self.amount_due()?;
        if payment.amount() > due {
            return Err(Error::Overpayment {
                amount: payment.amount(),
                due,
            });
        }
        let mut next = self.clone();
        next.payments.push(payment.clone());
        let remaining = next.amount_due()?;
        next.status = if remaining.is_zero() {
            InvoiceStatus::Paid
        } else {
            InvoiceStatus::PartiallyPaid
        };
        next.version += 1;
        let summary = next.snapshot()?;
        let mut events = vec![InvoiceEvent::PaymentRecorded {
            payment,
            summary: summary.clone(),
        }];
        if next.status == InvoiceStatus::Paid {
            events.push(InvoiceEvent::Paid { summary });
        }
        *self = next;
        Ok(events)
    }

    /// Adds a note, in any status.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidField`] when a note with the same id is already there.
    pub fn add_note(&mut self, note: Note) -> Result<InvoiceEvent> {
        if self.notes.iter().any(|n| n.id() == note.id()) {
            return Err(Error::InvalidField {
                field: "note id",
                value: note.id().to_string(),
                reason: "already on this invoice",
            });
        }
        self.notes.push(note.clone());
        self.version += 1;
        Ok(InvoiceEvent::NoteAdded { note })
    }

    /// Corrects an issued invoice with a credit note: returns the credit note as a draft
    /// (same parties, lines and allowances, referring to this invoice) and this invoice's
    /// `Credited` event. This invoice becomes [`InvoiceStatus::Credited`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidTransition`] for a draft, an already credited invoice, or a credit note.
    pub fn credit(&mut self, credit_note_id: InvoiceId) -> Result<(Invoice, InvoiceEvent)> {
        let number = match (&self.number, self.status, &self.kind) {
            (Some(number), status, InvoiceKind::Invoice)
                if status.is_issued() && status != InvoiceStatus::Credited =>
            {
                number.clone()
            }
            _ => {
                return Err(Error::InvalidTransition {
                    action: "credit",
                    status: self.status,
                })
            }
        };
        let mut reference = InvoiceReference::new(number).with_id(self.id);
        if let Some(date) = self.issue_date {
            reference = reference.with_issue_date(date);
        }
        let mut credit_note = self.clone();
        credit_note.id = credit_note_id;
        credit_note.kind = InvoiceKind::CreditNote {
            corrects: Some(reference),
        };
        credit_note.status = InvoiceStatus::Draft;
        credit_note.number = None;
        credit_note.issue_date = None;
        credit_note.notes.clear();
        credit_note.payments.clear();
        credit_note.prepaid_amount = Decimal::ZERO;
        credit_note.stated_rounding_amount = None;
        credit_note.schedule = None;
        credit_note.version = 1;

        self.status = InvoiceStatus::Credited;
        self.version += 1;
        let event = InvoiceEvent::Credited {
            credit_note_id,
            summary: self.snapshot()?,
        };
        Ok((credit_note, event))
    }

    /// Deletes a draft: returns its `Deleted` event; the store removes it.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidTransition`] unless the invoice is a draft.
    pub fn delete(&mut self) -> Result<InvoiceEvent> {
        self.require_draft("delete")?;
        self.version += 1;
        Ok(InvoiceEvent::Deleted {
            summary: self.snapshot()?,
        })
    }

    fn require_draft(&self, action: &'static str) -> Result<()> {
        if self.status.is_draft() {
            Ok(())
        } else {
            Err(Error::InvalidTransition {
                action,
                status: self.status,
            })
        }
    }

    /// The totals under the invoice's own rounding policy.
    ///
    /// # Errors
    ///
    /// As [`Totals::compute`].
    pub fn totals(&self) -> Result<Totals> {
        Totals::compute(self, &self.rounding_policy)
    }

    /// Sum of recorded payments.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] on overflow.
    pub fn amount_paid(&self) -> Result<Decimal> {
        self.payments.iter().try_fold(Decimal::ZERO, |sum, p| {
            sum.checked_add(p.amount()).ok_or_else(overflow)
        })
    }

    /// What is still due: BT-115 minus recorded payments.
    ///
    /// # Errors
    ///
    /// As [`Totals::compute`].
    pub fn amount_due(&self) -> Result<Decimal> {
        self.amount_due_with(&self.totals()?)
    }

    /// What is still due, as [`amount_due`](Self::amount_due), from this invoice's
    /// `totals` ([`totals`](Self::totals)) computed once for several uses.
    ///
    /// # Errors
    ///
    /// When the payments overflow.
    pub fn amount_due_with(&self, totals: &Totals) -> Result<Decimal> {
        totals
            .payable_amount()
            .checked_sub(self.amount_paid()?)
            .ok_or_else(overflow)
    }

    /// Whether an issued invoice with something due is past its due date on `today`.
    ///
    /// # Errors
    ///
    /// As [`Totals::compute`].
    pub fn is_overdue(&self, today: NaiveDate) -> Result<bool> {
        if !self.status.accepts_payments() {
            return Ok(false);
        }
        match self.due_date {
            Some(due) if today > due => Ok(self.amount_due()? > Decimal::ZERO),
            _ => Ok(false),
        }
    }

    /// Every EN 16931 rule the invoice breaks, each with its rule id. For a draft, the
    /// number and issue date (BR-02, BR-03) are not required: they are given at issue.
    pub fn validate(&self) -> Vec<Violation> {
        validation::validate(self)
    }

    /// A compact snapshot carried by events.
    ///
    /// # Errors
    ///
    /// As [`Totals::compute`].
    pub fn snapshot(&self) -> Result<InvoiceSnapshot> {
        let totals = self.totals()?;
        let amount_due = totals
            .payable_amount()
            .checked_sub(self.amount_paid()?)
            .ok_or_else(overflow)?;
        Ok(InvoiceSnapshot {
            number: self.number.clone(),
            type_code: self.type_code(),
            status: self.status,
            client: self.client,
            buyer_name: self.buyer.name().to_owned(),
            buyer_email: self
                .buyer
                .email()
                .or_else(|| self.buyer.contact().and_then(|c| c.email()))
                .map(str::to_owned),
            currency: self.currency,
            payable_amount: totals.payable_amount(),
            amount_due,
            issue_date: self.issue_date,
            due_date: self.due_date,
        })
    }

    /// The same invoice with every quantity and stated amount negated.
    #[cfg(test)]
    pub(crate) fn negated(&self) -> Invoice {
        let mut out = self.clone();
        out.lines = self.lines.iter().map(LineItem::negated).collect();
        out.allowances_charges = self
            .allowances_charges
            .iter()
            .map(AllowanceCharge::negated)
            .collect();
        out.prepaid_amount = -self.prepaid_amount;
        out.stated_rounding_amount = self.stated_rounding_amount.map(|r| -r);
        out
    }

    /// The invoice's id.
    pub fn id(&self) -> InvoiceId {
        self.id
    }

    /// The owning tenant.
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    /// The linked client record.
    pub fn client(&self) -> Option<ClientId> {
        self.client
    }

    /// The number (BT-1), once issued.
    pub fn number(&self) -> Option<&InvoiceNumber> {
        self.number.as_ref()
    }

    /// Invoice or credit note.
    pub fn kind(&self) -> &InvoiceKind {
        &self.kind
    }

    /// The lifecycle status.
    pub fn status(&self) -> InvoiceStatus {
        self.status
    }

    /// The issue date (BT-2), once issued.
    pub fn issue_date(&self) -> Option<NaiveDate> {
        self.issue_date
    }

    /// The payment due date (BT-9).
    pub fn due_date(&self) -> Option<NaiveDate> {
        self.due_date
    }

    /// The invoice currency (BT-5).
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The seller (BG-4).
    pub fn seller(&self) -> &Party {
        &self.seller
    }

    /// The buyer (BG-7).
    pub fn buyer(&self) -> &Party {
        &self.buyer
    }

    /// The bank-assigned creditor identifier (BT-90) of a SEPA direct debit (BG-19).
    pub fn creditor_id(&self) -> Option<&str> {
        self.creditor_id.as_deref()
    }

    /// The payee (BG-10), when it is not the seller.
    pub fn payee(&self) -> Option<&Payee> {
        self.payee.as_ref()
    }

    /// The date VAT becomes due (BT-7), when it differs from the issue date.
    pub fn tax_point_date(&self) -> Option<NaiveDate> {
        self.tax_point_date
    }

    /// When VAT becomes due, as a code (BT-8, UNTDID 2005: `3` invoice date, `35`
    /// delivery date, `432` payment date).
    pub fn vat_point_date_code(&self) -> Option<&str> {
        self.vat_point_date_code.as_deref()
    }

    /// The seller's tax representative (BG-11).
    pub fn tax_representative(&self) -> Option<&TaxRepresentative> {
        self.tax_representative.as_ref()
    }

    /// The specification (BT-24) and business process (BT-23) stated for the invoice;
    /// `None` means plain EN 16931.
    pub fn specification(&self) -> Option<&Specification> {
        self.specification.as_ref()
    }

    /// The VAT accounting currency (BT-6) and the basis of the VAT total in it, when
    /// the invoice states one.
    pub fn vat_accounting(&self) -> Option<&VatAccounting> {
        self.vat_accounting.as_ref()
    }

    /// The VAT total in the VAT accounting currency (BT-111), with that currency.
    ///
    /// # Errors
    ///
    /// As [`Invoice::totals`], or [`Error::Overflow`] converting.
    pub fn vat_accounting_total(&self) -> Result<Option<(Currency, Decimal)>> {
        match &self.vat_accounting {
            None => Ok(None),
            Some(accounting) => {
                let total = accounting.vat_total(self.totals()?.tax_total())?;
                Ok(Some((accounting.currency(), total)))
            }
        }
    }

    /// The preceding invoices this one refers to (BG-3), besides the invoice a credit
    /// note corrects (its [`InvoiceKind::CreditNote`] `corrects`): prepayment invoices a
    /// final invoice settles, an invoice a corrective one replaces.
    pub fn preceding_invoices(&self) -> &[InvoiceReference] {
        &self.preceding_invoices
    }

    /// The references besides BT-10 and BT-13: project, contract, sales order,
    /// advices, tender, invoiced object, accounting reference, supporting documents.
    pub fn references(&self) -> &DocumentReferences {
        &self.references
    }

    /// The document type code (BT-3, UNTDID 1001) the invoice is written with: the one a
    /// received document stated, such as 384 for a corrected invoice or 389 for a
    /// self-billed one, else its kind's (380 for an invoice, 381 for a credit note).
    pub fn type_code(&self) -> u16 {
        self.stated_type_code.unwrap_or(self.kind.type_code())
    }

    /// The VAT amounts a received document states per breakdown row where they differ
    /// from the computed ones within BR-CO-17's tolerance; see [`StatedVatAmount`].
    pub fn stated_vat_amounts(&self) -> &[StatedVatAmount] {
        &self.stated_vat_amounts
    }

    /// Whether a received document states a rate (0) on its "not subject to VAT" (O)
    /// breakdown row, which EN 16931 allows (BR-48) and the writers otherwise leave out.
    pub fn outside_scope_rate_stated(&self) -> bool {
        self.outside_scope_rate_stated
    }

    /// The empty VAT breakdown rows a received document states for categories and rates
    /// nothing else uses; see [`EmptyVatRow`].
    pub fn empty_vat_rows(&self) -> &[EmptyVatRow] {
        &self.empty_vat_rows
    }

    /// The buyer reference (BT-10).
    pub fn buyer_reference(&self) -> Option<&str> {
        self.buyer_reference.as_deref()
    }

    /// The payment terms (BT-20).
    pub fn payment_terms(&self) -> Option<&str> {
        self.payment_terms.as_deref()
    }

    /// The purchase order reference (BT-13).
    pub fn order_reference(&self) -> Option<&str> {
        self.order_reference.as_deref()
    }

    /// The ways the buyer may pay (BG-16), in order of preference.
    pub fn payment_means(&self) -> &[PaymentMeans] {
        &self.payment_means
    }

    /// The delivery information (BG-13).
    pub fn delivery(&self) -> Option<&Delivery> {
        self.delivery.as_ref()
    }

    /// The period the invoice covers (BG-14).
    pub fn period(&self) -> Option<&InvoicePeriod> {
        self.period.as_ref()
    }

    /// The lines (BG-25).
    pub fn lines(&self) -> &[LineItem] {
        &self.lines
    }

    /// Document-level allowances and charges (BG-20, BG-21).
    pub fn allowances_charges(&self) -> &[AllowanceCharge] {
        &self.allowances_charges
    }

    /// Notes, oldest first.
    pub fn notes(&self) -> &[Note] {
        &self.notes
    }

    /// Recorded payments, oldest first.
    pub fn payments(&self) -> &[Payment] {
        &self.payments
    }

    /// The amount paid before the invoice was issued (BT-113).
    pub fn prepaid_amount(&self) -> Decimal {
        self.prepaid_amount
    }

    /// The rounding amount a received invoice states (BT-114).
    pub fn stated_rounding_amount(&self) -> Option<Decimal> {
        self.stated_rounding_amount
    }

    /// The policy totals are computed under.
    pub fn rounding_policy(&self) -> &RoundingPolicy {
        &self.rounding_policy
    }

    /// The schedule and period this invoice was generated for, if a schedule made it.
    pub fn schedule_origin(&self) -> Option<ScheduleOrigin> {
        self.schedule
    }

    /// The optimistic-concurrency version: 1 when built, +1 per command that changed it.
    pub fn version(&self) -> u64 {
        self.version
    }
}
