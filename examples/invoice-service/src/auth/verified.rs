//! Tokens already verified: a client sends the same token with each request, and checking
//! its signature and claims again (base64, HMAC or RSA, two JSON documents) cost about a
//! tenth of a request's CPU. A token found here is answered with its tenant until the
//! earlier of its own expiry and [`MAX_AGE_SECS`] after it was verified, so a key the
//! identity provider withdraws stops working here within that time too.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use invoice_core::TenantId;

/// How long a verified token is answered from memory at most, in seconds.
pub(crate) const MAX_AGE_SECS: i64 = 60;

/// How many tokens are kept; when full, all are forgotten at once (each is verified again
/// on its next use), so memory stays bounded whatever clients send.
pub(crate) const CAPACITY: usize = 10_000;

/// Verified tokens with their tenant and the end of their stay, in Unix seconds.
#[derive(Debug, Default)]
pub(crate) struct VerifiedTokens {
    entries: Mutex<HashMap<Box<str>, Verified>>,
}

#[derive(Debug)]
struct Verified {
    tenant: TenantId,
    until: i64,
}

impl VerifiedTokens {
    /// An empty set.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    fn entries(&self) -> MutexGuard<'_, HashMap<Box<str>, Verified>> {
        // Every change is one insert or one clear: a poisoned map is still consistent.
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The tenant of `token` if it was verified and its stay has not ended at `now`.
    pub(crate) fn get(&self, token: &str, now: i64) -> Option<TenantId> {
        let entries = self.entries();
        let verified = entries.get(token)?;
        (now < verified.until).then(|| verified.tenant.clone())
    }

    /// Keeps `token`, verified at `now` for `tenant`, until the earlier of `expires_at`
    /// (its `exp` claim) and [`MAX_AGE_SECS`] from `now`.
    pub(crate) fn insert(&self, token: &str, tenant: TenantId, expires_at: i64, now: i64) {
        let until = expires_at.min(now.saturating_add(MAX_AGE_SECS));
        if until <= now {
            return;
        }
        let mut entries = self.entries();
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(token.into(), Verified { tenant, until });
    }

    /// How many tokens are kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries().len()
    }

    /// Whether none is kept.
    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(name: &str) -> TenantId {
        TenantId::new(name.to_owned()).unwrap()
    }

    #[test]
    fn a_token_is_answered_until_its_expiry() {
        let tokens = VerifiedTokens::new();
        tokens.insert("t", tenant("acme"), 1_010, 1_000);
        assert_eq!(tokens.get("t", 1_009).unwrap().as_str(), "acme");
        assert_eq!(tokens.get("t", 1_010), None);
        assert_eq!(tokens.get("other", 1_000), None);
    }

    #[test]
    fn a_long_lived_token_is_verified_again_after_the_maximum_age() {
        let tokens = VerifiedTokens::new();
        tokens.insert("t", tenant("acme"), 1_000_000, 1_000);
        assert!(tokens.get("t", 1_000 + MAX_AGE_SECS - 1).is_some());
        assert_eq!(tokens.get("t", 1_000 + MAX_AGE_SECS), None);
    }

    #[test]
    fn an_expired_token_is_not_kept() {
        let tokens = VerifiedTokens::new();
        tokens.insert("t", tenant("acme"), 999, 1_000);
        assert!(tokens.is_empty());
    }

    #[test]
    fn a_full_set_starts_again_and_never_grows_past_its_capacity() {
        let tokens = VerifiedTokens::new();
        for i in 0..CAPACITY {
            tokens.insert(&format!("t{i}"), tenant("acme"), 2_000, 1_000);
        }
        assert_eq!(tokens.len(), CAPACITY);
        tokens.insert("one more", tenant("acme"), 2_000, 1_000);
        assert_eq!(tokens.len(), 1);
        assert!(tokens.get("t0", 1_000).is_none());
        assert!(tokens.get("one more", 1_000).is_some());
    }
}
