//! `invoice`: EN 16931 e-invoices (UBL 2.1 and CII D16B) from the command line, built on
//! `invoice-core` and `invoice-export` only.
//!
//! It shows the library on real files: the import of both syntaxes with the element path
//! in every error, totals recomputed by the EN 16931 rules and checked against what the
//! file states, the business-rule validation with rule ids, and conversion through the
//! domain model.
//!
//! On the official EN 16931 examples (the folder `EN16931_EXAMPLES` names, which
//! `scripts/fetch-en16931-examples.sh` fetches):
//!
//! ```sh
//! cargo run -p invoice-cli -- totals --check "$EN16931_EXAMPLES"/cen/ubl/ubl-tc434-example1.xml
//! cargo run -p invoice-cli -- validate "$EN16931_EXAMPLES"/cen/cii/*.xml
//! cargo run -p invoice-cli -- convert "$EN16931_EXAMPLES"/cen/cii/CII_example1.xml --to ubl -o out.xml
//! cargo run -p invoice-cli -- convert "$EN16931_EXAMPLES"/cen/cii/CII_example1.xml --to facturx --locale de -o out.pdf
//! cargo run -p invoice-cli -- extract out.pdf -o factur-x.xml
//! cargo run -p invoice-cli -- --format json totals "$EN16931_EXAMPLES"/cen/ubl/*.xml
//! ```
//!
//! Exit codes: 0 ok; 1 a total differs from the stated one (`totals --check`) or a fatal
//! rule is broken (`validate`); 2 a usage error, or a file that cannot be read or written.

mod cli;
mod convert;
mod document;
mod extract;
mod report;
mod stated;
mod totals;
mod validate;

use std::process::ExitCode;

use clap::Parser;
use invoice_export::PdfOptions;

use crate::cli::{Cli, Command};

fn main() -> ExitCode {
    // Usage errors exit with 2 from here, as clap does.
    let cli = Cli::parse();
    let status = match &cli.command {
        Command::Totals { files, check } => totals::run(files, *check, cli.format),
        Command::Validate { files } => validate::run(files, cli.format),
        Command::Convert {
            file,
            to,
            output,
            locale,
            paper,
            profile,
        } => {
            let pdf = PdfOptions::new().locale(*locale).paper(paper.paper());
            convert::run(file, *to, output.as_deref(), &pdf, *profile, cli.format)
        }
        Command::Extract { file, output } => extract::run(file, output.as_deref(), cli.format),
    };
    status.exit_code()
}
