//! UN/CEFACT Cross Industry Invoice D16B, for the Factur-X / ZUGFeRD EN 16931 profile
//! and XRechnung.

mod read;
mod write;

#[cfg(any(all(test, feature = "ubl", feature = "cii"), feature = "fuzzing"))]
pub(crate) use read::Cii;
pub use read::{read_cii, read_cii_slice, read_cii_with_warnings};
pub use write::write_cii;

/// BT-24: the EN 16931 guideline, which the Factur-X EN 16931 profile also uses.
pub const GUIDELINE_ID: &str = "urn:cen.eu:en16931:2017";

pub(crate) const NS_RSM: &str = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";
pub(crate) const NS_RAM: &str =
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100";
pub(crate) const NS_UDT: &str = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100";
pub(crate) const NS_QDT: &str = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100";

/// CII dates: format code 102, `YYYYMMDD`.
pub(crate) const DATE: &str = "%Y%m%d";
