//! `/invoices`: drafts, previews, edits, listing, issue, payments, credit notes, notes,
//! exports, archiving and event history.

use std::fmt::Write as _;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{NaiveDate, Utc};
use invoice_core::{
    AllowanceCharge, ClientId, Currency, Invoice, InvoiceBuilder, InvoiceId, InvoicePatch,
    InvoiceStatus, LineItem, Note, NoteId, Party, Payment, PaymentId,
};
use invoice_storage::{
    body_from_bytes, DocumentKey, InvoiceQuery, IssueRequest, PageRequest, PutOptions, StorageClass,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{envelopes, new_id};
use crate::auth::Tenant;
use crate::error::{AppError, ValidJson, ValidQuery};
use crate::AppState;

/// A new draft.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "currency": "EUR",
    "seller": {"name": "Muster GmbH", "vat_id": "DE123456789",
               "address": {"lines": ["Hauptstr. 1"], "city": "Berlin", "postal_code": "10115", "country": "DE"}},
    "buyer": {"name": "Kunde AG", "email": "ap@kunde.example",
              "address": {"city": "Hamburg", "postal_code": "20095", "country": "DE"}},
    "due_date": "2027-01-31",
    "lines": [
        {"id": "1", "name": "Consulting", "quantity": "10", "unit": "HUR", "price": "90.00",
         "vat": {"category": "S", "rate": "19"}}
    ]
}))]
pub struct CreateInvoice {
    /// The client record; when `buyer` is absent, the buyer comes from it.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub client_id: Option<ClientId>,
    /// ISO 4217 code.
    #[schema(value_type = String, example = "EUR")]
    pub currency: Currency,
    /// The seller (BG-4).
    #[schema(value_type = Object)]
    pub seller: Party,
    /// The buyer (BG-7).
    #[schema(value_type = Option<Object>)]
    pub buyer: Option<Party>,
    /// Due date (BT-9).
    pub due_date: Option<NaiveDate>,
    /// Buyer reference (BT-10).
    pub buyer_reference: Option<String>,
    /// Payment terms (BT-20).
    pub payment_terms: Option<String>,
    /// Lines (BG-25).
    #[schema(value_type = Vec<Object>)]
    #[serde(default)]
    pub lines: Vec<LineItem>,
    /// Document allowances and charges.
    #[schema(value_type = Vec<Object>)]
    #[serde(default)]
    pub allowances_charges: Vec<AllowanceCharge>,
}

/// A partial update: only the fields present change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchInvoice {
    #[schema(value_type = Option<Object>)]
    seller: Option<Party>,
    #[schema(value_type = Option<Object>)]
    buyer: Option<Party>,
    due_date: Option<NaiveDate>,
    buyer_reference: Option<String>,
    payment_terms: Option<String>,
    #[schema(value_type = Option<Vec<Object>>)]
    lines: Option<Vec<LineItem>>,
    #[schema(value_type = Option<Vec<Object>>)]
    allowances_charges: Option<Vec<AllowanceCharge>>,
}

/// An invoice as the API returns it: the model plus its derived totals. The document
/// is [`InvoiceJson`](invoice_storage::InvoiceJson)'s, written in one pass (the
/// handlers send that); this struct only describes it for the OpenAPI document.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct InvoiceView {
    /// The invoice.
    #[schema(value_type = Object)]
    invoice: Invoice,
    /// Its EN 16931 totals.
    #[schema(value_type = Object)]
    totals: invoice_core::Totals,
    /// What is still due.
    #[schema(value_type = String)]
    amount_due: invoice_core::Decimal,
}

/// The answer with `invoice` and its totals (computed once), tagged with its version.
fn view(invoice: Invoice) -> Result<Response, AppError> {
    json_response(invoice_storage::InvoiceJson::of(&invoice)?)
}

/// An invoice's document as the answer, with its version as the `ETag`.
fn json_response(json: invoice_storage::InvoiceJson) -> Result<Response, AppError> {
    let version = json.version();
    let response = (
        [(header::CONTENT_TYPE, "application/json")],
        json.into_string(),
    )
        .into_response();
    Ok(super::with_etag(response, version))
}

/// The version an `If-Match` header names, if any.
pub(crate) fn if_match(headers: &HeaderMap) -> Result<Option<u64>, AppError> {
    match headers.get(header::IF_MATCH) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .ok()
            .map(|s| s.trim().trim_start_matches("W/").trim_matches('"'))
            .and_then(|s| s.parse().ok())
            .map(Some)
            .ok_or_else(|| AppError::bad_request("If-Match must be a version such as \"3\"")),
    }
}

