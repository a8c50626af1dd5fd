//! Building a [`RabbitMqBroker`](super::RabbitMqBroker).

use std::sync::Arc;
use std::time::Duration;

use lapin::uri::{AMQPScheme, AMQPUri};

use super::DEFAULT_EXCHANGE;
use super::{publisher::RabbitMqPublisher, short, topology, RabbitMqBroker, Settings};
use crate::error::{Error, Result};

/// Builds a [`RabbitMqBroker`]: the broker's URL, then optional settings, then
/// [`build`](Self::build), which checks them, connects and declares the exchanges.
///
/// # Examples
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), invoice_messaging::Error> {
/// use std::time::Duration;
/// use invoice_messaging::RabbitMqBroker;
///
/// let broker = RabbitMqBroker::builder("amqp://guest:guest@127.0.0.1:5672/%2f")
///     .exchange("billing.events")
///     .prefetch(50)
///     .confirm_timeout(Duration::from_secs(10))
///     .build()
///     .await?;
/// assert_eq!(broker.exchange(), "billing.events");
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct RabbitMqBrokerBuilder {
    settings: Settings,
}

impl std::fmt::Debug for RabbitMqBrokerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RabbitMqBrokerBuilder")
            .field("settings", &self.settings)
            .finish()
    }
}

impl RabbitMqBrokerBuilder {
    /// A builder for the broker at `url`, with the exchange [`DEFAULT_EXCHANGE`]
    /// (`invoice.events`), prefetch 20, a 30 s confirm timeout, a 10 s connect timeout, a
    /// 60 s setup timeout, and reconnect attempts from 100 ms apart up to 5 s apart for up to 60 s.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            settings: Settings {
                url: url.into(),
                exchange: DEFAULT_EXCHANGE.to_owned(),
                prefetch: 20,
                confirm_timeout: Duration::from_secs(30),
                connect_timeout: Duration::from_secs(10),
                setup_timeout: Duration::from_secs(60),
                reconnect_initial: Duration::from_millis(100),
                reconnect_max: Duration::from_secs(5),
                reconnect_timeout: Duration::from_secs(60),
                connection_name: "invoice-messaging".to_owned(),
            },
        }
    }

    /// The topic exchange events are published to; its dead-letter exchange is
    /// `<exchange>.dlx`.
    pub fn exchange(mut self, exchange: impl Into<String>) -> Self {
        self.settings.exchange = exchange.into();
        self
    }

    /// How many unacknowledged deliveries one subscriber may hold (`basic.qos`); at least
    /// the runner's concurrency, or handlers wait for deliveries.
    pub fn prefetch(mut self, prefetch: u16) -> Self {
        self.settings.prefetch = prefetch;
        self
    }

    /// How long a publish waits for the broker's confirms before it fails with
    /// [`Error::NotConfirmed`].
    pub fn confirm_timeout(mut self, timeout: Duration) -> Self {
        self.settings.confirm_timeout = timeout;
        self
    }

    /// How long one connection attempt (TCP and the AMQP handshake) may take.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.settings.connect_timeout = timeout;
        self
    }

    /// How long setting up a publisher or subscriber may take in all: the connection,
    /// then its channel and declarations. A broker under load can take seconds to create
    /// a quorum queue while it answers everything else, so this is longer than the
    /// connection's bound; a broker that stops answering mid-setup still fails it.
    pub fn setup_timeout(mut self, timeout: Duration) -> Self {
        self.settings.setup_timeout = timeout;
        self
    }

    /// The wait between a subscriber's reconnect attempts: from `initial`, doubling up to
    /// `max`, with jitter.
    pub fn reconnect_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.settings.reconnect_initial = initial;
        self.settings.reconnect_max = max;
        self
    }

    /// How long a subscriber keeps trying to reconnect before
    /// [`Subscriber::next`](crate::Subscriber::next) fails with [`Error::Broker`].
    pub fn reconnect_timeout(mut self, timeout: Duration) -> Self {
        self.settings.reconnect_timeout = timeout;
        self
    }

    /// The prefix of the connection names the broker shows (`<name>-publisher`,
    /// `<name>-subscriber-<queue>`).
    pub fn connection_name(mut self, name: impl Into<String>) -> Self {
        self.settings.connection_name = name.into();
        self
    }

    /// Checks the settings, connects the publisher and declares the exchanges.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a URL that is not an AMQP URL (or an `amqps://` URL without
    /// the `rabbitmq-tls` feature), an empty or too long exchange name, prefetch 0 or a
    /// zero timeout; [`Error::Broker`] when the broker cannot be reached or refuses the
    /// credentials.
    pub async fn build(self) -> Result<RabbitMqBroker> {
        let settings = self.settings;
        let uri: AMQPUri = settings.url.parse().map_err(|e: String| {
            // The URL may carry a password: never repeat it in an error.
            let detail = if e.contains(&settings.url) {
                "invalid URL".to_owned()
            } else {
                e
            };
            Error::Config {
                reason: format!("not an AMQP URL: {detail}"),
            }
        })?;
        if uri.scheme == AMQPScheme::AMQPS && !cfg!(feature = "rabbitmq-tls") {
            return Err(Error::Config {
                reason: "amqps:// needs the `rabbitmq-tls` feature of invoice-messaging".to_owned(),
            });
        }
        if settings.exchange.is_empty() {
            return Err(Error::Config {
                reason: "the exchange name is empty".to_owned(),
            });
        }
        short(
            &topology::dead_letter_exchange(&settings.exchange),
            "exchange name",
        )?;
        if settings.prefetch == 0 {
            return Err(Error::Config {
                reason: "prefetch 0 would mean no limit; give at least 1".to_owned(),
            });
        }
        for (name, value) in [
            ("confirm timeout", settings.confirm_timeout),
            ("connect timeout", settings.connect_timeout),
            ("setup timeout", settings.setup_timeout),
            ("reconnect timeout", settings.reconnect_timeout),
        ] {
            if value.is_zero() {
                return Err(Error::Config {
                    reason: format!("the {name} is zero"),
                });
            }
        }
        let settings = Arc::new(settings);
        let publisher = RabbitMqPublisher::new(Arc::clone(&settings));
        publisher.ensure_connected().await?;
        Ok(RabbitMqBroker::new(settings, publisher))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn config_error(builder: RabbitMqBrokerBuilder) -> String {
        match builder.build().await {
            Err(Error::Config { reason }) => reason,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn bad_settings_are_config_errors_before_any_connection() {
        let url = "amqp://guest:guest@127.0.0.1:1/%2f";
        assert!(config_error(RabbitMqBrokerBuilder::new("http://x"))
            .await
            .contains("not an AMQP URL"));
        for bad in ["amqp://u:s3cret@h:notaport/", "mailto:u:s3cret@h"] {
            let reason = config_error(RabbitMqBrokerBuilder::new(bad)).await;
            assert!(!reason.contains("s3cret"), "{reason}");
        }
        assert!(config_error(RabbitMqBrokerBuilder::new(url).exchange(""))
            .await
            .contains("empty"));
        assert!(
            config_error(RabbitMqBrokerBuilder::new(url).exchange("x".repeat(252)))
                .await
                .contains("255")
        );
        assert!(config_error(RabbitMqBrokerBuilder::new(url).prefetch(0))
            .await
            .contains("prefetch"));
        assert!(
            config_error(RabbitMqBrokerBuilder::new(url).confirm_timeout(Duration::ZERO))
                .await
                .contains("confirm timeout")
        );
        if !cfg!(feature = "rabbitmq-tls") {
            assert!(config_error(RabbitMqBrokerBuilder::new("amqps://h/"))
                .await
                .contains("rabbitmq-tls"));
        }
    }

    #[tokio::test]
    async fn an_unreachable_broker_is_a_broker_error() {
        let result = RabbitMqBrokerBuilder::new("amqp://guest:guest@127.0.0.1:1/%2f")
            .build()
            .await;
        assert!(
            matches!(
                result,
                Err(Error::Broker {
                    backend: "rabbitmq",
                    ..
                })
            ),
            "{result:?}"
        );
    }
}
