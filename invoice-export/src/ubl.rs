//! UBL 2.1 Invoice and CreditNote, following Peppol BIS Billing 3.0.

mod read;
mod write;

#[cfg(any(all(test, feature = "ubl", feature = "cii"), feature = "fuzzing"))]
pub(crate) use read::Ubl;
pub use read::{read_ubl, read_ubl_slice, read_ubl_with_warnings};
pub use write::write_ubl;

/// BT-24: EN 16931 compliant, Peppol BIS Billing 3.0.
pub const CUSTOMIZATION_ID: &str =
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0";
/// BT-23: the Peppol billing process.
pub const PROFILE_ID: &str = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";

/// The document type code (UNTDID 1001) of an `AdditionalDocumentReference` that holds
/// the invoiced object identifier (BT-18).
pub(crate) const INVOICED_OBJECT: &str = "130";
/// The document type code of an `AdditionalDocumentReference` that holds a credit
/// note's project reference (BT-11).
pub(crate) const PROJECT: &str = "50";
/// The `OrderReference/cbc:ID` written when only a sales order (BT-14) is stated.
pub(crate) const NO_ORDER: &str = "NA";

pub(crate) const NS_INVOICE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
pub(crate) const NS_CREDIT_NOTE: &str = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
pub(crate) const NS_CAC: &str =
    "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
pub(crate) const NS_CBC: &str =
    "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
