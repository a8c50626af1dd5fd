//! Invoices out of and into the formats their users exchange: CSV for spreadsheets,
//! JSON of the domain model, UBL 2.1 (Peppol BIS Billing 3.0) and UN/CEFACT CII D16B
//! (Factur-X EN 16931, XRechnung), and readers that bring UBL and CII back into the
//! [`invoice_core`] model.
//!
//! Writers stream over [`std::io::Write`]; nothing is built in memory first. Readers are
//! safe on hostile input: no document type declaration (so no entity expansion), limits
//! on size, depth and element count ([`ReadLimits`]), typed errors that name the path of
//! the bad element, and no panic on any input.
//!
//! # Example: an invoice as Excel-friendly CSV
//!
//! ```
//! use invoice_core::{Address, CountryCode, Currency, InvoiceBuilder, InvoiceId, LineItem, Party,
//!     TenantId, UnitCode, Vat};
//! use invoice_export::{write_invoices, CsvOptions, Delimiter};
//! use rust_decimal::Decimal;
//! use uuid::Uuid;
//!
//! let de = Address::new(CountryCode::new("DE")?);
//! let invoice = InvoiceBuilder::new(InvoiceId::from_uuid(Uuid::from_u128(1)), TenantId::new("t")?,
//!         Currency::EUR, Party::new("Seller GmbH", de.clone()), Party::new("@Buyer AG", de))
//!     .line(LineItem::new("1", "Consulting", Decimal::new(2, 0), UnitCode::hour(),
//!         Decimal::new(10000, 2), Vat::standard(Decimal::new(19, 0))))
//!     .build()?;
//! let options = CsvOptions::new().with_delimiter(Delimiter::Semicolon);
//! let (csv, rows) = write_invoices(Vec::new(), [&invoice], &options)?;
//! assert_eq!(rows, 1);
//! let text = String::from_utf8(csv)?;
//! assert!(text.starts_with("\u{feff}number;type_code;"));
//! assert!(text.contains(";'@Buyer AG;")); // neutralized: no formula
//! assert!(text.ends_with(";238.00;238.00\r\n"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Features
//!
//! | feature | turns on |
//! |---|---|
//! | `csv` (default) | [`write_invoice_lines`], [`write_invoices`], [`CsvInvoiceWriter`] |
//! | `json` (default) | [`write_invoice_json`], [`read_invoice_json`], [`write_invoices_jsonl`] |
//! | `ubl` (default) | [`write_ubl`], [`read_ubl`], [`read_ubl_slice`] |
//! | `cii` (default) | [`write_cii`], [`read_cii`], [`read_cii_slice`] |
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

#[cfg(feature = "cii")]
mod cii;
#[cfg(feature = "csv")]
mod csv;
mod error;
#[cfg(any(feature = "ubl", feature = "cii"))]
mod import;
#[cfg(feature = "json")]
mod json;
#[cfg(feature = "ubl")]
mod ubl;
#[cfg(any(feature = "ubl", feature = "cii"))]
mod xml;

#[cfg(all(test, feature = "ubl", feature = "cii"))]
mod test_data;

#[cfg(feature = "csv")]
pub use crate::csv::{
    write_invoice_lines, write_invoices, CsvInvoiceWriter, CsvOptions, Delimiter, LineEnding,
    INVOICE_COLUMNS, LINE_COLUMNS,
};
#[cfg(feature = "cii")]
pub use cii::{read_cii, read_cii_slice, write_cii, GUIDELINE_ID as CII_GUIDELINE_ID};
pub use error::{Error, Result};
#[cfg(any(feature = "ubl", feature = "cii"))]
pub use import::ImportOptions;
#[cfg(feature = "json")]
pub use json::{
    read_invoice_json, write_invoice_json, write_invoice_json_pretty, write_invoices_jsonl,
};
#[cfg(feature = "ubl")]
pub use ubl::{
    read_ubl, read_ubl_slice, write_ubl, CUSTOMIZATION_ID as UBL_CUSTOMIZATION_ID,
    PROFILE_ID as UBL_PROFILE_ID,
};
#[cfg(any(feature = "ubl", feature = "cii"))]
pub use xml::ReadLimits;
