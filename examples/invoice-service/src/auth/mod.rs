//! Bearer-token authentication: every request names one tenant through a signed JWT.
//!
//! Two ways to check a token, chosen by the configuration ([`crate::config::Auth`]):
//! - **HS256** with a shared secret (`JWT_SECRET`, or a random one made at start for
//!   development), for tokens this service issues itself (`invoice-service token`);
//! - **OIDC**: RS256/ES256 (and the other RSA and EC algorithms) with keys from the
//!   identity provider's JWKS endpoint (`JWT_JWKS_URL`), checked against the expected
//!   issuer and audience; see [`JwksVerifier`].
//!
//! The tenant comes from a claim (`tenant` unless `JWT_TENANT_CLAIM` names another; a
//! dotted name such as `org.tenant` reads a nested object). Tokens come in the
//! `Authorization: Bearer` header; only `GET /ws` also takes `?token=` (browsers cannot
//! set headers on a WebSocket), and no route logs either.

mod jwks;
mod verified;

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use invoice_core::TenantId;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Map, Value};

pub use jwks::{JwksConfig, JwksVerifier};
use verified::VerifiedTokens;

use crate::error::AppError;
use crate::AppState;

/// Signs an HS256 token for `tenant` (in the `tenant` claim), valid for `hours`.
///
/// # Errors
///
/// When the claims cannot be encoded (they always can).
pub fn issue_token(
    secret: &str,
    subject: &str,
    tenant: &str,
    hours: u64,
) -> anyhow::Result<String> {
    issue_token_with_claim(secret, subject, "tenant", tenant, hours)
}

/// Signs an HS256 token for `tenant` in the claim `tenant_claim` (dots nest it, as
/// `JWT_TENANT_CLAIM` reads it), valid for `hours`.
///
/// # Errors
///
/// When the claims cannot be encoded (they always can).
pub fn issue_token_with_claim(
    secret: &str,
    subject: &str,
    tenant_claim: &str,
    tenant: &str,
    hours: u64,
) -> anyhow::Result<String> {
    let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
    let mut claims = Map::new();
    claims.insert("sub".to_owned(), Value::from(subject));
    claims.insert(
        "exp".to_owned(),
        Value::from(now.saturating_add(hours.saturating_mul(3600))),
    );
    let mut value = Value::from(tenant);
    let mut path: Vec<&str> = tenant_claim.split('.').collect();
    let first = path.remove(0);
    for name in path.into_iter().rev() {
        let mut object = Map::new();
        object.insert(name.to_owned(), value);
        value = Value::Object(object);
    }
    claims.insert(first.to_owned(), value);
    Ok(encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )?)
}

/// Checks tokens and says whose they are. A token that verified is remembered until the
/// earlier of its expiry and a minute later, 10 000 tokens at most, so the same client's
/// next requests skip the signature and claim checks.
#[derive(Clone, Debug)]
pub struct Authenticator {
    check: Check,
    verified: Arc<VerifiedTokens>,
}

/// How a token is checked.
#[derive(Clone)]
enum Check {
    /// HS256 with a shared secret.
    Hs256 {
        /// The secret as a key.
        key: DecodingKey,
        /// The claim that names the tenant.
        tenant_claim: Arc<str>,
    },
    /// Keys from an OIDC provider's JWKS endpoint.
    Jwks(Arc<JwksVerifier>),
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Hs256 { tenant_claim, .. } => f
                .debug_struct("Hs256")
                .field("tenant_claim", tenant_claim)
                .finish_non_exhaustive(),
            Self::Jwks(verifier) => f.debug_tuple("Jwks").field(verifier).finish(),
        }
    }
}

impl Authenticator {
    /// HS256 with `secret`, the tenant in `tenant_claim`.
    pub fn hs256(secret: &str, tenant_claim: &str) -> Self {
        Self::with(Check::Hs256 {
            key: DecodingKey::from_secret(secret.as_bytes()),
            tenant_claim: Arc::from(tenant_claim),
        })
    }

    /// Keys from an OIDC provider's JWKS endpoint, as `verifier` fetches them.
    pub fn jwks(verifier: Arc<JwksVerifier>) -> Self {
        Self::with(Check::Jwks(verifier))
    }

    fn with(check: Check) -> Self {
        Self {
            check,
            verified: Arc::new(VerifiedTokens::new()),
        }
    }

