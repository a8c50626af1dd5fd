//! Document totals and the VAT breakdown, by the EN 16931 calculation rules.
//! [`Totals`] states the rules it follows.

mod fixed_point;
mod sum;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{overflow, Error, Result};
use crate::invoice::Invoice;
use crate::line_item::LineItem;
use crate::rounding::{PriceBasis, RoundingMode, RoundingPolicy, TaxRounding};
use crate::vat::{EmptyVatRow, StatedVatAmount, Vat, VatCategory, VatExemption};
use sum::{rounded_percentage, rounded_product, LineNetSums, Sum};

/// One row of the VAT breakdown (BG-23).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TaxBreakdown {
    category: VatCategory,
    #[serde(deserialize_with = "crate::decimal_serde::plain")]
    rate: Decimal,
    #[serde(deserialize_with = "crate::decimal_serde::plain")]
    taxable_amount: Decimal,
    #[serde(deserialize_with = "crate::decimal_serde::plain")]
    tax_amount: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exemption: Option<VatExemption>,
}

impl TaxBreakdown {
    /// The VAT category (BT-118).
    pub fn category(&self) -> VatCategory {
        self.category
    }

    /// The VAT rate in percent (BT-119).
    pub fn rate(&self) -> Decimal {
        self.rate
    }

    /// The taxable amount (BT-116).
    pub fn taxable_amount(&self) -> Decimal {
        self.taxable_amount
    }

    /// The VAT amount (BT-117).
    pub fn tax_amount(&self) -> Decimal {
        self.tax_amount
    }

    /// The exemption reason of the group (BT-120, BT-121), from its first line that has one.
    pub fn exemption(&self) -> Option<&VatExemption> {
        self.exemption.as_ref()
    }
}

/// The computed totals of an invoice (BG-22) and its VAT breakdown (BG-23), by the
/// EN 16931 calculation rules:
///
/// | field | BT | rule |
/// |---|---|---|
/// | [`Totals::line_extension_amount`] | BT-106 | Σ line nets (BR-CO-10) |
/// | [`Totals::allowance_total`] | BT-107 | Σ document allowances (BR-CO-11) |
/// | [`Totals::charge_total`] | BT-108 | Σ document charges (BR-CO-12) |
/// | [`Totals::tax_exclusive_amount`] | BT-109 | BT-106 − BT-107 + BT-108 (BR-CO-13) |
/// | [`Totals::tax_total`] | BT-110 | Σ breakdown VAT (BR-CO-14) |
/// | [`Totals::tax_inclusive_amount`] | BT-112 | BT-109 + BT-110 (BR-CO-15) |
/// | [`Totals::prepaid_amount`] | BT-113 | as stated |
/// | [`Totals::rounding_amount`] | BT-114 | by the [`RoundingPolicy`], or as stated |
/// | [`Totals::payable_amount`] | BT-115 | BT-112 − BT-113 + BT-114 (BR-CO-16) |
///
/// Per (category, rate) group, the taxable amount (BT-116) is the sum of its line nets plus
/// its document charges minus its document allowances (BR-S-08 and its siblings for Z, E,
/// AE, K, G, O, L, M), and its VAT (BT-117) is that amount times the rate, rounded half
/// away from zero (BR-S-09, BR-CO-17); an imported invoice's stated VAT for the group
/// ([`Invoice::stated_vat_amounts`](crate::Invoice::stated_vat_amounts)) is kept instead
/// when it is within one unit of the currency of that, as BR-CO-17 allows.
///
/// # Examples
///
/// ```
/// use invoice_core::{Address, Currency, CountryCode, InvoiceBuilder, InvoiceId, LineItem,
///     Party, TenantId, UnitCode, Vat};
/// use rust_decimal::Decimal;
/// use uuid::Uuid;
///
/// let de = Address::new(CountryCode::new("DE")?);
/// let invoice = InvoiceBuilder::new(InvoiceId::from_uuid(Uuid::from_u128(1)), TenantId::new("t1")?,
///         Currency::EUR, Party::new("Seller", de.clone()), Party::new("Buyer", de))
///     .line(LineItem::new("1", "Widget", Decimal::new(3, 0), UnitCode::piece(),
///         Decimal::new(1999, 2), Vat::standard(Decimal::new(19, 0))))
///     .build()?;
/// let totals = invoice.totals()?;
/// assert_eq!(totals.tax_exclusive_amount(), Decimal::new(5997, 2));
/// assert_eq!(totals.tax_total(), Decimal::new(1139, 2)); // 59.97 × 19 % = 11.3943
/// assert_eq!(totals.payable_amount(), Decimal::new(7136, 2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Totals {
    #[serde(deserialize_with = "crate::decimal_serde::plain_vec")]
    line_net_amounts: Vec<Decimal>,
    #[serde(deserialize_with = "crate::decimal_serde::plain")]
    line_extension_amount: Decimal,
    #[serde(deserialize_with = "crate::decimal_serde::plain")]
    allowance_total: Decimal,
    #[serde(deserialize_with = "crate::decimal_serde::plain")]
    charge_total: Decimal,
    #[serde(deserialize_with = "crate::decimal_serde::plain")]
    tax_exclusive_amount: Decimal,
    #[serde(deserialize_with = "crate::decimal_serde::plain")]
    tax_total: Decimal,
    #[serde(deserialize_with = "crate::decimal_serde::plain")]
    tax_inclusive_amount: Decimal,
    #[serde(deserialize_with = "crate::decimal_serde::plain")]
    prepaid_amount: Decimal,
    #[serde(deserialize_with = "crate::decimal_serde::plain")]
    rounding_amount: Decimal,
    #[serde(deserialize_with = "crate::decimal_serde::plain")]
    payable_amount: Decimal,
    vat_breakdown: Vec<TaxBreakdown>,
}

