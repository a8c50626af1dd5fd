//! What the UBL and CII readers share: the options of an import and the rules that
//! turn what a document states into the model. A document's lines are read by a
//! streaming pass (`stream`) wherever the document allows it, everything else from an
//! element tree; `fields` turns what either of them read into the model's values.

use chrono::NaiveDate;
use invoice_core::{
    AllowanceCharge, AllowanceChargeAmount, AllowanceChargeKind, Currency, EmptyVatRow, Invoice,
    InvoiceBuilder, InvoiceId, LineItem, Note, NoteId, RoundingPolicy, TenantId, Totals, Vat,
    VatExemption,
};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::error::Result;
use crate::xml::ReadLimits;

mod fields;
mod stream;
#[cfg(test)]
mod stream_tests;

pub(crate) use fields::{text_of, AllowanceChargeFields, LineFields, Located, VatFields};
pub(crate) use stream::{
    document_lines, read_document_text, read_reporting, DocumentSyntax, Field, LineSyntax, Part,
    StreamedLines,
};
#[cfg(any(all(test, feature = "ubl", feature = "cii"), feature = "fuzzing"))]
pub(crate) use stream::{read_streamed, read_tree};

/// What an import needs besides the document: the id and tenant the invoice gets, and
/// the limits on the input.
///
/// # Examples
///
/// ```
/// use invoice_core::{InvoiceId, TenantId};
/// use invoice_export::{ImportOptions, ReadLimits};
/// use uuid::Uuid;
///
/// let options = ImportOptions::new(InvoiceId::from_uuid(Uuid::from_u128(1)), TenantId::new("t")?)
///     .with_limits(ReadLimits::new().with_max_bytes(4 << 20));
/// assert_eq!(options.limits().max_bytes(), 4 << 20);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct ImportOptions {
    id: InvoiceId,
    tenant: TenantId,
    limits: ReadLimits,
}

impl ImportOptions {
    /// Options for an invoice that will have `id` in `tenant`, with default limits.
    pub fn new(id: InvoiceId, tenant: TenantId) -> Self {
        Self {
            id,
            tenant,
            limits: ReadLimits::new(),
        }
    }

