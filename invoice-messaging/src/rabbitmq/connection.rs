//! Opening and closing connections, and the backoff between reconnect attempts.

use std::time::Duration;

use lapin::{Connection, ConnectionProperties};

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

/// Closes a connection politely; one that is already gone is fine.
pub(crate) async fn close(connection: &Connection) {
    if connection.status().connected() {
        if let Err(e) = connection.close(200, "bye".into()).await {
            tracing::debug!(error = %e, "closing a rabbitmq connection");
        }
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
