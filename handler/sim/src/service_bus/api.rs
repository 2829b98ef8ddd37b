//! The Rust API of the simulated namespace: create queues, seed and inspect messages.

use std::time::Duration;

use chrono::Utc;
use serde_json::{Map, Value};

use super::{Queue, StoredMessage, DEAD_LETTER_QUEUE, SAS_KEY_NAME};
use crate::error::{Result, SimError};
use crate::TenantSim;

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

impl TenantSim {
    /// The namespace's REST endpoint: `{base}/servicebus/`.
    pub fn service_bus_url(&self) -> String {
        format!("{}/servicebus/", self.base_url())
    }

    /// A connection string for the namespace (`RootManageSharedAccessKey`, http endpoint).
    pub fn service_bus_connection_string(&self) -> String {
        format!(
            "Endpoint={};SharedAccessKeyName={SAS_KEY_NAME};SharedAccessKey={}",
            self.service_bus_url(),
            self.service_bus_key()
        )
    }

    /// The namespace's shared access key.
    pub fn service_bus_key(&self) -> String {
        self.shared().service_bus().sas_key.clone()
    }

    /// Create (or replace) a queue.
    pub fn create_queue(&self, settings: QueueSettings) {
        let name = settings.name.clone();
        self.shared().service_bus().queues.insert(name, Queue::new(settings));
    }

    /// Put a message straight into `queue`'s dead-letter sub-queue, as if it had been
    /// delivered `delivery_count` times and dead-lettered with `reason` and `description`.
    pub fn dead_letter(
        &self,
        queue: &str,
        message: SbMessage,
        delivery_count: u32,
        reason: &str,
        description: &str,
    ) -> Result<i64> {
        let mut sb = self.shared().service_bus();
        let seq = sb.next_sequence_number();
        let q = sb.queues.get_mut(queue).ok_or_else(|| SimError::NotFound {
            kind: "queue",
            id: queue.to_string(),
        })?;
        let mut stored = stored(seq, message, delivery_count);
        stored.properties.insert("DeadLetterReason".into(), reason.into());
        stored
            .properties
            .insert("DeadLetterErrorDescription".into(), description.into());
        q.dead.push(stored);
        Ok(seq)
    }

    /// The active messages of `queue` (or of `{queue}/$DeadLetterQueue`), oldest first,
    /// after releasing expired locks.
    pub fn queue_messages(&self, entity: &str) -> Vec<StoredMessage> {
        let (queue, dead) = split_entity(entity);
        let mut sb = self.shared().service_bus();
        sb.expire_locks(queue, Utc::now());
        sb.queues
            .get(queue)
            .map(|q| if dead { q.dead.clone() } else { q.active.clone() })
            .unwrap_or_default()
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
