//! Tenant isolation over the whole API, driven by the OpenAPI document so that a new
//! route cannot be forgotten: with tenant B's token, every operation that takes an id of
//! tenant A's answers 404, with the very response it gives for an id that does not exist
//! (the id aside), and changes nothing; every list shows B none of A's data. Resources:
//! invoices, clients, schedules and reminders.

use axum::http::StatusCode;
use serde_json::{json, Value};

mod common;
use common::{api, draft_body, Api};

/// A valid body for each operation that takes one. An operation with a request body
/// that is missing here fails the test: add its body.
fn body_for(operation_id: &str) -> Option<Value> {
    Some(match operation_id {
        "invoice_patch" => json!({ "payment_terms": "30 days" }),
        "invoice_issue" => json!({ "issue_date": "2026-12-03" }),
        "invoice_pay" => json!({ "amount": "10.00", "date": "2026-12-03" }),
        "invoice_add_note" => json!({ "adminId": "admin-1", "note": "Called the buyer" }),
        "client_replace" => json!({ "name": "Renamed AG" }),
        "schedule_patch" => json!({ "name": "Renamed retainer" }),
        "reminder_reschedule" => json!({ "at": "2099-01-01T09:00:00", "time_zone": "UTC" }),
        "reminder_redirect" => json!({ "recipient": "other@b.example" }),
        _ => return None,
    })
}

/// The text of a response with `id` replaced, for comparing two answers.
fn anonymous(body: &[u8], id: &str) -> String {
    String::from_utf8_lossy(body).replace(id, "{id}")
}

struct Probe<'a> {
    api: &'a Api,
    document: &'static Value,
}

impl Probe<'_> {
    /// Every (path, method, operation id, whether it takes a body) of the document.
    fn operations(&self) -> Vec<(String, String, String, bool)> {
        let mut operations = Vec::new();
        for (path, item) in self.document["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                operations.push((
                    path.clone(),
                    method.to_uppercase(),
                    operation["operationId"].as_str().unwrap().to_owned(),
                    operation.get("requestBody").is_some(),
                ));
            }
        }
        operations
    }

    async fn call(&self, method: &str, uri: &str, body: Option<Value>) -> (StatusCode, Vec<u8>) {
        let (status, _, bytes) = self
            .api
            .call(method, uri, Some("tenant-b"), body, &[])
            .await;
        (status, bytes)
    }
}

