//! Configuration from the environment. Every variable has an embedded default, so the
//! worker runs with no server at all; a wrong value stops it at start with a message that
//! names the variable.

use std::time::Duration;

use anyhow::{bail, Context};
use lettre::message::Mailbox;

/// Where the events come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Messaging {
    /// Inside this process (`MESSAGING=inprocess`, the default). Nothing else publishes
    /// into it, so `main` plays a short demo.
    InProcess,
    /// SQS at `AWS_ENDPOINT_URL` (or AWS itself), queue `QUEUE_NAME`.
    Sqs {
        /// A local server's URL; AWS when absent.
        endpoint: Option<String>,
        /// The queue this worker consumes (created with its dead-letter queue).
        queue: String,
    },
    /// RabbitMQ at `AMQP_URL`, queue `QUEUE_NAME` bound to `invoice.#`.
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

/// How mail leaves the worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// Written to the log, not sent (`SMTP_URL` unset, the default).
    Log,
    /// Sent over plain SMTP (`SMTP_URL=smtp://host:port`).
    Smtp {
        /// The server's host name or IP address.
        host: String,
        /// Its port (25 when the URL has none).
        port: u16,
    },
}

/// The whole configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`, checked: `memory:`, `sqlite:FILE` (the default is
    /// `sqlite:notification-worker.db`) or `postgres://…`.
    pub database: String,
    /// `MESSAGING` (+ `AWS_ENDPOINT_URL`, `AMQP_URL`, `QUEUE_NAME`).
    pub messaging: Messaging,
    /// `SMTP_URL`.
    pub transport: Transport,
    /// `MAIL_FROM`, default `invoices@localhost`.
    pub from: Mailbox,
    /// `SCHEDULER_PERIOD_MS`, default 1000: how often the scheduled reminders that are
    /// due are claimed and published, so how late one may go out.
    pub scheduler_period: Duration,
    /// `REMINDER_LEASE_SECS`, default 30: how long a claimed reminder waits for its send
    /// command to be handled, and a send attempt holds its reminder, before another
    /// worker may take it (after a crash, the longest a reminder is delayed).
    pub reminder_lease: Duration,
}

/// The queue name used when `QUEUE_NAME` is unset.
pub const DEFAULT_QUEUE: &str = "notification-worker";

impl Config {
    /// Reads the configuration through `var` (the process environment in `main`).
    ///
    /// # Errors
    ///
    /// A message naming the variable whose value is wrong or missing.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
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
        let transport = match var("SMTP_URL") {
            None => Transport::Log,
            Some(url) => {
                let (host, port) = parse_smtp_url(&url).with_context(|| {
                    format!(
                        "SMTP_URL {url:?}: expected smtp://host:port (plain SMTP, no TLS or AUTH)"
                    )
                })?;
                Transport::Smtp { host, port }
            }
        };
        let from = var("MAIL_FROM").unwrap_or_else(|| "Invoices <invoices@localhost>".to_owned());
        let from = from
            .parse()
            .with_context(|| format!("MAIL_FROM {from:?} is not an e-mail address"))?;
        let positive = |name: &str, default: u64| -> anyhow::Result<u64> {
            match var(name) {
                None => Ok(default),
                Some(value) => value
                    .parse()
                    .ok()
                    .filter(|v| *v > 0)
                    .with_context(|| format!("{name} {value:?}: expected a positive number")),
            }
        };
        let scheduler_period = Duration::from_millis(positive("SCHEDULER_PERIOD_MS", 1000)?);
        let reminder_lease = Duration::from_secs(positive("REMINDER_LEASE_SECS", 30)?);
        let database =
            var("DATABASE_URL").unwrap_or_else(|| "sqlite:notification-worker.db".to_owned());
        invoice_storage::StoreUrl::parse(&database).context("DATABASE_URL")?;
        Ok(Self {
            database,
            messaging,
            transport,
            from,
            scheduler_period,
            reminder_lease,
        })
    }
}

