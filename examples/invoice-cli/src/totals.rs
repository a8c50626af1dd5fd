//! `invoice totals`: the totals invoice-core computes and, with `--check`, every
//! difference from the amounts the file states.

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

use invoice_core::{Decimal, TaxBreakdown, Totals};
use invoice_export::ImportOptions;
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::cli::Format;
use crate::document::Syntax;
use crate::document::{self, FileError};
use crate::report::{self, FileReport, Status, Stream};
use crate::stated::{self, Stated, StatedRow};

/// A document total of EN 16931 (BG-22), BT-111 aside: the model has no tax currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Total {
    LineExtension,
    Allowances,
    Charges,
    TaxExclusive,
    Tax,
    TaxInclusive,
    Prepaid,
    Rounding,
    Payable,
}

/// What `--check` does when a file leaves a total out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WhenAbsent {
    /// Mandatory in EN 16931: its absence is a difference.
    Differs,
    /// Optional, and absent means zero.
    Zero,
    /// Optional, and not compared (BT-110: CII_example7 and XRechnung-O state none).
    Skip,
}

impl Total {
    /// In document order; `Total::X as usize` indexes this.
    pub(crate) const ALL: [Total; 9] = [
        Self::LineExtension,
        Self::Allowances,
        Self::Charges,
        Self::TaxExclusive,
        Self::Tax,
        Self::TaxInclusive,
        Self::Prepaid,
        Self::Rounding,
        Self::Payable,
    ];

    /// The business term, such as `BT-115`.
    pub(crate) fn bt(self) -> &'static str {
        match self {
            Self::LineExtension => "BT-106",
            Self::Allowances => "BT-107",
            Self::Charges => "BT-108",
            Self::TaxExclusive => "BT-109",
            Self::Tax => "BT-110",
            Self::TaxInclusive => "BT-112",
            Self::Prepaid => "BT-113",
            Self::Rounding => "BT-114",
            Self::Payable => "BT-115",
        }
    }

    /// The JSON key, the name of the `Totals` getter.
    fn key(self) -> &'static str {
        match self {
            Self::LineExtension => "line_extension_amount",
            Self::Allowances => "allowance_total",
            Self::Charges => "charge_total",
            Self::TaxExclusive => "tax_exclusive_amount",
            Self::Tax => "tax_total",
            Self::TaxInclusive => "tax_inclusive_amount",
            Self::Prepaid => "prepaid_amount",
            Self::Rounding => "rounding_amount",
            Self::Payable => "payable_amount",
        }
    }

    /// The business term's name in EN 16931.
    fn label(self) -> &'static str {
        match self {
            Self::LineExtension => "Sum of Invoice line net amount",
            Self::Allowances => "Sum of allowances on document level",
            Self::Charges => "Sum of charges on document level",
            Self::TaxExclusive => "Invoice total amount without VAT",
            Self::Tax => "Invoice total VAT amount",
            Self::TaxInclusive => "Invoice total amount with VAT",
            Self::Prepaid => "Paid amount",
            Self::Rounding => "Rounding amount",
            Self::Payable => "Amount due for payment",
        }
    }

    fn of(self, totals: &Totals) -> Decimal {
        match self {
            Self::LineExtension => totals.line_extension_amount(),
            Self::Allowances => totals.allowance_total(),
            Self::Charges => totals.charge_total(),
            Self::TaxExclusive => totals.tax_exclusive_amount(),
            Self::Tax => totals.tax_total(),
            Self::TaxInclusive => totals.tax_inclusive_amount(),
            Self::Prepaid => totals.prepaid_amount(),
            Self::Rounding => totals.rounding_amount(),
            Self::Payable => totals.payable_amount(),
        }
    }

    fn when_absent(self) -> WhenAbsent {
        match self {
            Self::LineExtension | Self::TaxExclusive | Self::TaxInclusive | Self::Payable => {
                WhenAbsent::Differs
            }
            Self::Allowances | Self::Charges | Self::Prepaid | Self::Rounding => WhenAbsent::Zero,
            Self::Tax => WhenAbsent::Skip,
        }
    }
}

