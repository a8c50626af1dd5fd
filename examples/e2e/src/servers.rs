//! The servers the processes run on, found in the environment.

use std::path::PathBuf;

use invoice_storage::testing::require_env;

/// The URLs of the servers, from the environment.
pub struct Servers {
    /// PostgreSQL, from `DATABASE_URL`.
    pub database_url: String,
    /// RabbitMQ, from `AMQP_URL`.
    pub amqp_url: String,
    /// S3 (moto), from `AWS_ENDPOINT_URL`.
    pub aws_endpoint_url: String,
    /// The SMTP sink, from `SMTP_URL`.
    pub smtp_url: String,
    /// The maildir the SMTP sink delivers into, from `SMTP_MAILDIR`.
    pub smtp_maildir: PathBuf,
}

impl Servers {
    /// The servers, or `None` when a variable is unset: then `test` is reported skipped
    /// by name (or, with `TEST_REQUIRE_SERVICES=1`, fails).
    pub fn from_env(test: &str) -> Option<Self> {
        Some(Self {
            database_url: require_env("DATABASE_URL", test)?,
            amqp_url: require_env("AMQP_URL", test)?,
            aws_endpoint_url: require_env("AWS_ENDPOINT_URL", test)?,
            smtp_url: require_env("SMTP_URL", test)?,
            smtp_maildir: require_env("SMTP_MAILDIR", test)?.into(),
        })
    }
}

/// `url` with the connection's `search_path` set to `schema`, as libpq's `options`
/// parameter does it: the processes then keep every table in that schema.
pub fn url_with_schema(url: &str, schema: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}options=-c%20search_path%3D{schema}")
}
