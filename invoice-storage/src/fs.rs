//! Documents in a local folder, written atomically (temporary file, then rename).
//!
//! Layout under the root: `data/<key>` holds the bytes, `meta/<key>.json` the
//! [`DocumentMeta`], `tmp/` the files being written. A put renames the finished data file
//! into place, then its metadata; a crash before that leaves only a file in `tmp/`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::document::{ByteStream, DocumentKey, DocumentMeta, DocumentStore, PutOptions};
use crate::error::{Error, Result};

/// Read buffer size for [`DocumentStore::get`]: big enough to keep system calls few,
/// small enough that a 200 MB document streams in bounded memory.
const CHUNK: usize = 64 * 1024;

/// Documents in a local folder.
///
/// # Examples
///
/// ```no_run
/// # async fn run() -> invoice_storage::Result<()> {
/// use invoice_storage::{body_from_bytes, DocumentKey, DocumentStore, FsDocumentStore, PutOptions};
///
/// let store = FsDocumentStore::open("/var/lib/invoices").await?;
/// let key = DocumentKey::invoice_document("csv-invoices", "acme", "c-1", "INV-2026-00001", "csv")?;
/// store.put(&key, body_from_bytes("number;total\r\n"), &PutOptions::content_type("text/csv")).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct FsDocumentStore {
    root: PathBuf,
    counter: AtomicU64,
}

fn io_error(e: std::io::Error) -> Error {
    Error::Backend {
        backend: "fs",
        source: Box::new(e),
    }
}

impl FsDocumentStore {
    /// Opens (creating if needed) a store rooted at `root`.
    ///
    /// # Errors
    ///
    /// [`Error::Backend`] when the folders cannot be created.
    pub async fn open(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        for dir in ["data", "meta", "tmp"] {
            tokio::fs::create_dir_all(root.join(dir))
                .await
                .map_err(io_error)?;
        }
        Ok(Self {
            root,
            counter: AtomicU64::new(0),
        })
    }

    fn data_path(&self, key: &DocumentKey) -> PathBuf {
        // DocumentKey has no absolute, empty, `.` or `..` segment, so this stays under root.
        key.segments()
            .fold(self.root.join("data"), |p, s| p.join(s))
    }

    fn meta_path(&self, key: &DocumentKey) -> PathBuf {
        let mut path = key
            .segments()
            .fold(self.root.join("meta"), |p, s| p.join(s));
        let mut name = path
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        name.push(".json");
        path.set_file_name(name);
        path
    }

    fn temp_path(&self) -> PathBuf {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        self.root
            .join("tmp")
            .join(format!("{}-{n}.part", std::process::id()))
    }

    async fn read_meta(&self, key: &DocumentKey) -> Result<DocumentMeta> {
        let bytes = match tokio::fs::read(self.meta_path(key)).await {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::NotFound {
                    what: "document",
                    id: key.to_string(),
                })
            }
            Err(e) => return Err(io_error(e)),
        };
        serde_json::from_slice(&bytes).map_err(|e| Error::Corrupt {
            what: "document metadata",
            id: key.to_string(),
            source: Box::new(e),
        })
    }
}

async fn write_stream(path: &Path, mut body: ByteStream) -> Result<u64> {
    let mut file = tokio::fs::File::create(path).await.map_err(io_error)?;
    let mut size = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(io_error)?;
        file.write_all(&chunk).await.map_err(io_error)?;
        size += chunk.len() as u64;
    }
    file.sync_all().await.map_err(io_error)?;
    Ok(size)
}

async fn move_into_place(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        tokio::fs::create_dir_all(parent).await.map_err(io_error)?;
    }
    tokio::fs::rename(from, to).await.map_err(io_error)
}

#[async_trait]
impl DocumentStore for FsDocumentStore {
    async fn put(
        &self,
        key: &DocumentKey,
        body: ByteStream,
        options: &PutOptions,
    ) -> Result<DocumentMeta> {
        let data_tmp = self.temp_path();
        let size = match write_stream(&data_tmp, body).await {
            Ok(size) => size,
            Err(e) => {
                // The previous document stays; only the partial temp file goes.
                let _ = tokio::fs::remove_file(&data_tmp).await;
                return Err(e);
            }
        };
        let mut meta = DocumentMeta::new(key.clone(), size, options);
        meta.last_modified = tokio::fs::metadata(&data_tmp)
            .await
            .and_then(|m| m.modified())
            .ok()
            .map(chrono::DateTime::<chrono::Utc>::from);
        let meta_tmp = self.temp_path();
        let json = serde_json::to_vec(&meta).map_err(|e| Error::Backend {
            backend: "fs",
            source: Box::new(e),
        })?;
        tokio::fs::write(&meta_tmp, json).await.map_err(io_error)?;
        move_into_place(&data_tmp, &self.data_path(key)).await?;
        move_into_place(&meta_tmp, &self.meta_path(key)).await?;
        Ok(meta)
    }

    async fn get(&self, key: &DocumentKey) -> Result<(DocumentMeta, ByteStream)> {
        let meta = self.read_meta(key).await?;
        let file = tokio::fs::File::open(self.data_path(key))
            .await
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => Error::NotFound {
                    what: "document",
                    id: key.to_string(),
                },
                _ => io_error(e),
            })?;
        let stream = tokio_util::io::ReaderStream::with_capacity(file, CHUNK);
        Ok((meta, stream.boxed()))
    }

    async fn head(&self, key: &DocumentKey) -> Result<DocumentMeta> {
        self.read_meta(key).await
    }

    async fn list(&self, prefix: &str) -> Result<Vec<DocumentMeta>> {
        let meta_root = self.root.join("meta");
        let mut out = Vec::new();
        let mut dirs = vec![meta_root.clone()];
        while let Some(dir) = dirs.pop() {
            let mut entries = match tokio::fs::read_dir(&dir).await {
                Ok(entries) => entries,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io_error(e)),
            };
            while let Some(entry) = entries.next_entry().await.map_err(io_error)? {
                let path = entry.path();
                if entry.file_type().await.map_err(io_error)?.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let Ok(relative) = path.strip_prefix(&meta_root) else {
                    continue;
                };
                let Some(key) = relative
                    .to_str()
                    .and_then(|k| k.strip_suffix(".json"))
                    .map(|k| k.replace(std::path::MAIN_SEPARATOR, "/"))
                else {
                    continue;
                };
                if !key.starts_with(prefix) {
                    continue;
                }
                if let Ok(key) = DocumentKey::new(key) {
                    out.push(self.read_meta(&key).await?);
                }
            }
        }
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    async fn delete(&self, key: &DocumentKey) -> Result<()> {
        for path in [self.meta_path(key), self.data_path(key)] {
            match tokio::fs::remove_file(&path).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_error(e)),
            }
        }
        Ok(())
    }
}
