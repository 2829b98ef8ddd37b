//! The store's errors: what went wrong, on which record, with what an operator needs to act.

use crate::config::ConfigError;

/// Anything a store operation can fail with.
///
/// Messages name the record and id involved; they never contain account keys or tokens.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The backend setting could not be understood.
    #[error(transparent)]
    Config(#[from] ConfigError),

    /// A value is larger than the backend allows. Sizes are counted as Table Storage counts them
    /// (UTF-16 bytes for strings) on every backend, so behaviour is the same everywhere.
    #[error("{record} field {field} is {size} bytes, over the {limit}-byte limit; nothing was written")]
    ValueTooLarge {
        /// The kind of record, e.g. `audit event`.
        record: &'static str,
        /// The field (or `entity` for the whole record).
        field: String,
        /// Its size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },

    /// A conditional insert found the record already there.
    #[error("{record} {id:?} already exists")]
    AlreadyExists {
        /// The kind of record.
        record: &'static str,
        /// Its id.
        id: String,
    },

    /// An optimistic-concurrency write lost: the record changed since it was read.
    #[error("{record} {id:?} was changed by someone else since it was read (ETag mismatch); read it again")]
    ETagMismatch {
        /// The kind of record.
        record: &'static str,
        /// Its id.
        id: String,
    },

    /// A record that must exist does not.
    #[error("{record} {id:?} does not exist")]
    NotFound {
        /// The kind of record.
        record: &'static str,
        /// Its id.
        id: String,
    },

    /// Table Storage answered with an error status.
    #[error("Table Storage {operation} on table {table} failed: HTTP {status} {code}: {message} (x-ms-request-id {request_id})")]
    Table {
        /// What we tried (`insert`, `query`, ...).
        operation: &'static str,
        /// The table.
        table: String,
        /// HTTP status.
        status: u16,
        /// The service's error code, e.g. `AuthenticationFailed`.
        code: String,
        /// The service's message.
        message: String,
        /// The service's request id, for support cases.
        request_id: String,
    },

    /// A request to Table Storage could not be completed (connection, timeout) after retries.
    #[error("Table Storage {operation} on table {table} did not complete after {attempts} attempts: {source}")]
    Transport {
        /// What we tried.
        operation: &'static str,
        /// The table.
        table: String,
        /// How many attempts were made.
        attempts: u32,
        /// The last transport error.
        #[source]
        source: reqwest::Error,
    },

    /// No Entra token could be had for Table Storage.
    #[error("could not get an Entra token for Table Storage (scope {scope}): {source}")]
    Credential {
        /// The scope asked for.
        scope: &'static str,
        /// The credential's error.
        #[source]
        source: azure_core::Error,
    },

    /// SQLite failed.
    #[error("SQLite {operation} on {path} failed: {source}")]
    Sqlite {
        /// What we tried.
        operation: &'static str,
        /// The database file (or `:memory:`).
        path: String,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },

    /// A stored record could not be read back into its type.
    #[error("{record} {id:?} in table {table} is unreadable: {reason}")]
    Corrupt {
        /// The kind of record.
        record: &'static str,
        /// Its id (or keys).
        id: String,
        /// The table.
        table: String,
        /// Why.
        reason: String,
    },

    /// An optimistic read-modify-write kept losing to concurrent writers.
    #[error("{record} {id:?} kept changing under us; gave up after {attempts} attempts")]
    Contended {
        /// The kind of record.
        record: &'static str,
        /// Its id.
        id: String,
        /// Attempts made.
        attempts: u32,
    },

    /// The blocking worker running SQLite calls panicked or was cancelled.
    #[error("the SQLite worker task failed: {0}")]
    Worker(String),
}

/// A short alias.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
