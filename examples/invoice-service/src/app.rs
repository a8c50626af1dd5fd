//! The router: every route, the OpenAPI document, metrics and health.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{clients, invoices};
use crate::AppState;

/// The OpenAPI document, generated from the handlers' annotations.
#[derive(OpenApi)]
#[openapi(
    info(title = "invoice-service", description = "Invoices, clients, exports and events"),
    paths(
        invoices::create, invoices::get, invoices::get_pdf, invoices::patch, invoices::delete, invoices::list,
        invoices::issue, invoices::pay, invoices::credit, invoices::add_note, invoices::archive,
        clients::create, clients::get, clients::replace, clients::delete, clients::list,
        clients::contact_info,
    ),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The whole application, for `axum::serve` and for tests (`tower::ServiceExt::oneshot`).
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/invoices", post(invoices::create).get(invoices::list))
        .route("/invoices/contact-info", get(clients::contact_info))
        .route(
            "/invoices/{id}",
            get(invoices::get)
                .patch(invoices::patch)
                .delete(invoices::delete),
        )
        .route("/invoices/{id}/issue", post(invoices::issue))
        .route("/invoices/{id}/payments", post(invoices::pay))
        .route("/invoices/{id}/credit-note", post(invoices::credit))
        .route("/invoices/{id}/notes", post(invoices::add_note))
        .route("/invoices/{id}/archive", post(invoices::archive))
        .route("/clients", post(clients::create).get(clients::list))
        .route(
            "/clients/{id}",
            get(clients::get)
                .put(clients::replace)
                .delete(clients::delete),
        )
        .route("/ws", get(crate::ws::events))
        .route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
        .route(
            "/metrics",
            get(|State(state): State<AppState>| async move { state.metrics.render() }),
        )
        .route("/health", get(health))
        // Inside out: idempotency keys see the handler's response; the body limit holds
        // for every extractor; the timeout drops whatever runs too long; metrics and
        // the trace see every answer.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::idempotency::idempotent,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::limits::MAX_BODY_BYTES,
        ))
        .layer(axum::middleware::from_fn(crate::limits::timeout))
        .layer(axum::middleware::from_fn(crate::metrics::track))
        .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state)
}

/// The span of a request: its method and path, never its query (`/ws` takes a token
/// there) nor its headers.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    tracing::debug_span!("request", method = %request.method(), path = %request.uri().path())
}

/// `200 {"status":"ok"}` when the store answers; 503 otherwise.
async fn health(State(state): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    match state.outbox.pending().await {
        Ok(pending) => (
            StatusCode::OK,
            Json(serde_json::json!({ "status": "ok", "outbox_pending": pending })),
        ),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "unavailable", "store": e.to_string() })),
        ),
    }
}
