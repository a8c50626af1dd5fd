//! The router: every route with its layers. The OpenAPI document is in
//! [`crate::openapi`].

use axum::routing::{get, post};
use axum::Router;

use crate::routes::{clients, invoices, reminders, reports, schedules, service};
use crate::AppState;

/// The whole application, for `axum::serve` and for tests (`tower::ServiceExt::oneshot`).
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/invoices", post(invoices::create).get(invoices::list))
        .route("/invoices/preview", post(invoices::preview))
        .route("/invoices/contact-info", get(clients::contact_info))
        .route(
            "/invoices/{id}",
            get(invoices::get)
                .patch(invoices::patch)
                .delete(invoices::delete)
                .layer(axum::middleware::from_fn(exports_are_read_only)),
        )
        .route("/invoices/{id}/issue", post(invoices::issue))
        .route("/invoices/{id}/payments", post(invoices::pay))
        .route("/invoices/{id}/credit-note", post(invoices::credit))
        .route("/invoices/{id}/notes", post(invoices::add_note))
        .route("/invoices/{id}/archive", post(invoices::archive))
        .route("/invoices/{id}/events", get(invoices::events))
        .route("/clients", post(clients::create).get(clients::list))
        .route(
            "/clients/{id}",
            get(clients::get)
                .put(clients::replace)
                .delete(clients::delete),
        )
        .route("/reports/aging", get(reports::aging))
        .route("/reports/aging.csv", get(reports::aging_csv))
        .route("/reports/revenue", get(reports::revenue))
        .route("/reports/revenue.csv", get(reports::revenue_csv))
        .route("/reports/vat", get(reports::vat))
        .route("/reports/vat.csv", get(reports::vat_csv))
        .route("/schedules", post(schedules::create).get(schedules::list))
        .route(
            "/schedules/{id}",
            get(schedules::get)
                .patch(schedules::patch)
                .delete(schedules::delete),
        )
        .route("/schedules/{id}/pause", post(schedules::pause))
        .route("/schedules/{id}/resume", post(schedules::resume))
        .route("/schedules/{id}/cancel", post(schedules::cancel))
        .route("/schedules/{id}/preview", get(schedules::preview))
        .route("/reminders", post(reminders::create).get(reminders::list))
        .route(
            "/reminders/{id}",
            get(reminders::get).delete(reminders::delete),
        )
        .route("/reminders/{id}/reschedule", post(reminders::reschedule))
        .route("/reminders/{id}/recipient", post(reminders::redirect))
        .route("/reminders/{id}/cancel", post(reminders::cancel))
        .route("/ws", get(crate::ws::events))
        .route("/openapi.json", get(service::openapi))
        .route("/metrics", get(service::metrics))
        .route("/health", get(service::health))
        .merge(crate::dashboard::routes())
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

/// `/invoices/{id}.csv` (`.json`, `.pdf`, `.ubl`, `.cii`) shares its route with `/invoices/{id}`, but an
/// export is only read: any other method (`OPTIONS` too) is 405 with `Allow: GET`, before
/// its body is looked at.
async fn exports_are_read_only(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let is_export = request
        .uri()
        .path()
        .rsplit('/')
        .next()
        .and_then(|last| last.rsplit_once('.'))
        .is_some_and(|(_, format)| matches!(format, "csv" | "json" | "pdf" | "ubl" | "cii"));
    if is_export && request.method() != axum::http::Method::GET {
        return crate::error::AppError::MethodNotAllowed("GET").into_response();
    }
    next.run(request).await
}
