//! CSV that Excel and LibreOffice open cleanly: UTF-8 with a BOM, a chosen delimiter,
//! CRLF line ends, quoting where needed, and cells that cannot run as formulas.
//!
//! The shapes:
//! - [`write_invoice_lines`]: the lines of one invoice, one row per line;
//! - [`write_invoices`] and [`CsvInvoiceWriter`]: a list of invoices, one row each,
//!   written as they come from an iterator, never collected;
//! - [`write_aging`], [`write_revenue`], [`write_vat_summary`]: the reports of
//!   `invoice_core::reports`.
//!
//! # Formula injection
//!
//! A spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` as a formula (and tab
//! and CR can hide such a start), so a buyer name like `=HYPERLINK(...)` is an attack
//! (OWASP, "CSV Injection"). Every *text* cell (names, ids, numbers of invoices,
//! references, descriptions) that begins with one of those characters gets a leading
//! `'`, which makes the spreadsheet show it as text. *Amount* cells are written by this
//! module from [`Decimal`]s, never from user text, so they are left alone: a negative
//! amount such as `-12.50` stays a number a spreadsheet can add up. A text cell that
//! merely looks like a negative number (an item named `-5`) is still neutralized: the
//! writer neutralizes by the kind of the column, not by guessing from its content.
//!
//! Numbers use `.` as decimal separator and no thousands separator whatever the
//! delimiter; amounts show at least the currency's minor units (`7` EUR is `7.00`).
//! Dates are ISO 8601 (`2026-11-24`).

use std::borrow::Borrow;
use std::io::Write;

use invoice_core::{Currency, Invoice};
use rust_decimal::Decimal;

use crate::error::{Error, Result};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The field delimiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Delimiter {
    /// `,`: the default, what Excel expects in English locales.
    #[default]
    Comma,
    /// `;`: what Excel expects where the decimal separator is a comma (de, fr, ...).
    Semicolon,
}

impl Delimiter {
    const fn byte(self) -> u8 {
        match self {
            Self::Comma => b',',
            Self::Semicolon => b';',
        }
    }
}

/// The line terminator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum LineEnding {
    /// `\r\n`: the default, as RFC 4180 and Excel expect.
    #[default]
    CrLf,
    /// `\n`.
    Lf,
}

/// How CSV is written: delimiter, byte-order mark, line ends and header row.
///
/// The default suits Excel: `,`, a UTF-8 BOM (without it Excel reads UTF-8 as the
/// local code page), CRLF and a header row.
///
/// # Examples
///
/// ```
/// use invoice_export::{CsvOptions, Delimiter};
///
/// let german_excel = CsvOptions::new().with_delimiter(Delimiter::Semicolon);
/// assert_eq!(german_excel.delimiter(), Delimiter::Semicolon);
/// assert!(german_excel.has_bom());
/// assert!(!CsvOptions::new().without_bom().has_bom());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[must_use]
pub struct CsvOptions {
    delimiter: Delimiter,
    bom: bool,
    line_ending: LineEnding,
    header: bool,
}

impl Default for CsvOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl CsvOptions {
    /// The Excel-friendly default: `,`, BOM, CRLF, header row.
    pub const fn new() -> Self {
        Self {
            delimiter: Delimiter::Comma,
            bom: true,
            line_ending: LineEnding::CrLf,
            header: true,
        }
    }

    /// Sets the delimiter.
    pub const fn with_delimiter(mut self, delimiter: Delimiter) -> Self {
        self.delimiter = delimiter;
        self
    }

    /// Leaves out the UTF-8 byte-order mark (for programs that do not expect one).
    pub const fn without_bom(mut self) -> Self {
        self.bom = false;
        self
    }

    /// Sets the line terminator.
    pub const fn with_line_ending(mut self, line_ending: LineEnding) -> Self {
        self.line_ending = line_ending;
        self
    }

    /// Leaves out the header row.
    pub const fn without_header(mut self) -> Self {
        self.header = false;
        self
    }

    /// The delimiter.
    pub const fn delimiter(&self) -> Delimiter {
        self.delimiter
    }

    /// Whether a UTF-8 byte-order mark is written first.
    pub const fn has_bom(&self) -> bool {
        self.bom
    }

    /// The line terminator.
    pub const fn line_ending(&self) -> LineEnding {
        self.line_ending
    }

