//! `/reports`: receivables aging, revenue and the VAT summary of the token's tenant,
//! computed by the store where the invoices are, as JSON or Excel-safe CSV (`.csv`).

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{Datelike, NaiveDate};
use invoice_core::reports::{Period, RevenueGrouping};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Tenant;
use crate::error::{AppError, ValidQuery};
use crate::AppState;

/// `?as_of=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AgingParams {
    /// The date the report is for (years 1900 to 9999).
    as_of: NaiveDate,
}

/// `?from=&to=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RangeParams {
    /// The first issue date counted.
    from: NaiveDate,
    /// The last issue date counted (on or after `from`).
    to: NaiveDate,
}

/// What revenue is grouped by.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum By {
    /// Calendar days.
    Day,
    /// Calendar months.
    Month,
    /// Calendar quarters.
    Quarter,
    /// Calendar years.
    Year,
    /// Clients.
    Client,
}

/// `?from=&to=&by=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RevenueParams {
    /// The first issue date counted.
    from: NaiveDate,
    /// The last issue date counted (on or after `from`).
    to: NaiveDate,
    /// `day`, `month`, `quarter`, `year` or `client`.
    #[param(inline)]
    by: By,
}

/// A date the stores can hold: years 1900 to 9999.
fn checked(date: NaiveDate, name: &str) -> Result<NaiveDate, AppError> {
    if (1900..=9999).contains(&date.year()) {
        Ok(date)
    } else {
        Err(AppError::bad_request(format!(
            "{name} {date}: expected a year from 1900 to 9999"
        )))
    }
}

fn range(from: NaiveDate, to: NaiveDate) -> Result<(NaiveDate, NaiveDate), AppError> {
    let (from, to) = (checked(from, "from")?, checked(to, "to")?);
    if from > to {
        return Err(AppError::bad_request(format!(
            "from {from} is after to {to}"
        )));
    }
    Ok((from, to))
}

fn csv(body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response()
}

fn options() -> invoice_export::CsvOptions {
    invoice_export::CsvOptions::default()
}

/// Receivables aging as of a date: what is due on open invoices, per client and currency
/// and in total per currency, by days past due (not due, 1–30, 31–60, 61–90, over 90).
#[utoipa::path(get, path = "/reports/aging", params(AgingParams), responses((status = 200, description = "The aging report: as_of, rows (client, currency, amounts), totals (currency, amounts); amounts are decimal strings", body = Object)), security(("bearer" = [])))]
pub async fn aging(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    ValidQuery(query): ValidQuery<AgingParams>,
) -> Result<Response, AppError> {
    let as_of = checked(query.as_of, "as_of")?;
    Ok(Json(state.reports.aging(&tenant, as_of).await?).into_response())
}

/// The aging report as CSV (`scope`, `client`, `currency`, the five buckets, `total`).
#[utoipa::path(get, path = "/reports/aging.csv", params(AgingParams), responses((status = 200, description = "One row per client and currency, then a total row per currency", content_type = "text/csv", body = String)), security(("bearer" = [])))]
pub async fn aging_csv(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    ValidQuery(query): ValidQuery<AgingParams>,
) -> Result<Response, AppError> {
    let as_of = checked(query.as_of, "as_of")?;
    let report = state.reports.aging(&tenant, as_of).await?;
    Ok(csv(invoice_export::write_aging(
        Vec::new(),
        &report,
        &options(),
    )?))
}

fn grouping(by: By) -> RevenueGrouping {
    match by {
        By::Day => RevenueGrouping::Period(Period::Day),
        By::Month => RevenueGrouping::Period(Period::Month),
        By::Quarter => RevenueGrouping::Period(Period::Quarter),
        By::Year => RevenueGrouping::Period(Period::Year),
        By::Client => RevenueGrouping::Client,
    }
}

/// Revenue of the documents issued in a range, per period or client and currency: net
/// and gross, invoices minus credit notes.
#[utoipa::path(get, path = "/reports/revenue", params(RevenueParams), responses((status = 200, description = "Rows of key (a period's first day or a client), currency, net, gross, documents", body = Vec<Object>)), security(("bearer" = [])))]
pub async fn revenue(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    ValidQuery(p): ValidQuery<RevenueParams>,
) -> Result<Response, AppError> {
    let (from, to) = range(p.from, p.to)?;
    let rows = state
        .reports
        .revenue(&tenant, from, to, grouping(p.by))
        .await?;
    Ok(Json(rows).into_response())
}

/// Revenue as CSV (`key`, `currency`, `net`, `gross`, `documents`).
#[utoipa::path(get, path = "/reports/revenue.csv", params(RevenueParams), responses((status = 200, description = "One row per group and currency", content_type = "text/csv", body = String)), security(("bearer" = [])))]
pub async fn revenue_csv(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    ValidQuery(p): ValidQuery<RevenueParams>,
) -> Result<Response, AppError> {
    let (from, to) = range(p.from, p.to)?;
    let rows = state
        .reports
        .revenue(&tenant, from, to, grouping(p.by))
        .await?;
    Ok(csv(invoice_export::write_revenue(
        Vec::new(),
        &rows,
        &options(),
    )?))
}

/// The VAT summary of the documents issued in a range, per currency, category and rate,
/// credit notes netted, as a VAT return needs it.
#[utoipa::path(get, path = "/reports/vat", params(RangeParams), responses((status = 200, description = "Rows of currency, category, rate, taxable, tax", body = Vec<Object>)), security(("bearer" = [])))]
pub async fn vat(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    ValidQuery(p): ValidQuery<RangeParams>,
) -> Result<Response, AppError> {
    let (from, to) = range(p.from, p.to)?;
    Ok(Json(state.reports.vat_summary(&tenant, from, to).await?).into_response())
}

/// The VAT summary as CSV (`currency`, `category`, `rate`, `taxable`, `tax`).
#[utoipa::path(get, path = "/reports/vat.csv", params(RangeParams), responses((status = 200, description = "One row per currency, category and rate", content_type = "text/csv", body = String)), security(("bearer" = [])))]
pub async fn vat_csv(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    ValidQuery(p): ValidQuery<RangeParams>,
) -> Result<Response, AppError> {
    let (from, to) = range(p.from, p.to)?;
    let rows = state.reports.vat_summary(&tenant, from, to).await?;
    Ok(csv(invoice_export::write_vat_summary(
        Vec::new(),
        &rows,
        &options(),
    )?))
}
