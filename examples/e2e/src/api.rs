//! The service's REST API, as the test calls it.

use reqwest::header::HeaderMap;
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
        let (status, _, body) = self
            .send(method, path, token, body, &[])
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        (status, body)
    }

    /// Calls `path` as [`call`](Self::call) does, with `headers` besides; returns the
    /// response's headers too, and the transport's error rather than failing (for a
    /// service that may have been killed).
    ///
    /// # Errors
    ///
    /// When the service cannot be reached or the answer not read.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Result<(StatusCode, HeaderMap, Value), reqwest::Error> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await?;
        Ok((
            status,
            headers,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        ))
    }
}
