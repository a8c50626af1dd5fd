//! What the UBL and CII modules share: read limits, what every reader takes from
//! quick-xml's events (text, attributes, local names), the element tree (in `tree`),
//! and the writer (in `writer`), which escapes every value.

use std::borrow::Cow;
use std::io::Read;

use quick_xml::events::{BytesStart, Event};

use crate::error::{BoxError, Error, Result};

mod scan;
mod tree;
mod writer;

pub(crate) use scan::{Position, StartTag};
pub(crate) use tree::{Doc, El, Subtrees};
pub(crate) use writer::{one_exemption_per_group, XmlWriter};

/// Limits a reader enforces on untrusted input.
///
/// The defaults take the largest official example (3.3 MB, an embedded PDF) with room
/// to spare: 32 MiB, nesting depth 64 (UBL needs about 10), one million elements.
///
/// The readers stream a document's lines and build an element tree for the rest; a
/// document that pass does not take (a malformed or unusual one) is parsed once more,
/// whole, to report its errors with their paths. The limits apply to each parse, so
/// reading costs at most twice what one parse within them costs.
///
/// Memory: reading a document of `n` bytes from a slice holds at most 256 KiB plus 32
/// bytes per input byte at its peak, the invoice it returns included; a reader also keeps
/// a copy of the input. The `read_ubl` and `read_cii` fuzz targets check this bound on
/// every input they run.
///
/// # Examples
///
/// ```
/// use invoice_export::ReadLimits;
///
/// let strict = ReadLimits::new().with_max_bytes(1 << 20).with_max_depth(32);
/// assert_eq!(strict.max_bytes(), 1 << 20);
/// assert_eq!(ReadLimits::default().max_depth(), 64);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[must_use]
pub struct ReadLimits {
    max_bytes: usize,
    max_depth: usize,
    max_elements: usize,
}

impl Default for ReadLimits {
    fn default() -> Self {
        Self::new()
    }
}

impl ReadLimits {
    /// The default limits: 32 MiB, depth 64, one million elements.
    pub const fn new() -> Self {
        Self {
            max_bytes: 32 << 20,
            max_depth: 64,
            max_elements: 1_000_000,
        }
    }

    /// Sets the largest input accepted, in bytes.
    pub const fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// Sets the deepest element nesting accepted.
    pub const fn with_max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// Sets the largest number of elements accepted.
    pub const fn with_max_elements(mut self, max_elements: usize) -> Self {
        self.max_elements = max_elements;
        self
    }

    /// The largest input accepted, in bytes.
    pub const fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// The deepest element nesting accepted.
    pub const fn max_depth(&self) -> usize {
        self.max_depth
    }

    /// The largest number of elements accepted.
    pub const fn max_elements(&self) -> usize {
        self.max_elements
    }
}

/// A UTF-8 byte-order mark, which a document may start with (and which is dropped).
const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// What [`read_input`] reserves before it reads: 64 KiB.
const INITIAL_READ: usize = 64 << 10;

/// Reads at most `limits.max_bytes` from `input` and checks it is UTF-8.
pub(crate) fn read_input<R: Read>(input: R, limits: &ReadLimits) -> Result<String> {
    // A reader gives no size: start where most documents fit, so that they are read
    // without the buffer growing (and being copied) many times on the way.
    let mut bytes = Vec::with_capacity(limits.max_bytes.saturating_add(1).min(INITIAL_READ));
    let cap = u64::try_from(limits.max_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    input.take(cap).read_to_end(&mut bytes)?;
    check_size(&bytes, limits)?;
    if bytes.starts_with(BYTE_ORDER_MARK) {
        bytes.drain(..BYTE_ORDER_MARK.len());
    }
    String::from_utf8(bytes).map_err(|e| not_utf8(e.utf8_error()))
}

/// `input` as text, borrowed: checked as [`read_input`] checks what it reads.
pub(crate) fn input_text<'a>(input: &'a [u8], limits: &ReadLimits) -> Result<&'a str> {
    check_size(input, limits)?;
    let input = input.strip_prefix(BYTE_ORDER_MARK).unwrap_or(input);
    std::str::from_utf8(input).map_err(not_utf8)
}

/// [`Error::TooLarge`] past `limits.max_bytes`.
fn check_size(input: &[u8], limits: &ReadLimits) -> Result<()> {
    if input.len() > limits.max_bytes {
        return Err(Error::TooLarge {
            limit: limits.max_bytes,
        });
    }
    Ok(())
}

/// The error for a document that is not UTF-8.
fn not_utf8(e: std::str::Utf8Error) -> Error {
    Error::InvalidValue {
        path: "/".to_owned(),
        value: String::new(),
        reason: format!("the document is not UTF-8: {e}"),
    }
}

/// `part` as a slice of `input` when it points into it (the slice reader hands out
/// names that borrow the input): saves an allocation per element.
fn borrow_from<'a>(input: &'a str, part: &[u8]) -> Option<&'a str> {
    let start = (part.as_ptr() as usize).checked_sub(input.as_ptr() as usize)?;
    let end = start.checked_add(part.len())?;
    input.get(start..end)
}

