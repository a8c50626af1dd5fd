//! Documents (rendered invoices, attachments): keys, metadata, storage classes and the
//! streaming [`DocumentStore`] trait.

use std::collections::BTreeMap;
use std::fmt::{self, Debug};

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures_util::stream::{self, BoxStream, StreamExt};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A document's body as a stream of chunks, so that a large document never has to sit
/// whole in memory.
pub type ByteStream = BoxStream<'static, std::io::Result<Bytes>>;

/// A body of one in-memory chunk.
pub fn body_from_bytes(bytes: impl Into<Bytes>) -> ByteStream {
    stream::once(std::future::ready(Ok(bytes.into()))).boxed()
}

/// Reads a whole body into memory (for small documents).
///
/// # Errors
///
/// [`Error::Backend`] with backend `"stream"` when a chunk fails.
pub async fn collect_body(mut body: ByteStream) -> Result<Bytes> {
    let mut out = bytes::BytesMut::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| Error::Backend {
            backend: "stream",
            source: Box::new(e),
        })?;
        out.extend_from_slice(&chunk);
    }
    Ok(out.freeze())
}

/// The most bytes a key may have.
const MAX_KEY_LEN: usize = 1024;

/// A checked document key: `/`-separated segments, none empty, `.` or `..`, no control
/// characters or backslashes, so that it can never escape its store's root or prefix.
///
/// # Examples
///
/// ```
/// use invoice_storage::DocumentKey;
///
/// let key = DocumentKey::invoice_document("csv-invoices", "acme", "client-7", "INV-2026-00001", "csv")?;
/// assert_eq!(key.as_str(), "csv-invoices/acme/client-7/INV-2026-00001.csv");
/// assert!(DocumentKey::new("csv-invoices/../secrets").is_err());
/// assert!(DocumentKey::new("/etc/passwd").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DocumentKey(String);

impl DocumentKey {
    /// Checks a key.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidKey`] for an empty key, an absolute path, an empty, `.` or `..`
    /// segment, a control character or backslash, or more than 1024 bytes.
    pub fn new(key: impl Into<String>) -> Result<Self> {
        let key = key.into();
        match check_key(&key) {
            Some(reason) => Err(Error::InvalidKey { key, reason }),
            None => Ok(Self(key)),
        }
    }

    /// The seed systems' convention `{prefix}/{tenant}/{client}/{invoice_number}.{ext}`,
    /// each part one segment.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidKey`] when a part is empty, holds `/`, or makes the key invalid.
    pub fn invoice_document(
        prefix: &str,
        tenant: &str,
        client: &str,
        invoice_number: &str,
        extension: &str,
    ) -> Result<Self> {
        for part in [prefix, tenant, client, invoice_number, extension] {
            if part.is_empty() || part.contains('/') {
                return Err(Error::InvalidKey {
                    key: part.to_owned(),
                    reason: "each part must be one non-empty segment without '/'",
                });
            }
        }
        Self::new(format!(
            "{prefix}/{tenant}/{client}/{invoice_number}.{extension}"
        ))
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key's segments.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }
}

fn check_key(key: &str) -> Option<&'static str> {
    if key.is_empty() {
        return Some("must not be empty");
    }
    if key.len() > MAX_KEY_LEN {
        return Some("must be at most 1024 bytes");
    }
    if key.starts_with('/') {
        return Some("must not be an absolute path");
    }
    if key.chars().any(|c| c.is_control() || c == '\\') {
        return Some("must not contain control characters or backslashes");
    }
    for segment in key.split('/') {
        match segment {
            "" => return Some("must not contain empty segments"),
            "." | ".." => return Some("must not contain '.' or '..' segments"),
            _ => {}
        }
    }
    None
}

impl fmt::Display for DocumentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for DocumentKey {
    type Error = Error;

    fn try_from(s: String) -> Result<Self> {
        Self::new(s)
    }
}

impl From<DocumentKey> for String {
    fn from(k: DocumentKey) -> Self {
        k.0
    }
}

/// Where a document is kept: at hand, or archived cheaply (S3 `DEEP_ARCHIVE`, which must
/// be restored before it can be read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StorageClass {
    /// Readable at once.
    #[default]
    Standard,
    /// Long-term archive (S3 Glacier Deep Archive).
    DeepArchive,
}

