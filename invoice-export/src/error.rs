//! The crate's error type.

/// A boxed cause from a dependency (I/O, CSV, JSON, XML), kept out of the public API.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong while writing or reading an invoice document.
///
/// Reader errors name the element path where they happened, such as
/// `/Invoice/cac:InvoiceLine[3]/cbc:LineExtensionAmount` (a sibling index `[n]` is shown
/// from the second element of a name on).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Writing to or reading from the underlying stream failed.
    #[error("i/o error")]
    Io {
        /// The I/O error.
        #[from]
        source: std::io::Error,
    },
    /// The CSV or JSON encoder failed.
    #[error("{format} encoding failed")]
    Encode {
        /// `"csv"` or `"json"`.
        format: &'static str,
        /// The encoder's error.
        source: BoxError,
    },
    /// JSON input could not be decoded into the model.
    #[error("invalid json")]
    Json {
        /// The decoder's error.
        source: BoxError,
    },
    /// The invoice model refused or could not total the invoice.
    #[error(transparent)]
    Invoice {
        /// The domain error.
        #[from]
        source: invoice_core::Error,
    },
    /// The invoice lacks a field the format requires, such as the number (BT-1) and
    /// issue date (BT-2) of a draft.
    #[error("cannot export an invoice without {field}")]
    Incomplete {
        /// The missing field.
        field: &'static str,
    },
    /// The input is not well-formed XML.
    #[error("malformed xml at {path}")]
    Malformed {
        /// The element path where parsing stopped.
        path: String,
        /// The parser's error.
        source: BoxError,
    },
    /// The input carries a document type declaration (DOCTYPE or entity declarations),
    /// which is refused so that no entity is ever expanded (XXE, billion laughs).
    #[error("document type declarations are not allowed")]
    DocTypeNotAllowed,
    /// The input is larger than the configured limit.
    #[error("document larger than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// Elements are nested deeper than the configured limit.
    #[error("elements nested deeper than {limit} at {path}")]
    TooDeep {
        /// The depth limit.
        limit: usize,
        /// The element path where the limit was crossed.
        path: String,
    },
    /// The document has more elements than the configured limit.
    #[error("more than {limit} elements")]
    TooManyElements {
        /// The element limit.
        limit: usize,
    },
    /// The root element is not one this reader understands.
    #[error("unexpected root element {found:?}, expected {expected}")]
    UnexpectedRoot {
        /// The root element's name as written.
        found: String,
        /// What the reader accepts.
        expected: &'static str,
    },
    /// A mandatory element is missing.
    #[error("missing {path}")]
    Missing {
        /// The path of the missing element.
        path: String,
    },
    /// A PDF that should carry a Factur-X / ZUGFeRD invoice does not: no embedded
    /// invoice file, or one that cannot be found or inflated.
    #[error("not a Factur-X PDF: {reason}")]
    NotFacturX {
        /// What is missing or broken.
        reason: String,
    },
    /// An element or attribute holds a value the model cannot take.
    #[error("invalid value {value:?} at {path}: {reason}")]
    InvalidValue {
        /// The element path.
        path: String,
        /// The value as written.
        value: String,
        /// Why it was rejected.
        reason: String,
    },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_send_sync_and_static() {
        fn assert_bounds<T: std::error::Error + Send + Sync + 'static>() {}
        assert_bounds::<Error>();
    }

    /// An error that has a cause says its own part and leaves the cause to `source()`, so
    /// that a printed chain (`{:#}` of anyhow, the CLI's report) names the cause once.
    #[test]
    fn a_cause_is_the_source_not_part_of_the_message() {
        let cause = std::io::Error::other("disk on fire");
        let errors = [
            Error::from(std::io::Error::other("disk on fire")),
            Error::Malformed {
                path: "/Invoice".to_owned(),
                source: Box::new(cause),
            },
            Error::Json {
                source: Box::new(std::io::Error::other("disk on fire")),
            },
            Error::Encode {
                format: "csv",
                source: Box::new(std::io::Error::other("disk on fire")),
            },
        ];
        for e in errors {
            let chain = anyhow_like_chain(&e);
            assert!(!e.to_string().contains("disk on fire"), "{e}");
            assert_eq!(chain.matches("disk on fire").count(), 1, "{chain}");
        }
    }

    #[cfg(feature = "ubl")]
    #[test]
    fn a_malformed_document_keeps_its_cause_as_the_source() {
        let tenant = invoice_core::TenantId::new("t").unwrap();
        let id = invoice_core::InvoiceId::from_uuid(uuid::Uuid::nil());
        let options = crate::ImportOptions::new(id, tenant);
        let read = crate::read_ubl_slice(b"<Invoice><cbc:ID>1</Invoice>", &options).unwrap_err();
        assert!(matches!(read, Error::Malformed { .. }), "{read:?}");
        assert!(std::error::Error::source(&read).is_some());
    }

    /// The message with its causes, joined as anyhow's `{:#}` joins them.
    fn anyhow_like_chain(e: &dyn std::error::Error) -> String {
        let mut out = e.to_string();
        let mut source = e.source();
        while let Some(cause) = source {
            out.push_str(": ");
            out.push_str(&cause.to_string());
            source = cause.source();
        }
        out
    }

    #[test]
    fn messages_are_lowercase_without_trailing_period() {
        let errors = [
            Error::DocTypeNotAllowed,
            Error::TooLarge { limit: 10 },
            Error::Missing {
                path: "/Invoice/cbc:ID".to_owned(),
            },
        ];
        for e in errors {
            let text = e.to_string();
            assert!(!text.ends_with('.'), "{text}");
            assert!(text.starts_with(|c: char| !c.is_uppercase()), "{text}");
        }
    }
}
