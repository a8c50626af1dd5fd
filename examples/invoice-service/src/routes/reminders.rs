//! `/reminders`: messages people schedule for a local time in a time zone, about an
//! invoice or anything else; rescheduled, redirected or cancelled until they are sent.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDateTime, Utc};
use invoice_core::reminder::{Reminder, ReminderAbout, ReminderStatus};
use invoice_core::schedule::Tz;
use invoice_core::{InvoiceId, ReminderId};
use invoice_storage::ReminderQuery;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::invoices::if_match;
use super::new_id;
use crate::auth::Tenant;
use crate::error::{AppError, ValidJson, ValidQuery};
use crate::AppState;

/// What a reminder is about: an invoice of the tenant's, or a topic in words.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum AboutBody {
    /// An invoice's id.
    Invoice(Uuid),
    /// Anything else.
    Topic(String),
}

/// A new reminder.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "about": {"topic": "Quarterly VAT return"},
    "recipient": "finance@acme.example",
    "subject": "VAT return due",
    "body": "File the Q1 return today.",
    "at": "2027-04-10T09:00:00",
    "time_zone": "Europe/Berlin"
}))]
pub struct CreateReminder {
    /// What it is about.
    about: AboutBody,
    /// Whom it goes to.
    recipient: String,
    /// A second address it also goes to.
    secondary: Option<String>,
    /// The mail's subject (at most 200 characters).
    subject: String,
    /// The mail's text (at most 10 000 characters).
    body: String,
    /// The local time it is due, in `time_zone`; it must be in the future.
    #[schema(value_type = String, example = "2027-04-10T09:00:00")]
    at: NaiveDateTime,
    /// An IANA time zone.
    #[schema(value_type = String, example = "Europe/Berlin")]
    time_zone: Tz,
}

/// A new time.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleBody {
    /// The local time, in the future.
    #[schema(value_type = String, example = "2027-04-11T09:00:00")]
    at: NaiveDateTime,
    /// An IANA time zone.
    #[schema(value_type = String, example = "Europe/Berlin")]
    time_zone: Tz,
}

/// New addresses.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecipientBody {
    /// Whom it goes to.
    recipient: String,
    /// A second address it also goes to; absent: none.
    secondary: Option<String>,
}

/// A reminder as the API returns it (with its `ETag`): id, about, recipient, secondary,
/// subject, body, local_time, time_zone, due_at, status, attempts, last_error, sent_at,
/// version.
fn view(reminder: Reminder, status: StatusCode) -> Response {
    let version = reminder.version();
    super::with_etag((status, Json(reminder)).into_response(), version)
}

fn parse_id(id: &str) -> Result<ReminderId, AppError> {
    Uuid::parse_str(id)
        .map(ReminderId::from_uuid)
        .map_err(|_| AppError::NotFound(format!("reminder {id} not found")))
}

/// A command its status refuses is a conflict, not bad input.
fn state_conflict(e: invoice_core::Error) -> AppError {
    match e {
        invoice_core::Error::InvalidReminder(message) => AppError::Conflict(message),
        other => other.into(),
    }
}

/// Applies `command` to the tenant's reminder at the `If-Match` version (when given) and
/// writes it back.
async fn change(
    state: &AppState,
    tenant: &invoice_core::TenantId,
    id: &str,
    headers: &HeaderMap,
    command: impl FnOnce(&mut Reminder) -> invoice_core::Result<()>,
) -> Result<Response, AppError> {
    let expected = if_match(headers)?;
    let mut reminder = state.reminders.get(tenant, parse_id(id)?).await?;
    let version = reminder.version();
    if let Some(v) = expected.filter(|v| *v != version) {
        return Err(AppError::PreconditionFailed(format!(
            "reminder is at version {version}, not {v}"
        )));
    }
    command(&mut reminder).map_err(state_conflict)?;
    state.reminders.update(&reminder, version).await?;
    Ok(view(reminder, StatusCode::OK))
}

/// Schedules a reminder.
#[utoipa::path(post, path = "/reminders", request_body = CreateReminder, responses((status = 201, description = "The scheduled reminder; the ETag is its version", body = Object), (status = 400, description = "A time in the past or skipped by the zone, a malformed address, a blank subject or body", body = crate::error::ErrorResponse), (status = 404, description = "No such invoice for this tenant", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    ValidJson(body): ValidJson<CreateReminder>,
) -> Result<Response, AppError> {
    let about = match body.about {
        AboutBody::Invoice(id) => {
            let id = InvoiceId::from_uuid(id);
            // Only an invoice the tenant has.
            state.invoices.get(&tenant, id).await?;
            ReminderAbout::Invoice(id)
        }
        AboutBody::Topic(topic) => ReminderAbout::Topic(topic),
    };
    let mut reminder = Reminder::new(
        ReminderId::from_uuid(new_id()),
        tenant,
        about,
        body.recipient,
        body.subject,
        body.body,
        body.at,
        body.time_zone,
        Utc::now(),
    )?;
    if let Some(second) = body.secondary {
        reminder = reminder.with_secondary(second)?;
    }
    state.reminders.create(&reminder).await?;
    Ok(view(reminder, StatusCode::CREATED))
}