    /// Whether a header row is written.
    pub const fn has_header(&self) -> bool {
        self.header
    }
}

/// The columns of [`write_invoice_lines`].
pub const LINE_COLUMNS: [&str; 12] = [
    "invoice_number",
    "line_id",
    "name",
    "description",
    "quantity",
    "unit",
    "price",
    "base_quantity",
    "vat_category",
    "vat_rate",
    "net_amount",
    "currency",
];

/// The columns of [`write_invoices`] and [`CsvInvoiceWriter`].
pub const INVOICE_COLUMNS: [&str; 17] = [
    "number",
    "type_code",
    "status",
    "issue_date",
    "due_date",
    "seller_name",
    "buyer_name",
    "buyer_reference",
    "currency",
    "line_extension_amount",
    "allowance_total",
    "charge_total",
    "tax_exclusive_amount",
    "tax_amount",
    "tax_inclusive_amount",
    "payable_amount",
    "amount_due",
];

fn encode_error(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::Encode {
        format: "csv",
        source: Box::new(e),
    }
}

/// A row under construction: text cells are neutralized, numbers are not.
struct Row<W: Write> {
    csv: ::csv::Writer<W>,
    scratch: String,
}

impl<W: Write> Row<W> {
    fn new(mut out: W, options: &CsvOptions) -> Result<Self> {
        if options.bom {
            out.write_all(BOM)?;
        }
        let terminator = match options.line_ending {
            LineEnding::CrLf => ::csv::Terminator::CRLF,
            LineEnding::Lf => ::csv::Terminator::Any(b'\n'),
        };
        let csv = ::csv::WriterBuilder::new()
            .delimiter(options.delimiter.byte())
            .terminator(terminator)
            .quote_style(::csv::QuoteStyle::Necessary)
            .has_headers(false)
            .from_writer(out);
        Ok(Self {
            csv,
            scratch: String::new(),
        })
    }

    /// A text cell: neutralized against formula injection.
    fn text(&mut self, value: &str) -> Result<()> {
        if needs_neutralizing(value) {
            self.scratch.clear();
            self.scratch.push('\'');
            self.scratch.push_str(value);
            self.csv.write_field(&self.scratch).map_err(encode_error)
        } else {
            self.csv.write_field(value).map_err(encode_error)
        }
    }

    /// A cell whose text this module produced from a typed value (a decimal, a date, a
    /// validated code): never neutralized.
    fn value(&mut self, value: impl std::fmt::Display) -> Result<()> {
        use std::fmt::Write as _;
        self.scratch.clear();
        // Writing to a String cannot fail.
        let _ = write!(self.scratch, "{value}");
        self.csv.write_field(&self.scratch).map_err(encode_error)
    }

    fn amount(&mut self, value: Decimal, currency: Currency) -> Result<()> {
        self.value(at_least_minor_units(value, currency))
    }

    fn end(&mut self) -> Result<()> {
        self.csv.write_record(None::<&[u8]>).map_err(encode_error)
    }

    fn header(&mut self, columns: &[&str]) -> Result<()> {
        self.csv.write_record(columns).map_err(encode_error)
    }

    fn finish(self) -> Result<W> {
        self.csv.into_inner().map_err(|e| Error::Io {
            source: std::io::Error::new(e.error().kind(), e.error().to_string()),
        })
    }
}

