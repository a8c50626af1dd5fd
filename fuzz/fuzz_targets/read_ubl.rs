//! `read_ubl` on any bytes: no panic, no hang, memory within what `ReadLimits`
//! documents, and the streaming pass in agreement with the tree reader.
#![no_main]

use invoice_export::fuzzing::Syntax;
use invoice_fuzz::PeakAlloc;
use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc;

fuzz_target!(|data: &[u8]| invoice_fuzz::reading::check(Syntax::Ubl, data));
