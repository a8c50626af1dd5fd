//! UBL 2.1 Invoice and CreditNote, following Peppol BIS Billing 3.0.

mod read;
mod write;

#[cfg(any(all(test, feature = "ubl", feature = "cii"), feature = "fuzzing"))]
pub(crate) use read::Ubl;
pub use read::{read_ubl, read_ubl_slice, read_ubl_with_warnings};
pub use write::write_ubl;

/// BT-24 of Peppol BIS Billing 3.0 ([`invoice_core::specification::PEPPOL_BIS_BILLING_3`]).
pub const CUSTOMIZATION_ID: &str = invoice_core::specification::PEPPOL_BIS_BILLING_3;
/// BT-23: the Peppol billing process ([`invoice_core::specification::PEPPOL_BILLING_PROCESS`]).
pub const PROFILE_ID: &str = invoice_core::specification::PEPPOL_BILLING_PROCESS;

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
