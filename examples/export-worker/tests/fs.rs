//! The worker archiving into a local folder (`FsDocumentStore` in a temporary
//! directory): no server needed, always run.

mod common;

use std::sync::Arc;

use common::scenarios;
use export_worker::config::Documents;
use export_worker::worker;
use invoice_storage::DocumentStore;

async fn folder() -> (tempfile::TempDir, Arc<dyn DocumentStore>) {
    let dir = tempfile::tempdir().unwrap();
    let documents = worker::documents(&Documents::Fs {
        dir: dir.path().join("documents"),
    })
    .await
    .unwrap();
    (dir, documents)
}

#[tokio::test]
async fn fs_issued_invoices_are_archived_as_csv_ubl_and_facturx() {
    let (_dir, documents) = folder().await;
    scenarios::issued_invoices_are_archived_as_csv_ubl_and_facturx(documents, true).await;
}

#[tokio::test]
async fn fs_a_redelivered_issued_event_rewrites_the_same_documents() {
    let (_dir, documents) = folder().await;
    scenarios::a_redelivered_issued_event_rewrites_the_same_documents(documents).await;
}

#[tokio::test]
async fn fs_an_issued_event_for_a_missing_invoice_is_dead_lettered() {
    let (_dir, documents) = folder().await;
    scenarios::an_issued_event_for_a_missing_invoice_is_dead_lettered(documents).await;
}
