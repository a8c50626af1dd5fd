//! Factur-X / ZUGFeRD: a PDF/A-3b invoice whose embedded `factur-x.xml` is its CII.
//!
//! Writing: the rendered invoice as PDF/A-3b (krilla), the CII attached with relationship
//! `Alternative`, and the Factur-X XMP properties (`fx:DocumentType`, `DocumentFileName`,
//! `Version`, `ConformanceLevel`) with their PDF/A extension schema, added as an
//! incremental update that replaces the document's metadata stream (krilla writes the
//! PDF/A metadata; it has no place for another schema).
//!
//! Reading: a small scanner finds the embedded file by its name in the file
//! specifications, in plain objects and in compressed object streams alike, and
//! inflates it, within the input's [`ReadLimits`](crate::ReadLimits); the XML then goes
//! through the CII reader.

use std::io::{Read, Write};

use flate2::read::ZlibDecoder;
use invoice_core::{Invoice, Specification};

use super::draw::{self, Attachment};
use super::{pdf_error, PdfOptions};
use crate::cii::write_cii_as;
use crate::{read_cii_slice, Error, ImportOptions, ReadLimits, Result};

/// The names under which Factur-X, ZUGFeRD and XRechnung PDFs embed their XML, in the
/// order [`read_facturx`] prefers them.
pub const FACTURX_FILE_NAMES: [&str; 4] = [
    "factur-x.xml",
    "zugferd-invoice.xml",
    "ZUGFeRD-invoice.xml",
    "xrechnung.xml",
];

/// The Factur-X profile (conformance level) of an embedded invoice, from its guideline
/// (BT-24).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FacturXProfile {
    /// MINIMUM.
    Minimum,
    /// BASIC WL.
    BasicWl,
    /// BASIC.
    Basic,
    /// EN 16931 (COMFORT in ZUGFeRD 2).
    En16931,
    /// EXTENDED.
    Extended,
    /// XRECHNUNG (the German CIUS).
    XRechnung,
}

impl FacturXProfile {
    /// The conformance level as the Factur-X XMP states it (`EN 16931`).
    pub fn conformance_level(self) -> &'static str {
        match self {
            Self::Minimum => "MINIMUM",
            Self::BasicWl => "BASIC WL",
            Self::Basic => "BASIC",
            Self::En16931 => "EN 16931",
            Self::Extended => "EXTENDED",
            Self::XRechnung => "XRECHNUNG",
        }
    }

    /// The profile a guideline id (BT-24) names, `None` for one no profile has.
    pub fn of_guideline(guideline: &str) -> Option<Self> {
        let g = guideline.to_ascii_lowercase();
        Some(if g.contains("xrechnung") {
            Self::XRechnung
        } else if g.contains(":extended") {
            Self::Extended
        } else if g.contains(":basicwl") {
            Self::BasicWl
        } else if g.contains(":basic") {
            Self::Basic
        } else if g.contains(":minimum") {
            Self::Minimum
        } else if g.starts_with("urn:cen.eu:en16931:2017") {
            Self::En16931
        } else {
            return None;
        })
    }
}

/// An invoice read from a Factur-X / ZUGFeRD PDF, with what was found.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FacturX {
    /// The invoice the embedded CII holds.
    pub invoice: Invoice,
    /// The embedded file's name, one of [`FACTURX_FILE_NAMES`].
    pub file_name: String,
    /// The profile its guideline (BT-24) names, if any.
    pub profile: Option<FacturXProfile>,
    /// The embedded XML as it was found.
    pub xml: Vec<u8>,
}

