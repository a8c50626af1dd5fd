//! The S3 document store against a real S3-compatible server (moto in CI), one fresh
//! bucket per test. Set `AWS_ENDPOINT_URL`, e.g. `http://127.0.0.1:5000`.

use invoice_storage::testing::{self, require_env};
use invoice_storage::{
    body_from_bytes, collect_body, DocumentKey, DocumentStore, Error, PutOptions, S3DocumentStore,
    StorageClass, MULTIPART_THRESHOLD,
};

async fn fresh_store(endpoint: &str) -> S3DocumentStore {
    let bucket = format!("test-{}", uuid::Uuid::new_v4().simple());
    let store = S3DocumentStore::builder(bucket)
        .endpoint(endpoint)
        .region("us-east-1")
        .credentials("testing", "testing")
        .build()
        .unwrap();
    store.ensure_bucket().await.unwrap();
    store
}

#[tokio::test]
async fn s3_document_store_passes_the_document_suite() {
    let Some(endpoint) = require_env(
        "AWS_ENDPOINT_URL",
        "s3_document_store_passes_the_document_suite",
    ) else {
        return;
    };
    let store = fresh_store(&endpoint).await;
    testing::documents_put_get_head_list_delete(&store).await;
    testing::failed_put_keeps_the_previous_document(&store).await;
}

#[tokio::test]
async fn s3_multipart_upload_round_trips_and_keeps_the_storage_class() {
    let Some(endpoint) = require_env(
        "AWS_ENDPOINT_URL",
        "s3_multipart_upload_round_trips_and_keeps_the_storage_class",
    ) else {
        return;
    };
    let store = fresh_store(&endpoint).await;
    let key = DocumentKey::new("archive/acme/c1/INV-1.pdf").unwrap();
    let size = 2 * MULTIPART_THRESHOLD as u64 + 123;
    let body = testing::generated_body(size, 1 << 20);
    store
        .put(&key, body, &PutOptions::content_type("application/pdf"))
        .await
        .unwrap();
    let meta = store.head(&key).await.unwrap();
    assert_eq!(meta.size, size);
    let (_, body) = store.get(&key).await.unwrap();
    assert_eq!(collect_body(body).await.unwrap().len() as u64, size);

    let archived = DocumentKey::new("archive/acme/c1/INV-1.xml").unwrap();
    let deep =
        PutOptions::content_type("application/xml").with_storage_class(StorageClass::DeepArchive);
    store
        .put(&archived, body_from_bytes("<Invoice/>"), &deep)
        .await
        .unwrap();
    assert_eq!(
        store.head(&archived).await.unwrap().storage_class,
        StorageClass::DeepArchive
    );
    let listed = store.list("archive/acme/").await.unwrap();
    let class_of = |k: &DocumentKey| listed.iter().find(|m| &m.key == k).map(|m| m.storage_class);
    assert_eq!(class_of(&archived), Some(StorageClass::DeepArchive));
    assert_eq!(class_of(&key), Some(StorageClass::Standard));
    assert!(matches!(
        store.get(&archived).await,
        Err(Error::NotAllowed { .. })
    ));
}

#[tokio::test]
async fn s3_builder_rejects_bad_settings_with_typed_errors() {
    for builder in [
        S3DocumentStore::builder("bucket"),
        S3DocumentStore::builder("bucket").endpoint("127.0.0.1:5000"),
        S3DocumentStore::builder("Bad_Bucket").endpoint("http://127.0.0.1:5000"),
    ] {
        assert!(matches!(
            builder.build(),
            Err(Error::InvalidConfig { backend: "s3", .. })
        ));
    }
}

#[tokio::test]
async fn s3_unreachable_server_is_a_typed_error() {
    let store = S3DocumentStore::builder("bucket")
        .endpoint("http://127.0.0.1:9")
        .build()
        .unwrap();
    let key = DocumentKey::new("a/b").unwrap();
    assert!(matches!(store.head(&key).await, Err(Error::Backend { .. })));
}
