//! The dashboard: a single-page app at `/` that people use instead of curl. Its files
//! (plain HTML, CSS and JavaScript modules, no build step) are compiled into the binary
//! from `dashboard/` and served here without a token; the page then reads and changes
//! data only through the API with the token a person signs in with, and follows `/ws` for
//! changes made elsewhere. Nothing is loaded from anywhere but this service.

use std::sync::OnceLock;

use anyhow::Context;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::{Auth, Config};
use crate::AppState;

/// The dashboard's files: name, content type, content.
const FILES: &[(&str, &str, &str)] = &[
    (
        "index.html",
        "text/html; charset=utf-8",
        include_str!("../dashboard/index.html"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../dashboard/app.css"),
    ),
    (
        "icon.svg",
        "image/svg+xml",
        include_str!("../dashboard/icon.svg"),
    ),
    ("app.js", JS, include_str!("../dashboard/app.js")),
    ("api.js", JS, include_str!("../dashboard/api.js")),
    ("clients.js", JS, include_str!("../dashboard/clients.js")),
    ("dom.js", JS, include_str!("../dashboard/dom.js")),
    ("errors.js", JS, include_str!("../dashboard/errors.js")),
    ("format.js", JS, include_str!("../dashboard/format.js")),
    (
        "invoice-form.js",
        JS,
        include_str!("../dashboard/invoice-form.js"),
    ),
    ("invoice.js", JS, include_str!("../dashboard/invoice.js")),
    ("invoices.js", JS, include_str!("../dashboard/invoices.js")),
    ("oidc.js", JS, include_str!("../dashboard/oidc.js")),
    ("reports.js", JS, include_str!("../dashboard/reports.js")),
    (
        "schedules.js",
        JS,
        include_str!("../dashboard/schedules.js"),
    ),
];

const JS: &str = "text/javascript; charset=utf-8";

/// How the dashboard signs people in: always with a pasted token; also at the identity
/// provider when `OIDC_CLIENT_ID` is set (authorization code flow with PKCE, run by the
/// page: it reads the provider's discovery document, sends the person there and trades
/// the code for a token at the provider's token endpoint, which must allow the
/// dashboard's origin, as Keycloak does for a client's web origins).
#[derive(Debug, Clone, Serialize)]
pub struct SignIn {
    /// The provider, when the dashboard signs in there.
    oidc: Option<OidcSignIn>,
    /// The page's content security policy: this service, and the provider's origin for
    /// its discovery document and token endpoint.
    #[serde(skip)]
    policy: String,
}

/// The identity provider the dashboard signs in at.
#[derive(Debug, Clone, Serialize)]
pub struct OidcSignIn {
    /// `JWT_ISSUER`: discovery is at `{issuer}/.well-known/openid-configuration`.
    issuer: String,
    /// `OIDC_CLIENT_ID`.
    client_id: String,
    /// The scopes asked for.
    scope: &'static str,
}

impl SignIn {
    /// From `OIDC_CLIENT_ID` and the OIDC settings of `config`.
    ///
    /// # Errors
    ///
    /// When the issuer is not an `http(s)` URL.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let oidc = match (&config.oidc_client_id, &config.auth) {
            (Some(client_id), Auth::Jwks { issuer, .. }) => Some(OidcSignIn {
                issuer: issuer.trim_end_matches('/').to_owned(),
                client_id: client_id.clone(),
                scope: "openid",
            }),
            _ => None,
        };
        let provider = match &oidc {
            Some(oidc) => {
                let url = reqwest::Url::parse(&oidc.issuer)
                    .with_context(|| format!("JWT_ISSUER {:?} is not a URL", oidc.issuer))?;
                if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                    anyhow::bail!(
                        "JWT_ISSUER {:?}: the dashboard needs an http(s) URL",
                        oidc.issuer
                    );
                }
                format!(" {}", url.origin().ascii_serialization())
            }
            None => String::new(),
        };
        Ok(Self {
            oidc,
            policy: format!(
                "default-src 'none'; script-src 'self'; style-src 'self'; \
                 img-src 'self' data:; connect-src 'self'{provider}; base-uri 'none'; \
                 form-action 'none'; frame-ancestors 'none'"
            ),
        })
    }
}

/// `GET /`, `GET /dashboard/config.json` and `GET /dashboard/{file}`, gzipped for
/// browsers that accept it (a third of the bytes on a first load).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/dashboard/config.json", get(sign_in))
        .route("/dashboard/{file}", get(file))
        .layer(tower_http::compression::CompressionLayer::new().gzip(true))
}

async fn index(State(state): State<AppState>, headers: HeaderMap) -> Response {
    serve("index.html", &headers, &state.sign_in.policy)
}

async fn file(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    serve(&name, &headers, &state.sign_in.policy)
}

/// How the page offers to sign in: `{"oidc": null}` or the provider's issuer, client id
/// and scope.
async fn sign_in(State(state): State<AppState>) -> Json<SignIn> {
    Json(state.sign_in.clone())
}

/// Each file's `ETag`: a digest of its content, so a reload transfers only what changed
/// (`If-None-Match` gets 304).
fn etags() -> &'static [String] {
    static ETAGS: OnceLock<Vec<String>> = OnceLock::new();
    ETAGS.get_or_init(|| {
        FILES
            .iter()
            .map(|(_, _, content)| {
                let digest = Sha256::digest(content.as_bytes());
                let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
                format!("\"{hex}\"")
            })
            .collect()
    })
}

fn serve(name: &str, headers: &HeaderMap, policy: &str) -> Response {
    let Some(index) = FILES.iter().position(|(file, _, _)| *file == name) else {
        return crate::error::AppError::NotFound(format!("no dashboard file {name:?}"))
            .into_response();
    };
    let (_, content_type, content) = FILES[index];
    let etag = &etags()[index];
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, content_type)], content).into_response()
    };
    let h = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, value);
    }
    // Revalidated on every load: a new binary serves new files at once.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(policy) = HeaderValue::from_str(policy) {
        h.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}
