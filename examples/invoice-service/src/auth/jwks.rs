//! OIDC tokens: signature keys fetched from the provider's JWKS endpoint and cached.
//!
//! The keys are fetched at start and kept by key id (`kid`). A token whose `kid` is not
//! in the cache makes the verifier fetch the set again (the provider rotated its keys),
//! but no more often than [`JwksConfig::min_refresh_interval`]: a stream of tokens with
//! made-up key ids costs at most one request to the provider per interval. The set is
//! also fetched again when older than [`JwksConfig::max_age`], so a key the provider
//! withdrew stops being accepted.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use invoice_core::TenantId;
use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};
use tokio::sync::{Mutex, RwLock};

use super::{tenant_from_claims, unauthorized};
use crate::error::AppError;

/// What the verifier checks tokens against.
#[derive(Debug, Clone)]
pub struct JwksConfig {
    /// The JWKS endpoint (`JWT_JWKS_URL`).
    pub url: String,
    /// The expected `iss` (`JWT_ISSUER`).
    pub issuer: String,
    /// The expected `aud` (`JWT_AUDIENCE`).
    pub audience: String,
    /// The claim that names the tenant (`JWT_TENANT_CLAIM`, default `tenant`).
    pub tenant_claim: String,
    /// The shortest time between two fetches caused by unknown key ids (30 s).
    pub min_refresh_interval: Duration,
    /// How long a fetched key set is trusted before it is fetched again (10 min).
    pub max_age: Duration,
    /// How long a fetch may take (5 s).
    pub fetch_timeout: Duration,
}

impl JwksConfig {
    /// The defaults above for `url`, `issuer` and `audience`.
    pub fn new(
        url: impl Into<String>,
        issuer: impl Into<String>,
        audience: impl Into<String>,
    ) -> Self {
        Self {
            url: url.into(),
            issuer: issuer.into(),
            audience: audience.into(),
            tenant_claim: "tenant".to_owned(),
            min_refresh_interval: Duration::from_secs(30),
            max_age: Duration::from_secs(600),
            fetch_timeout: Duration::from_secs(5),
        }
    }
}

/// One usable key of the set.
struct Key {
    decoding: DecodingKey,
    /// The algorithms it may verify (its `alg`, or those of its family).
    algorithms: Vec<Algorithm>,
}

/// The cached key set.
#[derive(Default)]
struct Cache {
    keys: HashMap<String, Key>,
    fetched_at: Option<Instant>,
}

/// Verifies RS256/ES256 (and RS384/512, PS256/384/512, ES384) tokens with a JWKS.
pub struct JwksVerifier {
    config: JwksConfig,
    client: reqwest::Client,
    cache: RwLock<Cache>,
    /// Held while fetching, so concurrent misses make one request; the time of the last
    /// fetch attempt, successful or not.
    last_fetch: Mutex<Option<Instant>>,
}

impl std::fmt::Debug for JwksVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwksVerifier")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The algorithms a token may use: asymmetric only (`none` and the HMAC family never).
const ACCEPTED: [Algorithm; 8] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

