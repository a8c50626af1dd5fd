//! The API through `app()` with `tower::ServiceExt::oneshot`: no port, embedded defaults.

use axum::http::{header, StatusCode};
use invoice_service::auth;
use serde_json::{json, Value};

mod common;
use common::{api, api_on, draft_body, Api};

#[tokio::test]
async fn draft_edit_issue_pay_and_export() {
    let api = api().await;
    let (status, created) = api
        .json("POST", "/invoices", "acme", Some(draft_body()))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["invoice"]["id"].as_str().unwrap().to_owned();
    // 1000 + 49.80; VAT 190 + 3.49
    assert_eq!(created["totals"]["payable_amount"], "1243.29");

    let (status, headers, _) = api
        .call("GET", &format!("/invoices/{id}"), Some("acme"), None, &[])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::ETAG], "\"1\"");

    let patch = json!({ "payment_terms": "14 days" });
    let (status, _, _) = api
        .call(
            "PATCH",
            &format!("/invoices/{id}"),
            Some("acme"),
            Some(patch.clone()),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, body) = api
        .call(
            "PATCH",
            &format!("/invoices/{id}"),
            Some("acme"),
            Some(patch),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::PRECONDITION_FAILED,
        "{}",
        String::from_utf8_lossy(&body)
    );

    let (status, issued) = api
        .json(
            "POST",
            &format!("/invoices/{id}/issue"),
            "acme",
            Some(json!({ "issue_date": "2026-11-24" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    assert_eq!(issued["invoice"]["number"], "INV-2026-00001");
    let (status, _) = api
        .json(
            "PATCH",
            &format!("/invoices/{id}"),
            "acme",
            Some(json!({ "payment_terms": "x" })),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "an issued invoice is frozen");

    let (status, paid) = api
        .json(
            "POST",
            &format!("/invoices/{id}/payments"),
            "acme",
            Some(json!({ "amount": "1243.29" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    assert_eq!(paid["invoice"]["status"], "paid");
    let (status, over) = api
        .json(
            "POST",
            &format!("/invoices/{id}/payments"),
            "acme",
            Some(json!({ "amount": "1" })),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{over}");

    let (status, headers, csv) = api
        .call(
            "GET",
            &format!("/invoices/{id}.csv"),
            Some("acme"),
            None,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(String::from_utf8_lossy(&csv).contains("Consulting"));
    let (status, _, json_export) = api
        .call(
            "GET",
            &format!("/invoices/{id}.json"),
            Some("acme"),
            None,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let parsed: Value = serde_json::from_slice(&json_export).unwrap();
    assert_eq!(parsed["id"], id.as_str());

    let (status, archived) = api
        .json("POST", &format!("/invoices/{id}/archive"), "acme", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{archived}");
    assert_eq!(
        archived["keys"][0],
        format!("csv-invoices/acme/no-client/INV-2026-00001.csv")
    );

    let (status, note) = api.json("POST", &format!("/invoices/{id}/notes"), "acme", Some(json!({ "adminId": "admin-1", "clientId": "c-1", "invoiceNumber": "INV-2026-00001", "note": "Paid by phone" }))).await;
    assert_eq!(status, StatusCode::OK, "{note}");
    assert_eq!(note["invoice"]["notes"][0]["author"], "admin-1");

    let (status, cn) = api
        .json("POST", &format!("/invoices/{id}/credit-note"), "acme", None)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{cn}");
    assert_eq!(cn["invoice"]["kind"]["type"], "credit_note");
}

#[tokio::test]
async fn bad_input_is_a_400_naming_the_field_never_a_500() {
    let api = api().await;
    let mut body = draft_body();
    body["lines"][1]["quantity"] = json!("two");
    let (status, error) = api.json("POST", "/invoices", "acme", Some(body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert_eq!(error["error"]["code"], "bad_request");
    assert_eq!(error["error"]["details"][0]["field"], "lines[1].quantity");

    let (status, _) = api
        .json(
            "POST",
            "/invoices",
            "acme",
            Some(json!({ "currency": "XYZ" })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = api.json("GET", "/invoices/not-a-uuid", "acme", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = api.json("GET", "/invoices?page=x", "acme", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = api.json("GET", "/invoices?size=0", "acme", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = api.call("POST", "/invoices", Some("acme"), None, &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// A body is one JSON value: whatever follows it (a second value, a stray bracket) is a
/// 400 too, not ignored. Before, the decoder stopped after the value and created the
/// draft.
#[tokio::test]
async fn a_body_with_anything_after_its_value_is_a_400_and_creates_nothing() {
    let api = api().await;
    for trailing in ["}", " {\"currency\": \"EUR\"}", " x"] {
        let body = format!("{}{trailing}", draft_body());
        let (status, _, bytes) = api
            .call_text("POST", "/invoices", Some("acme"), Some(&body), &[])
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{trailing:?}");
        let error: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(error["error"]["details"][0]["field"], ".", "{error}");
        assert!(
            error["error"]["details"][0]["message"]
                .as_str()
                .unwrap()
                .contains("trailing"),
            "{error}"
        );
    }
    let (_, page) = api.json("GET", "/invoices", "acme", None).await;
    assert_eq!(page["total_elements"], 0, "{page}");

    // The optional body of an issue, read apart from the others, holds to the same.
    let (id, _) = api.create_draft("acme", draft_body()).await;
    let issue = format!("/invoices/{id}/issue");
    let (status, _, _) = api
        .call_text("POST", &issue, Some("acme"), Some("{} {}"), &[])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, invoice) = api
        .json("GET", &format!("/invoices/{id}"), "acme", None)
        .await;
    assert_eq!(invoice["invoice"]["status"], "draft", "{invoice}");
}

#[tokio::test]
async fn issuing_an_invalid_invoice_is_a_422_with_rule_ids() {
    let api = api().await;
    let mut body = draft_body();
    body["lines"][0]["vat"] = json!({ "category": "E", "rate": "0" });
    let (_, created) = api.json("POST", "/invoices", "acme", Some(body)).await;
    let id = created["invoice"]["id"].as_str().unwrap();
    let (status, error) = api
        .json("POST", &format!("/invoices/{id}/issue"), "acme", None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    let rules: Vec<&str> = error["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"BR-E-10"), "{rules:?}");
}

#[tokio::test]
async fn tenants_see_only_their_own_data_and_tokens_are_required() {
    let api = api().await;
    let (_, created) = api
        .json("POST", "/invoices", "tenant-a", Some(draft_body()))
        .await;
    let id = created["invoice"]["id"].as_str().unwrap();
    let (status, _) = api
        .json("GET", &format!("/invoices/{id}"), "tenant-b", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api
        .json("DELETE", &format!("/invoices/{id}"), "tenant-b", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, page) = api
        .json("GET", "/invoices?page=0&size=10", "tenant-b", None)
        .await;
    assert_eq!(page["total_elements"], 0);
    let (_, page) = api
        .json("GET", "/invoices?page=0&size=10", "tenant-a", None)
        .await;
    assert_eq!(page["total_elements"], 1);

    let (status, _, _) = api.call("GET", "/invoices", None, None, &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = api
        .call(
            "GET",
            "/invoices",
            None,
            None,
            &[("authorization", "Bearer forged.token.here")],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A token in the query is for /ws only (URLs end up in logs and proxies).
    let in_query = format!("/invoices?token={}", api.token("tenant-a"));
    let (status, _, body) = api.call("GET", &in_query, None, None, &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(String::from_utf8_lossy(&body).contains("missing bearer token"));
    let other = auth::issue_token("another-secret-of-16+", "x", "tenant-a", 1).unwrap();
    let (status, _, _) = api
        .call(
            "GET",
            "/invoices",
            None,
            None,
            &[("authorization", &format!("Bearer {other}"))],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn clients_with_contact_info_and_invoices_from_a_client() {
    let api = api().await;
    let (status, client) = api.json("POST", "/clients", "acme", Some(json!({ "name": "Kunde AG", "emails": ["ap@kunde.example"], "phones": ["+49 40 1"], "address": { "city": "Hamburg", "country": "DE" } }))).await;
    assert_eq!(status, StatusCode::CREATED, "{client}");
    let client_id = client["id"].as_str().unwrap();
    let (_, contacts) = api
        .json("GET", "/invoices/contact-info", "acme", None)
        .await;
    assert_eq!(contacts[0]["emails"][0], "ap@kunde.example");
    let mut body = draft_body();
    body.as_object_mut().unwrap().remove("buyer");
    body["client_id"] = json!(client_id);
    let (status, created) = api.json("POST", "/invoices", "acme", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["invoice"]["buyer"]["name"], "Kunde AG");
    let (_, page) = api
        .json(
            "GET",
            &format!("/invoices?client={client_id}"),
            "acme",
            None,
        )
        .await;
    assert_eq!(page["total_elements"], 1);
    let (status, _) = api
        .json("GET", &format!("/clients/{client_id}"), "other", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn invoices_list_sorted_by_amount_both_ways_and_an_unknown_sort_is_a_400() {
    let api = api().await;
    // Gross amounts at 19 %: 10.71, 107.10, 9.52; as text "10.71" < "107.10" < "9.52".
    for (buyer, price) in [("Ten", "9.00"), ("Hundred", "90.00"), ("Nine", "8.00")] {
        let mut body = draft_body();
        body["buyer"]["name"] = json!(buyer);
        body["lines"] = json!([{ "id": "1", "name": "Service", "quantity": "1", "unit": "C62",
            "price": price, "vat": { "category": "S", "rate": "19" } }]);
        api.create_draft("sorting", body).await;
    }
    let listed = |sort: &'static str| {
        let api = &api;
        async move {
            let (status, page) = api
                .json("GET", &format!("/invoices?sort={sort}"), "sorting", None)
                .await;
            assert_eq!(status, StatusCode::OK, "{page}");
            assert_eq!(page["total_elements"], 3, "{page}");
            let rows = page["content"].as_array().unwrap();
            rows.iter()
                .map(|row| {
                    format!(
                        "{} {}",
                        row["buyer_name"].as_str().unwrap(),
                        row["gross_amount"].as_str().unwrap()
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        listed("amount").await,
        ["Nine 9.52", "Ten 10.71", "Hundred 107.10"]
    );
    assert_eq!(
        listed("-amount").await,
        ["Hundred 107.10", "Ten 10.71", "Nine 9.52"]
    );
    assert_eq!(
        listed("newest").await,
        ["Nine 9.52", "Hundred 107.10", "Ten 10.71"]
    );
    // Drafts only: no numbers, so creation order.
    assert_eq!(
        listed("-number").await,
        ["Ten 10.71", "Hundred 107.10", "Nine 9.52"]
    );

    for bad in ["bogus", "-status", "AMOUNT", ""] {
        let (status, error) = api
            .json("GET", &format!("/invoices?sort={bad}"), "sorting", None)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "sort={bad}: {error}");
        assert_eq!(error["error"]["code"], "bad_request", "{error}");
    }

    // The document lists the values, so clients (and schemathesis) know them.
    let (_, _, doc) = api.call("GET", "/openapi.json", None, None, &[]).await;
    let doc: Value = serde_json::from_slice(&doc).unwrap();
    let parameters = doc["paths"]["/invoices"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let sort = parameters.iter().find(|p| p["name"] == "sort").unwrap();
    let values = sort["schema"]["enum"].as_array().unwrap();
    for value in [
        "newest",
        "due_date",
        "-number",
        "-issue_date",
        "amount",
        "-amount",
        "status",
    ] {
        assert!(values.contains(&json!(value)), "{value} in {sort}");
    }
}

#[tokio::test]
async fn openapi_metrics_and_health_are_served() {
    let api = api().await;
    let (status, _, doc) = api.call("GET", "/openapi.json", None, None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    let doc: Value = serde_json::from_slice(&doc).unwrap();
    assert!(doc["paths"]["/invoices/{id}/issue"]["post"].is_object());
    let summary = &doc["components"]["schemas"]["InvoiceSummaryDoc"]["properties"];
    for field in [
        "id",
        "kind",
        "seller_name",
        "net_amount",
        "gross_amount",
        "updated_at",
    ] {
        assert!(summary[field].is_object(), "{field} in {summary}");
    }
    let (status, _, health) = api.call("GET", "/health", None, None, &[]).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&health)
    );
    api.json("GET", "/invoices", "acme", None).await;
    let (status, _, metrics) = api.call("GET", "/metrics", None, None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8_lossy(&metrics);
    assert!(text.contains("http_requests_total"), "{text}");
    assert!(text.contains("route=\"/invoices\""), "{text}");
}

/// The core flow against a real database: create, issue (gapless number), pay, list,
/// and the invoice's events.
async fn flow_on(api: &Api, tenant: &str) {
    let (status, created) = api
        .json("POST", "/invoices", tenant, Some(draft_body()))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["invoice"]["id"].as_str().unwrap().to_owned();
    let (status, issued) = api
        .json(
            "POST",
            &format!("/invoices/{id}/issue"),
            tenant,
            Some(json!({ "issue_date": "2026-11-24" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    assert_eq!(issued["invoice"]["number"], "INV-2026-00001");
    let (status, paid) = api
        .json(
            "POST",
            &format!("/invoices/{id}/payments"),
            tenant,
            Some(json!({ "amount": "1243.29" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    assert_eq!(paid["invoice"]["status"], "paid");
    // A GET answers with the document the write answered with (on SQLite the JSON the
    // store kept, joined with its totals, undecoded).
    let (status, got) = api
        .json("GET", &format!("/invoices/{id}"), tenant, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(got, paid);
    let (_, page) = api
        .json("GET", "/invoices?page=0&size=10&status=paid", tenant, None)
        .await;
    assert_eq!(page["total_elements"], 1);
    // A list row is the invoice's summary: its amounts, not its lines.
    let row = &page["content"][0];
    assert_eq!(row["id"], id.as_str(), "{page}");
    assert_eq!(
        (&row["number"], &row["kind"], &row["status"]),
        (&json!("INV-2026-00001"), &json!("invoice"), &json!("paid")),
        "{row}"
    );
    assert_eq!(
        (&row["gross_amount"], &row["amount_due"]),
        (&json!("1243.29"), &json!("0.00")),
        "{row}"
    );
    assert!(row.get("lines").is_none(), "{row}");
    let (status, _) = api
        .json("GET", &format!("/invoices/{id}"), "someone-else", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The history, from the database's outbox.
    assert_eq!(
        event_types(api, tenant, &id).await,
        ["Created", "Issued", "PaymentRecorded", "Paid"]
    );
    let (status, _) = api
        .json(
            "GET",
            &format!("/invoices/{id}/events"),
            "someone-else",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_flow_runs_on_an_embedded_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let api = api_on(&format!(
        "sqlite:{}",
        dir.path().join("service.db").display()
    ))
    .await;
    flow_on(&api, "acme").await;
}

#[tokio::test]
async fn the_flow_runs_on_postgresql() {
    let Some(url) =
        invoice_storage::testing::require_env("DATABASE_URL", "the_flow_runs_on_postgresql")
    else {
        return;
    };
    let api = api_on(&url).await;
    // A fresh tenant: the database is shared and its number series persist.
    let tenant = format!("svc-{}", uuid::Uuid::new_v4().simple());
    flow_on(&api, &tenant).await;
}

/// Found by the `decimal` fuzz target: `rust_decimal` parsed `_` separators recursively,
/// so a price of `1` and 300 000 underscores overflowed the stack of the worker reading
/// the body and aborted the service. Such an amount is now a 400 naming the field, as
/// any other amount that is not a plain decimal.
#[tokio::test]
async fn an_amount_of_many_underscores_is_refused_not_a_crash() {
    let api = api().await;
    let underscores = format!("1{}", "_".repeat(300_000));
    let mut body = draft_body();
    body["lines"][0]["price"] = Value::from(underscores.clone());
    let (status, error) = api.json("POST", "/invoices", "acme", Some(body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["error"]["details"][0]["field"], "lines[0].price");

    let (status, created) = api
        .json("POST", "/invoices", "acme", Some(draft_body()))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = created["invoice"]["id"].as_str().unwrap().to_owned();
    let (status, error) = api
        .json(
            "POST",
            &format!("/invoices/{id}/payments"),
            "acme",
            Some(json!({ "amount": underscores })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["error"]["details"][0]["field"], "amount");
}

/// `GET /invoices/{id}.pdf`: a PDF marked draft before issue, a Factur-X after, whose
/// embedded CII reads back to the invoice; documented in the OpenAPI document.
#[tokio::test]
async fn an_invoice_is_served_as_pdf_and_as_facturx_once_issued() {
    let api = api().await;
    let (status, created) = api
        .json("POST", "/invoices", "acme", Some(draft_body()))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["invoice"]["id"].as_str().unwrap().to_owned();
    let (status, headers, draft) = api
        .call(
            "GET",
            &format!("/invoices/{id}.pdf"),
            Some("acme"),
            None,
            &[("accept-language", "de-DE,de;q=0.9")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    assert!(draft.starts_with(b"%PDF-"));
    let options = invoice_export::ImportOptions::new(
        invoice_core::InvoiceId::from_uuid(uuid::Uuid::nil()),
        invoice_core::TenantId::new("acme").unwrap(),
    );
    assert!(
        invoice_export::read_facturx(&draft, &options).is_err(),
        "a draft is no Factur-X"
    );

    let (status, _) = api
        .json(
            "POST",
            &format!("/invoices/{id}/issue"),
            "acme",
            Some(json!({ "issue_date": "2026-11-24" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, pdf) = api
        .call(
            "GET",
            &format!("/invoices/{id}.pdf"),
            Some("acme"),
            None,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let found = invoice_export::read_facturx(&pdf, &options).unwrap();
    assert_eq!(found.invoice.number().unwrap().as_str(), "INV-2026-00001");
    assert_eq!(
        found.invoice.totals().unwrap().payable_amount().to_string(),
        "1243.29"
    );

    let (_, _, doc) = api.call("GET", "/openapi.json", None, None, &[]).await;
    let doc: Value = serde_json::from_slice(&doc).unwrap();
    let pdf_path = &doc["paths"]["/invoices/{id}.pdf"]["get"];
    assert!(
        pdf_path["responses"]["200"]["content"]["application/pdf"].is_object(),
        "{pdf_path}"
    );
}

/// The `type` of each event `GET /invoices/{id}/events` lists, after checking that
/// every envelope is of invoice `id` and that versions never go back.
async fn event_types(api: &Api, tenant: &str, id: &str) -> Vec<String> {
    let (status, events) = api
        .json("GET", &format!("/invoices/{id}/events"), tenant, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{events}");
    let events = events.as_array().unwrap();
    let mut version = 0;
    for envelope in events {
        assert_eq!(envelope["invoice_id"], id, "{envelope}");
        assert_eq!(envelope["tenant"], tenant, "{envelope}");
        let this = envelope["invoice_version"].as_u64().unwrap();
        assert!(this >= version, "versions go back: {events:?}");
        version = this;
    }
    events
        .iter()
        .map(|e| e["event"]["type"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_invoices_events_are_listed_oldest_first_to_its_tenant_only() {
    let api = api().await;
    let (id, _) = api.create_draft("acme", draft_body()).await;
    assert_eq!(event_types(&api, "acme", &id).await, ["Created"]);

    for (path, body) in [
        ("issue", json!({ "issue_date": "2026-11-24" })),
        ("payments", json!({ "amount": "1243.29" })),
        (
            "notes",
            json!({ "adminId": "admin-1", "note": "Paid by transfer" }),
        ),
    ] {
        let (status, answer) = api
            .json(
                "POST",
                &format!("/invoices/{id}/{path}"),
                "acme",
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{path}: {answer}");
    }
    assert_eq!(
        event_types(&api, "acme", &id).await,
        ["Created", "Issued", "PaymentRecorded", "Paid", "NoteAdded"]
    );

    // A deleted draft keeps its history, `Deleted` last.
    let (draft_id, _) = api.create_draft("acme", draft_body()).await;
    let (status, _, _) = api
        .call(
            "DELETE",
            &format!("/invoices/{draft_id}"),
            Some("acme"),
            None,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        event_types(&api, "acme", &draft_id).await,
        ["Created", "Deleted"]
    );

    // Another tenant's invoice is as missing as an unknown id.
    for id in [id.as_str(), &uuid::Uuid::new_v4().to_string()] {
        let (status, answer) = api
            .json(
                "GET",
                &format!("/invoices/{id}/events"),
                "someone-else",
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
        assert!(!answer.to_string().contains("Created"), "{answer}");
    }
    let (status, _) = api
        .json("GET", "/invoices/not-a-uuid/events", "acme", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let doc = invoice_service::openapi::document();
    let operation = &doc["paths"]["/invoices/{id}/events"]["get"];
    assert_eq!(operation["operationId"], "invoice_events", "{operation}");
    assert!(operation["responses"]["404"].is_object(), "{operation}");
    let links = &doc["paths"]["/invoices"]["post"]["responses"]["201"]["links"];
    assert!(links["invoice_events"].is_object(), "{links}");
}
