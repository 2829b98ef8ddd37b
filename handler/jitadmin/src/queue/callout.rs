//! A callout on the queue: the ids an operator finds it by, and the callout itself, typed.
//! The payload travels as received and is parsed when the event is read, so a replayed
//! message is handled exactly like the original.

use chrono::{DateTime, Utc};
use jitadmin_events::callout::{Callout, Stage};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Event, VERSION};

/// An entitlement-management callout (not a connection test, which is never queued).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Wire", into = "Wire")]
pub struct CalloutEvent {
    /// The idempotency key (`customExtensionStageInstanceId:stage`, also the MessageId).
    pub key: String,
    /// The stage.
    pub stage: Stage,
    /// `customExtensionStageInstanceId`.
    pub stage_instance_id: Option<String>,
    /// The access package assignment request.
    pub request_id: Option<String>,
    /// The user it concerns (the assignment's target).
    pub user_id: Option<String>,
    /// The invocation that received it.
    pub correlation_id: String,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// The callout, parsed.
    pub callout: Callout,
    /// The payload as received.
    pub payload: Value,
}

/// The body as written on the queue.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wire {
    version: u32,
    key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stage: Option<Stage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stage_instance_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_id: Option<String>,
    correlation_id: String,
    received_at: DateTime<Utc>,
    payload: Value,
}

impl TryFrom<Wire> for CalloutEvent {
    type Error = String;

    fn try_from(wire: Wire) -> Result<Self, String> {
        if wire.version != VERSION {
            return Err(format!("unsupported callout version {}", wire.version));
        }
        let callout = Callout::from_value(wire.payload.clone())
            .map_err(|e| format!("the payload is not a valid callout: {e}"))?;
        Ok(CalloutEvent {
            key: wire.key,
            stage: callout.stage().clone(),
            stage_instance_id: wire.stage_instance_id,
            request_id: wire.request_id,
            user_id: wire.user_id,
            correlation_id: wire.correlation_id,
            received_at: wire.received_at,
            callout,
            payload: wire.payload,
        })
    }
}

impl From<CalloutEvent> for Wire {
    fn from(event: CalloutEvent) -> Wire {
        Wire {
            version: VERSION,
            key: event.key,
            stage: Some(event.stage),
            stage_instance_id: event.stage_instance_id,
            request_id: event.request_id,
            user_id: event.user_id,
            correlation_id: event.correlation_id,
            received_at: event.received_at,
            payload: event.payload,
        }
    }
}

impl CalloutEvent {
    /// The event for a parsed callout and the payload it was parsed from; `None` for a
    /// connection test, which has no idempotency key and is never queued.
    pub fn event(callout: Callout, payload: Value, correlation_id: &str, received_at: DateTime<Utc>) -> Option<Event> {
        Some(Event::Callout(CalloutEvent {
            key: callout.idempotency_key()?,
            stage: callout.stage().clone(),
            stage_instance_id: callout.stage_instance_id().map(str::to_string),
            request_id: callout.request_id().map(str::to_string),
            user_id: callout.target_user_id().map(str::to_string),
            correlation_id: correlation_id.to_string(),
            received_at,
            callout,
            payload,
        }))
    }
}
