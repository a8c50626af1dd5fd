//! Document totals and the VAT breakdown, by the EN 16931 calculation rules.
//!
//! | field | BT | rule |
//! |---|---|---|
//! | [`Totals::line_extension_amount`] | BT-106 | Σ line nets (BR-CO-10) |
//! | [`Totals::allowance_total`] | BT-107 | Σ document allowances (BR-CO-11) |
//! | [`Totals::charge_total`] | BT-108 | Σ document charges (BR-CO-12) |
//! | [`Totals::tax_exclusive_amount`] | BT-109 | BT-106 − BT-107 + BT-108 (BR-CO-13) |
//! | [`Totals::tax_total`] | BT-110 | Σ breakdown VAT (BR-CO-14) |
//! | [`Totals::tax_inclusive_amount`] | BT-112 | BT-109 + BT-110 (BR-CO-15) |
//! | [`Totals::prepaid_amount`] | BT-113 | as stated |
//! | [`Totals::rounding_amount`] | BT-114 | by the [`RoundingPolicy`], or as stated |
//! | [`Totals::payable_amount`] | BT-115 | BT-112 − BT-113 + BT-114 (BR-CO-16) |
//!
//! Per (category, rate) group, the taxable amount (BT-116) is the sum of its line nets plus
//! its document charges minus its document allowances (BR-S-08 and its siblings for Z, E,
//! AE, K, G, O, L, M), and its VAT (BT-117) is that amount times the rate, rounded half
//! away from zero (BR-S-09, BR-CO-17).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::invoice::Invoice;
use crate::rounding::{PriceBasis, RoundingMode, RoundingPolicy, TaxRounding};
use crate::vat::{Vat, VatCategory, VatExemption};

/// One row of the VAT breakdown (BG-23).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TaxBreakdown {
    category: VatCategory,
    rate: Decimal,
    taxable_amount: Decimal,
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

/// The computed totals of an invoice (BG-22) and its VAT breakdown (BG-23).
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
    line_net_amounts: Vec<Decimal>,
    line_extension_amount: Decimal,
    allowance_total: Decimal,
    charge_total: Decimal,
    tax_exclusive_amount: Decimal,
    tax_total: Decimal,
    tax_inclusive_amount: Decimal,
    prepaid_amount: Decimal,
    rounding_amount: Decimal,
    payable_amount: Decimal,
    vat_breakdown: Vec<TaxBreakdown>,
}

/// A breakdown group while it is being summed.
struct Group {
    vat: Vat,
    line_nets: Decimal,
    taxable: Decimal,
    line_tax: Decimal,
    exemption: Option<VatExemption>,
}

fn add(a: Decimal, b: Decimal) -> Result<Decimal> {
    a.checked_add(b).ok_or(Error::Overflow)
}

fn sub(a: Decimal, b: Decimal) -> Result<Decimal> {
    a.checked_sub(b).ok_or(Error::Overflow)
}

/// `amount × rate / 100`, rounded half away from zero to `decimal_places`.
fn tax_of(amount: Decimal, rate: Decimal, decimal_places: u32) -> Result<Decimal> {
    if rate.is_zero() {
        return Ok(Decimal::ZERO);
    }
    let product = amount.checked_mul(rate).ok_or(Error::Overflow)?;
    let tax = product
        .checked_div(Decimal::ONE_HUNDRED)
        .ok_or(Error::Overflow)?;
    Ok(RoundingMode::HalfAwayFromZero.round(tax, decimal_places))
}

/// The net part of a VAT-inclusive amount: `gross × 100 / (100 + rate)`, rounded.
fn net_of_gross(gross: Decimal, rate: Decimal, decimal_places: u32) -> Result<Decimal> {
    if rate.is_zero() {
        return Ok(gross);
    }
    let divisor = add(Decimal::ONE_HUNDRED, rate)?;
    let scaled = gross
        .checked_mul(Decimal::ONE_HUNDRED)
        .ok_or(Error::Overflow)?;
    let net = scaled.checked_div(divisor).ok_or(Error::Overflow)?;
    Ok(RoundingMode::HalfAwayFromZero.round(net, decimal_places))
}

/// Finds the group of `vat`, trying the last one used first (lines tend to come in runs).
fn group_index(groups: &mut Vec<Group>, last: &mut usize, vat: Vat) -> usize {
    if let Some(g) = groups.get(*last) {
        if g.vat == vat {
            return *last;
        }
    }
    let found = groups.iter().position(|g| g.vat == vat);
    let index = found.unwrap_or_else(|| {
        groups.push(Group {
            vat,
            line_nets: Decimal::ZERO,
            taxable: Decimal::ZERO,
            line_tax: Decimal::ZERO,
            exemption: None,
        });
        groups.len() - 1
    });
    *last = index;
    index
}

