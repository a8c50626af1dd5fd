//! What the service pushes to a tenant's WebSocket clients.

use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

/// Connects to `/ws` of the service at `ws_base` (such as `ws://127.0.0.1:8080`) with
/// `token`, and records every event pushed, as JSON, until the socket closes.
pub async fn watch(ws_base: &str, token: &str) -> Arc<Mutex<Vec<Value>>> {
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("{ws_base}/ws?token={token}"))
        .await
        .unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Some(Ok(message)) = socket.next().await {
            if let Message::Text(text) = message {
                let event = serde_json::from_str(text.as_str())
                    .unwrap_or_else(|_| Value::String(text.to_string()));
                record.lock().unwrap().push(event);
            }
        }
    });
    seen
}

/// The `event.type`s of the recorded events about `invoice`, sorted.
pub fn event_types(seen: &Mutex<Vec<Value>>, invoice: &str) -> Vec<String> {
    let mut types: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e["invoice_id"] == invoice)
        .map(|e| e["event"]["type"].as_str().unwrap_or_default().to_owned())
        .collect();
    types.sort();
    types
}

/// The tenants of the recorded events.
pub fn tenants(seen: &Mutex<Vec<Value>>) -> Vec<String> {
    seen.lock()
        .unwrap()
        .iter()
        .map(|e| e["tenant"].as_str().unwrap_or_default().to_owned())
        .collect()
}
