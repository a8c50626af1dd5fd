//! Opening and closing connections, and the backoff between reconnect attempts.

use std::time::Duration;

use lapin::{Channel, Connection, ConnectionProperties};

use super::{broker_error, Settings};
use crate::error::Result;

/// Opens a connection named `<connection name>-<role>` (shown by `rabbitmqctl
/// list_connections client_properties` and the management UI).
pub(crate) async fn open(settings: &Settings, role: &str) -> Result<Connection> {
    let name = format!("{}-{role}", settings.connection_name);
    let properties = ConnectionProperties::default().with_connection_name(name.into());
    match tokio::time::timeout(
        settings.connect_timeout,
        Connection::connect(&settings.url, properties),
    )
    .await
    {
        Ok(Ok(connection)) => Ok(connection),
        Ok(Err(e)) => Err(broker_error(e)),
        Err(_) => Err(broker_error(format!(
            "no connection within {:?}",
            settings.connect_timeout
        ))),
    }
}

/// How long a polite close may take; a half-dead connection never answers it.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// Closes a connection politely; one that is already gone (or does not answer) is fine:
/// dropping the handle ends it anyway.
pub(crate) async fn close(connection: &Connection) {
    if connection.status().connected() {
        match tokio::time::timeout(CLOSE_WAIT, connection.close(200, "bye".into())).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::debug!(error = %e, "closing a rabbitmq connection"),
            Err(_) => tracing::debug!("a rabbitmq connection did not answer its close"),
        }
    }
}

/// Closes a channel politely, within the same bound as [`close`].
pub(crate) async fn close_channel(channel: &Channel, reason: &str) {
    if channel.status().connected() {
        let _ = tokio::time::timeout(CLOSE_WAIT, channel.close(200, reason.into())).await;
    }
}

/// Runs setup (connect, channels, declarations) within the setup timeout: a broker that
/// accepts TCP but stops answering must not hold anything forever. The connection itself
/// is bounded by the shorter connect timeout ([`open`]).
pub(crate) async fn within<T>(
    settings: &Settings,
    what: &str,
    setup: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    match tokio::time::timeout(settings.setup_timeout, setup).await {
        Ok(result) => result,
        Err(_) => Err(broker_error(format!(
            "{what}: no answer within {:?}",
            settings.setup_timeout
        ))),
    }
}

/// Exponential backoff with jitter: each wait is in `[ceiling / 2, ceiling]`, the ceiling
/// doubling from `initial` up to `max`, so that many clients coming back after a broker
/// restart do not reconnect in lockstep.
#[derive(Debug)]
pub(crate) struct Backoff {
    ceiling: Duration,
    max: Duration,
}

impl Backoff {
    pub(crate) fn new(initial: Duration, max: Duration) -> Self {
        Self {
            ceiling: initial,
            max: max.max(initial),
        }
    }

    pub(crate) fn next_wait(&mut self) -> Duration {
        let ceiling = self.ceiling;
        self.ceiling = ceiling.saturating_mul(2).min(self.max);
        let half = ceiling / 2;
        let spread = u64::try_from((ceiling - half).as_micros()).unwrap_or(u64::MAX);
        half + Duration::from_micros(fastrand::u64(0..=spread))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_max_with_jitter_below_the_ceiling() {
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_millis(400));
        for ceiling in [100, 200, 400, 400, 400] {
            let wait = backoff.next_wait();
            let ceiling = Duration::from_millis(ceiling);
            assert!(
                wait >= ceiling / 2 && wait <= ceiling,
                "{wait:?} for {ceiling:?}"
            );
        }
    }
}
