//! What can go wrong in the group watch.

use jitadmin_graph::GraphError;
use jitadmin_store::StoreError;

use super::DeviceError;

/// A watch step failed; the event (or the next `maintain` run) tries again.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// Graph refused or failed a call.
    #[error("{what}: {source}")]
    Graph {
        /// What we were doing, e.g. `group g: delta query`.
        what: String,
        /// Graph's error (status, code, request-id).
        source: GraphError,
    },
    /// Syncing a removed member's devices failed.
    #[error("{0}")]
    Devices(#[from] DeviceError),
    /// The store failed.
    #[error("the store failed: {0}")]
    Store(#[from] StoreError),
    /// Watching is not configured (no groups, URL or clientState).
    #[error("group watching is not configured: set JITADMIN_WATCH_GROUPS, JITADMIN_NOTIFICATION_URL and JITADMIN_CLIENT_STATE")]
    NotConfigured,
}

/// A `map_err` helper naming the step.
pub fn graph(what: impl Into<String>) -> impl FnOnce(GraphError) -> WatchError {
    let what = what.into();
    move |source| WatchError::Graph { what, source }
}
