//! A test's closing figures, printed and, for CI, kept.

use std::fmt::Display;
use std::io::Write;

/// The variable naming a file that collects every test's closing figures.
pub const REPORT_VAR: &str = "E2E_REPORT";

/// Prints `line` (shown with `--nocapture` or when the test fails) and, when
/// [`REPORT_VAR`] names a file, appends it there, so that a run that captures the tests'
/// output (`cargo test --workspace`) still shows what they measured.
///
/// # Panics
///
/// When the file cannot be opened or written: a figure asked for must not go missing.
pub fn report(line: impl Display) {
    let line = line.to_string();
    println!("{line}");
    if let Some(path) = std::env::var_os(REPORT_VAR) {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap_or_else(|e| panic!("cannot open {REPORT_VAR}={path:?}: {e}"));
        // One write per line: tests running in parallel do not interleave within it.
        file.write_all(format!("{line}\n").as_bytes())
            .unwrap_or_else(|e| panic!("cannot write {REPORT_VAR}={path:?}: {e}"));
    }
}