/// Writes `invoice` as a Factur-X PDF (profile EN 16931, or XRECHNUNG for an invoice
/// whose specification is XRechnung) into `out`: the rendered invoice as PDF/A-3b, its
/// CII (as [`write_cii`](crate::write_cii) writes it, under the Factur-X EN 16931
/// guideline unless it is an XRechnung) embedded as `factur-x.xml`
/// with relationship `Alternative`, and the Factur-X XMP metadata. The document date is
/// the invoice's issue date, so that an invoice always gives the same bytes.
///
/// # Errors
///
/// [`Error::Incomplete`] for a draft without number or issue date (the CII requires
/// both), the errors of [`write_cii`](crate::write_cii) and
/// [`write_pdf`](crate::write_pdf).
///
/// # Examples
///
/// ```
/// use invoice_core::{Address, CountryCode, Currency, InvoiceBuilder, InvoiceId, InvoiceNumber,
///     LineItem, Party, TenantId, UnitCode, Vat};
/// use invoice_export::{read_facturx, write_facturx, FacturXProfile, ImportOptions, PdfOptions};
/// use rust_decimal::Decimal;
///
/// let de = Address::new(CountryCode::new("DE")?);
/// let invoice = InvoiceBuilder::new(InvoiceId::from_uuid(uuid::Uuid::from_u128(1)), TenantId::new("acme")?,
///         Currency::EUR, Party::new("Müller GmbH", de.clone()).with_vat_id("DE123456789"),
///         Party::new("Buyer AG", de))
///     .issued(InvoiceNumber::new("INV-1")?, chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap())
///     .line(LineItem::new("1", "Tea", Decimal::new(2, 0), UnitCode::piece(),
///         Decimal::new(450, 2), Vat::standard(Decimal::new(19, 0))))
///     .build()?;
/// let mut pdf = Vec::new();
/// write_facturx(&mut pdf, &invoice, &PdfOptions::new())?;
/// let options = ImportOptions::new(InvoiceId::from_uuid(uuid::Uuid::from_u128(1)), TenantId::new("acme")?);
/// let found = read_facturx(&pdf, &options)?;
/// assert_eq!(found.file_name, "factur-x.xml");
/// assert_eq!(found.profile, Some(FacturXProfile::En16931));
/// assert_eq!(found.invoice.totals()?, invoice.totals()?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_facturx<W: Write>(out: W, invoice: &Invoice, options: &PdfOptions) -> Result<()> {
    // The profile is EN 16931, unless the invoice is an XRechnung (a profile of its own);
    // an invoice meant for another specification (Peppol, a ZUGFeRD 1 guideline) is
    // embedded under the Factur-X EN 16931 guideline, which Factur-X readers require.
    let xrechnung = invoice.specification().is_some_and(|s| s.is_xrechnung());
    let profile = if xrechnung {
        FacturXProfile::XRechnung
    } else {
        FacturXProfile::En16931
    };
    write_facturx_profile(out, invoice, options, profile)
}

/// The Factur-X guideline (BT-24) of the profiles the model can fill.
const EXTENDED_GUIDELINE: &str = "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended";

/// [`write_facturx`] in a chosen profile: [`FacturXProfile::En16931`],
/// [`FacturXProfile::Extended`] (a superset of EN 16931, so every invoice the model holds
/// fits it; the CII states the EXTENDED guideline) or [`FacturXProfile::XRechnung`] (for
/// an invoice whose specification is XRechnung).
///
/// # Errors
///
/// [`Error::InvalidValue`] for MINIMUM, BASIC WL and BASIC, which cannot carry every
/// business term an EN 16931 invoice may state (line details, several notes, ...), and
/// for XRECHNUNG of an invoice that is not one; otherwise as [`write_facturx`].
pub fn write_facturx_profile<W: Write>(
    mut out: W,
    invoice: &Invoice,
    options: &PdfOptions,
    profile: FacturXProfile,
) -> Result<()> {
    let date = invoice.issue_date().ok_or(Error::Incomplete {
        field: "an issue date (BT-2)",
    })?;
    let refused = |reason: &str| Error::InvalidValue {
        path: "profile".to_owned(),
        value: profile.conformance_level().to_owned(),
        reason: reason.to_owned(),
    };
    let guideline = match profile {
        FacturXProfile::En16931 => Some(Specification::default()),
        FacturXProfile::Extended => Some(Specification::new(EXTENDED_GUIDELINE, None)?),
        FacturXProfile::XRechnung => {
            if !invoice.specification().is_some_and(|s| s.is_xrechnung()) {
                return Err(refused(
                    "the invoice's specification (BT-24) is not XRechnung",
                ));
            }
            None
        }
        _ => {
            return Err(refused(
                "a subset of EN 16931 that cannot carry every term the invoice may state",
            ))
        }
    };
    let xml = write_cii_as(Vec::new(), invoice, guideline.as_ref())?;
    let name = FACTURX_FILE_NAMES[0];
    let pdf = draw::render(
        invoice,
        options,
        Some(Attachment {
            name: name.to_owned(),
            mime_type: "text/xml",
            description: format!("Factur-X invoice ({})", draw::title(invoice, options)),
            data: xml,
            date,
        }),
    )?;
    let pdf = with_facturx_metadata(pdf, name, profile)?;
    out.write_all(&pdf)?;
    Ok(())
}

