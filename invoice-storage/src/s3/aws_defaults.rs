//! An [`S3DocumentStore`] on AWS itself, configured as the AWS SDK configures itself.

use aws_config::BehaviorVersion;
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};

use super::builder::check_bucket;
use super::S3DocumentStore;
use crate::error::{Error, Result};

impl S3DocumentStore {
    /// A store for `bucket` with the SDK's default configuration: the region and
    /// credentials of its default chain (environment variables, the shared config and
    /// credentials files, web identity, ECS and EC2 instance roles), an endpoint only
    /// where `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL` names one, HTTPS through rustls.
    /// Buckets are addressed virtual-host style on AWS, path style at a named endpoint
    /// (S3-compatible servers).
    ///
    /// Nothing is contacted here; credentials are resolved at the first request.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] with backend `"s3"` for an invalid bucket name, or when
    /// the chain finds no region (set `AWS_REGION`, or `region` in the config file).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use invoice_storage::S3DocumentStore;
    ///
    /// # async fn run() -> invoice_storage::Result<()> {
    /// let store = S3DocumentStore::from_aws_defaults("acme-invoices").await?;
    /// # Ok(()) }
    /// ```
    pub async fn from_aws_defaults(bucket: impl Into<String>) -> Result<Self> {
        let bucket = bucket.into();
        check_bucket(&bucket)?;
        let https = aws_smithy_http_client::Builder::new()
            .tls_provider(Provider::Rustls(CryptoMode::Ring))
            .build_https();
        let shared = aws_config::defaults(BehaviorVersion::latest())
            .http_client(https)
            .load()
            .await;
        if shared.region().is_none() {
            return Err(Error::InvalidConfig {
                backend: "s3",
                reason: "the AWS default chain found no region: set AWS_REGION, or region in \
                         the AWS config file"
                    .to_owned(),
            });
        }
        let config = aws_sdk_s3::config::Builder::from(&shared)
            .force_path_style(shared.endpoint_url().is_some())
            .build();
        Ok(Self::new(aws_sdk_s3::Client::from_conf(config), bucket))
    }
}
