//! `/schedules`: recurring invoices. A schedule is a template, a rule and whether its
//! invoices are issued as they are made; the service's generator makes each period's
//! invoice once (see `SCHEDULE_INTERVAL`).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use invoice_core::schedule::{
    InvoiceTemplate, Occurrence, Schedule, ScheduleRule, ScheduleStatus, ScheduleUpdate,
};
use invoice_core::ScheduleId;
use invoice_storage::ScheduleQuery;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::invoices::if_match;
use super::new_id;
use crate::auth::Tenant;
use crate::error::{AppError, ValidJson, ValidQuery};
use crate::AppState;

/// How many upcoming occurrences a schedule is shown with.
const SHOWN_OCCURRENCES: usize = 3;

/// The most occurrences a preview lists.
const MAX_PREVIEW: u32 = 100;

/// A new schedule.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Monthly retainer",
    "template": {
        "currency": "EUR",
        "seller": {"name": "Muster GmbH", "vat_id": "DE123456789",
                   "address": {"lines": ["Hauptstr. 1"], "city": "Berlin", "postal_code": "10115", "country": "DE"}},
        "buyer": {"name": "Kunde AG",
                  "address": {"city": "Hamburg", "postal_code": "20095", "country": "DE"}},
        "lines": [{"id": "1", "name": "Retainer", "quantity": "1", "unit": "C62", "price": "500.00",
                   "vat": {"category": "S", "rate": "19"}}],
        "due_after_days": 14
    },
    "rule": {
        "recurrence": {"every_unit": "monthly", "every": 1, "day": "last"},
        "start": "2027-01-01", "end": "never", "time_zone": "Europe/Berlin"
    },
    "auto_issue": true
}))]
pub struct CreateSchedule {
    /// A name people recognise it by (at most 200 characters).
    name: String,
    /// What each invoice contains: currency, seller, buyer, lines, and optionally
    /// `client`, `buyer_reference`, `payment_terms`, `payment_means`,
    /// `allowances_charges`, `due_after_days` (due date = occurrence + days) and
    /// `series` (number format when issued).
    #[schema(value_type = Object)]
    template: InvoiceTemplate,
    /// When invoices fall: `recurrence` (`{"every_unit": "weekly", "every": N}` or
    /// `{"every_unit": "monthly", "every": N, "day": {"day": 1..31} | "last"}`; every 3
    /// months is quarterly, 12 yearly), `start`, `end` (`"never"`, `{"on": DATE}` or
    /// `{"after": COUNT}`) and `time_zone` (IANA name).
    #[schema(value_type = Object)]
    rule: ScheduleRule,
    /// Whether each invoice is issued as it is made (default: left as a draft).
    #[serde(default)]
    auto_issue: bool,
}

/// An occurrence: its period number, its date and when it falls due.
#[derive(Debug, Serialize, ToSchema)]
pub struct OccurrenceView {
    /// 0 for the first occurrence.
    period: u32,
    /// Its date in the schedule's time zone.
    date: NaiveDate,
    /// The instant its invoice is made (the start of its date in the schedule's zone).
    due_at: Option<DateTime<Utc>>,
}

fn occurrence_view(schedule: &Schedule, o: Occurrence) -> OccurrenceView {
    OccurrenceView {
        period: o.period,
        date: o.date,
        due_at: schedule.rule().day_starts_at(o.date),
    }
}

/// A schedule as the API returns it, with its next occurrences.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduleView {
    /// The schedule: id, name, template, rule, auto_issue, status, last_period,
    /// resumed_on, version.
    #[schema(value_type = Object)]
    schedule: Schedule,
    /// The next occurrences still to generate (up to three).
    next: Vec<OccurrenceView>,
}

fn view_of(schedule: Schedule) -> ScheduleView {
    let next = schedule
        .upcoming(SHOWN_OCCURRENCES)
        .into_iter()
        .map(|o| occurrence_view(&schedule, o))
        .collect();
    ScheduleView { schedule, next }
}

fn view(schedule: Schedule, status: StatusCode) -> Response {
    let version = schedule.version();
    super::with_etag((status, Json(view_of(schedule))).into_response(), version)
}

fn parse_id(id: &str) -> Result<ScheduleId, AppError> {
    Uuid::parse_str(id)
        .map(ScheduleId::from_uuid)
        .map_err(|_| AppError::NotFound(format!("schedule {id} not found")))
}

/// A status change the schedule's state refuses is a conflict, not bad input.
fn state_conflict(e: invoice_storage::Error) -> AppError {
    match e {
        invoice_storage::Error::Domain(domain @ invoice_core::Error::InvalidSchedule(_)) => {
            AppError::Conflict(domain.to_string())
        }
        other => other.into(),
    }
}

