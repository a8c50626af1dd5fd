//! An [`SqsBroker`] on AWS itself, configured as the AWS SDK configures itself.

use aws_config::BehaviorVersion;
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};

use super::SqsBroker;
use crate::error::{Error, Result};

impl SqsBroker {
    /// A broker with the SDK's default configuration: the region and credentials of its
    /// default chain (environment variables, the shared config and credentials files, web
    /// identity, ECS and EC2 instance roles), an endpoint only where `AWS_ENDPOINT_URL_SQS`
    /// or `AWS_ENDPOINT_URL` names one, HTTPS through rustls.
    ///
    /// Nothing is contacted here; credentials are resolved at the first request.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the chain finds no region (set `AWS_REGION`, or `region` in
    /// the config file).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use invoice_messaging::SqsBroker;
    ///
    /// # async fn run() -> invoice_messaging::Result<()> {
    /// let broker = SqsBroker::from_aws_defaults().await?;
    /// # Ok(()) }
    /// ```
    pub async fn from_aws_defaults() -> Result<Self> {
        let https = aws_smithy_http_client::Builder::new()
            .tls_provider(Provider::Rustls(CryptoMode::Ring))
            .build_https();
        let shared = aws_config::defaults(BehaviorVersion::latest())
            .http_client(https)
            .load()
            .await;
        if shared.region().is_none() {
            return Err(Error::Config {
                reason: "the AWS default chain found no region: set AWS_REGION, or region in \
                         the AWS config file"
                    .to_owned(),
            });
        }
        Ok(Self::new(aws_sdk_sqs::Client::new(&shared)))
    }
}
