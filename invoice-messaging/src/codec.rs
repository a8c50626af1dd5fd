//! The wire format: a [`Message`] as JSON.

use crate::error::{Error, Result};
use crate::message::Message;

/// Content type of encoded messages.
pub const CONTENT_TYPE: &str = "application/json";

/// Encodes a message as JSON bytes.
///
/// # Errors
///
/// [`Error::Decode`] if serialization fails (it does not for the messages of this
/// library).
pub fn encode<M: Message>(message: &M) -> Result<Vec<u8>> {
    serde_json::to_vec(message).map_err(|e| Error::Decode {
        reason: e.to_string(),
    })
}

/// Decodes JSON bytes into a message and [checks](Message::check) it.
///
/// # Errors
///
/// [`Error::Decode`] when the bytes are not such a message, or one its check refuses (an
/// event of a newer schema version).
pub fn decode<M: Message>(bytes: &[u8]) -> Result<M> {
    let message: M = serde_json::from_slice(bytes).map_err(|e| Error::Decode {
        reason: e.to_string(),
    })?;
    message.check().map_err(|reason| Error::Decode { reason })?;
    Ok(message)
}