fn check_version(invoice: &Invoice, expected: Option<u64>) -> Result<(), AppError> {
    match expected {
        Some(v) if v != invoice.version() => Err(AppError::PreconditionFailed(format!(
            "invoice is at version {}, not {v}",
            invoice.version()
        ))),
        _ => Ok(()),
    }
}

/// Creates a draft.
#[utoipa::path(post, path = "/invoices", request_body = CreateInvoice, responses((status = 201, description = "The draft", body = InvoiceView), (status = 404, description = "No such client for this tenant", body = crate::error::ErrorResponse), (status = 422, description = "The invoice breaks EN 16931 rules (rule ids in details)", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    ValidJson(body): ValidJson<CreateInvoice>,
) -> Result<Response, AppError> {
    let builder = draft_of(&state, tenant, body).await?;
    let (invoice, event) = Invoice::create(builder)?;
    let json = state
        .invoices
        .create_json(&invoice, &envelopes(&invoice, [event]))
        .await?;
    let mut response = json_response(json)?;
    *response.status_mut() = StatusCode::CREATED;
    Ok(response)
}

/// The builder of the draft `body` describes, the buyer read from the client record when
/// the body names a client and no buyer.
async fn draft_of(
    state: &AppState,
    tenant: invoice_core::TenantId,
    body: CreateInvoice,
) -> Result<InvoiceBuilder, AppError> {
    crate::limits::check_lines(body.lines.len())?;
    let buyer = match (body.buyer, body.client_id) {
        (Some(buyer), _) => buyer,
        (None, Some(client)) => state
            .clients
            .get(&tenant, client)
            .await?
            .to_party()
            .ok_or_else(|| AppError::bad_request("the client has no address; give a buyer"))?,
        (None, None) => return Err(AppError::bad_request("a buyer or a client_id is required")),
    };
    let mut builder = InvoiceBuilder::new(
        InvoiceId::from_uuid(new_id()),
        tenant,
        body.currency,
        body.seller,
        buyer,
    )
    .lines(body.lines);
    for ac in body.allowances_charges {
        builder = builder.allowance_charge(ac);
    }
    if let Some(client) = body.client_id {
        builder = builder.client(client);
    }
    if let Some(date) = body.due_date {
        builder = builder.due_date(date);
    }
    if let Some(r) = body.buyer_reference {
        builder = builder.buyer_reference(r);
    }
    if let Some(t) = body.payment_terms {
        builder = builder.payment_terms(t);
    }
    Ok(builder)
}

/// What an invoice would come to: its totals, and the EN 16931 rules it breaks as it
/// stands (a draft may break them; issuing it would be refused with these).
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoicePreview {
    #[schema(value_type = Object)]
    totals: invoice_core::Totals,
    /// What would be due.
    #[schema(value_type = String)]
    amount_due: invoice_core::Decimal,
    /// The rules broken: `field` is the rule id, `path` where in the invoice.
    violations: Vec<crate::error::ErrorDetail>,
}

/// Computes the totals of an invoice without storing anything: what a form shows while
/// a person types. The body is that of `POST /invoices`; the rules a draft may still
/// break come back as `violations`, not as an error.
#[utoipa::path(post, path = "/invoices/preview", request_body = CreateInvoice, responses((status = 200, description = "The totals and the rules broken", body = InvoicePreview), (status = 400, description = "The body is malformed, or its amounts cannot be computed (they overflow)", body = crate::error::ErrorResponse), (status = 404, description = "No such client for this tenant", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn preview(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    ValidJson(body): ValidJson<CreateInvoice>,
) -> Result<Json<InvoicePreview>, AppError> {
    let builder = draft_of(&state, tenant, body).await?;
    let (invoice, _) = Invoice::create(builder)?;
    let totals = invoice.totals()?;
    let amount_due = invoice.amount_due()?;
    let violations = invoice
        .validate()
        .iter()
        .map(|v| crate::error::ErrorDetail {
            field: v.rule().to_owned(),
            message: v.message().to_owned(),
            path: Some(v.path().to_owned()),
        })
        .collect();
    Ok(Json(InvoicePreview {
        totals,
        amount_due,
        violations,
    }))
}