    /// Sets the limits on the input.
    pub fn with_limits(mut self, limits: ReadLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The id the imported invoice gets.
    pub fn id(&self) -> InvoiceId {
        self.id
    }

    /// The tenant the imported invoice belongs to.
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    /// The limits on the input.
    pub fn limits(&self) -> &ReadLimits {
        &self.limits
    }

    /// A builder for the received invoice, issued under `number` on `issue_date`.
    pub(crate) fn builder(
        &self,
        currency: Currency,
        seller: invoice_core::Party,
        buyer: invoice_core::Party,
    ) -> InvoiceBuilder {
        InvoiceBuilder::new(self.id, self.tenant.clone(), currency, seller, buyer)
    }

    /// A note (BT-22) of the document: its id follows the invoice's (the `index`-th
    /// note gets the invoice's UUID plus `index + 1`), it is written by `"import"` at
    /// midnight UTC of the issue date, so that importing twice gives the same invoice.
    pub(crate) fn note(&self, index: usize, text: &str, issue_date: NaiveDate) -> Option<Note> {
        let offset = u128::try_from(index).ok()?.checked_add(1)?;
        let id = NoteId::from_uuid(Uuid::from_u128(
            self.id.as_uuid().as_u128().wrapping_add(offset),
        ));
        let at = issue_date.and_hms_opt(0, 0, 0)?.and_utc();
        // A blank note carries nothing; the model refuses it, so it is skipped.
        Note::new(id, "import", text, at).ok()
    }
}

/// A stated allowance or charge before it becomes a model value.
#[derive(Debug, Clone)]
pub(crate) struct StatedAllowanceCharge {
    pub(crate) kind: AllowanceChargeKind,
    pub(crate) amount: Decimal,
    pub(crate) percent: Option<Decimal>,
    pub(crate) base: Option<Decimal>,
    pub(crate) reason: Option<String>,
    pub(crate) reason_code: Option<String>,
    pub(crate) vat: Option<Vat>,
}

impl StatedAllowanceCharge {
    /// The model value. A percentage is kept when it reproduces the stated amount, from
    /// the stated base or, without one, from `default_base` (the line's quantity × price,
    /// or the group's line nets), rounded to `dp`; otherwise the stated amount is kept as
    /// a fixed amount, because the document's totals derive from the amount.
    pub(crate) fn into_model(self, default_base: Decimal, dp: u32) -> AllowanceCharge {
        let fixed = AllowanceCharge::new(
            self.kind,
            AllowanceChargeAmount::Fixed {
                amount: self.amount,
            },
        );
        let ac = match self.percent {
            Some(percent) => {
                let candidate = AllowanceCharge::new(
                    self.kind,
                    AllowanceChargeAmount::Percentage {
                        percent,
                        base: self.base,
                    },
                );
                match candidate.resolved_amount(default_base, dp) {
                    Ok(amount) if amount == self.amount => candidate,
                    // A percentage that does not give the amount is kept beside it.
                    _ => fixed.with_stated_percentage(Some(percent), self.base),
                }
            }
            None if self.base.is_some() => fixed.with_stated_percentage(None, self.base),
            None => fixed,
        };
        let ac = match self.reason {
            Some(reason) => ac.with_reason(reason),
            None => ac,
        };
        let ac = match self.reason_code {
            Some(code) => ac.with_reason_code(code),
            None => ac,
        };
        match self.vat {
            Some(vat) => ac.with_vat(vat),
            None => ac,
        }
    }
}

/// One stated row of the VAT breakdown: what the reader needs from it.
#[derive(Debug, Clone)]
pub(crate) struct StatedBreakdown {
    pub(crate) vat: Vat,
    /// BT-116, only to tell an empty row.
    pub(crate) taxable_amount: Option<Decimal>,
    /// Whether the row states its rate (BT-119), which an O row may leave out.
    pub(crate) rate_stated: bool,
    pub(crate) tax_amount: Option<Decimal>,
    pub(crate) exemption: Option<VatExemption>,
}

fn same_vat(a: Vat, b: Vat) -> bool {
    a.category() == b.category() && a.rate() == b.rate()
}

/// Σ stated line nets with `vat`.
fn group_net(lines: &[LineItem], vat: Vat) -> Decimal {
    lines
        .iter()
        .filter(|l| same_vat(l.vat(), vat))
        .filter_map(LineItem::stated_net_amount)
        .fold(Decimal::ZERO, |sum, net| {
            sum.checked_add(net).unwrap_or(sum)
        })
}

/// Completes an import: document allowances and charges (their default base needs the
/// lines), exemption reasons from the breakdown, and the rounding policy.
///
/// The breakdown's exemption reason (BT-120, BT-121) goes to every line of its
/// (category, rate) group or, for a group without lines, to its document allowances
/// and charges. The policy is EN 16931's unless the stated VAT amounts only match with
/// VAT rounded to fewer decimals than the currency has (the HUF example states whole
/// forints): then the first tax precision below the currency's that reproduces every
/// stated VAT amount is taken.
pub(crate) fn finish(
    builder: InvoiceBuilder,
    dp: u32,
    lines: Vec<LineItem>,
    document_acs: Vec<StatedAllowanceCharge>,
    breakdown: &[StatedBreakdown],
) -> Result<Invoice> {
    // Without exemption reasons in the breakdown, the lines stay where they are.
    let lines: Vec<LineItem> = if breakdown.iter().any(|row| row.exemption.is_some()) {
        lines
            .into_iter()
            .map(|line| {
                match breakdown
                    .iter()
                    .find(|row| same_vat(row.vat, line.vat()))
                    .and_then(|row| row.exemption.clone())
                {
                    Some(exemption) => line.with_exemption(exemption),
                    None => line,
                }
            })
            .collect()
    } else {
        lines
    };
    let acs: Vec<AllowanceCharge> = document_acs
        .into_iter()
        .map(|ac| {
            let vat = ac.vat;
            let base = vat.map_or(Decimal::ZERO, |vat| group_net(&lines, vat));
            let model = ac.into_model(base, dp);
            let lineless = vat.filter(|vat| !lines.iter().any(|l| same_vat(l.vat(), *vat)));
            match lineless
                .and_then(|vat| breakdown.iter().find(|row| same_vat(row.vat, vat)))
                .and_then(|row| row.exemption.clone())
            {
                Some(exemption) => model.with_exemption(exemption),
                None => model,
            }
        })
        .collect();
    let mut builder = acs
        .into_iter()
        .fold(builder.lines(lines), InvoiceBuilder::allowance_charge);
    let matches = |totals: Result<Totals, invoice_core::Error>| -> bool {
        let Ok(totals) = totals else {
            return false;
        };
        breakdown.iter().all(|row| match row.tax_amount {
            None => true,
            Some(stated) => totals
                .vat_breakdown()
                .iter()
                .find(|c| c.category() == row.vat.category() && c.rate() == row.vat.rate())
                .is_some_and(|c| c.tax_amount() == stated),
        })
    };
    builder = keep_empty_rows(builder, breakdown);
    if breakdown
        .iter()
        .any(|row| row.rate_stated && row.vat.category() == invoice_core::VatCategory::OutsideScope)
    {
        builder = builder.outside_scope_rate_stated();
    }
    if matches(builder.totals()) {
        return Ok(builder.build()?);
    }
    for precision in (0..dp).rev() {
        builder = builder.rounding_policy(RoundingPolicy::en16931().with_tax_precision(precision));
        if matches(builder.totals()) {
            return Ok(builder.build()?);
        }
    }
    builder = builder.rounding_policy(RoundingPolicy::en16931());
    // The stated row VAT amounts that differ from the computation by less than one unit
    // of the currency (BR-CO-17) are kept, so the invoice reads and writes as stated.
    if let Ok(totals) = builder.totals() {
        for row in breakdown {
            let Some(stated) = row.tax_amount else {
                continue;
            };
            let computed = totals
                .vat_breakdown()
                .iter()
                .find(|c| c.category() == row.vat.category() && c.rate() == row.vat.rate());
            if let Some(computed) = computed {
                let difference = (stated - computed.tax_amount()).abs();
                if !difference.is_zero() && difference < Decimal::ONE {
                    builder = builder.stated_vat_amount(row.vat, stated);
                }
            }
        }
    }
    Ok(builder.build()?)
}

/// Keeps the stated rows with zero taxable amount and zero VAT (an absent amount counts
/// as zero) whose category and rate nothing in the invoice uses, so that it is written
/// again as stated. Called before the stated VAT amounts are matched: the rows are part
/// of the breakdown they are matched against, and change no amount.
fn keep_empty_rows(mut builder: InvoiceBuilder, breakdown: &[StatedBreakdown]) -> InvoiceBuilder {
    let Ok(totals) = builder.totals() else {
        return builder;
    };
    let zero = |amount: Option<Decimal>| amount.unwrap_or(Decimal::ZERO).is_zero();
    for row in breakdown {
        let computed = totals
            .vat_breakdown()
            .iter()
            .any(|c| c.category() == row.vat.category() && c.rate() == row.vat.rate());
        if !computed && zero(row.taxable_amount) && zero(row.tax_amount) {
            builder = builder.empty_vat_row(EmptyVatRow::new(row.vat, row.exemption.clone()));
        }
    }
    builder
}

/// Address lines by position (BT-35, BT-36, BT-162 for the seller): a line a document
/// leaves out before one it states is kept as an empty line, so that the line after it
/// keeps its place (a line 3 without a line 2 stays line 3); trailing absent lines are
/// none. The writers leave empty lines out.
pub(crate) fn positional_lines<'a>(lines: &[Option<&'a str>]) -> Vec<&'a str> {
    let stated = lines
        .iter()
        .rposition(Option::is_some)
        .map_or(0, |last| last + 1);
    lines[..stated].iter().map(|l| l.unwrap_or("")).collect()
}

