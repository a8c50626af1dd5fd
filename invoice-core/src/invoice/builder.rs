//! Building an [`Invoice`]: a draft, or an issued invoice as received.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::allowance_charge::AllowanceCharge;
use crate::currency::Currency;
use crate::delivery::{Delivery, InvoicePeriod};
use crate::error::{Error, Result};
use crate::ids::{ClientId, InvoiceId, InvoiceNumber, TenantId};
use crate::lifecycle::{InvoiceKind, InvoiceReference, InvoiceStatus};
use crate::line_item::LineItem;
use crate::note::Note;
use crate::party::{Party, Payee, TaxRepresentative};
use crate::payment_means::PaymentMeans;
use crate::references::DocumentReferences;
use crate::rounding::RoundingPolicy;
use crate::schedule::ScheduleOrigin;
use crate::specification::Specification;
use crate::totals::Totals;
use crate::vat::{EmptyVatRow, StatedVatAmount, Vat};
use crate::vat_accounting::VatAccounting;

use super::Invoice;

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
                stated_type_code: None,
                status: InvoiceStatus::Draft,
                issue_date: None,
                due_date: None,
                currency,
                specification: None,
                vat_accounting: None,
                seller,
                buyer,
                tax_representative: None,
                payee: None,
                tax_point_date: None,
                vat_point_date_code: None,
                buyer_reference: None,
                payment_terms: None,
                order_reference: None,
                references: DocumentReferences::default(),
                preceding_invoices: Vec::new(),
                payment_means: Vec::new(),
                creditor_id: None,
                delivery: None,
                period: None,
                lines: Vec::new(),
                allowances_charges: Vec::new(),
                notes: Vec::new(),
                payments: Vec::new(),
                prepaid_amount: Decimal::ZERO,
                stated_rounding_amount: None,
                stated_vat_amounts: Vec::new(),
                empty_vat_rows: Vec::new(),
                outside_scope_rate_stated: false,
                rounding_policy: RoundingPolicy::en16931(),
                schedule: None,
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

    /// Sets the document type code (BT-3) a received document states, when it is not its
    /// kind's own (380, 381): 384 for a corrected invoice, 389 for a self-billed one, 386
    /// for a prepayment invoice. The kind still decides the lifecycle (a credit note is
    /// [`credit_note`](Self::credit_note)); the code is what the documents say, and a
    /// credit note's code should be one of the credit note family (381, 396, 261, ...),
    /// an invoice's one of the others, for the syntaxes to read it back as the same kind.
    pub fn type_code(mut self, code: u16) -> Self {
        self.invoice.stated_type_code = Some(code);
        self
    }

    /// Sets the payment due date (BT-9).
    pub fn due_date(mut self, date: NaiveDate) -> Self {
        self.invoice.due_date = Some(date);
        self
    }

    /// Sets the specification the invoice follows (BT-24) and its business process
    /// (BT-23), such as [`Specification::peppol_bis_billing_3`] for an invoice meant for
    /// Peppol. Without one, or with plain EN 16931 ([`Specification::en16931`]), the
    /// invoice states none and [`Invoice::specification`] is `None`.
    pub fn specification(mut self, specification: Specification) -> Self {
        self.invoice.specification = (!specification.is_plain_en16931()).then_some(specification);
        self
    }

    /// Sets the VAT accounting currency (BT-6) and how the VAT total in it (BT-111) is
    /// found: [`VatAccounting::with_exchange_rate`] when authoring,
    /// [`VatAccounting::stated`] for what a received document states.
    pub fn vat_accounting(mut self, accounting: VatAccounting) -> Self {
        self.invoice.vat_accounting = Some(accounting);
        self
    }

    /// Keeps the VAT amount a received document states for the breakdown row of `vat`
    /// (BT-117); it is used where it is within one unit of the currency of the computed
    /// one (BR-CO-17), and ignored otherwise. See [`StatedVatAmount`].
    pub fn stated_vat_amount(mut self, vat: Vat, amount: Decimal) -> Self {
        self.invoice
            .stated_vat_amounts
            .push(StatedVatAmount::new(vat, amount));
        self
    }

    /// Records that a received document states a rate (0) on its "not subject to VAT"
    /// (O) breakdown row, so that the writers state it again.
    pub fn outside_scope_rate_stated(mut self) -> Self {
        self.invoice.outside_scope_rate_stated = true;
        self
    }

    /// Keeps a VAT breakdown row a received document states with nothing in it, for a
    /// category and rate no line, allowance or charge uses. A row that something does
    /// use is computed as usual, and this one is then ignored. See [`EmptyVatRow`].
    pub fn empty_vat_row(mut self, row: EmptyVatRow) -> Self {
        self.invoice.empty_vat_rows.push(row);
        self
    }

    /// Sets the bank-assigned creditor identifier (BT-90) of a SEPA direct debit (BG-19),
    /// such as `DE98ZZZ09999999999`.
    pub fn creditor_id(mut self, id: impl Into<String>) -> Self {
        self.invoice.creditor_id = Some(id.into());
        self
    }

    /// Sets the payee (BG-10), when someone other than the seller is to be paid.
    pub fn payee(mut self, payee: Payee) -> Self {
        self.invoice.payee = Some(payee);
        self
    }

    /// Sets the date VAT becomes due (BT-7), when it is not the issue date.
    pub fn tax_point_date(mut self, date: NaiveDate) -> Self {
        self.invoice.tax_point_date = Some(date);
        self
    }

    /// Sets when VAT becomes due as a code (BT-8, UNTDID 2005: `3`, `35` or `432`).
    pub fn vat_point_date_code(mut self, code: impl Into<String>) -> Self {
        self.invoice.vat_point_date_code = Some(code.into());
        self
    }

    /// Sets the seller's tax representative (BG-11).
    pub fn tax_representative(mut self, representative: TaxRepresentative) -> Self {
        self.invoice.tax_representative = Some(representative);
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

    /// Sets the references besides BT-10 and BT-13 (project, contract, sales order,
    /// advices, tender, invoiced object, accounting reference, supporting documents).
    pub fn references(mut self, references: DocumentReferences) -> Self {
        self.invoice.references = references;
        self
    }

    /// Adds a preceding invoice the invoice refers to (BG-3), besides the one a credit
    /// note corrects.
    pub fn preceding_invoice(mut self, reference: InvoiceReference) -> Self {
        self.invoice.preceding_invoices.push(reference);
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

    /// Records the schedule and period the invoice is generated for.
    pub fn schedule_origin(mut self, origin: ScheduleOrigin) -> Self {
        self.invoice.schedule = Some(origin);
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
    pub fn build(mut self) -> Result<Invoice> {
        // A stated code that is the kind's own states nothing more.
        if self.invoice.stated_type_code == Some(self.invoice.kind.type_code()) {
            self.invoice.stated_type_code = None;
        }
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
pub(super) enum LineIds {
    Unique,
    AsStated,
}

pub(super) fn check_lines(lines: &[LineItem], ids: LineIds) -> Result<()> {
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
