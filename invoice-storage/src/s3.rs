//! Documents in S3 or any S3-compatible server (MinIO, moto), streamed both ways.
//!
//! Documents up to [`MULTIPART_THRESHOLD`] go up in one `PutObject`; larger ones in
//! parts of that size through a multipart upload, so memory stays bounded by one part
//! whatever the document's size. [`StorageClass::DeepArchive`] maps to S3's
//! `DEEP_ARCHIVE`; reading such an object before it is restored is
//! [`Error::NotAllowed`].

#[cfg(feature = "aws")]
mod aws_defaults;
mod builder;

pub use builder::S3DocumentStoreBuilder;

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream as SdkByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart, StorageClass as S3Class};
use aws_sdk_s3::Client;
use bytes::{Bytes, BytesMut};
use chrono::{DateTime, Utc};
use futures_util::stream::{self, StreamExt};

use crate::document::{
    ByteStream, DocumentKey, DocumentMeta, DocumentStore, PutOptions, StorageClass,
};
use crate::error::{Error, Result};

/// Part size of multipart uploads, and the size above which they are used (S3 needs at
/// least 5 MiB per part but the last).
pub const MULTIPART_THRESHOLD: usize = 8 * 1024 * 1024;

/// Documents in an S3 bucket.
#[derive(Debug, Clone)]
pub struct S3DocumentStore {
    client: Client,
    bucket: String,
}

fn backend<E: std::error::Error + Send + Sync + 'static>(e: E) -> Error {
    Error::Backend {
        backend: "s3",
        source: Box::new(e),
    }
}

fn to_s3_class(class: StorageClass) -> S3Class {
    match class {
        StorageClass::Standard => S3Class::Standard,
        StorageClass::DeepArchive => S3Class::DeepArchive,
    }
}

fn from_s3_class(class: Option<&str>) -> StorageClass {
    match class {
        Some("DEEP_ARCHIVE") => StorageClass::DeepArchive,
        _ => StorageClass::Standard,
    }
}

fn to_chrono(t: Option<&aws_sdk_s3::primitives::DateTime>) -> Option<DateTime<Utc>> {
    t.and_then(|t| DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
}

impl S3DocumentStore {
    /// A store over an SDK client you configured (region, credentials, TLS, endpoint).
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
        }
    }

    /// A builder for a client with an explicit endpoint, region and credentials.
    pub fn builder(bucket: impl Into<String>) -> S3DocumentStoreBuilder {
        S3DocumentStoreBuilder::new(bucket)
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// Creates the bucket if it does not exist yet (for local servers and first runs).
    ///
    /// # Errors
    ///
    /// [`Error::Backend`] when the server refuses.
    pub async fn ensure_bucket(&self) -> Result<()> {
        if self
            .client
            .head_bucket()
            .bucket(&self.bucket)
            .send()
            .await
            .is_ok()
        {
            return Ok(());
        }
        match self
            .client
            .create_bucket()
            .bucket(&self.bucket)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(e))
                if matches!(e.err().code(), Some("BucketAlreadyOwnedByYou")) =>
            {
                Ok(())
            }
            Err(e) => Err(backend(e)),
        }
    }

    async fn put_single(&self, key: &DocumentKey, body: Bytes, options: &PutOptions) -> Result<()> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .set_content_type(options.content_type.clone())
            .set_metadata(Some(options.metadata.clone().into_iter().collect()))
            .storage_class(to_s3_class(options.storage_class))
            .body(SdkByteStream::from(body))
            .send()
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn put_multipart(
        &self,
        key: &DocumentKey,
        first: Bytes,
        mut rest: ByteStream,
        options: &PutOptions,
    ) -> Result<u64> {
        let upload = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(key.as_str())
            .set_content_type(options.content_type.clone())
            .set_metadata(Some(options.metadata.clone().into_iter().collect()))
            .storage_class(to_s3_class(options.storage_class))
            .send()
            .await
            .map_err(backend)?;
        let upload_id = upload.upload_id().unwrap_or_default().to_owned();
        let result = self.upload_parts(key, &upload_id, first, &mut rest).await;
        match result {
            Ok((parts, size)) => {
                self.client
                    .complete_multipart_upload()
                    .bucket(&self.bucket)
                    .key(key.as_str())
                    .upload_id(&upload_id)
                    .multipart_upload(
                        CompletedMultipartUpload::builder()
                            .set_parts(Some(parts))
                            .build(),
                    )
                    .send()
                    .await
                    .map_err(backend)?;
                Ok(size)
            }
            Err(e) => {
                // Without the abort, the parts would be billed until a lifecycle rule ran.
                let _ = self
                    .client
                    .abort_multipart_upload()
                    .bucket(&self.bucket)
                    .key(key.as_str())
                    .upload_id(&upload_id)
                    .send()
                    .await;
                Err(e)
            }
        }
    }

    async fn upload_parts(
        &self,
        key: &DocumentKey,
        upload_id: &str,
        first: Bytes,
        rest: &mut ByteStream,
    ) -> Result<(Vec<CompletedPart>, u64)> {
        let mut parts = Vec::new();
        let mut size = 0u64;
        let mut buffer = BytesMut::from(first.as_ref());
        let mut done = false;
        while !done {
            while buffer.len() < MULTIPART_THRESHOLD {
                match rest.next().await {
                    Some(chunk) => buffer.extend_from_slice(&chunk.map_err(backend)?),
                    None => {
                        done = true;
                        break;
                    }
                }
            }
            if buffer.is_empty() {
                break;
            }
            let take = buffer.len().min(MULTIPART_THRESHOLD);
            let part = buffer.split_to(take).freeze();
            size += part.len() as u64;
            let number = i32::try_from(parts.len() + 1).map_err(|_| Error::InvalidKey {
                key: key.to_string(),
                reason: "document has more parts than S3 allows",
            })?;
            let uploaded = self
                .client
                .upload_part()
                .bucket(&self.bucket)
                .key(key.as_str())
                .upload_id(upload_id)
                .part_number(number)
                .body(SdkByteStream::from(part))
                .send()
                .await
                .map_err(backend)?;
            parts.push(
                CompletedPart::builder()
                    .part_number(number)
                    .set_e_tag(uploaded.e_tag().map(str::to_owned))
                    .build(),
            );
            if done && buffer.is_empty() {
                break;
            }
        }
        Ok((parts, size))
    }
}

