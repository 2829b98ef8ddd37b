//! The events queue: what `callout` (and later `notifications`, `teams`) put on it, and
//! what `process` takes off it.
//!
//! The body of every message is a [`QueuedEvent`]: a kind, the ids an operator needs to
//! find the event, its idempotency key, and the raw payload as received (re-parsed by
//! `process`, so a replayed message is handled exactly like the original). The broker
//! properties travel in azfn-runtime's `azfnMessage` envelope: MessageId = the idempotency
//! key (Service Bus duplicate detection), SessionId = the user the event concerns (per-user
//! ordering), CorrelationId and the `correlationId` application property = the invocation
//! that received it.

use azfn_runtime::{OutputMessage, ServiceBusMessage};
use chrono::{DateTime, Utc};
use jitadmin_events::callout::Callout;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The only envelope version so far.
pub const VERSION: u32 = 1;

/// What kind of event a message carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EventKind {
    /// An entitlement-management callout.
    Callout,
}

impl EventKind {
    /// The kind as written in the message.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Callout => "callout",
        }
    }
}

/// The body of a message on the events queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueuedEvent {
    /// Envelope version ([`VERSION`]).
    pub version: u32,
    /// The kind of event.
    pub kind: EventKind,
    /// The idempotency key (also the MessageId).
    pub key: String,
    /// The stage, in the Graph enum spelling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// `customExtensionStageInstanceId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage_instance_id: Option<String>,
    /// The access package assignment request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The user it concerns (target user object id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The invocation that received it.
    pub correlation_id: String,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// The payload as received.
    pub payload: Value,
    /// Set when the delivered message is an operator's replay: its `jitadmin-replay`
    /// application property (`{count}@{time}`). Not part of the body.
    #[serde(skip)]
    pub replay: Option<String>,
}

/// A message on the queue is not one of ours.
#[derive(Debug, thiserror::Error)]
#[error("message {message_id} is not a jitadmin event: {reason}")]
pub struct MalformedMessage {
    /// The broker's message id, or `(none)`.
    pub message_id: String,
    /// What is wrong.
    pub reason: String,
}

impl QueuedEvent {
    /// The event for a parsed callout (not a connection test) and its raw payload.
    /// `None` for a connection test, which is never queued.
    pub fn callout(callout: &Callout, payload: Value, correlation_id: &str) -> Option<QueuedEvent> {
        Some(QueuedEvent {
            version: VERSION,
            kind: EventKind::Callout,
            key: callout.idempotency_key()?,
            stage: Some(callout.stage().as_str().to_string()),
            stage_instance_id: callout.stage_instance_id().map(str::to_string),
            request_id: callout.request_id().map(str::to_string),
            user_id: callout.target_user_id().map(str::to_string),
            correlation_id: correlation_id.to_string(),
            received_at: Utc::now(),
            payload,
            replay: None,
        })
    }

    /// Record the event's kind, request, user and correlation id on the invocation's span, so
    /// every later log line of the invocation carries them.
    pub fn record_in_span(&self) {
        azfn_runtime::record_field("event_kind", self.kind.as_str());
        if let Some(request) = &self.request_id {
            azfn_runtime::record_field("request_id", request);
        }
        if let Some(user) = &self.user_id {
            azfn_runtime::record_field("user", user);
        }
        azfn_runtime::record_field("correlation_id", &self.correlation_id);
    }

    /// The session this event belongs to: its user, else its request, else its key (a
    /// session-enabled queue refuses messages without one).
    pub fn session_id(&self) -> &str {
        self.user_id
            .as_deref()
            .or(self.request_id.as_deref())
            .unwrap_or(&self.key)
    }

    /// The output message: MessageId = key, SessionId = user, correlation id as both the
    /// broker property and an application property.
    pub fn to_message(&self) -> OutputMessage {
        OutputMessage::new(self)
            .message_id(&self.key)
            .session_id(self.session_id())
            .correlation_id(&self.correlation_id)
            .subject(self.kind.as_str())
            .property("correlationId", self.correlation_id.clone())
            .property("kind", self.kind.as_str())
    }

    /// The same message for a direct Service Bus send (see [`direct_message`]).
    pub fn to_service_bus_message(&self) -> jitadmin_servicebus::OutgoingMessage {
        direct_message(&self.to_message())
    }