/// The Factur-X properties and their PDF/A extension schema, as the Factur-X 1.0
/// specification gives them.
fn facturx_xmp(file_name: &str, profile: FacturXProfile) -> String {
    let property = |name: &str, description: &str| {
        format!(
            "<rdf:li rdf:parseType=\"Resource\"><pdfaProperty:name>{name}</pdfaProperty:name>\
             <pdfaProperty:valueType>Text</pdfaProperty:valueType>\
             <pdfaProperty:category>external</pdfaProperty:category>\
             <pdfaProperty:description>{description}</pdfaProperty:description></rdf:li>"
        )
    };
    format!(
        "<rdf:Description rdf:about=\"\" xmlns:fx=\"urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#\">\
         <fx:DocumentType>INVOICE</fx:DocumentType>\
         <fx:DocumentFileName>{file_name}</fx:DocumentFileName>\
         <fx:Version>1.0</fx:Version>\
         <fx:ConformanceLevel>{level}</fx:ConformanceLevel></rdf:Description>\
         <rdf:Description rdf:about=\"\" xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\" \
         xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\" xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">\
         <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType=\"Resource\">\
         <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>\
         <pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>\
         <pdfaSchema:prefix>fx</pdfaSchema:prefix><pdfaSchema:property><rdf:Seq>{p1}{p2}{p3}{p4}</rdf:Seq>\
         </pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>",
        level = profile.conformance_level(),
        p1 = property("DocumentFileName", "name of the embedded XML invoice file"),
        p2 = property("DocumentType", "INVOICE"),
        p3 = property("Version", "The actual version of the Factur-X XML schema"),
        p4 = property("ConformanceLevel", "The conformance level of the embedded Factur-X data"),
    )
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn rfind(haystack: &[u8], needle: &[u8], before: usize) -> Option<usize> {
    haystack
        .get(..before)?
        .windows(needle.len())
        .rposition(|w| w == needle)
}

/// Adds the Factur-X XMP to a PDF krilla wrote: a new revision of its metadata stream
/// object, appended as an incremental update (new object, cross-reference section and
/// trailer pointing back to the original one).
fn with_facturx_metadata(
    mut pdf: Vec<u8>,
    file_name: &str,
    profile: FacturXProfile,
) -> Result<Vec<u8>> {
    let broken = || pdf_error("the PDF's metadata or trailer is not where krilla writes them");
    let marker = find(&pdf, b"/Type/Metadata", 0)
        .or_else(|| find(&pdf, b"/Type /Metadata", 0))
        .ok_or_else(broken)?;
    let obj = rfind(&pdf, b" 0 obj", marker).ok_or_else(broken)?;
    let number_start = pdf[..obj]
        .iter()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |p| p + 1);
    let number: u32 = std::str::from_utf8(&pdf[number_start..obj])
        .ok()
        .and_then(|n| n.parse().ok())
        .ok_or_else(broken)?;
    let stream = find(&pdf, b"stream\n", marker).ok_or_else(broken)? + b"stream\n".len();
    let end = find(&pdf, b"endstream", stream).ok_or_else(broken)?;
    let xmp = std::str::from_utf8(&pdf[stream..end]).map_err(|_| broken())?;
    let close = xmp.rfind("</rdf:RDF>").ok_or_else(broken)?;
    let xmp = format!(
        "{}{}{}",
        &xmp[..close],
        facturx_xmp(file_name, profile),
        &xmp[close..]
    );

    let startxref = rfind(&pdf, b"startxref", pdf.len()).ok_or_else(broken)?;
    let previous: usize = std::str::from_utf8(&pdf[startxref + b"startxref".len()..])
        .ok()
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .ok_or_else(broken)?;
    let trailer = rfind(&pdf, b"trailer", startxref).ok_or_else(broken)?;
    let dict = std::str::from_utf8(&pdf[trailer + b"trailer".len()..startxref])
        .map_err(|_| broken())?
        .trim();
    let dict = dict.strip_suffix(">>").ok_or_else(broken)?.to_owned();

    if !pdf.ends_with(b"\n") {
        pdf.push(b'\n');
    }
    let offset = pdf.len();
    write!(
        pdf,
        "{number} 0 obj\n<<\n  /Length {}\n  /Type /Metadata\n  /Subtype /XML\n>>\nstream\n",
        xmp.len()
    )?;
    pdf.extend_from_slice(xmp.as_bytes());
    pdf.extend_from_slice(b"\nendstream\nendobj\n");
    let xref = pdf.len();
    write!(
        pdf,
        "xref\n{number} 1\n{offset:010} 00000 n\r\ntrailer\n{dict}/Prev {previous}>>\nstartxref\n{xref}\n%%EOF\n"
    )?;
    Ok(pdf)
}