/// Whether a difference breaks a rule or is one the rules allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Kind {
    /// An identity that must hold (BR-CO-10 to BR-CO-16, BR-S-08 and siblings) does not:
    /// the check fails.
    Exact,
    /// A difference the official rules tolerate: a breakdown row's VAT within one unit of
    /// the currency of its rounded product (BR-CO-17), the totals that follow from it
    /// while BR-CO-14 to BR-CO-16 hold on the stated amounts, a stated row with nothing
    /// in it that no line uses. Reported as a warning; the check passes.
    Tolerated,
}

/// One difference between the computed totals and the stated ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Difference {
    /// The business term or group: `BT-115`, `BT-117`, `BG-23`.
    field: String,
    /// Its name, and for the breakdown which row.
    name: String,
    computed: String,
    stated: String,
    kind: Kind,
    /// The VAT category code of a breakdown difference (BT-116, BT-117, BG-23).
    #[serde(skip)]
    category: Option<String>,
}

impl Difference {
    /// Whether the difference breaks an identity (rather than being tolerated).
    pub(crate) fn is_exact(&self) -> bool {
        self.kind == Kind::Exact
    }

    /// The EN 16931 rule the difference breaks: BR-CO-10 to BR-CO-16 for the document
    /// totals, the category's `-08` (taxable amount), `-09` (VAT amount) or `-01` (no
    /// row for a category the lines use) for the VAT breakdown.
    pub(crate) fn rule(&self) -> String {
        let category_rule = |suffix: &str| {
            let prefix = match self.category.as_deref().unwrap_or("") {
                "S" => "BR-S",
                "Z" => "BR-Z",
                "E" => "BR-E",
                "AE" => "BR-AE",
                "K" => "BR-IC",
                "G" => "BR-G",
                "O" => "BR-O",
                "L" => "BR-AF",
                "M" => "BR-AG",
                "B" => "BR-B",
                _ => "BR-CO",
            };
            format!("{prefix}-{suffix}")
        };
        match self.field.as_str() {
            "BT-106" => "BR-CO-10".to_owned(),
            "BT-107" => "BR-CO-11".to_owned(),
            "BT-108" => "BR-CO-12".to_owned(),
            "BT-109" => "BR-CO-13".to_owned(),
            "BT-110" => "BR-CO-14".to_owned(),
            "BT-112" => "BR-CO-15".to_owned(),
            "BT-113" | "BT-114" | "BT-115" => "BR-CO-16".to_owned(),
            "BT-116" => category_rule("08"),
            "BT-117" => category_rule("09"),
            "BG-23" if self.stated == NO_SUCH_ROW => category_rule("01"),
            "BG-23" => category_rule("08"),
            rule => rule.to_owned(),
        }
    }

    /// The business term or group concerned: `BT-115`, `BG-23`, or the rule id of an
    /// identity on the stated amounts.
    pub(crate) fn field(&self) -> &str {
        &self.field
    }
}

/// What a difference states when a row is missing on one side.
const NO_SUCH_ROW: &str = "no such row";

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind == Kind::Tolerated {
            f.write_str("warning: ")?;
        }
        write!(
            f,
            "{} {}: computed {}, stated {}",
            self.field, self.name, self.computed, self.stated
        )?;
        if self.kind == Kind::Tolerated {
            f.write_str(" (within what EN 16931 allows)")?;
        }
        Ok(())
    }
}

/// `amount` with at least the currency's `minor_units` decimals, so that a computed
/// zero reads `0.00`; never rounded.
fn shown(amount: Decimal, minor_units: u32) -> String {
    let mut amount = amount;
    if amount.scale() < minor_units {
        amount.rescale(minor_units);
    }
    amount.to_string()
}

/// `S 19 %`: a breakdown row's category and rate.
fn row_name(category: &str, rate: Decimal) -> String {
    format!("{category} {} %", rate.normalize())
}

