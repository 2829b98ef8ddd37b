//! The events queue in Azure Service Bus, through the REST client.
//!
//! The REST API cannot browse, so listing takes a peek-lock on each dead letter in turn,
//! holding the locks (the next receive then yields the next message), and unlocks them all
//! at the end. Replaying does the same walk: a selected message is sent to the queue and
//! completed (deleted from the dead-letter queue) only after the send succeeded; the others
//! are held and unlocked at the end. A walk stops at an empty receive or at the first message
//! seen twice (a lock that ran out during a long walk).

use std::collections::HashSet;
use std::time::Duration;

use chrono::Utc;
use jitadmin_servicebus::{dead_letter_queue, OutgoingMessage, ReceivedMessage, ServiceBusClient};

use super::dead_letters::{replay_count, replay_marker, summarise, DeadLetter, REPLAY_PROPERTY};
use super::replay::{OpsError, Outcome};

/// How long a receive waits for the next dead letter.
const RECEIVE_WAIT: Duration = Duration::from_secs(1);

/// A queue in a Service Bus namespace.
#[derive(Debug, Clone)]
pub struct AzureQueue {
    client: ServiceBusClient,
    queue: String,
}

impl AzureQueue {
    /// `queue` in the namespace `client` talks to.
    pub fn new(client: ServiceBusClient, queue: &str) -> Self {
        AzureQueue {
            client,
            queue: queue.to_string(),
        }
    }

    /// Where the queue is.
    pub fn describe(&self) -> String {
        format!("Service Bus queue '{}' at {}", self.queue, self.client.endpoint())
    }

    /// The dead letters, oldest first (each one's delivery count grows by one: see above).
    pub async fn list(&self) -> Result<Vec<DeadLetter>, OpsError> {
        let dlq = dead_letter_queue(&self.queue);
        let mut held = Vec::new();
        let mut seen = HashSet::new();
        let walk = async {
            while let Some(m) = self.client.peek_lock(&dlq, RECEIVE_WAIT).await? {
                let fresh = seen.insert(m.sequence_number());
                held.push(m);
                if !fresh {
                    break;
                }
            }
            Ok::<_, OpsError>(())
        }
        .await;
        // A message seen twice (its lock ran out during the walk) is listed once.
        let mut out: Vec<DeadLetter> = Vec::new();
        for m in &held {
            if !out.iter().any(|d| d.sequence_number == m.sequence_number()) {
                out.push(view(m));
            }
        }
        self.unlock_all(&held).await;
        walk?;
        Ok(out)
    }

    async fn unlock_all(&self, held: &[ReceivedMessage]) {
        for m in held {
            if let Err(e) = self.client.unlock(m).await {
                // An expired lock releases the message anyway.
                tracing::debug!(sequence_number = m.sequence_number(), error = %e, "unlock failed");
            }
        }
    }

    /// Replay the selected dead letters (by sequence number).
    pub async fn replay(&self, selected: &[DeadLetter], mut step: impl FnMut(i64, &Outcome)) -> Result<(), OpsError> {
        let dlq = dead_letter_queue(&self.queue);
        let mut wanted: HashSet<i64> = selected.iter().map(|d| d.sequence_number).collect();
        let mut held = Vec::new();
        let mut seen = HashSet::new();
        let result = async {
            while !wanted.is_empty() {
                let Some(m) = self.client.peek_lock(&dlq, RECEIVE_WAIT).await? else {
                    break;
                };
                let seq = m.sequence_number();
                if !seen.insert(seq) && !wanted.contains(&seq) {
                    held.push(m);
                    break;
                }
                if !wanted.remove(&seq) {
                    held.push(m);
                    continue;
                }
                let outcome = self.replay_one(&m).await;
                if matches!(outcome, Outcome::SendFailed(_)) {
                    held.push(m);
                }
                step(seq, &outcome);
            }
            Ok::<_, OpsError>(())
        }
        .await;
        self.unlock_all(&held).await;
        result?;
        for seq in wanted {
            step(seq, &Outcome::Gone);
        }
        Ok(())
    }

    async fn replay_one(&self, m: &ReceivedMessage) -> Outcome {
        let previous = replay_count(m.property_text(REPLAY_PROPERTY).as_deref());
        let copy = OutgoingMessage::from_received(m).property(REPLAY_PROPERTY, replay_marker(previous, Utc::now()));
        // Send first; complete (delete from the DLQ) only once the copy is accepted.
        if let Err(e) = self.client.send(&self.queue, &copy).await {
            return Outcome::SendFailed(e.to_string());
        }
        match self.client.complete(m).await {
            Ok(()) => Outcome::Replayed,
            Err(e) => Outcome::SentButNotRemoved(e.to_string()),
        }
    }
}

fn view(m: &ReceivedMessage) -> DeadLetter {
    DeadLetter {
        sequence_number: m.sequence_number(),
        message_id: m.broker.message_id.clone().unwrap_or_default(),
        session_id: m.broker.session_id.clone(),
        enqueued_at: m.enqueued_time(),
        delivery_count: m.broker.delivery_count.unwrap_or_default().saturating_sub(1),
        reason: m.dead_letter_reason(),
        description: m.dead_letter_description(),
        replays: replay_count(m.property_text(REPLAY_PROPERTY).as_deref()),
        event: summarise(&m.body),
    }
}
