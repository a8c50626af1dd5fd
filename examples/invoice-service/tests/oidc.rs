//! OIDC tokens against a real JWKS endpoint: an HTTP server on 127.0.0.1 that this test
//! starts and that publishes the public halves of the keys in `tests/fixtures/oidc/`
//! (as an identity provider such as Keycloak does). The service fetches the set over
//! HTTP, verifies RS256 and ES256 tokens with it, refreshes it when a token names a key
//! it has not seen (at most once per interval), and refuses a wrong issuer, a wrong
//! audience, an expired token, an unknown key, `alg: none`, an HS256 token and a forged
//! signature.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use invoice_service::auth::{Authenticator, JwksConfig, JwksVerifier};
use invoice_service::config::Config;
use invoice_service::{app, state};
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use tower::ServiceExt;

const ISSUER: &str = "https://idp.test/realms/invoices";
const AUDIENCE: &str = "invoice-service";

/// A fixture key: its id, algorithm and private half.
struct Signer {
    kid: &'static str,
    alg: Algorithm,
    key: EncodingKey,
}

impl Signer {
    fn new(kid: &'static str, alg: Algorithm, file: &str) -> Self {
        let pem = std::fs::read(format!(
            "{}/tests/fixtures/oidc/{file}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let key = match alg {
            Algorithm::ES256 => EncodingKey::from_ec_pem(&pem),
            _ => EncodingKey::from_rsa_pem(&pem),
        }
        .unwrap();
        Self { kid, alg, key }
    }

    /// The public half, as the provider publishes it.
    fn jwk(&self) -> Jwk {
        let mut jwk = Jwk::from_encoding_key(&self.key, self.alg).unwrap();
        jwk.common.key_id = Some(self.kid.to_owned());
        jwk
    }

    /// A token with `claims`, signed by this key under `kid`.
    fn sign_as(&self, kid: &str, claims: &Value) -> String {
        let mut header = Header::new(self.alg);
        header.kid = Some(kid.to_owned());
        encode(&header, claims, &self.key).unwrap()
    }

    fn sign(&self, claims: &Value) -> String {
        self.sign_as(self.kid, claims)
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Claims a provider issues for `tenant` (nested, as the test configures the claim).
fn claims(tenant: &str) -> Value {
    json!({
        "iss": ISSUER, "aud": AUDIENCE, "sub": "user-1",
        "exp": now() + 300, "iat": now(),
        "org": { "tenant": tenant },
    })
}

/// The identity provider's JWKS endpoint: serves `keys`, counts the fetches.
struct Provider {
    url: String,
    keys: Arc<Mutex<Vec<Jwk>>>,
    fetches: Arc<AtomicUsize>,
}

async fn provider(keys: Vec<Jwk>) -> Provider {
    let keys = Arc::new(Mutex::new(keys));
    let fetches = Arc::new(AtomicUsize::new(0));
    let (served, counted) = (Arc::clone(&keys), Arc::clone(&fetches));
    let router = axum::Router::new().route(
        "/realms/invoices/protocol/openid-connect/certs",
        axum::routing::get(move || {
            let keys = served.lock().unwrap().clone();
            counted.fetch_add(1, Ordering::SeqCst);
            async move { axum::Json(JwkSet { keys }) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/realms/invoices/protocol/openid-connect/certs",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Provider { url, keys, fetches }
}

/// The service on embedded defaults, with `auth` instead of its own.
async fn service(auth: Authenticator) -> (axum::Router, tempfile::TempDir) {
    let docs = tempfile::tempdir().unwrap();
    let dir = docs.path().to_str().unwrap().to_owned();
    let config = Config::from_env(|k| match k {
        "DOCUMENTS_DIR" => Some(dir.clone()),
        "DATABASE_URL" => Some("memory".to_owned()),
        _ => None,
    })
    .unwrap();
    let (state, background) = state::build(&config).await.unwrap();
    std::mem::forget(background);
    (app(state.with_auth(auth)), docs)
}

/// `GET /invoices` with `token`: the status and the body as text.
async fn list_with(router: &axum::Router, token: &str) -> (StatusCode, String) {
    let request = Request::get("/invoices")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

fn config_for(provider: &Provider, min_refresh: Duration) -> JwksConfig {
    let mut config = JwksConfig::new(provider.url.clone(), ISSUER, AUDIENCE);
    config.tenant_claim = "org.tenant".to_owned();
    config.min_refresh_interval = min_refresh;
    config
}

/// `value` as a JWT part. A token with `alg: none` is its header and claims with an empty
/// signature; jsonwebtoken will not make one, so the parts are encoded here.
fn base64url(value: &Value) -> String {
    base64_url(&serde_json::to_vec(value).unwrap())
}

/// RFC 4648 §5 without padding.
fn base64_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
        }
    }
    out
}

#[tokio::test]
async fn oidc_tokens_are_verified_with_the_providers_keys() {
    let rsa = Signer::new("rsa-1", Algorithm::RS256, "rs256-a.pem");
    let ec = Signer::new("ec-1", Algorithm::ES256, "es256.pem");
    let stranger = Signer::new("rsa-1", Algorithm::RS256, "rs256-b.pem");
    let idp = provider(vec![rsa.jwk(), ec.jwk()]).await;
    // Long enough for the 20 requests of a burst (RSA in a debug build) to fall in one.
    let interval = Duration::from_secs(3);
    let verifier = JwksVerifier::connect(config_for(&idp, interval))
        .await
        .unwrap();
    assert_eq!(
        idp.fetches.load(Ordering::SeqCst),
        1,
        "fetched once at start"
    );
    let (router, _docs) = service(Authenticator::jwks(Arc::new(verifier))).await;

    // Valid tokens of both algorithms; the tenant comes from the nested claim.
    for token in [rsa.sign(&claims("acme")), ec.sign(&claims("acme"))] {
        let (status, body) = list_with(&router, &token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    // Each of these fails, and says why without echoing the token.
    let mut wrong_issuer = claims("acme");
    wrong_issuer["iss"] = json!("https://evil.test/realms/invoices");
    let mut wrong_audience = claims("acme");
    wrong_audience["aud"] = json!("another-service");
    let mut expired = claims("acme");
    expired["exp"] = json!(now() - 3600);
    let mut no_tenant = claims("acme");
    no_tenant["org"] = json!({});
    let unsigned = format!(
        "{}.{}.",
        base64url(&json!({"alg": "none", "typ": "JWT", "kid": "rsa-1"})),
        base64url(&claims("acme"))
    );
    let hs256 = encode(
        &Header {
            kid: Some("rsa-1".to_owned()),
            ..Header::new(Algorithm::HS256)
        },
        &claims("acme"),
        &EncodingKey::from_secret(b"the public modulus, or any guess"),
    )
    .unwrap();
    let cases = [
        ("wrong issuer", rsa.sign(&wrong_issuer), "InvalidIssuer"),
        (
            "wrong audience",
            ec.sign(&wrong_audience),
            "InvalidAudience",
        ),
        ("expired", rsa.sign(&expired), "ExpiredSignature"),
        ("no tenant claim", rsa.sign(&no_tenant), "tenant claim"),
        ("alg none", unsigned, "invalid token"),
        ("HS256", hs256, "HS256"),
        (
            "forged signature",
            stranger.sign(&claims("acme")),
            "InvalidSignature",
        ),
        (
            "unknown key",
            rsa.sign_as("rsa-9", &claims("acme")),
            "unknown signing key",
        ),
    ];
    for (case, token, reason) in &cases {
        let (status, body) = list_with(&router, token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{case}: {body}");
        assert!(body.contains(reason), "{case}: {body}");
        assert!(
            !body.contains(token.as_str()),
            "{case}: the token is echoed"
        );
    }
    // After the interval, a burst of tokens naming made-up keys costs one fetch.
    tokio::time::sleep(interval + Duration::from_millis(100)).await;
    let before = idp.fetches.load(Ordering::SeqCst);
    for n in 0..20 {
        let token = rsa.sign_as(&format!("made-up-{n}"), &claims("acme"));
        assert_eq!(list_with(&router, &token).await.0, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        idp.fetches.load(Ordering::SeqCst),
        before + 1,
        "one fetch per interval"
    );

    // The provider rotates to a new key: accepted once the interval allows a fetch.
    let rotated = Signer::new("rsa-2", Algorithm::RS256, "rs256-b.pem");
    idp.keys.lock().unwrap().push(rotated.jwk());
    let token = rotated.sign(&claims("acme"));
    assert_eq!(list_with(&router, &token).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        idp.fetches.load(Ordering::SeqCst),
        before + 1,
        "still in the interval"
    );
    tokio::time::sleep(interval + Duration::from_millis(100)).await;
    let (status, body) = list_with(&router, &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(idp.fetches.load(Ordering::SeqCst), before + 2);
    // The old keys still work (they are in the new set too).
    assert_eq!(
        list_with(&router, &rsa.sign(&claims("acme"))).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_tenant_of_an_oidc_token_scopes_the_data() {
    let rsa = Signer::new("rsa-1", Algorithm::RS256, "rs256-a.pem");
    let idp = provider(vec![rsa.jwk()]).await;
    let verifier = JwksVerifier::connect(config_for(&idp, Duration::from_secs(30)))
        .await
        .unwrap();
    let (router, _docs) = service(Authenticator::jwks(Arc::new(verifier))).await;
    let body = json!({
        "currency": "EUR",
        "seller": {"name": "Seller", "address": {"country": "DE"}},
        "buyer": {"name": "Buyer", "address": {"country": "DE"}},
    });
    let request = Request::post("/invoices")
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", rsa.sign(&claims("tenant-a"))),
        )
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let (_, page) = list_with(&router, &rsa.sign(&claims("tenant-a"))).await;
    assert!(page.contains("\"total_elements\":1"), "{page}");
    let (_, page) = list_with(&router, &rsa.sign(&claims("tenant-b"))).await;
    assert!(page.contains("\"total_elements\":0"), "{page}");
}

#[tokio::test]
async fn the_service_starts_on_jwks_from_the_environment_and_not_without_it() {
    let rsa = Signer::new("rsa-1", Algorithm::RS256, "rs256-a.pem");
    let idp = provider(vec![rsa.jwk()]).await;
    let docs = tempfile::tempdir().unwrap();
    let dir = docs.path().to_str().unwrap().to_owned();
    let env = |url: String| {
        let dir = dir.clone();
        move |k: &str| match k {
            "DOCUMENTS_DIR" => Some(dir.clone()),
            "DATABASE_URL" => Some("memory".to_owned()),
            "JWT_JWKS_URL" => Some(url.clone()),
            "JWT_ISSUER" => Some(ISSUER.to_owned()),
            "JWT_AUDIENCE" => Some(AUDIENCE.to_owned()),
            _ => None,
        }
    };
    let config = Config::from_env(env(idp.url.clone())).unwrap();
    let (state, background) = state::build(&config).await.unwrap();
    let mut token = claims("acme");
    token["tenant"] = json!("acme");
    assert_eq!(
        list_with(&app(state), &rsa.sign(&token)).await.0,
        StatusCode::OK
    );
    background.stop().await;

    // A provider that does not answer stops the start, naming the variable.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/certs", closed.local_addr().unwrap());
    drop(closed);
    let config = Config::from_env(env(url)).unwrap();
    let err = state::build(&config).await.err().unwrap();
    assert!(format!("{err:#}").contains("JWT_JWKS_URL"), "{err:#}");
}
