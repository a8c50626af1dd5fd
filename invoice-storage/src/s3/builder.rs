//! Building an [`S3DocumentStore`] for an explicit endpoint.

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};

use super::S3DocumentStore;
use crate::error::{Error, Result};

/// Builds an [`S3DocumentStore`] with an explicit endpoint, region and static credentials,
/// such as a local S3-compatible server. The client speaks plain HTTP; for AWS itself,
/// configure an `aws_sdk_s3::Client` with TLS and the default credential chain (the
/// `aws-config` crate) and pass it to [`S3DocumentStore::new`].
///
/// # Examples
///
/// ```no_run
/// use invoice_storage::S3DocumentStore;
///
/// let store = S3DocumentStore::builder("invoices")
///     .endpoint("http://127.0.0.1:5000")
///     .region("us-east-1")
///     .credentials("testing", "testing")
///     .build()?;
/// # Ok::<(), invoice_storage::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct S3DocumentStoreBuilder {
    bucket: String,
    endpoint: Option<String>,
    region: String,
    access_key: Option<(String, String)>,
    path_style: bool,
}

impl S3DocumentStoreBuilder {
    /// A builder for `bucket` in `us-east-1` with path-style addressing.
    pub fn new(bucket: impl Into<String>) -> Self {
        Self {
            bucket: bucket.into(),
            endpoint: None,
            region: "us-east-1".to_owned(),
            access_key: None,
            path_style: true,
        }
    }

    /// The server's URL, such as `http://127.0.0.1:5000`.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The region.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    /// Static credentials.
    pub fn credentials(
        mut self,
        access_key_id: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        self.access_key = Some((access_key_id.into(), secret.into()));
        self
    }

    /// Path-style (`host/bucket/key`, the default here) or virtual-host-style addressing.
    pub fn path_style(mut self, path_style: bool) -> Self {
        self.path_style = path_style;
        self
    }

    /// Checks the settings and builds the store.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] with backend `"s3"` for a missing endpoint, an endpoint that
    /// is not an `http://` or `https://` URL, or an invalid bucket name.
    pub fn build(self) -> Result<S3DocumentStore> {
        let invalid = |reason: String| Error::InvalidConfig {
            backend: "s3",
            reason,
        };
        let endpoint = self.endpoint.ok_or_else(|| {
            invalid("an endpoint is required; use S3DocumentStore::new for AWS".to_owned())
        })?;
        if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
            return Err(invalid(format!(
                "endpoint {endpoint:?} is not an http(s) URL"
            )));
        }
        check_bucket(&self.bucket)?;
        let (key, secret) = self
            .access_key
            .unwrap_or_else(|| ("anonymous".to_owned(), "anonymous".to_owned()));
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .region(Region::new(self.region))
            .endpoint_url(endpoint)
            .credentials_provider(Credentials::new(key, secret, None, None, "static"))
            .force_path_style(self.path_style)
            .build();
        Ok(S3DocumentStore::new(
            aws_sdk_s3::Client::from_conf(config),
            self.bucket,
        ))
    }
}

/// [`Error::InvalidConfig`] unless `bucket` is a valid S3 bucket name: 3 to 63 lower-case
/// letters, digits, `-` and `.`.
pub(super) fn check_bucket(bucket: &str) -> Result<()> {
    let ok = (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidConfig {
            backend: "s3",
            reason: format!("bucket name {bucket:?} is not valid"),
        })
    }
}