/// Reads the invoice a Factur-X, ZUGFeRD or XRechnung PDF embeds: the first embedded
/// file named one of [`FACTURX_FILE_NAMES`], read with the CII reader.
///
/// The PDF is scanned for file specifications, in plain objects and in compressed object
/// streams; the file is inflated within `options`' limits (the input and the inflated
/// XML are each held to [`ReadLimits::max_bytes`](crate::ReadLimits::max_bytes)).
///
/// # Errors
///
/// [`Error::TooLarge`] past the limits; [`Error::NotFacturX`] for a PDF without such a
/// file, or whose file cannot be found or inflated; the CII reader's errors for the XML.
pub fn read_facturx(pdf: &[u8], options: &ImportOptions) -> Result<FacturX> {
    let (file_name, xml) = read_facturx_xml(pdf, options.limits())?;
    let invoice = read_cii_slice(&xml, options)?;
    // An invoice that states no specification is plain EN 16931.
    let profile = match invoice.specification() {
        None => Some(FacturXProfile::En16931),
        Some(specification) => FacturXProfile::of_guideline(specification.identifier()),
    };
    Ok(FacturX {
        invoice,
        file_name,
        profile,
        xml,
    })
}

/// The name and the bytes of the XML invoice a Factur-X, ZUGFeRD or XRechnung PDF
/// embeds, as [`read_facturx`] finds them, without reading the invoice.
///
/// # Errors
///
/// As [`read_facturx`], but for the CII reader's.
pub fn read_facturx_xml(pdf: &[u8], limits: &ReadLimits) -> Result<(String, Vec<u8>)> {
    let limit = limits.max_bytes();
    if pdf.len() > limit {
        return Err(Error::TooLarge { limit });
    }
    if !pdf.starts_with(b"%PDF-") {
        return Err(not_facturx("not a PDF (no %PDF- header)"));
    }
    let objects = Objects::scan(pdf, limit)?;
    let mut found: Option<(usize, u32)> = None;
    for object in &objects.all {
        let Some((name, stream)) = filespec(&object.body) else {
            continue;
        };
        let rank = FACTURX_FILE_NAMES
            .iter()
            .position(|n| n.eq_ignore_ascii_case(&name));
        if let Some(rank) = rank {
            if found.is_none_or(|(best, _)| rank < best) {
                found = Some((rank, stream));
            }
        }
    }
    let (rank, stream) = found.ok_or_else(|| {
        not_facturx("no embedded factur-x.xml, zugferd-invoice.xml or xrechnung.xml")
    })?;
    let xml = objects.stream_data(stream, limit)?;
    Ok((FACTURX_FILE_NAMES[rank].to_owned(), xml))
}

fn not_facturx(reason: &str) -> Error {
    Error::NotFacturX {
        reason: reason.to_owned(),
    }
}

/// One object of the PDF: its number and its bytes (the dictionary and, for a stream,
/// what follows).
struct Object {
    number: u32,
    body: Vec<u8>,
}

/// Every object found, top-level and inside object streams.
struct Objects {
    all: Vec<Object>,
}

/// At most this many objects are looked at; a real invoice has a few hundred.
const MAX_OBJECTS: usize = 200_000;

impl Objects {
    fn scan(pdf: &[u8], limit: usize) -> Result<Self> {
        let mut all = Vec::new();
        let mut at = 0;
        while let Some(pos) = find(pdf, b" obj", at) {
            at = pos + 4;
            let Some(number) = object_number(pdf, pos) else {
                continue;
            };
            let end = find(pdf, b"endobj", at).unwrap_or(pdf.len());
            let body = pdf[at..end].to_vec();
            if all.len() >= MAX_OBJECTS {
                return Err(not_facturx("too many objects"));
            }
            all.push(Object { number, body });
            at = end;
        }
        let mut objects = Objects { all };
        // Objects packed in compressed object streams (PDF 1.5).
        let streams: Vec<(usize, Vec<u8>)> = objects
            .all
            .iter()
            .filter_map(|o| {
                let dict = dict_of(&o.body);
                let first = integer_after(&dict, "/First").filter(|_| dict.contains("/ObjStm"))?;
                Some((first, stream_bytes(&o.body, limit).ok()?))
            })
            .collect();
        for (first, data) in streams {
            for (number, body) in object_stream_members(&data, first) {
                if objects.all.len() >= MAX_OBJECTS {
                    return Err(not_facturx("too many objects"));
                }
                objects.all.push(Object { number, body });
            }
        }
        Ok(objects)
    }

