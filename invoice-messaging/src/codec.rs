//! The wire format: an [`EventEnvelope`] as JSON, plus the headers brokers route on.

use invoice_core::EventEnvelope;

use crate::error::{Error, Result};

/// Content type of encoded envelopes.
pub const CONTENT_TYPE: &str = "application/json";

/// Encodes an envelope as JSON bytes.
///
/// # Errors
///
/// [`Error::Decode`] if serialization fails (it does not for envelopes built by
/// `invoice-core`).
pub fn encode(envelope: &EventEnvelope) -> Result<Vec<u8>> {
    serde_json::to_vec(envelope).map_err(|e| Error::Decode {
        reason: e.to_string(),
    })
}

/// Decodes JSON bytes into an envelope.
///
/// # Errors
///
/// [`Error::Decode`] when the bytes are not an envelope, or one of a newer schema version.
pub fn decode(bytes: &[u8]) -> Result<EventEnvelope> {
    let envelope: EventEnvelope = serde_json::from_slice(bytes).map_err(|e| Error::Decode {
        reason: e.to_string(),
    })?;
    if envelope.schema_version > EventEnvelope::SCHEMA_VERSION {
        return Err(Error::Decode {
            reason: format!(
                "schema version {} is newer than {}",
                envelope.schema_version,
                EventEnvelope::SCHEMA_VERSION
            ),
        });
    }
    Ok(envelope)
}
