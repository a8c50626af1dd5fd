//! VAT categories (UNCL5305, as EN 16931 uses them) and the VAT treatment of a line.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A VAT category code (BT-118, BT-151), the subset of UNCL5305 that EN 16931 allows.
///
/// # Rules `Invoice::validate` checks for each category
///
/// For each category used by a line (BT-151), a document allowance (BT-95) or a document
/// charge (BT-102), numbered as in the rule sets:
///
/// | rules | what is checked |
/// |---|---|
/// | -01 | the breakdown has exactly one row of the category (Z, E, AE, K, G, O) or at least one (S, L, M) |
/// | -02, -03, -04 | a line, allowance or charge of the category needs the seller's VAT id (BT-31); AE also the buyer's VAT id or legal id, K the buyer's VAT id; O forbids both VAT ids |
/// | -05, -06, -07 | the rate of each line, allowance and charge: S above 0; Z, E, AE, K, G and O 0 (O states no rate: 0 here); L and M 0 or more |
/// | -08 | the row's taxable amount is Σ its line nets + its charges − its allowances (S, L, M within 1, the others exactly) |
/// | -09 | the row's VAT: S, L, M taxable × rate within 1; the others 0 |
/// | -10 | the row's exemption reason (BT-120/121): required for E, AE, K, G, O; forbidden for S, Z, L, M |
///
/// plus BR-O-11 to BR-O-14 (an invoice with an O row has nothing but O) and BR-B-01,
/// BR-B-02 (split payment only between Italian parties, never beside S).
///
/// Category K's rules are BR-IC-*; L's and M's are BR-AF-* and BR-AG-*, as the current
/// schematron numbers them (older releases used BR-IG-* and BR-IP-*).
///
/// A row's exemption reason is that of the first line of its group that has one, as
/// [`TaxBreakdown::exemption`](crate::TaxBreakdown::exemption) takes it. The -08 and -09
/// rules, which [`Totals`](crate::Totals) satisfies by construction, are a self-check like BR-CO-10 to
/// BR-CO-16, and -08 runs only with net prices (see the calculation family). When the
/// totals cannot be computed, the rows are rebuilt from the lines, allowances and charges
/// with VAT, and the amount rules are skipped.
///
/// Only the seller's VAT id satisfies the seller rules: the model has neither a tax
/// registration id (BT-32) nor a tax representative (BT-63), and the legal registration
/// id (BT-30) does not count. Not checked: BR-IC-11 and BR-IC-12 (delivery date and
/// deliver-to country), as the model has no delivery information.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub enum VatCategory {
    /// `S`: standard rate.
    #[serde(rename = "S")]
    Standard,
    /// `Z`: zero rated goods.
    #[serde(rename = "Z")]
    ZeroRated,
    /// `E`: exempt from VAT.
    #[serde(rename = "E")]
    Exempt,
    /// `AE`: VAT reverse charge.
    #[serde(rename = "AE")]
    ReverseCharge,
    /// `K`: intra-community supply, VAT exempt for EEA.
    #[serde(rename = "K")]
    IntraCommunity,
    /// `G`: free export item, VAT not charged.
    #[serde(rename = "G")]
    Export,
    /// `O`: services outside the scope of VAT.
    #[serde(rename = "O")]
    OutsideScope,
    /// `L`: Canary Islands general indirect tax (IGIC).
    #[serde(rename = "L")]
    CanaryIslands,
    /// `M`: tax for production, services and importation in Ceuta and Melilla (IPSI).
    #[serde(rename = "M")]
    CeutaMelilla,
    /// `B`: transferred VAT (Italian split payment).
    #[serde(rename = "B")]
    Transferred,
}

impl VatCategory {
    /// Every category, in UNCL5305 code order of the enum.
    pub const ALL: [VatCategory; 10] = [
        Self::Standard,
        Self::ZeroRated,
        Self::Exempt,
        Self::ReverseCharge,
        Self::IntraCommunity,
        Self::Export,
        Self::OutsideScope,
        Self::CanaryIslands,
        Self::CeutaMelilla,
        Self::Transferred,
    ];

    /// The UNCL5305 code, such as `"AE"`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Standard => "S",
            Self::ZeroRated => "Z",
            Self::Exempt => "E",
            Self::ReverseCharge => "AE",
            Self::IntraCommunity => "K",
            Self::Export => "G",
            Self::OutsideScope => "O",
            Self::CanaryIslands => "L",
            Self::CeutaMelilla => "M",
            Self::Transferred => "B",
        }
    }

    /// Looks up a UNCL5305 code.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidField`] for a code EN 16931 does not allow.
    pub fn from_code(code: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.code() == code)
            .ok_or_else(|| Error::InvalidField {
                field: "VAT category",
                value: code.to_owned(),
                reason: "not one of S, Z, E, AE, K, G, O, L, M, B",
            })
    }

    /// Whether the category always has a rate of zero (Z, E, AE, K, G, O).
    pub const fn has_zero_rate(self) -> bool {
        matches!(
            self,
            Self::ZeroRated
                | Self::Exempt
                | Self::ReverseCharge
                | Self::IntraCommunity
                | Self::Export
                | Self::OutsideScope
        )
    }

    /// Whether EN 16931 requires an exemption reason for it (E, AE, K, G, O).
    pub const fn requires_exemption_reason(self) -> bool {
        matches!(
            self,
            Self::Exempt
                | Self::ReverseCharge
                | Self::IntraCommunity
                | Self::Export
                | Self::OutsideScope
        )
    }
}

