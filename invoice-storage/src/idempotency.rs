//! Idempotency keys: the outcome of a request kept under the key its client chose, so
//! that a retry of the request (after a timeout, a dropped connection, a restart of the
//! instance that served it) gets the same answer without a second effect.
//!
//! A request with a key calls [`IdempotencyStore::begin`] before it does anything:
//! - [`Begin::Started`]: the key is new; do the work, then [`complete`] with the response
//!   (or [`release`] when the work failed in a way a retry should redo);
//! - [`Begin::Completed`]: a request with the same key and the same fingerprint finished
//!   before: answer with its response;
//! - [`Begin::InProgress`]: a request with this key is running right now (its lease has
//!   not run out): answer 409 and let the client retry;
//! - [`Begin::Mismatch`]: the key was used for another request (another body, another
//!   route): answer 422.
//!
//! The store decides atomically: of two concurrent `begin`s with one key, one starts and
//! the other sees it in progress, on every adapter and across processes sharing a
//! database. A request whose process died holds its key until the lease ends; after that,
//! the next `begin` takes it over. Keep the lease longer than the longest a request can
//! run (the service's request timeout), so that a lease never ends under a request that
//! is still working.
//!
//! [`complete`]: IdempotencyStore::complete
//! [`release`]: IdempotencyStore::release

use std::fmt::{self, Debug};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use invoice_core::TenantId;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The longest key accepted, in bytes.
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

/// A client's idempotency key: 1 to 255 visible ASCII characters (a UUID is typical).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Checks `key`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidIdempotencyKey`] when it is empty, longer than 255 bytes, or has a
    /// character outside visible ASCII.
    ///
    /// # Examples
    ///
    /// ```
    /// use invoice_storage::IdempotencyKey;
    ///
    /// assert!(IdempotencyKey::new("0b6a4b0e-3a4c-4c11-9d1e-7f0c2a1d9e55").is_ok());
    /// assert!(IdempotencyKey::new("").is_err());
    /// assert!(IdempotencyKey::new("with space").is_err());
    /// ```
    pub fn new(key: impl Into<String>) -> Result<Self> {
        let key = key.into();
        let reason = if key.is_empty() {
            Some("empty")
        } else if key.len() > MAX_IDEMPOTENCY_KEY_LEN {
            Some("longer than 255 bytes")
        } else if !key.bytes().all(|b| b.is_ascii_graphic()) {
            Some("only visible ASCII characters are allowed")
        } else {
            None
        };
        match reason {
            Some(reason) => Err(Error::InvalidIdempotencyKey { key, reason }),
            None => Ok(Self(key)),
        }
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Debug for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdempotencyKey({:?})", self.0)
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A response kept for replay: status, the headers worth repeating, body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredResponse {
    /// The HTTP status (or any code the caller gives its outcomes).
    pub status: u16,
    /// Header names and values.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// What [`IdempotencyStore::begin`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// The caller holds the key until its lease ends: do the work, then complete or
    /// release.
    Started,
    /// A request with this key and fingerprint finished: here is its response.
    Completed(StoredResponse),
    /// A request with this key and fingerprint is running.
    InProgress,
    /// The key was used with another fingerprint (another request).
    Mismatch,
}

/// Idempotency keys per tenant, with the responses of finished requests.
#[async_trait]
pub trait IdempotencyStore: Debug + Send + Sync + 'static {
    /// Claims `key` for a request whose content hashes to `fingerprint`, until
    /// `lease_until`, or says why not. Atomic: of concurrent calls with one key, at most
    /// one gets [`Begin::Started`].
    ///
    /// # Errors
    ///
    /// [`Error::Backend`] when the store fails.
    async fn begin(
        &self,
        tenant: &TenantId,
        key: &IdempotencyKey,
        fingerprint: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Begin>;

    /// Keeps `response` as the outcome of the request that holds `key`. A key that is
    /// already completed keeps its first response.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when the key was never begun (or was released or purged);
    /// [`Error::Backend`] when the store fails.
    async fn complete(
        &self,
        tenant: &TenantId,
        key: &IdempotencyKey,
        response: &StoredResponse,
    ) -> Result<()>;

    /// Gives up a key that is in progress, so that a retry starts afresh (for a request
    /// that failed before any effect, or whose outcome should not be replayed). A
    /// completed key stays completed.
    ///
    /// # Errors
    ///
    /// [`Error::Backend`] when the store fails.
    async fn release(&self, tenant: &TenantId, key: &IdempotencyKey) -> Result<()>;

    /// Forgets every key begun before `created_before` (the retention period's start);
    /// returns how many. A forgotten key may be used again, as a new request.
    ///
    /// # Errors
    ///
    /// [`Error::Backend`] when the store fails.
    async fn purge(&self, created_before: DateTime<Utc>) -> Result<u64>;
}

/// A key as an adapter reads it back.
#[derive(Debug)]
pub(crate) struct KeyEntry {
    /// What the first request hashed to.
    pub fingerprint: String,
    /// When its holder's lease ends.
    pub locked_until: DateTime<Utc>,
    /// Its response, once completed.
    pub response: Option<StoredResponse>,
}

/// What an adapter does with a key that exists.
#[derive(Debug)]
pub(crate) enum Decision {
    /// Answer this.
    Answer(Begin),
    /// The holder's lease ran out: take the key over (atomically, if it is unchanged).
    TakeOver,
}

/// The one rule every adapter applies to an existing key.
pub(crate) fn decide(entry: &KeyEntry, fingerprint: &str, now: DateTime<Utc>) -> Decision {
    if entry.fingerprint != fingerprint {
        Decision::Answer(Begin::Mismatch)
    } else if let Some(response) = &entry.response {
        Decision::Answer(Begin::Completed(response.clone()))
    } else if entry.locked_until > now {
        Decision::Answer(Begin::InProgress)
    } else {
        Decision::TakeOver
    }
}

/// The stored form of a response's headers.
#[cfg(any(feature = "postgres", feature = "sqlite"))]
pub(crate) fn headers_json(headers: &[(String, String)]) -> String {
    // A list of string pairs always serializes.
    serde_json::to_string(headers).unwrap_or_else(|_| "[]".to_owned())
}

/// Headers read back.
#[cfg(any(feature = "postgres", feature = "sqlite"))]
pub(crate) fn headers_from_json(json: &str, key: &IdempotencyKey) -> Result<Vec<(String, String)>> {
    serde_json::from_str(json).map_err(|e| Error::Corrupt {
        what: "idempotency key",
        id: key.to_string(),
        source: Box::new(e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_up_to_255_bytes() {
        assert!(IdempotencyKey::new("a".repeat(255)).is_ok());
        for bad in [
            "".to_owned(),
            "a".repeat(256),
            "tab\t".to_owned(),
            "é".to_owned(),
        ] {
            assert!(
                matches!(
                    IdempotencyKey::new(bad.clone()),
                    Err(Error::InvalidIdempotencyKey { .. })
                ),
                "{bad:?}"
            );
        }
    }
}
