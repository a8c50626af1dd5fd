//! Archiving an issued invoice: load it, render CSV, UBL and Factur-X PDF, store them in
//! deep archive.

use std::sync::Arc;

use async_trait::async_trait;
use invoice_core::{EventEnvelope, Invoice, InvoiceEvent};
use invoice_export::{CsvOptions, PdfOptions};
use invoice_messaging::{Handler, HandlerError};
use invoice_storage::{
    body_from_bytes, DocumentKey, DocumentStore, InvoiceStore, PutOptions, StorageClass,
};

/// The client segment of a key for an invoice with no client record.
pub const NO_CLIENT: &str = "no-client";

/// One format the worker archives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The invoice's lines as Excel-friendly CSV, under `csv-invoices/`.
    Csv,
    /// UBL 2.1 (Peppol BIS Billing 3.0) XML, under `ubl-invoices/`.
    Ubl,
    /// Factur-X: the invoice as a PDF/A-3b people read, with its CII embedded, under
    /// `pdf-invoices/`.
    Pdf,
}

impl Format {
    /// Every format, in the order they are archived.
    pub const ALL: [Self; 3] = [Self::Csv, Self::Ubl, Self::Pdf];

    /// The key prefix, after the seed systems' `csv-invoices`.
    pub const fn prefix(self) -> &'static str {
        match self {
            Self::Csv => "csv-invoices",
            Self::Ubl => "ubl-invoices",
            Self::Pdf => "pdf-invoices",
        }
    }

    /// The file extension.
    pub const fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Ubl => "xml",
            Self::Pdf => "pdf",
        }
    }

    /// The media type.
    pub const fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Ubl => "application/xml",
            Self::Pdf => "application/pdf",
        }
    }

    /// Renders `invoice` in this format.
    ///
    /// # Errors
    ///
    /// [`invoice_export::Error`] when the invoice cannot be rendered (no number yet, totals
    /// that overflow).
    pub fn render(self, invoice: &Invoice) -> invoice_export::Result<Vec<u8>> {
        match self {
            Self::Csv => {
                invoice_export::write_invoice_lines(Vec::new(), invoice, &CsvOptions::new())
            }
            Self::Ubl => invoice_export::write_ubl(Vec::new(), invoice),
            Self::Pdf => {
                let mut out = Vec::new();
                invoice_export::write_facturx(&mut out, invoice, &PdfOptions::new())?;
                Ok(out)
            }
        }
    }
}

/// Where `invoice` is archived in `format`:
/// `{prefix}/{tenant}/{client or "no-client"}/{number}.{ext}`.
///
/// # Errors
///
/// [`ArchiveError::NotIssued`] for an invoice without a number;
/// [`ArchiveError::Key`] when the number cannot be one key segment (it holds `/`).
pub fn document_key(invoice: &Invoice, format: Format) -> Result<DocumentKey, ArchiveError> {
    let number = invoice.number().ok_or(ArchiveError::NotIssued)?;
    let client = invoice
        .client()
        .map_or_else(|| NO_CLIENT.to_owned(), |c| c.to_string());
    DocumentKey::invoice_document(
        format.prefix(),
        invoice.tenant().as_str(),
        &client,
        number.as_str(),
        format.extension(),
    )
    .map_err(|source| ArchiveError::Key { source })
}

/// Why an invoice was not archived.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArchiveError {
    /// The invoice store does not have the invoice the event is about.
    #[error("the invoice of the event is not in the store")]
    InvoiceNotFound {
        /// The store's error.
        source: invoice_storage::Error,
    },
    /// The invoice store failed.
    #[error("loading the invoice failed")]
    Load {
        /// The store's error.
        source: invoice_storage::Error,
    },
    /// The stored invoice has no number.
    #[error("the invoice has no number")]
    NotIssued,
    /// The invoice cannot be rendered.
    #[error("rendering {format:?} failed")]
    Render {
        /// The format.
        format: Format,
        /// The writer's error.
        source: invoice_export::Error,
    },
    /// The invoice's number or tenant does not make a valid key.
    #[error("no valid document key")]
    Key {
        /// The key's error.
        source: invoice_storage::Error,
    },
    /// The document store failed.
    #[error("storing {key} failed")]
    Store {
        /// The key being written.
        key: DocumentKey,
        /// The store's error.
        source: invoice_storage::Error,
    },
}