/// Whether a text cell would start a formula: `=`, `+`, `-`, `@`, tab or CR first.
fn needs_neutralizing(value: &str) -> bool {
    matches!(
        value.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// The columns of [`write_aging`]: `scope` is `client` for a client's row, `total` for a
/// currency's total (whose `client` is empty).
pub const AGING_COLUMNS: [&str; 9] = [
    "scope",
    "client",
    "currency",
    "not_due",
    "days_1_to_30",
    "days_31_to_60",
    "days_61_to_90",
    "over_90",
    "total",
];

/// The columns of [`write_revenue`]: `key` is the period's first day or the client id.
pub const REVENUE_COLUMNS: [&str; 5] = ["key", "currency", "net", "gross", "documents"];

/// The columns of [`write_vat_summary`].
pub const VAT_SUMMARY_COLUMNS: [&str; 5] = ["currency", "category", "rate", "taxable", "tax"];

/// Writes a receivables aging report ([`AGING_COLUMNS`]): each client's row, then each
/// currency's total.
///
/// # Errors
///
/// [`Error::Io`] when writing fails.
pub fn write_aging<W: Write>(
    out: W,
    report: &invoice_core::reports::AgingReport,
    options: &CsvOptions,
) -> Result<W> {
    let mut row = Row::new(out, options)?;
    if options.header {
        row.header(&AGING_COLUMNS)?;
    }
    let rows = report.rows.iter().map(|r| {
        (
            "client",
            r.client.map(|c| c.to_string()),
            r.currency,
            &r.amounts,
        )
    });
    let totals = report
        .totals
        .iter()
        .map(|t| ("total", None, t.currency, &t.amounts));
    for (scope, client, currency, a) in rows.chain(totals) {
        row.value(scope)?;
        row.value(client.unwrap_or_default())?;
        row.value(currency.code())?;
        for amount in [
            a.not_due,
            a.days_1_to_30,
            a.days_31_to_60,
            a.days_61_to_90,
            a.over_90,
            a.total,
        ] {
            row.amount(amount, currency)?;
        }
        row.end()?;
    }
    row.finish()
}

/// Writes revenue rows ([`REVENUE_COLUMNS`]).
///
/// # Errors
///
/// [`Error::Io`] when writing fails.
pub fn write_revenue<W: Write>(
    out: W,
    rows: &[invoice_core::reports::RevenueRow],
    options: &CsvOptions,
) -> Result<W> {
    use invoice_core::reports::RevenueKey;
    let mut row = Row::new(out, options)?;
    if options.header {
        row.header(&REVENUE_COLUMNS)?;
    }
    for r in rows {
        match &r.key {
            RevenueKey::Period(day) => row.value(day)?,
            RevenueKey::Client(client) => {
                row.value(client.map(|c| c.to_string()).unwrap_or_default())?
            }
        }
        row.value(r.currency.code())?;
        row.amount(r.net, r.currency)?;
        row.amount(r.gross, r.currency)?;
        row.value(r.documents)?;
        row.end()?;
    }
    row.finish()
}

/// Writes a VAT summary ([`VAT_SUMMARY_COLUMNS`]).
///
/// # Errors
///
/// [`Error::Io`] when writing fails.
pub fn write_vat_summary<W: Write>(
    out: W,
    rows: &[invoice_core::reports::VatSummaryRow],
    options: &CsvOptions,
) -> Result<W> {
    let mut row = Row::new(out, options)?;
    if options.header {
        row.header(&VAT_SUMMARY_COLUMNS)?;
    }
    for r in rows {
        row.value(r.currency.code())?;
        row.value(r.category.code())?;
        row.value(r.rate)?;
        row.amount(r.taxable, r.currency)?;
        row.amount(r.tax, r.currency)?;
        row.end()?;
    }
    row.finish()
}

/// Pads `value` with zeros to the currency's minor units (7 → 7.00); never rounds.
fn at_least_minor_units(mut value: Decimal, currency: Currency) -> Decimal {
    let dp = currency.minor_units();
    if value.scale() < dp {
        // Adding zeros is exact; `rescale` only rounds when the scale goes down.
        value.rescale(dp);
    }
    value
}

/// Writes the lines of `invoice`, one row per line ([`LINE_COLUMNS`]), with the line
/// net amounts (BT-131) as the invoice's totals compute them.
///
/// # Errors
///
/// [`Error::Io`] when writing fails, [`Error::Invoice`] when the totals cannot be
/// computed.
///
/// # Examples
///
/// ```
/// use invoice_core::{Address, CountryCode, Currency, InvoiceBuilder, InvoiceId, LineItem, Party,
///     TenantId, UnitCode, Vat};
/// use invoice_export::{write_invoice_lines, CsvOptions};
/// use rust_decimal::Decimal;
/// use uuid::Uuid;
///
/// let de = Address::new(CountryCode::new("DE")?);
/// let invoice = InvoiceBuilder::new(InvoiceId::from_uuid(Uuid::from_u128(1)), TenantId::new("t")?,
///         Currency::EUR, Party::new("Seller", de.clone()), Party::new("Buyer", de))
///     .line(LineItem::new("1", "=1+1", Decimal::new(-2, 0), UnitCode::piece(),
///         Decimal::new(625, 2), Vat::standard(Decimal::new(19, 0))))
///     .build()?;
/// let mut out = Vec::new();
/// write_invoice_lines(&mut out, &invoice, &CsvOptions::new().without_bom())?;
/// let text = String::from_utf8(out)?;
/// assert_eq!(text.lines().nth(1), Some(",1,'=1+1,,-2,C62,6.25,1,S,19,-12.50,EUR"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_invoice_lines<W: Write>(out: W, invoice: &Invoice, options: &CsvOptions) -> Result<W> {
    let totals = invoice.totals()?;
    let currency = invoice.currency();
    let number = invoice.number().map(|n| n.as_str()).unwrap_or_default();
    let mut row = Row::new(out, options)?;
    if options.header {
        row.header(&LINE_COLUMNS)?;
    }
    for (line, net) in invoice.lines().iter().zip(totals.line_net_amounts()) {
        row.text(number)?;
        row.text(line.id())?;
        row.text(line.name())?;
        row.text(line.description().unwrap_or_default())?;
        row.value(line.quantity())?;
        row.value(line.unit())?;
        row.value(line.price())?;
        row.value(line.base_quantity())?;
        row.value(line.vat().category())?;
        row.value(line.vat().rate())?;
        row.amount(*net, currency)?;
        row.value(currency)?;
        row.end()?;
    }
    row.finish()
}

/// Writes invoices one row each ([`INVOICE_COLUMNS`]) as they arrive, without keeping them.
///
/// Use it when the invoices come from a fallible source (a database stream); for a
/// plain iterator, [`write_invoices`] does the same in one call.
///
/// # Examples
///
/// ```
/// use invoice_export::{CsvInvoiceWriter, CsvOptions};
///
/// let writer = CsvInvoiceWriter::new(Vec::new(), &CsvOptions::new().without_bom())?;
/// let out = writer.finish()?; // no invoice: only the header row
/// assert!(out.starts_with(b"number,type_code,status,"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct CsvInvoiceWriter<W: Write> {
    row: Row<W>,
    rows: u64,
}

