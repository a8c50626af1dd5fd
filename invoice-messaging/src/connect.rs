//! Connecting the broker a URL names: a service reads one variable and the same binary
//! runs on the in-process bus, RabbitMQ, SQS or SNS with SQS.
//!
//! | URL | broker | feature |
//! |---|---|---|
//! | `inprocess:` | [`InProcessBroker`] (this process only) | always |
//! | `amqp://…`, `amqps://…` | `RabbitMqBroker` (durable topic exchange) | `rabbitmq` (`amqps` needs `rabbitmq-tls`) |
//! | `sqs:` | `SqsBroker` at the endpoint [`BrokerBuilder::sqs_endpoint`] gives | `sqs` |
//! | `sqs:`, no endpoint | `SqsBroker` on AWS itself: TLS, the SDK's default credential chain and region | `aws` |
//! | `sns:TOPIC` | `SnsBroker`: the topic (created if missing) fans out to subscribed SQS queues, at the same endpoint, region and credentials as `sqs:` | `sns` (and `aws` without an endpoint) |
//!
//! A [`Broker`] hands out a [`Publisher`] and [`Subscriber`]s the same way whatever it
//! runs on. The library reads no environment.

use std::fmt;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::inprocess::InProcessBroker;
use crate::message::Message;
use crate::publisher::Publisher;
use crate::subscriber::Subscriber;

/// What a broker URL names, checked but not connected (see [`BrokerUrl::parse`]).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BrokerUrl {
    /// `inprocess:`: channels inside this process.
    InProcess,
    /// `amqp://…` or `amqps://…`: a RabbitMQ server; the URL as given.
    Amqp(String),
    /// `sqs:`: Amazon SQS or a server that speaks its protocol.
    Sqs,
    /// `sns:TOPIC`: an Amazon SNS topic fanning out to subscribed SQS queues.
    Sns {
        /// The topic's name.
        topic: String,
    },
}

impl fmt::Debug for BrokerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InProcess => f.write_str("InProcess"),
            // The URL may carry a password.
            Self::Amqp(_) => f.write_str("Amqp(..)"),
            Self::Sqs => f.write_str("Sqs"),
            Self::Sns { topic } => write!(f, "Sns({topic})"),
        }
    }
}

impl BrokerUrl {
    /// Reads a broker URL. Whether this build can connect to it is checked at connect.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUrl`] for a scheme this crate does not know.
    ///
    /// # Examples
    ///
    /// ```
    /// use invoice_messaging::BrokerUrl;
    ///
    /// assert_eq!(BrokerUrl::parse("inprocess:")?, BrokerUrl::InProcess);
    /// assert_eq!(BrokerUrl::parse("sqs:")?, BrokerUrl::Sqs);
    /// assert_eq!(BrokerUrl::parse("sns:orders")?, BrokerUrl::Sns { topic: "orders".into() });
    /// assert!(matches!(BrokerUrl::parse("amqp://guest:guest@127.0.0.1:5672/%2f")?, BrokerUrl::Amqp(_)));
    /// assert!(BrokerUrl::parse("kafka://localhost").is_err());
    /// # Ok::<(), invoice_messaging::Error>(())
    /// ```
    pub fn parse(url: &str) -> Result<Self> {
        match url {
            "inprocess" | "inprocess:" => Ok(Self::InProcess),
            "sqs" | "sqs:" | "sqs://" => Ok(Self::Sqs),
            _ if url.starts_with("sns:") => {
                let topic = url.trim_start_matches("sns:").trim_start_matches("//");
                let valid = !topic.is_empty()
                    && topic.len() <= 256
                    && topic
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                if !valid {
                    return Err(Error::InvalidUrl {
                        scheme: "sns".to_owned(),
                        reason: "expected sns:TOPIC, a topic name of letters, digits, - and _"
                            .to_owned(),
                    });
                }
                Ok(Self::Sns {
                    topic: topic.to_owned(),
                })
            }
            _ if url.starts_with("amqp://") || url.starts_with("amqps://") => {
                Ok(Self::Amqp(url.to_owned()))
            }
            _ => Err(Error::InvalidUrl {
                // Only the scheme: the rest may carry a password.
                scheme: url.split(':').next().unwrap_or_default().to_owned(),
                reason: "expected inprocess:, amqp://…, amqps://…, sqs: or sns:TOPIC".to_owned(),
            }),
        }
    }
}

