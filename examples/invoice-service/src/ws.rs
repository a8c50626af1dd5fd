//! `GET /ws?token=…`: pushes the tenant's invoice events, as JSON text frames, as the
//! broker delivers them.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use invoice_core::TenantId;
use tokio::sync::broadcast::error::RecvError;

use crate::auth::WsTenant;
use crate::AppState;

/// Upgrades to a WebSocket that streams this tenant's events.
pub async fn events(
    State(state): State<AppState>,
    WsTenant(tenant): WsTenant,
    upgrade: WebSocketUpgrade,
) -> Response {
    let receiver = state.events.subscribe();
    upgrade.on_upgrade(move |socket| push(socket, tenant, receiver))
}

async fn push(
    mut socket: WebSocket,
    tenant: TenantId,
    mut events: tokio::sync::broadcast::Receiver<invoice_core::EventEnvelope>,
) {
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Ok(event) if event.tenant == tenant => {
                    let Ok(json) = serde_json::to_string(&event) else { continue };
                    if socket.send(Message::Text(json.into())).await.is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                // A slow client misses events rather than slowing everyone down.
                Err(RecvError::Lagged(n)) => tracing::warn!(missed = n, "websocket client lagging"),
                Err(RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}
