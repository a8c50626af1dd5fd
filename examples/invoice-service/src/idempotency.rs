//! `Idempotency-Key` on every `POST`, as Stripe has it: the first request's status,
//! headers and body are kept with the key (per tenant, for [`RETENTION`]) in the store,
//! so that they hold across instances and restarts.
//!
//! - A retry with the same key and the same request (method, path, query and body) gets
//!   the first response again, with `Idempotent-Replayed: true`, and has no effect.
//! - The same key with another request: `422`, code `idempotency_key_reused`.
//! - While the first request runs, a retry gets `409`, code `idempotency_in_progress`.
//! - A first request that ends in a server error (5xx) keeps nothing: its retry runs.
//!   Client errors (4xx) are kept and replayed, as their retry would fail the same way.
//!
//! A request whose instance dies holds its key for [`LEASE`] (twice the request
//! timeout); a retry after that runs afresh.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use invoice_storage::{Begin, IdempotencyKey, StoredResponse};
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::limits::{MAX_BODY_BYTES, REQUEST_TIMEOUT};
use crate::AppState;

/// The request header.
pub const HEADER: &str = "idempotency-key";

/// The response header of a replayed response.
pub const REPLAYED: &str = "idempotent-replayed";

/// How long a key and its response are kept.
pub const RETENTION: Duration = Duration::from_secs(24 * 3600);

/// How long a running request holds its key: longer than any request may run.
pub const LEASE: Duration = Duration::from_secs(2 * REQUEST_TIMEOUT.as_secs());

/// The response headers a replay repeats.
const KEPT_HEADERS: [&str; 3] = ["content-type", "etag", "location"];

/// The middleware: passes requests without the header (and every other method) through.
pub async fn idempotent(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST || !request.headers().contains_key(HEADER) {
        return next.run(request).await;
    }
    match run(&state, request, next).await {
        Ok(response) | Err(response) => response,
    }
}

async fn run(state: &AppState, request: Request, next: Next) -> Result<Response, Response> {
    let key = request
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or("not text")
        .and_then(|v| IdempotencyKey::new(v).map_err(|_| "empty, over 255 bytes or not ASCII"))
        .map_err(|why| AppError::bad_request(format!("Idempotency-Key: {why}")).into_response())?;
    let (parts, body) = request.into_parts();
    let tenant = crate::auth::authenticate(state, &parts)
        .await
        .map_err(IntoResponse::into_response)?;
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| AppError::PayloadTooLarge(MAX_BODY_BYTES).into_response())?;
    let fingerprint = fingerprint(&parts.method, &parts.uri, &body);
    let now = chrono::Utc::now();
    let lease_until = now + LEASE;
    let begun = state
        .idempotency
        .begin(&tenant, &key, &fingerprint, now, lease_until)
        .await
        .map_err(|e| AppError::from(e).into_response())?;
    match begun {
        Begin::Started => {}
        Begin::Completed(stored) => return Ok(replay(stored)),
        Begin::InProgress => {
            return Err(AppError::IdempotencyInProgress.into_response());
        }
        Begin::Mismatch => return Err(AppError::IdempotencyKeyReused.into_response()),
    }
    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    if response.status().is_server_error() {
        if let Err(e) = state.idempotency.release(&tenant, &key).await {
            tracing::error!(error = %e, "releasing an idempotency key");
        }
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    // Our own handlers' bodies: JSON of one invoice or client, bounded by the request.
    let body = axum::body::to_bytes(body, usize::MAX).await.map_err(|e| {
        AppError::Internal(anyhow::anyhow!("reading a response: {e}")).into_response()
    })?;
    let stored = StoredResponse {
        status: parts.status.as_u16(),
        headers: kept_headers(&parts.headers),
        body: body.to_vec(),
    };
    if let Err(e) = state.idempotency.complete(&tenant, &key, &stored).await {
        // The effect happened; the key stays in progress until its lease ends.
        tracing::error!(error = %e, "keeping an idempotent response");
    }
    Ok(Response::from_parts(parts, Body::from(body)))
}

/// SHA-256 of the method, the path with its query, and the body.
fn fingerprint(method: &Method, uri: &axum::http::Uri, body: &[u8]) -> String {
    let mut hash = Sha256::new();
    hash.update(method.as_str());
    hash.update(b" ");
    hash.update(uri.path_and_query().map_or("", |p| p.as_str()));
    hash.update(b"\n");
    hash.update(body);
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn kept_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    KEPT_HEADERS
        .iter()
        .filter_map(|name| {
            let value = headers.get(*name)?.to_str().ok()?;
            Some(((*name).to_owned(), value.to_owned()))
        })
        .collect()
}

fn replay(stored: StoredResponse) -> Response {
    let mut response = Response::new(Body::from(stored.body));
    *response.status_mut() =
        axum::http::StatusCode::from_u16(stored.status).unwrap_or(axum::http::StatusCode::OK);
    let headers = response.headers_mut();
    for (name, value) in stored.headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            headers.insert(name, value);
        }
    }
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_covers_method_path_query_and_body() {
        let uri = |u: &str| u.parse::<axum::http::Uri>().unwrap();
        let base = fingerprint(&Method::POST, &uri("/invoices"), b"{}");
        assert_eq!(base, fingerprint(&Method::POST, &uri("/invoices"), b"{}"));
        assert_eq!(base.len(), 64);
        for other in [
            fingerprint(&Method::PUT, &uri("/invoices"), b"{}"),
            fingerprint(&Method::POST, &uri("/clients"), b"{}"),
            fingerprint(&Method::POST, &uri("/invoices?x=1"), b"{}"),
            fingerprint(&Method::POST, &uri("/invoices"), b"{ }"),
        ] {
            assert_ne!(base, other);
        }
    }
}
