//! Persistence for [`invoice_core`]: store traits, adapters, and the conformance suite
//! every adapter passes.
//!
//! | trait | what it stores |
//! |---|---|
//! | [`InvoiceStore`] | invoices, tenant-scoped, with optimistic concurrency, gapless numbering at issue and paged listing |
//! | [`OutboxStore`] | domain events saved in the same transaction as the invoice, claimed by relays under a lease |
//! | [`InboxStore`] | event ids a consumer has processed, for idempotent consumers |
//! | [`ClientStore`] | a tenant's clients with their contact information |
//! | [`DocumentStore`] | rendered invoices and attachments by [`DocumentKey`], streamed, with a storage class |
//!
//! | feature | adapter |
//! |---|---|
//! | (always) | [`InMemoryStore`], [`InMemoryDocumentStore`] |
//! | `fs` | `FsDocumentStore`: documents in a local folder, written atomically |
//! | `s3` | `S3DocumentStore`: documents in S3 or an S3-compatible server, multipart for large ones |
//! | `postgres` | `PostgresStore`: invoices, outbox, inbox and clients in PostgreSQL (plain TCP) |
//! | `postgres-tls` | `postgres` with TLS (rustls), for servers off the host |
//! | `sqlite` | `SqliteStore`: invoices, outbox, inbox and clients in a SQLite file (rusqlite, SQLite compiled in): reads on the calling thread, writes on one writer thread with group commit |
//! | `testing` | the conformance suite, `invoice_storage::testing` |
//!
//! The traits are object-safe and meant to be used as `Arc<dyn InvoiceStore>`.
//!
//! # Example
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use chrono::{NaiveDate, TimeZone, Utc};
//! use invoice_core::{Address, CountryCode, Currency, EventEnvelope, EventId, Invoice,
//!     InvoiceBuilder, InvoiceId, LineItem, Party, TenantId, UnitCode, Vat};
//! use invoice_storage::{InMemoryStore, InvoiceStore, IssueRequest, OutboxStore};
//! use rust_decimal_macros::dec;
//! use uuid::Uuid;
//!
//! let store = InMemoryStore::new();
//! let invoices: Arc<dyn InvoiceStore> = Arc::new(store.clone());
//! let tenant = TenantId::new("acme")?;
//! let now = Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap();
//!
//! let address = Address::new(CountryCode::new("DE")?).with_city("Berlin").with_postal_code("10115");
//! let (draft, created) = Invoice::create(
//!     InvoiceBuilder::new(InvoiceId::from_uuid(Uuid::new_v4()), tenant.clone(), Currency::EUR,
//!             Party::new("Seller GmbH", address.clone()).with_vat_id("DE123456789"),
//!             Party::new("Buyer AG", address))
//!         .due_date(NaiveDate::from_ymd_opt(2026, 12, 24).unwrap())
//!         .line(LineItem::new("1", "Service", dec!(1), UnitCode::piece(), dec!(100), Vat::standard(dec!(19)))),
//! )?;
//! let event = EventEnvelope::new(EventId::from_uuid(Uuid::new_v4()), now, &draft, created);
//! invoices.create(&draft, &[event]).await?;
//!
//! let request = IssueRequest::new(NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
//!     EventId::from_uuid(Uuid::new_v4()), now);
//! let (issued, _issued_event) = invoices.issue(&tenant, draft.id(), &request).await?;
//! assert_eq!(issued.number().map(|n| n.as_str()), Some("INV-2026-00001"));
//! assert_eq!(store.pending().await?, 2); // Created and Issued, waiting for the relay
//! # Ok(())
//! # }
//! ```
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
mod inbox;
mod invoice_store;
mod memory;
mod open;
mod outbox;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "s3")]
mod s3;
#[cfg(any(feature = "postgres", feature = "sqlite"))]
mod sql;
#[cfg(feature = "sqlite")]
mod sqlite;
mod summary;
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
pub use inbox::{InboxStore, Recorded};
pub use invoice_store::{
    invoices, InvoicePage, InvoiceQuery, InvoiceSort, InvoiceStore, IssueRequest, Page,
    PageRequest, SummaryPage, MAX_PAGE_SIZE,
};
pub use memory::{InMemoryDocumentStore, InMemoryStore};
pub use open::{open_stores, StoreUrl, Stores, StoresBuilder};
pub use outbox::{ClaimedEvent, OutboxStore};
#[cfg(feature = "postgres")]
pub use postgres::{PostgresStore, PostgresStoreBuilder};
#[cfg(feature = "s3")]
pub use s3::{S3DocumentStore, S3DocumentStoreBuilder, MULTIPART_THRESHOLD};
#[cfg(feature = "sqlite")]
pub use sqlite::{SqliteStore, SqliteStoreBuilder, SqliteSynchronous};
pub use summary::{DocumentKind, InvoiceSummary};

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn traits_are_object_safe() {
        fn _invoices(_: Arc<dyn InvoiceStore>) {}
        fn _outbox(_: Arc<dyn OutboxStore>) {}
        fn _inbox(_: Arc<dyn InboxStore>) {}
        fn _clients(_: Arc<dyn ClientStore>) {}
        fn _documents(_: Arc<dyn DocumentStore>) {}
    }
}
