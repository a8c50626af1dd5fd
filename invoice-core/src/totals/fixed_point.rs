//! Exact fixed-point arithmetic on integer mantissas for the common line.
//!
//! Most lines are `round(quantity × price)` with small mantissas: `2.5 × 19.99`. For them
//! [`Fixed::rounded_product`] computes the line net on `u64` mantissas (a multiplication
//! and a division by a constant power of ten) and [`FixedSum`] adds such nets in an
//! `i128`, where `rust_decimal` would go through its general 96-bit routines for each
//! operation. Whatever does not fit (large mantissas, scales past 28, a zero product)
//! returns `None` and takes the `Decimal` path.
//!
//! The results are the same `Decimal`s, bit for bit (mantissa, scale and sign), as
//! `(quantity * price).round_dp_with_strategy(dp, MidpointAwayFromZero)` and a chain of
//! `checked_add`s; the tests below check that on random inputs.

use rust_decimal::Decimal;

use crate::error::{overflow, Result};

/// A non-zero amount as a magnitude below 2^64, a sign and a scale (≤ 28).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Fixed {
    magnitude: u64,
    negative: bool,
    scale: u32,
}

/// `x / 10^k`, `x % 10^k` and `10^k / 2` for `k` in 1..=19, with constant divisors so
/// that the compiler turns each division into a multiplication.
#[inline]
fn div_rem_pow10(x: u64, k: u32) -> Option<(u64, u64, u64)> {
    macro_rules! by_constant {
        ($($k:literal => $p:literal),* $(,)?) => {
            match k {
                $($k => Some((x / $p, x % $p, $p / 2)),)*
                _ => None,
            }
        };
    }
    by_constant!(
        1 => 10, 2 => 100, 3 => 1_000, 4 => 10_000, 5 => 100_000, 6 => 1_000_000,
        7 => 10_000_000, 8 => 100_000_000, 9 => 1_000_000_000, 10 => 10_000_000_000,
        11 => 100_000_000_000, 12 => 1_000_000_000_000, 13 => 10_000_000_000_000,
        14 => 100_000_000_000_000, 15 => 1_000_000_000_000_000,
        16 => 10_000_000_000_000_000, 17 => 100_000_000_000_000_000,
        18 => 1_000_000_000_000_000_000, 19 => 10_000_000_000_000_000_000,
    )
}

