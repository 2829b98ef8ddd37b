//! Service Bus trigger input and output binding.
//!
//! # The envelope
//! The host copies a JSON body's top-level properties into the trigger metadata, where
//! they can shadow system keys such as `MessageId`: a body `{"MessageId": "x"}` makes the
//! metadata say the message id is `x`. Messages written with [`OutputMessage`] therefore
//! have exactly one top-level key, `azfnMessage`, holding the body and the broker
//! properties the sender wants:
//!
//! ```json
//! {"azfnMessage": {"messageId": "k1", "sessionId": "u1", "applicationProperties": {}, "body": {}}}
//! ```
//!
//! For a custom handler the Service Bus output binding sets only the message body (setting
//! broker properties such as the message id needs the .NET SDK types, see
//! <https://learn.microsoft.com/azure/azure-functions/functions-bindings-service-bus-output>),
//! so in Azure the broker properties travel inside the envelope and [`ServiceBusMessage`]
//! reads them from there when the broker's own metadata lacks them; `azfn-local` applies
//! them as broker properties.
//!
//! The trigger's metadata (`MessageId`, `DeliveryCount`, `ApplicationProperties`, ...) is
//! listed in
//! <https://learn.microsoft.com/azure/azure-functions/functions-bindings-service-bus-trigger>.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::encoding;
use crate::error::BindingError;
use crate::invocation::InvocationRequest;

/// The envelope's single top-level key.
pub const ENVELOPE_KEY: &str = "azfnMessage";

/// A message delivered by a Service Bus trigger.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceBusMessage {
    /// The body: the envelope's `body` when enveloped, else the decoded message body.
    pub body: Value,
    /// Broker message id.
    pub message_id: Option<String>,
    /// Session id (session-enabled entities).
    pub session_id: Option<String>,
    /// Times this message has been delivered, this delivery included.
    pub delivery_count: Option<i64>,
    /// Broker sequence number.
    pub sequence_number: Option<i64>,
    /// When the broker accepted the message.
    pub enqueued_time_utc: Option<DateTime<Utc>>,
    /// Correlation id.
    pub correlation_id: Option<String>,
    /// Content type.
    pub content_type: Option<String>,
    /// Subject (legacy `Label`).
    pub subject: Option<String>,
    /// Application (user) properties.
    pub application_properties: Map<String, Value>,
    /// True when the body arrived in our envelope.
    pub enveloped: bool,
}

/// The envelope's content.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// Message id to set (duplicate detection key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// Session id to set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// Correlation id to set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// Subject to set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Application properties to set.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub application_properties: Map<String, Value>,
    /// The body.
    #[serde(default)]
    pub body: Value,
}

impl ServiceBusMessage {
    /// Build the typed message from an invocation whose trigger binding is `binding`.
    pub fn from_invocation(request: &InvocationRequest, binding: &str) -> Result<Self, BindingError> {
        let raw = request
            .data
            .get(binding)
            .ok_or_else(|| BindingError::MissingBinding(binding.to_owned()))?;
        let decoded = encoding::decode_json_body(raw).unwrap_or_else(|_| encoding::decode_value(raw.clone()));
        let (body, envelope) = match decoded {
            Value::Object(mut map) if map.len() == 1 && map.contains_key(ENVELOPE_KEY) => {
                let inner = map.remove(ENVELOPE_KEY).unwrap_or_default();
                let envelope: Envelope = serde_json::from_value(inner)
                    .map_err(|e| BindingError::Malformed(format!("{ENVELOPE_KEY}: {e}")))?;
                (envelope.body.clone(), Some(envelope))
            }
            other => (other, None),
        };
        let props = request
            .metadata_value("ApplicationProperties")
            .or_else(|| request.metadata_value("UserProperties"))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let env = envelope.clone().unwrap_or_default();
        let mut application_properties = env.application_properties.clone();
        application_properties.extend(props);
        Ok(ServiceBusMessage {
            body,
            message_id: request.metadata_string("MessageId").or(env.message_id),
            session_id: request.metadata_string("SessionId").or(env.session_id),
            delivery_count: request.metadata_value("DeliveryCount").and_then(encoding::decode_i64),
            sequence_number: request.metadata_value("SequenceNumber").and_then(encoding::decode_i64),
            enqueued_time_utc: request
                .metadata_value("EnqueuedTimeUtc")
                .or_else(|| request.metadata_value("EnqueuedTime"))
                .and_then(encoding::decode_datetime),
            correlation_id: request.metadata_string("CorrelationId").or(env.correlation_id),
            content_type: request.metadata_string("ContentType"),
            subject: request
                .metadata_string("Subject")
                .or_else(|| request.metadata_string("Label"))
                .or(env.subject),
            application_properties,
            enveloped: envelope.is_some(),
        })
    }

    /// The correlation id a sender set: `CorrelationId`, else the `correlationId` application property.
    pub fn correlation(&self) -> Option<String> {
        self.correlation_id.clone().or_else(|| {
            self.application_properties
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("correlationId"))
                .and_then(|(_, v)| v.as_str().map(str::to_string))
        })
    }

    /// An application property as text, by case-insensitive name.
    pub fn property_text(&self, name: &str) -> Option<String> {
        self.application_properties
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
    }

    /// Deserialize the body into a typed value.
    pub fn body_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_value(self.body.clone())
    }
}

/// One message for a Service Bus output binding.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutputMessage {
    envelope: Envelope,
}

impl OutputMessage {
    /// A message with a JSON body.
    pub fn new(body: impl Serialize) -> Self {
        let body = serde_json::to_value(body).unwrap_or(Value::Null);
        OutputMessage {
            envelope: Envelope {
                body,
                ..Envelope::default()
            },
        }
    }

    /// Set the message id (the duplicate-detection key).
    pub fn message_id(mut self, id: impl Into<String>) -> Self {
        self.envelope.message_id = Some(id.into());
        self
    }

    /// Set the session id.
    pub fn session_id(mut self, id: impl Into<String>) -> Self {
        self.envelope.session_id = Some(id.into());
        self
    }

    /// Set the correlation id.
    pub fn correlation_id(mut self, id: impl Into<String>) -> Self {
        self.envelope.correlation_id = Some(id.into());
        self
    }

    /// Set the subject.
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.envelope.subject = Some(subject.into());
        self
    }

    /// Add an application property.
    pub fn property(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.envelope.application_properties.insert(name.into(), value.into());
        self
    }

    /// The enveloped JSON value written to the binding.
    pub fn to_value(&self) -> Value {
        let mut map = Map::new();
        map.insert(
            ENVELOPE_KEY.to_owned(),
            serde_json::to_value(&self.envelope).unwrap_or(Value::Null),
        );
        Value::Object(map)
    }

    /// The message a function wrote as `value` (one item of its output binding): the
    /// inverse of [`to_value`](Self::to_value). A value that is not an envelope is the body
    /// of a message without broker properties.
    pub fn from_value(value: &Value) -> Self {
        let envelope = match value {
            Value::Object(map) if map.len() == 1 => map
                .get(ENVELOPE_KEY)
                .and_then(|inner| serde_json::from_value::<Envelope>(inner.clone()).ok()),
            _ => None,
        };
        match envelope {
            Some(envelope) => OutputMessage { envelope },
            None => OutputMessage::new(value),
        }
    }

    /// The envelope.
    pub fn envelope(&self) -> &Envelope {
        &self.envelope
    }
}