/// Creates a schedule; its first invoice is made when its first occurrence falls due.
#[utoipa::path(post, path = "/schedules", request_body = CreateSchedule, responses((status = 201, description = "The schedule with its next occurrences", body = ScheduleView), (status = 400, description = "An invalid rule or template (interval 0, a day outside 1 to 31, a template without lines, ...)", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    ValidJson(body): ValidJson<CreateSchedule>,
) -> Result<Response, AppError> {
    crate::limits::check_lines(body.template.lines.len())?;
    let schedule = Schedule::new(
        ScheduleId::from_uuid(new_id()),
        tenant,
        body.name,
        body.template,
        body.rule,
        body.auto_issue,
    )?;
    state.schedules.create(&schedule).await?;
    Ok(view(schedule, StatusCode::CREATED))
}

/// One schedule.
#[utoipa::path(get, path = "/schedules/{id}", params(("id" = Uuid, Path, description = "The schedule's id")), responses((status = 200, description = "The schedule with its next occurrences; the ETag is its version", body = ScheduleView), (status = 404, description = "No such schedule for this tenant", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let schedule = state.schedules.get(&tenant, parse_id(&id)?).await?;
    Ok(view(schedule, StatusCode::OK))
}

/// Changes a schedule: only the fields given change.
#[utoipa::path(patch, path = "/schedules/{id}", params(("id" = Uuid, Path, description = "The schedule's id"), ("If-Match" = Option<String>, Header, description = "The version the change is based on (\"3\"); 412 when the schedule has moved on")), request_body(content = Object, description = "Any of `name`, `template`, `rule`, `auto_issue`, as in the creation. Once an invoice was generated only the rule's end may change."), responses((status = 200, description = "The changed schedule", body = ScheduleView), (status = 400, description = "An invalid change", body = crate::error::ErrorResponse), (status = 404, description = "No such schedule for this tenant", body = crate::error::ErrorResponse), (status = 409, description = "The schedule is cancelled", body = crate::error::ErrorResponse), (status = 412, description = "The schedule is not at the If-Match version", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn patch(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
    headers: HeaderMap,
    ValidJson(update): ValidJson<ScheduleUpdate>,
) -> Result<Response, AppError> {
    if let Some(template) = &update.template {
        crate::limits::check_lines(template.lines.len())?;
    }
    let expected = if_match(&headers)?;
    let mut schedule = state.schedules.get(&tenant, parse_id(&id)?).await?;
    let version = schedule.version();
    if let Some(v) = expected.filter(|v| *v != version) {
        return Err(AppError::PreconditionFailed(format!(
            "schedule is at version {version}, not {v}"
        )));
    }
    if schedule.status() == ScheduleStatus::Cancelled {
        return Err(AppError::Conflict(
            "a cancelled schedule cannot change".to_owned(),
        ));
    }
    schedule.update(update)?;
    state.schedules.update(&schedule, version).await?;
    Ok(view(schedule, StatusCode::OK))
}

/// Pauses a schedule: nothing is generated until it is resumed, and the occurrences
/// that fall meanwhile are skipped.
#[utoipa::path(post, path = "/schedules/{id}/pause", params(("id" = Uuid, Path, description = "The schedule's id"), ("If-Match" = Option<String>, Header, description = "The version the change is based on")), responses((status = 200, description = "The paused schedule", body = ScheduleView), (status = 404, description = "No such schedule for this tenant", body = crate::error::ErrorResponse), (status = 409, description = "It is not active", body = crate::error::ErrorResponse), (status = 412, description = "It is not at the If-Match version", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn pause(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let expected = if_match(&headers)?;
    let schedule = state
        .schedules
        .pause(&tenant, parse_id(&id)?, expected)
        .await
        .map_err(state_conflict)?;
    Ok(view(schedule, StatusCode::OK))
}

/// Resumes a paused schedule from today (in its time zone).
#[utoipa::path(post, path = "/schedules/{id}/resume", params(("id" = Uuid, Path, description = "The schedule's id"), ("If-Match" = Option<String>, Header, description = "The version the change is based on")), responses((status = 200, description = "The active schedule", body = ScheduleView), (status = 404, description = "No such schedule for this tenant", body = crate::error::ErrorResponse), (status = 409, description = "It is not paused", body = crate::error::ErrorResponse), (status = 412, description = "It is not at the If-Match version", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn resume(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let expected = if_match(&headers)?;
    let schedule = state
        .schedules
        .resume(&tenant, parse_id(&id)?, Utc::now(), expected)
        .await
        .map_err(state_conflict)?;
    Ok(view(schedule, StatusCode::OK))
}