#[inline]
fn add(a: Decimal, b: Decimal) -> Result<Decimal> {
    a.checked_add(b).ok_or_else(overflow)
}

#[inline]
fn sub(a: Decimal, b: Decimal) -> Result<Decimal> {
    a.checked_sub(b).ok_or_else(overflow)
}

/// `value / 100`, exactly: by moving the decimal point when the scale allows it (a
/// division costs several times a multiplication and this runs once per group or line).
pub(crate) fn percent_of(mut value: Decimal) -> Result<Decimal> {
    let scale = value.scale() + 2;
    if scale <= 28 {
        value.set_scale(scale).map_err(|_| Error::Overflow)?;
        Ok(value)
    } else {
        value.checked_div(Decimal::ONE_HUNDRED).ok_or_else(overflow)
    }
}

/// Whether two rates are equal. With equal scales (the common case: rates written the
/// same way) that is an integer comparison of the mantissas; only `19` against `19.00`
/// needs the decimal comparison, which rescales.
#[inline]
fn same_rate(a: Decimal, b: Decimal) -> bool {
    if a.scale() == b.scale() {
        a.mantissa() == b.mantissa()
    } else {
        a == b
    }
}

/// The net part of a VAT-inclusive amount: `gross × 100 / (100 + rate)`, rounded.
fn net_of_gross(gross: Decimal, rate: Decimal, decimal_places: u32) -> Result<Decimal> {
    if rate.is_zero() {
        return Ok(gross);
    }
    let divisor = add(Decimal::ONE_HUNDRED, rate)?;
    let scaled = gross
        .checked_mul(Decimal::ONE_HUNDRED)
        .ok_or_else(overflow)?;
    let net = scaled.checked_div(divisor).ok_or_else(overflow)?;
    Ok(RoundingMode::HalfAwayFromZero.round(net, decimal_places))
}

/// Finds the breakdown row of `vat`, trying the last one used first (lines tend to come
/// in runs), and appends an empty row when there is none yet.
#[inline]
fn group_index(groups: &mut Vec<TaxBreakdown>, last: &mut usize, vat: &Vat) -> usize {
    if let Some(g) = groups.get(*last) {
        if g.category == vat.category() && same_rate(g.rate, vat.rate()) {
            return *last;
        }
    }
    let found = groups
        .iter()
        .position(|g| g.category == vat.category() && same_rate(g.rate, vat.rate()));
    let index = found.unwrap_or_else(|| {
        groups.push(TaxBreakdown {
            category: vat.category(),
            rate: vat.rate(),
            taxable_amount: Decimal::ZERO,
            tax_amount: Decimal::ZERO,
            exemption: None,
        });
        groups.len() - 1
    });
    *last = index;
    index
}

/// Σ net amounts of the lines with `vat`: the default base of a document percentage.
fn sum_of_nets_with(invoice: &Invoice, nets: &[Decimal], vat: &Vat) -> Result<Decimal> {
    invoice
        .lines()
        .iter()
        .zip(nets)
        .filter(|(line, _)| {
            line.vat().category() == vat.category() && same_rate(line.vat().rate(), vat.rate())
        })
        .try_fold(Decimal::ZERO, |sum, (_, net)| add(sum, *net))
}

/// What the rounding policy decides for one invoice, read once before the steps.
#[derive(Clone, Copy)]
struct Rules {
    /// The currency's minor units: amounts round to this many places.
    dp: u32,
    /// The places VAT amounts round to (the policy's tax precision, else `dp`).
    tax_dp: u32,
    /// VAT rounded per line and summed, instead of once per group (BR-CO-17).
    per_line: bool,
    /// Prices include VAT, so nets are derived from gross amounts.
    gross_prices: bool,
}

impl Rules {
    #[inline(always)]
    fn of(invoice: &Invoice, policy: &RoundingPolicy) -> Rules {
        let dp = invoice.currency().minor_units();
        Rules {
            dp,
            tax_dp: policy.tax_precision().unwrap_or(dp),
            per_line: policy.tax_rounding() == TaxRounding::PerLine,
            gross_prices: policy.price_basis() == PriceBasis::Gross,
        }
    }
}

/// Step 1, the lines: each line's net amount (BT-131), their sum BT-106 (BR-CO-10), and
/// per VAT group the lines' part of its taxable amount (BR-S-08 and its siblings).
///
/// The nets add up in a [`LineNetSums`]; while the lines are read, a group's `tax_amount`
/// holds the VAT rounded per line (used only under `TaxRounding::PerLine`).
struct LineSums {
    groups: Vec<TaxBreakdown>,
    /// The group used last, tried first by [`group_index`].
    last: usize,
    line_net_amounts: Vec<Decimal>,
    line_extension_amount: Decimal,
    /// With VAT-inclusive prices: what the buyer was shown, the target payable amount.
    gross_target: Decimal,
}