    /// Read the event from a delivered message.
    pub fn from_message(message: &ServiceBusMessage) -> Result<QueuedEvent, MalformedMessage> {
        let malformed = |reason: String| MalformedMessage {
            message_id: message.message_id.clone().unwrap_or_else(|| "(none)".into()),
            reason,
        };
        let mut event: QueuedEvent = message.body_as().map_err(|e| malformed(e.to_string()))?;
        if event.version != VERSION {
            return Err(malformed(format!("unsupported version {}", event.version)));
        }
        event.replay = message.property_text(crate::ops::REPLAY_PROPERTY);
        Ok(event)
    }
}

/// An output-binding message as a direct Service Bus send (REST), for where the Functions
/// output binding cannot set MessageId and SessionId: the enveloped body exactly as the output
/// binding writes it, and the envelope's broker and application properties set on the message.
pub fn direct_message(message: &OutputMessage) -> jitadmin_servicebus::OutgoingMessage {
    let envelope = message.envelope();
    let mut out = jitadmin_servicebus::OutgoingMessage::new(message.to_value().to_string().into_bytes());
    out.broker.message_id = envelope.message_id.clone();
    out.broker.session_id = envelope.session_id.clone();
    out.broker.correlation_id = envelope.correlation_id.clone();
    out.broker.label = envelope.subject.clone();
    out.properties = envelope.application_properties.clone();
    out
}

/// Put `message` on the events queue: with the direct Service Bus sender when one is configured
/// (Azure: the output binding cannot set MessageId/SessionId for a custom handler), else as the
/// `events` output binding of this invocation. A failed direct send is the invocation's error,
/// so the caller retries (entitlement management, Graph, Teams) and nothing is lost.
pub async fn enqueue(
    app: &crate::app::App,
    outputs: azfn_runtime::Outputs,
    message: OutputMessage,
) -> Result<azfn_runtime::Outputs, jitadmin_servicebus::ServiceBusError> {
    match app.direct_queue() {
        Some((client, queue)) => {
            client.send(queue, &direct_message(&message)).await?;
            Ok(outputs)
        }
        None => Ok(outputs.message(crate::functions::bindings::EVENTS_OUT, message)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn callout() -> Callout {
        Callout::from_slice(include_bytes!("../../events/testdata/callout-granted-pascalcase.json")).unwrap()
    }

    #[test]
    fn message_is_keyed_by_stage_instance_and_sessioned_by_user() {
        let c = callout();
        let event = QueuedEvent::callout(&c, serde_json::json!({"x": 1}), "inv-1").unwrap();
        let message = event.to_message();
        let envelope = message.envelope();
        assert_eq!(envelope.message_id.as_deref(), c.idempotency_key().as_deref());
        assert_eq!(envelope.session_id.as_deref(), c.target_user_id());
        assert_eq!(envelope.application_properties["correlationId"], "inv-1");
        assert_eq!(envelope.body["kind"], "callout");
        assert_eq!(envelope.body["payload"]["x"], 1);
    }

    #[test]
    fn a_direct_send_carries_the_broker_properties_the_output_binding_cannot_set() {
        let c = callout();
        let event = QueuedEvent::callout(&c, serde_json::json!({"x": 1}), "inv-1").unwrap();
        let out = event.to_service_bus_message();
        assert_eq!(out.broker.message_id.as_deref(), c.idempotency_key().as_deref());
        assert_eq!(out.broker.session_id.as_deref(), c.target_user_id());
        assert_eq!(out.broker.correlation_id.as_deref(), Some("inv-1"));
        assert_eq!(out.properties["correlationId"], "inv-1");
        let body: Value = serde_json::from_slice(&out.body).unwrap();
        assert_eq!(body["azfnMessage"]["body"]["key"], event.key);
    }

    #[test]
    fn event_survives_the_round_trip_through_the_queue() {
        let event = QueuedEvent::callout(&callout(), serde_json::json!({"x": 1}), "inv-1").unwrap();
        let delivered = ServiceBusMessage {
            body: event.to_message().envelope().body.clone(),
            ..ServiceBusMessage::default()
        };
        assert_eq!(QueuedEvent::from_message(&delivered).unwrap(), event);
    }

    #[test]
    fn foreign_message_is_malformed_and_named() {
        let delivered = ServiceBusMessage {
            body: serde_json::json!({"hello": "world"}),
            message_id: Some("m-9".into()),
            ..ServiceBusMessage::default()
        };
        let err = QueuedEvent::from_message(&delivered).unwrap_err();
        assert!(
            err.to_string().starts_with("message m-9 is not a jitadmin event"),
            "{err}"
        );
    }
}
