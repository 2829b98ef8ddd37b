//! Messages: what we send, what a receive gives back, and the `BrokerProperties` header.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The `BrokerProperties` header (JSON): system properties of a message. Unknown ones are
/// ignored; times are RFC 1123 strings as the REST API writes them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BrokerProperties {
    /// `MessageId` (the duplicate-detection key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// `SessionId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// `CorrelationId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// `Label` (the subject).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// `TimeToLive`, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_to_live: Option<f64>,
    /// Received only: deliveries so far, this one included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_count: Option<u32>,
    /// Received only: the broker's sequence number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence_number: Option<i64>,
    /// Received only: the sequence number first assigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enqueued_sequence_number: Option<i64>,
    /// Received only: when the broker accepted it (RFC 1123).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enqueued_time_utc: Option<String>,
    /// Received only: the lock token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_token: Option<String>,
    /// Received only: until when the lock holds (RFC 1123).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_until_utc: Option<String>,
    /// Received only: `Active`, `Deferred`, `Scheduled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Dead-lettered and auto-forwarded messages: where it was dead-lettered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_source: Option<String>,
}

/// A message to send.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutgoingMessage {
    /// The body bytes.
    pub body: Vec<u8>,
    /// `Content-Type` (default `application/json`).
    pub content_type: Option<String>,
    /// The broker properties to set (only the settable ones are sent).
    pub broker: BrokerProperties,
    /// Application properties, each sent as its own header.
    pub properties: Map<String, Value>,
}

impl OutgoingMessage {
    /// A message with these body bytes.
    pub fn new(body: impl Into<Vec<u8>>) -> Self {
        OutgoingMessage {
            body: body.into(),
            ..OutgoingMessage::default()
        }
    }

    /// A copy of a received message to send again: the same body, content type, MessageId,
    /// SessionId, CorrelationId, Label and application properties (the dead-letter reason
    /// and description, which the broker adds, are left out).
    pub fn from_received(received: &ReceivedMessage) -> Self {
        let b = &received.broker;
        let mut properties = received.properties.clone();
        for added in ["deadletterreason", "deadlettererrordescription"] {
            properties.retain(|k, _| !k.eq_ignore_ascii_case(added));
        }
        OutgoingMessage {
            body: received.body.clone(),
            content_type: received.content_type.clone(),
            broker: BrokerProperties {
                message_id: b.message_id.clone(),
                session_id: b.session_id.clone(),
                correlation_id: b.correlation_id.clone(),
                label: b.label.clone(),
                ..BrokerProperties::default()
            },
            properties,
        }
    }

    /// Set `MessageId`.
    pub fn message_id(mut self, id: impl Into<String>) -> Self {
        self.broker.message_id = Some(id.into());
        self
    }

    /// Set `SessionId`.
    pub fn session_id(mut self, id: impl Into<String>) -> Self {
        self.broker.session_id = Some(id.into());
        self
    }

    /// Set `CorrelationId`.
    pub fn correlation_id(mut self, id: impl Into<String>) -> Self {
        self.broker.correlation_id = Some(id.into());
        self
    }

    /// Add an application property.
    pub fn property(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.properties.insert(name.into(), value.into());
        self
    }

    /// The `BrokerProperties` header value: the settable properties only.
    pub(crate) fn broker_header(&self) -> String {
        let b = &self.broker;
        let settable = BrokerProperties {
            message_id: b.message_id.clone(),
            session_id: b.session_id.clone(),
            correlation_id: b.correlation_id.clone(),
            label: b.label.clone(),
            time_to_live: b.time_to_live,
            ..BrokerProperties::default()
        };
        serde_json::to_string(&settable).unwrap_or_else(|_| "{}".into())
    }
}

/// A message received under a peek-lock.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedMessage {
    /// The entity it came from (`events/$DeadLetterQueue`, ...).
    pub entity: String,
    /// The body bytes.
    pub body: Vec<u8>,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// The broker properties.
    pub broker: BrokerProperties,
    /// Application properties (custom headers; names as the HTTP stack gives them).
    pub properties: Map<String, Value>,
    /// The locked message's URI (`Location`), for complete and unlock.
    pub location: Option<String>,
}

impl ReceivedMessage {
    /// The sequence number (0 when the broker gave none).
    pub fn sequence_number(&self) -> i64 {
        self.broker.sequence_number.unwrap_or_default()
    }

    /// An application property as text, by case-insensitive name.
    pub fn property_text(&self, name: &str) -> Option<String> {
        self.properties
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
    }

    /// `DeadLetterReason` (an application property the broker adds when dead-lettering).
    pub fn dead_letter_reason(&self) -> Option<String> {
        self.property_text("DeadLetterReason")
    }

    /// `DeadLetterErrorDescription`.
    pub fn dead_letter_description(&self) -> Option<String> {
        self.property_text("DeadLetterErrorDescription")
    }

    /// When the broker accepted the message.
    pub fn enqueued_time(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        let text = self.broker.enqueued_time_utc.as_deref()?;
        chrono::DateTime::parse_from_rfc2822(text)
            .ok()
            .map(|t| t.with_timezone(&chrono::Utc))
    }
}

/// Headers that are HTTP's or the broker's own, never application properties.
const NOT_PROPERTIES: [&str; 18] = [
    "content-type",
    "content-length",
    "date",
    "server",
    "location",
    "brokerproperties",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "strict-transport-security",
    "vary",
    "cache-control",
    "expires",
    "pragma",
    "authorization",
    "accept",
    // Tracking headers front ends add.
    "request-id",
    "client-request-id",
];

/// Application properties from response headers: JSON values (strings arrive quoted), else text.
pub(crate) fn properties_from_headers(headers: &reqwest::header::HeaderMap) -> Map<String, Value> {
    let mut properties = Map::new();
    for (name, value) in headers {
        let name = name.as_str();
        if NOT_PROPERTIES.contains(&name) || name.starts_with("x-ms-") {
            continue;
        }
        let Ok(text) = value.to_str() else { continue };
        let value = serde_json::from_str::<Value>(text).unwrap_or_else(|_| Value::String(text.to_string()));
        properties.insert(name.to_string(), value);
    }
    properties
}

/// A property's header value: JSON text (strings quoted, as the REST API documents).
pub(crate) fn property_header(value: &Value) -> String {
    value.to_string()
}