/// Splits `smtp://host[:port][/]` into host and port. lettre parses URLs only when built
/// with a TLS backend, which this worker leaves out; user info is refused because the
/// transport sends no AUTH.
fn parse_smtp_url(url: &str) -> Option<(String, u16)> {
    let rest = url.strip_prefix("smtp://")?;
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.contains(['/', '@', '?', '#']) {
        return None;
    }
    let (host, port) = match authority.rsplit_once(':') {
        // A bracketed IPv6 address without a port: the colon is inside the brackets.
        Some((host, port)) if !port.ends_with(']') => (host, port.parse().ok()?),
        _ => (authority, 25),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    (!host.is_empty() && port != 0).then(|| (host.to_owned(), port))
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
        assert_eq!(c.messaging, Messaging::InProcess);
        assert_eq!(c.transport, Transport::Log);
        assert_eq!(c.from.email.to_string(), "invoices@localhost");
        assert_eq!(c.scheduler_period, Duration::from_secs(1));
        assert_eq!(c.reminder_lease, Duration::from_secs(30));
    }

    #[test]
    fn services_are_read_from_their_variables() {
        let c = config(&[
            ("MESSAGING", "rabbitmq"),
            ("AMQP_URL", "amqp://127.0.0.1:5672/%2f"),
            ("QUEUE_NAME", "mails"),
            ("SMTP_URL", "smtp://127.0.0.1:2525"),
        ])
        .unwrap();
        assert_eq!(
            c.messaging,
            Messaging::RabbitMq {
                url: "amqp://127.0.0.1:5672/%2f".to_owned(),
                queue: "mails".to_owned()
            }
        );
        assert_eq!(
            c.transport,
            Transport::Smtp {
                host: "127.0.0.1".to_owned(),
                port: 2525
            }
        );
        let c = config(&[
            ("MESSAGING", "sqs"),
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
    }

    #[test]
    fn smtp_urls_give_host_and_port() {
        assert_eq!(
            parse_smtp_url("smtp://localhost"),
            Some(("localhost".to_owned(), 25))
        );
        assert_eq!(
            parse_smtp_url("smtp://127.0.0.1:2525/"),
            Some(("127.0.0.1".to_owned(), 2525))
        );
        assert_eq!(
            parse_smtp_url("smtp://[::1]:2525"),
            Some(("::1".to_owned(), 2525))
        );
        assert_eq!(parse_smtp_url("smtp://[::1]"), Some(("::1".to_owned(), 25)));
        for bad in [
            "smtps://host:465",
            "smtp://user:pw@host:25",
            "smtp://host:0",
            "smtp://host:x",
            "smtp://:25",
            "smtp://host/path",
            "127.0.0.1:2525",
        ] {
            assert_eq!(parse_smtp_url(bad), None, "{bad}");
        }
    }

    #[test]
    fn wrong_values_name_the_variable() {
        for (vars, needle) in [
            (vec![("DATABASE_URL", "mysql://x")], "DATABASE_URL"),
            (vec![("MESSAGING", "kafka")], "MESSAGING"),
            (vec![("MESSAGING", "rabbitmq")], "AMQP_URL"),
            (vec![("QUEUE_NAME", "")], "QUEUE_NAME"),
            (vec![("SMTP_URL", "http://127.0.0.1:2525")], "SMTP_URL"),
            (vec![("MAIL_FROM", "not an address")], "MAIL_FROM"),
            (vec![("SCHEDULER_PERIOD_MS", "0")], "SCHEDULER_PERIOD_MS"),
            (vec![("REMINDER_LEASE_SECS", "soon")], "REMINDER_LEASE_SECS"),
        ] {
            let err = config(&vars).unwrap_err();
            assert!(format!("{err:#}").contains(needle), "{err:#}");
        }
    }

    #[test]
    fn sqs_without_an_endpoint_is_aws_itself() {
        let c = config(&[("MESSAGING", "sqs")]).unwrap();
        assert_eq!(
            c.messaging,
            Messaging::Sqs {
                endpoint: None,
                queue: DEFAULT_QUEUE.to_owned()
            }
        );
    }
}
