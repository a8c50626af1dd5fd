//! What one request may ask of the service, and the answer when it asks for more. Every
//! limit has a documented status with the one error body; none is a 500, and no
//! allocation grows with what a client sends beyond them.
//!
//! | limit | value | answer |
//! |---|---|---|
//! | request body | [`MAX_BODY_BYTES`] | 413 `payload_too_large` |
//! | JSON nesting | 128 levels (serde_json's recursion limit) | 400 `bad_request` |
//! | lines per invoice | [`MAX_LINES`] | 400 `bad_request`, field `lines` |
//! | page size | 1 to [`invoice_storage::MAX_PAGE_SIZE`] | 400 `bad_request` |
//! | page number | 0 to [`MAX_PAGE`] | 400 `bad_request` |
//! | time to answer | [`REQUEST_TIMEOUT`] | 503 `timeout` |
//! | a WebSocket client's message | [`crate::ws::MAX_CLIENT_MESSAGE`] | the socket is closed |

use std::time::Duration;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

/// The largest request body, in bytes (4 MiB: an invoice of [`MAX_LINES`] short lines).
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The most lines an invoice may have.
pub const MAX_LINES: usize = 10_000;

/// The highest page number a list takes (pages past the data are empty anyway).
pub const MAX_PAGE: u32 = 1_000_000;

/// A 400 for a page number over [`MAX_PAGE`].
pub fn check_page(page: u32) -> Result<(), AppError> {
    if page > MAX_PAGE {
        return Err(AppError::bad_request(format!(
            "page {page}: at most {MAX_PAGE}"
        )));
    }
    Ok(())
}

/// How long a request may take before it is answered 503.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Answers 503 when the rest of the stack takes longer than [`REQUEST_TIMEOUT`]. The
/// request's work is dropped where it stands (a store transaction that did not commit
/// is rolled back).
pub async fn timeout(request: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => AppError::Timeout(REQUEST_TIMEOUT).into_response(),
    }
}

/// A 400 naming `lines` when there are more than [`MAX_LINES`].
pub fn check_lines(count: usize) -> Result<(), AppError> {
    if count > MAX_LINES {
        return Err(AppError::BadRequest {
            message: format!("an invoice has at most {MAX_LINES} lines"),
            details: vec![crate::error::ErrorDetail {
                field: "lines".to_owned(),
                message: format!("{count} lines"),
                path: None,
            }],
        });
    }
    Ok(())
}