impl LineSums {
    #[inline(always)]
    fn of(invoice: &Invoice, rules: Rules) -> Result<LineSums> {
        let Rules {
            dp,
            tax_dp,
            per_line,
            ..
        } = rules;
        // Room for four groups up front: the first push would allocate as much anyway.
        let mut groups: Vec<TaxBreakdown> = Vec::with_capacity(4);
        let mut last = 0;
        let mut nets = LineNetSums::with_capacity(invoice.lines().len());
        let mut gross_target = Decimal::ZERO;
        for (index, line) in invoice.lines().iter().enumerate() {
            let vat = line.vat();
            let g = group_index(&mut groups, &mut last, &vat);
            // A simple line's net is quantity × price, rounded (BT-131).
            let net = if line.is_simple() && !rules.gross_prices {
                nets.add_product(g, line.quantity(), line.price(), dp)?
            } else {
                let net = line_net(line, index, &vat, rules, &mut gross_target)?;
                nets.add(g, net, dp)?;
                net
            };
            let group = &mut groups[g];
            if per_line {
                let tax = rounded_percentage(net, vat.rate(), tax_dp)?;
                group.tax_amount = add(group.tax_amount, tax)?;
            }
            if group.exemption.is_none() {
                if let Some(exemption) = line.exemption() {
                    group.exemption = Some(exemption.clone());
                }
            }
        }
        for (g, group) in groups.iter_mut().enumerate() {
            group.taxable_amount = nets.group_total(g, dp)?;
        }
        let (line_net_amounts, line_extension_amount) = nets.take_nets_and_total(dp)?;
        Ok(LineSums {
            groups,
            last,
            line_net_amounts,
            line_extension_amount,
            gross_target,
        })
    }
}

/// A line's net amount (BT-131) other than a simple line's at net prices. With
/// VAT-inclusive prices it is derived from the gross amount, which is added to
/// `gross_target`; a stated net is taken as it is and its gross added instead. Kept out
/// of line so that the loop over the common lines stays small.
#[inline(never)]
fn line_net(
    line: &LineItem,
    index: usize,
    vat: &Vat,
    rules: Rules,
    gross_target: &mut Decimal,
) -> Result<Decimal> {
    let amount = line_amount(line, index, rules.dp)?;
    if !rules.gross_prices {
        return Ok(amount);
    }
    let net = if line.stated_net_amount().is_none() {
        *gross_target = add(*gross_target, amount)?;
        net_of_gross(amount, vat.rate(), rules.dp)?
    } else {
        let gross = add(amount, rounded_percentage(amount, vat.rate(), rules.dp)?)?;
        *gross_target = add(*gross_target, gross)?;
        amount
    };
    Ok(net)
}

/// Step 2, the document allowances (BT-107, BR-CO-11) and charges (BT-108, BR-CO-12),
/// each added to or taken from the taxable amount of its VAT group.
struct DocumentAllowancesCharges {
    allowance_total: Decimal,
    charge_total: Decimal,
    /// Step 1's gross target with the document's allowances and charges applied.
    gross_target: Decimal,
}

impl DocumentAllowancesCharges {
    #[inline(always)]
    fn apply(
        invoice: &Invoice,
        rules: Rules,
        sums: &mut LineSums,
    ) -> Result<DocumentAllowancesCharges> {
        let mut allowance_total = Decimal::ZERO;
        let mut charge_total = Decimal::ZERO;
        let mut gross_target = sums.gross_target;
        for ac in invoice.allowances_charges() {
            let vat = ac.vat().ok_or_else(|| Error::InvalidField {
                field: "document allowance or charge",
                value: ac.reason().unwrap_or_default().to_owned(),
                reason: "has no VAT category (BR-32, BR-37)",
            })?;
            // A percentage without a stated base applies to the group's line nets.
            let base = if ac.base_amount().is_none() {
                sum_of_nets_with(invoice, &sums.line_net_amounts, &vat)?
            } else {
                Decimal::ZERO
            };
            let stated = ac.resolved_amount(base, rules.dp)?;
            let amount = if rules.gross_prices {
                let signed = if ac.is_charge() { stated } else { -stated };
                gross_target = add(gross_target, signed)?;
                net_of_gross(stated, vat.rate(), rules.dp)?
            } else {
                stated
            };
            let tax = if rules.per_line {
                rounded_percentage(amount, vat.rate(), rules.tax_dp)?
            } else {
                Decimal::ZERO
            };
            let g = group_index(&mut sums.groups, &mut sums.last, &vat);
            let group = &mut sums.groups[g];
            // A group made only of document allowances and charges takes its exemption
            // reason from them; a line's reason comes first.
            if group.exemption.is_none() {
                if let Some(exemption) = ac.exemption() {
                    group.exemption = Some(exemption.clone());
                }
            }
            if ac.is_charge() {
                charge_total = add(charge_total, amount)?;
                group.taxable_amount = add(group.taxable_amount, amount)?;
                group.tax_amount = add(group.tax_amount, tax)?;
            } else {
                allowance_total = add(allowance_total, amount)?;
                group.taxable_amount = sub(group.taxable_amount, amount)?;
                group.tax_amount = sub(group.tax_amount, tax)?;
            }
        }
        Ok(DocumentAllowancesCharges {
            allowance_total,
            charge_total,
            gross_target,
        })
    }
}

/// Step 3: each group's VAT (BT-117), its taxable amount times its rate rounded half away
/// from zero (BR-S-09 and its siblings, BR-CO-17), or under `TaxRounding::PerLine` the
/// sum of the per-line VAT; a VAT amount a received document states for the group
/// (`stated`) replaces it when the two differ by less than one unit of the currency, as
/// BR-CO-17 allows. Returns their sum, BT-110 (BR-CO-14).
#[inline(always)]
fn vat_of_groups(
    groups: &mut [TaxBreakdown],
    rules: Rules,
    stated: &[StatedVatAmount],
) -> Result<Decimal> {
    if !stated.is_empty() {
        return vat_of_groups_as_stated(groups, rules, stated);
    }
    let mut tax_total = Sum::default();
    for group in groups.iter_mut() {
        if rules.per_line {
            tax_total.add(group.tax_amount, rules.tax_dp)?;
        } else {
            group.tax_amount =
                tax_total.add_percentage(group.taxable_amount, group.rate, rules.tax_dp)?;
        }
    }
    tax_total.total(rules.tax_dp)
}

