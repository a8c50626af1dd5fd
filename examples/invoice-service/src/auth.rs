//! JWT bearer authentication: HS256 tokens whose `tenant` claim scopes every request.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use invoice_core::TenantId;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::AppState;

/// The claims the service reads.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// Who (a user id).
    pub sub: String,
    /// Which tenant's data the token may see.
    pub tenant: String,
    /// Expiry, seconds since the epoch.
    pub exp: u64,
}

/// Signs a token for `tenant`, valid for `hours`.
pub fn issue_token(
    secret: &str,
    subject: &str,
    tenant: &str,
    hours: u64,
) -> anyhow::Result<String> {
    let exp = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0) + hours * 3600;
    let claims = Claims {
        sub: subject.to_owned(),
        tenant: tenant.to_owned(),
        exp,
    };
    Ok(encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )?)
}

/// The tenant of an authenticated request.
#[derive(Debug, Clone)]
pub struct Tenant(pub TenantId);

fn tenant_from_token(state: &AppState, token: &str) -> Result<TenantId, AppError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_required_spec_claims(&["exp", "sub"]);
    let data = decode::<Claims>(
        token,
        &DecodingKey::from_secret(state.jwt_secret.as_bytes()),
        &validation,
    )
    .map_err(|e| AppError::Unauthorized(format!("invalid token: {e}")))?;
    TenantId::new(data.claims.tenant)
        .map_err(|e| AppError::Unauthorized(format!("invalid tenant claim: {e}")))
}

impl FromRequestParts<AppState> for Tenant {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let token = match header.and_then(|h| h.strip_prefix("Bearer ")) {
            Some(token) => token.to_owned(),
            // Browsers cannot set headers on a WebSocket: /ws takes ?token=.
            None => parts
                .uri
                .query()
                .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("token=")))
                .map(str::to_owned)
                .ok_or_else(|| AppError::Unauthorized("missing bearer token".to_owned()))?,
        };
        Ok(Tenant(tenant_from_token(state, &token)?))
    }
}
