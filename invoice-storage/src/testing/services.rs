//! Finding the real services that adapter tests run against.

use std::io::Write;

/// The URL of a test service from the environment variable `var`.
///
/// When the variable is unset, writes `SKIPPED <test>: set <var>` to standard error
/// (straight to the stream, so that libtest does not capture it) and returns `None`, so
/// that a plain `cargo test` reports the test as skipped by name. When
/// `TEST_REQUIRE_SERVICES=1` (as in CI), an unset variable panics instead: there a skip
/// is a failure.
pub fn require_env(var: &str, test: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var("TEST_REQUIRE_SERVICES").as_deref() == Ok("1") {
                panic!("{test}: {var} is not set but TEST_REQUIRE_SERVICES=1");
            }
            let _ = writeln!(std::io::stderr(), "SKIPPED {test}: set {var}");
            None
        }
    }
}