/// Every difference between `totals` and `stated`, compared as decimals (19.00 == 19),
/// each marked [`Kind::Exact`] or [`Kind::Tolerated`]. Breakdown rows match by category
/// and rate; a row without a rate has rate zero.
pub(crate) fn differences(totals: &Totals, stated: &Stated, minor_units: u32) -> Vec<Difference> {
    let shown = |amount| shown(amount, minor_units);
    let mut out = Vec::new();
    let rows = breakdown_differences(totals, stated, minor_units);
    let rows_tolerated = rows.iter().all(|d| d.kind == Kind::Tolerated);
    // BR-CO-13 to BR-CO-16 on the stated amounts themselves.
    let identities = stated_identities(stated, minor_units);
    let holds = |rule: &str| identities.iter().all(|d| d.field != rule);
    let mut tax_tolerated = false;
    let mut inclusive_tolerated = false;
    for total in Total::ALL {
        let computed = total.of(totals);
        let stated = match (stated.amount(total), total.when_absent()) {
            (Some(amount), _) => Some(amount),
            (None, WhenAbsent::Zero) => Some(Decimal::ZERO),
            (None, WhenAbsent::Skip) => continue,
            (None, WhenAbsent::Differs) => None,
        };
        if stated != Some(computed) {
            // What follows from tolerated row VAT amounts, while the stated amounts add
            // up among themselves, is tolerated too.
            let tolerated = stated.is_some()
                && match total {
                    Total::Tax => rows_tolerated && holds("BR-CO-14"),
                    Total::TaxInclusive => tax_tolerated && holds("BR-CO-15"),
                    Total::Payable => inclusive_tolerated && holds("BR-CO-16"),
                    _ => false,
                };
            match total {
                Total::Tax => tax_tolerated = tolerated,
                Total::TaxInclusive => inclusive_tolerated = tolerated,
                _ => {}
            }
            out.push(Difference {
                field: total.bt().to_owned(),
                name: total.label().to_owned(),
                computed: shown(computed),
                stated: stated.map_or_else(|| "nothing".to_owned(), |s| s.to_string()),
                kind: if tolerated {
                    Kind::Tolerated
                } else {
                    Kind::Exact
                },
                category: None,
            });
        } else {
            match total {
                Total::Tax => tax_tolerated = true,
                Total::TaxInclusive => inclusive_tolerated = true,
                _ => {}
            }
        }
    }
    out.extend(rows);
    out.extend(identities);
    out
}

/// BR-CO-13 to BR-CO-16 on the stated amounts themselves: a document whose totals do not
/// add up breaks them whatever the computation says. An identity is checked when the
/// amounts it needs are stated (BT-107, BT-108, BT-113 and BT-114 count as zero when
/// absent; a document without BT-110 states no VAT total to check).
fn stated_identities(stated: &Stated, minor_units: u32) -> Vec<Difference> {
    let amount = |total| stated.amount(total).unwrap_or(Decimal::ZERO);
    let row_tax: Decimal = stated
        .breakdown
        .iter()
        .map(|r| r.tax_amount.unwrap_or(Decimal::ZERO))
        .sum();
    let identities = [
        (
            "BR-CO-13",
            "BT-109 = BT-106 - BT-107 + BT-108",
            Total::TaxExclusive,
            amount(Total::LineExtension) - amount(Total::Allowances) + amount(Total::Charges),
            &[Total::LineExtension][..],
        ),
        (
            "BR-CO-14",
            "BT-110 = sum of BT-117",
            Total::Tax,
            row_tax,
            &[][..],
        ),
        // Without a BT-110 in the document currency, CII's rule takes the VAT total as
        // zero; UBL's requires one (below).
        (
            "BR-CO-15",
            "BT-112 = BT-109 + BT-110",
            Total::TaxInclusive,
            amount(Total::TaxExclusive)
                + if stated.tax_in_document_currency {
                    amount(Total::Tax)
                } else {
                    Decimal::ZERO
                },
            &[Total::TaxExclusive][..],
        ),
        (
            "BR-CO-16",
            "BT-115 = BT-112 - BT-113 + BT-114",
            Total::Payable,
            amount(Total::TaxInclusive) - amount(Total::Prepaid) + amount(Total::Rounding),
            &[Total::TaxInclusive][..],
        ),
    ];
    let missing_tax =
        (stated.syntax == Syntax::Ubl && !stated.tax_in_document_currency).then(|| Difference {
            field: "BR-CO-15".to_owned(),
            name: "BT-110 in the document currency".to_owned(),
            computed: "one".to_owned(),
            stated: "none".to_owned(),
            kind: Kind::Exact,
            category: None,
        });
    let has_missing_tax = missing_tax.is_some();
    identities
        .into_iter()
        .filter(|(rule, ..)| !(*rule == "BR-CO-15" && has_missing_tax))
        .filter(|(.., needs)| needs.iter().all(|t| stated.amount(*t).is_some()))
        .filter_map(|(rule, name, total, expected, _)| {
            let value = stated.amount(total)?;
            (value != expected).then(|| Difference {
                field: rule.to_owned(),
                name: format!("{name} on the stated amounts"),
                computed: shown(expected, minor_units),
                stated: value.to_string(),
                kind: Kind::Exact,
                category: None,
            })
        })
        .chain(missing_tax)
        .collect()
}