/// The electronic address (BT-34/BT-49) in `el`, an element whose text is the address
/// and whose `schemeID` attribute its scheme (UBL's `cbc:EndpointID`, CII's
/// `ram:URIID`); `None` when the element is empty.
///
/// # Errors
///
/// [`crate::Error::Missing`] for an address without its scheme (BR-62, BR-63): the model
/// keeps the two together and will not drop the address silently.
pub(crate) fn electronic_address(
    el: &crate::xml::El<'_, '_>,
) -> Result<Option<invoice_core::ElectronicAddress>> {
    let value = el.text();
    if value.trim().is_empty() {
        return Ok(None);
    }
    let scheme = el.attr("schemeID").unwrap_or_default();
    if scheme.trim().is_empty() {
        return Err(crate::Error::Missing {
            path: format!("{}/@schemeID", el.path()),
        });
    }
    invoice_core::ElectronicAddress::new(scheme, value)
        .map(Some)
        .map_err(|e| el.invalid(value, e))
}

/// The specification (BT-24) and business process (BT-23) a document states (the
/// builder keeps plain EN 16931 as no specification, which is how it is written).
pub(crate) fn specification(
    identifier: &crate::xml::El<'_, '_>,
    process: Option<&str>,
) -> Result<Option<invoice_core::Specification>> {
    let spec = invoice_core::Specification::new(
        identifier.text(),
        process.filter(|p| !p.trim().is_empty()).map(str::to_owned),
    )
    .map_err(|e| identifier.invalid(identifier.text(), e))?;
    Ok(Some(spec))
}

