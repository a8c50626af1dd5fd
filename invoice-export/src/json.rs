//! JSON of the domain model: the serde representation of [`Invoice`] in `invoice-core`.
//!
//! The format is the one `invoice-core` derives, and it is stable: fields are
//! `snake_case`, amounts and rates are strings (`"12.50"`, never floats, so no digit is
//! lost), dates are ISO 8601, optional fields that are empty are left out and default
//! when absent, enums are tagged (`"kind": {"type": "credit_note", ...}`). A golden
//! test in this crate (`tests/golden/invoice.json`) pins it; a change that breaks it is
//! a breaking change of the wire format.
//!
//! Lists are written as JSON Lines ([`write_invoices_jsonl`]): one invoice per line, so a
//! list streams from an iterator and a reader can start before the end.

use std::borrow::Borrow;
use std::io::{Read, Write};

use invoice_core::Invoice;

use crate::error::{Error, Result};

fn encode_error(e: serde_json::Error) -> Error {
    if e.is_io() {
        Error::Io {
            source: std::io::Error::other(e),
        }
    } else {
        Error::Encode {
            format: "json",
            source: Box::new(e),
        }
    }
}

/// Writes one invoice as a JSON object (compact, no trailing newline).
///
/// # Errors
///
/// [`Error::Io`] when writing fails.
///
/// # Examples
///
/// ```
/// use invoice_core::{Address, CountryCode, Currency, InvoiceBuilder, InvoiceId, Party, TenantId};
/// use invoice_export::{read_invoice_json, write_invoice_json};
/// use uuid::Uuid;
///
/// let de = Address::new(CountryCode::new("DE")?);
/// let invoice = InvoiceBuilder::new(InvoiceId::from_uuid(Uuid::from_u128(1)), TenantId::new("t")?,
///     Currency::EUR, Party::new("Seller", de.clone()), Party::new("Buyer", de)).build()?;
/// let mut out = Vec::new();
/// write_invoice_json(&mut out, &invoice)?;
/// assert_eq!(read_invoice_json(out.as_slice())?, invoice);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_invoice_json<W: Write>(out: W, invoice: &Invoice) -> Result<()> {
    serde_json::to_writer(out, invoice).map_err(encode_error)
}

/// Writes one invoice as indented JSON, for people and diffs.
///
/// # Errors
///
/// [`Error::Io`] when writing fails.
pub fn write_invoice_json_pretty<W: Write>(out: W, invoice: &Invoice) -> Result<()> {
    serde_json::to_writer_pretty(out, invoice).map_err(encode_error)
}

/// Reads one invoice from JSON.
///
/// # Errors
///
/// [`Error::Json`] when the input is not an invoice in this format, [`Error::Io`] when
/// reading fails.
pub fn read_invoice_json<R: Read>(input: R) -> Result<Invoice> {
    serde_json::from_reader(input).map_err(|e| {
        if e.is_io() {
            Error::Io {
                source: std::io::Error::other(e),
            }
        } else {
            Error::Json {
                source: Box::new(e),
            }
        }
    })
}

/// Writes invoices as JSON Lines (one compact object and `\n` per invoice), pulling
/// them from the iterator one at a time; returns the writer and the count.
///
/// # Errors
///
/// [`Error::Io`] when writing fails; invoices before the failing one are written.
pub fn write_invoices_jsonl<W, I>(mut out: W, invoices: I) -> Result<(W, u64)>
where
    W: Write,
    I: IntoIterator,
    I::Item: Borrow<Invoice>,
{
    let mut count = 0;
    for invoice in invoices {
        serde_json::to_writer(&mut out, invoice.borrow()).map_err(encode_error)?;
        out.write_all(b"\n")?;
        count += 1;
    }
    Ok((out, count))
}
