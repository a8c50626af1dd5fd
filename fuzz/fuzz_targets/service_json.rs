//! Any bytes as the JSON body of the service's write routes (and as a list query),
//! through the real router with `tower::ServiceExt::oneshot`: no response is a server
//! error (5xx), whatever the body says.
//!
//! The first byte picks the route; the rest is the body. The service runs on embedded
//! defaults (memory store, in-process broker, a temporary documents folder), with a
//! draft and an issued invoice to aim at; it is built again every few thousand inputs,
//! so that what the inputs create does not pile up.
#![no_main]

use std::sync::Mutex;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use invoice_service::{app, auth, config::Config, state};
use libfuzzer_sys::fuzz_target;
use tokio::runtime::Runtime;
use tower::ServiceExt;

/// Inputs served by one service before it is built again.
const INPUTS_PER_SERVICE: u32 = 5_000;

struct Service {
    router: Router,
    background: Option<state::Background>,
    _documents: tempfile::TempDir,
    token: String,
    draft: String,
    issued: String,
    inputs: u32,
}

static RUNTIME: std::sync::LazyLock<Runtime> = std::sync::LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
});
static SERVICE: Mutex<Option<Service>> = Mutex::new(None);

const DRAFT: &str = r#"{"currency":"EUR","seller":{"name":"Seller GmbH","address":{"country":"DE"},"vat_id":"DE123456789"},"buyer":{"name":"Buyer AG","address":{"country":"DE"}},"due_date":"2026-12-24","lines":[{"id":"1","name":"Consulting","quantity":"10","unit":"HUR","price":"100.00","vat":{"category":"S","rate":"19"}}]}"#;

async fn call(
    router: &Router,
    method: Method,
    uri: &str,
    token: &str,
    body: Vec<u8>,
    if_match: Option<&str>,
) -> (StatusCode, Vec<u8>, Option<String>) {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(version) = if_match {
        request = request.header(header::IF_MATCH, version);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let etag = response
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, body, etag)
}

fn id_of(body: &[u8]) -> String {
    let value: serde_json::Value = serde_json::from_slice(body).unwrap();
    value["invoice"]["id"].as_str().unwrap().to_owned()
}

async fn start() -> Service {
    let documents = tempfile::tempdir().unwrap();
    let dir = documents.path().to_str().unwrap().to_owned();
    let config = Config::from_env(|k| match k {
        "DOCUMENTS_DIR" => Some(dir.clone()),
        "DATABASE_URL" => Some("memory".to_owned()),
        _ => None,
    })
    .unwrap();
    let (state, background) = state::build(&config).await.unwrap();
    let router = app(state);
    let token = auth::issue_token(config.auth.secret().unwrap(), "fuzz", "fuzz", 24).unwrap();
    let draft = call(
        &router,
        Method::POST,
        "/invoices",
        &token,
        DRAFT.into(),
        None,
    )
    .await;
    assert_eq!(draft.0, StatusCode::CREATED);
    let issued = call(
        &router,
        Method::POST,
        "/invoices",
        &token,
        DRAFT.into(),
        None,
    )
    .await;
    let issued = id_of(&issued.1);
    let body = br#"{"issue_date":"2026-11-24"}"#.to_vec();
    let done = call(
        &router,
        Method::POST,
        &format!("/invoices/{issued}/issue"),
        &token,
        body,
        Some("\"1\""),
    )
    .await;
    assert_eq!(
        done.0,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&done.1)
    );
    Service {
        router,
        background: Some(background),
        _documents: documents,
        token,
        draft: id_of(&draft.1),
        issued,
        inputs: 0,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&route, body)) = data.split_first() else {
        return;
    };
    let mut guard = SERVICE.lock().unwrap();
    RUNTIME.block_on(async {
        if guard
            .as_ref()
            .is_some_and(|s| s.inputs >= INPUTS_PER_SERVICE)
        {
            if let Some(mut old) = guard.take() {
                if let Some(background) = old.background.take() {
                    background.stop().await;
                }
            }
        }
        if guard.is_none() {
            *guard = Some(start().await);
        }
        let service = guard.as_mut().unwrap();
        service.inputs += 1;
        let (draft, issued) = (service.draft.clone(), service.issued.clone());
        let (method, uri) = match route % 9 {
            0 => (Method::POST, "/invoices".to_owned()),
            1 => (Method::PATCH, format!("/invoices/{draft}")),
            2 => (Method::POST, format!("/invoices/{draft}/issue")),
            3 => (Method::POST, format!("/invoices/{issued}/payments")),
            4 => (Method::POST, format!("/invoices/{issued}/notes")),
            5 => (Method::POST, format!("/invoices/{issued}/credit-note")),
            6 => (Method::POST, "/clients".to_owned()),
            7 => (
                Method::PUT,
                "/clients/00000000-0000-0000-0000-000000000001".to_owned(),
            ),
            _ => {
                // The body as a list query.
                let query = String::from_utf8_lossy(body).replace(['#', ' '], "");
                (Method::GET, format!("/invoices?{query}"))
            }
        };
        // Where a route wants the current version, give it, so that the body is what
        // decides the answer.
        let version = if matches!(route % 9, 1 | 2) {
            call(
                &service.router,
                Method::GET,
                &format!("/invoices/{draft}"),
                &service.token,
                Vec::new(),
                None,
            )
            .await
            .2
        } else {
            None
        };
        let Ok(uri) = uri.parse::<axum::http::Uri>() else {
            return;
        };
        let (status, response, _) = call(
            &service.router,
            method,
            &uri.to_string(),
            &service.token,
            body.to_vec(),
            version.as_deref(),
        )
        .await;
        assert!(
            !status.is_server_error(),
            "{status} for route {}: {}",
            route % 9,
            String::from_utf8_lossy(&response)
        );
        // An input that made a new invoice or client leaves it: they are dropped with
        // the service.
        if status.is_success() && route % 9 == 2 {
            // The draft was issued: aim the next inputs at a new draft.
            let draft = call(
                &service.router,
                Method::POST,
                "/invoices",
                &service.token,
                DRAFT.into(),
                None,
            )
            .await;
            service.draft = id_of(&draft.1);
        }
    });
});
