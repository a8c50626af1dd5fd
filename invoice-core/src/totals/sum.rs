//! The roundings the totals compute, and the one accumulator that adds their results.
//!
//! [`rounded_product`] and [`rounded_percentage`] give a line net or a VAT amount as a
//! `Decimal`, computed on integer mantissas when [`Fixed`] can take the operands. [`Sum`]
//! adds amounts exactly and gives the `Decimal` a chain of `Decimal::checked_add`s from
//! zero would give: what the integer path computed it adds in an `i128` without going
//! through `Decimal` at all ([`Sum::add_percentage`], [`LineNetSums::add_product`]), what
//! fits adds there too, the rest as `Decimal`s. [`LineNetSums`] is step 1's: the lines'
//! total and one [`Sum`] per VAT group. The steps of
//! [`Totals::compute`](super::Totals::compute) see only these: where integers stand in
//! for `Decimal` arithmetic is decided here, once.

use rust_decimal::Decimal;

use super::fixed_point::{Fixed, FixedSum};
use super::{add, percent_of};
use crate::error::{overflow, Result};
use crate::rounding::RoundingMode;

/// `a × b` rounded half away from zero to `decimal_places`: a line's `quantity × price`.
///
/// # Errors
///
/// [`crate::Error::Overflow`] when the product does not fit a `Decimal`.
#[inline(always)]
pub(super) fn rounded_product(a: Decimal, b: Decimal, decimal_places: u32) -> Result<Decimal> {
    match Fixed::rounded_product(a, b, decimal_places) {
        Some(fixed) => Ok(fixed.to_decimal()),
        None => decimal_product(a, b, decimal_places),
    }
}

/// [`rounded_product`] where the integer path declines.
#[inline(never)]
fn decimal_product(a: Decimal, b: Decimal, decimal_places: u32) -> Result<Decimal> {
    a.checked_mul(b)
        .map(|product| RoundingMode::HalfAwayFromZero.round(product, decimal_places))
        .ok_or_else(overflow)
}

/// `amount × rate / 100` rounded half away from zero to `decimal_places`: VAT at a rate
/// in percent.
///
/// # Errors
///
/// [`crate::Error::Overflow`] when the product does not fit a `Decimal`.
#[inline(always)]
pub(super) fn rounded_percentage(
    amount: Decimal,
    rate: Decimal,
    decimal_places: u32,
) -> Result<Decimal> {
    if rate.is_zero() {
        return Ok(Decimal::ZERO);
    }
    match Fixed::rounded_percentage(amount, rate, decimal_places) {
        Some(fixed) => Ok(fixed.to_decimal()),
        None => decimal_percentage(amount, rate, decimal_places),
    }
}

/// [`rounded_percentage`] where the integer path declines.
#[inline(never)]
fn decimal_percentage(amount: Decimal, rate: Decimal, decimal_places: u32) -> Result<Decimal> {
    let product = amount.checked_mul(rate).ok_or_else(overflow)?;
    Ok(RoundingMode::HalfAwayFromZero.round(percent_of(product)?, decimal_places))
}

/// An exact running sum of amounts rounded to at most `decimal_places` places (the same
/// for every call on one sum): what fits a [`FixedSum`] adds as an integer, the rest as
/// `Decimal`s, and [`Sum::total`] joins the two.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Sum {
    fixed: FixedSum,
    decimal: Decimal,
}

impl Sum {
    /// Adds `amount × rate / 100` rounded half away from zero to `decimal_places` (as
    /// [`rounded_percentage`]) and returns it.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Overflow`] when the product or the sum overflows.
    #[inline(always)]
    pub(super) fn add_percentage(
        &mut self,
        amount: Decimal,
        rate: Decimal,
        decimal_places: u32,
    ) -> Result<Decimal> {
        if rate.is_zero() {
            return Ok(Decimal::ZERO);
        }
        let Some(fixed) = Fixed::rounded_percentage(amount, rate, decimal_places) else {
            let tax = decimal_percentage(amount, rate, decimal_places)?;
            self.add(tax, decimal_places)?;
            return Ok(tax);
        };
        self.fixed.add(fixed, decimal_places);
        Ok(fixed.to_decimal())
    }

    /// Adds `amount`.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Overflow`] when the `Decimal` part overflows.
    #[inline(always)]
    pub(super) fn add(&mut self, amount: Decimal, decimal_places: u32) -> Result<()> {
        if !self.fixed.try_add(amount, decimal_places) {
            self.decimal = add(self.decimal, amount)?;
        }
        Ok(())
    }

    /// The sum, with the scale `rust_decimal` gives it.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Overflow`] when the sum does not fit a `Decimal`.
    #[inline(always)]
    pub(super) fn total(self, decimal_places: u32) -> Result<Decimal> {
        if self.fixed.is_empty() {
            return Ok(self.decimal);
        }
        let fixed = self.fixed.to_decimal(decimal_places)?;
        // `0 + x` is `x` in rust_decimal too, whatever the zero's scale; the common case
        // (no `Decimal` term at all) skips the general addition.
        if self.decimal.is_zero() {
            Ok(fixed)
        } else {
            add(self.decimal, fixed)
        }
    }
}

