//! `/clients`: the tenant's clients with their contact information.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use invoice_core::{Address, ClientId};
use invoice_storage::Client;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::new_id;

use crate::auth::Tenant;
use crate::error::{AppError, ValidJson, ValidQuery};
use crate::AppState;

/// A client as created or replaced.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Kunde AG", "emails": ["ap@kunde.example"], "phones": ["+49 40 123456"],
    "address": {"city": "Hamburg", "postal_code": "20095", "country": "DE"},
    "vat_id": "DE987654321", "contact_name": "Erika Mustermann"
}))]
pub struct ClientBody {
    /// The name.
    name: String,
    /// E-mail addresses, the preferred first.
    #[serde(default)]
    emails: Vec<String>,
    /// Phone numbers.
    #[serde(default)]
    phones: Vec<String>,
    /// Postal address.
    #[schema(value_type = Option<Object>)]
    address: Option<Address>,
    /// VAT identifier.
    vat_id: Option<String>,
    /// Contact person.
    contact_name: Option<String>,
}

fn to_client(
    id: ClientId,
    tenant: invoice_core::TenantId,
    body: ClientBody,
) -> Result<Client, AppError> {
    let mut client = Client::new(id, tenant, body.name)?;
    for e in body.emails {
        client = client.with_email(e);
    }
    for p in body.phones {
        client = client.with_phone(p);
    }
    if let Some(a) = body.address {
        client = client.with_address(a);
    }
    if let Some(v) = body.vat_id {
        client = client.with_vat_id(v);
    }
    if let Some(c) = body.contact_name {
        client = client.with_contact_name(c);
    }
    Ok(client)
}

fn parse(id: &str) -> Result<ClientId, AppError> {
    id.parse()
        .map_err(|_| AppError::bad_request(format!("{id:?} is not a client id")))
}

/// Creates a client.
#[utoipa::path(post, path = "/clients", request_body = ClientBody, responses((status = 201, description = "The client", body = ClientDoc)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    ValidJson(body): ValidJson<ClientBody>,
) -> Result<(StatusCode, Json<Client>), AppError> {
    let client = to_client(ClientId::from_uuid(new_id()), tenant, body)?;
    state.clients.create(&client).await?;
    Ok((StatusCode::CREATED, Json(client)))
}

/// One client.
#[utoipa::path(get, path = "/clients/{id}", params(("id" = Uuid, Path, description = "The client's id")), responses((status = 200, description = "The client", body = ClientDoc), (status = 404, description = "No such client for this tenant", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
) -> Result<Json<Client>, AppError> {
    Ok(Json(state.clients.get(&tenant, parse(&id)?).await?))
}

/// Replaces a client (its version must be unchanged since read: `If-Match` optional).
#[utoipa::path(put, path = "/clients/{id}", params(("id" = Uuid, Path, description = "The client's id")), request_body = ClientBody, responses((status = 200, description = "The client, one version on", body = ClientDoc), (status = 404, description = "No such client for this tenant", body = crate::error::ErrorResponse), (status = 412, description = "The client changed meanwhile", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn replace(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
    ValidJson(body): ValidJson<ClientBody>,
) -> Result<Json<Client>, AppError> {
    let id = parse(&id)?;
    let current = state.clients.get(&tenant, id).await?;
    let mut client = to_client(id, tenant, body)?;
    for _ in 1..current.version() {
        client = client.next_version();
    }
    let client = client.next_version();
    state.clients.update(&client, current.version()).await?;
    Ok(Json(client))
}

/// Deletes a client.
#[utoipa::path(delete, path = "/clients/{id}", params(("id" = Uuid, Path, description = "The client's id")), responses((status = 204, description = "Deleted"), (status = 404, description = "No such client for this tenant", body = crate::error::ErrorResponse)), security(("bearer" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    state.clients.delete(&tenant, parse(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `?page=0&size=10&q=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ClientListParams {
    /// Zero-based page.
    #[serde(default)]
    #[param(minimum = 0, maximum = 1_000_000)]
    page: u32,
    /// Page size.
    #[serde(default = "ten")]
    #[param(minimum = 1, maximum = 1000)]
    size: u32,
    /// Name contains this, ignoring case.
    q: Option<String>,
}

fn ten() -> u32 {
    10
}

/// A page of clients.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientListPage {
    #[schema(value_type = Vec<ClientDoc>)]
    content: Vec<Client>,
    total_elements: u64,
}

/// A client as JSON ([`Client`]), for the OpenAPI document only.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ClientDoc {
    /// Its id.
    #[schema(format = "uuid")]
    id: String,
    /// The tenant it belongs to.
    tenant: String,
    /// The name.
    name: String,
    /// E-mail addresses, the preferred first (absent when none).
    emails: Option<Vec<String>>,
    /// Phone numbers (absent when none).
    phones: Option<Vec<String>>,
    /// Postal address.
    #[schema(value_type = Option<Object>)]
    address: Option<()>,
    /// VAT identifier.
    vat_id: Option<String>,
    /// Contact person.
    contact_name: Option<String>,
    /// The stored version.
    version: u64,
}

/// Lists clients by name.
#[utoipa::path(get, path = "/clients", params(ClientListParams), responses((status = 200, description = "A page of clients by name", body = ClientListPage)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    ValidQuery(p): ValidQuery<ClientListParams>,
) -> Result<Json<ClientListPage>, AppError> {
    crate::limits::check_page(p.page)?;
    let page = state
        .clients
        .list(&tenant, p.q.as_deref(), p.page, p.size)
        .await?;
    Ok(Json(ClientListPage {
        content: page.items,
        total_elements: page.total,
    }))
}

/// Contact information of every client, as the Spring seed's `contact-info` endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactInfo {
    #[schema(value_type = String, format = Uuid)]
    client_id: ClientId,
    name: String,
    emails: Vec<String>,
    phones: Vec<String>,
}

/// Contact info of the tenant's clients (first page of 100).
#[utoipa::path(get, path = "/invoices/contact-info", responses((status = 200, description = "Contact information of the first 100 clients", body = Vec<ContactInfo>)), security(("bearer" = [])))]
pub async fn contact_info(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
) -> Result<Json<Vec<ContactInfo>>, AppError> {
    let page = state.clients.list(&tenant, None, 0, 100).await?;
    Ok(Json(
        page.items
            .into_iter()
            .map(|c| ContactInfo {
                client_id: c.id(),
                name: c.name().to_owned(),
                emails: c.emails().to_vec(),
                phones: c.phones().to_vec(),
            })
            .collect(),
    ))
}
