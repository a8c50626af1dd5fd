//! Rule family: vat_category.

use crate::invoice::Invoice;
use crate::validation::Violation;

/// Appends the violations of this family to `out`.
pub(super) fn check(_invoice: &Invoice, _out: &mut Vec<Violation>) {}
