//! The events queue: one [`Event`] type for everything on it, written by `callout`,
//! `notifications` and `teams` and read by `process`.
//!
//! Every body is a JSON object tagged by `kind` (`callout`, `groupChange`, `lifecycle`,
//! `teamsDecision`) with an envelope `version`, the idempotency `key` (also the MessageId,
//! so Service Bus duplicate detection drops a second copy), and the invocation that received
//! it (`correlationId`). The broker properties travel in azfn-runtime's `azfnMessage`
//! envelope: MessageId = the key, SessionId = what the event must be ordered with (a user, a
//! group, a subscription), CorrelationId and the `correlationId` application property = the
//! receiving invocation, and the `kind` application property.
//!
//! The shapes are the ones written since the first release, so messages already waiting in
//! a dead-letter queue still read. The callout's payload travels as received (a replay is
//! handled exactly like the original) and is parsed once, when the event is read.

mod callout;
mod decision;
pub mod keys;
mod watch;

use azfn_runtime::{OutputMessage, ServiceBusMessage};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use callout::CalloutEvent;
pub use decision::TeamsDecision;
pub use watch::{GroupChange, Lifecycle};

/// The only envelope version so far.
pub const VERSION: u32 = 1;

/// The application property that marks an operator's replay: `{count}@{time}`.
pub const REPLAY_PROPERTY: &str = "jitadmin-replay";

/// Everything that travels on the events queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Event {
    /// An entitlement-management callout, to act on by its stage.
    Callout(CalloutEvent),
    /// A watched group changed: reconcile it.
    GroupChange(GroupChange),
    /// A lifecycle event of a group subscription.
    Lifecycle(Lifecycle),
    /// A decision made in Teams whose resume is to be applied (again).
    TeamsDecision(TeamsDecision),
}

/// What kind of event, as written in `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// [`Event::Callout`].
    Callout,
    /// [`Event::GroupChange`].
    GroupChange,
    /// [`Event::Lifecycle`].
    Lifecycle,
    /// [`Event::TeamsDecision`].
    TeamsDecision,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [EventKind; 4] = [
        EventKind::Callout,
        EventKind::GroupChange,
        EventKind::Lifecycle,
        EventKind::TeamsDecision,
    ];

    /// The kind as written in the message.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Callout => "callout",
            EventKind::GroupChange => "groupChange",
            EventKind::Lifecycle => "lifecycle",
            EventKind::TeamsDecision => "teamsDecision",
        }
    }

    /// The kind named `text` (case-insensitive).
    pub fn parse(text: &str) -> Option<EventKind> {
        EventKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(text))
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The ids an operator finds an event by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity<'a> {
    /// The idempotency key.
    pub key: &'a str,
    /// The callout's stage, or the lifecycle event's name.
    pub stage: Option<&'a str>,
    /// The access package assignment request.
    pub request_id: Option<&'a str>,
    /// The user (or, for group changes, the group) it concerns.
    pub user: Option<&'a str>,
    /// The receiving invocation.
    pub correlation_id: &'a str,
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

/// An event read from a delivered message, with what the broker said about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivered {
    /// The event.
    pub event: Event,
    /// The operator's replay marker (`jitadmin-replay` property), when it is a replay.
    pub replay: Option<String>,
}

impl Event {
    /// The kind.
    pub fn kind(&self) -> EventKind {
        match self {
            Event::Callout(_) => EventKind::Callout,
            Event::GroupChange(_) => EventKind::GroupChange,
            Event::Lifecycle(_) => EventKind::Lifecycle,
            Event::TeamsDecision(_) => EventKind::TeamsDecision,
        }
    }

    /// The ids an operator finds it by.
    pub fn identity(&self) -> Identity<'_> {
        match self {
            Event::Callout(e) => Identity {
                key: &e.key,
                stage: Some(e.stage.as_str()),
                request_id: e.request_id.as_deref(),
                user: e.user_id.as_deref(),
                correlation_id: &e.correlation_id,
            },
            Event::GroupChange(e) => Identity {
                key: &e.key,
                stage: None,
                request_id: None,
                user: Some(&e.group_id),
                correlation_id: &e.correlation_id,
            },
            Event::Lifecycle(e) => Identity {
                key: &e.key,
                stage: Some(e.lifecycle_event.as_str()),
                request_id: None,
                user: None,
                correlation_id: &e.correlation_id,
            },
            Event::TeamsDecision(e) => Identity {
                key: &e.key,
                stage: None,
                request_id: Some(&e.request_id),
                user: Some(&e.user),
                correlation_id: &e.correlation_id,
            },
        }
    }

    /// The session it is ordered in: a callout's or decision's user (else request, else key),
    /// a group change's group, a lifecycle event's subscription. A session-enabled queue
    /// refuses messages without one.
    pub fn session_id(&self) -> &str {
        fn non_empty(s: &Option<String>) -> Option<&str> {
            s.as_deref().filter(|s| !s.is_empty())
        }
        match self {
            Event::Callout(e) => non_empty(&e.user_id).or(non_empty(&e.request_id)).unwrap_or(&e.key),
            Event::GroupChange(e) => &e.group_id,
            Event::Lifecycle(e) => &e.subscription_id,
            Event::TeamsDecision(e) if e.user.is_empty() => &e.key,
            Event::TeamsDecision(e) => &e.user,
        }
    }

    /// Record the event's kind, request, user and correlation id on the invocation's span, so
    /// every later log line of the invocation carries them.
    pub fn record_in_span(&self) {
        let id = self.identity();
        azfn_runtime::record_field("event_kind", self.kind().as_str());
        if let Some(request) = id.request_id {
            azfn_runtime::record_field("request_id", request);
        }
        if let Some(user) = id.user {
            azfn_runtime::record_field("user", user);
        }
        azfn_runtime::record_field("correlation_id", id.correlation_id);
    }

    /// The output message: MessageId = key, SessionId = [`Event::session_id`], the
    /// correlation id as the broker property and an application property, and the kind.
    pub fn to_message(&self) -> OutputMessage {
        let id = self.identity();
        let kind = self.kind().as_str();
        OutputMessage::new(self)
            .message_id(id.key)
            .session_id(self.session_id())
            .correlation_id(id.correlation_id)
            .subject(kind)
            .property("correlationId", id.correlation_id.to_string())
            .property("kind", kind)
    }

    /// The same message for a direct Service Bus send (see [`direct_message`]).
    pub fn to_service_bus_message(&self) -> jitadmin_servicebus::OutgoingMessage {
        direct_message(&self.to_message())
    }

    /// Read the event from a delivered message: the body, parsed once (a callout's payload
    /// included), and the replay marker of the broker's application properties.
    pub fn from_message(message: &ServiceBusMessage) -> Result<Delivered, MalformedMessage> {
        let malformed = |reason: String| MalformedMessage {
            message_id: message.message_id.clone().unwrap_or_else(|| "(none)".into()),
            reason,
        };
        let event = Event::from_body(&message.body).map_err(malformed)?;
        Ok(Delivered {
            event,
            replay: message.property_text(REPLAY_PROPERTY),
        })
    }

    /// Read the event from a message body (the `azfnMessage` envelope's `body`).
    pub fn from_body(body: &Value) -> Result<Event, String> {
        let version = body.get("version").and_then(Value::as_u64);
        if version.is_some_and(|v| v != u64::from(VERSION)) {
            return Err(format!("unsupported version {}", version.unwrap_or_default()));
        }
        serde_json::from_value(body.clone()).map_err(|e| e.to_string())
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

#[cfg(test)]
mod tests;
