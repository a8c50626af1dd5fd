//! The XML writer of the UBL and CII exporters.
//!
//! Tags come from the exporters' own constants; every text and attribute value goes
//! through quick-xml's escaping (`&`, `<`, `>`, `'`, `"`), and characters that XML 1.0
//! cannot carry at all are refused. The output is indented by two spaces per level, one
//! element per line, text inline, exactly as quick-xml's indenting writer lays it out
//! (the golden files in the tests were written by it). The document is assembled in a
//! buffer that goes to the underlying writer in chunks, so a `File` sees a few large
//! writes rather than one per tag; decimals are formatted straight into that buffer.

use std::io::Write;

use invoice_core::{Invoice, Vat, VatExemption};
use rust_decimal::Decimal;

use crate::error::{Error, Result};

/// The buffer is handed to the underlying writer once it holds this much.
const CHUNK: usize = 32 * 1024;

/// Whether XML 1.0 allows `c` in a document (production `Char`).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The first character of `value` that XML 1.0 cannot carry. Looks at bytes first: only
/// control bytes and the lead byte of U+FFFE/U+FFFF (0xEF) can start one.
fn first_non_xml_char(value: &str) -> Option<char> {
    let suspicious = value
        .bytes()
        .any(|b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0xEF);
    if suspicious {
        value.chars().find(|c| !is_xml_char(*c))
    } else {
        None
    }
}

/// Refuses an invoice whose lines or document allowances and charges of one VAT group
/// (category and rate) state different exemption reasons: a document states one reason
/// per group (BT-120, BT-121), so writing it would silently keep only the first. `path`
/// names the group's element in the syntax being written.
pub(crate) fn one_exemption_per_group(invoice: &Invoice, path: &str) -> Result<()> {
    let lines = invoice
        .lines()
        .iter()
        .filter_map(|l| l.exemption().map(|e| (l.vat(), e)));
    let document = invoice
        .allowances_charges()
        .iter()
        .filter_map(|ac| Some((ac.vat()?, ac.exemption()?)));
    let mut first: Vec<(Vat, &VatExemption)> = Vec::new();
    for (vat, exemption) in lines.chain(document) {
        let group = |v: &Vat| v.category() == vat.category() && v.rate() == vat.rate();
        match first.iter().find(|(v, _)| group(v)) {
            None => first.push((vat, exemption)),
            Some((_, stated)) if *stated == exemption => {}
            Some((_, stated)) => {
                return Err(Error::InvalidValue {
                    path: path.to_owned(),
                    value: describe(exemption),
                    reason: format!(
                        "VAT group {} {} already states the exemption {}; a document \
                         states one per group (BT-120, BT-121)",
                        vat.category().code(),
                        vat.rate(),
                        describe(stated)
                    ),
                })
            }
        }
    }
    Ok(())
}

/// An exemption as code and text, for a message.
fn describe(exemption: &VatExemption) -> String {
    match (exemption.reason_code(), exemption.reason_text()) {
        (Some(code), Some(text)) => format!("{code} {text:?}"),
        (Some(code), None) => code.to_owned(),
        (None, Some(text)) => format!("{text:?}"),
        (None, None) => "(empty)".to_owned(),
    }
}

/// Where an escaped value goes: element text, or an attribute value in double quotes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quoted {
    Text,
    Attribute,
}

