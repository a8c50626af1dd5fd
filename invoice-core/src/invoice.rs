//! The invoice aggregate, its builder and the commands that change it.

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
use crate::note::{Note, Payment};
use crate::party::Party;
use crate::payment_means::PaymentMeans;
use crate::rounding::RoundingPolicy;
use crate::totals::Totals;
use crate::validation::{self, Severity, Violation};

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
    status: InvoiceStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    issue_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    due_date: Option<NaiveDate>,
    currency: Currency,
    seller: Party,
    buyer: Party,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    buyer_reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    payment_terms: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    order_reference: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    payment_means: Vec<PaymentMeans>,
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
    prepaid_amount: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stated_rounding_amount: Option<Decimal>,
    #[serde(default)]
    rounding_policy: RoundingPolicy,
    version: u64,
}

/// Builds an [`Invoice`], as a draft or, for received and imported invoices, as issued.
///
/// # Examples
///
/// ```
/// use invoice_core::{Address, AllowanceCharge, CountryCode, Currency, Invoice, InvoiceBuilder,
///     InvoiceId, InvoiceStatus, LineItem, Party, TenantId, UnitCode, Vat};
/// use rust_decimal::Decimal;
/// use uuid::Uuid;
///
/// let address = Address::new(CountryCode::new("NL")?).with_city("Utrecht");
/// let (invoice, created) = Invoice::create(
///     InvoiceBuilder::new(InvoiceId::from_uuid(Uuid::from_u128(7)), TenantId::new("acme")?,
///         Currency::EUR, Party::new("Seller BV", address.clone()), Party::new("Buyer BV", address))
///         .line(LineItem::new("1", "Paper", Decimal::new(10, 0), UnitCode::piece(),
///             Decimal::new(450, 2), Vat::standard(Decimal::new(21, 0))))
///         .allowance_charge(AllowanceCharge::charge(Decimal::new(500, 2))
///             .with_vat(Vat::standard(Decimal::new(21, 0))).with_reason("Freight")),
/// )?;
/// assert_eq!(invoice.status(), InvoiceStatus::Draft);
/// assert_eq!(created.name(), "created");
/// assert_eq!(invoice.totals()?.payable_amount(), Decimal::new(6050, 2)); // (45 + 5) × 1.21
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct InvoiceBuilder {
    invoice: Invoice,
}

impl InvoiceBuilder {
    /// Starts a draft with its id, tenant, currency (BT-5), seller and buyer.
    pub fn new(
        id: InvoiceId,
        tenant: TenantId,
        currency: Currency,
        seller: Party,
        buyer: Party,
    ) -> Self {
        Self {
            invoice: Invoice {
                id,
                tenant,
                client: None,
                number: None,
                kind: InvoiceKind::Invoice,
                status: InvoiceStatus::Draft,
                issue_date: None,
                due_date: None,
                currency,
                seller,
                buyer,
                buyer_reference: None,
                payment_terms: None,
                order_reference: None,
                payment_means: Vec::new(),
                delivery: None,
                period: None,
                lines: Vec::new(),
                allowances_charges: Vec::new(),
                notes: Vec::new(),
                payments: Vec::new(),
                prepaid_amount: Decimal::ZERO,
                stated_rounding_amount: None,
                rounding_policy: RoundingPolicy::en16931(),
                version: 1,
            },
        }
    }

    /// Links the invoice to the tenant's client record.
    pub fn client(mut self, client: ClientId) -> Self {
        self.invoice.client = Some(client);
        self
    }

    /// Makes it a credit note (BT-3 = 381) correcting `corrects`, when known.
    pub fn credit_note(mut self, corrects: Option<InvoiceReference>) -> Self {
        self.invoice.kind = InvoiceKind::CreditNote { corrects };
        self
    }

    /// Sets the payment due date (BT-9).
    pub fn due_date(mut self, date: NaiveDate) -> Self {
        self.invoice.due_date = Some(date);
        self
    }

    /// Sets the buyer reference (BT-10), such as a Leitweg-ID.
    pub fn buyer_reference(mut self, reference: impl Into<String>) -> Self {
        self.invoice.buyer_reference = Some(reference.into());
        self
    }

    /// Sets the payment terms (BT-20).
    pub fn payment_terms(mut self, terms: impl Into<String>) -> Self {
        self.invoice.payment_terms = Some(terms.into());
        self
    }

    /// Sets the purchase order reference (BT-13) the buyer issued.
    pub fn order_reference(mut self, reference: impl Into<String>) -> Self {
        self.invoice.order_reference = Some(reference.into());
        self
    }

    /// Appends a way to pay (BG-16), such as a credit transfer to an IBAN.
    pub fn payment_means(mut self, means: PaymentMeans) -> Self {
        self.invoice.payment_means.push(means);
        self
    }

    /// Sets the delivery information (BG-13).
    pub fn delivery(mut self, delivery: Delivery) -> Self {
        self.invoice.delivery = Some(delivery);
        self
    }

    /// Sets the period the invoice covers (BG-14).
    pub fn period(mut self, period: InvoicePeriod) -> Self {
        self.invoice.period = Some(period);
        self
    }

    /// Appends a line.
    pub fn line(mut self, line: LineItem) -> Self {
        self.invoice.lines.push(line);
        self
    }

    /// Appends several lines. The first lines given as a `Vec` are kept in it, not
    /// copied.
    pub fn lines(mut self, lines: impl IntoIterator<Item = LineItem>) -> Self {
        if self.invoice.lines.is_empty() {
            // Collecting a `Vec`'s own iterator reuses its allocation.
            self.invoice.lines = lines.into_iter().collect();
        } else {
            self.invoice.lines.extend(lines);
        }
        self
    }