    /// The decoded data of stream object `number`: the last revision of it.
    fn stream_data(&self, number: u32, limit: usize) -> Result<Vec<u8>> {
        let object = self
            .all
            .iter()
            .rev()
            .find(|o| o.number == number && find(&o.body, b"stream", 0).is_some())
            .ok_or_else(|| not_facturx("the embedded file's stream is missing"))?;
        stream_bytes(&object.body, limit)
    }
}

/// The object number of the `N G obj` header that ends at `pos` (the space before
/// `obj`).
fn object_number(pdf: &[u8], pos: usize) -> Option<u32> {
    let before = &pdf[..pos];
    let generation_start = before.iter().rposition(|b| !b.is_ascii_digit())? + 1;
    if generation_start == pos || before.get(generation_start - 1) != Some(&b' ') {
        return None;
    }
    let number_end = generation_start - 1;
    let number_start = before[..number_end]
        .iter()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |p| p + 1);
    if number_start == number_end {
        return None;
    }
    std::str::from_utf8(&before[number_start..number_end])
        .ok()?
        .parse()
        .ok()
}

/// The dictionary text of an object body: up to `stream`, lossily decoded.
fn dict_of(body: &[u8]) -> String {
    let end = find(body, b"stream", 0).unwrap_or(body.len());
    String::from_utf8_lossy(&body[..end]).into_owned()
}

/// The members of a decoded object stream whose first object starts at `first` (its
/// `/First`): the header before it is `number offset` pairs, offsets counted from `first`.
fn object_stream_members(data: &[u8], first: usize) -> Vec<(u32, Vec<u8>)> {
    let header = String::from_utf8_lossy(data.get(..first).unwrap_or_default());
    let numbers: Vec<usize> = header
        .split_ascii_whitespace()
        .map_while(|w| w.parse().ok())
        .collect();
    let pairs: Vec<(u32, usize)> = numbers
        .chunks_exact(2)
        .filter_map(|p| Some((u32::try_from(p[0]).ok()?, p[1])))
        .collect();
    let mut out = Vec::new();
    for (i, (number, offset)) in pairs.iter().enumerate() {
        let start = first.saturating_add(*offset);
        let end = pairs
            .get(i + 1)
            .map_or(data.len(), |(_, next)| first.saturating_add(*next));
        if let Some(body) = data.get(start..end.min(data.len())) {
            out.push((*number, body.to_vec()));
        }
    }
    out
}

/// The non-negative integer after `key` in a dictionary's text (`/First 42`).
fn integer_after(dict: &str, key: &str) -> Option<usize> {
    let at = dict.find(key)? + key.len();
    let rest = dict[at..].trim_start();
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..digits].parse().ok()
}

/// The data of a stream object body, inflated when it is `FlateDecode`d, at most
/// `limit` bytes.
fn stream_bytes(body: &[u8], limit: usize) -> Result<Vec<u8>> {
    let dict = dict_of(body);
    let start = find(body, b"stream", 0).ok_or_else(|| not_facturx("not a stream"))? + 6;
    let start = match body.get(start..start + 2) {
        Some(b"\r\n") => start + 2,
        Some([b'\n', ..]) | Some([b'\r', ..]) => start + 1,
        _ => start,
    };
    let end = body
        .windows(9)
        .rposition(|w| w == b"endstream")
        .ok_or_else(|| not_facturx("a stream without its end"))?;
    let mut raw = body.get(start..end).unwrap_or_default();
    while let Some((last, rest)) = raw.split_last() {
        if *last == b'\n' || *last == b'\r' {
            raw = rest;
        } else {
            break;
        }
    }
    if dict.contains("/FlateDecode") || dict.contains("/Fl ") {
        let mut out = Vec::new();
        ZlibDecoder::new(raw)
            .take(u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|_| not_facturx("a compressed stream that does not inflate"))?;
        if out.len() > limit {
            return Err(Error::TooLarge { limit });
        }
        Ok(out)
    } else if dict.contains("/Filter") {
        Err(not_facturx("a stream filter other than FlateDecode"))
    } else {
        Ok(raw.to_vec())
    }
}