/// A connected broker: publishes events and subscribes queues to them, the same way on
/// every backend.
#[derive(Clone)]
pub struct Broker {
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    InProcess(InProcessBroker),
    #[cfg(feature = "rabbitmq")]
    RabbitMq(crate::RabbitMqBroker),
    #[cfg(feature = "sqs")]
    Sqs {
        broker: crate::SqsBroker,
        /// One publisher for the whole broker: SQS has no exchange, so the routes of the
        /// queues subscribed here live in it.
        publisher: crate::SqsPublisher,
        options: crate::QueueOptions,
    },
    #[cfg(feature = "sns")]
    Sns(crate::SnsBroker),
}

impl fmt::Debug for Broker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Broker")
            .field("backend", &self.backend())
            .finish_non_exhaustive()
    }
}

impl Broker {
    /// The backend's name: `"inprocess"`, `"rabbitmq"`, `"sqs"` or `"sns"`.
    pub fn backend(&self) -> &'static str {
        match &self.kind {
            Kind::InProcess(_) => "inprocess",
            #[cfg(feature = "rabbitmq")]
            Kind::RabbitMq(_) => "rabbitmq",
            #[cfg(feature = "sqs")]
            Kind::Sqs { .. } => "sqs",
            #[cfg(feature = "sns")]
            Kind::Sns(_) => "sns",
        }
    }

    /// The in-process broker, when this is one (to inspect its queues in tests and demos).
    pub fn in_process(&self) -> Option<&InProcessBroker> {
        match &self.kind {
            Kind::InProcess(broker) => Some(broker),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    /// A publisher of invoice events (routing key `invoice.<event>`).
    ///
    /// On SQS, an event reaches the queues subscribed through this broker whose patterns
    /// match; SQS has no exchange, so another process that publishes must subscribe (or
    /// route) the same queues. On SNS, it reaches every queue subscribed to the topic, by
    /// any process.
    pub fn publisher(&self) -> Arc<dyn Publisher> {
        self.publisher_as()
    }

    /// A publisher of messages of type `M`: commands or a service's own [`Message`]
    /// types, routed like events.
    pub fn publisher_as<M: Message>(&self) -> Arc<dyn Publisher<M>> {
        match &self.kind {
            Kind::InProcess(broker) => Arc::new(broker.publisher()),
            #[cfg(feature = "rabbitmq")]
            Kind::RabbitMq(broker) => Arc::new(broker.publisher()),
            #[cfg(feature = "sqs")]
            Kind::Sqs { publisher, .. } => Arc::new(publisher.clone()),
            #[cfg(feature = "sns")]
            Kind::Sns(broker) => Arc::new(broker.publisher()),
        }
    }

    /// Subscribes the shared queue `queue` to the events whose routing key matches one of
    /// `patterns` (`invoice.#`, `invoice.issued`): every process that subscribes the same
    /// queue takes its share of them (a work queue, with a dead-letter queue).
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a queue name the broker refuses; [`Error::Broker`] when the
    /// broker fails.
    pub async fn subscribe(&self, queue: &str, patterns: &[&str]) -> Result<Arc<dyn Subscriber>> {
        self.subscribe_as(queue, patterns).await
    }

    /// As [`subscribe`](Self::subscribe), for messages of type `M` rather than invoice
    /// events.
    ///
    /// # Errors
    ///
    /// As [`subscribe`](Self::subscribe).
    pub async fn subscribe_as<M: Message>(
        &self,
        queue: &str,
        patterns: &[&str],
    ) -> Result<Arc<dyn Subscriber<M>>> {
        Ok(match &self.kind {
            Kind::InProcess(broker) => Arc::new(broker.subscribe_as(queue, patterns)?),
            #[cfg(feature = "rabbitmq")]
            Kind::RabbitMq(broker) => Arc::new(broker.subscribe_as(queue, patterns).await?),
            #[cfg(feature = "sqs")]
            Kind::Sqs {
                broker,
                publisher,
                options,
            } => {
                let declared = broker.declare_queue(queue, *options).await?;
                publisher.route(&declared, patterns);
                Arc::new(broker.subscriber_as(&declared))
            }
            #[cfg(feature = "sns")]
            Kind::Sns(broker) => Arc::new(broker.subscribe_as(queue, patterns).await?),
        })
    }

    /// Subscribes a queue of this process's own to the events matching `patterns`, so
    /// that each process sees every event (a feed for WebSocket clients, say). On
    /// RabbitMQ the queue is exclusive and dies with the connection. SQS has no such
    /// queues: there it is the shared queue `name`, so that with several processes each
    /// sees the share its queue receives.
    ///
    /// # Errors
    ///
    /// As [`subscribe`](Self::subscribe).
    pub async fn subscribe_feed(
        &self,
        name: &str,
        patterns: &[&str],
    ) -> Result<Arc<dyn Subscriber>> {
        match &self.kind {
            #[cfg(feature = "rabbitmq")]
            Kind::RabbitMq(broker) => Ok(Arc::new(broker.subscribe_feed(name, patterns).await?)),
            _ => self.subscribe(name, patterns).await,
        }
    }
}

/// Connects to the broker of the URL with the defaults of [`BrokerBuilder`].
///
/// # Errors
///
/// As [`BrokerBuilder::connect`].
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> invoice_messaging::Result<()> {
/// let broker = invoice_messaging::connect("inprocess:").await?;
/// let feed = broker.subscribe("mailer", &["invoice.#"]).await?;
/// # let _ = (broker.publisher(), feed);
/// # Ok(())
/// # }
/// ```
pub async fn connect(url: &str) -> Result<Broker> {
    BrokerBuilder::new(url).connect().await
}

/// Connects to the broker a URL names, with the options of each backend (each applies
/// only to its backend).
///
/// # Examples
///
/// ```no_run
/// # async fn run() -> invoice_messaging::Result<()> {
/// use invoice_messaging::BrokerBuilder;
///
/// let broker = BrokerBuilder::new("sqs:")
///     .sqs_endpoint("http://127.0.0.1:5000")
///     .connect()
///     .await?;
/// # let _ = broker;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
#[must_use = "a builder does nothing until `connect` is called"]
pub struct BrokerBuilder {
    url: String,
    exchange: Option<String>,
    connection_name: Option<String>,
    sqs_endpoint: Option<String>,
    sqs_region: Option<String>,
    sqs_credentials: Option<(String, String)>,
    sqs_fifo: bool,
}

impl fmt::Debug for BrokerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BrokerBuilder")
            .field("url", &BrokerUrl::parse(&self.url).ok())
            .field("exchange", &self.exchange)
            .field("sqs_endpoint", &self.sqs_endpoint)
            .finish_non_exhaustive()
    }
}

