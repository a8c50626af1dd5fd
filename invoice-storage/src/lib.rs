#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod client_store;
mod document;
mod error;
#[cfg(feature = "fs")]
mod fs;
mod idempotency;
mod inbox;
mod invoice_json;
mod invoice_store;
#[macro_use]
mod invoice_view;
mod memory;
mod open;
mod outbox;
#[cfg(feature = "postgres")]
mod postgres;
mod reminder_store;
mod report_store;
#[cfg(feature = "s3")]
mod s3;
mod schedule_generator;
mod schedule_store;
#[cfg(any(feature = "postgres", feature = "sqlite"))]
mod sql;
#[cfg(feature = "sqlite")]
mod sqlite;
mod summary;
mod summary_json;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use client_store::{Client, ClientPage, ClientStore};
pub use document::{
    body_from_bytes, collect_body, ByteStream, DocumentKey, DocumentMeta, DocumentStore,
    PutOptions, StorageClass,
};
pub use error::{BoxError, Error, Result};
#[cfg(feature = "fs")]
pub use fs::FsDocumentStore;
pub use idempotency::{
    Begin, IdempotencyKey, IdempotencyStore, StoredResponse, MAX_IDEMPOTENCY_KEY_LEN,
};
pub use inbox::{InboxStore, Recorded};
pub use invoice_json::InvoiceJson;
pub use invoice_store::{
    invoices, InvoicePage, InvoiceQuery, InvoiceSort, InvoiceStore, IssueRequest, Page,
    PageRequest, SummaryPage, MAX_PAGE_SIZE,
};
pub use invoice_view::{InvoiceViewStore, ViewedInvoice};
pub use memory::{InMemoryDocumentStore, InMemoryStore};
pub use open::{
    open_documents, open_stores, DocumentsBuilder, DocumentsUrl, StoreUrl, Stores, StoresBuilder,
};
pub use outbox::{ClaimedEvent, OutboxStore};
#[cfg(feature = "postgres")]
pub use postgres::{PostgresStore, PostgresStoreBuilder};
pub use reminder_store::{ReminderPage, ReminderQuery, ReminderStore};
pub use report_store::ReportStore;
#[cfg(feature = "s3")]
pub use s3::{S3DocumentStore, S3DocumentStoreBuilder, MULTIPART_THRESHOLD};
pub use schedule_generator::{GenerationFailure, GenerationReport, ScheduleGenerator};
pub use schedule_store::{Generated, SchedulePage, ScheduleQuery, ScheduleStore};
#[cfg(feature = "sqlite")]
pub use sqlite::{SqliteStore, SqliteStoreBuilder, SqliteSynchronous};
pub use summary::{DocumentKind, InvoiceSummary};
pub use summary_json::SummaryPageJson;

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn traits_are_object_safe() {
        fn _invoices(_: Arc<dyn InvoiceStore>) {}
        fn _outbox(_: Arc<dyn OutboxStore>) {}
        fn _inbox(_: Arc<dyn InboxStore>) {}
        fn _idempotency(_: Arc<dyn IdempotencyStore>) {}
        fn _views(_: Arc<dyn InvoiceViewStore>) {}
        fn _reports(_: Arc<dyn ReportStore>) {}
        fn _schedules(_: Arc<dyn ScheduleStore>) {}
        fn _reminders(_: Arc<dyn ReminderStore>) {}
        fn _clients(_: Arc<dyn ClientStore>) {}
        fn _documents(_: Arc<dyn DocumentStore>) {}
    }
}
