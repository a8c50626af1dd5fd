//! A page of invoice summaries as the JSON a service answers with: [`SummaryPageJson`],
//! what [`InvoiceStore::list_json`](crate::InvoiceStore::list_json) returns; and the
//! pieces the SQLite store writes a summary's JSON with, straight from its columns.

use crate::error::Result;
use crate::invoice_json::json_error;
use crate::invoice_store::SummaryPage;

/// A page of [`InvoiceSummary`](crate::InvoiceSummary) rows whose rows are already JSON:
/// one JSON array, each element the document `serde_json` writes for the summary, in
/// the page's order; beside it the page's total and next cursor as in [`SummaryPage`].
///
/// What a list route answers with. A store that keeps the summary's columns as text
/// (SQLite) writes the array from them without building the summaries.
///
/// # Examples
///
/// ```
/// use invoice_core::{Address, CountryCode, Currency, Invoice, InvoiceBuilder, InvoiceId,
///     LineItem, Party, TenantId, UnitCode, Vat};
/// use invoice_storage::{InvoiceSummary, Page, SummaryPageJson};
/// use rust_decimal_macros::dec;
///
/// let address = Address::new(CountryCode::new("DE")?);
/// let (draft, _) = Invoice::create(
///     InvoiceBuilder::new(InvoiceId::from_uuid(uuid::Uuid::nil()), TenantId::new("acme")?,
///             Currency::EUR, Party::new("Seller GmbH", address.clone()), Party::new("Buyer AG", address))
///         .line(LineItem::new("1", "Service", dec!(2), UnitCode::piece(), dec!(50), Vat::standard(dec!(19)))),
/// )?;
/// let summary = InvoiceSummary::of(&draft, None)?;
/// let page = Page { items: vec![summary.clone()], total: Some(1), next_cursor: None };
/// let json = SummaryPageJson::of(&page)?;
/// assert_eq!((json.len(), json.total()), (1, Some(1)));
/// assert_eq!(json.items_json(), serde_json::to_string(&[summary])?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryPageJson {
    items: String,
    len: usize,
    total: Option<u64>,
    next_cursor: Option<String>,
}

impl SummaryPageJson {
    /// The JSON of `page`'s summaries, as `serde_json` writes them.
    ///
    /// # Errors
    ///
    /// [`Error::Backend`](crate::Error::Backend) if `serde_json` fails to write a
    /// summary (it cannot for these types; an error rather than a panic all the same).
    pub fn of(page: &SummaryPage) -> Result<Self> {
        Ok(Self {
            items: serde_json::to_string(&page.items).map_err(json_error)?,
            len: page.items.len(),
            total: page.total,
            next_cursor: page.next_cursor.clone(),
        })
    }

    /// The page of rows each written as a summary's JSON object, joined into the array.
    #[cfg(feature = "sqlite")]
    pub(crate) fn from_rows(page: crate::invoice_store::Page<Vec<u8>>) -> Result<Self> {
        let crate::invoice_store::Page {
            items: rows,
            total,
            next_cursor,
        } = page;
        let mut items = Vec::with_capacity(rows.iter().map(|r| r.len() + 1).sum::<usize>() + 2);
        items.push(b'[');
        for (n, row) in rows.iter().enumerate() {
            if n > 0 {
                items.push(b',');
            }
            items.extend_from_slice(row);
        }
        items.push(b']');
        Ok(Self {
            items: String::from_utf8(items).map_err(|e| json_error(e.utf8_error()))?,
            len: rows.len(),
            total,
            next_cursor,
        })
    }

    /// The rows as one JSON array.
    pub fn items_json(&self) -> &str {
        &self.items
    }

    /// The rows as one JSON array, owned.
    pub fn into_items_json(self) -> String {
        self.items
    }

    /// How many rows the page holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the page holds no row.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many invoices match in all (offset pages only), as
    /// [`Page::total`](crate::Page::total).
    pub fn total(&self) -> Option<u64> {
        self.total
    }

    /// The cursor of the next page (keyset pages only), as
    /// [`Page::next_cursor`](crate::Page::next_cursor).
    pub fn next_cursor(&self) -> Option<&str> {
        self.next_cursor.as_deref()
    }
}

