//! What the fuzz targets share: an allocator that records the peak of live bytes, the
//! import options, and the invoice generator of the round-trip target.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use invoice_core::{InvoiceId, TenantId};
use invoice_export::ImportOptions;

pub mod generate;
pub mod reading;
/// The round trips' comparison, shared with the round-trip proptest.
#[path = "../../invoice-export/tests/common/stated.rs"]
pub mod stated;

/// The system allocator, counting the bytes live and their peak since [`reset_peak`].
pub struct PeakAlloc;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to `System` unchanged; only counters are added.
unsafe impl GlobalAlloc for PeakAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grow(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grow(new_size);
        }
        p
    }
}

fn grow(size: usize) {
    let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

/// Starts a new measurement: the peak becomes what is live now.
pub fn reset_peak() {
    PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
}

/// The most bytes live at once since [`reset_peak`], above what was live then.
pub fn peak_since(base: usize) -> usize {
    PEAK.load(Ordering::Relaxed).saturating_sub(base)
}

/// The bytes live now.
pub fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// The options every reading target uses: fixed id and tenant, default limits.
pub fn options() -> ImportOptions {
    ImportOptions::new(
        InvoiceId::from_uuid(uuid::Uuid::from_u128(7)),
        TenantId::new("fuzz").expect("a valid tenant"),
    )
}
