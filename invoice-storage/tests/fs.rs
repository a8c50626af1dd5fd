//! The local-folder document store passes the document suite, on a temporary folder.

use invoice_storage::{testing, DocumentKey, DocumentStore, FsDocumentStore, PutOptions};

#[tokio::test]
async fn fs_document_store_passes_the_document_suite() {
    let dir = tempfile::tempdir().unwrap();
    let store = FsDocumentStore::open(dir.path()).await.unwrap();
    testing::documents_put_get_head_list_delete(&store).await;
    testing::failed_put_keeps_the_previous_document(&store).await;
}

#[tokio::test]
async fn fs_documents_survive_reopening_and_leave_no_temp_files() {
    let dir = tempfile::tempdir().unwrap();
    let key = DocumentKey::new("ubl-invoices/acme/c1/INV-1.xml").unwrap();
    {
        let store = FsDocumentStore::open(dir.path()).await.unwrap();
        let options = PutOptions::content_type("application/xml");
        store
            .put(
                &key,
                invoice_storage::body_from_bytes("<Invoice/>"),
                &options,
            )
            .await
            .unwrap();
    }
    let store = FsDocumentStore::open(dir.path()).await.unwrap();
    let meta = store.head(&key).await.unwrap();
    assert_eq!(meta.size, 10);
    assert_eq!(meta.content_type.as_deref(), Some("application/xml"));
    assert!(dir
        .path()
        .join("data/ubl-invoices/acme/c1/INV-1.xml")
        .is_file());
    let leftovers = std::fs::read_dir(dir.path().join("tmp")).unwrap().count();
    assert_eq!(leftovers, 0);
}
