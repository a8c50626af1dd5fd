//! The documents an invoice refers to besides the purchase order and the buyer
//! reference: project, contract, sales order, advices, tender, the invoiced object, the
//! buyer's accounting reference, and supporting documents (BG-24).

use serde::{Deserialize, Serialize};

use crate::error::{non_blank, Result};

/// A file attached to a supporting document (BT-125), kept as the document states it:
/// its content in base64, its MIME code (BT-125-1) and its file name (BT-125-2).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Attachment {
    content_base64: String,
    mime_code: String,
    filename: String,
}

impl Attachment {
    /// An attachment whose content is `content_base64` (base64, as the syntaxes carry
    /// it), of type `mime_code` (such as `application/pdf`), named `filename`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidField`](crate::Error::InvalidField) when the MIME code or the file
    /// name is empty (BR-CL-24 and the syntaxes require both).
    pub fn new(
        content_base64: impl Into<String>,
        mime_code: impl Into<String>,
        filename: impl Into<String>,
    ) -> Result<Self> {
        Ok(Self {
            content_base64: content_base64.into(),
            mime_code: non_blank(
                "attachment MIME code",
                mime_code.into(),
                "must not be empty",
            )?,
            filename: non_blank("attachment file name", filename.into(), "must not be empty")?,
        })
    }

    /// The content, base64-encoded.
    pub fn content_base64(&self) -> &str {
        &self.content_base64
    }

    /// The MIME code (BT-125-1).
    pub fn mime_code(&self) -> &str {
        &self.mime_code
    }

    /// The file name (BT-125-2).
    pub fn filename(&self) -> &str {
        &self.filename
    }
}

/// A document that supports the invoice (BG-24): a timesheet, a delivery note.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SupportingDocument {
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    attachment: Option<Attachment>,
}

impl SupportingDocument {
    /// A supporting document with its reference (BT-122).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidField`](crate::Error::InvalidField) when the reference is empty
    /// (BR-52).
    pub fn new(id: impl Into<String>) -> Result<Self> {
        let id = id.into();
        let id = non_blank(
            "supporting document reference (BT-122)",
            id,
            "must not be empty (BR-52)",
        )?;
        Ok(Self {
            id,
            description: None,
            uri: None,
            attachment: None,
        })
    }

    /// Sets its description (BT-123).
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets where it can be found (BT-124).
    pub fn with_uri(mut self, uri: impl Into<String>) -> Self {
        self.uri = Some(uri.into());
        self
    }

    /// Attaches it (BT-125).
    pub fn with_attachment(mut self, attachment: Attachment) -> Self {
        self.attachment = Some(attachment);
        self
    }

    /// Its reference (BT-122).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Its description (BT-123).
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// Its location (BT-124).
    pub fn uri(&self) -> Option<&str> {
        self.uri.as_deref()
    }

    /// The attached file (BT-125).
    pub fn attachment(&self) -> Option<&Attachment> {
        self.attachment.as_ref()
    }
}

/// The invoiced object (BT-18), such as a subscription or meter number, with the scheme
/// of its identifier (BT-18-1) when stated.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InvoicedObject {
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scheme: Option<String>,
}

impl InvoicedObject {
    /// The object `id`, in `scheme` when given (UNTDID 1153, such as `AAB` for a
    /// proforma invoice).
    pub fn new(id: impl Into<String>, scheme: Option<String>) -> Self {
        Self {
            id: id.into(),
            scheme,
        }
    }

    /// Its identifier (BT-18).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The identifier's scheme (BT-18-1).
    pub fn scheme(&self) -> Option<&str> {
        self.scheme.as_deref()
    }
}

/// The references of an invoice besides its buyer reference (BT-10) and purchase order
/// (BT-13).
///
/// # Examples
///
/// ```
/// use invoice_core::{DocumentReferences, SupportingDocument};
///
/// let references = DocumentReferences::new()
///     .with_contract("Framework 2026")
///     .with_accounting_reference("4217:2323:2323")
///     .with_supporting_document(SupportingDocument::new("Timesheet 03")?
///         .with_uri("https://example.com/timesheets/03"));
/// assert_eq!(references.contract(), Some("Framework 2026"));
/// # Ok::<(), invoice_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DocumentReferences {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    project: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    contract: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sales_order: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    receiving_advice: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    despatch_advice: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tender_or_lot: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    invoiced_object: Option<InvoicedObject>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    accounting_reference: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    supporting_documents: Vec<SupportingDocument>,
}

macro_rules! text_reference {
    ($($field:ident, $setter:ident, $bt:literal, $what:literal;)*) => {
        impl DocumentReferences {
            $(
                #[doc = concat!("Sets the ", $what, " (", $bt, ").")]
                pub fn $setter(mut self, reference: impl Into<String>) -> Self {
                    self.$field = Some(reference.into());
                    self
                }

                #[doc = concat!("The ", $what, " (", $bt, ").")]
                pub fn $field(&self) -> Option<&str> {
                    self.$field.as_deref()
                }
            )*
        }
    };
}

text_reference! {
    project, with_project, "BT-11", "project reference";
    contract, with_contract, "BT-12", "contract reference";
    sales_order, with_sales_order, "BT-14", "seller's sales order reference";
    receiving_advice, with_receiving_advice, "BT-15", "receiving advice reference";
    despatch_advice, with_despatch_advice, "BT-16", "despatch advice reference";
    tender_or_lot, with_tender_or_lot, "BT-17", "tender or lot reference";
    accounting_reference, with_accounting_reference, "BT-19", "buyer's accounting reference";
}

impl DocumentReferences {
    /// No references; add them with the `with_` methods.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether none is stated.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Sets the invoiced object (BT-18).
    pub fn with_invoiced_object(mut self, object: InvoicedObject) -> Self {
        self.invoiced_object = Some(object);
        self
    }

    /// Adds a supporting document (BG-24).
    pub fn with_supporting_document(mut self, document: SupportingDocument) -> Self {
        self.supporting_documents.push(document);
        self
    }

    /// The invoiced object (BT-18).
    pub fn invoiced_object(&self) -> Option<&InvoicedObject> {
        self.invoiced_object.as_ref()
    }

    /// The supporting documents (BG-24), in order.
    pub fn supporting_documents(&self) -> &[SupportingDocument] {
        &self.supporting_documents
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_round_trip_and_refuse_empty_required_parts() {
        assert!(SupportingDocument::new(" ").is_err());
        assert!(Attachment::new("AAAA", "", "a.pdf").is_err());
        let r = DocumentReferences::new()
            .with_project("P")
            .with_invoiced_object(InvoicedObject::new("M-1", Some("AAB".into())))
            .with_supporting_document(
                SupportingDocument::new("D1")
                    .unwrap()
                    .with_attachment(Attachment::new("AAAA", "application/pdf", "a.pdf").unwrap()),
            );
        assert!(!r.is_empty() && DocumentReferences::new().is_empty());
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(
            serde_json::from_str::<DocumentReferences>(&json).unwrap(),
            r
        );
    }
}
