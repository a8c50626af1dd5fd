//! The worker archiving into S3 on the local moto server. Set `AWS_ENDPOINT_URL`
//! (`http://127.0.0.1:5000`), as `.ci/services.sh` does; unset, each test is skipped by
//! name.

mod common;

use std::sync::Arc;

use common::scenarios;
use export_worker::config::Documents;
use export_worker::worker;
use invoice_storage::testing::require_env;
use invoice_storage::DocumentStore;

/// One bucket for all runs: every test writes under a fresh tenant.
const BUCKET: &str = "export-worker-tests";

async fn bucket(test: &str) -> Option<Arc<dyn DocumentStore>> {
    let endpoint = require_env("AWS_ENDPOINT_URL", test)?;
    let documents = Documents::S3 {
        bucket: BUCKET.to_owned(),
        endpoint: Some(endpoint),
    };
    Some(worker::documents(&documents).await.unwrap())
}

#[tokio::test]
async fn s3_issued_invoices_are_archived_as_csv_ubl_and_facturx_in_deep_archive() {
    let Some(documents) =
        bucket("s3_issued_invoices_are_archived_as_csv_ubl_and_facturx_in_deep_archive").await
    else {
        return;
    };
    // Deep-archived objects cannot be read before a restore: `head` only.
    scenarios::issued_invoices_are_archived_as_csv_ubl_and_facturx(documents, false).await;
}

#[tokio::test]
async fn s3_a_redelivered_issued_event_rewrites_the_same_documents() {
    let Some(documents) = bucket("s3_a_redelivered_issued_event_rewrites_the_same_documents").await
    else {
        return;
    };
    scenarios::a_redelivered_issued_event_rewrites_the_same_documents(documents).await;
}