/// Writers of a summary's members, each writing what `serde_json` writes for the value
/// (the tests below compare them with it), without `core::fmt` on the common path.
#[cfg(feature = "sqlite")]
pub(crate) mod write {
    use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
    use serde::Serialize;

    use crate::error::Result;

    /// `value` as `serde_json` writes it (for the values without a path of their own).
    pub(crate) fn serialized(out: &mut Vec<u8>, value: &(impl Serialize + ?Sized)) -> Result<()> {
        serde_json::to_writer(out, value).map_err(crate::invoice_json::json_error)
    }

    /// A JSON string, escaped as `serde_json` escapes it.
    pub(crate) fn string(out: &mut Vec<u8>, text: &str) -> Result<()> {
        serialized(out, text)
    }

    /// `0` to `99` as two digits.
    fn two_digits(out: &mut Vec<u8>, n: u32) {
        out.push(b'0' + (n / 10 % 10) as u8);
        out.push(b'0' + (n % 10) as u8);
    }

    /// `YYYY-MM-DD` of a date whose year is 0 to 9999 (what chrono writes for those years);
    /// `false`, writing nothing, for another year.
    fn plain_date(out: &mut Vec<u8>, date: NaiveDate) -> bool {
        let Ok(year) = u32::try_from(date.year()) else {
            return false;
        };
        if year > 9999 {
            return false;
        }
        two_digits(out, year / 100);
        two_digits(out, year % 100);
        out.push(b'-');
        two_digits(out, date.month());
        out.push(b'-');
        two_digits(out, date.day());
        true
    }

    /// A date as a JSON string (`"2026-12-05"`).
    pub(crate) fn date(out: &mut Vec<u8>, date: NaiveDate) -> Result<()> {
        let start = out.len();
        out.push(b'"');
        if plain_date(out, date) {
            out.push(b'"');
            return Ok(());
        }
        out.truncate(start);
        serialized(out, &date)
    }

    /// A time as a JSON string in RFC 3339 with `Z` and as many fraction digits as it
    /// needs (none, 3, 6 or 9), as chrono serializes it.
    pub(crate) fn time(out: &mut Vec<u8>, time: DateTime<Utc>) -> Result<()> {
        let start = out.len();
        out.push(b'"');
        let nano = time.nanosecond();
        // A leap second (nano ≥ 10⁹) takes the long way.
        if nano < 1_000_000_000 && plain_date(out, time.date_naive()) {
            out.push(b'T');
            two_digits(out, time.hour());
            out.push(b':');
            two_digits(out, time.minute());
            out.push(b':');
            two_digits(out, time.second());
            let (fraction, digits) = if nano == 0 {
                (0, 0)
            } else if nano.is_multiple_of(1_000_000) {
                (nano / 1_000_000, 3)
            } else if nano.is_multiple_of(1_000) {
                (nano / 1_000, 6)
            } else {
                (nano, 9)
            };
            if digits > 0 {
                out.push(b'.');
                let mut buffer = [b'0'; 9];
                let mut rest = fraction;
                for slot in buffer[..digits].iter_mut().rev() {
                    *slot = b'0' + (rest % 10) as u8;
                    rest /= 10;
                }
                out.extend_from_slice(&buffer[..digits]);
            }
            out.extend_from_slice(b"Z\"");
            return Ok(());
        }
        out.truncate(start);
        serialized(out, &time)
    }

