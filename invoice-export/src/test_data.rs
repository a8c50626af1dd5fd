//! Where the tests find the official EN 16931 example files.
//!
//! The library's unit tests and, through `#[path]` modules, its integration tests and the
//! invoice CLI's tests compile this same file, so all of them look in the same place.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// What a test that needs the examples says when they are not here.
const MISSING: &str = "the official EN 16931 examples are not here; they come from the \
     CEN/TC 434 repository ConnectingEurope/eInvoicing-EN16931 (run \
     scripts/fetch-en16931-examples.sh, or set EN16931_EXAMPLES=<folder>)";

/// The folder of the official EN 16931 examples (`cen/ubl/*.xml`, `cen/cii/*.xml`): the
/// one `EN16931_EXAMPLES` names, or else `shared/einvoice` beside the workspace, where CI
/// keeps them.
///
/// When neither is there, writes `SKIPPED <test>: the official EN 16931 examples are not
/// here; …` to standard error (straight to the stream, so that libtest does not capture
/// it) and returns `None`, so that a plain `cargo test` reports the test as skipped by
/// name. When `TEST_REQUIRE_SERVICES=1` (as in CI), a skip is a failure: it panics instead.
///
/// # Panics
///
/// When `EN16931_EXAMPLES` names something that is not a folder, or when the examples are
/// not here and `TEST_REQUIRE_SERVICES=1`.
pub(crate) fn en16931_examples(test: &str) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("EN16931_EXAMPLES").filter(|dir| !dir.is_empty()) {
        let dir = PathBuf::from(dir);
        assert!(
            dir.is_dir(),
            "{test}: EN16931_EXAMPLES={} is not a folder",
            dir.display()
        );
        return Some(dir);
    }
    // The workspace root is the first folder above the crate that holds Cargo.lock,
    // whichever crate of the workspace compiles this file.
    let beside = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|dir| dir.join("Cargo.lock").is_file())
        .map(|root| root.join("../shared/einvoice"))
        .filter(|dir| dir.is_dir());
    if let Some(beside) = beside {
        return Some(beside);
    }
    if std::env::var("TEST_REQUIRE_SERVICES").as_deref() == Ok("1") {
        panic!(
            "{test}: the official EN 16931 examples are not here (set EN16931_EXAMPLES) \
             but TEST_REQUIRE_SERVICES=1"
        );
    }
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {MISSING}");
    None
}
