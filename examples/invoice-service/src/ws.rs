//! `GET /ws?token=…`: pushes the tenant's invoice events, as JSON text frames, as the
//! broker delivers them.

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use invoice_core::TenantId;
use tokio::sync::broadcast::error::RecvError;

use crate::auth::WsTenant;
use crate::error::AppError;
use crate::AppState;

/// The largest message (and frame) a client may send, in bytes.
pub const MAX_CLIENT_MESSAGE: usize = 4096;

/// Upgrades to a WebSocket that streams this tenant's invoice events as JSON text
/// frames. The token comes in the `Authorization` header or, as browsers cannot set
/// headers on a WebSocket, in `?token=` (this route only).
#[utoipa::path(
    get,
    path = "/ws",
    params(("token" = Option<String>, Query, description = "The bearer token, when the client cannot send the Authorization header")),
    responses(
        (status = 101, description = "Switching to the WebSocket protocol: one text frame per event of the token's tenant"),
        (status = 400, description = "Not a WebSocket upgrade request", body = crate::error::ErrorResponse),
        (status = 401, description = "No token, or one that does not verify", body = crate::error::ErrorResponse)
    ),
    security(("bearer" = []), ())
)]
pub async fn events(
    State(state): State<AppState>,
    WsTenant(tenant): WsTenant,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, AppError> {
    // Clients only close the socket or answer pings: a small message is all they need,
    // and all a client can make the service hold.
    let upgrade = upgrade
        .map_err(|e| AppError::bad_request(e.body_text()))?
        .max_message_size(MAX_CLIENT_MESSAGE)
        .max_frame_size(MAX_CLIENT_MESSAGE);
    let receiver = state.events.subscribe();
    Ok(upgrade.on_upgrade(move |socket| push(socket, tenant, receiver)))
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
