//! The work `process` does for each queued event, keyed by the event's own idempotency
//! key: a key the ledger says is done changes nothing and says so (log and audit).

mod callout;
mod record;
pub(crate) mod resume;

use jitadmin_events::ParseError;
use jitadmin_graph::GraphError;
use jitadmin_store::StoreError;

use crate::app::App;
use crate::queue::{EventKind, QueuedEvent};

pub use resume::ResumeResult;

/// How an event was handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    /// Handled now; the text says what was done (also the ledger's outcome).
    Done(String),
    /// The key was already done: nothing changed. The text is the earlier outcome.
    Duplicate(String),
}

/// Handling failed; the invocation fails so that the queue retries, then dead-letters.
#[derive(Debug, thiserror::Error)]
pub enum WorkError {
    /// The queued payload is not a callout (it was one when queued, so this needs an operator).
    #[error("event {key}: the payload is not a valid callout: {source}")]
    Payload {
        /// The event's key.
        key: String,
        /// Why.
        source: ParseError,
    },
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
            WorkError::Payload { .. } => false,
            WorkError::Store { .. } => true,
            WorkError::Resume { source, .. } => source.is_transient(),
            WorkError::Teams { source, .. } => source.is_transient(),
        }
    }
}

/// Handle one event.
pub async fn handle(app: &App, event: &QueuedEvent) -> Result<Handled, WorkError> {
    match event.kind {
        EventKind::Callout => callout::handle(app, event).await,
    }
}