/// One invoice.
#[utoipa::path(get, path = "/invoices/{id}", params(("id" = Uuid, Path, description = "The invoice's id")), responses((status = 200, description = "The invoice with its totals", body = InvoiceView), (status = 404, description = "No such invoice for this tenant", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    match id.split_once('.') {
        None => {
            // The store's document of the invoice and its totals is the `InvoiceView`
            // the other routes answer with; SQLite sends it on without decoding it.
            json_response(state.invoices.get_json(&tenant, parse_id(&id)?).await?)
        }
        Some((id, format)) => {
            let invoice = state.invoices.get(&tenant, parse_id(id)?).await?;
            export(&invoice, format, &headers)
        }
    }
}

/// The invoice as a PDF: a Factur-X (PDF/A-3b with its CII embedded) once issued, a plain
/// PDF marked as a draft before. Labels, amounts and dates follow the first language of
/// `Accept-Language` that has labels (en, de, fr; English otherwise).
///
/// Served by the same route as `GET /invoices/{id}`; this entry documents the `.pdf`
/// form.
#[utoipa::path(
    get,
    path = "/invoices/{id}.pdf",
    params(
        ("id" = Uuid, Path, description = "The invoice's id"),
        ("Accept-Language" = Option<String>, Header, description = "en, de or fr")
    ),
    responses(
        (status = 200, description = "Factur-X for an issued invoice, a draft PDF otherwise", content_type = "application/pdf", body = Vec<u8>),
        (status = 404, description = "No such invoice for this tenant", body = crate::error::ErrorResponse)
    ),
    security(("bearer" = []))
)]
pub async fn get_pdf() {}

/// The invoice's lines as CSV that Excel opens cleanly (UTF-8 with a byte order mark).
/// Served by the route of `GET /invoices/{id}`.
#[utoipa::path(
    get,
    path = "/invoices/{id}.csv",
    params(("id" = Uuid, Path, description = "The invoice's id")),
    responses(
        (status = 200, description = "One row per line", content_type = "text/csv", body = String),
        (status = 404, description = "No such invoice for this tenant", body = crate::error::ErrorResponse)
    ),
    security(("bearer" = []))
)]
pub async fn get_csv() {}

/// The invoice as JSON of the domain model (what the JSON importer reads back). Served by
/// the route of `GET /invoices/{id}`.
#[utoipa::path(
    get,
    path = "/invoices/{id}.json",
    params(("id" = Uuid, Path, description = "The invoice's id")),
    responses(
        (status = 200, description = "The invoice model", content_type = "application/json", body = Object),
        (status = 404, description = "No such invoice for this tenant", body = crate::error::ErrorResponse)
    ),
    security(("bearer" = []))
)]
pub async fn get_json() {}

/// The issued invoice as UBL 2.1 (Peppol BIS Billing 3.0). Served by the route of
/// `GET /invoices/{id}`.
#[utoipa::path(
    get,
    path = "/invoices/{id}.ubl",
    params(("id" = Uuid, Path, description = "The invoice's id")),
    responses(
        (status = 200, description = "UBL 2.1 Invoice or CreditNote", content_type = "application/xml", body = String),
        (status = 404, description = "No such invoice for this tenant", body = crate::error::ErrorResponse),
        (status = 409, description = "A draft: it has no number yet", body = crate::error::ErrorResponse),
        (status = 422, description = "The invoice holds what this syntax cannot carry", body = crate::error::ErrorResponse)
    ),
    security(("bearer" = []))
)]
pub async fn get_ubl() {}

/// The issued invoice as UN/CEFACT CII D16B (EN 16931). Served by the route of
/// `GET /invoices/{id}`.
#[utoipa::path(
    get,
    path = "/invoices/{id}.cii",
    params(("id" = Uuid, Path, description = "The invoice's id")),
    responses(
        (status = 200, description = "CII CrossIndustryInvoice", content_type = "application/xml", body = String),
        (status = 404, description = "No such invoice for this tenant", body = crate::error::ErrorResponse),
        (status = 409, description = "A draft: it has no number yet", body = crate::error::ErrorResponse),
        (status = 422, description = "The invoice holds what this syntax cannot carry", body = crate::error::ErrorResponse)
    ),
    security(("bearer" = []))
)]
pub async fn get_cii() {}

