//! The routes around the API: health, metrics and the OpenAPI document itself.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;

/// What `/health` says.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `unavailable` when the store does not answer.
    #[schema(example = "ok")]
    status: &'static str,
    /// Events waiting for the relay (when the store answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    outbox_pending: Option<u64>,
    /// Why the store did not answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    store: Option<String>,
}

/// Whether the store answers, without a token.
#[utoipa::path(
    get,
    path = "/health",
    responses(
        (status = 200, description = "The store answers", body = Health),
        (status = 503, description = "The store does not answer", body = Health)
    )
)]
pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    match state.outbox.pending().await {
        Ok(pending) => (
            StatusCode::OK,
            Json(Health {
                status: "ok",
                outbox_pending: Some(pending),
                store: None,
            }),
        ),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Health {
                status: "unavailable",
                outbox_pending: None,
                store: Some(e.to_string()),
            }),
        ),
    }
}

/// Prometheus metrics (requests per route and status, latencies, events published),
/// without a token.
#[utoipa::path(
    get,
    path = "/metrics",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain", body = String))
)]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}

/// This document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object))
)]
pub async fn openapi() -> Json<&'static serde_json::Value> {
    Json(crate::openapi::document())
}