/// The VAT accounting currency a document states (`code`, UBL's `cbc:TaxCurrencyCode`,
/// CII's `ram:TaxCurrencyCode`) with the VAT total in it (BT-111): the first of
/// `vat_totals` (the document's VAT total amounts) whose `currencyID` is that currency.
/// When the accounting currency is the invoice's own, that is BT-110 itself.
///
/// # Errors
///
/// [`crate::Error::InvalidValue`] for an unknown currency code or a bad amount;
/// [`crate::Error::Missing`] when no VAT total is stated in the accounting currency
/// (BR-53).
pub(crate) fn vat_accounting<'d, 'a: 'd>(
    code: &crate::xml::El<'d, 'a>,
    mut vat_totals: impl Iterator<Item = crate::xml::El<'d, 'a>>,
    missing_path: impl FnOnce() -> String,
) -> Result<invoice_core::VatAccounting> {
    let currency =
        invoice_core::Currency::from_code(code.text()).map_err(|e| code.invalid(code.text(), e))?;
    let total = vat_totals
        .find(|amount| amount.attr("currencyID") == Some(currency.code()))
        .ok_or_else(|| crate::Error::Missing {
            path: missing_path(),
        })?;
    Ok(invoice_core::VatAccounting::stated(
        currency,
        total.decimal()?,
    ))
}

/// Something a reader noticed in a document it read without failing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ImportWarning {
    /// An element the model has no place for, at `path` (with everything inside it):
    /// what it states is not in the invoice read.
    Unmapped {
        /// The element's path, such as `/Invoice/cac:ProjectReference`.
        path: String,
    },
}

impl std::fmt::Display for ImportWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportWarning::Unmapped { path } => write!(f, "{path}: not mapped, not kept"),
        }
    }
}

/// An invoice read from a document, with the warnings its reading gave.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Imported {
    /// The invoice.
    pub invoice: Invoice,
    /// What the reader noticed, in document order: today the elements it did not map.
    pub warnings: Vec<ImportWarning>,
}

/// The document type codes (UNTDID 1001) of credit notes: those UBL writes as a
/// `CreditNote`, and CII's readers take for one.
#[cfg(feature = "cii")]
pub(crate) const CREDIT_NOTE_CODES: [&str; 11] = [
    "81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532",
];

/// The document type code (BT-3) `el` states, when it is not the kind's own (381 for a
/// credit note, 380 otherwise): kept so that the invoice is written with it again.
///
/// # Errors
///
/// [`crate::Error::InvalidValue`] for a code that is not a number.
pub(crate) fn stated_type_code(
    el: Option<crate::xml::El<'_, '_>>,
    credit: bool,
) -> Result<Option<u16>> {
    let Some(el) = el.filter(|e| !e.text().is_empty()) else {
        return Ok(None);
    };
    let code: u16 = el
        .text()
        .parse()
        .map_err(|_| el.invalid(el.text(), "a document type code is a number (UNTDID 1001)"))?;
    let own = if credit { 381 } else { 380 };
    Ok((code != own).then_some(code))
}

/// The `schemeID` an identifier element states, `None` when it is absent or empty.
pub(crate) fn scheme_of(id: &crate::xml::El<'_, '_>) -> Option<String> {
    id.attr("schemeID")
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// An identifier that must have its scheme (an item's standard id, BT-157).
pub(crate) fn schemed_id(id: &crate::xml::El<'_, '_>) -> Result<invoice_core::SchemedId> {
    invoice_core::SchemedId::new(id.text(), id.attr("schemeID").unwrap_or_default())
        .map_err(|e| id.invalid(id.text(), e))
}

/// A country code element (BT-159 and the addresses' BT-40 and siblings).
pub(crate) fn country(code: &crate::xml::El<'_, '_>) -> Result<invoice_core::CountryCode> {
    invoice_core::CountryCode::new(code.text()).map_err(|e| code.invalid(code.text(), e))
}

/// An item classification code element (BT-158) with its `listID` and `listVersionID`.
pub(crate) fn classification(
    code: &crate::xml::El<'_, '_>,
) -> Result<invoice_core::ItemClassification> {
    let class =
        invoice_core::ItemClassification::new(code.text(), code.attr("listID").unwrap_or_default())
            .map_err(|e| code.invalid(code.text(), e))?;
    Ok(match code.attr("listVersionID").filter(|v| !v.is_empty()) {
        Some(version) => class.with_list_version(version),
        None => class,
    })
}

/// An attached file (BT-125): base64 content with its `mimeCode` and `filename`.
pub(crate) fn attachment(file: &crate::xml::El<'_, '_>) -> Result<invoice_core::Attachment> {
    invoice_core::Attachment::new(
        file.text(),
        file.attr("mimeCode").unwrap_or_default(),
        file.attr("filename").unwrap_or_default(),
    )
    .map_err(|e| file.invalid("", e))
}