/// The locale of the first language in `Accept-Language` that has labels.
fn locale_of(headers: &HeaderMap) -> invoice_export::Locale {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .into_iter()
        .flat_map(|v| v.split(','))
        .filter_map(|tag| invoice_export::Locale::from_tag(tag.split(';').next()?.trim()))
        .next()
        .unwrap_or_default()
}

fn parse_id(id: &str) -> Result<InvoiceId, AppError> {
    id.parse().map_err(|_| AppError::BadRequest {
        message: "invalid invoice id".to_owned(),
        details: vec![crate::error::ErrorDetail {
            field: "id".to_owned(),
            message: format!("{id:?} is not a UUID"),
            path: None,
        }],
    })
}

fn export(invoice: &Invoice, format: &str, headers: &HeaderMap) -> Result<Response, AppError> {
    let (content_type, body) = match format {
        "pdf" => {
            let options = invoice_export::PdfOptions::new().locale(locale_of(headers));
            let mut out = Vec::new();
            if invoice.status() == invoice_core::InvoiceStatus::Draft {
                invoice_export::write_pdf(&mut out, invoice, &options)?;
            } else {
                invoice_export::write_facturx(&mut out, invoice, &options)?;
            }
            ("application/pdf", out)
        }
        "csv" => (
            "text/csv; charset=utf-8",
            invoice_export::write_invoice_lines(
                Vec::new(),
                invoice,
                &invoice_export::CsvOptions::default(),
            )?,
        ),
        "json" => ("application/json", json_of(invoice)?),
        "ubl" => (
            "application/xml",
            invoice_export::write_ubl(Vec::new(), invoice).map_err(not_exportable)?,
        ),
        "cii" => (
            "application/xml",
            invoice_export::write_cii(Vec::new(), invoice).map_err(not_exportable)?,
        ),
        other => {
            return Err(AppError::NotFound(format!(
                "no export format {other:?} (csv, json, pdf, ubl, cii)"
            )))
        }
    };
    Ok(([(header::CONTENT_TYPE, content_type)], body).into_response())
}

/// Why an invoice's UBL or CII cannot be written: a draft has no number or issue date yet
/// (409); content the syntax cannot carry, or amounts that cannot be totalled, is the
/// invoice's own (422, in words); anything else is the service's (500).
fn not_exportable(e: invoice_export::Error) -> AppError {
    use invoice_export::Error as E;
    match e {
        E::Incomplete { field } => AppError::Conflict(format!(
            "the invoice has no {field} yet: UBL and CII are written once it is issued"
        )),
        E::Invoice { .. } | E::InvalidValue { .. } => AppError::Unprocessable {
            message: format!("the invoice cannot be written in this syntax: {e}"),
            details: Vec::new(),
        },
        other => other.into(),
    }
}

fn json_of(invoice: &Invoice) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::new();
    invoice_export::write_invoice_json(&mut out, invoice)?;
    Ok(out)
}

/// Edits a draft. `If-Match: "<version>"` makes it conditional (412 when stale).
#[utoipa::path(patch, path = "/invoices/{id}", params(("id" = Uuid, Path, description = "The invoice's id"), ("If-Match" = Option<String>, Header, description = "The version the change is based on, as in the ETag (\"3\"); 412 when the invoice has moved on")), request_body = PatchInvoice, responses((status = 200, description = "The edited draft", body = InvoiceView), (status = 404, description = "No such invoice for this tenant", body = crate::error::ErrorResponse), (status = 409, description = "Only a draft can be edited", body = crate::error::ErrorResponse), (status = 412, description = "The invoice is not at the If-Match version", body = crate::error::ErrorResponse), (status = 422, description = "The edit breaks EN 16931 rules", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn patch(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
    headers: HeaderMap,
    ValidJson(body): ValidJson<PatchInvoice>,
) -> Result<Response, AppError> {
    let expected = if_match(&headers)?;
    let mut invoice = state.invoices.get(&tenant, parse_id(&id)?).await?;
    check_version(&invoice, expected)?;
    let read_version = invoice.version();
    let mut patch = InvoicePatch::new();
    if let Some(v) = body.seller {
        patch = patch.seller(v);
    }
    if let Some(v) = body.buyer {
        patch = patch.buyer(v);
    }
    if let Some(v) = body.due_date {
        patch = patch.due_date(Some(v));
    }
    if let Some(v) = body.buyer_reference {
        patch = patch.buyer_reference(Some(v));
    }
    if let Some(v) = body.payment_terms {
        patch = patch.payment_terms(Some(v));
    }
    if let Some(v) = body.lines {
        crate::limits::check_lines(v.len())?;
        patch = patch.lines(v);
    }
    if let Some(v) = body.allowances_charges {
        patch = patch.allowances_charges(v);
    }
    match invoice.update(patch)? {
        Some(event) => json_response(
            state
                .invoices
                .update_json(&invoice, read_version, &envelopes(&invoice, [event]))
                .await?,
        ),
        None => view(invoice),
    }
}

