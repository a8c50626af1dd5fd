//! PDF invoices people read, and Factur-X / ZUGFeRD: the same PDF as PDF/A-3b with the
//! CII invoice embedded as `factur-x.xml`, which machines read.
//!
//! Rendering is done with [krilla](https://docs.rs/krilla): text is real text in DejaVu
//! Sans (embedded and subset, from the `dejavu` crate), A4 or US Letter, amounts and
//! dates in the reader's [`Locale`], long invoices broken across pages with the table
//! header repeated, "n / N" page numbers and the totals on the last page.

// Page geometry is in points, as floats; no amount is computed in this module (amounts
// are formatted from the model's decimals).
#![allow(clippy::float_arithmetic)]

mod draw;
mod facturx;
mod fonts;
mod layout;
mod locale;

use std::io::Write;

use invoice_core::Invoice;

pub use facturx::{
    read_facturx, read_facturx_xml, write_facturx, write_facturx_profile, FacturX, FacturXProfile,
    FACTURX_FILE_NAMES,
};
pub use locale::Locale;

use crate::error::BoxError;
use crate::{Error, Result};

/// The paper size of a rendered invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Paper {
    /// ISO A4, 210 × 297 mm.
    #[default]
    A4,
    /// US Letter, 8.5 × 11 in.
    Letter,
}

impl Paper {
    /// Width and height in points.
    fn size(self) -> (f32, f32) {
        match self {
            Self::A4 => (595.28, 841.89),
            Self::Letter => (612.0, 792.0),
        }
    }
}

/// How an invoice is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[must_use]
pub struct PdfOptions {
    paper: Paper,
    locale: Locale,
}

impl PdfOptions {
    /// A4 in English.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the paper size.
    pub fn paper(mut self, paper: Paper) -> Self {
        self.paper = paper;
        self
    }

    /// Sets the language and conventions of labels, amounts and dates.
    pub fn locale(mut self, locale: Locale) -> Self {
        self.locale = locale;
        self
    }

    /// The paper size.
    pub fn paper_size(&self) -> Paper {
        self.paper
    }

    /// The locale.
    pub fn language(&self) -> Locale {
        self.locale
    }
}

/// Renders `invoice` as a PDF into `out`: the parties, the facts, the lines, document
/// allowances and charges, notes, the totals (BT-106 to BT-115), the VAT breakdown and
/// the payment instructions. A draft is marked as such.
///
/// # Errors
///
/// [`Error::Invoice`] when the invoice cannot be totalled, [`Error::Encode`] when the
/// PDF cannot be made, [`Error::Io`] when `out` fails.
///
/// # Examples
///
/// ```
/// use invoice_core::{Address, CountryCode, Currency, InvoiceBuilder, InvoiceId, InvoiceNumber,
///     LineItem, Party, TenantId, UnitCode, Vat};
/// use invoice_export::{write_pdf, Locale, Paper, PdfOptions};
/// use rust_decimal::Decimal;
///
/// let de = Address::new(CountryCode::new("DE")?);
/// let invoice = InvoiceBuilder::new(InvoiceId::from_uuid(uuid::Uuid::from_u128(1)), TenantId::new("acme")?,
///         Currency::EUR, Party::new("Müller GmbH", de.clone()).with_vat_id("DE123456789"),
///         Party::new("Łukasz Wróbel", de))
///     .issued(InvoiceNumber::new("INV-1")?, chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap())
///     .line(LineItem::new("1", "Tee", Decimal::new(2, 0), UnitCode::piece(),
///         Decimal::new(450, 2), Vat::standard(Decimal::new(19, 0))))
///     .build()?;
/// let mut pdf = Vec::new();
/// write_pdf(&mut pdf, &invoice, &PdfOptions::new().locale(Locale::De).paper(Paper::A4))?;
/// assert!(pdf.starts_with(b"%PDF-"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_pdf<W: Write>(mut out: W, invoice: &Invoice, options: &PdfOptions) -> Result<()> {
    let bytes = draw::render(invoice, options, None)?;
    out.write_all(&bytes)?;
    Ok(())
}

/// An error of the PDF library, as the crate reports it.
fn pdf_error(message: impl Into<String>) -> Error {
    let message: String = message.into();
    Error::Encode {
        format: "pdf",
        source: BoxError::from(message),
    }
}
