//! The crate's error type.

/// A backend's own error, boxed so that no driver type leaks into the API.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What can go wrong while publishing or consuming.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The broker did not confirm a publish (negative acknowledgement, timeout, closed
    /// channel): the event may or may not have been delivered, and must be published again.
    #[error("{backend}: publish of event {event_id} not confirmed")]
    NotConfirmed {
        /// Backend name.
        backend: &'static str,
        /// The event.
        event_id: String,
        /// Why, when known.
        source: Option<BoxError>,
    },
    /// A message body is not a message this reader can decode.
    #[error("undecodable message: {reason}")]
    Decode {
        /// What is wrong with it.
        reason: String,
    },
    /// The subscription or broker connection is closed for good.
    #[error("{backend}: subscription closed")]
    Closed {
        /// Backend name.
        backend: &'static str,
    },
    /// Settings that cannot work (empty queue name, zero concurrency, bad URL).
    #[error("invalid configuration: {reason}")]
    Config {
        /// What is wrong.
        reason: String,
    },
    /// A broker URL this crate cannot read (see `BrokerUrl::parse`).
    #[error("invalid broker URL ({scheme}:…): {reason}")]
    InvalidUrl {
        /// The URL's scheme (the rest is left out: it may carry a password).
        scheme: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The URL names a broker whose cargo feature this build of the crate lacks.
    #[error("{scheme}: URLs need the `{feature}` feature of invoice-messaging")]
    FeatureNotEnabled {
        /// The URL's scheme.
        scheme: &'static str,
        /// The feature to enable.
        feature: &'static str,
    },
    /// A store (outbox, inbox) failed.
    #[error(transparent)]
    Storage(#[from] invoice_storage::Error),
    /// The broker failed.
    #[error("{backend} broker error")]
    Broker {
        /// Backend name, such as `"rabbitmq"`.
        backend: &'static str,
        /// The driver's error.
        source: BoxError,
    },
}

/// The crate's result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_send_sync_static() {
        fn assert_bounds<T: std::error::Error + Send + Sync + 'static>() {}
        assert_bounds::<Error>();
    }
}
