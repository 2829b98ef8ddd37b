//! What `notifications` puts on the events queue for the group watch, and what `process`
//! takes off it: one message per group change (SessionId = the group id, so one group's
//! changes are reconciled one at a time, in order) and one per lifecycle event (SessionId =
//! the subscription id).
//!
//! The envelope is our own (`kind` = `groupChange` or `lifecycle`) beside the callout
//! envelope of [`crate::queue`]; `process` tries this one first.

use azfn_runtime::{OutputMessage, ServiceBusMessage};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The only envelope version so far.
pub const VERSION: u32 = 1;

/// What kind of watch event a message carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum WatchKind {
    /// A watched group changed: reconcile it.
    GroupChange,
    /// A subscription's lifecycle event (`reauthorizationRequired`, ...).
    Lifecycle,
}

impl WatchKind {
    /// The kind as written in the message.
    pub fn as_str(self) -> &'static str {
        match self {
            WatchKind::GroupChange => "groupChange",
            WatchKind::Lifecycle => "lifecycle",
        }
    }
}

/// The body of a watch message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WatchEvent {
    /// Envelope version ([`VERSION`]).
    pub version: u32,
    /// The kind.
    pub kind: WatchKind,
    /// The MessageId (duplicate detection).
    pub key: String,
    /// The subscription the notification came through.
    pub subscription_id: String,
    /// For group changes: the group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// For lifecycle events: the event, as Graph spelled it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle_event: Option<String>,
    /// The invocation that received it.
    pub correlation_id: String,
    /// When it was received.
    pub received_at: DateTime<Utc>,
}

impl WatchEvent {
    /// A group change. `marker` tells two changes of one group apart (the notification's
    /// sequence number or id, else the receiving invocation).
    pub fn group_change(subscription_id: &str, group_id: &str, marker: &str, correlation_id: &str) -> WatchEvent {
        WatchEvent {
            version: VERSION,
            kind: WatchKind::GroupChange,
            key: format!("group-change:{}:{marker}", group_id.to_ascii_lowercase()),
            subscription_id: subscription_id.to_string(),
            group_id: Some(group_id.to_string()),
            lifecycle_event: None,
            correlation_id: correlation_id.to_string(),
            received_at: Utc::now(),
        }
    }

    /// A lifecycle event for a subscription.
    pub fn lifecycle(subscription_id: &str, event: &str, correlation_id: &str) -> WatchEvent {
        WatchEvent {
            version: VERSION,
            kind: WatchKind::Lifecycle,
            key: format!(
                "lifecycle:{}:{event}:{correlation_id}",
                subscription_id.to_ascii_lowercase()
            ),
            subscription_id: subscription_id.to_string(),
            group_id: None,
            lifecycle_event: Some(event.to_string()),
            correlation_id: correlation_id.to_string(),
            received_at: Utc::now(),
        }
    }

    /// The session: the group for changes, the subscription for lifecycle events.
    pub fn session_id(&self) -> &str {
        self.group_id.as_deref().unwrap_or(&self.subscription_id)
    }

    /// The output message.
    pub fn to_message(&self) -> OutputMessage {
        OutputMessage::new(self)
            .message_id(&self.key)
            .session_id(self.session_id())
            .correlation_id(&self.correlation_id)
            .subject(self.kind.as_str())
            .property("correlationId", self.correlation_id.clone())
            .property("kind", self.kind.as_str())
    }

    /// The watch event in a delivered message; `None` when the message is not one (a
    /// callout event, or something foreign: [`crate::queue`] says what is wrong with it).
    pub fn from_message(message: &ServiceBusMessage) -> Option<Result<WatchEvent, String>> {
        let kind = message.body.get("kind")?.as_str()?;
        if kind != WatchKind::GroupChange.as_str() && kind != WatchKind::Lifecycle.as_str() {
            return None;
        }
        Some(
            serde_json::from_value::<WatchEvent>(message.body.clone())
                .map_err(|e| e.to_string())
                .and_then(|e| match e.version {
                    VERSION => Ok(e),
                    v => Err(format!("unsupported watch event version {v}")),
                }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_change_is_sessioned_by_group_and_survives_the_queue() {
        let event = WatchEvent::group_change("sub-1", "Group-1", "42", "inv-1");
        let envelope = event.to_message().envelope().clone();
        assert_eq!(envelope.session_id.as_deref(), Some("Group-1"));
        assert_eq!(envelope.message_id.as_deref(), Some("group-change:group-1:42"));
        let delivered = ServiceBusMessage {
            body: envelope.body,
            ..ServiceBusMessage::default()
        };
        assert_eq!(WatchEvent::from_message(&delivered).unwrap().unwrap(), event);
    }

    #[test]
    fn callout_events_are_not_watch_events() {
        let delivered = ServiceBusMessage {
            body: serde_json::json!({"kind": "callout", "version": 1}),
            ..ServiceBusMessage::default()
        };
        assert!(WatchEvent::from_message(&delivered).is_none());
    }
}