/// Deletes a draft.
#[utoipa::path(delete, path = "/invoices/{id}", params(("id" = Uuid, Path, description = "The invoice's id"), ("If-Match" = Option<String>, Header, description = "The version the change is based on, as in the ETag (\"3\"); 412 when the invoice has moved on")), responses((status = 204, description = "Deleted"), (status = 404, description = "No such invoice for this tenant", body = crate::error::ErrorResponse), (status = 409, description = "Only a draft can be deleted", body = crate::error::ErrorResponse), (status = 412, description = "The invoice is not at the If-Match version", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, AppError> {
    let expected = if_match(&headers)?;
    let mut invoice = state.invoices.get(&tenant, parse_id(&id)?).await?;
    check_version(&invoice, expected)?;
    let read_version = invoice.version();
    let event = invoice.delete()?;
    state
        .invoices
        .delete(
            &tenant,
            invoice.id(),
            read_version,
            &envelopes(&invoice, [event]),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `?page=0&size=10` and filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Zero-based page.
    #[serde(default)]
    #[param(minimum = 0, maximum = 1_000_000)]
    page: u32,
    /// Page size (1–1000).
    #[serde(default = "default_size")]
    #[param(minimum = 1, maximum = 1000)]
    size: u32,
    /// `draft`, `issued`, `partially_paid`, `paid`, `credited`.
    #[param(value_type = Option<String>)]
    status: Option<InvoiceStatus>,
    /// Only this client's invoices.
    #[param(value_type = Option<String>, format = Uuid)]
    client: Option<ClientId>,
    /// Number or buyer name contains this, ignoring case.
    q: Option<String>,
    /// Due strictly before this date.
    due_before: Option<NaiveDate>,
    /// Issued on or after.
    issued_from: Option<NaiveDate>,
    /// Issued on or before.
    issued_to: Option<NaiveDate>,
    /// The order: `newest` (the default), `oldest`, `due_date`, `number`, `-number`,
    /// `issue_date`, `-issue_date`, `amount`, `-amount` or `status`; a leading `-` means
    /// descending. Drafts have no number and no issue date: they come last in those
    /// orders, either way. `amount` is the gross amount as a number, currencies not
    /// converted; `status` is the lifecycle order (draft, issued, partially_paid, paid,
    /// credited). Ties keep the order of creation.
    #[param(inline)]
    sort: Option<ListSort>,
}

/// The values of `GET /invoices?sort=`: a leading `-` means descending.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
pub enum ListSort {
    /// Newest first (the default).
    #[default]
    #[serde(rename = "newest")]
    Newest,
    /// Oldest first.
    #[serde(rename = "oldest")]
    Oldest,
    /// Earliest due date first; invoices without one last.
    #[serde(rename = "due_date")]
    DueDate,
    /// By number, first to last; drafts last.
    #[serde(rename = "number")]
    Number,
    /// By number, last to first; drafts last.
    #[serde(rename = "-number")]
    NumberDescending,
    /// Earliest issue date first; drafts last.
    #[serde(rename = "issue_date")]
    IssueDate,
    /// Latest issue date first; drafts last.
    #[serde(rename = "-issue_date")]
    IssueDateDescending,
    /// Smallest gross amount first.
    #[serde(rename = "amount")]
    Amount,
    /// Largest gross amount first.
    #[serde(rename = "-amount")]
    AmountDescending,
    /// Lifecycle order: draft, issued, partially_paid, paid, credited.
    #[serde(rename = "status")]
    Status,
}

impl From<ListSort> for invoice_storage::InvoiceSort {
    fn from(sort: ListSort) -> Self {
        match sort {
            ListSort::Newest => Self::NewestFirst,
            ListSort::Oldest => Self::OldestFirst,
            ListSort::DueDate => Self::DueDate,
            ListSort::Number => Self::NumberAscending,
            ListSort::NumberDescending => Self::NumberDescending,
            ListSort::IssueDate => Self::IssueDateAscending,
            ListSort::IssueDateDescending => Self::IssueDateDescending,
            ListSort::Amount => Self::AmountAscending,
            ListSort::AmountDescending => Self::AmountDescending,
            ListSort::Status => Self::Status,
        }
    }
}

