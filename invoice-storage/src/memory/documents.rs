//! Documents in memory.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use bytes::Bytes;

use crate::document::{
    body_from_bytes, collect_body, ByteStream, DocumentKey, DocumentMeta, DocumentStore, PutOptions,
};
use crate::error::{Error, Result};

/// Documents in memory, for tests and single-process tools. Cloning shares the data.
#[derive(Debug, Clone, Default)]
pub struct InMemoryDocumentStore {
    documents: Arc<Mutex<BTreeMap<DocumentKey, (DocumentMeta, Bytes)>>>,
}

impl InMemoryDocumentStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<DocumentKey, (DocumentMeta, Bytes)>> {
        // Writes replace whole entries, so a poisoned map is still consistent.
        self.documents
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait]
impl DocumentStore for InMemoryDocumentStore {
    async fn put(
        &self,
        key: &DocumentKey,
        body: ByteStream,
        options: &PutOptions,
    ) -> Result<DocumentMeta> {
        let bytes = collect_body(body).await?;
        let mut meta = DocumentMeta::new(key.clone(), bytes.len() as u64, options);
        meta.last_modified = None;
        self.lock().insert(key.clone(), (meta.clone(), bytes));
        Ok(meta)
    }

    async fn get(&self, key: &DocumentKey) -> Result<(DocumentMeta, ByteStream)> {
        let (meta, bytes) = self
            .lock()
            .get(key)
            .cloned()
            .ok_or_else(|| Error::not_found("document", key))?;
        Ok((meta, body_from_bytes(bytes)))
    }

    async fn head(&self, key: &DocumentKey) -> Result<DocumentMeta> {
        self.lock()
            .get(key)
            .map(|(meta, _)| meta.clone())
            .ok_or_else(|| Error::not_found("document", key))
    }

    async fn list(&self, prefix: &str) -> Result<Vec<DocumentMeta>> {
        Ok(self
            .lock()
            .iter()
            .filter(|(key, _)| key.as_str().starts_with(prefix))
            .map(|(_, (meta, _))| meta.clone())
            .collect())
    }

    async fn delete(&self, key: &DocumentKey) -> Result<()> {
        self.lock().remove(key);
        Ok(())
    }
}
