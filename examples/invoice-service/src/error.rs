//! One error type for the whole API, with one mapping to HTTP responses.
//!
//! The body is always `{"error": {"code": …, "message": …, "details": […]}}`. Bad input
//! is 400 with the JSON path of the bad field; rule violations are 422 with their
//! EN 16931 ids; internal failures are a bare 500 whose details go to the log only.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// One detail of an error: where and what.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// JSON path (`lines[0].quantity`) or EN 16931 rule id (`BR-CO-25`).
    pub field: String,
    /// What is wrong.
    pub message: String,
    /// For a rule: where in the invoice it is broken (`seller.name`, `lines[0].price`),
    /// so that a form can show the rule next to its field. Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// The error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable machine-readable code: `bad_request`, `unauthorized`, `not_found`,
    /// `method_not_allowed`, `conflict`, `version_mismatch`, `payload_too_large`,
    /// `rule_violation`, `idempotency_in_progress`, `idempotency_key_reused`, `timeout`
    /// or `internal`.
    pub code: &'static str,
    /// A human-readable message.
    pub message: String,
    /// Field or rule details (empty when there are none).
    pub details: Vec<ErrorDetail>,
}

/// Every error response's body: `{"error": {...}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorResponse {
    /// What went wrong.
    pub error: ErrorBody,
}

/// Everything a handler can fail with.
#[derive(Debug)]
pub enum AppError {
    /// 400: the request is malformed.
    BadRequest {
        /// What is wrong.
        message: String,
        /// Which fields.
        details: Vec<ErrorDetail>,
    },
    /// 401: no valid token.
    Unauthorized(String),
    /// 404: no such resource for this tenant.
    NotFound(String),
    /// 409: not allowed in the resource's state.
    Conflict(String),
    /// 412: the `If-Match` version is not the stored one.
    PreconditionFailed(String),
    /// 422: EN 16931 rule violations.
    Unprocessable {
        /// What is wrong.
        message: String,
        /// The rules broken.
        details: Vec<ErrorDetail>,
    },
    /// 405: the route takes other methods (the `Allow` header says which).
    MethodNotAllowed(&'static str),
    /// 409: a request with the same `Idempotency-Key` is running.
    IdempotencyInProgress,
    /// 413: the body is larger than the limit, in bytes.
    PayloadTooLarge(usize),
    /// 422: the `Idempotency-Key` was used with another request.
    IdempotencyKeyReused,
    /// 503: the request took longer than this.
    Timeout(std::time::Duration),
    /// 500: logged, never shown.
    Internal(anyhow::Error),
}

impl AppError {
    /// A 400 without details.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::BadRequest {
            message: message.into(),
            details: Vec::new(),
        }
    }
}

impl From<invoice_core::Error> for AppError {
    fn from(e: invoice_core::Error) -> Self {
        use invoice_core::Error as E;
        match e {
            E::RuleViolations { violations } => AppError::Unprocessable {
                message: "the invoice breaks EN 16931 rules".to_owned(),
                details: violations
                    .iter()
                    .map(|v| ErrorDetail {
                        field: v.rule().to_owned(),
                        message: format!("{}: {}", v.path(), v.message()),
                        path: Some(v.path().to_owned()),
                    })
                    .collect(),
            },
            E::InvalidTransition { .. } => AppError::Conflict(e.to_string()),
            E::Overpayment { .. } => AppError::Unprocessable {
                message: e.to_string(),
                details: Vec::new(),
            },
            other => AppError::bad_request(other.to_string()),
        }
    }
}