/// The differences in the VAT breakdown (BG-23).
fn breakdown_differences(totals: &Totals, stated: &Stated, minor_units: u32) -> Vec<Difference> {
    let shown = |amount| shown(amount, minor_units);
    // One unit of the currency: BR-CO-17's tolerance on a row's VAT.
    let unit = Decimal::ONE;
    let mut out = Vec::new();
    let computed_rows = totals.vat_breakdown();
    let stated_syntax = stated.syntax;
    let mut matched = vec![false; computed_rows.len()];
    for row in &stated.breakdown {
        let category = row.category.as_deref().unwrap_or("");
        let rate = row.rate.unwrap_or(Decimal::ZERO);
        let name = row_name(category, rate);
        let found = computed_rows
            .iter()
            .position(|c| c.category().code() == category && c.rate() == rate);
        let Some(index) = found else {
            // A row with nothing in it that no line uses changes no total.
            let empty = row.taxable_amount.unwrap_or(Decimal::ZERO).is_zero()
                && row.tax_amount.unwrap_or(Decimal::ZERO).is_zero();
            out.push(Difference {
                field: "BG-23".to_owned(),
                name: format!("VAT breakdown row {name}"),
                computed: NO_SUCH_ROW.to_owned(),
                stated: stated_row(row),
                kind: if empty { Kind::Tolerated } else { Kind::Exact },
                category: Some(category.to_owned()),
            });
            continue;
        };
        matched[index] = true;
        let computed = &computed_rows[index];
        let pairs = [
            (
                "BT-116",
                "taxable amount",
                computed.taxable_amount(),
                row.taxable_amount,
            ),
            (
                "BT-117",
                "VAT amount",
                computed.tax_amount(),
                row.tax_amount,
            ),
        ];
        for (field, what, computed, stated) in pairs {
            if stated != Some(computed) {
                let tolerated = match field {
                    "BT-116" => stated.is_some_and(|s| {
                        taxable_tolerance(stated_syntax, category, row.rate.is_some())
                            .allows(s - computed)
                    }),
                    _ => stated.is_some_and(|s| (s - computed).abs() < unit),
                };
                out.push(Difference {
                    field: field.to_owned(),
                    name: format!("VAT category {what} ({name})"),
                    computed: shown(computed),
                    stated: stated.map_or_else(|| "nothing".to_owned(), |s| s.to_string()),
                    kind: if tolerated {
                        Kind::Tolerated
                    } else {
                        Kind::Exact
                    },
                    category: Some(category.to_owned()),
                });
            }
        }
    }
    for (computed, _) in computed_rows.iter().zip(&matched).filter(|(_, m)| !**m) {
        out.push(Difference {
            field: "BG-23".to_owned(),
            name: format!(
                "VAT breakdown row {}",
                row_name(computed.category().code(), computed.rate())
            ),
            computed: format!(
                "taxable {}, VAT {}",
                shown(computed.taxable_amount()),
                shown(computed.tax_amount())
            ),
            stated: NO_SUCH_ROW.to_owned(),
            kind: Kind::Exact,
            category: Some(computed.category().code().to_owned()),
        });
    }
    out
}

/// How far a row's stated taxable amount (BT-116) may be from the sum of its lines,
/// allowances and charges, as the official schematron of each syntax checks it (the
/// `-08` rule of the category).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tolerance {
    /// Equal.
    Exact,
    /// Less than one unit either way (`BT-116 - 1 < sum < BT-116 + 1`).
    BelowOne,
    /// Up to one unit above the sum, less than one below (`BT-116 - 1 <= sum < BT-116 + 1`).
    UpToOneAbove,
    /// The category has no such rule (B, Italian split payment).
    Unchecked,
}

