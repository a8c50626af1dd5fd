//! The crate's error type.

/// A backend's own error, boxed so that no driver type leaks into the API.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything a store can report. Variants say what happened, not which backend.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No such row for this tenant (another tenant's row is reported the same way).
    #[error("{what} {id} not found")]
    NotFound {
        /// Kind of row, such as `"invoice"`.
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// The stored version is not the expected one: someone else changed the row.
    #[error("{what} {id} was changed concurrently: expected version {expected}, found {found}")]
    Conflict {
        /// Kind of row.
        what: &'static str,
        /// Its id.
        id: String,
        /// The version the caller read.
        expected: u64,
        /// The version stored now.
        found: u64,
    },
    /// A row with this id exists already.
    #[error("{what} {id} already exists")]
    AlreadyExists {
        /// Kind of row.
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// The operation is not allowed on the row as it is stored (deleting an issued invoice).
    #[error("{what} {id}: {reason}")]
    NotAllowed {
        /// Kind of row.
        what: &'static str,
        /// Its id.
        id: String,
        /// Why.
        reason: &'static str,
    },
    /// A document key that would escape its prefix or is malformed.
    #[error("invalid document key {key:?}: {reason}")]
    InvalidKey {
        /// The key as given.
        key: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// An idempotency key that is empty, too long or not visible ASCII.
    #[error("invalid idempotency key {key:?}: {reason}")]
    InvalidIdempotencyKey {
        /// The key as given.
        key: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A query or page request that cannot be answered (page size 0, foreign cursor).
    #[error("invalid query: {reason}")]
    InvalidQuery {
        /// Why.
        reason: String,
    },
    /// The domain rejected the change (for example an invoice that breaks EN 16931 rules
    /// at issue).
    #[error(transparent)]
    Domain(#[from] invoice_core::Error),
    /// A stored row could not be read back (written by an incompatible version).
    #[error("stored {what} {id} is unreadable")]
    Corrupt {
        /// Kind of row.
        what: &'static str,
        /// Its id.
        id: String,
        /// The decoding error.
        source: BoxError,
    },
    /// The database was migrated by a newer version of this library.
    #[error("{backend} schema is at migration {found}, newer than this library knows ({supported}); upgrade the library")]
    SchemaTooNew {
        /// Backend name.
        backend: &'static str,
        /// Newest migration found in the database.
        found: i64,
        /// Newest migration this library has.
        supported: i64,
    },
    /// A store URL this library cannot read (see `StoreUrl::parse`).
    #[error("invalid store URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The URL names a store whose cargo feature this build of the library lacks.
    #[error("{scheme}: URLs need the `{feature}` feature of invoice-storage")]
    FeatureNotEnabled {
        /// The URL's scheme.
        scheme: &'static str,
        /// The feature to enable.
        feature: &'static str,
    },
    /// Settings an adapter cannot work with (a zero pool size, a malformed schema name,
    /// bucket name or endpoint), refused before anything is contacted.
    #[error("invalid {backend} settings: {reason}")]
    InvalidConfig {
        /// Backend name, such as `"s3"`.
        backend: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A store could not be opened where it was asked to be: a missing folder, no
    /// permission, a file that is not a database.
    #[error("cannot open the {backend} store at {location}")]
    Open {
        /// Backend name, such as `"sqlite"`.
        backend: &'static str,
        /// Where it was to be opened (a path).
        location: String,
        /// Why it could not be.
        source: BoxError,
    },
    /// The backend failed (connection lost, bad URL, I/O error).
    #[error("{backend} backend error")]
    Backend {
        /// Backend name, such as `"postgres"`.
        backend: &'static str,
        /// The driver's error.
        source: BoxError,
    },
}

impl Error {
    /// [`Error::NotFound`] for the `what` with this id.
    pub(crate) fn not_found(what: &'static str, id: impl std::fmt::Display) -> Self {
        Self::NotFound {
            what,
            id: id.to_string(),
        }
    }

    /// [`Error::Conflict`]: the `what` with this id is at version `found`, not `expected`.
    pub(crate) fn conflict(
        what: &'static str,
        id: impl std::fmt::Display,
        expected: u64,
        found: u64,
    ) -> Self {
        Self::Conflict {
            what,
            id: id.to_string(),
            expected,
            found,
        }
    }
}

/// The crate's result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_send_sync_static() {
        fn assert_bounds<T: std::error::Error + Send + Sync + 'static>() {}
        assert_bounds::<Error>();
    }
}