fn default_size() -> u32 {
    10
}

/// A page of invoice summaries: what a list shows, without the lines (`GET
/// /invoices/{id}` gives the whole invoice). For the OpenAPI document: [`list`] writes
/// the page around the store's JSON of its rows
/// ([`invoice_storage::InvoiceStore::list_json`]), each what `serde_json` writes for an
/// [`invoice_storage::InvoiceSummary`].
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct InvoiceListPage {
    /// The page's rows.
    content: Vec<InvoiceSummaryDoc>,
    /// The page asked for, from 0.
    page: u32,
    /// The page size asked for.
    size: u32,
    /// How many invoices match in all.
    total_elements: u64,
}

/// The shape of one row of `GET /invoices` ([`invoice_storage::InvoiceSummary`] as
/// JSON), for the OpenAPI document only. Amounts are decimal strings.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct InvoiceSummaryDoc {
    /// The invoice's id.
    #[schema(format = "uuid")]
    id: String,
    /// Its number, once issued (BT-1).
    number: Option<String>,
    /// `invoice` or `credit_note`.
    #[schema(example = "invoice")]
    kind: String,
    /// `draft`, `issued`, `partially_paid`, `paid` or `credited`.
    #[schema(example = "issued")]
    status: String,
    /// The linked client record.
    #[schema(format = "uuid")]
    client: Option<String>,
    /// The seller's name (BT-27).
    seller_name: String,
    /// The buyer's name (BT-44).
    buyer_name: String,
    /// ISO 4217 currency code (BT-5).
    #[schema(example = "EUR")]
    currency: String,
    /// The issue date, once issued (BT-2).
    issue_date: Option<NaiveDate>,
    /// The due date (BT-9).
    due_date: Option<NaiveDate>,
    /// Total without VAT (BT-109).
    #[schema(example = "100.00")]
    net_amount: String,
    /// Total VAT (BT-110).
    #[schema(example = "19.00")]
    vat_amount: String,
    /// Total with VAT (BT-112).
    #[schema(example = "119.00")]
    gross_amount: String,
    /// BT-115 minus recorded payments.
    #[schema(example = "119.00")]
    amount_due: String,
    /// The stored version.
    version: u64,
    /// When the invoice last changed.
    #[schema(format = "date-time")]
    updated_at: Option<String>,
}

/// Lists the tenant's invoices as summaries, newest first unless `sort` says otherwise.
#[utoipa::path(get, path = "/invoices", params(ListParams), responses((status = 200, description = "A page of summaries in the `sort` order, newest first by default", body = InvoiceListPage), (status = 400, description = "A bad query parameter, such as an unknown `sort`", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    ValidQuery(p): ValidQuery<ListParams>,
) -> Result<Response, AppError> {
    crate::limits::check_page(p.page)?;
    let mut q = InvoiceQuery::new()
        .page(PageRequest::Offset {
            page: p.page,
            size: p.size,
        })
        .sort(p.sort.unwrap_or_default().into())
        .issued_between(p.issued_from, p.issued_to);
    if let Some(s) = p.status {
        q = q.status(s);
    }
    if let Some(c) = p.client {
        q = q.client(c);
    }
    if let Some(t) = p.q {
        q = q.text(t);
    }
    if let Some(d) = p.due_before {
        q = q.due_before(d);
    }
    let rows = state.invoices.list_json(&tenant, &q).await?;
    // `InvoiceListPage`, written around the rows' JSON.
    let total = rows.total().unwrap_or(0);
    let rows = rows.into_items_json();
    let mut page = String::with_capacity(rows.len() + 80);
    page.push_str("{\"content\":");
    page.push_str(&rows);
    // Writing to a String cannot fail.
    let _ = write!(
        page,
        ",\"page\":{},\"size\":{},\"total_elements\":{total}}}",
        p.page, p.size
    );
    Ok(([(header::CONTENT_TYPE, "application/json")], page).into_response())
}

/// How to issue.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueBody {
    /// The issue date; today when absent.
    issue_date: Option<NaiveDate>,
    /// The number format, `INV-{year}-{seq:05}` when absent.
    series: Option<String>,
}