/// Appends `value` escaped so that a reader gets it back exactly: markup characters as
/// entities, and the characters a parser would otherwise normalize as character
/// references: CR everywhere (a parser turns it into LF), and tab and LF in attribute
/// values (a parser turns them into spaces).
fn push_escaped(out: &mut Vec<u8>, value: &str, quoted: Quoted) {
    let special = |b: u8| match b {
        b'&' | b'<' | b'>' | b'"' | b'\'' | b'\r' => true,
        b'\t' | b'\n' => quoted == Quoted::Attribute,
        _ => false,
    };
    let bytes = value.as_bytes();
    if !bytes.iter().any(|&b| special(b)) {
        out.extend_from_slice(bytes);
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !special(b) {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&apos;",
            b'\r' => b"&#xD;",
            b'\t' => b"&#x9;",
            _ => b"&#xA;",
        });
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// Appends `value` exactly as its `Display` writes it: sign, all digits of its scale.
pub(crate) fn push_decimal(out: &mut Vec<u8>, value: Decimal) {
    // 2^96 has 29 digits; the scale pads to at most 28.
    let mut digits = [0u8; 32];
    let mut len = 0;
    let magnitude = value.mantissa().unsigned_abs();
    match u64::try_from(magnitude) {
        Ok(mut n) => {
            while n > 0 {
                digits[len] = b'0' + (n % 10) as u8;
                n /= 10;
                len += 1;
            }
        }
        Err(_) => {
            let mut n = magnitude;
            while n > 0 {
                digits[len] = b'0' + (n % 10) as u8;
                n /= 10;
                len += 1;
            }
        }
    }
    let scale = value.scale() as usize;
    while len < scale {
        digits[len] = b'0';
        len += 1;
    }
    if value.is_sign_negative() {
        out.push(b'-');
    }
    if len == 0 {
        out.push(b'0');
        return;
    }
    let whole = len - scale;
    if whole == 0 {
        out.push(b'0');
    }
    for (i, digit) in digits[..len].iter().rev().enumerate() {
        if i == whole {
            out.push(b'.');
        }
        out.push(*digit);
    }
}

/// An indenting XML writer over `W` that escapes every value.
pub(crate) struct XmlWriter<W: Write> {
    out: W,
    buf: Vec<u8>,
    depth: usize,
    /// Whether text was the last thing written: its end tag stays on the same line.
    after_text: bool,
    /// Whether anything was written: the first item starts no new line.
    started: bool,
}

impl<W: Write> XmlWriter<W> {
    /// A writer that indents by two spaces (the files are read by people too).
    pub(crate) fn new(out: W) -> Self {
        Self {
            out,
            buf: Vec::with_capacity(CHUNK + 1024),
            depth: 0,
            after_text: false,
            started: false,
        }
    }

    fn new_line(&mut self) {
        if self.started {
            self.buf.push(b'\n');
            self.buf.resize(self.buf.len() + 2 * self.depth, b' ');
        }
        self.started = true;
    }

    fn flush_chunk(&mut self) -> Result<()> {
        if self.buf.len() >= CHUNK {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Refuses a value XML 1.0 cannot carry: it has no escape for most control
    /// characters, so writing one would make the document unreadable.
    fn check(name: &str, value: &str) -> Result<()> {
        match first_non_xml_char(value) {
            None => Ok(()),
            Some(bad) => Err(Error::InvalidValue {
                path: name.to_owned(),
                value: value.to_owned(),
                reason: format!(
                    "character U+{:04X} cannot be written in XML 1.0",
                    u32::from(bad)
                ),
            }),
        }
    }

    /// Writes the XML declaration.
    pub(crate) fn declaration(&mut self) -> Result<()> {
        self.new_line();
        self.buf
            .extend_from_slice(br#"<?xml version="1.0" encoding="UTF-8"?>"#);
        Ok(())
    }

    /// Opens an element with attributes.
    pub(crate) fn start_with(&mut self, name: &str, attrs: &[(&str, &str)]) -> Result<()> {
        for (_, value) in attrs {
            Self::check(name, value)?;
        }
        self.open(name, attrs);
        self.flush_chunk()
    }

    fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.new_line();
        self.buf.push(b'<');
        self.buf.extend_from_slice(name.as_bytes());
        for (key, value) in attrs {
            self.buf.push(b' ');
            self.buf.extend_from_slice(key.as_bytes());
            self.buf.extend_from_slice(b"=\"");
            push_escaped(&mut self.buf, value, Quoted::Attribute);
            self.buf.push(b'"');
        }
        self.buf.push(b'>');
        self.depth += 1;
        self.after_text = false;
    }

    /// Opens an element.
    pub(crate) fn start(&mut self, name: &str) -> Result<()> {
        self.start_with(name, &[])
    }

    /// Closes an element.
    pub(crate) fn end(&mut self, name: &str) -> Result<()> {
        self.close(name);
        self.flush_chunk()
    }

    fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        if !self.after_text {
            self.new_line();
        }
        self.buf.extend_from_slice(b"</");
        self.buf.extend_from_slice(name.as_bytes());
        self.buf.push(b'>');
        self.after_text = false;
    }

    /// An identifier element with its `schemeID` attribute when `scheme` is given.
    pub(crate) fn schemed_leaf(
        &mut self,
        name: &str,
        id: &str,
        scheme: Option<&str>,
    ) -> Result<()> {
        match scheme {
            Some(scheme) => self.leaf_with(name, &[("schemeID", scheme)], id),
            None => self.leaf(name, id),
        }
    }

    /// An element with attributes and escaped text.
    pub(crate) fn leaf_with(
        &mut self,
        name: &str,
        attrs: &[(&str, &str)],
        text: &str,
    ) -> Result<()> {
        Self::check(name, text)?;
        for (_, value) in attrs {
            Self::check(name, value)?;
        }
        self.open(name, attrs);
        push_escaped(&mut self.buf, text, Quoted::Text);
        self.after_text = true;
        self.close(name);
        self.flush_chunk()
    }

    /// An element with escaped text.
    pub(crate) fn leaf(&mut self, name: &str, text: &str) -> Result<()> {
        self.leaf_with(name, &[], text)
    }

    /// An element with text, when there is one.
    pub(crate) fn opt_leaf(&mut self, name: &str, text: Option<&str>) -> Result<()> {
        match text {
            Some(text) => self.leaf(name, text),
            None => Ok(()),
        }
    }

    /// An element holding a decimal, as its `Display` writes it.
    pub(crate) fn value_with(
        &mut self,
        name: &str,
        attrs: &[(&str, &str)],
        value: Decimal,
    ) -> Result<()> {
        for (_, v) in attrs {
            Self::check(name, v)?;
        }
        self.open(name, attrs);
        push_decimal(&mut self.buf, value);
        self.after_text = true;
        self.close(name);
        self.flush_chunk()
    }

    /// An element holding another formatted value (a date, a code), escaped.
    pub(crate) fn display_with(
        &mut self,
        name: &str,
        attrs: &[(&str, &str)],
        value: impl std::fmt::Display,
    ) -> Result<()> {
        self.leaf_with(name, attrs, &value.to_string())
    }

    /// Returns the underlying writer, everything written and flushed.
    pub(crate) fn finish(mut self) -> Result<W> {
        self.out.write_all(&self.buf)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn written(f: impl FnOnce(&mut XmlWriter<Vec<u8>>) -> Result<()>) -> String {
        let mut w = XmlWriter::new(Vec::new());
        f(&mut w).unwrap();
        String::from_utf8(w.finish().unwrap()).unwrap()
    }

    #[test]
    fn lays_out_like_quick_xmls_indenting_writer() {
        let ours = written(|w| {
            w.declaration()?;
            w.start_with("a", &[("x", "1 < 2 & \"q\"")])?;
            w.leaf("b", "Kunde & Söhne <AG> 'x'")?;
            w.start("c")?;
            w.end("c")?;
            w.leaf("e", "")?;
            w.value_with("d", &[("currencyID", "EUR")], Decimal::new(-1050, 2))?;
            w.end("a")
        });
        let mut theirs = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
        use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
        theirs
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
            .unwrap();
        let mut a = BytesStart::new("a");
        a.push_attribute(("x", "1 < 2 & \"q\""));
        theirs.write_event(Event::Start(a)).unwrap();
        theirs
            .write_event(Event::Start(BytesStart::new("b")))
            .unwrap();
        theirs
            .write_event(Event::Text(BytesText::new("Kunde & Söhne <AG> 'x'")))
            .unwrap();
        theirs.write_event(Event::End(BytesEnd::new("b"))).unwrap();
        theirs
            .write_event(Event::Start(BytesStart::new("c")))
            .unwrap();
        theirs.write_event(Event::End(BytesEnd::new("c"))).unwrap();
        theirs
            .write_event(Event::Start(BytesStart::new("e")))
            .unwrap();
        theirs.write_event(Event::Text(BytesText::new(""))).unwrap();
        theirs.write_event(Event::End(BytesEnd::new("e"))).unwrap();
        let mut d = BytesStart::new("d");
        d.push_attribute(("currencyID", "EUR"));
        theirs.write_event(Event::Start(d)).unwrap();
        theirs
            .write_event(Event::Text(BytesText::new("-10.50")))
            .unwrap();
        theirs.write_event(Event::End(BytesEnd::new("d"))).unwrap();
        theirs.write_event(Event::End(BytesEnd::new("a"))).unwrap();
        assert_eq!(ours, String::from_utf8(theirs.into_inner()).unwrap());
    }

    #[test]
    fn control_characters_in_text_or_attributes_are_refused() {
        let mut w = XmlWriter::new(Vec::new());
        assert!(matches!(
            w.leaf("cbc:Note", "bell \u{7}"),
            Err(Error::InvalidValue { .. })
        ));
        assert!(matches!(
            w.leaf_with("cbc:ID", &[("schemeID", "\u{FFFE}")], "1"),
            Err(Error::InvalidValue { .. })
        ));
        assert!(matches!(
            w.start_with("cbc:ID", &[("schemeID", "\u{1}")]),
            Err(Error::InvalidValue { .. })
        ));
        // Tabs, line breaks and the rest of Unicode are fine.
        assert!(w.leaf("cbc:Note", "a\tb\r\nc € \u{FFFD} 𝄞").is_ok());
    }

    #[test]
    fn what_a_parser_would_normalize_is_written_as_references() {
        let out =
            written(|w| w.leaf_with("a", &[("x", "tab\tlf\ncr\r\"'")], "cr\r lf\n tab\t <&>\"'"));
        assert_eq!(
            out.trim(),
            "<a x=\"tab&#x9;lf&#xA;cr&#xD;&quot;&apos;\">cr&#xD; lf\n tab\t &lt;&amp;&gt;&quot;&apos;</a>"
        );
        // Plain text is copied as it is.
        assert_eq!(
            written(|w| w.leaf("b", "plain € text")).trim(),
            "<b>plain € text</b>"
        );
    }

    #[test]
    fn a_large_document_reaches_the_writer_whole() {
        let text = "x".repeat(1000);
        let out = written(|w| {
            w.start("a")?;
            for _ in 0..200 {
                w.leaf("b", &text)?;
            }
            w.end("a")
        });
        assert_eq!(out.matches("<b>").count(), 200);
        assert!(out.ends_with("</b>\n</a>"));
    }

    proptest! {
        #[test]
        fn decimals_are_written_as_display_writes_them(
            mantissa in any::<i128>(),
            scale in 0u32..=28,
        ) {
            let mantissa = mantissa % (1i128 << 96);
            let value = Decimal::from_i128_with_scale(mantissa, scale);
            let mut out = Vec::new();
            push_decimal(&mut out, value);
            prop_assert_eq!(String::from_utf8(out).unwrap(), value.to_string());
        }

        #[test]
        fn small_and_zero_decimals_are_written_as_display_writes_them(
            mantissa in -100_000i64..100_000,
            scale in 0u32..=6,
            negative_zero in any::<bool>(),
        ) {
            let mut value = Decimal::new(mantissa, scale);
            if negative_zero && mantissa == 0 {
                value.set_sign_negative(true);
            }
            let mut out = Vec::new();
            push_decimal(&mut out, value);
            prop_assert_eq!(String::from_utf8(out).unwrap(), value.to_string());
        }
    }
}
