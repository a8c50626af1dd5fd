//! `/clients`: the tenant's clients with their contact information.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use invoice_core::{Address, ClientId};
use invoice_storage::Client;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Tenant;
use crate::error::{AppError, ValidJson};
use crate::AppState;

/// A client as created or replaced.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
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
    #[schema(value_type = Object)]
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
#[utoipa::path(post, path = "/clients", request_body = ClientBody, responses((status = 201)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    ValidJson(body): ValidJson<ClientBody>,
) -> Result<(StatusCode, Json<Client>), AppError> {
    let client = to_client(ClientId::from_uuid(Uuid::new_v4()), tenant, body)?;
    state.clients.create(&client).await?;
    Ok((StatusCode::CREATED, Json(client)))
}

/// One client.
#[utoipa::path(get, path = "/clients/{id}", responses((status = 200), (status = 404)), security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
) -> Result<Json<Client>, AppError> {
    Ok(Json(state.clients.get(&tenant, parse(&id)?).await?))
}

/// Replaces a client (its version must be unchanged since read: `If-Match` optional).
#[utoipa::path(put, path = "/clients/{id}", request_body = ClientBody, responses((status = 200), (status = 412)), security(("bearer" = [])))]
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
#[utoipa::path(delete, path = "/clients/{id}", responses((status = 204), (status = 404)), security(("bearer" = [])))]
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
pub struct ClientListParams {
    #[serde(default)]
    page: u32,
    #[serde(default = "ten")]
    size: u32,
    q: Option<String>,
}

fn ten() -> u32 {
    10
}

/// A page of clients.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientListPage {
    #[schema(value_type = Vec<Object>)]
    content: Vec<Client>,
    total_elements: u64,
}

/// Lists clients by name.
#[utoipa::path(get, path = "/clients", params(ClientListParams), responses((status = 200, body = ClientListPage)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Query(p): Query<ClientListParams>,
) -> Result<Json<ClientListPage>, AppError> {
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
#[utoipa::path(get, path = "/invoices/contact-info", responses((status = 200, body = Vec<ContactInfo>)), security(("bearer" = [])))]
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
