//! `Idempotency-Key` on `POST`s, and the request limits, through the whole router.

use axum::http::StatusCode;
use serde_json::{json, Value};

mod common;
use common::{api, api_on, draft_body, Api};

const KEY: &str = "idempotency-key";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn total(api: &Api, tenant: &str) -> u64 {
    let (_, page) = api.json("GET", "/invoices?size=1000", tenant, None).await;
    page["total_elements"].as_u64().unwrap()
}

/// One key, retried: one invoice, the same answer byte for byte, marked as a replay;
/// the key with another body is refused; another tenant's key of the same name is its
/// own.
async fn retries_have_one_effect(api: &Api) {
    let key = format!("create-{}", uuid::Uuid::new_v4());
    let headers = [(KEY, key.as_str())];
    let (status, first_headers, first) = api
        .call(
            "POST",
            "/invoices",
            Some("acme"),
            Some(draft_body()),
            &headers,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{}", text(&first));
    assert!(first_headers.get("idempotent-replayed").is_none());
    for _ in 0..3 {
        let (status, replay_headers, again) = api
            .call(
                "POST",
                "/invoices",
                Some("acme"),
                Some(draft_body()),
                &headers,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(again, first, "the same body");
        assert_eq!(replay_headers["idempotent-replayed"], "true");
        assert_eq!(replay_headers["etag"], first_headers["etag"]);
        assert_eq!(
            replay_headers["content-type"],
            first_headers["content-type"]
        );
    }
    assert_eq!(total(api, "acme").await, 1);

    let mut other = draft_body();
    other["due_date"] = json!("2027-01-31");
    let (status, _, body) = api
        .call("POST", "/invoices", Some("acme"), Some(other), &headers)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text(&body).contains("idempotency_key_reused"),
        "{}",
        text(&body)
    );
    assert_eq!(total(api, "acme").await, 1);

    let (status, _, body) = api
        .call(
            "POST",
            "/invoices",
            Some("globex"),
            Some(draft_body()),
            &headers,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_ne!(
        body, first,
        "another tenant's request of the same key is its own"
    );

    // A payment retried is recorded once.
    let created: Value = serde_json::from_slice(&first).unwrap();
    let id = created["invoice"]["id"].as_str().unwrap();
    let (status, _) = api
        .json("POST", &format!("/invoices/{id}/issue"), "acme", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let pay = [(KEY, "payment-1")];
    let payment = json!({ "amount": "10.00", "date": "2026-12-03" });
    for _ in 0..2 {
        let (status, _, body) = api
            .call(
                "POST",
                &format!("/invoices/{id}/payments"),
                Some("acme"),
                Some(payment.clone()),
                &pay,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}", text(&body));
    }
    let (_, invoice) = api
        .json("GET", &format!("/invoices/{id}"), "acme", None)
        .await;
    assert_eq!(invoice["invoice"]["payments"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_retried_post_has_one_effect() {
    retries_have_one_effect(&api().await).await;
}

#[tokio::test]
async fn a_retried_post_has_one_effect_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("service.db").display());
    retries_have_one_effect(&api_on(&url).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_with_one_key_create_one_invoice() {
    let api = std::sync::Arc::new(api().await);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let api = std::sync::Arc::clone(&api);
        tasks.spawn(async move {
            let (status, _, body) = api
                .call(
                    "POST",
                    "/invoices",
                    Some("race"),
                    Some(draft_body()),
                    &[(KEY, "one-key")],
                )
                .await;
            (status, body)
        });
    }
    let mut created = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (status, body) = done.unwrap();
        match status {
            StatusCode::CREATED => created.push(body),
            StatusCode::CONFLICT => assert!(text(&body).contains("idempotency_in_progress")),
            other => panic!("{other}: {}", text(&body)),
        }
    }
    assert!(!created.is_empty());
    assert!(
        created.windows(2).all(|w| w[0] == w[1]),
        "one invoice, one body"
    );
    assert_eq!(total(&api, "race").await, 1);
}

#[tokio::test]
async fn a_malformed_key_is_a_400() {
    let api = api().await;
    let long = "k".repeat(256);
    for key in ["", "with space", long.as_str()] {
        let (status, _, body) = api
            .call(
                "POST",
                "/invoices",
                Some("acme"),
                Some(draft_body()),
                &[(KEY, key)],
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{key:?}: {}", text(&body));
        assert!(text(&body).contains("Idempotency-Key"));
    }
    assert_eq!(total(&api, "acme").await, 0);
}

#[tokio::test]
async fn limits_are_answered_with_their_status_never_a_500() {
    let api = api().await;

    // A body over 4 MiB: 413, also through the idempotency layer.
    let mut huge = draft_body();
    huge["payment_terms"] = json!("x".repeat(5 * 1024 * 1024));
    for extra in [vec![], vec![(KEY, "big")]] {
        let (status, _, body) = api
            .call(
                "POST",
                "/invoices",
                Some("acme"),
                Some(huge.clone()),
                &extra,
            )
            .await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{}", text(&body));
        assert!(text(&body).contains("payload_too_large"));
    }

    // JSON nested deeper than serde_json's limit: 400.
    let mut deep = json!("leaf");
    for _ in 0..200 {
        deep = json!([deep]);
    }
    let mut body = draft_body();
    body["payment_terms"] = deep;
    let (status, _, answer) = api
        .call("POST", "/invoices", Some("acme"), Some(body), &[])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{}", text(&answer));

    // More lines than an invoice may have: 400 naming `lines`.
    let line = draft_body()["lines"][0].clone();
    let mut body = draft_body();
    body["lines"] = Value::Array(vec![line; 10_001]);
    let (status, _, answer) = api
        .call("POST", "/invoices", Some("acme"), Some(body), &[])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{}", text(&answer));
    assert!(
        text(&answer).contains("\"field\":\"lines\""),
        "{}",
        text(&answer)
    );

    // Page sizes outside 1..=1000: 400.
    for uri in [
        "/invoices?size=0",
        "/invoices?size=1001",
        "/clients?size=0",
        "/clients?size=5000",
        "/invoices?page=99999999999",
    ] {
        let (status, answer) = api.json("GET", uri, "acme", None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {answer}");
        assert!(answer["error"]["code"].is_string(), "{uri}: {answer}");
    }
    assert_eq!(total(&api, "acme").await, 0);
}
