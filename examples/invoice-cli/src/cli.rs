//! The command line as clap parses it.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use invoice_export::{Locale, Paper};

/// Totals, validation and conversion of EN 16931 e-invoices (UBL 2.1 and CII D16B).
///
/// The syntax of each file is detected from its root element: `Invoice` or `CreditNote`
/// is UBL, `CrossIndustryInvoice` is CII.
#[derive(Debug, Parser)]
#[command(
    name = "invoice",
    version,
    after_help = "Exit codes: 0 ok; 1 a total differs from the stated one or a rule is broken; \
                  2 usage error or unreadable input."
)]
pub(crate) struct Cli {
    /// How to report: lines for people, or one JSON document for scripts.
    #[arg(long, value_enum, default_value_t = Format::Text, global = true)]
    pub(crate) format: Format,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Recompute the document totals (BT-106 to BT-115) and the VAT breakdown (BG-23).
    Totals {
        /// UBL Invoice or CreditNote, CII CrossIndustryInvoice, or Factur-X PDF files.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Compare with the amounts each file states; exit 1 on a difference beyond what
        /// EN 16931 tolerates (tolerated ones are printed as warnings).
        #[arg(long)]
        check: bool,
    },
    /// Check the EN 16931 business rules; exit 1 if a fatal one is broken.
    Validate {
        /// UBL Invoice or CreditNote, CII CrossIndustryInvoice, or Factur-X PDF files.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Convert a document to another syntax through the domain model.
    ///
    /// The document goes to OUT, or to stdout without `-o`; the report then goes to
    /// stderr, so that stdout carries only the document.
    Convert {
        /// A UBL Invoice or CreditNote, a CII CrossIndustryInvoice, or a Factur-X PDF.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The syntax to write.
        #[arg(long, value_enum)]
        to: Target,
        /// Where to write the document (default: stdout).
        #[arg(short, long, value_name = "OUT")]
        output: Option<PathBuf>,
        /// The language of a PDF's labels, amounts and dates: en, de or fr (a tag such as
        /// de-AT reads as its language).
        #[arg(long, default_value = "en", value_parser = parse_locale)]
        locale: Locale,
        /// The paper of a PDF.
        #[arg(long, value_enum, default_value_t = PaperSize::A4)]
        paper: PaperSize,
        /// The Factur-X profile: en16931, or extended (an XRechnung is written as such).
        #[arg(long, value_enum, default_value_t = Profile::En16931)]
        profile: Profile,
    },
    /// Write the XML invoice a Factur-X / ZUGFeRD PDF embeds.
    ///
    /// The XML goes to OUT, or to stdout without `-o`; the report then goes to stderr.
    Extract {
        /// A Factur-X, ZUGFeRD or XRechnung PDF.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Where to write the XML (default: stdout).
        #[arg(short, long, value_name = "OUT")]
        output: Option<PathBuf>,
    },
}

fn parse_locale(tag: &str) -> Result<Locale, String> {
    Locale::from_tag(tag).ok_or_else(|| format!("no labels for {tag:?}: use en, de or fr"))
}

/// The profile of a Factur-X.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Profile {
    /// EN 16931 (COMFORT); XRECHNUNG for an invoice whose specification is XRechnung.
    En16931,
    /// EXTENDED, a superset of EN 16931.
    Extended,
}

/// The paper of a rendered PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PaperSize {
    /// ISO A4.
    A4,
    /// US Letter.
    Letter,
}

impl PaperSize {
    /// The library's paper.
    pub(crate) fn paper(self) -> Paper {
        match self {
            Self::A4 => Paper::A4,
            Self::Letter => Paper::Letter,
        }
    }
}

/// How the report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Lines for people, ending with `N files, N ok, N failed`.
    Text,
    /// One JSON document on stdout: `{"command", "files": [...], "summary"}`.
    Json,
}

/// What `convert` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Target {
    /// UBL 2.1 Invoice or CreditNote (Peppol BIS Billing 3.0).
    Ubl,
    /// UN/CEFACT CII D16B CrossIndustryInvoice (Factur-X EN 16931).
    Cii,
    /// JSON of the domain model.
    Json,
    /// CSV, one row per invoice line, with a header (opens cleanly in Excel).
    Csv,
    /// A PDF for people to read.
    Pdf,
    /// Factur-X / ZUGFeRD: the PDF as PDF/A-3b with the CII embedded (profile EN 16931).
    Facturx,
}

impl Target {
    /// The name used on the command line.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Ubl => "ubl",
            Self::Cii => "cii",
            Self::Json => "json",
            Self::Csv => "csv",
            Self::Pdf => "pdf",
            Self::Facturx => "facturx",
        }
    }
}
