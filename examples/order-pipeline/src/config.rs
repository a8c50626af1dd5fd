//! Configuration from the environment. Every variable has a default that needs no
//! server; a wrong value stops the binary at start with a message naming the variable.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `BIND` | `127.0.0.1:8090` | where the HTTP API listens (role `api`) |
//! | `DATABASE_URL` | `memory:` | `memory:` or `postgres://…`: orders, balances and invoices |
//! | `MESSAGING` | `inprocess` | `inprocess`; `rabbitmq` with `AMQP_URL` (and `AMQP_EXCHANGE`, default `orders`); `sns` with `AWS_ENDPOINT_URL` (or AWS itself) and `SNS_TOPIC` (default `orders`) |
//! | `QUEUE_PREFIX` | `order-pipeline` | the queues are `<prefix>-credit`, `<prefix>-stock` and `<prefix>-aggregator` |
//! | `ROLES` | `api,credit,stock,aggregator` | what this process runs; several processes may share a role |
//! | `ORDER_TIMEOUT_SECS` | `60` | an order without both answers after this long is rejected |
//! | `INVOICE_TENANT` | `orders` | the tenant of the invoices |

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{bail, Context};

/// A part of the pipeline a process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The HTTP API (orders, accounts, stock) and the announcer of placed orders.
    Api,
    /// The credit checker.
    Credit,
    /// The stock checker.
    Stock,
    /// The aggregator and the timeout sweeper.
    Aggregator,
}

impl Role {
    fn parse(word: &str) -> Option<Self> {
        Some(match word.trim() {
            "api" => Self::Api,
            "credit" => Self::Credit,
            "stock" => Self::Stock,
            "aggregator" => Self::Aggregator,
            _ => return None,
        })
    }
}

/// The broker, as [`invoice_messaging::BrokerBuilder`] takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Messaging {
    /// In this process.
    InProcess,
    /// RabbitMQ at the URL, through the exchange.
    RabbitMq {
        /// `amqp://…`
        url: String,
        /// The topic exchange.
        exchange: String,
    },
    /// An SNS topic with SQS subscriptions.
    Sns {
        /// A local server's URL; AWS itself when absent.
        endpoint: Option<String>,
        /// The topic's name.
        topic: String,
    },
}

/// The whole configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// `BIND`.
    pub bind: SocketAddr,
    /// `DATABASE_URL`.
    pub database: String,
    /// `MESSAGING` and its variables.
    pub messaging: Messaging,
    /// `QUEUE_PREFIX`.
    pub queue_prefix: String,
    /// `ROLES`.
    pub roles: Vec<Role>,
    /// `ORDER_TIMEOUT_SECS`.
    pub timeout: Duration,
    /// `INVOICE_TENANT`.
    pub tenant: String,
}

impl Config {
    /// Reads the configuration through `var` (the environment in `main`).
    ///
    /// # Errors
    ///
    /// A message naming the variable whose value is wrong or missing.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let bind = var("BIND").unwrap_or_else(|| "127.0.0.1:8090".to_owned());
        let bind = bind
            .parse()
            .with_context(|| format!("BIND {bind:?}: expected host:port"))?;
        let database = var("DATABASE_URL").unwrap_or_else(|| "memory:".to_owned());
        if !(database == "memory:"
            || database.starts_with("postgres://")
            || database.starts_with("postgresql://"))
        {
            bail!("DATABASE_URL {database:?}: expected memory: or postgres://…");
        }
        let messaging = match var("MESSAGING").as_deref() {
            None | Some("inprocess") => Messaging::InProcess,
            Some("rabbitmq") => Messaging::RabbitMq {
                url: var("AMQP_URL").context("MESSAGING=rabbitmq needs AMQP_URL")?,
                exchange: var("AMQP_EXCHANGE").unwrap_or_else(|| "orders".to_owned()),
            },
            Some("sns") => Messaging::Sns {
                endpoint: var("AWS_ENDPOINT_URL"),
                topic: var("SNS_TOPIC").unwrap_or_else(|| "orders".to_owned()),
            },
            Some(other) => bail!("MESSAGING {other:?}: expected inprocess, rabbitmq or sns"),
        };
        let queue_prefix = var("QUEUE_PREFIX").unwrap_or_else(|| "order-pipeline".to_owned());
        if queue_prefix.is_empty() || queue_prefix.len() > 50 {
            bail!("QUEUE_PREFIX {queue_prefix:?}: expected 1 to 50 characters");
        }
        let roles = match var("ROLES") {
            None => vec![Role::Api, Role::Credit, Role::Stock, Role::Aggregator],
            Some(text) => text
                .split(',')
                .map(|w| {
                    Role::parse(w).with_context(|| {
                        format!("ROLES {text:?}: {w:?} is not api, credit, stock or aggregator")
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?,
        };
        if roles.is_empty() {
            bail!("ROLES is empty");
        }
        if messaging == Messaging::InProcess && roles.len() < 4 {
            bail!("ROLES: with MESSAGING=inprocess one process must run every role");
        }
        let timeout = match var("ORDER_TIMEOUT_SECS") {
            None => Duration::from_secs(60),
            Some(text) => {
                Duration::from_secs(text.parse().ok().filter(|s| *s > 0).with_context(|| {
                    format!("ORDER_TIMEOUT_SECS {text:?}: expected a positive number")
                })?)
            }
        };
        let tenant = var("INVOICE_TENANT").unwrap_or_else(|| "orders".to_owned());
        Ok(Self {
            bind,
            database,
            messaging,
            queue_prefix,
            roles,
            timeout,
            tenant,
        })
    }

    /// Whether this process runs `role`.
    pub fn runs(&self, role: Role) -> bool {
        self.roles.contains(&role)
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
    fn defaults_run_everything_in_process() {
        let c = config(&[]).unwrap();
        assert_eq!(c.messaging, Messaging::InProcess);
        assert_eq!(c.database, "memory:");
        assert_eq!(c.roles.len(), 4);
        assert_eq!(c.timeout, Duration::from_secs(60));
    }

    #[test]
    fn wrong_values_name_the_variable() {
        for (vars, needle) in [
            (vec![("BIND", "nowhere")], "BIND"),
            (vec![("DATABASE_URL", "mysql://x")], "DATABASE_URL"),
            (vec![("MESSAGING", "kafka")], "MESSAGING"),
            (vec![("MESSAGING", "rabbitmq")], "AMQP_URL"),
            (vec![("ROLES", "api,cook")], "ROLES"),
            (vec![("ROLES", "api")], "ROLES"),
            (vec![("ORDER_TIMEOUT_SECS", "0")], "ORDER_TIMEOUT_SECS"),
            (vec![("QUEUE_PREFIX", "")], "QUEUE_PREFIX"),
        ] {
            let err = config(&vars).unwrap_err();
            assert!(format!("{err:#}").contains(needle), "{err:#}");
        }
        let sns = config(&[("MESSAGING", "sns"), ("ROLES", "credit")]).unwrap();
        assert_eq!(
            sns.messaging,
            Messaging::Sns {
                endpoint: None,
                topic: "orders".to_owned()
            }
        );
    }
}
