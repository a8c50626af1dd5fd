//! `invoice validate`: the library's EN 16931 business rules, every violation with its
//! rule id.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use invoice_core::Severity;
use invoice_export::ImportOptions;
use serde_json::{json, Map};

use crate::cli::Format;
use crate::document::{self, FileError};
use crate::report::{self, FileReport, Status, Stream};

/// `invoice validate FILE...`.
pub(crate) fn run(files: &[PathBuf], format: Format) -> Status {
    let options = document::import_options();
    report::run("validate", files, format, Stream::Stdout, |path| {
        validate(path, &options)
    })
}

fn validate(path: &Path, options: &ImportOptions) -> Result<FileReport, FileError> {
    let doc = document::load(path, options)?;
    let violations = doc.invoice.validate();
    let fatal = violations
        .iter()
        .filter(|v| v.severity() == Severity::Fatal)
        .count();
    let mut text = if violations.is_empty() {
        format!("{}: ok, no violations\n", path.display())
    } else {
        let count = violations.len();
        let plural = if count == 1 { "" } else { "s" };
        format!(
            "{}: {count} violation{plural}, {fatal} fatal\n",
            path.display()
        )
    };
    for violation in &violations {
        let severity = match violation.severity() {
            Severity::Fatal => "fatal",
            Severity::Warning => "warning",
        };
        let _ = writeln!(
            text,
            "  {severity:<7} {:<10} {}: {}",
            violation.rule(),
            violation.path(),
            violation.message()
        );
    }
    let mut entry = Map::new();
    entry.insert("syntax".to_owned(), doc.syntax.name().into());
    entry.insert("document".to_owned(), doc.root.clone().into());
    entry.insert("fatal".to_owned(), fatal.into());
    entry.insert("violations".to_owned(), json!(violations));
    Ok(FileReport {
        status: if fatal > 0 {
            Status::Failed
        } else {
            Status::Ok
        },
        text,
        entry,
    })
}