/// Step 3b: the empty rows a received document states for a category and rate nothing
/// else uses, after the computed ones, with zero amounts (they change no total).
#[inline(always)]
fn keep_empty_rows(groups: &mut Vec<TaxBreakdown>, rows: &[EmptyVatRow]) {
    for row in rows {
        let vat = row.vat();
        let used = groups
            .iter()
            .any(|g| g.category == vat.category() && same_rate(g.rate, vat.rate()));
        if !used {
            groups.push(TaxBreakdown {
                category: vat.category(),
                rate: vat.rate(),
                taxable_amount: Decimal::ZERO,
                tax_amount: Decimal::ZERO,
                exemption: row.exemption().cloned(),
            });
        }
    }
}

/// Step 4, the document totals: BT-109 (BR-CO-13), BT-112 (BR-CO-15), BT-113 as stated,
/// BT-114 by the policy or as stated, and BT-115 (BR-CO-16).
struct DocumentAmounts {
    tax_exclusive_amount: Decimal,
    tax_inclusive_amount: Decimal,
    prepaid_amount: Decimal,
    rounding_amount: Decimal,
    payable_amount: Decimal,
}

impl DocumentAmounts {
    #[inline(always)]
    fn of(
        invoice: &Invoice,
        policy: &RoundingPolicy,
        rules: Rules,
        sums: &LineSums,
        document: &DocumentAllowancesCharges,
        tax_total: Decimal,
    ) -> Result<DocumentAmounts> {
        let tax_exclusive_amount = add(
            sub(sums.line_extension_amount, document.allowance_total)?,
            document.charge_total,
        )?;
        let tax_inclusive_amount = add(tax_exclusive_amount, tax_total)?;
        let prepaid_amount = invoice.prepaid_amount();

        let policy_rounds = rules.gross_prices || policy.cash_increment().is_some();
        let mut rounding_amount = if policy_rounds {
            Decimal::ZERO
        } else {
            invoice.stated_rounding_amount().unwrap_or(Decimal::ZERO)
        };
        if rules.gross_prices {
            // With VAT-inclusive prices, what the buyer was shown is the amount to pay.
            rounding_amount = sub(document.gross_target, tax_inclusive_amount)?;
        }
        if let Some(increment) = policy.cash_increment() {
            let due = add(sub(tax_inclusive_amount, prepaid_amount)?, rounding_amount)?;
            let rounded = RoundingMode::HalfAwayFromZero.round_to_increment(due, increment)?;
            rounding_amount = add(rounding_amount, sub(rounded, due)?)?;
        }
        let payable_amount = add(sub(tax_inclusive_amount, prepaid_amount)?, rounding_amount)?;
        Ok(DocumentAmounts {
            tax_exclusive_amount,
            tax_inclusive_amount,
            prepaid_amount,
            rounding_amount,
            payable_amount,
        })
    }
}

/// Step 3 for an invoice that states VAT amounts: each group's computed VAT, or the stated
/// one within one unit of the currency of it.
fn vat_of_groups_as_stated(
    groups: &mut [TaxBreakdown],
    rules: Rules,
    stated: &[StatedVatAmount],
) -> Result<Decimal> {
    let mut tax_total = Decimal::ZERO;
    for group in groups.iter_mut() {
        if !rules.per_line {
            group.tax_amount = rounded_percentage(group.taxable_amount, group.rate, rules.tax_dp)?;
        }
        let kept = stated.iter().find(|s| {
            s.vat().category() == group.category && same_rate(s.vat().rate(), group.rate)
        });
        if let Some(kept) = kept {
            let within = sub(kept.amount(), group.tax_amount)?.abs() < Decimal::ONE;
            if within {
                group.tax_amount = kept.amount();
            }
        }
        tax_total = add(tax_total, group.tax_amount)?;
    }
    Ok(tax_total)
}

/// The amount of a line before VAT-inclusive prices are taken into account:
/// `round(quantity × price)` for a simple line, otherwise from its stated net, base
/// quantity and line allowances and charges; errors name the line's index.
#[inline(always)]
fn line_amount(line: &LineItem, index: usize, dp: u32) -> Result<Decimal> {
    if line.is_simple() {
        return rounded_product(line.quantity(), line.price(), dp);
    }
    line.net_amount(dp).map_err(|e| match e {
        Error::InvalidLine { reason, .. } => Error::InvalidLine { index, reason },
        other => other,
    })
}