impl BrokerBuilder {
    /// A builder for `url` (see [`BrokerUrl`] for the forms).
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            exchange: None,
            connection_name: None,
            sqs_endpoint: None,
            sqs_region: None,
            sqs_credentials: None,
            sqs_fifo: false,
        }
    }

    /// RabbitMQ: the topic exchange (`invoice.events` by default).
    pub fn exchange(mut self, exchange: impl Into<String>) -> Self {
        self.exchange = Some(exchange.into());
        self
    }

    /// RabbitMQ: the connection's name, as the management UI shows it.
    pub fn connection_name(mut self, name: impl Into<String>) -> Self {
        self.connection_name = Some(name.into());
        self
    }

    /// SQS and SNS: the server's URL (`http://127.0.0.1:5000` for a local one).
    pub fn sqs_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.sqs_endpoint = Some(endpoint.into());
        self
    }

    /// SQS and SNS: the region (`us-east-1` by default).
    pub fn sqs_region(mut self, region: impl Into<String>) -> Self {
        self.sqs_region = Some(region.into());
        self
    }

    /// SQS and SNS: static credentials.
    pub fn sqs_credentials(
        mut self,
        access_key_id: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        self.sqs_credentials = Some((access_key_id.into(), secret.into()));
        self
    }

    /// SQS: subscribed queues are FIFO queues (ordered per invoice, deduplicated by event
    /// id).
    pub fn sqs_fifo(mut self) -> Self {
        self.sqs_fifo = true;
        self
    }

    /// Connects.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUrl`] for a URL [`BrokerUrl::parse`] refuses;
    /// [`Error::FeatureNotEnabled`] for a scheme whose feature this build lacks, and for
    /// SQS without an endpoint (AWS itself, through `SqsBroker::from_aws_defaults` with
    /// the `aws` feature); [`Error::Config`] when AWS's default chain finds no region;
    /// [`Error::Broker`] when the broker cannot be reached.
    pub async fn connect(self) -> Result<Broker> {
        let kind = match BrokerUrl::parse(&self.url)? {
            BrokerUrl::InProcess => Kind::InProcess(InProcessBroker::new()),
            BrokerUrl::Amqp(url) => self.rabbitmq(url).await?,
            BrokerUrl::Sqs => self.sqs().await?,
            BrokerUrl::Sns { topic } => self.sns(&topic).await?,
        };
        Ok(Broker { kind })
    }

    #[cfg(feature = "rabbitmq")]
    async fn rabbitmq(&self, url: String) -> Result<Kind> {
        if url.starts_with("amqps://") && !cfg!(feature = "rabbitmq-tls") {
            return Err(Error::FeatureNotEnabled {
                scheme: "amqps",
                feature: "rabbitmq-tls",
            });
        }
        let mut builder = crate::RabbitMqBroker::builder(url);
        if let Some(exchange) = &self.exchange {
            builder = builder.exchange(exchange.clone());
        }
        if let Some(name) = &self.connection_name {
            builder = builder.connection_name(name.clone());
        }
        Ok(Kind::RabbitMq(builder.build().await?))
    }

    #[cfg(not(feature = "rabbitmq"))]
    async fn rabbitmq(&self, _: String) -> Result<Kind> {
        Err(Error::FeatureNotEnabled {
            scheme: "amqp",
            feature: "rabbitmq",
        })
    }

    #[cfg(feature = "sqs")]
    async fn sqs(&self) -> Result<Kind> {
        let broker = match &self.sqs_endpoint {
            Some(endpoint) => {
                let mut builder = crate::SqsBroker::builder().endpoint(endpoint.clone());
                if let Some(region) = &self.sqs_region {
                    builder = builder.region(region.clone());
                }
                if let Some((key, secret)) = &self.sqs_credentials {
                    builder = builder.credentials(key.clone(), secret.clone());
                }
                builder.build()?
            }
            None => sqs_on_aws().await?,
        };
        let publisher = broker.publisher();
        let options = crate::QueueOptions {
            fifo: self.sqs_fifo,
            ..crate::QueueOptions::default()
        };
        Ok(Kind::Sqs {
            broker,
            publisher,
            options,
        })
    }

    #[cfg(feature = "sns")]
    async fn sns(&self, topic: &str) -> Result<Kind> {
        let broker = match &self.sqs_endpoint {
            Some(endpoint) => {
                let mut builder = crate::SnsBroker::builder()
                    .endpoint(endpoint.clone())
                    .topic(topic);
                if let Some(region) = &self.sqs_region {
                    builder = builder.region(region.clone());
                }
                if let Some((key, secret)) = &self.sqs_credentials {
                    builder = builder.credentials(key.clone(), secret.clone());
                }
                builder.build().await?
            }
            None => sns_on_aws(topic).await?,
        };
        Ok(Kind::Sns(broker))
    }

    #[cfg(not(feature = "sns"))]
    async fn sns(&self, _: &str) -> Result<Kind> {
        Err(Error::FeatureNotEnabled {
            scheme: "sns",
            feature: "sns",
        })
    }

    #[cfg(not(feature = "sqs"))]
    async fn sqs(&self) -> Result<Kind> {
        Err(Error::FeatureNotEnabled {
            scheme: "sqs",
            feature: "sqs",
        })
    }
}