/// Cancels a schedule for good. Its generated invoices stay.
#[utoipa::path(post, path = "/schedules/{id}/cancel", params(("id" = Uuid, Path, description = "The schedule's id"), ("If-Match" = Option<String>, Header, description = "The version the change is based on")), responses((status = 200, description = "The cancelled schedule", body = ScheduleView), (status = 404, description = "No such schedule for this tenant", body = crate::error::ErrorResponse), (status = 409, description = "It is already cancelled", body = crate::error::ErrorResponse), (status = 412, description = "It is not at the If-Match version", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn cancel(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let expected = if_match(&headers)?;
    let schedule = state
        .schedules
        .cancel(&tenant, parse_id(&id)?, expected)
        .await
        .map_err(state_conflict)?;
    Ok(view(schedule, StatusCode::OK))
}

/// `DELETE` cancels: a schedule is kept, since the invoices it made name it.
#[utoipa::path(delete, path = "/schedules/{id}", params(("id" = Uuid, Path, description = "The schedule's id"), ("If-Match" = Option<String>, Header, description = "The version the change is based on")), responses((status = 204, description = "Cancelled (kept, with the invoices it made)"), (status = 404, description = "No such schedule for this tenant", body = crate::error::ErrorResponse), (status = 409, description = "It is already cancelled", body = crate::error::ErrorResponse), (status = 412, description = "It is not at the If-Match version", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn delete(
    state: State<AppState>,
    tenant: Tenant,
    id: Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, AppError> {
    cancel(state, tenant, id, headers).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `?count=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PreviewParams {
    /// How many occurrences (1 to 100, default 12).
    count: Option<u32>,
}

/// The next occurrences still to generate, with the date and due time of each.
#[utoipa::path(get, path = "/schedules/{id}/preview", params(("id" = Uuid, Path, description = "The schedule's id"), PreviewParams), responses((status = 200, description = "The upcoming occurrences, oldest first (none once cancelled or ended)", body = Vec<OccurrenceView>), (status = 400, description = "A count outside 1 to 100", body = crate::error::ErrorResponse), (status = 404, description = "No such schedule for this tenant", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn preview(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
    ValidQuery(params): ValidQuery<PreviewParams>,
) -> Result<Json<Vec<OccurrenceView>>, AppError> {
    let count = params.count.unwrap_or(12);
    if !(1..=MAX_PREVIEW).contains(&count) {
        return Err(AppError::bad_request(format!(
            "count must be 1 to {MAX_PREVIEW}"
        )));
    }
    let schedule = state.schedules.get(&tenant, parse_id(&id)?).await?;
    let upcoming = schedule.upcoming(count as usize);
    Ok(Json(
        upcoming
            .into_iter()
            .map(|o| occurrence_view(&schedule, o))
            .collect(),
    ))
}

/// `?status=&size=&after=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// `active`, `paused` or `cancelled`.
    status: Option<String>,
    /// Page size, 1 to 1000 (default 50).
    size: Option<u32>,
    /// The `next_cursor` of the previous page.
    after: Option<String>,
}

/// A page of schedules.
#[derive(Debug, Serialize, ToSchema)]
pub struct SchedulePageView {
    /// The schedules, in id order.
    content: Vec<ScheduleView>,
    /// Pass as `after` for the next page; absent on the last.
    next_cursor: Option<String>,
}

/// The tenant's schedules, a page at a time.
#[utoipa::path(get, path = "/schedules", params(ListParams), responses((status = 200, description = "A page of schedules", body = SchedulePageView), (status = 400, description = "An unknown status, a bad size or cursor", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    ValidQuery(params): ValidQuery<ListParams>,
) -> Result<Json<SchedulePageView>, AppError> {
    let mut query = ScheduleQuery::new();
    if let Some(status) = params.status {
        query =
            query.status(ScheduleStatus::parse(&status).ok_or_else(|| {
                AppError::bad_request("status must be active, paused or cancelled")
            })?);
    }
    if let Some(size) = params.size {
        query = query.size(size);
    }
    if let Some(after) = params.after {
        let id = Uuid::parse_str(&after)
            .map_err(|_| AppError::bad_request("after must be a next_cursor of this listing"))?;
        query = query.after(ScheduleId::from_uuid(id));
    }
    let page = state.schedules.list(&tenant, &query).await?;
    Ok(Json(SchedulePageView {
        content: page.items.into_iter().map(view_of).collect(),
        next_cursor: page.next_cursor,
    }))
}
