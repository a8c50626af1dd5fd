//! The specification an invoice follows (BT-24) and its business process (BT-23): the
//! identifiers that tell a receiver, or a network such as Peppol, which rules apply.

use serde::{Deserialize, Serialize};

use crate::error::{non_blank, Error, Result};

/// EN 16931 itself, with no extension or CIUS: the identifier an invoice that states
/// none is written with.
pub const EN16931: &str = "urn:cen.eu:en16931:2017";

/// Peppol BIS Billing 3.0.
pub const PEPPOL_BIS_BILLING_3: &str =
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0";

/// XRechnung 3.0, the German CIUS for public buyers.
pub const XRECHNUNG_3: &str =
    "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0";

/// The Peppol billing process, the business process (BT-23) Peppol and XRechnung use.
pub const PEPPOL_BILLING_PROCESS: &str = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";

/// The specification identifier (BT-24) and business process type (BT-23) of an invoice.
///
/// An invoice without one is written as plain EN 16931 ([`EN16931`], no process);
/// one read from a document keeps what the document states.
///
/// # Examples
///
/// ```
/// use invoice_core::Specification;
///
/// let peppol = Specification::peppol_bis_billing_3();
/// assert!(peppol.is_peppol());
/// assert_eq!(peppol.business_process(), Some("urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"));
/// assert!(Specification::new("", None).is_err());
/// # Ok::<(), invoice_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Specification {
    identifier: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    business_process: Option<String>,
}

impl Specification {
    /// A specification `identifier` (BT-24) with an optional business process (BT-23).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidField`] when the identifier, or a stated process, is empty.
    pub fn new(identifier: impl Into<String>, business_process: Option<String>) -> Result<Self> {
        let identifier = identifier.into();
        let identifier = non_blank(
            "specification identifier (BT-24)",
            identifier,
            "must not be empty (BR-1)",
        )?;
        if let Some(process) = business_process.as_ref().filter(|p| p.trim().is_empty()) {
            return Err(Error::InvalidField {
                field: "business process type (BT-23)",
                value: process.clone(),
                reason: "must not be empty when stated",
            });
        }
        Ok(Self {
            identifier,
            business_process,
        })
    }

    /// Plain EN 16931, with no business process.
    pub fn en16931() -> Self {
        Self {
            identifier: EN16931.to_owned(),
            business_process: None,
        }
    }

    /// Peppol BIS Billing 3.0 in the Peppol billing process.
    pub fn peppol_bis_billing_3() -> Self {
        Self {
            identifier: PEPPOL_BIS_BILLING_3.to_owned(),
            business_process: Some(PEPPOL_BILLING_PROCESS.to_owned()),
        }
    }

    /// XRechnung 3.0 in the Peppol billing process.
    pub fn xrechnung_3() -> Self {
        Self {
            identifier: XRECHNUNG_3.to_owned(),
            business_process: Some(PEPPOL_BILLING_PROCESS.to_owned()),
        }
    }

    /// The specification identifier (BT-24).
    pub fn identifier(&self) -> &str {
        &self.identifier
    }

    /// The business process type (BT-23).
    pub fn business_process(&self) -> Option<&str> {
        self.business_process.as_deref()
    }

    /// Whether the invoice is meant for the Peppol network (Peppol BIS Billing 3.0, or
    /// a CIUS built on it).
    pub fn is_peppol(&self) -> bool {
        self.identifier
            .contains("urn:fdc:peppol.eu:2017:poacc:billing:3.0")
    }

    /// Whether the invoice follows the XRechnung CIUS (any version).
    pub fn is_xrechnung(&self) -> bool {
        self.identifier.contains("urn:xeinkauf.de:kosit:xrechnung")
    }

    /// Whether this is plain EN 16931 with no business process: what an invoice that
    /// states no specification is written as.
    pub fn is_plain_en16931(&self) -> bool {
        self.identifier == EN16931 && self.business_process.is_none()
    }
}

impl Default for Specification {
    fn default() -> Self {
        Self::en16931()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_peppol_and_xrechnung() {
        assert!(Specification::peppol_bis_billing_3().is_peppol());
        assert!(!Specification::en16931().is_peppol());
        assert!(Specification::xrechnung_3().is_xrechnung());
        assert!(Specification::en16931().is_plain_en16931());
        assert!(!Specification::peppol_bis_billing_3().is_plain_en16931());
        assert!(Specification::new("urn:x", Some(" ".into())).is_err());
    }
}
