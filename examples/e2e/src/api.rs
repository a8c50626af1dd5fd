//! The service's REST API, as the test calls it.

use reqwest::{Method, StatusCode};
use serde_json::Value;

/// The service's REST API.
pub struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    /// The API of the service at `base`, such as `http://127.0.0.1:8080`.
    pub fn new(base: String) -> Self {
        Self {
            http: reqwest::Client::new(),
            base,
        }
    }

    /// Calls `path` with `token`, and `body` as JSON; returns the status and the JSON
    /// answer (`null` when there is none).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let bytes = response.bytes().await.unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }
}
