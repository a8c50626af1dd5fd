//! Invoice number series such as `INV-{year}-{seq:05}`: pure formatting and allocation.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{overflow, Error, Result};
use crate::ids::InvoiceNumber;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Segment {
    Literal(String),
    Year,
    Seq { width: usize },
}

/// A number format with one `{seq}` (optionally zero-padded, `{seq:05}`) and optionally
/// `{year}`. A series with `{year}` restarts at 1 each year.
///
/// Allocation here is pure: the caller passes the last sequence number it used; the store
/// makes it gapless under concurrency, in the transaction that issues the invoice.
///
/// # Examples
///
/// ```
/// use invoice_core::NumberSeries;
///
/// let series = NumberSeries::new("INV-{year}-{seq:05}")?;
/// let (seq, number) = series.next(Some(41), 2026)?;
/// assert_eq!(seq, 42);
/// assert_eq!(number.as_str(), "INV-2026-00042");
/// assert_eq!(series.next(None, 2027)?.1.as_str(), "INV-2027-00001");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NumberSeries {
    format: String,
    segments: Vec<Segment>,
}

impl NumberSeries {
    /// Parses a format.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidNumberFormat`] when the format has no `{seq}` or two, an unknown
    /// placeholder, an unclosed brace, a width over 20, or characters that cannot be in an
    /// invoice number.
    pub fn new(format: &str) -> Result<Self> {
        let err = |reason| Error::InvalidNumberFormat {
            format: format.to_owned(),
            reason,
        };
        let mut segments = Vec::new();
        let mut seqs = 0;
        let mut rest = format;
        while !rest.is_empty() {
            match rest.find('{') {
                Some(0) => {
                    let close = rest.find('}').ok_or_else(|| err("unclosed '{'"))?;
                    let placeholder = &rest[1..close];
                    let segment = match placeholder {
                        "year" => Segment::Year,
                        "seq" => Segment::Seq { width: 0 },
                        _ => match placeholder.strip_prefix("seq:") {
                            Some(width) => {
                                let width: usize = width
                                    .parse()
                                    .map_err(|_| err("width must be a number, as in {seq:05}"))?;
                                if width > 20 {
                                    return Err(err("width must be at most 20"));
                                }
                                Segment::Seq { width }
                            }
                            None => return Err(err("unknown placeholder; use {year} or {seq}")),
                        },
                    };
                    if matches!(segment, Segment::Seq { .. }) {
                        seqs += 1;
                    }
                    segments.push(segment);
                    rest = &rest[close + 1..];
                }
                found => {
                    let end = found.unwrap_or(rest.len());
                    let literal = &rest[..end];
                    if literal.contains('}') {
                        return Err(err("'}' without '{'"));
                    }
                    if literal.chars().any(char::is_control) {
                        return Err(err("control characters are not allowed"));
                    }
                    segments.push(Segment::Literal(literal.to_owned()));
                    rest = &rest[end..];
                }
            }
        }
        if seqs != 1 {
            return Err(err("needs exactly one {seq}"));
        }
        Ok(Self {
            format: format.to_owned(),
            segments,
        })
    }

    /// The format string.
    pub fn format_str(&self) -> &str {
        &self.format
    }

    /// Whether the series restarts every year (its format has `{year}`).
    pub fn resets_yearly(&self) -> bool {
        self.segments.contains(&Segment::Year)
    }

    /// The number for sequence `seq` in `year`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidField`] if the result is not a valid [`InvoiceNumber`] (a blank
    /// literal-only format cannot produce one).
    pub fn format(&self, seq: u64, year: i32) -> Result<InvoiceNumber> {
        let mut out = String::with_capacity(self.format.len() + 8);
        for segment in &self.segments {
            match segment {
                Segment::Literal(text) => out.push_str(text),
                Segment::Year => out.push_str(&year.to_string()),
                Segment::Seq { width } => out.push_str(&format!("{seq:0width$}")),
            }
        }
        InvoiceNumber::new(out)
    }

    /// Allocates the sequence number after `last` (or 1 when there is none) and formats it.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] when `last` is `u64::MAX`; as [`format`](Self::format).
    pub fn next(&self, last: Option<u64>, year: i32) -> Result<(u64, InvoiceNumber)> {
        let seq = match last {
            None => 1,
            Some(last) => last.checked_add(1).ok_or_else(overflow)?,
        };
        Ok((seq, self.format(seq, year)?))
    }
}

impl Default for NumberSeries {
    /// `INV-{year}-{seq:05}`.
    fn default() -> Self {
        Self {
            format: "INV-{year}-{seq:05}".to_owned(),
            segments: vec![
                Segment::Literal("INV-".to_owned()),
                Segment::Year,
                Segment::Literal("-".to_owned()),
                Segment::Seq { width: 5 },
            ],
        }
    }
}

impl fmt::Display for NumberSeries {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format)
    }
}

impl TryFrom<String> for NumberSeries {
    type Error = Error;

    fn try_from(s: String) -> Result<Self> {
        Self::new(&s)
    }
}

impl From<NumberSeries> for String {
    fn from(s: NumberSeries) -> Self {
        s.format
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_matches_its_format() {
        assert_eq!(
            NumberSeries::default(),
            NumberSeries::new("INV-{year}-{seq:05}").unwrap()
        );
    }

    #[test]
    fn sequence_wider_than_padding_is_not_truncated() {
        let s = NumberSeries::new("{seq:02}").unwrap();
        assert_eq!(s.format(123, 2026).unwrap().as_str(), "123");
        assert!(!s.resets_yearly());
    }

    #[test]
    fn malformed_formats_are_rejected() {
        for bad in [
            "INV",
            "{seq}{seq}",
            "{seq",
            "{sequence}",
            "{seq:x}",
            "{seq:99}",
            "a}{seq}",
            "\n{seq}",
        ] {
            assert!(
                matches!(
                    NumberSeries::new(bad),
                    Err(Error::InvalidNumberFormat { .. })
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn next_is_one_after_last_and_overflow_is_typed() {
        let s = NumberSeries::new("R{seq}").unwrap();
        assert_eq!(s.next(Some(9), 2026).unwrap().1.as_str(), "R10");
        assert_eq!(s.next(Some(u64::MAX), 2026), Err(Error::Overflow));
    }

    #[test]
    fn serde_uses_the_format_string() {
        let s = NumberSeries::new("CN-{seq:04}").unwrap();
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, "\"CN-{seq:04}\"");
        assert_eq!(serde_json::from_str::<NumberSeries>(&json).unwrap(), s);
        assert!(serde_json::from_str::<NumberSeries>("\"nope\"").is_err());
    }
}