impl Totals {
    /// Computes the totals of `invoice` under `policy`.
    ///
    /// Amounts are rounded half away from zero to the currency's minor units; VAT to the
    /// policy's tax precision when it sets one. The computation runs in four steps:
    /// 1. the lines: each net (BT-131), their sum (BT-106), each VAT group's share;
    /// 2. the document allowances (BT-107) and charges (BT-108), into their groups;
    /// 3. the VAT of each group (BT-117) and its sum (BT-110);
    /// 4. the document totals (BT-109, BT-112 to BT-115).
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] when an amount overflows, [`Error::InvalidLine`] for a line
    /// with a zero base quantity, [`Error::InvalidField`] for a document allowance or
    /// charge without VAT (BR-32, BR-37).
    pub fn compute(invoice: &Invoice, policy: &RoundingPolicy) -> Result<Totals> {
        let rules = Rules::of(invoice, policy);
        let mut sums = LineSums::of(invoice, rules)?;
        let document = DocumentAllowancesCharges::apply(invoice, rules, &mut sums)?;
        let tax_total = vat_of_groups(&mut sums.groups, rules, invoice.stated_vat_amounts())?;
        keep_empty_rows(&mut sums.groups, invoice.empty_vat_rows());
        let amounts = DocumentAmounts::of(invoice, policy, rules, &sums, &document, tax_total)?;
        Ok(Totals {
            line_net_amounts: sums.line_net_amounts,
            line_extension_amount: sums.line_extension_amount,
            allowance_total: document.allowance_total,
            charge_total: document.charge_total,
            tax_exclusive_amount: amounts.tax_exclusive_amount,
            tax_total,
            tax_inclusive_amount: amounts.tax_inclusive_amount,
            prepaid_amount: amounts.prepaid_amount,
            rounding_amount: amounts.rounding_amount,
            payable_amount: amounts.payable_amount,
            vat_breakdown: sums.groups,
        })
    }

    /// The net amount of each line (BT-131), in line order.
    pub fn line_net_amounts(&self) -> &[Decimal] {
        &self.line_net_amounts
    }

    /// Sum of invoice line net amounts (BT-106).
    pub fn line_extension_amount(&self) -> Decimal {
        self.line_extension_amount
    }

    /// Sum of document-level allowances (BT-107).
    pub fn allowance_total(&self) -> Decimal {
        self.allowance_total
    }

    /// Sum of document-level charges (BT-108).
    pub fn charge_total(&self) -> Decimal {
        self.charge_total
    }

    /// Invoice total amount without VAT (BT-109).
    pub fn tax_exclusive_amount(&self) -> Decimal {
        self.tax_exclusive_amount
    }

    /// Invoice total VAT amount (BT-110).
    pub fn tax_total(&self) -> Decimal {
        self.tax_total
    }

    /// Invoice total amount with VAT (BT-112).
    pub fn tax_inclusive_amount(&self) -> Decimal {
        self.tax_inclusive_amount
    }

    /// Paid amount (BT-113).
    pub fn prepaid_amount(&self) -> Decimal {
        self.prepaid_amount
    }

    /// Rounding amount (BT-114).
    pub fn rounding_amount(&self) -> Decimal {
        self.rounding_amount
    }

    /// Amount due for payment (BT-115).
    pub fn payable_amount(&self) -> Decimal {
        self.payable_amount
    }

    /// The VAT breakdown (BG-23), one row per (category, rate), in order of first use.
    pub fn vat_breakdown(&self) -> &[TaxBreakdown] {
        &self.vat_breakdown
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Address, AllowanceCharge, AllowanceChargeAmount, AllowanceChargeKind, CountryCode,
        Currency, InvoiceBuilder, InvoiceId, LineItem, Party, TenantId, UnitCode,
    };
    use proptest::prelude::*;
    use rust_decimal_macros::dec;
    use uuid::Uuid;

    fn builder(currency: Currency) -> InvoiceBuilder {
        let address = Address::new(CountryCode::new("DE").unwrap());
        InvoiceBuilder::new(
            InvoiceId::from_uuid(Uuid::from_u128(1)),
            TenantId::new("t").unwrap(),
            currency,
            Party::new("Seller", address.clone()),
            Party::new("Buyer", address),
        )
    }

    fn line(id: usize, qty: Decimal, price: Decimal, vat: Vat) -> LineItem {
        LineItem::new(id.to_string(), "Item", qty, UnitCode::piece(), price, vat)
    }

    fn vats() -> impl Strategy<Value = Vat> {
        prop_oneof![
            Just(Vat::standard(dec!(19))),
            Just(Vat::standard(dec!(7))),
            Just(Vat::standard(dec!(25))),
            Just(Vat::standard(dec!(5.5))),
            Just(Vat::zero_rated()),
            Just(Vat::exempt()),
            Just(Vat::reverse_charge()),
        ]
    }

    /// A decimal with `0..=max_scale` digits after the separator.
    fn decimal(range: std::ops::Range<i64>, max_scale: u32) -> impl Strategy<Value = Decimal> {
        (range, 0..=max_scale).prop_map(|(m, s)| Decimal::new(m, s))
    }

    fn line_strategy(
    ) -> impl Strategy<Value = (Decimal, Decimal, Decimal, Vat, Option<(bool, Decimal)>)> {
        (
            decimal(-100_000..100_000, 3),
            decimal(0..10_000_000, 4),
            prop_oneof![
                Just(Decimal::ONE),
                Just(dec!(10)),
                Just(dec!(100)),
                Just(dec!(3))
            ],
            vats(),
            proptest::option::of((any::<bool>(), decimal(0..100_000, 2))),
        )
    }

    fn doc_ac_strategy() -> impl Strategy<Value = (bool, Vat, Result<Decimal, Decimal>)> {
        (
            any::<bool>(),
            vats(),
            prop_oneof![
                decimal(0..1_000_000, 2).prop_map(Ok),
                decimal(0..5_000, 2).prop_map(Err),
            ],
        )
    }

    prop_compose! {
        fn invoices()(
            currency in prop_oneof![Just(Currency::EUR), Just(Currency::JPY), Just(Currency::KWD)],
            lines in proptest::collection::vec(line_strategy(), 1..25),
            acs in proptest::collection::vec(doc_ac_strategy(), 0..4),
            prepaid in decimal(0..100_000, 2),
        ) -> Invoice {
            // Stated amounts carry no more decimals than the currency has (BR-DEC-*).
            let dp = currency.minor_units();
            let stated = |d: Decimal| RoundingMode::HalfAwayFromZero.round(d, dp);
            let mut b = builder(currency).prepaid_amount(stated(prepaid));
            for (i, (qty, price, base, vat, lac)) in lines.into_iter().enumerate() {
                let mut l = line(i + 1, qty, price, vat).with_base_quantity(base);
                if let Some((charge, amount)) = lac {
                    l = l.with_allowance_charge(if charge {
                        AllowanceCharge::charge(stated(amount))
                    } else {
                        AllowanceCharge::allowance(stated(amount))
                    });
                }
                b = b.line(l);
            }
            for (charge, vat, amount) in acs {
                let kind = if charge { AllowanceChargeKind::Charge } else { AllowanceChargeKind::Allowance };
                let amount = match amount {
                    Ok(amount) => AllowanceChargeAmount::Fixed { amount: stated(amount) },
                    // Percent of the group's line nets (no stated base).
                    Err(percent) => AllowanceChargeAmount::Percentage { percent, base: None },
                };
                b = b.allowance_charge(AllowanceCharge::new(kind, amount).with_vat(vat));
            }
            b.build().unwrap()
        }
    }

    fn policies() -> impl Strategy<Value = RoundingPolicy> {
        prop_oneof![
            Just(RoundingPolicy::en16931()),
            Just(RoundingPolicy::en16931().with_tax_per_line()),
            Just(RoundingPolicy::en16931().with_gross_prices()),
            Just(
                RoundingPolicy::en16931()
                    .with_cash_increment(dec!(0.05))
                    .unwrap()
            ),
            Just(RoundingPolicy::en16931().with_tax_precision(0)),
        ]
    }

    fn negated_totals(t: &Totals) -> Totals {
        Totals {
            line_net_amounts: t.line_net_amounts.iter().map(|d| -*d).collect(),
            line_extension_amount: -t.line_extension_amount,
            allowance_total: -t.allowance_total,
            charge_total: -t.charge_total,
            tax_exclusive_amount: -t.tax_exclusive_amount,
            tax_total: -t.tax_total,
            tax_inclusive_amount: -t.tax_inclusive_amount,
            prepaid_amount: -t.prepaid_amount,
            rounding_amount: -t.rounding_amount,
            payable_amount: -t.payable_amount,
            vat_breakdown: t
                .vat_breakdown
                .iter()
                .map(|b| TaxBreakdown {
                    taxable_amount: -b.taxable_amount,
                    tax_amount: -b.tax_amount,
                    ..b.clone()
                })
                .collect(),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn br_co_identities_hold_for_arbitrary_invoices(invoice in invoices(), policy in policies()) {
            let t = Totals::compute(&invoice, &policy).unwrap();
            let dp = invoice.currency().minor_units();
            let tax_dp = policy.tax_precision().unwrap_or(dp);
            // Line nets (BT-131): whichever path computed them, they are the reference
            // `LineItem::net_amount`'s, which works on `Decimal` throughout.
            if policy.price_basis() == PriceBasis::Net {
                for (line, net) in invoice.lines().iter().zip(t.line_net_amounts()) {
                    prop_assert_eq!(*net, line.net_amount(dp).unwrap());
                }
            }
            // BR-CO-10
            let sum_lines: Decimal = t.line_net_amounts().iter().sum();
            prop_assert_eq!(t.line_extension_amount(), sum_lines);
            // BR-CO-11, BR-CO-12
            let mut allowances = Decimal::ZERO;
            let mut charges = Decimal::ZERO;
            for ac in invoice.allowances_charges() {
                let group_nets: Decimal = invoice.lines().iter().zip(t.line_net_amounts())
                    .filter(|(l, _)| Some(l.vat()) == ac.vat()).map(|(_, n)| *n).sum();
                let amount = ac.resolved_amount(group_nets, dp).unwrap();
                if policy.price_basis() == PriceBasis::Net {
                    if ac.is_charge() { charges += amount } else { allowances += amount }
                }
            }
            if policy.price_basis() == PriceBasis::Net {
                prop_assert_eq!(t.allowance_total(), allowances);
                prop_assert_eq!(t.charge_total(), charges);
            }
            // BR-CO-13
            prop_assert_eq!(t.tax_exclusive_amount(),
                t.line_extension_amount() - t.allowance_total() + t.charge_total());
            // BR-CO-14
            let sum_tax: Decimal = t.vat_breakdown().iter().map(TaxBreakdown::tax_amount).sum();
            prop_assert_eq!(t.tax_total(), sum_tax);
            // BR-CO-15
            prop_assert_eq!(t.tax_inclusive_amount(), t.tax_exclusive_amount() + t.tax_total());
            // BR-CO-16
            prop_assert_eq!(t.payable_amount(),
                t.tax_inclusive_amount() - t.prepaid_amount() + t.rounding_amount());
            // Σ taxable over groups = BT-109 (BR-S-08 and siblings summed)
            let sum_taxable: Decimal = t.vat_breakdown().iter().map(TaxBreakdown::taxable_amount).sum();
            prop_assert_eq!(sum_taxable, t.tax_exclusive_amount());
            for b in t.vat_breakdown() {
                // BR-S-08: group taxable = its line nets ± its document allowances/charges
                let nets: Decimal = invoice.lines().iter().zip(t.line_net_amounts())
                    .filter(|(l, _)| l.vat().category() == b.category() && l.vat().rate() == b.rate())
                    .map(|(_, n)| *n).sum();
                if invoice.allowances_charges().is_empty() {
                    prop_assert_eq!(b.taxable_amount(), nets);
                }
                // BR-CO-17 / BR-S-09 under the default tax rounding
                if policy.tax_rounding() == TaxRounding::PerBreakdown {
                    let expected = RoundingMode::HalfAwayFromZero
                        .round(b.taxable_amount() * b.rate() / Decimal::ONE_HUNDRED, tax_dp);
                    prop_assert_eq!(b.tax_amount(), expected);
                }
            }
            // Every amount is rounded to the currency's minor units.
            for amount in [t.line_extension_amount(), t.tax_exclusive_amount(), t.payable_amount()] {
                prop_assert_eq!(amount, RoundingMode::HalfAwayFromZero.round(amount, dp));
            }
            if let Some(increment) = policy.cash_increment() {
                prop_assert!((t.payable_amount() % increment).is_zero());
            }
        }

        #[test]
        fn negated_quantities_give_exactly_negated_totals(invoice in invoices(), policy in policies()) {
            let t = Totals::compute(&invoice, &policy).unwrap();
            let n = Totals::compute(&invoice.negated(), &policy).unwrap();
            prop_assert_eq!(n, negated_totals(&t));
        }

        #[test]
        fn invoice_serde_round_trip(invoice in invoices()) {
            let json = serde_json::to_string(&invoice).unwrap();
            let back: Invoice = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(&back, &invoice);
            prop_assert_eq!(back.totals().unwrap(), invoice.totals().unwrap());
        }
    }

    #[test]
    fn amounts_keep_the_scale_decimal_arithmetic_gives_them() {
        // A zero net on the Decimal path (10.00 less a 10.00 allowance: "0.00") and
        // integer amounts on the integer path ("20") are kept as rust_decimal gives them.
        let invoice = builder(Currency::EUR)
            .line(
                line(1, dec!(1), dec!(10.00), Vat::standard(dec!(19)))
                    .with_allowance_charge(AllowanceCharge::allowance(dec!(10.00))),
            )
            .line(line(2, dec!(2), dec!(10), Vat::standard(dec!(7))))
            .build()
            .unwrap();
        let t = Totals::compute(&invoice, &RoundingPolicy::en16931()).unwrap();
        let reference: Vec<String> = invoice
            .lines()
            .iter()
            .map(|l| l.net_amount(2).unwrap().to_string())
            .collect();
        let nets: Vec<String> = t
            .line_net_amounts()
            .iter()
            .map(ToString::to_string)
            .collect();
        let taxable: Vec<String> = t
            .vat_breakdown()
            .iter()
            .map(|b| b.taxable_amount().to_string())
            .collect();
        assert_eq!(nets, reference);
        assert_eq!(taxable, reference);
        assert_eq!(nets, ["0.00", "20"]);
    }

    #[test]
    fn tax_per_line_differs_from_tax_per_group() {
        let invoice = builder(Currency::EUR)
            .line(line(1, dec!(1), dec!(0.13), Vat::standard(dec!(19))))
            .line(line(2, dec!(1), dec!(0.13), Vat::standard(dec!(19))))
            .line(line(3, dec!(1), dec!(0.13), Vat::standard(dec!(19))))
            .build()
            .unwrap();
        // 0.13 × 19 % = 0.0247 → 0.02 per line, 0.06 in all; per group 0.39 × 19 % = 0.0741 → 0.07.
        let en = Totals::compute(&invoice, &RoundingPolicy::en16931()).unwrap();
        let per_line =
            Totals::compute(&invoice, &RoundingPolicy::en16931().with_tax_per_line()).unwrap();
        assert_eq!(en.tax_total(), dec!(0.07));
        assert_eq!(per_line.tax_total(), dec!(0.06));
        assert_eq!(per_line.payable_amount(), dec!(0.45));
        assert_eq!(en.payable_amount(), dec!(0.46));
    }

    #[test]
    fn gross_prices_make_the_payable_equal_the_sum_of_gross_lines() {
        // Three items at 9.99 including 19 % VAT: the buyer expects to pay 29.97.
        let invoice = builder(Currency::EUR)
            .lines((1..=3).map(|i| line(i, dec!(1), dec!(9.99), Vat::standard(dec!(19)))))
            .build()
            .unwrap();
        let gross =
            Totals::compute(&invoice, &RoundingPolicy::en16931().with_gross_prices()).unwrap();
        // Each net: 9.99 / 1.19 = 8.3949… → 8.39; 3 × 8.39 = 25.17; VAT 25.17 × 19 % = 4.7823 → 4.78.
        assert_eq!(gross.line_extension_amount(), dec!(25.17));
        assert_eq!(gross.tax_total(), dec!(4.78));
        assert_eq!(gross.tax_inclusive_amount(), dec!(29.95));
        assert_eq!(gross.rounding_amount(), dec!(0.02));
        assert_eq!(gross.payable_amount(), dec!(29.97));
        // The default policy would treat 9.99 as net.
        let en = invoice.totals().unwrap();
        assert_eq!(en.payable_amount(), dec!(35.66));
    }

    #[test]
    fn cash_rounding_moves_the_difference_into_bt_114() {
        let invoice = builder(Currency::CHF)
            .line(line(1, dec!(1), dec!(10.00), Vat::standard(dec!(8.1))))
            .build()
            .unwrap();
        let en = invoice.totals().unwrap();
        assert_eq!(en.payable_amount(), dec!(10.81));
        assert_eq!(en.rounding_amount(), dec!(0));
        let chf = RoundingPolicy::en16931()
            .with_cash_increment(dec!(0.05))
            .unwrap();
        let cash = Totals::compute(&invoice, &chf).unwrap();
        assert_eq!(cash.tax_inclusive_amount(), dec!(10.81));
        assert_eq!(cash.rounding_amount(), dec!(-0.01));
        assert_eq!(cash.payable_amount(), dec!(10.80));
        // SEK rounds to whole kronor.
        let sek = RoundingPolicy::en16931()
            .with_cash_increment(dec!(1.00))
            .unwrap();
        let whole = Totals::compute(&invoice, &sek).unwrap();
        assert_eq!(whole.payable_amount(), dec!(11.00));
        assert_eq!(whole.rounding_amount(), dec!(0.19));
    }

    #[test]
    fn tax_precision_can_be_whole_units() {
        let invoice = builder(Currency::HUF)
            .line(line(1, dec!(1), dec!(69180.00), Vat::standard(dec!(27))))
            .build()
            .unwrap();
        // 69180 × 27 % = 18678.60
        assert_eq!(invoice.totals().unwrap().tax_total(), dec!(18678.60));
        let whole =
            Totals::compute(&invoice, &RoundingPolicy::en16931().with_tax_precision(0)).unwrap();
        assert_eq!(whole.tax_total(), dec!(18679));
    }

    #[test]
    fn jpy_and_kwd_round_to_their_minor_units() {
        let yen = builder(Currency::JPY)
            .line(line(1, dec!(3), dec!(333.5), Vat::standard(dec!(10))))
            .build()
            .unwrap();
        let t = yen.totals().unwrap();
        assert_eq!(t.line_extension_amount(), dec!(1001)); // 1000.5 → 1001
        assert_eq!(t.tax_total(), dec!(100)); // 100.1 → 100
        let kwd = builder(Currency::KWD)
            .line(line(1, dec!(1), dec!(1.2345), Vat::standard(dec!(5))))
            .build()
            .unwrap();
        let t = kwd.totals().unwrap();
        assert_eq!(t.line_extension_amount(), dec!(1.235));
        assert_eq!(t.tax_total(), dec!(0.062)); // 0.06175 → 0.062
    }

    #[test]
    fn a_group_of_only_document_charges_takes_their_exemption_reason() {
        let reason = crate::VatExemption::reason("Skatteundantag");
        let invoice = builder(Currency::SEK)
            .line(line(1, dec!(1), dec!(100), Vat::standard(dec!(25))))
            .allowance_charge(
                AllowanceCharge::charge(dec!(1))
                    .with_vat(Vat::exempt())
                    .with_exemption(reason.clone()),
            )
            .build()
            .unwrap();
        let totals = invoice.totals().unwrap();
        let exempt = &totals.vat_breakdown()[1];
        assert_eq!(exempt.category(), VatCategory::Exempt);
        assert_eq!(exempt.exemption(), Some(&reason));
        assert_eq!(totals.vat_breakdown()[0].exemption(), None);
    }

    #[test]
    fn document_allowance_without_vat_is_a_typed_error() {
        let invoice = builder(Currency::EUR)
            .line(line(1, dec!(1), dec!(1), Vat::standard(dec!(19))))
            .allowance_charge(AllowanceCharge::allowance(dec!(1)))
            .build()
            .unwrap();
        assert!(matches!(invoice.totals(), Err(Error::InvalidField { .. })));
    }

    #[test]
    fn overflow_is_a_typed_error_not_a_panic() {
        let invoice = builder(Currency::EUR)
            .line(line(1, Decimal::MAX, Decimal::MAX, Vat::standard(dec!(19))))
            .build()
            .unwrap();
        assert_eq!(invoice.totals(), Err(Error::Overflow));
    }

    /// BR-CO-17: a stated row VAT within one unit of the currency of the computed one is
    /// kept, and the totals follow it; one a whole unit off is not.
    #[test]
    fn a_stated_vat_within_a_unit_is_kept_and_the_totals_follow() {
        let vat = Vat::standard(dec!(19));
        let invoice = |stated: Decimal| {
            builder(Currency::EUR)
                .line(line(1, dec!(1), dec!(100.00), vat))
                .stated_vat_amount(vat, stated)
                .build()
                .unwrap()
                .totals()
                .unwrap()
        };
        let kept = invoice(dec!(19.01));
        assert_eq!(kept.vat_breakdown()[0].tax_amount(), dec!(19.01));
        assert_eq!(kept.tax_total(), dec!(19.01));
        assert_eq!(kept.payable_amount(), dec!(119.01));
        let ignored = invoice(dec!(20.00));
        assert_eq!(ignored.tax_total(), dec!(19.00));
        assert_eq!(ignored.payable_amount(), dec!(119.00));
    }

    /// A stated empty row for a category nothing uses is listed after the computed rows,
    /// with zero amounts; one for a category a line uses is computed as usual.
    #[test]
    fn an_empty_row_is_listed_only_where_nothing_else_is() {
        let s19 = Vat::standard(dec!(19));
        let totals = builder(Currency::EUR)
            .line(line(1, dec!(1), dec!(100.00), s19))
            .empty_vat_row(EmptyVatRow::new(Vat::zero_rated(), None))
            .empty_vat_row(EmptyVatRow::new(s19, None))
            .build()
            .unwrap()
            .totals()
            .unwrap();
        let rows: Vec<_> = totals
            .vat_breakdown()
            .iter()
            .map(|r| (r.category(), r.taxable_amount(), r.tax_amount()))
            .collect();
        assert_eq!(
            rows,
            [
                (VatCategory::Standard, dec!(100.00), dec!(19.00)),
                (VatCategory::ZeroRated, Decimal::ZERO, Decimal::ZERO)
            ]
        );
        assert_eq!(totals.payable_amount(), dec!(119.00));
    }
}