    /// Whether `text` is a decimal exactly as `rust_decimal` writes the value it reads
    /// from it: an optional `-`, no leading zero, an optional fraction, at most 28
    /// digits (so that it fits and keeps its scale), and a `-` only before a digit other
    /// than zero. Such a text is its own JSON; any other is read and written again.
    pub(crate) fn is_plain_decimal(text: &str) -> bool {
        let digits = text.strip_prefix('-').unwrap_or(text);
        let negative = digits.len() != text.len();
        let (whole, fraction) = match digits.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (digits, None),
        };
        let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        all_digits(whole)
            && (whole == "0" || !whole.starts_with('0'))
            && fraction.is_none_or(all_digits)
            && whole.len() + fraction.map_or(0, str::len) <= 28
            && (!negative || digits.bytes().any(|b| matches!(b, b'1'..=b'9')))
    }

    /// A plain decimal text (see [`is_plain_decimal`]) as a JSON string.
    pub(crate) fn plain_decimal(out: &mut Vec<u8>, text: &str) {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use chrono::{DateTime, NaiveDate, Utc};
    use invoice_core::Decimal;

    use super::write;

    fn written(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        f(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn dates_are_written_as_serde_writes_them() {
        let days = [
            (1, 1, 1),
            (0, 1, 1),
            (-1, 12, 31),
            (999, 3, 9),
            (2024, 2, 29),
            (2026, 12, 5),
            (9999, 12, 31),
            (10000, 1, 1),
            (262_142, 12, 31),
            (-262_143, 1, 1),
        ];
        for (y, m, d) in days {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(
                written(|out| write::date(out, date).unwrap()),
                serde_json::to_string(&date).unwrap(),
                "{date:?}"
            );
        }
    }

    #[test]
    fn times_are_written_as_serde_writes_them() {
        let base = NaiveDate::from_ymd_opt(2026, 12, 5)
            .unwrap()
            .and_hms_opt(5, 9, 7)
            .unwrap()
            .and_utc();
        let mut times: Vec<DateTime<Utc>> = [
            0,
            1,
            999,
            1_000,
            120_000,
            999_999,
            1_000_000,
            7_000_000,
            123_000_000,
            123_456_000,
            123_456_789,
            999_999_999,
        ]
        .into_iter()
        .map(|nanos| base + chrono::Duration::nanoseconds(nanos))
        .collect();
        times.push(DateTime::UNIX_EPOCH);
        times.push(DateTime::<Utc>::MIN_UTC);
        times.push(DateTime::<Utc>::MAX_UTC);
        times.push(
            NaiveDate::from_ymd_opt(-5, 1, 1)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
                .and_utc(),
        );
        times.push(
            NaiveDate::from_ymd_opt(12_000, 6, 1)
                .unwrap()
                .and_hms_micro_opt(23, 59, 59, 1)
                .unwrap()
                .and_utc(),
        );
        // A leap second.
        times.push(
            NaiveDate::from_ymd_opt(2016, 12, 31)
                .unwrap()
                .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
                .unwrap()
                .and_utc(),
        );
        for time in times {
            assert_eq!(
                written(|out| write::time(out, time).unwrap()),
                serde_json::to_string(&time).unwrap(),
                "{time:?}"
            );
        }
    }

    #[test]
    fn plain_decimals_are_what_rust_decimal_writes_for_them() {
        let plain = [
            "0",
            "0.00",
            "1",
            "-1",
            "119.00",
            "-0.01",
            "100.10",
            "0.000000000000000000000000001",
            "9999999999999999999999999999",
            "-99999999999999999999999999.99",
            "1234567.891",
        ];
        for text in plain {
            assert!(write::is_plain_decimal(text), "{text}");
            let value = Decimal::from_str_exact(text).unwrap();
            assert_eq!(
                written(|out| write::plain_decimal(out, text)),
                serde_json::to_string(&value).unwrap(),
                "{text}"
            );
        }
        // Texts that are no decimal, or not the one its value is written as: read and
        // written again by the stores (and refused when they do not read).
        let other = [
            "",
            "-",
            "-0",
            "-0.00",
            "+1",
            "01",
            "00.5",
            ".5",
            "5.",
            "1.2.3",
            "1e5",
            " 1",
            "1 ",
            "1_000",
            "١",
            "99999999999999999999999999999",
            // Fits, but is over 28 digits: read and written again.
            "0.0000000000000000000000000001",
            "NaN",
        ];
        for text in other {
            assert!(!write::is_plain_decimal(text), "{text:?}");
        }
    }

    #[test]
    fn strings_are_escaped_as_serde_escapes_them() {
        for text in [
            "Buyer AG",
            "Café \"Zürich\" \\ 東京",
            "tab\there\u{1}\u{7f}",
            "",
        ] {
            assert_eq!(
                written(|out| write::string(out, text).unwrap()),
                serde_json::to_string(text).unwrap()
            );
        }
    }
}