#[tokio::test]
async fn tenant_b_reaches_none_of_tenant_as_data_on_any_operation() {
    let api = api().await;
    let document = invoice_service::openapi::document();
    let probe = Probe {
        api: &api,
        document,
    };

    // Tenant A's data: an issued invoice, a draft, a client.
    let (_, issued) = api
        .json("POST", "/invoices", "tenant-a", Some(draft_body()))
        .await;
    let issued_id = issued["invoice"]["id"].as_str().unwrap().to_owned();
    let (status, _) = api
        .json(
            "POST",
            &format!("/invoices/{issued_id}/issue"),
            "tenant-a",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, draft) = api
        .json("POST", "/invoices", "tenant-a", Some(draft_body()))
        .await;
    let draft_id = draft["invoice"]["id"].as_str().unwrap().to_owned();
    let (status, client) = api
        .json(
            "POST",
            "/clients",
            "tenant-a",
            Some(json!({ "name": "Secret Client GmbH", "emails": ["secret@a.example"] })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{client}");
    let client_id = client["id"].as_str().unwrap().to_owned();
    let (_, before) = api
        .json("GET", &format!("/invoices/{draft_id}"), "tenant-a", None)
        .await;
    let (status, schedule) = api
        .json("POST", "/schedules", "tenant-a", Some(schedule_body()))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{schedule}");
    let schedule_id = schedule["schedule"]["id"].as_str().unwrap().to_owned();
    let (status, reminder) = api
        .json(
            "POST",
            "/reminders",
            "tenant-a",
            Some(json!({
                "about": { "invoice": issued_id },
                "recipient": "secret@a.example",
                "subject": "Pay EUR invoice",
                "body": "Secret Client: please pay.",
                "at": "2099-01-01T09:00:00",
                "time_zone": "Europe/Berlin"
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reminder}");
    let reminder_id = reminder["id"].as_str().unwrap().to_owned();

    // A preview that names tenant A's client: 404, as for a missing one, and nothing of it.
    let mut preview = draft_body();
    preview.as_object_mut().unwrap().remove("buyer");
    preview["client_id"] = json!(client_id);
    let (status, body) = probe.call("POST", "/invoices/preview", Some(preview)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!String::from_utf8_lossy(&body).contains("Secret"));

    let mut probed = Vec::new();
    for (path, method, operation, takes_body) in probe.operations() {
        let body = body_for(&operation);
        assert!(
            !takes_body
                || body.is_some()
                || operation == "invoice_create"
                || operation == "client_create"
                || operation == "schedule_create"
                || operation == "reminder_create"
                || operation == "invoice_preview",
            "{operation} takes a body: add a valid one to body_for"
        );
        if !path.contains("{id}") {
            continue;
        }
        let a_ids: Vec<&str> = if path.starts_with("/clients") {
            vec![client_id.as_str()]
        } else if path.starts_with("/schedules") {
            vec![schedule_id.as_str()]
        } else if path.starts_with("/reminders") {
            vec![reminder_id.as_str()]
        } else {
            vec![issued_id.as_str(), draft_id.as_str()]
        };
        let missing = uuid::Uuid::new_v4().to_string();
        let (status, nowhere) = probe
            .call(&method, &path.replace("{id}", &missing), body.clone())
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{operation} on a missing id");
        for id in a_ids {
            let (status, answer) = probe
                .call(&method, &path.replace("{id}", id), body.clone())
                .await;
            assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "{operation} {method} {path} with tenant A's id: {}",
                String::from_utf8_lossy(&answer)
            );
            assert_eq!(
                anonymous(&answer, id),
                anonymous(&nowhere, &missing),
                "{operation}: tenant A's id is answered like a missing one"
            );
        }
        probed.push(operation);
    }
    println!("isolation probe: {} operations with an id", probed.len());
    // The document's id-taking operations: reads, exports, edits and actions of both
    // resources.
    for expected in [
        "invoice_get_pdf",
        "invoice_patch",
        "invoice_pay",
        "client_replace",
        "schedule_patch",
        "schedule_pause",
        "schedule_preview",
        "reminder_reschedule",
        "reminder_cancel",
    ] {
        assert!(
            probed.iter().any(|p| p == expected),
            "{expected} not probed: {probed:?}"
        );
    }

    // Lists: B sees nothing of A's.
    for uri in [
        "/invoices?size=1000",
        "/clients?size=1000",
        "/schedules?size=1000",
        "/reminders?size=1000",
        "/invoices/contact-info",
        "/reports/aging?as_of=2099-01-01",
        "/reports/revenue?from=1900-01-01&to=2099-12-31&by=client",
        "/reports/vat?from=1900-01-01&to=2099-12-31",
    ] {
        let (status, answer) = probe.call("GET", uri, None).await;
        assert_eq!(status, StatusCode::OK);
        let text = String::from_utf8_lossy(&answer);
        // A's invoices are in EUR: no figure of B's may be.
        assert!(
            !text.contains("EUR"),
            "{uri} shows tenant A's figures: {text}"
        );
        for secret in [
            &issued_id,
            &draft_id,
            &client_id,
            &schedule_id,
            &reminder_id,
            &"Secret Client".to_owned(),
        ] {
            assert!(
                !text.contains(secret.as_str()),
                "{uri} shows {secret}: {text}"
            );
        }
    }

    // And nothing of A's changed.
    let (_, after) = api
        .json("GET", &format!("/invoices/{draft_id}"), "tenant-a", None)
        .await;
    assert_eq!(before, after);
    let (status, _) = api
        .json("GET", &format!("/clients/{client_id}"), "tenant-a", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, schedule_after) = api
        .json(
            "GET",
            &format!("/schedules/{schedule_id}"),
            "tenant-a",
            None,
        )
        .await;
    assert_eq!(schedule, schedule_after, "tenant A's schedule is untouched");
    let (_, reminder_after) = api
        .json(
            "GET",
            &format!("/reminders/{reminder_id}"),
            "tenant-a",
            None,
        )
        .await;
    assert_eq!(reminder, reminder_after, "tenant A's reminder is untouched");
}

/// A schedule of tenant A's (its JSON is in EUR, which no list of B's may show).
fn schedule_body() -> Value {
    json!({
        "name": "Secret retainer",
        "template": {
            "currency": "EUR",
            "seller": common::party("Seller GmbH"),
            "buyer": common::party("Buyer AG"),
            "lines": [{ "id": "1", "name": "Retainer", "quantity": "1", "unit": "C62",
                        "price": "500.00", "vat": { "category": "S", "rate": "19" } }]
        },
        "rule": {
            "recurrence": { "every_unit": "weekly", "every": 2 },
            "start": "2027-01-04", "end": { "after": 10 }, "time_zone": "UTC"
        }
    })
}
