//! An order's invoice: built from the order alone, so that the checkers, the aggregator
//! and a retry all arrive at the same amount and the same invoice id.

use invoice_core::{
    Address, CountryCode, Currency, Decimal, Invoice, InvoiceBuilder, InvoiceId, LineItem, Party,
    Severity, TenantId, UnitCode, Vat,
};
use uuid::Uuid;

use crate::order::Order;

/// Who invoices, and the tenant the invoices belong to.
#[derive(Debug, Clone)]
pub struct Invoicing {
    /// The tenant of every order's invoice.
    pub tenant: TenantId,
    /// The seller on every invoice.
    pub seller: Party,
    /// The VAT rate of every line, in percent.
    pub vat_rate: Decimal,
}

impl Invoicing {
    /// Invoices of `tenant` from a demo seller in Germany at 19 % VAT.
    ///
    /// # Errors
    ///
    /// An invalid tenant id.
    pub fn demo(tenant: &str) -> invoice_core::Result<Self> {
        let address = Address::new(CountryCode::new("DE")?)
            .with_line("Lagerstraße 1")
            .with_city("Hamburg")
            .with_postal_code("20457");
        Ok(Self {
            tenant: TenantId::new(tenant)?,
            seller: Party::new("Order Pipeline GmbH", address).with_vat_id("DE123456789"),
            vat_rate: Decimal::new(19, 0),
        })
    }

    /// The id of `order`'s invoice: derived from the order's, the same every time.
    pub fn invoice_id(order: &Order) -> InvoiceId {
        InvoiceId::from_uuid(Uuid::new_v5(&order.id, b"invoice"))
    }

    /// `order`'s invoice as a draft, buyer the customer.
    ///
    /// # Errors
    ///
    /// When the order cannot be invoiced: no line, a quantity of 0, a broken EN 16931
    /// rule.
    pub fn draft(&self, order: &Order) -> invoice_core::Result<Invoice> {
        let buyer = Party::new(
            format!("Customer {}", order.customer),
            self.seller.address().clone(),
        );
        let lines = order.lines.iter().enumerate().map(|(i, line)| {
            LineItem::new(
                (i + 1).to_string(),
                line.product.clone(),
                Decimal::from(line.quantity),
                UnitCode::piece(),
                line.unit_price,
                Vat::standard(self.vat_rate),
            )
        });
        let builder = InvoiceBuilder::new(
            Self::invoice_id(order),
            self.tenant.clone(),
            Currency::EUR,
            self.seller.clone(),
            buyer,
        )
        .lines(lines)
        .payment_terms("Payable within 30 days of the invoice date");
        let invoice = Invoice::create(builder)?.0;
        // Checked now, so that an order that could not be issued is refused by the
        // credit check rather than shipped without an invoice.
        let violations: Vec<_> = invoice
            .validate()
            .into_iter()
            .filter(|v| v.severity() == Severity::Fatal)
            .collect();
        if !violations.is_empty() {
            return Err(invoice_core::Error::RuleViolations { violations });
        }
        Ok(invoice)
    }

    /// What `order` costs the customer: its invoice's amount due, VAT included.
    ///
    /// # Errors
    ///
    /// As [`draft`](Self::draft).
    pub fn amount(&self, order: &Order) -> invoice_core::Result<Decimal> {
        self.draft(order)?.amount_due()
    }
}