/// How many VAT groups keep their sums inline; later ones (an invoice with more than
/// eight categories and rates) spill to the heap.
const INLINE_GROUPS: usize = 8;

/// Step 1's accumulator: each line's net (BT-131) in line order, their total (BT-106)
/// and, per VAT group by its index in the breakdown, the lines' part of the group's
/// taxable amount.
#[derive(Debug, Default)]
pub(super) struct LineNetSums {
    nets: Vec<Decimal>,
    total: Sum,
    /// The inline groups' [`Sum`]s, their two parts apart so that the integer path walks
    /// only the integers.
    group_fixed: [FixedSum; INLINE_GROUPS],
    group_decimal: [Decimal; INLINE_GROUPS],
    spilled: Vec<Sum>,
}

impl LineNetSums {
    /// Room for the nets of `lines` lines.
    #[inline]
    pub(super) fn with_capacity(lines: usize) -> LineNetSums {
        LineNetSums {
            nets: Vec::with_capacity(lines),
            ..LineNetSums::default()
        }
    }

    /// Adds the net of a line of `quantity × price` in group `group`, rounded half away from
    /// zero to `decimal_places` (as [`rounded_product`]), and returns it.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Overflow`] when the product or a sum overflows.
    #[inline(always)]
    pub(super) fn add_product(
        &mut self,
        group: usize,
        quantity: Decimal,
        price: Decimal,
        decimal_places: u32,
    ) -> Result<Decimal> {
        let net = match Fixed::rounded_product(quantity, price, decimal_places) {
            Some(fixed) => {
                if let Some(group_sum) = self.group_fixed.get_mut(group) {
                    group_sum.add(fixed, decimal_places);
                    self.total.fixed.add(fixed, decimal_places);
                    self.nets.push(fixed.to_decimal());
                    return Ok(fixed.to_decimal());
                }
                fixed.to_decimal()
            }
            None => decimal_product(quantity, price, decimal_places)?,
        };
        self.add(group, net, decimal_places)?;
        Ok(net)
    }

    /// Adds a line net of group `group`.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Overflow`] when a sum overflows.
    #[inline]
    pub(super) fn add(&mut self, group: usize, net: Decimal, decimal_places: u32) -> Result<()> {
        self.nets.push(net);
        self.total.add(net, decimal_places)?;
        match (
            self.group_fixed.get_mut(group),
            self.group_decimal.get_mut(group),
        ) {
            (Some(fixed), Some(decimal)) => {
                if !fixed.try_add(net, decimal_places) {
                    *decimal = add(*decimal, net)?;
                }
                Ok(())
            }
            _ => add_spilled(
                &mut self.spilled,
                group - INLINE_GROUPS,
                net,
                decimal_places,
            ),
        }
    }

    /// The nets in the order they were added, and their sum; the nets are taken out.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Overflow`] as [`Sum::total`].
    #[inline]
    pub(super) fn take_nets_and_total(
        &mut self,
        decimal_places: u32,
    ) -> Result<(Vec<Decimal>, Decimal)> {
        let total = self.total.total(decimal_places)?;
        Ok((std::mem::take(&mut self.nets), total))
    }

    /// The sum of the nets of group `group` (zero when it has none).
    ///
    /// # Errors
    ///
    /// [`crate::Error::Overflow`] as [`Sum::total`].
    #[inline]
    pub(super) fn group_total(&self, group: usize, decimal_places: u32) -> Result<Decimal> {
        let sum = match (self.group_fixed.get(group), self.group_decimal.get(group)) {
            (Some(&fixed), Some(&decimal)) => Sum { fixed, decimal },
            _ => match self.spilled.get(group - INLINE_GROUPS) {
                Some(&sum) => sum,
                None => return Ok(Decimal::ZERO),
            },
        };
        sum.total(decimal_places)
    }
}