/// `10^k` for the `k` an amount's scale can fall short of the currency's minor units.
const POWERS_OF_TEN: [i128; 29] = {
    let mut table = [1i128; 29];
    let mut i = 1;
    while i < table.len() {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

/// The most minor units the fast path serves (real currencies have at most 4): it keeps
/// every term of a [`FixedSum`] below 2^94.
const MAX_DECIMAL_PLACES: u32 = 9;

/// The magnitude of `value`'s mantissa when it is below 2^64.
#[inline]
fn small_magnitude(value: Decimal) -> Option<u64> {
    u64::try_from(value.mantissa().unsigned_abs()).ok()
}

impl Fixed {
    /// `quantity × price` rounded half away from zero to `decimal_places`, as
    /// `rust_decimal` would give it, or `None` when it does not fit the fast path.
    #[inline]
    pub(super) fn rounded_product(
        quantity: Decimal,
        price: Decimal,
        decimal_places: u32,
    ) -> Option<Fixed> {
        Self::rounded_scaled_product(quantity, price, 0, decimal_places)
    }

    /// `amount × rate / 100` rounded half away from zero to `decimal_places`: VAT at a
    /// rate in percent, as `(amount * rate)` with its scale raised by two and then rounded
    /// gives it in `rust_decimal`, or `None` when it does not fit the fast path.
    #[inline]
    pub(super) fn rounded_percentage(
        amount: Decimal,
        rate: Decimal,
        decimal_places: u32,
    ) -> Option<Fixed> {
        Self::rounded_scaled_product(amount, rate, 2, decimal_places)
    }

    /// `a × b × 10^-extra_scale`, rounded half away from zero to `decimal_places`.
    #[inline]
    fn rounded_scaled_product(
        a: Decimal,
        b: Decimal,
        extra_scale: u32,
        decimal_places: u32,
    ) -> Option<Fixed> {
        let scale = a.scale() + b.scale() + extra_scale;
        if scale > 28 || decimal_places > MAX_DECIMAL_PLACES {
            return None;
        }
        let magnitude = small_magnitude(a)?.checked_mul(small_magnitude(b)?)?;
        let negative = a.is_sign_negative() != b.is_sign_negative();
        let fixed = if scale <= decimal_places {
            Fixed {
                magnitude,
                negative,
                scale,
            }
        } else {
            let (quotient, remainder, half) = div_rem_pow10(magnitude, scale - decimal_places)?;
            Fixed {
                magnitude: quotient + u64::from(remainder >= half),
                negative,
                scale: decimal_places,
            }
        };
        // The sign and scale rust_decimal gives a zero are its own business.
        (fixed.magnitude != 0).then_some(fixed)
    }

    /// The amount as a `Decimal`.
    #[inline]
    pub(super) fn to_decimal(self) -> Decimal {
        Decimal::from_parts(
            self.magnitude as u32,
            (self.magnitude >> 32) as u32,
            0,
            self.negative,
            self.scale,
        )
    }
}

/// An exact running sum of non-zero amounts whose mantissas are below 2^64 and whose
/// scales are at most `decimal_places` (what [`Fixed`] gives, and most amounts rounded to
/// a currency's minor units).
///
/// The sum keeps the largest scale of its terms, as a chain of `Decimal::checked_add`s
/// starting from `Decimal::ZERO` does (except after a partial sum of exactly zero, where
/// `rust_decimal` drops to the next term's scale; the value is the same). The `i128`
/// cannot overflow: a term is below 2^64 · 10^9 < 2^94 (see [`MAX_DECIMAL_PLACES`]), so
/// it takes 2^33 terms, more lines than fit in memory, to reach 2^127.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct FixedSum {
    /// The sum in units of `10^-decimal_places`.
    units: i128,
    /// The largest scale added so far.
    scale: u32,
    /// Whether anything was added.
    any: bool,
}

impl FixedSum {
    /// Adds `amount`, whose scale must not exceed `decimal_places`.
    #[inline(always)]
    pub(super) fn add(&mut self, amount: Fixed, decimal_places: u32) {
        let magnitude = i128::from(amount.magnitude);
        let mantissa = if amount.negative {
            -magnitude
        } else {
            magnitude
        };
        self.add_mantissa(mantissa, amount.scale, decimal_places);
    }

    /// Adds `amount` and returns `true` when it fits the sum (a non-zero mantissa below
    /// 2^64, a scale of at most `decimal_places`, itself at most [`MAX_DECIMAL_PLACES`]);
    /// otherwise adds nothing and returns `false`. Zeros do not fit: `rust_decimal` gives
    /// their scale its own treatment.
    #[inline(always)]
    pub(super) fn try_add(&mut self, amount: Decimal, decimal_places: u32) -> bool {
        let mantissa = amount.mantissa();
        let scale = amount.scale();
        if mantissa == 0
            || mantissa.unsigned_abs() >> 64 != 0
            || scale > decimal_places
            || decimal_places > MAX_DECIMAL_PLACES
        {
            return false;
        }
        self.add_mantissa(mantissa, scale, decimal_places);
        true
    }

    /// Adds `mantissa × 10^-scale`, with `scale ≤ decimal_places` and `|mantissa| < 2^64`.
    #[inline(always)]
    fn add_mantissa(&mut self, mantissa: i128, scale: u32, decimal_places: u32) {
        self.units += if scale == decimal_places {
            mantissa
        } else {
            mantissa * POWERS_OF_TEN[(decimal_places - scale) as usize]
        };
        self.scale = self.scale.max(scale);
        self.any = true;
    }

    /// Whether nothing was added.
    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        !self.any
    }

    /// The sum as a `Decimal` with the largest scale of its terms.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Overflow`] when the sum does not fit a `Decimal`.
    #[inline]
    pub(super) fn to_decimal(self, decimal_places: u32) -> Result<Decimal> {
        // Every term is a multiple of 10^(decimal_places − scale) units: exact.
        let mantissa = if self.scale == decimal_places {
            self.units
        } else {
            self.units / POWERS_OF_TEN[(decimal_places - self.scale) as usize]
        };
        Decimal::try_from_i128_with_scale(mantissa, self.scale).map_err(|_| overflow())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::RoundingStrategy;

    fn by_decimal(quantity: Decimal, price: Decimal, dp: u32) -> Decimal {
        (quantity * price).round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
    }

    fn decimal(mantissa: i64, scale: u32) -> Decimal {
        Decimal::new(mantissa, scale)
    }

    #[test]
    fn rounds_half_away_from_zero_like_rust_decimal() {
        // 2.5 × 1.999 = 4.9975 → 5.00; −2.5 × 1.999 → −5.00; 0.5 × 0.01 = 0.005 → 0.01
        for (q, p) in [
            (decimal(25, 1), decimal(1999, 3)),
            (decimal(-25, 1), decimal(1999, 3)),
            (decimal(5, 1), decimal(1, 2)),
            (decimal(-5, 1), decimal(1, 2)),
            (decimal(15, 1), decimal(-3, 2)),
        ] {
            let fixed = Fixed::rounded_product(q, p, 2).unwrap();
            assert_eq!(
                fixed.to_decimal().serialize(),
                by_decimal(q, p, 2).serialize()
            );
        }
    }

    #[test]
    fn a_percentage_is_the_vat_rust_decimal_gives() {
        // 59.97 × 19 % = 11.3943 → 11.39; 10.05 × 7.5 % = 0.75375 → 0.754 at 3 places;
        // 20 × 19 % = 3.80 keeps scale 2.
        for (amount, rate, dp) in [
            (decimal(5997, 2), decimal(19, 0), 2),
            (decimal(-5997, 2), decimal(19, 0), 2),
            (decimal(1005, 2), decimal(75, 1), 3),
            (decimal(20, 0), decimal(19, 0), 2),
        ] {
            let fixed = Fixed::rounded_percentage(amount, rate, dp).unwrap();
            let mut product = amount * rate;
            product.set_scale(product.scale() + 2).unwrap();
            let expected =
                product.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
            assert_eq!(fixed.to_decimal().serialize(), expected.serialize());
        }
    }

    #[test]
    fn keeps_a_scale_below_the_minor_units() {
        // 2 × 10 = 20, scale 0, exactly as rust_decimal leaves it.
        let fixed = Fixed::rounded_product(decimal(2, 0), decimal(10, 0), 2).unwrap();
        assert_eq!(fixed.to_decimal().to_string(), "20");
        let mut sum = FixedSum::default();
        assert!(sum.try_add(fixed.to_decimal(), 2));
        assert_eq!(sum.to_decimal(2).unwrap().to_string(), "20");
        let half = Fixed::rounded_product(decimal(1, 0), decimal(5, 1), 2).unwrap();
        assert!(sum.try_add(half.to_decimal(), 2));
        assert_eq!(sum.to_decimal(2).unwrap().to_string(), "20.5");
    }

    #[test]
    fn leaves_what_does_not_fit_to_rust_decimal() {
        let big = Decimal::from_i128_with_scale(1 << 70, 2);
        assert_eq!(Fixed::rounded_product(big, decimal(1, 0), 2), None);
        assert_eq!(
            Fixed::rounded_product(decimal(i64::MAX, 0), decimal(3, 0), 2),
            None
        );
        assert_eq!(
            Fixed::rounded_product(decimal(1, 0), decimal(0, 2), 2),
            None
        );
        // 0.001 × 1 rounds to zero.
        assert_eq!(
            Fixed::rounded_product(decimal(1, 3), decimal(1, 0), 2),
            None
        );
        // Scale 20 + 9 is past rust_decimal's 28.
        assert_eq!(
            Fixed::rounded_product(decimal(1, 20), decimal(1, 9), 2),
            None
        );
    }

    #[test]
    fn a_sum_takes_only_what_it_can_add_exactly() {
        let mut sum = FixedSum::default();
        // A zero, a mantissa of 2^64, a scale past the minor units.
        assert!(!sum.try_add(decimal(0, 2), 2));
        assert!(!sum.try_add(Decimal::from_i128_with_scale(1 << 64, 2), 2));
        assert!(!sum.try_add(decimal(1, 3), 2));
        assert!(sum.is_empty());
        assert!(sum.try_add(Decimal::from_i128_with_scale((1 << 64) - 1, 2), 2));
        assert!(sum.try_add(decimal(-1, 2), 2));
        assert_eq!(
            sum.to_decimal(2).unwrap(),
            Decimal::from_i128_with_scale((1 << 64) - 2, 2)
        );
    }

    #[test]
    fn a_sum_too_large_for_a_decimal_is_an_overflow() {
        let term = Fixed::rounded_product(decimal(i64::MAX, 0), decimal(1, 0), 0).unwrap();
        let mut sum = FixedSum::default();
        for _ in 0..1 << 14 {
            assert!(sum.try_add(term.to_decimal(), 0));
        }
        // 2^14 × (2^63 − 1) < 2^77 fits the 96 bits of a Decimal …
        assert_eq!(
            sum.to_decimal(0).unwrap(),
            Decimal::from(i64::MAX) * Decimal::from(1 << 14)
        );
        // … 2^100 does not.
        let mut sum = FixedSum {
            units: 1 << 100,
            scale: 0,
            any: true,
        };
        assert!(sum.try_add(term.to_decimal(), 0));
        assert!(sum.to_decimal(0).is_err());
    }

    proptest! {
        #[test]
        fn products_and_sums_are_bit_identical_to_rust_decimal(
            terms in proptest::collection::vec(
                (-1_000_000_000i64..1_000_000_000, 0u32..=10, any::<i32>(), 0u32..=10), 1..40),
            dp in 0u32..=4,
        ) {
            let mut by_rust_decimal = Decimal::ZERO;
            let mut sum = FixedSum::default();
            for (qm, qs, pm, ps) in terms {
                let (q, p) = (decimal(qm, qs), decimal(i64::from(pm), ps));
                let expected = by_decimal(q, p, dp);
                match Fixed::rounded_product(q, p, dp) {
                    Some(fixed) => {
                        prop_assert_eq!(fixed.to_decimal().serialize(), expected.serialize());
                        prop_assert!(sum.try_add(fixed.to_decimal(), dp));
                        by_rust_decimal += expected;
                    }
                    // Only a zero is left to rust_decimal in this range.
                    None => prop_assert!(expected.is_zero()),
                }
            }
            // Terms below 2^64 · 10^4, at most 40 of them: the Decimal sum is exact too.
            let ours = sum.to_decimal(dp).unwrap();
            prop_assert_eq!(ours, by_rust_decimal);
            prop_assert_eq!(ours.scale(), by_rust_decimal.scale());
        }
    }
}
