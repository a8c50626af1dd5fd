//! The OpenAPI document at `/openapi.json`: every route with its parameters, bodies and
//! responses, errors included.
//!
//! The handlers' annotations give what is particular to each operation (its success,
//! 404, 409, 412, 422). A modifier adds what every operation shares, so that no route
//! can forget it: 400 for a malformed request, 401 where a token is needed, 413 where a
//! body is taken, 503 for a request over the time limit, the `Idempotency-Key` header
//! with its 409 and 422 on every `POST`, and the one error body on every error.

use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, ObjectBuilder, Ref, Required, ResponseBuilder, Type};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorDetail, ErrorResponse};
use crate::routes::{clients, invoices, reminders, reports, schedules, service};
use crate::ws;

/// The OpenAPI document, generated from the handlers' annotations.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "invoice-service",
        description = "Invoices, clients, exports and events. Every request but /health, \
                       /metrics and /openapi.json needs `Authorization: Bearer <JWT>`; the \
                       token's tenant scopes all data. Every error has the body \
                       ErrorResponse. A POST with `Idempotency-Key` is done once: a retry \
                       with the same key and request gets the first response again."
    ),
    paths(
        invoices::create, invoices::list, invoices::get, invoices::get_csv, invoices::get_json,
        invoices::get_pdf, invoices::get_ubl, invoices::get_cii, invoices::preview,
        invoices::patch, invoices::delete, invoices::issue, invoices::pay,
        invoices::credit, invoices::add_note, invoices::archive, invoices::events,
        clients::create, clients::get, clients::replace, clients::delete, clients::list,
        clients::contact_info,
        reports::aging, reports::aging_csv, reports::revenue, reports::revenue_csv,
        reports::vat, reports::vat_csv,
        schedules::create, schedules::list, schedules::get, schedules::patch,
        schedules::delete, schedules::pause, schedules::resume, schedules::cancel,
        schedules::preview,
        reminders::create, reminders::list, reminders::get, reminders::reschedule,
        reminders::redirect, reminders::cancel, reminders::delete,
        ws::events, service::health, service::metrics, service::openapi,
    ),
    components(schemas(ErrorResponse, ErrorBody, ErrorDetail)),
    modifiers(&Contract)
)]
pub struct ApiDoc;

/// The document as served: [`ApiDoc`] as JSON, made once.
///
/// utoipa 5.5 writes a link's target as `operation_id` rather than the `operationId` the
/// specification names (its `Link` has no camel-case renaming); the links are corrected
/// here.
pub fn document() -> &'static serde_json::Value {
    static DOCUMENT: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let mut document = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
        rename_link_targets(&mut document);
        document
    })
}

fn rename_link_targets(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::Object(links)) = map.get_mut("links") {
                for link in links.values_mut() {
                    if let Some(link) = link.as_object_mut() {
                        if let Some(id) = link.remove("operation_id") {
                            link.insert("operationId".to_owned(), id);
                        }
                    }
                }
            }
            map.values_mut().for_each(rename_link_targets);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(rename_link_targets),
        _ => {}
    }
}

/// What every operation shares (see the module docs).
struct Contract;

impl Modify for Contract {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        for (path, item) in &mut openapi.paths.paths {
            // Operation ids are the handlers' names, which repeat across resources.
            let resource = if path.starts_with("/clients") || path.ends_with("contact-info") {
                "client"
            } else if path.starts_with("/invoices") {
                "invoice"
            } else if path.starts_with("/reports") {
                "report"
            } else if path.starts_with("/schedules") {
                "schedule"
            } else if path.starts_with("/reminders") {
                "reminder"
            } else {
                "service"
            };
            for operation in [
                &mut item.get,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
                &mut item.post,
            ]
            .into_iter()
            .flatten()
            {
                let name = operation.operation_id.take().unwrap_or_default();
                operation.operation_id = Some(format!("{resource}_{name}"));
            }
            let operations = [
                (&mut item.get, false),
                (&mut item.put, false),
                (&mut item.patch, false),
                (&mut item.delete, false),
                (&mut item.post, true),
            ];
            for (operation, is_post) in operations {
                if let Some(operation) = operation.as_mut() {
                    complete(operation, is_post);
                }
            }
        }
        add_links(openapi);
    }
}