impl ArchiveError {
    /// Whether trying again cannot help (so the event should be dead-lettered): a
    /// missing invoice, an invoice that cannot be rendered or keyed. Store failures are
    /// worth a retry.
    pub fn is_permanent(&self) -> bool {
        !matches!(self, Self::Load { .. } | Self::Store { .. })
    }
}

/// Archives issued invoices as CSV, UBL and Factur-X in a [`DocumentStore`], deep-archive class.
///
/// The event's summary is not enough to render an invoice, so the archiver loads it from
/// an [`InvoiceStore`] by tenant and id. Archiving is idempotent without an inbox: an
/// issued invoice no longer changes its lines or number, so a redelivered `Issued`
/// renders the same bytes and overwrites the same keys.
#[derive(Debug, Clone)]
pub struct Archiver {
    invoices: Arc<dyn InvoiceStore>,
    documents: Arc<dyn DocumentStore>,
}

impl Archiver {
    /// An archiver loading from `invoices` and writing to `documents`.
    pub fn new(invoices: Arc<dyn InvoiceStore>, documents: Arc<dyn DocumentStore>) -> Self {
        Self {
            invoices,
            documents,
        }
    }

    /// Archives the invoice an event is about, in every [`Format`]; returns the keys.
    ///
    /// # Errors
    ///
    /// [`ArchiveError`], which says whether a retry can help.
    pub async fn archive(
        &self,
        envelope: &EventEnvelope,
    ) -> Result<Vec<DocumentKey>, ArchiveError> {
        let invoice = self
            .invoices
            .get(&envelope.tenant, envelope.invoice_id)
            .await
            .map_err(|source| match source {
                invoice_storage::Error::NotFound { .. } => ArchiveError::InvoiceNotFound { source },
                source => ArchiveError::Load { source },
            })?;
        let mut keys = Vec::with_capacity(Format::ALL.len());
        for format in Format::ALL {
            let key = document_key(&invoice, format)?;
            let body = format
                .render(&invoice)
                .map_err(|source| ArchiveError::Render { format, source })?;
            let options = PutOptions::content_type(format.content_type())
                .with_storage_class(StorageClass::DeepArchive)
                .with_metadata("invoice-id", invoice.id().to_string())
                .with_metadata("event-id", envelope.event_id.to_string());
            self.documents
                .put(&key, body_from_bytes(body), &options)
                .await
                .map_err(|source| ArchiveError::Store {
                    key: key.clone(),
                    source,
                })?;
            keys.push(key);
        }
        Ok(keys)
    }
}

#[async_trait]
impl Handler for Archiver {
    async fn handle(&self, envelope: &EventEnvelope) -> Result<(), HandlerError> {
        // The queue is bound to `invoice.issued` only; anything else is ignored.
        if !matches!(envelope.event, InvoiceEvent::Issued { .. }) {
            return Ok(());
        }
        match self.archive(envelope).await {
            Ok(keys) => {
                tracing::info!(invoice = %envelope.invoice_id, keys = ?keys.iter().map(DocumentKey::as_str).collect::<Vec<_>>(), "archived");
                Ok(())
            }
            Err(e) if e.is_permanent() => Err(HandlerError::permanent(chain(&e))),
            Err(e) => Err(HandlerError::retryable(chain(&e))),
        }
    }
}

/// The error and its sources on one line, so that a dead letter's reason says it all.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_send_sync_static() {
        fn check<E: std::error::Error + Send + Sync + 'static>() {}
        check::<ArchiveError>();
    }
}
