//! UN/CEFACT Cross Industry Invoice D16B, for the Factur-X / ZUGFeRD EN 16931 profile
//! and XRechnung.

mod read;
mod write;

#[cfg(any(all(test, feature = "ubl", feature = "cii"), feature = "fuzzing"))]
pub(crate) use read::Cii;
pub use read::{read_cii, read_cii_slice, read_cii_with_warnings};
pub use write::write_cii;
#[cfg(feature = "pdf")]
pub(crate) use write::write_cii_as;

/// BT-24: the EN 16931 guideline, which the Factur-X EN 16931 profile also uses
/// ([`invoice_core::specification::EN16931`]).
pub const GUIDELINE_ID: &str = invoice_core::specification::EN16931;

/// The `ram:TypeCode` (UNTDID 1001) of an additional referenced document that is a
/// supporting document (BG-24).
pub(crate) const SUPPORTING_DOCUMENT: &str = "916";
/// ... that holds the tender or lot reference (BT-17).
pub(crate) const TENDER: &str = "50";
/// ... that holds the invoiced object identifier (BT-18).
pub(crate) const INVOICED_OBJECT: &str = "130";
/// The `ram:Name` written for a project (BT-11): CII requires one, EN 16931 has none.
pub(crate) const PROJECT_NAME: &str = "Project reference";

pub(crate) const NS_RSM: &str = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";
pub(crate) const NS_RAM: &str =
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100";
pub(crate) const NS_UDT: &str = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100";
pub(crate) const NS_QDT: &str = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100";

/// CII dates: format code 102, `YYYYMMDD`.
pub(crate) const DATE: &str = "%Y%m%d";

/// BT-8, the date VAT becomes due, in the model's UNTDID 2005 and in CII's UNTDID 2475:
/// invoice date, delivery date, payment date.
const VAT_POINT_CODES: [(&str, &str); 3] = [("3", "5"), ("35", "29"), ("432", "72")];

/// The CII code (UNTDID 2475) of the model's BT-8 code; a code outside UNTDID 2005 is
/// written as it is, for the code-list check to report.
pub(crate) fn vat_point_code_to_cii(code: &str) -> &str {
    VAT_POINT_CODES
        .iter()
        .find(|(model, _)| *model == code)
        .map_or(code, |(_, cii)| cii)
}

/// The model's code (UNTDID 2005) of a CII BT-8 code; a code outside UNTDID 2475 is
/// kept as it is.
pub(crate) fn vat_point_code_from_cii(code: &str) -> &str {
    VAT_POINT_CODES
        .iter()
        .find(|(_, cii)| *cii == code)
        .map_or(code, |(model, _)| model)
}
