//! How long the test waits, and for what.

use std::time::{Duration, Instant};

use crate::Fixture;

/// How long anything may take to show up: a process to start, a mail, an archive, an
/// event on a WebSocket.
const DEADLINE: Duration = Duration::from_secs(60);

/// How often a condition is polled.
const POLL: Duration = Duration::from_millis(100);

/// How long to keep watching, once everything expected has arrived, for what must not
/// arrive: a second copy of a mail, an event on the wrong tenant's socket. Absence has no
/// event to wait for; a duplicate would come from a redelivery, which RabbitMQ makes as
/// soon as a delivery is nacked or its consumer's channel closes.
pub const QUIET: Duration = Duration::from_secs(3);

/// A point in time by which something must have happened: 60 seconds from its creation.
pub struct Deadline {
    what: String,
    until: Instant,
}

impl Deadline {
    /// The deadline for `what`, which names it in the failure message.
    pub fn new(what: impl Into<String>) -> Self {
        Self {
            what: what.into(),
            until: Instant::now() + DEADLINE,
        }
    }

    /// Fails the test if a process died or the deadline passed, else waits one poll
    /// (100 ms).
    pub async fn tick(&self, fixture: &mut Fixture) {
        fixture.assert_running();
        assert!(
            Instant::now() < self.until,
            "timed out after {DEADLINE:?} waiting for {}",
            self.what
        );
        tokio::time::sleep(POLL).await;
    }
}
