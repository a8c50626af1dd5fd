//! Suite functions for [`DocumentStore`].

use futures_util::stream::{self, StreamExt};
use uuid::Uuid;

use crate::{
    body_from_bytes, collect_body, ByteStream, DocumentKey, DocumentStore, Error, PutOptions,
    StorageClass,
};

fn fresh_prefix() -> String {
    format!("suite-{}", Uuid::new_v4().simple())
}

/// Put, get, head, list by prefix, overwrite and delete, with content type, metadata and
/// storage class kept.
pub async fn documents_put_get_head_list_delete(store: &dyn DocumentStore) {
    let prefix = fresh_prefix();
    let key = DocumentKey::invoice_document(&prefix, "acme", "client-1", "INV-2026-00001", "csv")
        .unwrap();
    let options =
        PutOptions::content_type("text/csv").with_metadata("invoice-number", "INV-2026-00001");
    let meta = store
        .put(&key, body_from_bytes("a;b\r\n1;2\r\n"), &options)
        .await
        .unwrap();
    assert_eq!(meta.size, 10);
    let (meta, body) = store.get(&key).await.unwrap();
    assert_eq!(
        collect_body(body).await.unwrap().as_ref(),
        b"a;b\r\n1;2\r\n"
    );
    assert_eq!(meta.content_type.as_deref(), Some("text/csv"));
    assert_eq!(
        meta.metadata.get("invoice-number").map(String::as_str),
        Some("INV-2026-00001")
    );
    assert_eq!(
        store.head(&key).await.unwrap().storage_class,
        StorageClass::Standard
    );

    let archived =
        DocumentKey::invoice_document(&prefix, "acme", "client-1", "INV-2026-00001", "xml")
            .unwrap();
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

    let other = DocumentKey::new(format!("{prefix}-other/x.csv")).unwrap();
    store
        .put(&other, body_from_bytes("x"), &PutOptions::default())
        .await
        .unwrap();
    let listed: Vec<String> = store
        .list(&format!("{prefix}/acme/"))
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.key.to_string())
        .collect();
    assert_eq!(
        listed,
        [archived.to_string(), key.to_string()]
            .map(String::from)
            .iter()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
    );

    store
        .put(&key, body_from_bytes("replaced"), &options)
        .await
        .unwrap();
    let (_, body) = store.get(&key).await.unwrap();
    assert_eq!(collect_body(body).await.unwrap().as_ref(), b"replaced");

    store.delete(&key).await.unwrap();
    store.delete(&key).await.unwrap();
    assert!(matches!(
        store.head(&key).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(store.get(&key).await, Err(Error::NotFound { .. })));
    store.delete(&archived).await.unwrap();
    store.delete(&other).await.unwrap();
}

/// A put whose body fails half-way leaves the previous document in place.
pub async fn failed_put_keeps_the_previous_document(store: &dyn DocumentStore) {
    let key = DocumentKey::new(format!("{}/doc.bin", fresh_prefix())).unwrap();
    store
        .put(&key, body_from_bytes("old"), &PutOptions::default())
        .await
        .unwrap();
    let failing: ByteStream = stream::iter(vec![
        Ok(bytes::Bytes::from_static(b"new first half")),
        Err(std::io::Error::other("connection reset")),
    ])
    .boxed();
    assert!(store
        .put(&key, failing, &PutOptions::default())
        .await
        .is_err());
    let (_, body) = store.get(&key).await.unwrap();
    assert_eq!(collect_body(body).await.unwrap().as_ref(), b"old");
    store.delete(&key).await.unwrap();
}

/// A body of `size` bytes made chunk by chunk as it is read (deterministic content), so
/// that writing a large document needs no large buffer.
pub fn generated_body(size: u64, chunk: usize) -> ByteStream {
    let chunks = size.div_ceil(chunk as u64);
    stream::iter(0..chunks)
        .map(move |i| {
            let start = i * chunk as u64;
            let len = (size - start).min(chunk as u64) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|j| ((start as usize + j) % 251) as u8)
                .collect();
            Ok(bytes::Bytes::from(bytes))
        })
        .boxed()
}

/// Streams a `size`-byte document in and out, checking every byte, and returns the
/// process's peak resident memory growth in bytes over the round trip (from
/// `/proc/self/status`, 0 where it is not available).
pub async fn large_document_round_trip(store: &dyn DocumentStore, size: u64) -> u64 {
    let before = peak_rss();
    let key = DocumentKey::new(format!("{}/large.bin", fresh_prefix())).unwrap();
    let meta = store
        .put(
            &key,
            generated_body(size, 1 << 20),
            &PutOptions::content_type("application/octet-stream"),
        )
        .await
        .unwrap();
    assert_eq!(meta.size, size);
    let (meta, mut body) = store.get(&key).await.unwrap();
    assert_eq!(meta.size, size);
    let mut offset = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.unwrap();
        for (j, b) in chunk.iter().enumerate() {
            assert_eq!(
                *b,
                ((offset as usize + j) % 251) as u8,
                "byte {} differs",
                offset + j as u64
            );
        }
        offset += chunk.len() as u64;
    }
    assert_eq!(offset, size);
    store.delete(&key).await.unwrap();
    peak_rss().saturating_sub(before)
}

/// The process's peak resident set size (VmHWM) in bytes.
pub fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}
