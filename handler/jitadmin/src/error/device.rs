//! What can go wrong on the device side.

use jitadmin_graph::GraphError;
use jitadmin_store::StoreError;

/// A device-side step failed; the event is retried (only what failed is redone).
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    /// The user's managed devices could not be listed.
    #[error("user {user}: listing their managed devices failed: {source}")]
    List {
        /// The user.
        user: String,
        /// Graph's error (status, code, request-id).
        source: GraphError,
    },
    /// Some syncs failed (throttling that outlasted the retries, 5xx...).
    #[error("user {user}: {failed} of {total} device sync(s) failed, first: {first}")]
    Sync {
        /// The user.
        user: String,
        /// How many failed.
        failed: usize,
        /// How many were attempted.
        total: usize,
        /// The first failure.
        first: String,
    },
    /// The user could not be told.
    #[error("user {user}: the notice could not be sent: {source}")]
    Notify {
        /// The user.
        user: String,
        /// Graph's error.
        source: GraphError,
    },
    /// The user could not be told in Teams, and there is no mailbox to fall back on.
    #[error("user {user}: the Teams notice could not be sent: {source}")]
    Teams {
        /// The user.
        user: String,
        /// The Bot Connector's error.
        source: jitadmin_teams::connector::ConnectorError,
    },
    /// The store failed.
    #[error("the store failed: {0}")]
    Store(#[from] StoreError),
}

impl DeviceError {
    /// Whether a later attempt could succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            DeviceError::List { source, .. } | DeviceError::Notify { source, .. } => source.is_transient(),
            DeviceError::Teams { source, .. } => source.is_transient(),
            DeviceError::Sync { .. } | DeviceError::Store(_) => true,
        }
    }
}
