//! `invoice convert`: from UBL, CII or Factur-X to another syntax, a PDF or a Factur-X,
//! through the domain model.

use std::io::Write;
use std::path::Path;

use invoice_core::Invoice;
use invoice_export::{
    write_cii, write_facturx, write_facturx_profile, write_invoice_json_pretty,
    write_invoice_lines, write_pdf, write_ubl, CsvOptions, FacturXProfile, ImportOptions,
    PdfOptions,
};
use serde_json::Map;

use crate::cli::{Format, Profile, Target};
use crate::document::{self, FileError};
use crate::report::{self, FileReport, Status, Stream};

/// `invoice convert FILE --to SYNTAX [-o OUT]`.
pub(crate) fn run(
    file: &Path,
    to: Target,
    output: Option<&Path>,
    pdf: &PdfOptions,
    profile: Profile,
    format: Format,
) -> Status {
    let options = document::import_options();
    // Without -o the document takes stdout, so the report moves to stderr.
    let stream = if output.is_some() {
        Stream::Stdout
    } else {
        Stream::Stderr
    };
    report::run("convert", &[file.to_path_buf()], format, stream, |path| {
        convert(path, to, output, pdf, profile, &options)
    })
}

/// The whole document in `to`. It is built in memory first, so that a failure leaves no
/// half-written output file.
fn encode(
    invoice: &Invoice,
    to: Target,
    pdf: &PdfOptions,
    profile: Profile,
) -> Result<Vec<u8>, invoice_export::Error> {
    match to {
        Target::Ubl => write_ubl(Vec::new(), invoice),
        Target::Cii => write_cii(Vec::new(), invoice),
        Target::Json => {
            let mut out = Vec::new();
            write_invoice_json_pretty(&mut out, invoice)?;
            out.push(b'\n');
            Ok(out)
        }
        Target::Csv => write_invoice_lines(Vec::new(), invoice, &CsvOptions::new()),
        Target::Pdf => {
            let mut out = Vec::new();
            write_pdf(&mut out, invoice, pdf)?;
            Ok(out)
        }
        Target::Facturx => {
            let mut out = Vec::new();
            match profile {
                Profile::En16931 => write_facturx(&mut out, invoice, pdf)?,
                Profile::Extended => {
                    write_facturx_profile(&mut out, invoice, pdf, FacturXProfile::Extended)?;
                }
            }
            Ok(out)
        }
    }
}

fn convert(
    path: &Path,
    to: Target,
    output: Option<&Path>,
    pdf: &PdfOptions,
    profile: Profile,
    options: &ImportOptions,
) -> Result<FileReport, FileError> {
    let doc = document::load(path, options)?;
    let bytes = encode(&doc.invoice, to, pdf, profile)
        .map_err(|e| FileError::new(format!("cannot write {}: {e}", to.name())))?;
    let destination = match output {
        Some(out) => {
            std::fs::write(out, &bytes)
                .map_err(|e| FileError::new(format!("cannot write {}: {e}", out.display())))?;
            out.display().to_string()
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(&bytes)
                .and_then(|()| stdout.flush())
                .map_err(|e| FileError::new(format!("cannot write to stdout: {e}")))?;
            "stdout".to_owned()
        }
    };
    let mut text = format!(
        "{}: {} {} to {}, {} bytes to {destination}\n",
        path.display(),
        doc.syntax.name().to_uppercase(),
        doc.root,
        to.name(),
        bytes.len(),
    );
    // What the source states and the model does not keep is not in the output.
    for warning in &doc.warnings {
        text.push_str(&format!("  warning: {warning}\n"));
    }
    let mut entry = Map::new();
    entry.insert("syntax".to_owned(), doc.syntax.name().into());
    entry.insert("document".to_owned(), doc.root.clone().into());
    entry.insert("to".to_owned(), to.name().into());
    entry.insert("output".to_owned(), destination.into());
    entry.insert("bytes".to_owned(), bytes.len().into());
    entry.insert(
        "warnings".to_owned(),
        serde_json::to_value(&doc.warnings).unwrap_or_default(),
    );
    Ok(FileReport {
        status: Status::Ok,
        text,
        entry,
    })
}