impl Tolerance {
    fn allows(self, difference: Decimal) -> bool {
        match self {
            Self::Exact => difference.is_zero(),
            Self::BelowOne => difference.abs() < Decimal::ONE,
            Self::UpToOneAbove => difference > -Decimal::ONE && difference <= Decimal::ONE,
            Self::Unchecked => true,
        }
    }
}

/// The tolerance of the `-08` rule of `category` in `syntax`. The rules of S, L and M
/// check each stated rate, so a row that states none is not checked.
fn taxable_tolerance(syntax: Syntax, category: &str, rate_stated: bool) -> Tolerance {
    match (syntax, category) {
        (_, "B") => Tolerance::Unchecked,
        (_, "S" | "L" | "M") if !rate_stated => Tolerance::Unchecked,
        (Syntax::Ubl, "S" | "L" | "M") => Tolerance::BelowOne,
        (Syntax::Cii, "Z" | "E" | "AE" | "K" | "G") => Tolerance::UpToOneAbove,
        _ => Tolerance::Exact,
    }
}

fn stated_row(row: &StatedRow) -> String {
    let amount = |a: Option<Decimal>| a.map_or_else(|| "nothing".to_owned(), |a| a.to_string());
    format!(
        "taxable {}, VAT {}",
        amount(row.taxable_amount),
        amount(row.tax_amount)
    )
}

fn breakdown_json(row: &TaxBreakdown, minor_units: u32) -> Value {
    json!({
        "category": row.category().code(),
        "rate": row.rate().normalize().to_string(),
        "taxable_amount": shown(row.taxable_amount(), minor_units),
        "tax_amount": shown(row.tax_amount(), minor_units),
    })
}

/// `invoice totals FILE... [--check]`.
pub(crate) fn run(files: &[PathBuf], check: bool, format: Format) -> Status {
    let options = document::import_options();
    report::run("totals", files, format, Stream::Stdout, |path| {
        totals_of(path, check, &options)
    })
}

fn totals_of(path: &Path, check: bool, options: &ImportOptions) -> Result<FileReport, FileError> {
    let doc = document::load(path, options)?;
    let totals = doc
        .invoice
        .totals()
        .map_err(|e| FileError::new(format!("cannot compute the totals: {e}")))?;
    let currency = doc.invoice.currency();
    let dp = currency.minor_units();
    let differences = if check {
        let stated = stated::read(&doc.text, doc.syntax)?;
        Some(differences(&totals, &stated, dp))
    } else {
        None
    };
    let lines = doc.invoice.lines().len();

    let mut text = format!(
        "{}: {} {}, {currency}, {lines} line{}\n",
        path.display(),
        doc.syntax.name().to_uppercase(),
        doc.root,
        if lines == 1 { "" } else { "s" },
    );
    for total in Total::ALL {
        let _ = writeln!(
            text,
            "  {:<7} {:<36} {:>14}",
            total.bt(),
            total.label(),
            shown(total.of(&totals), dp)
        );
    }
    for row in totals.vat_breakdown() {
        let _ = writeln!(
            text,
            "  {:<7} {:<12} taxable {:>14}   VAT {:>14}",
            "BG-23",
            row_name(row.category().code(), row.rate()),
            shown(row.taxable_amount(), dp),
            shown(row.tax_amount(), dp)
        );
    }
    match &differences {
        Some(found) if found.is_empty() => text.push_str("  check   ok: the stated totals match\n"),
        Some(found) if found.iter().all(|d| d.kind == Kind::Tolerated) => {
            for difference in found {
                let _ = writeln!(text, "  check   {difference}");
            }
            text.push_str("  check   ok: the stated totals match within what EN 16931 allows\n");
        }
        Some(found) => {
            for difference in found {
                let _ = writeln!(text, "  check   {difference}");
            }
        }
        None => {}
    }

    let mut entry = Map::new();
    entry.insert("syntax".to_owned(), doc.syntax.name().into());
    entry.insert("document".to_owned(), doc.root.clone().into());
    entry.insert("currency".to_owned(), currency.to_string().into());
    entry.insert("lines".to_owned(), lines.into());
    let amounts: Map<String, Value> = Total::ALL
        .iter()
        .map(|t| (t.key().to_owned(), shown(t.of(&totals), dp).into()))
        .collect();
    entry.insert("totals".to_owned(), Value::Object(amounts));
    entry.insert(
        "vat_breakdown".to_owned(),
        totals
            .vat_breakdown()
            .iter()
            .map(|row| breakdown_json(row, dp))
            .collect(),
    );
    if let Some(found) = &differences {
        entry.insert("differences".to_owned(), json!(found));
    }
    // Only a broken identity fails the check; tolerated differences are warnings.
    let status = match &differences {
        Some(found) if found.iter().any(|d| d.kind == Kind::Exact) => Status::Failed,
        _ => Status::Ok,
    };
    Ok(FileReport {
        status,
        text,
        entry,
    })
}

