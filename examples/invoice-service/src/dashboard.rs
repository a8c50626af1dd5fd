//! The dashboard: a single-page app at `/` that people use instead of curl. Its files
//! (plain HTML, CSS and JavaScript modules, no build step) are compiled into the binary
//! from `dashboard/` and served here without a token; the page then reads and changes
//! data only through the API with the token a person signs in with, and follows `/ws` for
//! changes made elsewhere. Nothing is loaded from anywhere but this service.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use sha2::{Digest, Sha256};

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
    ("reports.js", JS, include_str!("../dashboard/reports.js")),
    (
        "schedules.js",
        JS,
        include_str!("../dashboard/schedules.js"),
    ),
];

const JS: &str = "text/javascript; charset=utf-8";

/// What the page may load and connect to: this service only (its API and its
/// WebSocket), no inline script, no framing by other sites.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// `GET /` and `GET /dashboard/{file}`, gzipped for browsers that accept it (a third of
/// the bytes on a first load).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/dashboard/{file}", get(file))
        .layer(tower_http::compression::CompressionLayer::new().gzip(true))
}

async fn index(headers: HeaderMap) -> Response {
    serve("index.html", &headers)
}

async fn file(Path(name): Path<String>, headers: HeaderMap) -> Response {
    serve(&name, &headers)
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

fn serve(name: &str, headers: &HeaderMap) -> Response {
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
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
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
