//! Reading a file: its syntax from the root element, then the import into the model.

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use invoice_core::{Invoice, InvoiceId, TenantId};
use invoice_export::{
    read_cii_with_warnings, read_facturx_xml, read_ubl_with_warnings, ImportOptions, ImportWarning,
};
use quick_xml::events::Event;
use quick_xml::Reader;
use serde::Serialize;
use uuid::Uuid;

/// The two XML syntaxes of EN 16931.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// UBL 2.1 `Invoice` or `CreditNote`.
    Ubl,
    /// UN/CEFACT CII D16B `CrossIndustryInvoice`.
    Cii,
}

impl Syntax {
    /// The name used on the command line and in JSON.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Ubl => "ubl",
            Self::Cii => "cii",
        }
    }
}

/// Why a file could not be processed (exit code 2): what happened and, when the reader
/// knows it, the path of the element where it happened.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FileError {
    pub(crate) message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) element: Option<String>,
}

impl FileError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            element: None,
        }
    }

    pub(crate) fn at(element: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            element: Some(element.into()),
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        // The import errors already name their element; others get it appended.
        match &self.element {
            Some(element) if !self.message.contains(element.as_str()) => {
                write!(f, " (at {element})")
            }
            _ => Ok(()),
        }
    }
}

impl From<invoice_export::Error> for FileError {
    fn from(e: invoice_export::Error) -> Self {
        use invoice_export::Error;
        let element = match &e {
            Error::Malformed { path, .. }
            | Error::TooDeep { path, .. }
            | Error::Missing { path }
            | Error::InvalidValue { path, .. } => Some(path.clone()),
            _ => None,
        };
        // The message with its causes: the export error says what failed and where, its
        // source why (each says only its own part, so the chain reads once).
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        Self { message, element }
    }
}

/// A file read into the model, with its text for the stated-amounts reader.
#[derive(Debug)]
pub(crate) struct Document {
    pub(crate) syntax: Syntax,
    /// The root element's local name: `Invoice`, `CreditNote` or `CrossIndustryInvoice`.
    pub(crate) root: String,
    /// The document text, without a byte order mark.
    pub(crate) text: String,
    pub(crate) invoice: Invoice,
    /// What the reader did not map: elements of the document the invoice leaves out.
    pub(crate) warnings: Vec<ImportWarning>,
}

/// The import options for every file: the id and tenant an imported invoice gets do not
/// matter to a command line, so they are fixed.
pub(crate) fn import_options() -> ImportOptions {
    let tenant = TenantId::new("cli").expect("\"cli\" is a valid tenant id");
    ImportOptions::new(InvoiceId::from_uuid(Uuid::nil()), tenant)
}

/// Reads `path` and imports it with `options`: a UBL or CII document, or the CII a
/// Factur-X PDF embeds.
pub(crate) fn load(path: &Path, options: &ImportOptions) -> Result<Document, FileError> {
    let limit = options.limits().max_bytes();
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|file| {
            // One byte past the limit is enough for the importer to say it is too large.
            let take = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
            file.take(take).read_to_end(&mut bytes)
        })
        .map_err(|e| FileError::new(format!("cannot read the file: {e}")))?;
    // A Factur-X / ZUGFeRD PDF: the document is the XML it embeds.
    if bytes.starts_with(b"%PDF-") {
        bytes = read_facturx_xml(&bytes, options.limits())?.1;
    }
    let (syntax, root) = detect(&bytes)?;
    let imported = match syntax {
        Syntax::Ubl => read_ubl_with_warnings(&bytes, options)?,
        Syntax::Cii => read_cii_with_warnings(&bytes, options)?,
    };
    // The importer accepted the bytes, so they are UTF-8; this only drops the BOM.
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let text = String::from_utf8(body.to_vec())
        .map_err(|e| FileError::new(format!("the document is not UTF-8: {e}")))?;
    Ok(Document {
        syntax,
        root,
        text,
        invoice: imported.invoice,
        warnings: imported.warnings,
    })
}

/// The syntax of `bytes` and the local name of its root element. Stops at the root:
/// whether the rest is well formed is the importer's question.
fn detect(bytes: &[u8]) -> Result<(Syntax, String), FileError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = Reader::from_reader(body);
    let mut buf = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            FileError::at("/", format!("malformed xml before the root element: {e}"))
        })?;
        match event {
            Event::Start(start) | Event::Empty(start) => {
                let local = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                let syntax = match local.as_str() {
                    "Invoice" | "CreditNote" => Syntax::Ubl,
                    "CrossIndustryInvoice" => Syntax::Cii,
                    _ => {
                        let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                        return Err(FileError::at(
                            format!("/{name}"),
                            format!(
                                "root element {name:?} is neither a UBL Invoice or CreditNote \
                                 nor a CII CrossIndustryInvoice"
                            ),
                        ));
                    }
                };
                return Ok((syntax, local));
            }
            // Refused before anything else is read: no entity is ever expanded.
            Event::DocType(_) => {
                return Err(FileError::new("document type declarations are not allowed"))
            }
            Event::Eof => return Err(FileError::at("/", "no root element")),
            _ => {}
        }
        buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detect_reads_the_root_element_only() {
        let ubl = br#"<?xml version="1.0"?><Invoice xmlns="x"><broken"#;
        assert_eq!(detect(ubl).unwrap(), (Syntax::Ubl, "Invoice".to_owned()));
        let cii = b"\xEF\xBB\xBF<rsm:CrossIndustryInvoice xmlns:rsm=\"x\"/>";
        assert_eq!(
            detect(cii).unwrap(),
            (Syntax::Cii, "CrossIndustryInvoice".to_owned())
        );
    }

    #[test]
    fn detect_refuses_a_doctype_and_other_roots() {
        let doctype = br#"<!DOCTYPE Invoice [<!ENTITY x "y">]><Invoice/>"#;
        assert!(detect(doctype)
            .unwrap_err()
            .message
            .contains("document type"));
        let order = br#"<Order/>"#;
        assert_eq!(
            detect(order).unwrap_err().element.as_deref(),
            Some("/Order")
        );
        assert!(detect(b"").is_err());
    }
}