#[async_trait]
impl DocumentStore for S3DocumentStore {
    async fn put(
        &self,
        key: &DocumentKey,
        mut body: ByteStream,
        options: &PutOptions,
    ) -> Result<DocumentMeta> {
        // Read up to one part: a small document goes up in one request.
        let mut head = BytesMut::new();
        let mut ended = false;
        while head.len() <= MULTIPART_THRESHOLD {
            match body.next().await {
                Some(chunk) => head.extend_from_slice(&chunk.map_err(backend)?),
                None => {
                    ended = true;
                    break;
                }
            }
        }
        let size = if ended {
            let size = head.len() as u64;
            self.put_single(key, head.freeze(), options).await?;
            size
        } else {
            self.put_multipart(key, head.freeze(), body, options)
                .await?
        };
        let mut meta = DocumentMeta::new(key.clone(), size, options);
        meta.last_modified = self.head(key).await.ok().and_then(|m| m.last_modified);
        Ok(meta)
    }

    async fn get(&self, key: &DocumentKey) -> Result<(DocumentMeta, ByteStream)> {
        let output = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
        {
            Ok(output) => output,
            Err(SdkError::ServiceError(e)) if e.err().is_no_such_key() => {
                return Err(Error::not_found("document", key))
            }
            Err(SdkError::ServiceError(e)) if e.err().is_invalid_object_state() => {
                return Err(Error::NotAllowed {
                    what: "document",
                    id: key.to_string(),
                    reason: "archived in deep archive: restore it before reading",
                })
            }
            Err(e) => return Err(backend(e)),
        };
        let meta = DocumentMeta {
            key: key.clone(),
            size: output.content_length().map_or(0, |n| n.max(0) as u64),
            content_type: output.content_type().map(str::to_owned),
            storage_class: from_s3_class(output.storage_class().map(S3Class::as_str)),
            metadata: output
                .metadata()
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
            last_modified: to_chrono(output.last_modified()),
        };
        let body = stream::unfold(output.body, |mut body| async move {
            match body.try_next().await {
                Ok(Some(chunk)) => Some((Ok(chunk), body)),
                Ok(None) => None,
                Err(e) => Some((Err(std::io::Error::other(e)), body)),
            }
        });
        Ok((meta, body.boxed()))
    }

    async fn head(&self, key: &DocumentKey) -> Result<DocumentMeta> {
        let output = match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
        {
            Ok(output) => output,
            Err(SdkError::ServiceError(e)) if e.err().is_not_found() => {
                return Err(Error::not_found("document", key))
            }
            Err(e) => return Err(backend(e)),
        };
        Ok(DocumentMeta {
            key: key.clone(),
            size: output.content_length().map_or(0, |n| n.max(0) as u64),
            content_type: output.content_type().map(str::to_owned),
            storage_class: from_s3_class(output.storage_class().map(S3Class::as_str)),
            metadata: output
                .metadata()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect::<BTreeMap<_, _>>()
                })
                .unwrap_or_default(),
            last_modified: to_chrono(output.last_modified()),
        })
    }

    async fn list(&self, prefix: &str) -> Result<Vec<DocumentMeta>> {
        let mut out = Vec::new();
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(backend)?;
            for object in page.contents() {
                let Some(key) = object.key().and_then(|k| DocumentKey::new(k).ok()) else {
                    continue;
                };
                out.push(DocumentMeta {
                    key,
                    size: object.size().map_or(0, |n| n.max(0) as u64),
                    content_type: None,
                    storage_class: from_s3_class(object.storage_class().map(|c| c.as_str())),
                    metadata: BTreeMap::new(),
                    last_modified: to_chrono(object.last_modified()),
                });
            }
        }
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    async fn delete(&self, key: &DocumentKey) -> Result<()> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
            .map_err(backend)?;
        Ok(())
    }
}