impl<W: Write> std::fmt::Debug for CsvInvoiceWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvInvoiceWriter")
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

impl<W: Write> CsvInvoiceWriter<W> {
    /// Starts the file: BOM and header row, as `options` say.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when writing fails.
    pub fn new(out: W, options: &CsvOptions) -> Result<Self> {
        let mut row = Row::new(out, options)?;
        if options.header {
            row.header(&INVOICE_COLUMNS)?;
        }
        Ok(Self { row, rows: 0 })
    }

    /// Writes one invoice's row.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when writing fails, [`Error::Invoice`] when the totals cannot be
    /// computed.
    pub fn write_invoice(&mut self, invoice: &Invoice) -> Result<()> {
        let totals = invoice.totals()?;
        let amount_due = totals
            .payable_amount()
            .checked_sub(invoice.amount_paid()?)
            .ok_or(invoice_core::Error::Overflow)?;
        let currency = invoice.currency();
        let row = &mut self.row;
        row.text(invoice.number().map(|n| n.as_str()).unwrap_or_default())?;
        row.value(invoice.type_code())?;
        row.value(invoice.status())?;
        match invoice.issue_date() {
            Some(date) => row.value(date)?,
            None => row.value("")?,
        }
        match invoice.due_date() {
            Some(date) => row.value(date)?,
            None => row.value("")?,
        }
        row.text(invoice.seller().name())?;
        row.text(invoice.buyer().name())?;
        row.text(invoice.buyer_reference().unwrap_or_default())?;
        row.value(currency)?;
        row.amount(totals.line_extension_amount(), currency)?;
        row.amount(totals.allowance_total(), currency)?;
        row.amount(totals.charge_total(), currency)?;
        row.amount(totals.tax_exclusive_amount(), currency)?;
        row.amount(totals.tax_total(), currency)?;
        row.amount(totals.tax_inclusive_amount(), currency)?;
        row.amount(totals.payable_amount(), currency)?;
        row.amount(amount_due, currency)?;
        row.end()?;
        self.rows += 1;
        Ok(())
    }

    /// How many invoice rows were written (the header not counted).
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Flushes and returns the underlying writer.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the final flush fails.
    pub fn finish(self) -> Result<W> {
        self.row.finish()
    }
}

