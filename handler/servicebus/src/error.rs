//! What can go wrong talking to Service Bus.

/// A failed Service Bus operation, with the entity and what the broker said.
#[derive(Debug, thiserror::Error)]
pub enum ServiceBusError {
    /// The connection string is unusable (the key is never repeated).
    #[error("bad Service Bus connection string: {0}")]
    ConnectionString(String),
    /// No token could be had for Service Bus.
    #[error("getting a token for Service Bus: {0}")]
    Token(String),
    /// The request never got an answer.
    #[error("could not reach Service Bus for {operation} on '{entity}': {source}")]
    Transport {
        /// `send`, `receive`, `complete`, ...
        operation: &'static str,
        /// The queue or sub-queue.
        entity: String,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// 401/403: the identity or key is not allowed.
    #[error("Service Bus refused {operation} on '{entity}' (HTTP {status}): {detail} — check the role assignment (Azure Service Bus Data Sender/Receiver) or the key")]
    Unauthorized {
        /// The operation.
        operation: &'static str,
        /// The entity.
        entity: String,
        /// 401 or 403.
        status: u16,
        /// The broker's text.
        detail: String,
    },
    /// 404/410 on the entity itself: no such queue.
    #[error("Service Bus has no queue '{entity}' ({operation}: HTTP {status})")]
    EntityNotFound {
        /// The operation.
        operation: &'static str,
        /// The entity.
        entity: String,
        /// The status.
        status: u16,
    },
    /// Completing, unlocking or renewing a message whose lock is gone (expired, or settled).
    #[error("the lock on message {sequence_number} of '{entity}' was lost (expired or already settled)")]
    LockLost {
        /// The entity.
        entity: String,
        /// The message's sequence number.
        sequence_number: i64,
    },
    /// Any other error answer.
    #[error("Service Bus {operation} on '{entity}' failed: HTTP {status}: {detail}")]
    Http {
        /// The operation.
        operation: &'static str,
        /// The entity.
        entity: String,
        /// The status.
        status: u16,
        /// The broker's text.
        detail: String,
    },
    /// A success answer we cannot read.
    #[error("Service Bus answered {operation} on '{entity}' with something unreadable: {detail}")]
    Malformed {
        /// The operation.
        operation: &'static str,
        /// The entity.
        entity: String,
        /// What is wrong.
        detail: String,
    },
}

impl ServiceBusError {
    /// Worth retrying later: no answer, throttled (429), busy or failing (5xx).
    pub fn is_transient(&self) -> bool {
        match self {
            ServiceBusError::Transport { .. } => true,
            ServiceBusError::Http { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }

    /// The lock on the message is gone.
    pub fn is_lock_lost(&self) -> bool {
        matches!(self, ServiceBusError::LockLost { .. })
    }
}
