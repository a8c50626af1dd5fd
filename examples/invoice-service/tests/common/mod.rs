//! The service on embedded defaults behind `app()`, called with
//! `tower::ServiceExt::oneshot` (no port), and the request bodies the tests share.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use invoice_service::{app, auth, config::Config, state};
use serde_json::{json, Value};
use tower::ServiceExt;

pub(crate) struct Api {
    pub(crate) router: axum::Router,
    /// The stores behind the router, for work the service does in the background (the
    /// recurring invoice generator) run on a clock the test controls.
    pub(crate) state: state::AppState,
    _docs: tempfile::TempDir,
    secret: String,
}

pub(crate) async fn api() -> Api {
    api_on("memory").await
}

pub(crate) async fn api_on(database_url: &str) -> Api {
    let docs = tempfile::tempdir().unwrap();
    let dir = docs.path().to_str().unwrap().to_owned();
    let database_url = database_url.to_owned();
    let config = Config::from_env(|k| match k {
        "DOCUMENTS_DIR" => Some(dir.clone()),
        "DATABASE_URL" => Some(database_url.clone()),
        // The tests run the generator themselves, on their own clock.
        "SCHEDULE_INTERVAL" => Some("0".to_owned()),
        _ => None,
    })
    .unwrap();
    let (state, background) = state::build(&config).await.unwrap();
    std::mem::forget(background); // tasks run for the test's lifetime
    Api {
        router: app(state.clone()),
        state,
        _docs: docs,
        secret: config.auth.secret().unwrap().to_owned(),
    }
}

impl Api {
    pub(crate) fn token(&self, tenant: &str) -> String {
        auth::issue_token(&self.secret, "tester", tenant, 1).unwrap()
    }

    pub(crate) async fn call(
        &self,
        method: &str,
        uri: &str,
        tenant: Option<&str>,
        body: Option<Value>,
        extra: &[(&str, &str)],
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let text = body.map(|v| v.to_string());
        self.call_text(method, uri, tenant, text.as_deref(), extra)
            .await
    }

    /// As [`Api::call`], with the body sent as given (valid JSON or not), labelled
    /// `application/json`.
    pub(crate) async fn call_text(
        &self,
        method: &str,
        uri: &str,
        tenant: Option<&str>,
        body: Option<&str>,
        extra: &[(&str, &str)],
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = tenant {
            req = req.header(header::AUTHORIZATION, format!("Bearer {}", self.token(t)));
        }
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        let body = match body {
            Some(text) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(text.to_owned())
            }
            None => Body::empty(),
        };
        let response = self
            .router
            .clone()
            .oneshot(req.body(body).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        (status, headers, bytes)
    }

    /// Creates a draft of `tenant` from `body` through `POST /invoices` (which must answer
    /// 201): its id and the whole answer.
    pub(crate) async fn create_draft(&self, tenant: &str, body: Value) -> (String, Value) {
        let (status, created) = self.json("POST", "/invoices", tenant, Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let id = created["invoice"]["id"].as_str().unwrap().to_owned();
        (id, created)
    }

    pub(crate) async fn json(
        &self,
        method: &str,
        uri: &str,
        tenant: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let (status, _, bytes) = self.call(method, uri, Some(tenant), body, &[]).await;
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }
}

pub(crate) fn party(name: &str) -> Value {
    json!({ "name": name, "address": { "lines": ["Street 1"], "city": "Berlin", "postal_code": "10115", "country": "DE" }, "vat_id": "DE123456789", "email": "ap@example.com" })
}

pub(crate) fn draft_body() -> Value {
    json!({
        "currency": "EUR",
        "seller": party("Seller GmbH"),
        "buyer": party("Buyer AG"),
        "due_date": "2026-12-24",
        "lines": [
            { "id": "1", "name": "Consulting", "quantity": "10", "unit": "HUR", "price": "100.00", "vat": { "category": "S", "rate": "19" } },
            { "id": "2", "name": "Book", "quantity": "2", "unit": "C62", "price": "24.90", "vat": { "category": "S", "rate": "7" } }
        ]
    })
}