/// [`LineNetSums::add`] past the inline groups: apart from the sums' `self`, so that
/// the inline sums can live in registers.
#[inline(never)]
fn add_spilled(spilled: &mut Vec<Sum>, index: usize, net: Decimal, dp: u32) -> Result<()> {
    if spilled.len() <= index {
        spilled.resize(index + 1, Sum::default());
    }
    spilled[index].add(net, dp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::RoundingStrategy;

    fn decimal(mantissa: i64, scale: u32) -> Decimal {
        Decimal::new(mantissa, scale)
    }

    #[test]
    fn products_and_percentages_round_as_rust_decimal_on_either_path() {
        let by_decimal = |a: Decimal, b: Decimal, dp| {
            (a * b).round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
        };
        // 2.5 × 1.999 takes the integer path; a mantissa of 2^70 does not.
        let big = Decimal::from_i128_with_scale(1 << 70, 4);
        for (a, b) in [(decimal(25, 1), decimal(1999, 3)), (big, decimal(25, 1))] {
            assert_eq!(
                rounded_product(a, b, 2).unwrap().serialize(),
                by_decimal(a, b, 2).serialize()
            );
            let vat = rounded_percentage(a, decimal(19, 0), 2).unwrap();
            assert_eq!(vat, by_decimal(a, decimal(19, 2), 2));
        }
        assert_eq!(
            rounded_percentage(big, Decimal::ZERO, 2).unwrap(),
            Decimal::ZERO
        );
    }

    #[test]
    fn an_overflowing_product_is_an_error() {
        assert!(rounded_product(Decimal::MAX, decimal(2, 0), 2).is_err());
        assert!(rounded_percentage(Decimal::MAX, decimal(200, 0), 2).is_err());
    }

    #[test]
    fn an_empty_sum_is_zero() {
        assert_eq!(Sum::default().total(2).unwrap(), Decimal::ZERO);
        let mut nets = LineNetSums::default();
        assert_eq!(nets.group_total(12, 2).unwrap(), Decimal::ZERO);
        let (nets, total) = nets.take_nets_and_total(2).unwrap();
        assert!(nets.is_empty());
        assert_eq!(total, Decimal::ZERO);
    }

    #[test]
    fn percentages_added_are_the_ones_returned() {
        let mut sum = Sum::default();
        let mut returned = Decimal::ZERO;
        // 59.97 × 19 % on the integer path, a 2^70 mantissa on the Decimal one, rate 0.
        let big = Decimal::from_i128_with_scale(1 << 70, 4);
        for (amount, rate) in [
            (decimal(5997, 2), decimal(19, 0)),
            (big, decimal(7, 0)),
            (decimal(100, 2), Decimal::ZERO),
        ] {
            let tax = sum.add_percentage(amount, rate, 2).unwrap();
            assert_eq!(tax, rounded_percentage(amount, rate, 2).unwrap());
            returned += tax;
        }
        assert_eq!(sum.total(2).unwrap(), returned);
    }

    #[test]
    fn after_a_decimal_zero_the_scale_is_the_one_rust_decimal_gives() {
        // 0.00 (a zero, which the integer part leaves to `Decimal`), then 1.5: rust_decimal
        // drops a zero's scale.
        let mut sum = Sum::default();
        sum.add(decimal(0, 2), 2).unwrap();
        sum.add(decimal(15, 1), 2).unwrap();
        let ours = sum.total(2).unwrap();
        assert_eq!(
            ours.to_string(),
            (decimal(0, 2) + decimal(15, 1)).to_string()
        );
        assert_eq!(ours.to_string(), "1.5");
    }

    #[test]
    fn line_nets_add_to_their_group_and_the_total_past_the_inline_groups_too() {
        let mut nets = LineNetSums::default();
        for group in [0, 7, 8, 11, 11] {
            let net = nets
                .add_product(group, decimal(25, 1), decimal(2, 0), 2)
                .unwrap();
            assert_eq!(net, Decimal::from(5));
        }
        nets.add(11, decimal(-150, 2), 2).unwrap();
        let totals: Vec<_> = (0..13).map(|g| nets.group_total(g, 2).unwrap()).collect();
        let expected = [5, 0, 0, 0, 0, 0, 0, 5, 5, 0, 0, 10, 0].map(Decimal::from);
        assert_eq!(totals[..11], expected[..11]);
        assert_eq!(totals[11].to_string(), "8.50");
        assert_eq!(totals[12], Decimal::ZERO);
        let (nets, total) = nets.take_nets_and_total(2).unwrap();
        assert_eq!(nets.len(), 6);
        assert_eq!(total.to_string(), "23.50");
    }

    proptest! {
        #[test]
        fn sums_are_bit_identical_to_rust_decimal(
            terms in proptest::collection::vec(
                (-1_000_000_000i64..1_000_000_000, 0u32..=6, any::<bool>()), 1..40),
            dp in 0u32..=4,
        ) {
            let mut by_rust_decimal = Decimal::ZERO;
            let mut decimal_terms = Decimal::ZERO;
            let mut a_partial_sum_was_zero = false;
            let mut sum = Sum::default();
            for (mantissa, scale, wide) in terms {
                // A wide term (mantissa past 2^64) goes to the `Decimal` part.
                let term = RoundingMode::HalfAwayFromZero.round(decimal(mantissa, scale), dp);
                let term = if wide { term + Decimal::from(1u128 << 65) } else { term };
                by_rust_decimal += term;
                a_partial_sum_was_zero |= by_rust_decimal.is_zero();
                if wide || term.is_zero() {
                    decimal_terms += term;
                    a_partial_sum_was_zero |= decimal_terms.is_zero();
                }
                sum.add(term, dp).unwrap();
            }
            let ours = sum.total(dp).unwrap();
            prop_assert_eq!(ours, by_rust_decimal);
            // After a partial sum of exactly zero (of all the terms, or of those added as
            // `Decimal`s) rust_decimal may drop to a smaller scale; the value is the same.
            if !a_partial_sum_was_zero {
                prop_assert_eq!(ours.scale(), by_rust_decimal.scale());
            }
        }
    }
}