/// Where the local part of a qualified name starts: after its last `:`. A byte loop,
/// because names are short and a general reverse search costs more than it saves.
#[inline]
fn local_start(name: &str) -> usize {
    name.bytes().rposition(|b| b == b':').map_or(0, |i| i + 1)
}

/// The local part of a qualified name: `ID` of `cbc:ID`.
fn local(name: &str) -> &str {
    name.get(local_start(name)..).unwrap_or(name)
}

/// An [`Error::Malformed`] at `path`.
fn malformed(path: String, e: impl Into<BoxError>) -> Error {
    Error::Malformed {
        path,
        source: e.into(),
    }
}

/// What an event adds to the text of the element it is in, borrowed from `input` when
/// it can be: text (end-of-line normalized when it holds a CR), CDATA, or a predefined
/// entity or character reference resolved. `None` for events that carry no text.
///
/// # Errors
///
/// The parser's error for text that does not decode, and an undefined entity.
pub(crate) fn event_text<'a>(
    input: &'a str,
    event: &Event<'a>,
) -> Option<std::result::Result<Cow<'a, str>, BoxError>> {
    let text = match event {
        Event::Text(text) => {
            // Text without CR needs no end-of-line normalization: it is the input
            // itself, already checked to be UTF-8.
            let raw: &[u8] = text;
            match borrow_from(input, raw).filter(|t| !t.contains('\r')) {
                Some(borrowed) => Ok(Cow::Borrowed(borrowed)),
                None => text.xml10_content().map_err(BoxError::from),
            }
        }
        Event::CData(data) => data.decode().map_err(BoxError::from),
        Event::GeneralRef(reference) => match reference.resolve_char_ref() {
            Ok(Some(ch)) => Ok(Cow::Owned(ch.to_string())),
            Ok(None) => match reference.decode() {
                Ok(name) => match quick_xml::escape::resolve_predefined_entity(&name) {
                    Some(text) => Ok(Cow::Borrowed(text)),
                    None => Err(format!("undefined entity &{name};").into()),
                },
                Err(e) => Err(e.into()),
            },
            Err(e) => Err(e.into()),
        },
        _ => return None,
    };
    Some(text)
}

/// An attribute's name and value.
pub(crate) type Attribute<'a> = (Cow<'a, str>, Cow<'a, str>);

/// Why an attribute could not be read, with its name when that much was read.
pub(crate) type AttributeError = (Option<String>, BoxError);

/// The attributes of `start` as (name, value) pairs borrowed from `input` when they can
/// be, values normalized as XML 1.0 requires.
///
/// # Errors
///
/// The parser's error for a malformed attribute, with the attribute's name when known.
pub(crate) fn attributes<'a, 's>(
    input: &'a str,
    start: &'s BytesStart<'a>,
) -> impl Iterator<Item = std::result::Result<Attribute<'a>, AttributeError>> + 's
where
    'a: 's,
{
    start.attributes().map(move |attr| {
        let attr = attr.map_err(|e| (None, BoxError::from(e)))?;
        let raw_key = attr.key.into_inner();
        let key = match borrow_from(input, raw_key) {
            Some(key) => Cow::Borrowed(key),
            None => Cow::Owned(
                std::str::from_utf8(raw_key)
                    .map_err(|e| (None, BoxError::from(e)))?
                    .to_owned(),
            ),
        };
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| (Some(key.to_string()), BoxError::from(e)))?;
        let value = match &value {
            Cow::Borrowed(v) => borrow_from(input, v.as_bytes()).map(Cow::Borrowed),
            Cow::Owned(_) => None,
        }
        .unwrap_or_else(|| Cow::Owned(value.into_owned()));
        Ok((key, value))
    })
}

/// Whether an attribute named `key` is the one a reader asks for by its local `name`
/// (namespace declarations never are).
pub(crate) fn is_attribute(key: &str, name: &str) -> bool {
    !key.starts_with("xmlns") && local(key) == name
}

/// Whether a line states its price base quantity (BT-149), and with which unit (BT-150):
/// as a received document stated them, else a base quantity other than 1 in the line's
/// unit. Shared by both writers.
pub(crate) fn base_quantity_unit(line: &invoice_core::LineItem) -> Option<Option<&str>> {
    match line.details().filter(|d| d.base_quantity_stated()) {
        Some(details) => Some(details.base_quantity_unit().map(|u| u.as_str())),
        None => {
            (line.base_quantity() != rust_decimal::Decimal::ONE).then(|| Some(line.unit().as_str()))
        }
    }
}

/// An address line to write: `None` for an empty one, which holds the place of a line
/// a received document left out.
pub(crate) fn stated_line(line: Option<&String>) -> Option<&str> {
    line.map(String::as_str).filter(|l| !l.is_empty())
}
