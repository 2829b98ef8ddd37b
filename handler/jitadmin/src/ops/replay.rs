//! Replaying dead letters: the same steps against the local host's queue or Service Bus.

use std::path::PathBuf;

use serde::Serialize;

use super::azure_queue::AzureQueue;
use super::dead_letters::DeadLetter;
#[cfg(feature = "dev")]
use super::local_queue::LocalQueue;

/// What can stop a listing or a replay.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    /// The directory holds no local queue store.
    #[error("{0} holds no local queue store (start `jitadmin dev` there first, or pass the state directory)")]
    NoLocalState(PathBuf),
    /// The local store failed.
    #[error("local queue store: {0}")]
    Local(String),
    /// Service Bus failed.
    #[error(transparent)]
    ServiceBus(#[from] jitadmin_servicebus::ServiceBusError),
}

/// What happened to one selected message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "outcome", content = "detail")]
pub enum Outcome {
    /// Sent back to the queue and removed from the dead letters.
    Replayed,
    /// Not sent; still in the dead-letter queue.
    SendFailed(String),
    /// Sent, but still in the dead-letter queue (e.g. its lock ran out): a later replay sends
    /// it again, which the ledger makes harmless.
    SentButNotRemoved(String),
    /// No longer in the dead-letter queue (replayed or removed by someone else).
    Gone,
}

/// Where the dead letters are.
#[derive(Debug, Clone)]
pub enum DeadLetterQueue {
    /// The local host's store.
    #[cfg(feature = "dev")]
    Local(LocalQueue),
    /// Azure Service Bus.
    Azure(AzureQueue),
}

impl DeadLetterQueue {
    /// Where, for messages.
    pub fn describe(&self) -> String {
        match self {
            #[cfg(feature = "dev")]
            DeadLetterQueue::Local(q) => q.describe(),
            DeadLetterQueue::Azure(q) => q.describe(),
        }
    }

    /// Every dead letter, oldest first.
    pub async fn list(&self) -> Result<Vec<DeadLetter>, OpsError> {
        match self {
            #[cfg(feature = "dev")]
            DeadLetterQueue::Local(q) => q.list(),
            DeadLetterQueue::Azure(q) => q.list().await,
        }
    }

    /// Replay `selected`; `step` hears each message's outcome as it happens.
    pub async fn replay(&self, selected: &[DeadLetter], step: impl FnMut(i64, &Outcome)) -> Result<(), OpsError> {
        match self {
            #[cfg(feature = "dev")]
            DeadLetterQueue::Local(q) => q.replay(selected, step),
            DeadLetterQueue::Azure(q) => q.replay(selected, step).await,
        }
    }
}

/// Counts of a replay run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Selected for replay.
    pub selected: usize,
    /// Replayed and removed.
    pub replayed: usize,
    /// Sent but left in the dead-letter queue.
    pub sent_not_removed: usize,
    /// Send failed; left in the dead-letter queue.
    pub failed: usize,
    /// Gone before we got to them.
    pub gone: usize,
}

impl Summary {
    /// Count one outcome.
    pub fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Replayed => self.replayed += 1,
            Outcome::SendFailed(_) => self.failed += 1,
            Outcome::SentButNotRemoved(_) => self.sent_not_removed += 1,
            Outcome::Gone => self.gone += 1,
        }
    }

    /// Done: every message was either replayed or gone.
    pub fn is_clean(&self) -> bool {
        self.failed == 0 && self.sent_not_removed == 0
    }
}
