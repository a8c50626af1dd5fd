//! `invoice validate`: the EN 16931 business rules, every violation with its rule id.
//!
//! The findings: the structure the syntax's XML Schema gives the document
//! ([`invoice_export::check_structure`], rule id `XSD`), the code lists
//! ([`invoice_export::check_code_lists`]), the syntax-binding rules
//! ([`invoice_export::check_syntax_rules`]), the library's rules on the imported model ([`invoice_core::Invoice::validate`]), and the calculation rules on
//! the amounts the document states (BR-CO-10 to BR-CO-16, each category's `-08` and
//! `-09`), as `totals --check` finds them. A received invoice is judged by what it says,
//! not only by what the model recomputes from it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use invoice_core::{Severity, Violation};
use invoice_export::{
    check_code_lists, check_structure, check_syntax_rules, CodeListViolation, ImportOptions,
    RuleViolation, StructureViolation,
};
use serde::Serialize;
use serde_json::{json, Map};

use crate::cli::Format;
use crate::document::{self, FileError, Syntax};
use crate::report::{self, FileReport, Status, Stream};
use crate::totals::Difference;
use crate::{stated, totals};

/// One broken rule, from the model's rules or from the stated amounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Finding {
    rule: String,
    severity: Severity,
    /// Where: a model path (`lines[2].price`) or the business term of a stated amount.
    path: String,
    message: String,
}

impl From<&Violation> for Finding {
    fn from(v: &Violation) -> Self {
        Self {
            rule: v.rule().to_owned(),
            severity: v.severity(),
            path: v.path().to_owned(),
            message: v.message().to_owned(),
        }
    }
}

impl From<&StructureViolation> for Finding {
    fn from(v: &StructureViolation) -> Self {
        Self {
            rule: "XSD".to_owned(),
            severity: Severity::Fatal,
            path: v.path.clone(),
            message: v.to_string(),
        }
    }
}

impl Finding {
    /// A code the rules do not allow. In CII a code-list finding (BR-CL-*) is a warning:
    /// the CII rules this tool is measured against (the Factur-X EN 16931 schematron,
    /// under its EN 16931 profile) grade code lists so. In UBL it is fatal, as the CEN
    /// schematron grades it.
    fn code(v: &CodeListViolation, syntax: Syntax) -> Self {
        let code_list = v.rule.starts_with("BR-CL-");
        Self {
            rule: v.rule.to_owned(),
            severity: if code_list && syntax == Syntax::Cii {
                Severity::Warning
            } else {
                Severity::Fatal
            },
            path: v.path.clone(),
            message: v.to_string(),
        }
    }
}

impl From<&RuleViolation> for Finding {
    fn from(v: &RuleViolation) -> Self {
        Self {
            rule: v.rule.to_owned(),
            severity: Severity::Fatal,
            path: v.path.clone(),
            message: v.to_string(),
        }
    }
}

impl From<&Difference> for Finding {
    fn from(d: &Difference) -> Self {
        Self {
            rule: d.rule(),
            severity: Severity::Fatal,
            path: d.field().to_owned(),
            message: format!("stated amounts: {d}"),
        }
    }
}

/// `invoice validate FILE...`.
pub(crate) fn run(files: &[PathBuf], format: Format) -> Status {
    let options = document::import_options();
    report::run("validate", files, format, Stream::Stdout, |path| {
        validate(path, &options)
    })
}

fn validate(path: &Path, options: &ImportOptions) -> Result<FileReport, FileError> {
    let doc = document::load(path, options)?;
    let mut violations: Vec<Finding> = check_structure(doc.text.as_bytes(), options.limits())?
        .iter()
        .map(Finding::from)
        .collect();
    violations.extend(
        check_code_lists(doc.text.as_bytes(), options.limits())?
            .iter()
            .map(|v| Finding::code(v, doc.syntax)),
    );
    violations.extend(
        check_syntax_rules(doc.text.as_bytes(), options.limits())?
            .iter()
            .map(Finding::from),
    );
    violations.extend(doc.invoice.validate().iter().map(Finding::from));
    // The calculation rules on what the document states. An invoice whose totals
    // cannot be computed has already broken a model rule that says why.
    if let Ok(computed) = doc.invoice.totals() {
        let stated = stated::read(&doc.text, doc.syntax)?;
        let minor_units = doc.invoice.currency().minor_units();
        violations.extend(
            totals::differences(&computed, &stated, minor_units)
                .iter()
                .filter(|d| d.is_exact())
                .map(Finding::from),
        );
    }
    let fatal = violations
        .iter()
        .filter(|v| v.severity == Severity::Fatal)
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
        let severity = match violation.severity {
            Severity::Fatal => "fatal",
            Severity::Warning => "warning",
        };
        let _ = writeln!(
            text,
            "  {severity:<7} {:<10} {}: {}",
            violation.rule, violation.path, violation.message
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