    /// Appends a document-level allowance or charge (BG-20, BG-21).
    pub fn allowance_charge(mut self, allowance_charge: AllowanceCharge) -> Self {
        self.invoice.allowances_charges.push(allowance_charge);
        self
    }

    /// Appends a note.
    pub fn note(mut self, note: Note) -> Self {
        self.invoice.notes.push(note);
        self
    }

    /// Sets the amount already paid (BT-113).
    pub fn prepaid_amount(mut self, amount: Decimal) -> Self {
        self.invoice.prepaid_amount = amount;
        self
    }

    /// Keeps the rounding amount a received invoice states (BT-114).
    pub fn stated_rounding_amount(mut self, amount: Decimal) -> Self {
        self.invoice.stated_rounding_amount = Some(amount);
        self
    }

    /// Sets the rounding policy totals are computed under (EN 16931 unless set).
    pub fn rounding_policy(mut self, policy: RoundingPolicy) -> Self {
        self.invoice.rounding_policy = policy;
        self
    }

    /// Marks the invoice as already issued with `number` on `issue_date`: for received
    /// invoices and imports, which are not drafts.
    pub fn issued(mut self, number: InvoiceNumber, issue_date: NaiveDate) -> Self {
        self.invoice.number = Some(number);
        self.invoice.issue_date = Some(issue_date);
        self.invoice.status = InvoiceStatus::Issued;
        self
    }

    /// The totals the invoice will have once built, under the rounding policy set so
    /// far, without building it: what a reader checks a document's stated amounts
    /// against while it may still change the policy.
    ///
    /// # Errors
    ///
    /// As [`Totals::compute`].
    ///
    /// # Examples
    ///
    /// ```
    /// use invoice_core::*;
    /// use rust_decimal::Decimal;
    ///
    /// let party = |name| Party::new(name, Address::new(CountryCode::new("DE").unwrap()));
    /// let builder = InvoiceBuilder::new(
    ///     InvoiceId::from_uuid(uuid::Uuid::nil()),
    ///     TenantId::new("t")?,
    ///     Currency::EUR,
    ///     party("Seller"),
    ///     party("Buyer"),
    /// )
    /// .line(LineItem::new(
    ///     "1",
    ///     "Widget",
    ///     Decimal::new(3, 0),
    ///     UnitCode::piece(),
    ///     Decimal::new(1999, 2),
    ///     Vat::standard(Decimal::new(19, 0)),
    /// ));
    /// let preview = builder.totals()?;
    /// assert_eq!(preview.line_extension_amount(), Decimal::new(5997, 2));
    /// assert_eq!(builder.build()?.totals()?, preview);
    /// # Ok::<(), invoice_core::Error>(())
    /// ```
    pub fn totals(&self) -> Result<Totals> {
        Totals::compute(&self.invoice, &self.invoice.rounding_policy)
    }

    /// Checks the input and returns the invoice at version 1.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidLine`] for a line whose base quantity is not positive or whose id
    /// is blank, or, in a draft, repeated; [`Error::InvalidAmount`] for a negative prepaid
    /// amount.
    ///
    /// Repeated line ids are accepted in an invoice built as [`issued`](Self::issued):
    /// EN 16931 has no rule that makes BT-126 unique, and official examples repeat it
    /// (`CII-BR-CO-10-RoundingIssue.xml`), so a received invoice keeps its ids as stated.
    pub fn build(self) -> Result<Invoice> {
        let ids = if self.invoice.status.is_draft() {
            LineIds::Unique
        } else {
            LineIds::AsStated
        };
        check_lines(&self.invoice.lines, ids)?;
        if self.invoice.prepaid_amount < Decimal::ZERO {
            return Err(Error::InvalidAmount {
                value: self.invoice.prepaid_amount.to_string(),
                reason: "the prepaid amount must not be negative",
            });
        }
        Ok(self.invoice)
    }
}

/// Whether line ids must be unique: in what we author, yes; in a received invoice, they
/// are kept as stated.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LineIds {
    Unique,
    AsStated,
}

fn check_lines(lines: &[LineItem], ids: LineIds) -> Result<()> {
    // Only ids that must be unique are remembered.
    let mut seen = std::collections::HashSet::with_capacity(match ids {
        LineIds::Unique => lines.len(),
        LineIds::AsStated => 0,
    });
    for (index, line) in lines.iter().enumerate() {
        let reason = if line.base_quantity() <= Decimal::ZERO {
            Some("base quantity must be positive".to_owned())
        } else if line.id().trim().is_empty() {
            Some("line id must not be blank".to_owned())
        } else if ids == LineIds::Unique && !seen.insert(line.id()) {
            Some(format!("line id {:?} is used twice", line.id()))
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(Error::InvalidLine { index, reason });
        }
    }
    Ok(())
}

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

    /// Applies a partial update to a draft. Returns `None`, and keeps the version, when
    /// nothing actually changed.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidTransition`] unless the invoice is a draft; the errors of
    /// [`InvoiceBuilder::build`] for the new lines or prepaid amount.
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
        let payable = self.totals()?.payable_amount();
        payable
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
            type_code: self.kind.type_code(),
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

    /// The optimistic-concurrency version: 1 when built, +1 per command that changed it.
    pub fn version(&self) -> u64 {
        self.version
    }
}
