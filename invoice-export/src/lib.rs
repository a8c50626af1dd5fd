#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

#[doc = include_str!("../docs/business-terms.md")]
pub mod business_terms {}
#[cfg(feature = "cii")]
mod cii;
#[cfg(any(feature = "ubl", feature = "cii"))]
mod codes;
#[cfg(feature = "csv")]
mod csv;
mod error;
#[cfg(all(any(test, feature = "fuzzing"), feature = "ubl", feature = "cii"))]
#[doc(hidden)]
pub mod fuzzing;
#[cfg(any(feature = "ubl", feature = "cii"))]
mod import;
#[cfg(feature = "json")]
mod json;
#[cfg(feature = "pdf")]
mod pdf;
#[cfg(any(feature = "ubl", feature = "cii"))]
mod rules;
#[cfg(any(feature = "ubl", feature = "cii"))]
mod schema;
#[cfg(feature = "ubl")]
mod ubl;
#[cfg(any(feature = "ubl", feature = "cii"))]
mod xml;

#[cfg(all(test, feature = "ubl", feature = "cii"))]
mod test_data;

#[cfg(feature = "csv")]
pub use crate::csv::{
    write_aging, write_invoice_lines, write_invoices, write_revenue, write_vat_summary,
    CsvInvoiceWriter, CsvOptions, Delimiter, LineEnding, AGING_COLUMNS, INVOICE_COLUMNS,
    LINE_COLUMNS, REVENUE_COLUMNS, VAT_SUMMARY_COLUMNS,
};
#[cfg(feature = "cii")]
pub use cii::{
    read_cii, read_cii_slice, read_cii_with_warnings, write_cii, GUIDELINE_ID as CII_GUIDELINE_ID,
};
#[cfg(any(feature = "ubl", feature = "cii"))]
pub use codes::{check_code_lists, CodeListViolation};
pub use error::{Error, Result};
#[cfg(any(feature = "ubl", feature = "cii"))]
pub use import::{ImportOptions, ImportWarning, Imported};
#[cfg(feature = "json")]
pub use json::{
    read_invoice_json, write_invoice_json, write_invoice_json_pretty, write_invoices_jsonl,
};
#[cfg(feature = "pdf")]
pub use pdf::{
    read_facturx, read_facturx_xml, write_facturx, write_facturx_profile, write_pdf, FacturX,
    FacturXProfile, Locale, Paper, PdfOptions, FACTURX_FILE_NAMES,
};
#[cfg(any(feature = "ubl", feature = "cii"))]
pub use rules::{check_syntax_rules, RuleViolation};
#[cfg(any(feature = "ubl", feature = "cii"))]
pub use schema::{check_structure, StructureIssue, StructureViolation};
#[cfg(feature = "ubl")]
pub use ubl::{
    read_ubl, read_ubl_slice, read_ubl_with_warnings, write_ubl,
    CUSTOMIZATION_ID as UBL_CUSTOMIZATION_ID, PROFILE_ID as UBL_PROFILE_ID,
};
#[cfg(any(feature = "ubl", feature = "cii"))]
pub use xml::ReadLimits;
