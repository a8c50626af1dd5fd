//! Hooks for the fuzz targets in the repository's `fuzz/` folder.
//!
//! **Not a stable API**: compiled with the `fuzzing` feature (and in this crate's own
//! tests), hidden from the docs, and changed without notice. It exposes the two ways the
//! XML readers read a document, so that a fuzzer can hold the streaming pass to its
//! reference, the element tree.

use invoice_core::Invoice;

use crate::error::Result;
use crate::import::{read_streamed, read_tree, ImportOptions};
use crate::xml::input_text;

/// The XML syntaxes the readers take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// UBL 2.1 Invoice or CreditNote.
    Ubl,
    /// UN/CEFACT CII D16B.
    Cii,
}

impl Syntax {
    fn public(self, bytes: &[u8], options: &ImportOptions) -> Result<Invoice> {
        match self {
            Self::Ubl => crate::read_ubl(bytes, options),
            Self::Cii => crate::read_cii(bytes, options),
        }
    }

    fn slice(self, bytes: &[u8], options: &ImportOptions) -> Result<Invoice> {
        match self {
            Self::Ubl => crate::read_ubl_slice(bytes, options),
            Self::Cii => crate::read_cii_slice(bytes, options),
        }
    }

    /// The document read by the streaming pass, `None` where the pass declines it.
    pub fn streamed(self, text: &str, options: &ImportOptions) -> Option<Invoice> {
        match self {
            Self::Ubl => read_streamed::<crate::ubl::Ubl>(text, options),
            Self::Cii => read_streamed::<crate::cii::Cii>(text, options),
        }
    }

    /// The document read whole as an element tree: the reference.
    ///
    /// # Errors
    ///
    /// What the readers report for the document.
    pub fn tree(self, text: &str, options: &ImportOptions) -> Result<Invoice> {
        match self {
            Self::Ubl => read_tree::<crate::ubl::Ubl>(text, options),
            Self::Cii => read_tree::<crate::cii::Cii>(text, options),
        }
    }
}

/// Reads `bytes` with the public readers (from a reader and from a slice), the
/// streaming pass alone and the tree alone, and checks that they agree: the same
/// invoice, or the same error with the same element path; the pass may decline a
/// document but never give another result than the tree.
///
/// `Ok(true)` when the pass took the document, `Ok(false)` when it declined it.
///
/// # Errors
///
/// The first disagreement, described.
pub fn readers_agree(
    syntax: Syntax,
    bytes: &[u8],
    options: &ImportOptions,
) -> std::result::Result<bool, String> {
    let public = syntax.public(bytes, options);
    let slice = syntax.slice(bytes, options);
    same("the reader and the slice reader", &public, &slice)?;
    let text = match input_text(bytes, options.limits()) {
        Ok(text) => text,
        Err(error) => {
            return match public {
                Err(e) if e.to_string() == error.to_string() => Ok(false),
                other => Err(format!(
                    "the input check gives {error}, the reader {other:?}"
                )),
            }
        }
    };
    let reference = syntax.tree(text, options);
    same("the tree and the reader", &reference, &public)?;
    match syntax.streamed(text, options) {
        Some(streamed) if reference.as_ref().ok() == Some(&streamed) => Ok(true),
        Some(streamed) => Err(format!(
            "the pass gives {streamed:?} where the tree gives {reference:?}"
        )),
        None => Ok(false),
    }
}

fn same(what: &str, a: &Result<Invoice>, b: &Result<Invoice>) -> std::result::Result<(), String> {
    match (a, b) {
        (Ok(x), Ok(y)) if x == y => Ok(()),
        (Err(x), Err(y)) if x.to_string() == y.to_string() => Ok(()),
        _ => Err(format!("{what} disagree: {a:?} against {b:?}")),
    }
}
