//! `export-worker`: archives every issued invoice as CSV, UBL and Factur-X PDF in a
//! document store.
//!
//! On each `Issued` event it loads the invoice (the event's summary is not enough to
//! render it) from an [`InvoiceStore`](invoice_storage::InvoiceStore), renders its lines
//! as CSV and the invoice as UBL 2.1 and as Factur-X (a PDF/A-3b with its CII embedded)
//! with [`invoice_export`], and stores the three with the
//! deep-archive storage class under the seed systems' key convention:
//!
//! ```text
//! csv-invoices/{tenant}/{client id or "no-client"}/{number}.csv
//! ubl-invoices/{tenant}/{client id or "no-client"}/{number}.xml
//! pdf-invoices/{tenant}/{client id or "no-client"}/{number}.pdf
//! ```
//!
//! Run it on embedded defaults (in-memory invoices with a short demo, in-process bus,
//! documents in `./invoice-documents`):
//!
//! ```sh
//! cargo run -p export-worker
//! ```
//!
//! Against real services:
//!
//! ```sh
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
//!   MESSAGING=rabbitmq AMQP_URL=amqp://127.0.0.1:5672/%2f \
//!   DOCUMENTS=s3 S3_BUCKET=invoice-archive AWS_ENDPOINT_URL=http://127.0.0.1:5000 \
//!   cargo run -p export-worker
//! ```
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `MESSAGING` | `inprocess` | `inprocess`, `sqs` or `rabbitmq` (+ `AMQP_URL`) |
//! | `AWS_ENDPOINT_URL` | unset | for `sqs` and `s3`: an S3- and SQS-compatible server such as moto at `http://127.0.0.1:5000`; without it, AWS itself through the SDK's default credential chain and region |
//! | `QUEUE_NAME` | `export-worker` | the SQS or RabbitMQ queue consumed |
//! | `DOCUMENTS` | `fs` | `fs` (+ `DOCUMENTS_DIR`, default `invoice-documents`) or `s3` (+ `S3_BUCKET`) |
//! | `DATABASE_URL` | `memory` | where invoices are loaded from: `memory`, `sqlite:FILE` or `postgres://…`, the database `invoice-service` writes |
//!
//! Redelivered events need no inbox: an issued invoice is frozen, so archiving it again
//! writes the same bytes under the same keys.

pub mod archive;
pub mod config;
pub mod demo;
pub mod worker;

pub use archive::{document_key, ArchiveError, Archiver, Format, NO_CLIENT};
pub use worker::Worker;