/// Issues a draft: gives it the next number of the series.
#[utoipa::path(post, path = "/invoices/{id}/issue", params(("id" = Uuid, Path, description = "The invoice's id"), ("If-Match" = Option<String>, Header, description = "The version the change is based on, as in the ETag (\"3\"); 412 when the invoice has moved on")), request_body(content = Option<IssueBody>, description = "Optional: an empty body issues today under the default series"), responses((status = 200, description = "The issued invoice with its number", body = InvoiceView), (status = 404, description = "No such invoice for this tenant", body = crate::error::ErrorResponse), (status = 409, description = "Only a draft can be issued", body = crate::error::ErrorResponse), (status = 412, description = "The invoice is not at the If-Match version", body = crate::error::ErrorResponse), (status = 422, description = "The invoice breaks EN 16931 rules, or the series is invalid", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn issue(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: bytes::Bytes,
) -> Result<Response, AppError> {
    // The body is optional: an empty one issues today under the default series.
    let body: IssueBody = if body.is_empty() {
        IssueBody::default()
    } else {
        crate::error::decode_body(&body)?
    };
    let mut request = IssueRequest::new(
        body.issue_date.unwrap_or_else(|| Utc::now().date_naive()),
        invoice_core::EventId::from_uuid(new_id()),
        Utc::now(),
    );
    if let Some(format) = body.series {
        request = request.with_series(invoice_core::NumberSeries::new(&format)?);
    }
    if let Some(v) = if_match(&headers)? {
        request = request.with_expected_version(v);
    }
    let (invoice, _) = state
        .invoices
        .issue(&tenant, parse_id(&id)?, &request)
        .await?;
    view(invoice)
}

/// A payment received.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentBody {
    #[schema(value_type = String, example = "100.00")]
    #[serde(deserialize_with = "invoice_core::decimal_serde::plain")]
    amount: invoice_core::Decimal,
    date: Option<NaiveDate>,
    reference: Option<String>,
}

/// Records a payment.
#[utoipa::path(post, path = "/invoices/{id}/payments", params(("id" = Uuid, Path, description = "The invoice's id")), request_body = PaymentBody, responses((status = 200, description = "The invoice with the payment", body = InvoiceView), (status = 404, description = "No such invoice for this tenant", body = crate::error::ErrorResponse), (status = 409, description = "Only an issued invoice can be paid", body = crate::error::ErrorResponse), (status = 412, description = "The invoice changed while the payment was recorded", body = crate::error::ErrorResponse), (status = 422, description = "The payment is more than is due", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn pay(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
    ValidJson(body): ValidJson<PaymentBody>,
) -> Result<Response, AppError> {
    let mut invoice = state.invoices.get(&tenant, parse_id(&id)?).await?;
    let read_version = invoice.version();
    let mut payment = Payment::new(
        PaymentId::from_uuid(new_id()),
        body.amount,
        body.date.unwrap_or_else(|| Utc::now().date_naive()),
    )?;
    if let Some(r) = body.reference {
        payment = payment.with_reference(r);
    }
    let events = invoice.record_payment(payment)?;
    json_response(
        state
            .invoices
            .update_json(&invoice, read_version, &envelopes(&invoice, events))
            .await?,
    )
}

/// Corrects an issued invoice with a credit note (created as a draft).
#[utoipa::path(post, path = "/invoices/{id}/credit-note", params(("id" = Uuid, Path, description = "The invoice's id")), responses((status = 201, description = "The credit note, a draft", body = InvoiceView), (status = 404, description = "No such invoice for this tenant", body = crate::error::ErrorResponse), (status = 409, description = "Only an issued invoice can be credited", body = crate::error::ErrorResponse), (status = 412, description = "The invoice changed meanwhile", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn credit(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let mut invoice = state.invoices.get(&tenant, parse_id(&id)?).await?;
    let read_version = invoice.version();
    let (credit_note, credited) = invoice.credit(InvoiceId::from_uuid(new_id()))?;
    let created = invoice_core::InvoiceEvent::Created {
        summary: credit_note.snapshot()?,
    };
    state
        .invoices
        .update(&invoice, read_version, &envelopes(&invoice, [credited]))
        .await?;
    let json = state
        .invoices
        .create_json(&credit_note, &envelopes(&credit_note, [created]))
        .await?;
    let mut response = json_response(json)?;
    *response.status_mut() = StatusCode::CREATED;
    Ok(response)
}