/// How to store a document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutOptions {
    /// The media type, such as `text/csv`.
    pub content_type: Option<String>,
    /// The storage class.
    pub storage_class: StorageClass,
    /// User metadata (ASCII keys).
    pub metadata: BTreeMap<String, String>,
}

impl PutOptions {
    /// Options with a content type.
    pub fn content_type(content_type: impl Into<String>) -> Self {
        Self {
            content_type: Some(content_type.into()),
            ..Self::default()
        }
    }

    /// Sets the storage class.
    pub fn with_storage_class(mut self, class: StorageClass) -> Self {
        self.storage_class = class;
        self
    }

    /// Adds a metadata entry.
    pub fn with_metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }
}

/// What a store knows about a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DocumentMeta {
    /// The key.
    pub key: DocumentKey,
    /// Size in bytes.
    pub size: u64,
    /// The media type.
    pub content_type: Option<String>,
    /// The storage class.
    pub storage_class: StorageClass,
    /// User metadata.
    pub metadata: BTreeMap<String, String>,
    /// When it was last written, where the store knows.
    pub last_modified: Option<DateTime<Utc>>,
}

impl DocumentMeta {
    /// Metadata for `key` of `size` bytes stored with `options`.
    pub fn new(key: DocumentKey, size: u64, options: &PutOptions) -> Self {
        Self {
            key,
            size,
            content_type: options.content_type.clone(),
            storage_class: options.storage_class,
            metadata: options.metadata.clone(),
            last_modified: None,
        }
    }
}

/// Stores documents by key, streaming in both directions.
#[async_trait]
pub trait DocumentStore: Debug + Send + Sync + 'static {
    /// Writes `body` under `key`, replacing what was there. A failed or interrupted put
    /// leaves the previous document (or none) in place.
    ///
    /// # Errors
    ///
    /// [`Error::Backend`] when the store or the body stream fails.
    async fn put(
        &self,
        key: &DocumentKey,
        body: ByteStream,
        options: &PutOptions,
    ) -> Result<DocumentMeta>;

    /// Reads a document as a stream.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`]; [`Error::NotAllowed`] for an archived document not restored.
    async fn get(&self, key: &DocumentKey) -> Result<(DocumentMeta, ByteStream)>;

    /// Reads a document's metadata.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`].
    async fn head(&self, key: &DocumentKey) -> Result<DocumentMeta>;

    /// Lists the documents whose key starts with `prefix`, in key order.
    ///
    /// # Errors
    ///
    /// [`Error::Backend`] when the store fails.
    async fn list(&self, prefix: &str) -> Result<Vec<DocumentMeta>>;

    /// Deletes a document; deleting a missing key is not an error.
    ///
    /// # Errors
    ///
    /// [`Error::Backend`] when the store fails.
    async fn delete(&self, key: &DocumentKey) -> Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_and_malformed_keys_are_rejected() {
        for bad in [
            "", "/abs", "a//b", "a/", "../x", "a/../b", "a/./b", ".", "a\\..\\b", "a\nb", "a\0b",
        ] {
            assert!(
                matches!(DocumentKey::new(bad), Err(Error::InvalidKey { .. })),
                "{bad:?} accepted"
            );
        }
        assert!(DocumentKey::new("x".repeat(1025)).is_err());
        assert!(DocumentKey::new("csv-invoices/t/c/INV-1.csv").is_ok());
        assert!(
            DocumentKey::new("a/..b/c.d").is_ok(),
            "'..b' is a name, not a parent"
        );
    }

    #[test]
    fn invoice_document_parts_are_single_segments() {
        assert!(DocumentKey::invoice_document("p", "t/../x", "c", "n", "csv").is_err());
        assert!(DocumentKey::invoice_document("p", "t", "", "n", "csv").is_err());
        assert!(DocumentKey::invoice_document("p", "t", "c", "..", "csv").is_ok());
        assert!(DocumentKey::invoice_document("p", "t", "c", "n", "").is_err());
    }

    #[test]
    fn key_deserialization_checks() {
        assert!(serde_json::from_str::<DocumentKey>("\"../x\"").is_err());
    }
}