impl fmt::Display for VatCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for VatCategory {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::from_code(s)
    }
}

/// The VAT treatment of a line or document allowance/charge: category and rate.
///
/// Rates are percentages (`19` means 19 %). Categories without VAT carry rate 0.
///
/// # Examples
///
/// ```
/// use invoice_core::{Vat, VatCategory};
/// use rust_decimal::Decimal;
///
/// let full = Vat::standard(Decimal::new(19, 0));
/// assert_eq!(full.category(), VatCategory::Standard);
/// assert_eq!(Vat::reverse_charge().rate(), Decimal::ZERO);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Vat {
    category: VatCategory,
    #[serde(deserialize_with = "crate::decimal_serde::plain")]
    rate: Decimal,
}

impl Vat {
    /// A category with a rate in percent.
    pub const fn new(category: VatCategory, rate: Decimal) -> Self {
        Self { category, rate }
    }

    /// Standard rate (`S`) at `rate` percent.
    pub const fn standard(rate: Decimal) -> Self {
        Self::new(VatCategory::Standard, rate)
    }

    /// Zero rated (`Z`).
    pub const fn zero_rated() -> Self {
        Self::new(VatCategory::ZeroRated, Decimal::ZERO)
    }

    /// Exempt (`E`).
    pub const fn exempt() -> Self {
        Self::new(VatCategory::Exempt, Decimal::ZERO)
    }

    /// Reverse charge (`AE`).
    pub const fn reverse_charge() -> Self {
        Self::new(VatCategory::ReverseCharge, Decimal::ZERO)
    }

    /// Intra-community supply (`K`).
    pub const fn intra_community() -> Self {
        Self::new(VatCategory::IntraCommunity, Decimal::ZERO)
    }

    /// Export outside the EU (`G`).
    pub const fn export() -> Self {
        Self::new(VatCategory::Export, Decimal::ZERO)
    }

    /// Outside the scope of VAT (`O`).
    pub const fn outside_scope() -> Self {
        Self::new(VatCategory::OutsideScope, Decimal::ZERO)
    }

    /// The category.
    #[inline]
    pub const fn category(&self) -> VatCategory {
        self.category
    }

    /// The rate in percent.
    #[inline]
    pub const fn rate(&self) -> Decimal {
        self.rate
    }
}

/// Why a line is exempt from VAT (BT-120 text, BT-121 code such as `VATEX-EU-IC`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VatExemption {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    code: Option<String>,
}

impl VatExemption {
    /// An exemption stated as text.
    pub fn reason(reason: impl Into<String>) -> Self {
        Self {
            reason: Some(reason.into()),
            code: None,
        }
    }

    /// An exemption stated as a VATEX code.
    pub fn code(code: impl Into<String>) -> Self {
        Self {
            reason: None,
            code: Some(code.into()),
        }
    }

    /// Adds a VATEX code to a text reason.
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// The text reason (BT-120).
    pub fn reason_text(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// The VATEX code (BT-121).
    pub fn reason_code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// Whether neither text nor code is given.
    pub fn is_empty(&self) -> bool {
        self.reason.as_deref().is_none_or(|r| r.trim().is_empty())
            && self.code.as_deref().is_none_or(|c| c.trim().is_empty())
    }
}

/// The VAT amount a received document states for one breakdown row (BT-117), kept where
/// it differs from the computed one by less than one unit of the currency, as BR-CO-17
/// allows: [`Totals`](crate::Totals) then uses it for that row, and BT-110 to BT-115
/// follow from it, so the invoice is written again as it was stated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StatedVatAmount {
    vat: Vat,
    #[serde(deserialize_with = "crate::decimal_serde::plain")]
    amount: Decimal,
}

impl StatedVatAmount {
    /// `amount` stated for the row of `vat`.
    pub fn new(vat: Vat, amount: Decimal) -> Self {
        Self { vat, amount }
    }

    /// The row's VAT category and rate.
    pub fn vat(&self) -> Vat {
        self.vat
    }

    /// The stated VAT amount.
    pub fn amount(&self) -> Decimal {
        self.amount
    }
}

/// A VAT breakdown row (BG-23) a received document states with a zero taxable amount and
/// zero VAT for a category and rate that no line, allowance or charge uses. EN 16931
/// allows it (it changes no total); the invoice keeps it, and
/// [`Totals`](crate::Totals) lists it, so that the invoice is written again as stated.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EmptyVatRow {
    vat: Vat,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exemption: Option<VatExemption>,
}

impl EmptyVatRow {
    /// The row of `vat`, with the exemption reason (BT-120, BT-121) it states.
    pub fn new(vat: Vat, exemption: Option<VatExemption>) -> Self {
        Self { vat, exemption }
    }

    /// The row's VAT category and rate.
    pub fn vat(&self) -> Vat {
        self.vat
    }

    /// The exemption reason the row states.
    pub fn exemption(&self) -> Option<&VatExemption> {
        self.exemption.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_codes_round_trip() {
        for c in VatCategory::ALL {
            assert_eq!(VatCategory::from_code(c.code()).unwrap(), c);
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.code()));
        }
        assert!(VatCategory::from_code("AA").is_err());
    }
}