/// A note, in the seed's shape (`adminId`, `clientId`, `invoiceNumber`, `note`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NoteBody {
    /// Who writes it.
    admin_id: String,
    /// The client, informational.
    client_id: Option<String>,
    /// The invoice number, informational (the path names the invoice).
    invoice_number: Option<String>,
    /// The text.
    note: String,
}

/// Adds a note.
#[utoipa::path(post, path = "/invoices/{id}/notes", params(("id" = Uuid, Path, description = "The invoice's id")), request_body = NoteBody, responses((status = 200, description = "The invoice with the note", body = InvoiceView), (status = 404, description = "No such invoice for this tenant", body = crate::error::ErrorResponse), (status = 409, description = "The invoice cannot take notes in its state", body = crate::error::ErrorResponse), (status = 412, description = "The invoice changed meanwhile", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn add_note(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
    ValidJson(body): ValidJson<NoteBody>,
) -> Result<Response, AppError> {
    let mut invoice = state.invoices.get(&tenant, parse_id(&id)?).await?;
    if let (Some(n), Some(actual)) = (&body.invoice_number, invoice.number()) {
        if n != actual.as_str() {
            return Err(AppError::bad_request(format!(
                "invoiceNumber {n} is not this invoice's number {actual}"
            )));
        }
    }
    let _ = body.client_id;
    let read_version = invoice.version();
    let note = Note::new(
        NoteId::from_uuid(new_id()),
        body.admin_id,
        body.note,
        Utc::now(),
    )?;
    let event = invoice.add_note(note)?;
    json_response(
        state
            .invoices
            .update_json(&invoice, read_version, &envelopes(&invoice, [event]))
            .await?,
    )
}

/// Where an archived document went.
#[derive(Debug, Serialize, ToSchema)]
pub struct Archived {
    keys: Vec<String>,
}

/// Archives the invoice's CSV and JSON in the document store, deep-archive class, under
/// `{format}-invoices/{tenant}/{client}/{number}.{ext}`.
#[utoipa::path(post, path = "/invoices/{id}/archive", params(("id" = Uuid, Path, description = "The invoice's id")), responses((status = 200, description = "Where the documents went", body = Archived), (status = 404, description = "No such invoice for this tenant", body = crate::error::ErrorResponse), (status = 409, description = "Only an issued invoice can be archived", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn archive(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
) -> Result<Json<Archived>, AppError> {
    let invoice = state.invoices.get(&tenant, parse_id(&id)?).await?;
    let number = invoice
        .number()
        .ok_or_else(|| AppError::Conflict("only an issued invoice can be archived".to_owned()))?
        .to_string();
    let client = invoice
        .client()
        .map_or_else(|| "no-client".to_owned(), |c| c.to_string());
    let mut keys = Vec::new();
    for (format, content_type) in [("csv", "text/csv"), ("json", "application/json")] {
        let body = match format {
            "csv" => invoice_export::write_invoice_lines(
                Vec::new(),
                &invoice,
                &invoice_export::CsvOptions::default(),
            )?,
            _ => json_of(&invoice)?,
        };
        let key = DocumentKey::invoice_document(
            &format!("{format}-invoices"),
            tenant.as_str(),
            &client,
            &number,
            format,
        )?;
        let options =
            PutOptions::content_type(content_type).with_storage_class(StorageClass::DeepArchive);
        state
            .documents
            .put(&key, body_from_bytes(body), &options)
            .await?;
        keys.push(key.to_string());
    }
    Ok(Json(Archived { keys }))
}

/// The invoice's events, oldest first: every event saved for it since it was created,
/// whether the relay published it yet or not (what the outbox keeps), as the envelopes
/// consumers receive. A deleted draft keeps its history, its `Deleted` event last.
#[utoipa::path(
    get,
    path = "/invoices/{id}/events",
    params(("id" = Uuid, Path, description = "The invoice's id")),
    responses(
        (status = 200, description = "The event envelopes (event_id, tenant, invoice_id, invoice_version, occurred_at, schema_version, and the event tagged by `type`), oldest first", body = Vec<Object>),
        (status = 404, description = "No such invoice for this tenant", body = crate::error::ErrorResponse)
    ),
    security(("bearer" = []))
)]
pub async fn events(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
) -> Result<Json<Vec<invoice_core::EventEnvelope>>, AppError> {
    let history = state.invoices.history(&tenant, parse_id(&id)?).await?;
    Ok(Json(history))
}