impl Totals {
    /// Computes the totals of `invoice` under `policy`.
    ///
    /// Amounts are rounded half away from zero to the currency's minor units; VAT to the
    /// policy's tax precision when it sets one.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] when an amount overflows, [`Error::InvalidLine`] for a line
    /// with a zero base quantity, [`Error::InvalidField`] for a document allowance or
    /// charge without VAT (BR-32, BR-37).
    pub fn compute(invoice: &Invoice, policy: &RoundingPolicy) -> Result<Totals> {
        let dp = invoice.currency().minor_units();
        let tax_dp = policy.tax_precision().unwrap_or(dp);
        let per_line = policy.tax_rounding() == TaxRounding::PerLine;
        let gross_prices = policy.price_basis() == PriceBasis::Gross;

        let mut groups: Vec<Group> = Vec::new();
        let mut last = 0;
        let mut line_net_amounts = Vec::with_capacity(invoice.lines().len());
        let mut line_extension_amount = Decimal::ZERO;
        // With VAT-inclusive prices: what the buyer was shown, the target payable amount.
        let mut gross_target = Decimal::ZERO;

        for (index, line) in invoice.lines().iter().enumerate() {
            let vat = line.vat();
            let amount = line.net_amount(dp).map_err(|e| match e {
                Error::InvalidLine { reason, .. } => Error::InvalidLine { index, reason },
                other => other,
            })?;
            let net = if gross_prices && line.stated_net_amount().is_none() {
                gross_target = add(gross_target, amount)?;
                net_of_gross(amount, vat.rate(), dp)?
            } else {
                if gross_prices {
                    gross_target =
                        add(gross_target, add(amount, tax_of(amount, vat.rate(), dp)?)?)?;
                }
                amount
            };
            line_net_amounts.push(net);
            line_extension_amount = add(line_extension_amount, net)?;
            let g = group_index(&mut groups, &mut last, vat);
            let group = &mut groups[g];
            group.line_nets = add(group.line_nets, net)?;
            if per_line {
                group.line_tax = add(group.line_tax, tax_of(net, vat.rate(), tax_dp)?)?;
            }
            if group.exemption.is_none() {
                group.exemption = line.exemption().cloned();
            }
        }
        for group in &mut groups {
            group.taxable = group.line_nets;
        }

        let mut allowance_total = Decimal::ZERO;
        let mut charge_total = Decimal::ZERO;
        for ac in invoice.allowances_charges() {
            let vat = ac.vat().ok_or_else(|| Error::InvalidField {
                field: "document allowance or charge",
                value: ac.reason().unwrap_or_default().to_owned(),
                reason: "has no VAT category (BR-32, BR-37)",
            })?;
            let g = group_index(&mut groups, &mut last, vat);
            let group = &mut groups[g];
            let stated = ac.resolved_amount(group.line_nets, dp)?;
            let amount = if gross_prices {
                let signed = if ac.is_charge() { stated } else { -stated };
                gross_target = add(gross_target, signed)?;
                net_of_gross(stated, vat.rate(), dp)?
            } else {
                stated
            };
            let tax = if per_line {
                tax_of(amount, vat.rate(), tax_dp)?
            } else {
                Decimal::ZERO
            };
            if ac.is_charge() {
                charge_total = add(charge_total, amount)?;
                group.taxable = add(group.taxable, amount)?;
                group.line_tax = add(group.line_tax, tax)?;
            } else {
                allowance_total = add(allowance_total, amount)?;
                group.taxable = sub(group.taxable, amount)?;
                group.line_tax = sub(group.line_tax, tax)?;
            }
        }

        let tax_exclusive_amount = add(sub(line_extension_amount, allowance_total)?, charge_total)?;
        let mut tax_total = Decimal::ZERO;
        let mut vat_breakdown = Vec::with_capacity(groups.len());
        for group in groups {
            let tax_amount = if per_line {
                group.line_tax
            } else {
                tax_of(group.taxable, group.vat.rate(), tax_dp)?
            };
            tax_total = add(tax_total, tax_amount)?;
            vat_breakdown.push(TaxBreakdown {
                category: group.vat.category(),
                rate: group.vat.rate(),
                taxable_amount: group.taxable,
                tax_amount,
                exemption: group.exemption,
            });
        }
        let tax_inclusive_amount = add(tax_exclusive_amount, tax_total)?;
        let prepaid_amount = invoice.prepaid_amount();

        let policy_rounds = gross_prices || policy.cash_increment().is_some();
        let mut rounding_amount = if policy_rounds {
            Decimal::ZERO
        } else {
            invoice.stated_rounding_amount().unwrap_or(Decimal::ZERO)
        };
        if gross_prices {
            rounding_amount = sub(gross_target, tax_inclusive_amount)?;
        }
        if let Some(increment) = policy.cash_increment() {
            let due = add(sub(tax_inclusive_amount, prepaid_amount)?, rounding_amount)?;
            let rounded = RoundingMode::HalfAwayFromZero.round_to_increment(due, increment)?;
            rounding_amount = add(rounding_amount, sub(rounded, due)?)?;
        }
        let payable_amount = add(sub(tax_inclusive_amount, prepaid_amount)?, rounding_amount)?;

        Ok(Totals {
            line_net_amounts,
            line_extension_amount,
            allowance_total,
            charge_total,
            tax_exclusive_amount,
            tax_total,
            tax_inclusive_amount,
            prepaid_amount,
            rounding_amount,
            payable_amount,
            vat_breakdown,
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
