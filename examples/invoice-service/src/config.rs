//! Configuration from the environment. Every variable has an embedded default, so the
//! service runs with no server at all; a wrong value stops it at start with a message
//! that names the variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{bail, Context};
use invoice_storage::StoreUrl;

/// Which broker carries events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Messaging {
    /// Inside this process (`MESSAGING=inprocess`, the default).
    InProcess,
    /// RabbitMQ at `AMQP_URL`.
    RabbitMq {
        /// `amqp://…`
        url: String,
    },
    /// SQS at `AWS_ENDPOINT_URL` (or AWS).
    Sqs {
        /// A local server's URL; AWS when absent.
        endpoint: Option<String>,
    },
}

/// Where documents are archived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Documents {
    /// A local folder (`DOCUMENTS=fs`, `DOCUMENTS_DIR`, default `./invoice-documents`).
    Fs {
        /// The folder.
        dir: PathBuf,
    },
    /// An S3 bucket (`DOCUMENTS=s3`, `S3_BUCKET`, `AWS_ENDPOINT_URL`).
    S3 {
        /// The bucket.
        bucket: String,
        /// A local server's URL; AWS when absent.
        endpoint: Option<String>,
    },
}

/// The whole configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// `BIND`, default `127.0.0.1:8080`.
    pub bind: SocketAddr,
    /// `DATABASE_URL`, checked: `memory:`, `sqlite:FILE` (the default is
    /// `sqlite:invoice-service.db`) or `postgres://…`, opened by
    /// [`invoice_storage::StoresBuilder`].
    pub database: String,
    /// `MESSAGING`.
    pub messaging: Messaging,
    /// `DOCUMENTS`.
    pub documents: Documents,
    /// `JWT_SECRET`.
    pub jwt_secret: String,
    /// Whether the JWT secret is the built-in development one.
    pub dev_secret: bool,
}

/// The development secret used when `JWT_SECRET` is unset.
pub const DEV_SECRET: &str = "dev-secret-change-me";

impl Config {
    /// Reads the configuration through `var` (the process environment in `main`).
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let bind = var("BIND")
            .unwrap_or_else(|| "127.0.0.1:8080".to_owned())
            .parse()
            .context("BIND must be an address such as 127.0.0.1:8080")?;
        let database =
            var("DATABASE_URL").unwrap_or_else(|| "sqlite:invoice-service.db".to_owned());
        StoreUrl::parse(&database).context("DATABASE_URL")?;
        let messaging = match var("MESSAGING").as_deref() {
            None | Some("inprocess") => Messaging::InProcess,
            Some("rabbitmq") => Messaging::RabbitMq {
                url: var("AMQP_URL").context("MESSAGING=rabbitmq needs AMQP_URL")?,
            },
            Some("sqs") => Messaging::Sqs {
                endpoint: var("AWS_ENDPOINT_URL"),
            },
            Some(other) => bail!("MESSAGING {other:?}: expected inprocess, rabbitmq or sqs"),
        };
        let documents = match var("DOCUMENTS").as_deref() {
            None | Some("fs") => Documents::Fs {
                dir: var("DOCUMENTS_DIR")
                    .unwrap_or_else(|| "invoice-documents".to_owned())
                    .into(),
            },
            Some("s3") => Documents::S3 {
                bucket: var("S3_BUCKET").context("DOCUMENTS=s3 needs S3_BUCKET")?,
                endpoint: var("AWS_ENDPOINT_URL"),
            },
            Some(other) => bail!("DOCUMENTS {other:?}: expected fs or s3"),
        };
        let (jwt_secret, dev_secret) = match var("JWT_SECRET") {
            Some(secret) if secret.len() >= 16 => (secret, false),
            Some(_) => bail!("JWT_SECRET must be at least 16 characters"),
            None => (DEV_SECRET.to_owned(), true),
        };
        Ok(Self {
            bind,
            database,
            messaging,
            documents,
            jwt_secret,
            dev_secret,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> anyhow::Result<Config> {
        Config::from_env(|k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn defaults_need_no_server() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database, "sqlite:invoice-service.db");
        assert_eq!(c.messaging, Messaging::InProcess);
        assert!(matches!(c.documents, Documents::Fs { .. }));
        assert!(c.dev_secret);
    }

    #[test]
    fn wrong_values_name_the_variable() {
        for (vars, needle) in [
            (vec![("MESSAGING", "kafka")], "MESSAGING"),
            (vec![("DATABASE_URL", "mysql://x")], "DATABASE_URL"),
            (vec![("DOCUMENTS", "ftp")], "DOCUMENTS"),
            (vec![("MESSAGING", "rabbitmq")], "AMQP_URL"),
            (vec![("BIND", "nowhere")], "BIND"),
            (vec![("JWT_SECRET", "short")], "JWT_SECRET"),
        ] {
            let err = config(&vars).unwrap_err();
            assert!(format!("{err:#}").contains(needle), "{err:#}");
        }
    }
}