impl From<invoice_storage::Error> for AppError {
    fn from(e: invoice_storage::Error) -> Self {
        use invoice_storage::Error as E;
        match e {
            E::NotFound { .. } => AppError::NotFound(e.to_string()),
            E::Conflict { .. } => AppError::PreconditionFailed(e.to_string()),
            E::AlreadyExists { .. } | E::NotAllowed { .. } => AppError::Conflict(e.to_string()),
            E::InvalidQuery { .. } | E::InvalidKey { .. } => AppError::bad_request(e.to_string()),
            E::Domain(domain) => domain.into(),
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<invoice_export::Error> for AppError {
    fn from(e: invoice_export::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, message, details) = match self {
            AppError::BadRequest { message, details } => {
                (StatusCode::BAD_REQUEST, "bad_request", message, details)
            }
            AppError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, "unauthorized", m, Vec::new()),
            AppError::NotFound(m) => (StatusCode::NOT_FOUND, "not_found", m, Vec::new()),
            AppError::Conflict(m) => (StatusCode::CONFLICT, "conflict", m, Vec::new()),
            AppError::PreconditionFailed(m) => (
                StatusCode::PRECONDITION_FAILED,
                "version_mismatch",
                m,
                Vec::new(),
            ),
            AppError::Unprocessable { message, details } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "rule_violation",
                message,
                details,
            ),
            AppError::MethodNotAllowed(allow) => {
                let body = ErrorResponse {
                    error: ErrorBody {
                        code: "method_not_allowed",
                        message: format!("this resource takes {allow} only"),
                        details: Vec::new(),
                    },
                };
                return (
                    StatusCode::METHOD_NOT_ALLOWED,
                    [(axum::http::header::ALLOW, allow)],
                    Json(body),
                )
                    .into_response();
            }
            AppError::IdempotencyInProgress => (
                StatusCode::CONFLICT,
                "idempotency_in_progress",
                "a request with this Idempotency-Key is in progress; retry later".to_owned(),
                Vec::new(),
            ),
            AppError::PayloadTooLarge(limit) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("the request body is larger than {limit} bytes"),
                Vec::new(),
            ),
            AppError::IdempotencyKeyReused => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "this Idempotency-Key was used with another request".to_owned(),
                Vec::new(),
            ),
            AppError::Timeout(after) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "timeout",
                format!("no answer within {} s", after.as_secs()),
                Vec::new(),
            ),
            AppError::Internal(e) => {
                tracing::error!(error = %format!("{e:#}"), "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error".to_owned(),
                    Vec::new(),
                )
            }
        };
        (
            status,
            Json(ErrorResponse {
                error: ErrorBody {
                    code,
                    message,
                    details,
                },
            }),
        )
            .into_response()
    }
}

/// A query string whose decoding errors are JSON 400s, as every other error is.
pub struct ValidQuery<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for ValidQuery<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, AppError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| ValidQuery(value))
            .map_err(|e| AppError::bad_request(e.body_text()))
    }
}

/// A JSON body whose decoding errors are 400s naming the path of the bad field.
pub struct ValidJson<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for ValidJson<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, AppError> {
        let bytes = bytes::Bytes::from_request(req, state)
            .await
            .map_err(|e| match e.status() {
                StatusCode::PAYLOAD_TOO_LARGE => {
                    AppError::PayloadTooLarge(crate::limits::MAX_BODY_BYTES)
                }
                _ => AppError::bad_request(e.body_text()),
            })?;
        decode_body(&bytes).map(ValidJson)
    }
}

/// Decodes a JSON request body: a 400 naming the path of the bad field when it does not
/// decode, or when anything but whitespace follows the value.
pub(crate) fn decode_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    // A body that decodes (the common case) is read by serde_json alone, which also
    // refuses anything after the value. Only a body that fails is read again with
    // serde_path_to_error, to name the field: tracking the path of every field nearly
    // doubled the time a 10-line draft took to read and decode.
    serde_json::from_slice(bytes).map_err(|error| bad_body::<T>(bytes, &error))
}

/// The 400 for a body that serde_json refused with `error`: the path of the field where
/// decoding stopped, and why. When the value itself decodes (what follows it is the
/// fault, such as a second value) the path is the root, `.`.
fn bad_body<T: serde::de::DeserializeOwned>(bytes: &[u8], error: &serde_json::Error) -> AppError {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let (field, message) = match serde_path_to_error::deserialize::<_, T>(de) {
        Err(e) => (e.path().to_string(), e.inner().to_string()),
        Ok(_) => (".".to_owned(), error.to_string()),
    };
    AppError::BadRequest {
        message: "invalid request body".to_owned(),
        details: vec![ErrorDetail {
            field,
            message,
            path: None,
        }],
    }
}
