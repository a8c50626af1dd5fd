//! The body of the two XML reading targets.

use invoice_export::fuzzing::{readers_agree, Syntax};

use crate::{live, options, peak_since, reset_peak};

/// What one read of `len` input bytes may hold at its peak, as `ReadLimits` documents it:
/// a fixed allowance and a multiple of the input.
pub fn memory_bound(len: usize) -> usize {
    FIXED + PER_BYTE * len
}

/// The bound's fixed part.
pub const FIXED: usize = 256 << 10;
/// The bound's bytes per input byte.
pub const PER_BYTE: usize = 32;

/// Reads `data` once through the slice reader and checks its peak memory against
/// [`memory_bound`], then through every path, which must agree.
pub fn check(syntax: Syntax, data: &[u8]) {
    let options = options();
    let base = live();
    reset_peak();
    let read = match syntax {
        Syntax::Ubl => invoice_export::read_ubl_slice(data, &options),
        Syntax::Cii => invoice_export::read_cii_slice(data, &options),
    };
    drop(read);
    let peak = peak_since(base);
    if std::env::var_os("FUZZ_MEASURE").is_some() {
        eprintln!("MEASURE {} {peak}", data.len());
    }
    assert!(
        peak <= memory_bound(data.len()),
        "a read of {} bytes held {peak} bytes at its peak (bound {})",
        data.len(),
        memory_bound(data.len())
    );
    if let Err(disagreement) = readers_agree(syntax, data, &options) {
        panic!("{disagreement}");
    }
}