#[cfg(test)]
mod tests {
    use invoice_core::{
        Address, CountryCode, Currency, InvoiceBuilder, InvoiceId, LineItem, Party, TenantId,
        UnitCode, Vat,
    };
    use uuid::Uuid;

    use super::*;
    use crate::document::Syntax;

    /// One line of 100.00 at 19 %: 100.00 + 19.00 = 119.00.
    fn totals() -> Totals {
        let de = Address::new(CountryCode::new("DE").unwrap());
        InvoiceBuilder::new(
            InvoiceId::from_uuid(Uuid::nil()),
            TenantId::new("t").unwrap(),
            Currency::EUR,
            Party::new("Seller", de.clone()),
            Party::new("Buyer", de),
        )
        .line(LineItem::new(
            "1",
            "Widget",
            Decimal::ONE,
            UnitCode::piece(),
            Decimal::new(10000, 2),
            Vat::standard(Decimal::new(19, 0)),
        ))
        .build()
        .unwrap()
        .totals()
        .unwrap()
    }

    fn ubl(monetary_total: &str, tax_total: &str) -> Stated {
        let xml = format!(
            "<Invoice><DocumentCurrencyCode>EUR</DocumentCurrencyCode>{tax_total}\
             <LegalMonetaryTotal>{monetary_total}</LegalMonetaryTotal></Invoice>"
        );
        stated::read(&xml, Syntax::Ubl).unwrap()
    }

    const ROW: &str = "<TaxSubtotal><TaxableAmount>100</TaxableAmount><TaxAmount>19</TaxAmount>\
        <TaxCategory><ID>S</ID><Percent>19.00</Percent></TaxCategory></TaxSubtotal>";
    const TAX: &str = "<TaxAmount currencyID=\"EUR\">19</TaxAmount>";
    const MANDATORY: &str = "<LineExtensionAmount>100</LineExtensionAmount>\
        <TaxExclusiveAmount>100.0</TaxExclusiveAmount><TaxInclusiveAmount>119</TaxInclusiveAmount>\
        <PayableAmount>119.000</PayableAmount>";

    fn fields(differences: &[Difference]) -> Vec<&str> {
        differences.iter().map(|d| d.field.as_str()).collect()
    }

    #[test]
    fn amounts_compare_as_decimals_and_optional_ones_default() {
        // No BT-107, BT-108, BT-113, BT-114 (zero).
        let stated = ubl(MANDATORY, &format!("<TaxTotal>{TAX}{ROW}</TaxTotal>"));
        assert_eq!(differences(&totals(), &stated, 2), []);
    }

    #[test]
    fn a_missing_mandatory_total_or_row_is_a_difference() {
        let stated = ubl("<PayableAmount>119</PayableAmount>", "");
        assert_eq!(
            fields(&differences(&totals(), &stated, 2)),
            ["BT-106", "BT-109", "BT-112", "BG-23", "BR-CO-15"]
        );
    }

