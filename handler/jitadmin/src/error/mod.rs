//! What can go wrong while handling an event, by area. Each error says whether a later
//! attempt could succeed: a transient failure fails the invocation, so the queue retries it
//! (and after its maximum delivery count dead-letters it for an operator to replay).

mod device;
mod watch;

use jitadmin_graph::GraphError;
use jitadmin_store::StoreError;

pub use device::DeviceError;
pub use watch::{graph, WatchError};

/// Handling failed; the invocation fails so that the queue retries, then dead-letters.
#[derive(Debug, thiserror::Error)]
pub enum WorkError {
    /// The store failed.
    #[error("event {key}: the store failed: {source}")]
    Store {
        /// The event's key.
        key: String,
        /// Why.
        source: StoreError,
    },
    /// The Bot Connector refused or failed (posting an approval card).
    #[error("event {key}: the Teams card could not be posted: {source}")]
    Teams {
        /// The event's key.
        key: String,
        /// The Connector's error.
        source: jitadmin_teams::connector::ConnectorError,
    },
    /// Graph refused or failed the resume and the request still waits (or cannot be read).
    #[error("event {key}: resume failed: {source}")]
    Resume {
        /// The event's key.
        key: String,
        /// Graph's error (status, code, request-id).
        source: GraphError,
    },
}

impl WorkError {
    /// Whether a later attempt could succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            WorkError::Store { .. } => true,
            WorkError::Resume { source, .. } => source.is_transient(),
            WorkError::Teams { source, .. } => source.is_transient(),
        }
    }
}

/// A Teams decision could not be applied (yet); the queue retries it.
#[derive(Debug, thiserror::Error)]
pub enum DecisionError {
    /// A decision arrived but Teams is not configured.
    #[error("a Teams decision arrived but Teams is off (JITADMIN_BOT_APP_ID unset)")]
    TeamsOff,
    /// The store failed.
    #[error("the store failed: {0}")]
    Store(#[from] StoreError),
    /// Entra did not accept the decision yet.
    #[error("the decision is still not applied: {0}")]
    NotApplied(String),
}