/// What a created resource leads to: the operations that take its id, with where the id
/// is in the creating response (for clients and for stateful fuzzers such as
/// schemathesis).
fn add_links(openapi: &mut utoipa::openapi::OpenApi) {
    let links: [(&str, &str, &[&str]); 4] = [
        (
            "/invoices",
            "$response.body#/invoice/id",
            &[
                "invoice_get",
                "invoice_get_csv",
                "invoice_get_json",
                "invoice_get_pdf",
                "invoice_get_ubl",
                "invoice_get_cii",
                "invoice_patch",
                "invoice_delete",
                "invoice_issue",
                "invoice_pay",
                "invoice_credit",
                "invoice_add_note",
                "invoice_archive",
                "invoice_events",
            ],
        ),
        (
            "/clients",
            "$response.body#/id",
            &["client_get", "client_replace", "client_delete"],
        ),
        (
            "/schedules",
            "$response.body#/schedule/id",
            &[
                "schedule_get",
                "schedule_patch",
                "schedule_delete",
                "schedule_pause",
                "schedule_resume",
                "schedule_cancel",
                "schedule_preview",
            ],
        ),
        (
            "/reminders",
            "$response.body#/id",
            &[
                "reminder_get",
                "reminder_reschedule",
                "reminder_redirect",
                "reminder_cancel",
                "reminder_delete",
            ],
        ),
    ];
    for (path, id, targets) in links {
        let created = openapi
            .paths
            .paths
            .get_mut(path)
            .and_then(|item| item.post.as_mut())
            .and_then(|post| post.responses.responses.get_mut("201"));
        if let Some(utoipa::openapi::RefOr::T(response)) = created {
            for target in targets {
                let link = LinkBuilder::new()
                    .operation_id(*target)
                    .parameter("id", id)
                    .build();
                response.links.insert((*target).to_owned(), link.into());
            }
        }
    }
}

/// Adds the shared parameters and responses to one operation.
fn complete(operation: &mut Operation, is_post: bool) {
    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let mut shared = vec![
        (
            "400",
            "The request is malformed: a parameter, header or body field (named in details)",
        ),
        ("503", "No answer within the request time limit (30 s)"),
    ];
    if secured {
        shared.push(("401", "No bearer token, or one that does not verify"));
    }
    if operation.request_body.is_some() || is_post {
        shared.push(("413", "The body is larger than 4 MiB"));
    }
    if is_post {
        shared.push(("409", "A request with this Idempotency-Key is in progress"));
        shared.push(("422", "This Idempotency-Key was used with another request"));
        let key = ParameterBuilder::new()
            .name("Idempotency-Key")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "Makes the request idempotent for 24 hours: 1 to 255 visible ASCII characters",
            ))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(255))
                    .pattern(Some("^[!-~]+$")),
            ))
            .build();
        operation.parameters.get_or_insert_with(Vec::new).push(key);
    }
    let responses = &mut operation.responses.responses;
    for (status, description) in shared {
        responses.entry(status.to_owned()).or_insert_with(|| {
            ResponseBuilder::new()
                .description(description)
                .build()
                .into()
        });
    }
    for (status, response) in responses.iter_mut() {
        let is_error = status.starts_with('4') || status.starts_with('5');
        if let (true, utoipa::openapi::RefOr::T(response)) = (is_error, response) {
            if response.content.is_empty() {
                response.content.insert(
                    "application/json".to_owned(),
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorResponse")))
                        .build(),
                );
            }
        }
    }
}