    /// UBL's BR-CO-15 requires one BT-110 in the document currency; CII's takes a
    /// missing one as zero.
    #[test]
    fn a_vat_total_in_another_currency_breaks_br_co_15_in_ubl_only() {
        let stated = ubl(
            MANDATORY,
            &format!("<TaxTotal><TaxAmount currencyID=\"USD\">19</TaxAmount>{ROW}</TaxTotal>"),
        );
        let found = differences(&totals(), &stated, 2);
        assert_eq!(fields(&found), ["BR-CO-15"]);
        assert_eq!(found[0].rule(), "BR-CO-15");
        let cii = |grand_total: &str| {
            let xml = format!(
                "<CrossIndustryInvoice><SupplyChainTradeTransaction>\
                 <ApplicableHeaderTradeSettlement><InvoiceCurrencyCode>EUR</InvoiceCurrencyCode>\
                 <SpecifiedTradeSettlementHeaderMonetarySummation>\
                 <TaxBasisTotalAmount>100</TaxBasisTotalAmount>\
                 <GrandTotalAmount>{grand_total}</GrandTotalAmount>\
                 </SpecifiedTradeSettlementHeaderMonetarySummation>\
                 </ApplicableHeaderTradeSettlement></SupplyChainTradeTransaction>\
                 </CrossIndustryInvoice>"
            );
            stated::read(&xml, Syntax::Cii).unwrap()
        };
        let rules = |stated: &Stated| {
            stated_identities(stated, 2)
                .iter()
                .map(Difference::rule)
                .collect::<Vec<_>>()
        };
        assert_eq!(rules(&cii("100")), Vec::<String>::new());
        assert_eq!(rules(&cii("119")), ["BR-CO-15"]);
    }

    #[test]
    fn a_stated_tax_total_and_prepaid_amount_are_compared() {
        let stated = ubl(
            &format!("{MANDATORY}<PrepaidAmount>5</PrepaidAmount>"),
            &format!("<TaxTotal><TaxAmount currencyID=\"EUR\">18.99</TaxAmount>{ROW}</TaxTotal>"),
        );
        let found = differences(&totals(), &stated, 2);
        // The stated BT-110 is not its rows' VAT, and BT-112 and BT-115 do not follow.
        assert_eq!(
            fields(&found),
            ["BT-110", "BT-113", "BR-CO-14", "BR-CO-15", "BR-CO-16"]
        );
        assert_eq!(
            found[0].to_string(),
            "BT-110 Invoice total VAT amount: computed 19.00, stated 18.99"
        );
        assert_eq!(found[1].computed, "0.00");
    }

    fn kinds(differences: &[Difference]) -> Vec<(&str, Kind)> {
        differences
            .iter()
            .map(|d| (d.field.as_str(), d.kind))
            .collect()
    }

    /// BR-CO-17 allows a row's VAT to differ from its rounded product by less than one
    /// unit of the currency; the totals that follow from it are then tolerated too, as
    /// long as BR-CO-14 to BR-CO-16 hold on the stated amounts.
    #[test]
    fn a_row_vat_a_cent_off_is_tolerated_with_the_totals_that_follow() {
        let row = "<TaxSubtotal><TaxableAmount>100</TaxableAmount><TaxAmount>19.01</TaxAmount>\
            <TaxCategory><ID>S</ID><Percent>19</Percent></TaxCategory></TaxSubtotal>";
        let stated = ubl(
            "<LineExtensionAmount>100</LineExtensionAmount>\
             <TaxExclusiveAmount>100</TaxExclusiveAmount><TaxInclusiveAmount>119.01</TaxInclusiveAmount>\
             <PayableAmount>119.01</PayableAmount>",
            &format!("<TaxTotal><TaxAmount currencyID=\"EUR\">19.01</TaxAmount>{row}</TaxTotal>"),
        );
        let found = differences(&totals(), &stated, 2);
        assert_eq!(
            kinds(&found),
            [
                ("BT-110", Kind::Tolerated),
                ("BT-112", Kind::Tolerated),
                ("BT-115", Kind::Tolerated),
                ("BT-117", Kind::Tolerated)
            ]
        );
        assert!(found[3].to_string().starts_with("warning: BT-117"));
    }

