//! Service Bus over its REST API: queues with sessions, peek-lock with lock expiry, max delivery
//! count and the `$DeadLetterQueue` sub-queue, duplicate detection, Entra or SAS auth.
//!
//! Served under `{base}/servicebus/`: `POST {queue}/messages` (send), `POST
//! {entity}/messages/head` (peek-lock), `DELETE|PUT|POST {entity}/messages/{seq}/{lock}`
//! (complete, unlock, renew). `{entity}` is a queue or `{queue}/$DeadLetterQueue`.
//!
//! Delivery counting follows the broker: a receive counts a delivery (the receiver sees
//! `DeliveryCount` 1 the first time); an unlock or an expired lock makes the message available
//! again, and once it has been delivered `max_delivery_count` times it moves to the dead-letter
//! sub-queue with `DeadLetterReason: MaxDeliveryCountExceeded`. Messages in the dead-letter
//! sub-queue are never dead-lettered again. Locks expire lazily: every operation on a queue
//! first releases the locks that ran out.

pub(crate) mod api;
pub(crate) mod area;
mod auth;
mod routes;

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

pub use api::{QueueSettings, SbMessage};
pub(crate) use routes::routes;

/// The dead-letter reason after too many deliveries.
pub const MAX_DELIVERY_COUNT_EXCEEDED: &str = "MaxDeliveryCountExceeded";
/// The sub-queue segment.
pub const DEAD_LETTER_QUEUE: &str = "$DeadLetterQueue";
/// The shared access policy the sim knows.
pub const SAS_KEY_NAME: &str = "RootManageSharedAccessKey";

/// One stored message, as an operator (or a test) sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredMessage {
    /// `SequenceNumber`.
    pub sequence_number: i64,
    /// `MessageId`.
    pub message_id: String,
    /// `SessionId`.
    pub session_id: Option<String>,
    /// `CorrelationId`.
    pub correlation_id: Option<String>,
    /// `Label`.
    pub label: Option<String>,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// Application properties (as received: names lower-cased by HTTP).
    pub properties: Map<String, Value>,
    /// The body.
    #[serde(skip)]
    pub body: Vec<u8>,
    /// `EnqueuedTimeUtc`.
    pub enqueued_time_utc: DateTime<Utc>,
    /// Deliveries so far.
    pub delivery_count: u32,
    /// The current lock: token and expiry.
    #[serde(skip)]
    pub lock: Option<(String, DateTime<Utc>)>,
}

impl StoredMessage {
    /// The body as text.
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Queue {
    pub settings: QueueSettings,
    pub active: Vec<StoredMessage>,
    pub dead: Vec<StoredMessage>,
    /// MessageIds seen, for duplicate detection.
    pub seen: Vec<(String, DateTime<Utc>)>,
}

/// Every queue of the simulated namespace, and its shared access key.
#[derive(Debug)]
pub(crate) struct ServiceBusState {
    pub queues: BTreeMap<String, Queue>,
    pub sas_key: String,
    next_seq: i64,
}

impl Default for ServiceBusState {
    fn default() -> Self {
        use base64::Engine;
        let key = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        ServiceBusState {
            queues: BTreeMap::new(),
            sas_key: base64::engine::general_purpose::STANDARD.encode(key),
            next_seq: 0,
        }
    }
}

fn chrono_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

impl ServiceBusState {
    pub fn next_sequence_number(&mut self) -> i64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// Release expired locks of `queue`; active messages delivered too often move to the DLQ.
    pub fn expire_locks(&mut self, queue: &str, now: DateTime<Utc>) {
        let Some(q) = self.queues.get_mut(queue) else { return };
        for m in q.active.iter_mut().chain(q.dead.iter_mut()) {
            if m.lock.as_ref().is_some_and(|(_, until)| *until <= now) {
                m.lock = None;
            }
        }
        q.dead_letter_exhausted(
            |m| m.lock.is_none(),
            "the message's lock expired after its last allowed delivery",
        );
    }
}

impl Queue {
    pub fn new(settings: QueueSettings) -> Self {
        Queue {
            settings,
            active: Vec::new(),
            dead: Vec::new(),
            seen: Vec::new(),
        }
    }

    /// Move unlocked active messages that were delivered `max_delivery_count` times to the DLQ.
    pub fn dead_letter_exhausted(&mut self, eligible: impl Fn(&StoredMessage) -> bool, description: &str) {
        let max = self.settings.max_delivery_count;
        let (exhausted, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut self.active)
            .into_iter()
            .partition(|m| eligible(m) && m.delivery_count >= max);
        self.active = keep;
        for mut m in exhausted {
            m.lock = None;
            m.properties
                .insert("DeadLetterReason".into(), MAX_DELIVERY_COUNT_EXCEEDED.into());
            m.properties
                .insert("DeadLetterErrorDescription".into(), description.into());
            self.dead.push(m);
        }
        self.dead.sort_by_key(|m| m.sequence_number);
    }

    pub fn lock_duration(&self) -> chrono::Duration {
        chrono_duration(self.settings.lock_duration)
    }

    /// Whether `message_id` was sent within the duplicate-detection window (and remember it).
    pub fn is_duplicate(&mut self, message_id: &str, now: DateTime<Utc>) -> bool {
        let Some(window) = self.settings.duplicate_detection else {
            return false;
        };
        let window = chrono_duration(window);
        self.seen.retain(|(_, at)| *at + window > now);
        if self.seen.iter().any(|(id, _)| id == message_id) {
            return true;
        }
        self.seen.push((message_id.to_string(), now));
        false
    }
}
