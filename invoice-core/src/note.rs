//! Notes attached to an invoice.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::NoteId;

/// A note on an invoice: who wrote what, and when (BT-22 when exported).
///
/// # Examples
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use invoice_core::{Note, NoteId};
/// use uuid::Uuid;
///
/// let note = Note::new(NoteId::from_uuid(Uuid::from_u128(1)), "admin-7", "Call before delivery",
///     Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap())?;
/// assert_eq!(note.author(), "admin-7");
/// assert!(Note::new(note.id(), "admin-7", "   ", note.created_at()).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Note {
    id: NoteId,
    author: String,
    text: String,
    created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    subject_code: Option<String>,
}

impl Note {
    /// A note; the id and time come from the caller.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidField`] when the text is blank or over 10 000 characters.
    pub fn new(
        id: NoteId,
        author: impl Into<String>,
        text: impl Into<String>,
        created_at: DateTime<Utc>,
    ) -> Result<Self> {
        let text = text.into();
        if text.trim().is_empty() || text.chars().count() > 10_000 {
            return Err(Error::InvalidField {
                field: "note text",
                value: text,
                reason: "must be 1 to 10000 characters and not blank",
            });
        }
        Ok(Self {
            id,
            author: author.into(),
            text,
            created_at,
            subject_code: None,
        })
    }

    /// Sets the subject of the note as a code (BT-21, UNTDID 4451 such as `AAI` for
    /// general information, `REG` for regulatory information).
    pub fn with_subject_code(mut self, code: impl Into<String>) -> Self {
        self.subject_code = Some(code.into());
        self
    }

    /// The note's subject code (BT-21).
    pub fn subject_code(&self) -> Option<&str> {
        self.subject_code.as_deref()
    }

    /// The note's id.
    pub fn id(&self) -> NoteId {
        self.id
    }

    /// Who wrote it.
    pub fn author(&self) -> &str {
        &self.author
    }

    /// What it says.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// When it was written.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
}