    #[test]
    fn a_row_vat_a_whole_unit_off_or_totals_that_do_not_add_up_break_the_rules() {
        let row = "<TaxSubtotal><TaxableAmount>100</TaxableAmount><TaxAmount>20.00</TaxAmount>\
            <TaxCategory><ID>S</ID><Percent>19</Percent></TaxCategory></TaxSubtotal>";
        let stated = ubl(
            "<LineExtensionAmount>100</LineExtensionAmount>\
             <TaxExclusiveAmount>100</TaxExclusiveAmount><TaxInclusiveAmount>120</TaxInclusiveAmount>\
             <PayableAmount>120</PayableAmount>",
            &format!("<TaxTotal><TaxAmount currencyID=\"EUR\">20</TaxAmount>{row}</TaxTotal>"),
        );
        assert!(differences(&totals(), &stated, 2)
            .iter()
            .all(|d| d.kind == Kind::Exact));
        // A cent off in the row, but BT-112 does not add up (BR-CO-15): exact.
        let row = row.replace("20.00", "19.01");
        let stated = ubl(
            "<LineExtensionAmount>100</LineExtensionAmount>\
             <TaxExclusiveAmount>100</TaxExclusiveAmount><TaxInclusiveAmount>119.00</TaxInclusiveAmount>\
             <PayableAmount>119.00</PayableAmount>",
            &format!("<TaxTotal><TaxAmount currencyID=\"EUR\">19.01</TaxAmount>{row}</TaxTotal>"),
        );
        let found = differences(&totals(), &stated, 2);
        assert_eq!(
            kinds(&found),
            [
                ("BT-110", Kind::Tolerated),
                ("BT-117", Kind::Tolerated),
                ("BR-CO-15", Kind::Exact)
            ],
            "BT-112 matches the computation but not the stated BT-109 + BT-110"
        );
    }

    #[test]
    fn an_empty_stated_row_no_line_uses_is_tolerated() {
        let empty = "<TaxSubtotal><TaxableAmount>0</TaxableAmount><TaxAmount>0</TaxAmount>\
            <TaxCategory><ID>Z</ID><Percent>0</Percent></TaxCategory></TaxSubtotal>";
        let stated = ubl(
            MANDATORY,
            &format!("<TaxTotal>{TAX}{ROW}{empty}</TaxTotal>"),
        );
        assert_eq!(
            kinds(&differences(&totals(), &stated, 2)),
            [("BG-23", Kind::Tolerated)]
        );
        let not_empty = empty.replace("<TaxableAmount>0<", "<TaxableAmount>5<");
        let stated = ubl(
            MANDATORY,
            &format!("<TaxTotal>{TAX}{ROW}{not_empty}</TaxTotal>"),
        );
        assert_eq!(
            kinds(&differences(&totals(), &stated, 2)),
            [("BG-23", Kind::Exact)]
        );
    }

    /// Each syntax's `-08` rule allows its own difference between a row's stated taxable
    /// amount and the sum of its lines: UBL's S rule less than one unit either way, none
    /// for UBL's Z; CII's S none, CII's Z up to one above.
    #[test]
    fn a_taxable_amount_is_held_to_its_syntaxs_tolerance() {
        use super::Tolerance::*;
        let cent = Decimal::new(1, 2);
        let unit = Decimal::ONE;
        for (syntax, category, expected) in [
            (Syntax::Ubl, "S", BelowOne),
            (Syntax::Ubl, "Z", Exact),
            (Syntax::Cii, "S", Exact),
            (Syntax::Cii, "Z", UpToOneAbove),
            (Syntax::Cii, "B", Unchecked),
        ] {
            assert_eq!(taxable_tolerance(syntax, category, true), expected);
        }
        assert_eq!(taxable_tolerance(Syntax::Ubl, "S", false), Unchecked);
        assert!(BelowOne.allows(cent) && BelowOne.allows(-cent) && !BelowOne.allows(unit));
        assert!(UpToOneAbove.allows(unit) && !UpToOneAbove.allows(-unit));
        assert!(Exact.allows(Decimal::ZERO) && !Exact.allows(cent));
        // A UBL row a cent off in S is a warning; the same in Z breaks BR-Z-08.
        let row = |category: &str| {
            format!(
                "<TaxSubtotal><TaxableAmount>100.01</TaxableAmount><TaxAmount>19</TaxAmount>\
                 <TaxCategory><ID>{category}</ID><Percent>19</Percent></TaxCategory></TaxSubtotal>"
            )
        };
        let stated = ubl(
            MANDATORY,
            &format!("<TaxTotal>{TAX}{}</TaxTotal>", row("S")),
        );
        assert_eq!(
            kinds(&differences(&totals(), &stated, 2)),
            [("BT-116", Kind::Tolerated)]
        );
    }
}