/// SNS without an endpoint: AWS itself, with the SDK's default configuration.
#[cfg(all(feature = "sns", feature = "aws"))]
async fn sns_on_aws(topic: &str) -> Result<crate::SnsBroker> {
    crate::SnsBroker::from_aws_defaults(topic).await
}

#[cfg(all(feature = "sns", not(feature = "aws")))]
async fn sns_on_aws(_: &str) -> Result<crate::SnsBroker> {
    Err(Error::FeatureNotEnabled {
        scheme: "sns without an endpoint (AWS itself)",
        feature: "aws",
    })
}

/// SQS without an endpoint: AWS itself, with the SDK's default configuration.
#[cfg(feature = "aws")]
async fn sqs_on_aws() -> Result<crate::SqsBroker> {
    crate::SqsBroker::from_aws_defaults().await
}

#[cfg(all(feature = "sqs", not(feature = "aws")))]
async fn sqs_on_aws() -> Result<crate::SqsBroker> {
    Err(Error::FeatureNotEnabled {
        scheme: "sqs without an endpoint (AWS itself)",
        feature: "aws",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_broker_and_errors_keep_passwords_out() {
        assert_eq!(BrokerUrl::parse("inprocess").unwrap(), BrokerUrl::InProcess);
        assert_eq!(BrokerUrl::parse("sqs://").unwrap(), BrokerUrl::Sqs);
        let amqp = BrokerUrl::parse("amqps://user:secret@host/vhost").unwrap();
        assert!(!format!("{amqp:?}").contains("secret"));
        let err = BrokerUrl::parse("redis://user:secret@host").unwrap_err();
        assert!(matches!(err, Error::InvalidUrl { .. }), "{err:?}");
        assert!(!err.to_string().contains("secret"), "{err}");
    }
}