impl JwksVerifier {
    /// Fetches the key set once and returns the verifier.
    ///
    /// # Errors
    ///
    /// When the endpoint cannot be reached or its answer holds no usable key: the
    /// service does not start with an identity provider it cannot read.
    pub async fn connect(config: JwksConfig) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(config.fetch_timeout)
            .build()
            .context("building the HTTP client for JWT_JWKS_URL")?;
        let verifier = Self {
            config,
            client,
            cache: RwLock::new(Cache::default()),
            last_fetch: Mutex::new(None),
        };
        let cache = verifier.fetch().await?;
        *verifier.last_fetch.lock().await = cache.fetched_at;
        *verifier.cache.write().await = cache;
        Ok(verifier)
    }

    /// The tenant `token` is for.
    ///
    /// # Errors
    ///
    /// [`AppError::Unauthorized`] for a token that is malformed, uses `none` or an HMAC
    /// algorithm, names a key the provider does not publish, has a bad signature, is
    /// expired or not yet valid, or is for another issuer or audience.
    pub async fn tenant_of(&self, token: &str) -> Result<TenantId, AppError> {
        tenant_from_claims(&self.claims_of(token).await?, &self.config.tenant_claim)
    }

    /// The claim that names the tenant.
    pub(crate) fn tenant_claim(&self) -> &str {
        &self.config.tenant_claim
    }

    /// The claims of `token` once its signature, issuer, audience and times are checked.
    pub(crate) async fn claims_of(&self, token: &str) -> Result<Map<String, Value>, AppError> {
        let header = decode_header(token).map_err(|e| unauthorized("invalid token", &e))?;
        if !ACCEPTED.contains(&header.alg) {
            return Err(AppError::Unauthorized(format!(
                "tokens signed with {:?} are not accepted",
                header.alg
            )));
        }
        let kid = header.kid.unwrap_or_default();
        let claims = {
            let cache = self.current_keys(&kid).await;
            let key = cache
                .keys
                .get(&kid)
                .ok_or_else(|| AppError::Unauthorized(format!("unknown signing key {kid:?}")))?;
            if !key.algorithms.contains(&header.alg) {
                return Err(AppError::Unauthorized(format!(
                    "key {kid:?} does not sign with {:?}",
                    header.alg
                )));
            }
            let mut validation = Validation::new(header.alg);
            validation.set_issuer(&[&self.config.issuer]);
            validation.set_audience(&[&self.config.audience]);
            validation.set_required_spec_claims(&["exp", "iss", "aud"]);
            decode::<Map<String, Value>>(token, &key.decoding, &validation)
                .map_err(|e| unauthorized("invalid token", &e))?
                .claims
        };
        Ok(claims)
    }

    /// The cache, fetched again first when `kid` is not in it or it is too old, within
    /// the refresh interval. A failed fetch keeps the keys there are.
    async fn current_keys(&self, kid: &str) -> tokio::sync::RwLockReadGuard<'_, Cache> {
        {
            let cache = self.cache.read().await;
            let fresh = cache
                .fetched_at
                .is_some_and(|at| at.elapsed() < self.config.max_age);
            if fresh && cache.keys.contains_key(kid) {
                return cache;
            }
        }
        let mut last_fetch = self.last_fetch.lock().await;
        let due = last_fetch.is_none_or(|at| at.elapsed() >= self.config.min_refresh_interval);
        // Another request may have fetched while this one waited for the lock.
        let fetched_since = self.cache.read().await.keys.contains_key(kid);
        if due && !fetched_since {
            *last_fetch = Some(Instant::now());
            match self.fetch().await {
                Ok(cache) => *self.cache.write().await = cache,
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "JWKS refresh failed"),
            }
        }
        drop(last_fetch);
        self.cache.read().await
    }

    /// Fetches and parses the key set.
    async fn fetch(&self) -> anyhow::Result<Cache> {
        let url = &self.config.url;
        let response = self
            .client
            .get(url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .with_context(|| format!("JWT_JWKS_URL {url}: fetching the key set"))?;
        let body = response
            .bytes()
            .await
            .with_context(|| format!("JWT_JWKS_URL {url}: reading the key set"))?;
        let set: JwkSet = serde_json::from_slice(&body)
            .with_context(|| format!("JWT_JWKS_URL {url}: not a JWK set"))?;
        let mut keys = HashMap::new();
        for jwk in &set.keys {
            let kid = jwk.common.key_id.clone().unwrap_or_default();
            let family: &[Algorithm] = match &jwk.algorithm {
                AlgorithmParameters::RSA(_) => &ACCEPTED[..6],
                AlgorithmParameters::EllipticCurve(_) => &ACCEPTED[6..],
                // Symmetric and Edwards keys are not taken from a public set.
                _ => continue,
            };
            let algorithms = match jwk
                .common
                .key_algorithm
                .map(|a| a.to_string().parse::<Algorithm>())
            {
                Some(Ok(alg)) if family.contains(&alg) => vec![alg],
                Some(_) => continue,
                None => family.to_vec(),
            };
            let Ok(decoding) = DecodingKey::from_jwk(jwk) else {
                tracing::warn!(kid, "JWKS key skipped: unreadable");
                continue;
            };
            keys.insert(
                kid,
                Key {
                    decoding,
                    algorithms,
                },
            );
        }
        if keys.is_empty() {
            bail!("JWT_JWKS_URL {url}: the key set has no RSA or EC signing key");
        }
        Ok(Cache {
            keys,
            fetched_at: Some(Instant::now()),
        })
    }
}