    /// The tenant `token` is for.
    ///
    /// # Errors
    ///
    /// [`AppError::Unauthorized`] when the token is malformed, signed with another key or
    /// algorithm, expired, for another issuer or audience, or has no tenant claim.
    pub async fn tenant_of(&self, token: &str) -> Result<TenantId, AppError> {
        let now = chrono::Utc::now().timestamp();
        if let Some(tenant) = self.verified.get(token, now) {
            return Ok(tenant);
        }
        let claims = match &self.check {
            Check::Hs256 { key, .. } => {
                let mut validation = Validation::new(Algorithm::HS256);
                validation.set_required_spec_claims(&["exp", "sub"]);
                decode::<Map<String, Value>>(token, key, &validation)
                    .map_err(|e| unauthorized("invalid token", &e))?
                    .claims
            }
            Check::Jwks(verifier) => verifier.claims_of(token).await?,
        };
        let tenant_claim = match &self.check {
            Check::Hs256 { tenant_claim, .. } => tenant_claim,
            Check::Jwks(verifier) => verifier.tenant_claim(),
        };
        let tenant = tenant_from_claims(&claims, tenant_claim)?;
        // `exp` is a required claim of both checks; a token without a whole-second one
        // is simply not remembered.
        if let Some(expires_at) = claims.get("exp").and_then(Value::as_i64) {
            self.verified.insert(token, tenant.clone(), expires_at, now);
        }
        Ok(tenant)
    }
}

fn unauthorized(what: &str, e: &jsonwebtoken::errors::Error) -> AppError {
    AppError::Unauthorized(format!("{what}: {e}"))
}

/// Reads the tenant from `claim` (dots walk into nested objects).
fn tenant_from_claims(claims: &Map<String, Value>, claim: &str) -> Result<TenantId, AppError> {
    let mut parts = claim.split('.');
    let first = parts.next().and_then(|name| claims.get(name));
    let value = parts.try_fold(first, |value, name| Some(value?.get(name)));
    match value.flatten() {
        Some(Value::String(tenant)) => TenantId::new(tenant.clone())
            .map_err(|e| AppError::Unauthorized(format!("invalid tenant claim {claim:?}: {e}"))),
        Some(_) => Err(AppError::Unauthorized(format!(
            "the tenant claim {claim:?} is not a string"
        ))),
        None => Err(AppError::Unauthorized(format!(
            "the token has no tenant claim {claim:?}"
        ))),
    }
}

/// The bearer token of the `Authorization` header, if any.
fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// The tenant of an authenticated request (from the `Authorization` header only).
#[derive(Debug, Clone)]
pub struct Tenant(pub TenantId);

impl FromRequestParts<AppState> for Tenant {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        Ok(Tenant(authenticate(state, parts).await?))
    }
}

/// The tenant of a request's `Authorization: Bearer` token.
///
/// # Errors
///
/// [`AppError::Unauthorized`] without a token or with one that does not verify.
pub async fn authenticate(state: &AppState, parts: &Parts) -> Result<TenantId, AppError> {
    let token =
        bearer(parts).ok_or_else(|| AppError::Unauthorized("missing bearer token".to_owned()))?;
    state.auth.tenant_of(token).await
}

/// The tenant of a WebSocket request: the `Authorization` header, or `?token=` (browsers
/// cannot set headers on a WebSocket). Only `GET /ws` uses it.
#[derive(Debug, Clone)]
pub struct WsTenant(pub TenantId);

impl FromRequestParts<AppState> for WsTenant {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let from_query = || {
            parts
                .uri
                .query()?
                .split('&')
                .find_map(|kv| kv.strip_prefix("token="))
        };
        let token = bearer(parts)
            .or_else(from_query)
            .ok_or_else(|| AppError::Unauthorized("missing bearer token".to_owned()))?;
        Ok(WsTenant(state.auth.tenant_of(token).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(json: Value) -> Map<String, Value> {
        json.as_object().unwrap().clone()
    }

    #[test]
    fn the_tenant_claim_may_be_nested() {
        let c = claims(serde_json::json!({"tenant": "a", "org": {"tenant": "b"}, "n": 3}));
        assert_eq!(tenant_from_claims(&c, "tenant").unwrap().as_str(), "a");
        assert_eq!(tenant_from_claims(&c, "org.tenant").unwrap().as_str(), "b");
        assert!(tenant_from_claims(&c, "org.missing").is_err());
        assert!(tenant_from_claims(&c, "missing").is_err());
        assert!(tenant_from_claims(&c, "n").is_err());
    }

    #[tokio::test]
    async fn tokens_carry_the_tenant_in_the_configured_claim() {
        let auth = Authenticator::hs256("a-secret-of-sixteen+", "org.tenant");
        let token =
            issue_token_with_claim("a-secret-of-sixteen+", "me", "org.tenant", "acme", 1).unwrap();
        assert_eq!(auth.tenant_of(&token).await.unwrap().as_str(), "acme");
        let flat = issue_token("a-secret-of-sixteen+", "me", "acme", 1).unwrap();
        assert!(auth.tenant_of(&flat).await.is_err(), "no org.tenant claim");
    }

    #[tokio::test]
    async fn hs256_accepts_its_own_tokens_only() {
        let auth = Authenticator::hs256("a-secret-of-sixteen+", "tenant");
        let token = issue_token("a-secret-of-sixteen+", "me", "acme", 1).unwrap();
        assert_eq!(auth.tenant_of(&token).await.unwrap().as_str(), "acme");
        let other = issue_token("another-secret-of-16+", "me", "acme", 1).unwrap();
        assert!(auth.tenant_of(&other).await.is_err());
        assert!(auth.tenant_of("not.a.token").await.is_err());
    }
}