/// One reminder.
#[utoipa::path(get, path = "/reminders/{id}", params(("id" = Uuid, Path, description = "The reminder's id")), responses((status = 200, description = "The reminder; the ETag is its version", body = Object), (status = 404, description = "No such reminder for this tenant", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let reminder = state.reminders.get(&tenant, parse_id(&id)?).await?;
    Ok(view(reminder, StatusCode::OK))
}

/// Moves a scheduled reminder to another time.
#[utoipa::path(post, path = "/reminders/{id}/reschedule", params(("id" = Uuid, Path, description = "The reminder's id"), ("If-Match" = Option<String>, Header, description = "The version the change is based on")), request_body = RescheduleBody, responses((status = 200, description = "The rescheduled reminder", body = Object), (status = 400, description = "A time in the past or skipped by the zone", body = crate::error::ErrorResponse), (status = 404, description = "No such reminder for this tenant", body = crate::error::ErrorResponse), (status = 409, description = "It is no longer scheduled (sent, failed or cancelled)", body = crate::error::ErrorResponse), (status = 412, description = "It is not at the If-Match version", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn reschedule(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
    headers: HeaderMap,
    ValidJson(body): ValidJson<RescheduleBody>,
) -> Result<Response, AppError> {
    change(&state, &tenant, &id, &headers, |r| {
        r.reschedule(body.at, body.time_zone, Utc::now())
    })
    .await
}

/// Sends a scheduled reminder to other addresses.
#[utoipa::path(post, path = "/reminders/{id}/recipient", params(("id" = Uuid, Path, description = "The reminder's id"), ("If-Match" = Option<String>, Header, description = "The version the change is based on")), request_body = RecipientBody, responses((status = 200, description = "The redirected reminder", body = Object), (status = 400, description = "A malformed address", body = crate::error::ErrorResponse), (status = 404, description = "No such reminder for this tenant", body = crate::error::ErrorResponse), (status = 409, description = "It is no longer scheduled", body = crate::error::ErrorResponse), (status = 412, description = "It is not at the If-Match version", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn redirect(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
    headers: HeaderMap,
    ValidJson(body): ValidJson<RecipientBody>,
) -> Result<Response, AppError> {
    change(&state, &tenant, &id, &headers, |r| {
        r.redirect(body.recipient, body.secondary)
    })
    .await
}

/// Cancels a scheduled reminder for good.
#[utoipa::path(post, path = "/reminders/{id}/cancel", params(("id" = Uuid, Path, description = "The reminder's id"), ("If-Match" = Option<String>, Header, description = "The version the change is based on")), responses((status = 200, description = "The cancelled reminder", body = Object), (status = 404, description = "No such reminder for this tenant", body = crate::error::ErrorResponse), (status = 409, description = "It is no longer scheduled", body = crate::error::ErrorResponse), (status = 412, description = "It is not at the If-Match version", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn cancel(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    change(&state, &tenant, &id, &headers, Reminder::cancel).await
}

/// `DELETE` cancels: the reminder is kept, cancelled, as a record of what was planned.
#[utoipa::path(delete, path = "/reminders/{id}", params(("id" = Uuid, Path, description = "The reminder's id"), ("If-Match" = Option<String>, Header, description = "The version the change is based on")), responses((status = 204, description = "Cancelled (kept)"), (status = 404, description = "No such reminder for this tenant", body = crate::error::ErrorResponse), (status = 409, description = "It is no longer scheduled", body = crate::error::ErrorResponse), (status = 412, description = "It is not at the If-Match version", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn delete(
    state: State<AppState>,
    tenant: Tenant,
    id: Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, AppError> {
    cancel(state, tenant, id, headers).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `?status=&from=&to=&size=&after=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// `scheduled`, `sent`, `cancelled` or `failed`.
    status: Option<String>,
    /// Due at or after this instant (RFC 3339).
    from: Option<DateTime<Utc>>,
    /// Due at or before this instant (RFC 3339).
    to: Option<DateTime<Utc>>,
    /// Page size, 1 to 1000 (default 50).
    size: Option<u32>,
    /// The `next_cursor` of the previous page.
    after: Option<String>,
}

/// A page of reminders.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderPageView {
    /// The reminders, by due time.
    #[schema(value_type = Vec<Object>)]
    content: Vec<Reminder>,
    /// Pass as `after` for the next page; absent on the last.
    next_cursor: Option<String>,
}

/// The tenant's reminders by due time, a page at a time.
#[utoipa::path(get, path = "/reminders", params(ListParams), responses((status = 200, description = "A page of reminders by due time", body = ReminderPageView), (status = 400, description = "An unknown status, a bad range, size or cursor", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    ValidQuery(params): ValidQuery<ListParams>,
) -> Result<Json<ReminderPageView>, AppError> {
    let mut query = ReminderQuery::new().due_between(params.from, params.to);
    if let Some(status) = params.status {
        query = query.status(ReminderStatus::parse(&status).ok_or_else(|| {
            AppError::bad_request("status must be scheduled, sent, cancelled or failed")
        })?);
    }
    if let Some(size) = params.size {
        query = query.size(size);
    }
    if let Some(after) = params.after {
        query = query.after(&after)?;
    }
    let page = state.reminders.list(&tenant, &query).await?;
    Ok(Json(ReminderPageView {
        content: page.items,
        next_cursor: page.next_cursor,
    }))
}
