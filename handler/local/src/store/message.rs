//! Messages as the queue store keeps them, and what senders provide.

use base64::Engine;
use chrono::{DateTime, Utc};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

/// A message to send. Unset ids are generated (`message_id`) or left empty.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewMessage {
    /// The body bytes.
    #[serde(skip)]
    pub body: Vec<u8>,
    /// `MessageId` (the duplicate-detection key); a new GUID when unset.
    #[serde(default)]
    pub message_id: Option<String>,
    /// `SessionId`.
    #[serde(default)]
    pub session_id: Option<String>,
    /// `CorrelationId`.
    #[serde(default)]
    pub correlation_id: Option<String>,
    /// `ContentType`.
    #[serde(default)]
    pub content_type: Option<String>,
    /// `Subject` (legacy `Label`).
    #[serde(default)]
    pub subject: Option<String>,
    /// `ApplicationProperties`.
    #[serde(default)]
    pub application_properties: Map<String, Value>,
}

impl NewMessage {
    /// A message with these body bytes.
    pub fn bytes(body: impl Into<Vec<u8>>) -> Self {
        NewMessage {
            body: body.into(),
            ..NewMessage::default()
        }
    }

    /// A message whose body is this value's JSON text.
    pub fn json(body: &Value) -> Self {
        NewMessage::bytes(body.to_string().into_bytes())
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

    /// Set `CorrelationId`.
    pub fn correlation_id(mut self, id: impl Into<String>) -> Self {
        self.correlation_id = Some(id.into());
        self
    }

    /// Set `ContentType`.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Set `Subject`.
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Add an application property.
    pub fn property(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.application_properties.insert(name.into(), value.into());
        self
    }
}

/// A stored message (active, locked or dead-lettered).
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The queue.
    pub queue: String,
    /// `SequenceNumber`: unique and increasing across the store.
    pub sequence_number: i64,
    /// `MessageId`.
    pub message_id: String,
    /// `SessionId`.
    pub session_id: Option<String>,
    /// `CorrelationId`.
    pub correlation_id: Option<String>,
    /// `ContentType`.
    pub content_type: Option<String>,
    /// `Subject`.
    pub subject: Option<String>,
    /// `ApplicationProperties`.
    pub application_properties: Map<String, Value>,
    /// The body bytes.
    pub body: Vec<u8>,
    /// `EnqueuedTimeUtc`.
    pub enqueued_time_utc: DateTime<Utc>,
    /// `DeliveryCount`: deliveries so far (the current one included while locked).
    pub delivery_count: u32,
    /// While locked: until when.
    pub locked_until_utc: Option<DateTime<Utc>>,
    /// Dead-lettered messages: `DeadLetterReason`.
    pub dead_letter_reason: Option<String>,
    /// Dead-lettered messages: `DeadLetterErrorDescription`.
    pub dead_letter_error_description: Option<String>,
    /// The error of the last failed delivery, if any.
    pub last_error: Option<String>,
}

impl Message {
    /// The body as UTF-8 text, if it is.
    pub fn body_text(&self) -> Option<&str> {
        std::str::from_utf8(&self.body).ok()
    }

    /// The body parsed as JSON, if it is.
    pub fn body_json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// JSON for operators: camelCase properties; `body` as text (`bodyBase64` when the body
/// is not UTF-8).
impl Serialize for Message {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("queue", &self.queue)?;
        map.serialize_entry("sequenceNumber", &self.sequence_number)?;
        map.serialize_entry("messageId", &self.message_id)?;
        map.serialize_entry("sessionId", &self.session_id)?;
        map.serialize_entry("correlationId", &self.correlation_id)?;
        map.serialize_entry("contentType", &self.content_type)?;
        map.serialize_entry("subject", &self.subject)?;
        map.serialize_entry("applicationProperties", &self.application_properties)?;
        map.serialize_entry("enqueuedTimeUtc", &self.enqueued_time_utc)?;
        map.serialize_entry("deliveryCount", &self.delivery_count)?;
        map.serialize_entry("lockedUntilUtc", &self.locked_until_utc)?;
        map.serialize_entry("deadLetterReason", &self.dead_letter_reason)?;
        map.serialize_entry("deadLetterErrorDescription", &self.dead_letter_error_description)?;
        map.serialize_entry("lastError", &self.last_error)?;
        match self.body_text() {
            Some(text) => map.serialize_entry("body", text)?,
            None => map.serialize_entry(
                "bodyBase64",
                &base64::engine::general_purpose::STANDARD.encode(&self.body),
            )?,
        }
        map.end()
    }
}

/// A message under a peek-lock: settle it with its lock token.
#[derive(Debug, Clone, PartialEq)]
pub struct Locked {
    /// The message (its `delivery_count` counts this delivery).
    pub message: Message,
    /// The lock token.
    pub lock_token: String,
}

/// What happened to a sent message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendOutcome {
    /// Stored with this sequence number.
    Enqueued(i64),
    /// Dropped: its `MessageId` was seen within the duplicate-detection window.
    Duplicate,
}

/// What an abandon did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Abandoned {
    /// Visible again for another delivery.
    Retry,
    /// Moved to the dead-letter queue (`MaxDeliveryCountExceeded`).
    DeadLettered,
    /// The lock was no longer held (expired and taken by someone else, or settled).
    LockLost,
}

/// Message counts of one queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueCounts {
    /// The queue.
    pub name: String,
    /// Deliverable now or later (not locked, not dead-lettered).
    pub active: u64,
    /// Under a live lock (being delivered).
    pub locked: u64,
    /// In the dead-letter queue.
    pub dead_lettered: u64,
}
