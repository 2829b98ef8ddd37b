//! The Rust API's types for the simulated namespace: a queue's settings and a message to seed
//! (`TenantSim`'s methods that create queues, seed and inspect messages are in the sim layer).

use std::time::Duration;

use chrono::Utc;
use serde_json::{Map, Value};

use super::{StoredMessage, DEAD_LETTER_QUEUE};

/// A queue's settings (the Service Bus defaults: 1 minute lock, 10 deliveries).
#[derive(Debug, Clone, PartialEq)]
pub struct QueueSettings {
    /// The queue's name.
    pub name: String,
    /// `requiresSession`: sends must set `SessionId`; REST peek-lock on it is refused.
    pub requires_session: bool,
    /// `lockDuration`.
    pub lock_duration: Duration,
    /// `maxDeliveryCount`.
    pub max_delivery_count: u32,
    /// `duplicateDetectionHistoryTimeWindow` when `requiresDuplicateDetection`.
    pub duplicate_detection: Option<Duration>,
}

impl QueueSettings {
    /// A queue with the defaults.
    pub fn new(name: impl Into<String>) -> Self {
        QueueSettings {
            name: name.into(),
            requires_session: false,
            lock_duration: Duration::from_secs(60),
            max_delivery_count: 10,
            duplicate_detection: None,
        }
    }

    /// Session-enabled.
    pub fn sessions(mut self) -> Self {
        self.requires_session = true;
        self
    }

    /// Set the lock duration.
    pub fn lock_duration(mut self, d: Duration) -> Self {
        self.lock_duration = d;
        self
    }

    /// Set the max delivery count.
    pub fn max_delivery_count(mut self, n: u32) -> Self {
        self.max_delivery_count = n;
        self
    }

    /// Enable duplicate detection with this window.
    pub fn duplicate_detection(mut self, window: Duration) -> Self {
        self.duplicate_detection = Some(window);
        self
    }
}

/// A message to seed into a queue or its dead-letter sub-queue.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SbMessage {
    /// The body.
    pub body: Vec<u8>,
    /// `MessageId` (a new GUID when unset).
    pub message_id: Option<String>,
    /// `SessionId`.
    pub session_id: Option<String>,
    /// `CorrelationId`.
    pub correlation_id: Option<String>,
    /// Application properties.
    pub properties: Map<String, Value>,
}

impl SbMessage {
    /// A message with a JSON body.
    pub fn json(body: &Value) -> Self {
        SbMessage {
            body: body.to_string().into_bytes(),
            ..SbMessage::default()
        }
    }

    /// Set `MessageId`.
    pub fn message_id(mut self, id: impl Into<String>) -> Self {
        self.message_id = Some(id.into());
        self
    }

    /// Set `SessionId`.
    pub fn session_id(mut self, id: impl Into<String>) -> Self {
        self.session_id = Some(id.into());
        self
    }
}

pub(crate) fn stored(seq: i64, message: SbMessage, delivery_count: u32) -> StoredMessage {
    StoredMessage {
        sequence_number: seq,
        message_id: message
            .message_id
            .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string()),
        session_id: message.session_id,
        correlation_id: message.correlation_id,
        label: None,
        content_type: Some("application/json".into()),
        properties: message.properties,
        body: message.body,
        enqueued_time_utc: Utc::now(),
        delivery_count,
        lock: None,
    }
}

/// `events` -> (`events`, false); `events/$DeadLetterQueue` -> (`events`, true).
pub(crate) fn split_entity(entity: &str) -> (&str, bool) {
    match entity.split_once('/') {
        Some((queue, sub)) if sub.eq_ignore_ascii_case(DEAD_LETTER_QUEUE) => (queue, true),
        _ => (entity, false),
    }
}
