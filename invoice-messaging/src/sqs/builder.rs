//! Building an [`SqsBroker`](super::SqsBroker) for an explicit endpoint.

use aws_sdk_sqs::config::{BehaviorVersion, Credentials, Region};

use super::SqsBroker;
use crate::error::{Error, Result};

/// Builds an [`SqsBroker`] for an explicit endpoint (a local SQS-compatible server), over
/// plain HTTP. For AWS itself, configure an `aws_sdk_sqs::Client` with TLS and the default
/// credential chain and use [`SqsBroker::new`].
///
/// # Examples
///
/// ```no_run
/// use invoice_messaging::SqsBroker;
///
/// let broker = SqsBroker::builder()
///     .endpoint("http://127.0.0.1:5000")
///     .credentials("testing", "testing")
///     .build()?;
/// # Ok::<(), invoice_messaging::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct SqsBrokerBuilder {
    endpoint: Option<String>,
    region: Option<String>,
    credentials: Option<(String, String)>,
}

impl SqsBrokerBuilder {
    /// A builder in `us-east-1`.
    pub fn new() -> Self {
        Self::default()
    }

    /// The server's URL.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The region.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Static credentials.
    pub fn credentials(mut self, key: impl Into<String>, secret: impl Into<String>) -> Self {
        self.credentials = Some((key.into(), secret.into()));
        self
    }

    /// Checks the settings and builds the broker.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] without an endpoint, or with one that is not an http(s) URL.
    pub fn build(self) -> Result<SqsBroker> {
        let endpoint = self.endpoint.ok_or_else(|| Error::Config {
            reason: "an endpoint is required; use SqsBroker::new for AWS".to_owned(),
        })?;
        if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
            return Err(Error::Config {
                reason: format!("endpoint {endpoint:?} is not an http(s) URL"),
            });
        }
        let (key, secret) = self
            .credentials
            .unwrap_or_else(|| ("anonymous".to_owned(), "anonymous".to_owned()));
        let config = aws_sdk_sqs::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .region(Region::new(
                self.region.unwrap_or_else(|| "us-east-1".to_owned()),
            ))
            .endpoint_url(endpoint)
            .credentials_provider(Credentials::new(key, secret, None, None, "static"))
            .build();
        Ok(SqsBroker::new(aws_sdk_sqs::Client::from_conf(config)))
    }
}