/// A file specification's name (`/UF`, else `/F`) and the object number of its embedded
/// file stream (`/EF << /F n 0 R >>`).
fn filespec(body: &[u8]) -> Option<(String, u32)> {
    let dict = dict_of(body);
    if !dict.contains("/EF") {
        return None;
    }
    let name = pdf_string_after(&dict, "/UF").or_else(|| pdf_string_after(&dict, "/F"))?;
    let ef = &dict[dict.find("/EF")? + 3..];
    let f = &ef[ef.find("/F")? + 2..];
    let number = f.split_whitespace().next()?.parse().ok()?;
    Some((name, number))
}

/// The PDF string after `key` (literal `( )` or hex `< >`, UTF-16BE with a byte order
/// mark or PDFDocEncoding taken as Latin-1).
fn pdf_string_after(dict: &str, key: &str) -> Option<String> {
    let mut search = 0;
    while let Some(found) = dict[search..].find(key) {
        let at = search + found + key.len();
        search = at;
        // `/F` must not match `/Filter` or `/FlateDecode`.
        if dict[at..].starts_with(|c: char| c.is_ascii_alphanumeric()) {
            continue;
        }
        let rest = dict[at..].trim_start();
        let bytes = if let Some(literal) = rest.strip_prefix('(') {
            literal_string(literal.as_bytes())
        } else if let Some(hex) = rest.strip_prefix('<') {
            let hex: String = hex
                .chars()
                .take_while(|c| *c != '>')
                .filter(char::is_ascii_hexdigit)
                .collect();
            (0..hex.len() / 2)
                .filter_map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
                .collect()
        } else {
            continue;
        };
        return Some(match bytes.strip_prefix(&[0xfe, 0xff]) {
            Some(utf16) => {
                let units: Vec<u16> = utf16
                    .chunks_exact(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect();
                String::from_utf16_lossy(&units)
            }
            None => bytes.iter().map(|&b| char::from(b)).collect(),
        });
    }
    None
}

/// The bytes of a PDF literal string whose opening parenthesis precedes `literal`: up to
/// the balancing `)`, with its escapes (`\n`, `\(`, octal `\055`, a line continuation).
fn literal_string(literal: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&b) = literal.get(i) {
        i += 1;
        match b {
            b'(' => {
                depth += 1;
                out.push(b);
            }
            b')' if depth == 0 => break,
            b')' => {
                depth -= 1;
                out.push(b);
            }
            b'\\' => {
                let Some(&next) = literal.get(i) else { break };
                i += 1;
                match next {
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'b' => out.push(0x08),
                    b'f' => out.push(0x0c),
                    b'0'..=b'7' => {
                        let mut value = u32::from(next - b'0');
                        for _ in 0..2 {
                            match literal.get(i) {
                                Some(&d @ b'0'..=b'7') => {
                                    value = value * 8 + u32::from(d - b'0');
                                    i += 1;
                                }
                                _ => break,
                            }
                        }
                        out.push(u8::try_from(value & 0xff).unwrap_or(0));
                    }
                    // A backslash at the end of a line continues the string.
                    b'\r' | b'\n' => {
                        if next == b'\r' && literal.get(i) == Some(&b'\n') {
                            i += 1;
                        }
                    }
                    other => out.push(other),
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_stream_members_start_at_first() {
        let dict = "<</Type/ObjStm/N 2/First 11/Length 40>>";
        let first = integer_after(dict, "/First").unwrap();
        assert_eq!(first, 11);
        let data = b"7 0 8 8    <</A 1>><</B 2>>";
        assert_eq!(
            object_stream_members(data, first),
            [(7, b"<</A 1>>".to_vec()), (8, b"<</B 2>>".to_vec())]
        );
    }

    #[test]
    fn literal_strings_keep_their_escapes() {
        assert_eq!(
            literal_string(b"factur\\055x\\056xml) rest"),
            b"factur-x.xml"
        );
        assert_eq!(literal_string(b"a(b)c\\)d) rest"), b"a(b)c)d");
        assert_eq!(literal_string(b"line\\\nnext)"), b"linenext");
        assert_eq!(
            pdf_string_after("/F (factur\\055x\\056xml)/UF <FEFF0078>", "/UF").as_deref(),
            Some("x")
        );
        assert_eq!(
            pdf_string_after("/Filter /FlateDecode /F (a.xml)", "/F").as_deref(),
            Some("a.xml")
        );
    }
}
