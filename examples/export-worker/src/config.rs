//! Configuration from the environment. Every variable has an embedded default, so the
//! worker runs with no server at all; a wrong value stops it at start with a message that
//! names the variable.

use std::path::PathBuf;

use anyhow::{bail, Context};
use invoice_storage::StoreUrl;

/// Where the events come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Messaging {
    /// Inside this process (`MESSAGING=inprocess`, the default).
    InProcess,
    /// SQS at `AWS_ENDPOINT_URL` (or AWS itself), queue `QUEUE_NAME`.
    Sqs {
        /// A local server's URL; AWS when absent.
        endpoint: Option<String>,
        /// The queue this worker consumes (created with its dead-letter queue).
        queue: String,
    },
    /// RabbitMQ at `AMQP_URL`, queue `QUEUE_NAME` bound to `invoice.issued`.
    RabbitMq {
        /// `amqp://…`
        url: String,
        /// The queue this worker consumes.
        queue: String,
    },
}

impl std::fmt::Display for Messaging {
    /// The broker and queue, without the URL (an AMQP URL carries the password).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::InProcess => f.write_str("in-process"),
            Self::Sqs { queue, .. } => write!(f, "SQS queue {queue}"),
            Self::RabbitMq { queue, .. } => write!(f, "RabbitMQ queue {queue}"),
        }
    }
}

/// Where the documents are archived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Documents {
    /// A local folder (`DOCUMENTS=fs`, the default; `DOCUMENTS_DIR`, default
    /// `./invoice-documents`).
    Fs {
        /// The folder.
        dir: PathBuf,
    },
    /// An S3 bucket (`DOCUMENTS=s3`, `S3_BUCKET`, at `AWS_ENDPOINT_URL` or on AWS itself).
    S3 {
        /// The bucket, created if missing.
        bucket: String,
        /// A local server's URL; AWS when absent.
        endpoint: Option<String>,
    },
}

/// The whole configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`.
    pub database: String,
    /// `MESSAGING` (+ `AWS_ENDPOINT_URL`, `AMQP_URL`, `QUEUE_NAME`).
    pub messaging: Messaging,
    /// `DOCUMENTS` (+ `DOCUMENTS_DIR`, `S3_BUCKET`, `AWS_ENDPOINT_URL`).
    pub documents: Documents,
}

/// The queue name used when `QUEUE_NAME` is unset.
pub const DEFAULT_QUEUE: &str = "export-worker";

impl Config {
    /// Reads the configuration through `var` (the process environment in `main`).
    ///
    /// # Errors
    ///
    /// A message naming the variable whose value is wrong or missing.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let database = var("DATABASE_URL").unwrap_or_else(|| "memory:".to_owned());
        StoreUrl::parse(&database).context("DATABASE_URL")?;
        let queue = var("QUEUE_NAME").unwrap_or_else(|| DEFAULT_QUEUE.to_owned());
        if queue.is_empty() {
            bail!("QUEUE_NAME must not be empty");
        }
        let messaging = match var("MESSAGING").as_deref() {
            None | Some("inprocess") => Messaging::InProcess,
            Some("sqs") => Messaging::Sqs {
                // Without AWS_ENDPOINT_URL: AWS itself, with the SDK's default credential
                // chain and region.
                endpoint: var("AWS_ENDPOINT_URL"),
                queue,
            },
            Some("rabbitmq") => Messaging::RabbitMq {
                url: var("AMQP_URL").context("MESSAGING=rabbitmq needs AMQP_URL")?,
                queue,
            },
            Some(other) => bail!("MESSAGING {other:?}: expected inprocess, sqs or rabbitmq"),
        };
        let documents = match var("DOCUMENTS").as_deref() {
            None | Some("fs") => Documents::Fs {
                dir: var("DOCUMENTS_DIR")
                    .unwrap_or_else(|| "invoice-documents".to_owned())
                    .into(),
            },
            Some("s3") => Documents::S3 {
                bucket: var("S3_BUCKET").context("DOCUMENTS=s3 needs S3_BUCKET")?,
                // Without AWS_ENDPOINT_URL: AWS itself, as for SQS.
                endpoint: var("AWS_ENDPOINT_URL"),
            },
            Some(other) => bail!("DOCUMENTS {other:?}: expected fs or s3"),
        };
        Ok(Self {
            database,
            messaging,
            documents,
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
        assert_eq!(c.database, "memory:");
        assert_eq!(c.messaging, Messaging::InProcess);
        assert_eq!(
            c.documents,
            Documents::Fs {
                dir: "invoice-documents".into()
            }
        );
    }

    #[test]
    fn services_are_read_from_their_variables() {
        let c = config(&[
            ("MESSAGING", "sqs"),
            ("DOCUMENTS", "s3"),
            ("S3_BUCKET", "archive"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
        ])
        .unwrap();
        assert_eq!(
            c.messaging,
            Messaging::Sqs {
                endpoint: Some("http://127.0.0.1:5000".to_owned()),
                queue: DEFAULT_QUEUE.to_owned()
            }
        );
        assert_eq!(
            c.documents,
            Documents::S3 {
                bucket: "archive".to_owned(),
                endpoint: Some("http://127.0.0.1:5000".to_owned())
            }
        );
        let url = "postgres://postgres@127.0.0.1:5432/test";
        let c = config(&[("DATABASE_URL", url)]).unwrap();
        assert_eq!(c.database, url);
        let c = config(&[("DATABASE_URL", "sqlite:invoice-service.db")]).unwrap();
        assert_eq!(c.database, "sqlite:invoice-service.db");
    }

    #[test]
    fn wrong_values_name_the_variable() {
        for (vars, needle) in [
            (vec![("MESSAGING", "kafka")], "MESSAGING"),
            (vec![("MESSAGING", "rabbitmq")], "AMQP_URL"),
            (vec![("QUEUE_NAME", "")], "QUEUE_NAME"),
            (vec![("DOCUMENTS", "ftp")], "DOCUMENTS"),
            (vec![("DOCUMENTS", "s3")], "S3_BUCKET"),
            (vec![("DATABASE_URL", "mysql://x")], "DATABASE_URL"),
            (vec![("DATABASE_URL", "sqlite:")], "DATABASE_URL"),
        ] {
            let err = config(&vars).unwrap_err();
            assert!(format!("{err:#}").contains(needle), "{err:#}");
        }
    }

    #[test]
    fn sqs_and_s3_without_an_endpoint_are_aws_itself() {
        let c = config(&[
            ("MESSAGING", "sqs"),
            ("DOCUMENTS", "s3"),
            ("S3_BUCKET", "b"),
        ])
        .unwrap();
        assert_eq!(
            c.messaging,
            Messaging::Sqs {
                endpoint: None,
                queue: DEFAULT_QUEUE.to_owned()
            }
        );
        assert_eq!(
            c.documents,
            Documents::S3 {
                bucket: "b".to_owned(),
                endpoint: None
            }
        );
    }
}