/// Writes `invoices` one row each ([`INVOICE_COLUMNS`]), pulling them from the iterator
/// one at a time, and returns the writer and the number of rows.
///
/// # Errors
///
/// As [`CsvInvoiceWriter::write_invoice`]; rows before the failing one are written.
///
/// # Examples
///
/// ```
/// use invoice_export::{write_invoices, CsvOptions};
///
/// let (out, rows) = write_invoices(Vec::new(), std::iter::empty::<invoice_core::Invoice>(),
///     &CsvOptions::new())?;
/// assert_eq!(rows, 0);
/// assert!(out.starts_with(b"\xEF\xBB\xBFnumber,"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_invoices<W, I>(out: W, invoices: I, options: &CsvOptions) -> Result<(W, u64)>
where
    W: Write,
    I: IntoIterator,
    I::Item: Borrow<Invoice>,
{
    let mut writer = CsvInvoiceWriter::new(out, options)?;
    for invoice in invoices {
        writer.write_invoice(invoice.borrow())?;
    }
    let rows = writer.rows();
    Ok((writer.finish()?, rows))
}

#[cfg(test)]
mod tests {

    #[test]
    fn reports_are_written_as_excel_reads_them() {
        use invoice_core::reports::{
            AgingAmounts, AgingBucket, AgingReport, AgingRow, AgingTotal, RevenueKey, RevenueRow,
            VatSummaryRow,
        };
        let mut amounts = AgingAmounts::default();
        amounts
            .add(AgingBucket::Days31To60, Decimal::new(29, 0))
            .unwrap();
        let client = invoice_core::ClientId::from_uuid(uuid::Uuid::from_u128(7));
        let report = AgingReport {
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 3, 15).unwrap(),
            rows: vec![AgingRow {
                client: Some(client),
                currency: Currency::EUR,
                amounts: amounts.clone(),
            }],
            totals: vec![AgingTotal {
                currency: Currency::EUR,
                amounts,
            }],
        };
        let options = CsvOptions::new()
            .without_bom()
            .with_line_ending(LineEnding::Lf);
        let text = String::from_utf8(write_aging(Vec::new(), &report, &options).unwrap()).unwrap();
        assert_eq!(
            text,
            format!(
                "{}\nclient,{client},EUR,0.00,0.00,29.00,0.00,0.00,29.00\n\
                 total,,EUR,0.00,0.00,29.00,0.00,0.00,29.00\n",
                AGING_COLUMNS.join(",")
            )
        );
        let revenue = [RevenueRow {
            key: RevenueKey::Period(chrono::NaiveDate::from_ymd_opt(2026, 2, 1).unwrap()),
            currency: Currency::EUR,
            net: Decimal::new(-4000, 2),
            gross: Decimal::new(-4760, 2),
            documents: 1,
        }];
        let text =
            String::from_utf8(write_revenue(Vec::new(), &revenue, &options).unwrap()).unwrap();
        assert_eq!(
            text.lines().nth(1),
            Some("2026-02-01,EUR,-40.00,-47.60,1"),
            "negative amounts stay numbers"
        );
        let vat = [VatSummaryRow {
            currency: Currency::EUR,
            category: invoice_core::VatCategory::Standard,
            rate: Decimal::new(19, 0),
            taxable: Decimal::new(100, 0),
            tax: Decimal::new(19, 0),
        }];
        let text = String::from_utf8(
            write_vat_summary(Vec::new(), &vat, &options.clone().without_header()).unwrap(),
        )
        .unwrap();
        assert_eq!(text, "EUR,S,19,100.00,19.00\n");
    }
    use super::*;

    #[test]
    fn formula_starts_are_detected() {
        for bad in ["=1+1", "+1", "-cmd", "@SUM(A1)", "\tx", "\rx"] {
            assert!(needs_neutralizing(bad), "{bad:?}");
        }
        for ok in ["", "Acme", "1-2", " =x", "'=x"] {
            assert!(!needs_neutralizing(ok), "{ok:?}");
        }
    }

    #[test]
    fn amounts_are_padded_never_rounded() {
        let eur = Currency::EUR;
        assert_eq!(
            at_least_minor_units(Decimal::new(7, 0), eur).to_string(),
            "7.00"
        );
        assert_eq!(
            at_least_minor_units(Decimal::new(-1250, 2), eur).to_string(),
            "-12.50"
        );
        assert_eq!(
            at_least_minor_units(Decimal::new(12345, 3), eur).to_string(),
            "12.345"
        );
        assert_eq!(
            at_least_minor_units(Decimal::new(5, 0), Currency::JPY).to_string(),
            "5"
        );
    }
}
