//! Stores opened from a URL: each scheme gives a working store of its backend, whose
//! views share one database (an invoice's events reach the outbox view).

use invoice_core::{EventEnvelope, EventId, Invoice};
use invoice_storage::testing::{self, require_env};
use invoice_storage::{open_stores, Error, InvoiceQuery, Stores, StoresBuilder};

/// Creates an invoice through `stores` and reads it back through every view.
async fn round_trip(stores: &Stores) {
    let tenant = testing::fresh_tenant();
    let (invoice, event) = Invoice::create(testing::draft(&tenant, "Opened AG")).unwrap();
    let at = chrono::DateTime::from_timestamp(1_796_000_000, 0).unwrap();
    let envelope = EventEnvelope::new(
        EventId::from_uuid(uuid::Uuid::new_v4()),
        at,
        &invoice,
        event,
    );
    let pending = stores.outbox.pending().await.unwrap();
    stores
        .invoices
        .create(&invoice, std::slice::from_ref(&envelope))
        .await
        .unwrap();
    assert_eq!(
        stores.invoices.get(&tenant, invoice.id()).await.unwrap(),
        invoice
    );
    let page = stores
        .invoices
        .list(&tenant, &InvoiceQuery::new())
        .await
        .unwrap();
    assert_eq!(page.items[0].id, invoice.id());
    assert_eq!(stores.outbox.pending().await.unwrap(), pending + 1);
    assert!(!stores
        .inbox
        .contains("open-test", envelope.event_id)
        .await
        .unwrap());
}

#[tokio::test]
async fn memory_url_opens_a_memory_store() {
    round_trip(&open_stores("memory:").await.unwrap()).await;
}

#[tokio::test]
async fn sqlite_url_opens_and_creates_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("opened.db");
    let url = format!("sqlite://{}", path.display());
    let stores = StoresBuilder::new(&url)
        .sqlite_read_connections(2)
        .open()
        .await
        .unwrap();
    round_trip(&stores).await;
    assert!(path.exists(), "{url} made no file");
    // Shared (the default): the WAL index is the `-shm` file other processes map.
    assert!(dir.path().join("opened.db-shm").exists());

    // Held for this process alone: the WAL index lives in its memory, no `-shm` file.
    let exclusive = dir.path().join("exclusive.db");
    let stores = StoresBuilder::new(format!("sqlite:{}", exclusive.display()))
        .sqlite_exclusive(true)
        .open()
        .await
        .unwrap();
    round_trip(&stores).await;
    assert!(exclusive.exists());
    assert!(!dir.path().join("exclusive.db-shm").exists());

    let missing = open_stores(&format!(
        "sqlite:{}/no/such/folder/x.db",
        dir.path().display()
    ))
    .await;
    assert!(
        matches!(
            missing,
            Err(Error::Open {
                backend: "sqlite",
                ..
            })
        ),
        "{missing:?}"
    );
}

#[tokio::test]
async fn postgres_url_opens_a_postgres_store() {
    let Some(url) = require_env("DATABASE_URL", "postgres_url_opens_a_postgres_store") else {
        return;
    };
    let schema = format!("test_open_{}", uuid::Uuid::new_v4().simple());
    let stores = StoresBuilder::new(&url)
        .postgres_schema(&schema)
        .postgres_max_connections(2)
        .open()
        .await
        .unwrap();
    round_trip(&stores).await;
}

#[tokio::test]
async fn unknown_urls_are_refused_with_the_url() {
    for url in ["mysql://localhost/x", "sqlite:", "invoices.db"] {
        match open_stores(url).await {
            Err(Error::InvalidUrl { url: given, .. }) => assert_eq!(given, url),
            other => panic!("{url}: expected InvalidUrl, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn document_urls_open_stores_that_pass_the_document_suite() {
    let memory = invoice_storage::open_documents("memory:").await.unwrap();
    testing::documents_put_get_head_list_delete(memory.as_ref()).await;

    let dir = tempfile::tempdir().unwrap();
    let url = format!("file://{}", dir.path().join("archive").display());
    let folder = invoice_storage::open_documents(&url).await.unwrap();
    testing::documents_put_get_head_list_delete(folder.as_ref()).await;
    assert!(dir.path().join("archive").is_dir(), "{url} made no folder");
}

/// `s3://BUCKET` without an endpoint is AWS itself: the SDK's default chain. Here the
/// chain finds moto through `AWS_ENDPOINT_URL` and the credentials and region through
/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_REGION` (`.ci/services.sh` sets
/// them), so the store passes the suite only if it really took its settings from the
/// chain. The test never runs without `AWS_ENDPOINT_URL`, so it cannot reach AWS.
#[tokio::test]
async fn s3_url_without_an_endpoint_uses_the_aws_default_chain() {
    let name = "s3_url_without_an_endpoint_uses_the_aws_default_chain";
    for var in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"] {
        if require_env(var, name).is_none() {
            return;
        }
    }
    let Some(_endpoint) = require_env("AWS_ENDPOINT_URL", name) else {
        return;
    };
    let bucket = format!("chain-{}", uuid::Uuid::new_v4().simple());
    let documents = invoice_storage::DocumentsBuilder::new(format!("s3://{bucket}"))
        .s3_bucket_created()
        .open()
        .await
        .unwrap();
    testing::documents_put_get_head_list_delete(documents.as_ref()).await;

    let bad = invoice_storage::open_documents("s3://Not_A_Bucket").await;
    assert!(matches!(bad, Err(Error::InvalidConfig { .. })), "{bad:?}");
}

#[tokio::test]
async fn s3_url_opens_a_bucket_at_the_endpoint() {
    let Some(endpoint) = require_env("AWS_ENDPOINT_URL", "s3_url_opens_a_bucket_at_the_endpoint")
    else {
        return;
    };
    let bucket = format!("open-{}", uuid::Uuid::new_v4().simple());
    let documents = invoice_storage::DocumentsBuilder::new(format!("s3://{bucket}"))
        .s3_endpoint(endpoint)
        .s3_credentials("testing", "testing")
        .s3_bucket_created()
        .open()
        .await
        .unwrap();
    testing::documents_put_get_head_list_delete(documents.as_ref()).await;
}
