//! A dead-lettered message as an operator sees it, decoded with jitadmin's own event types,
//! and the filters `jitadmin replay` selects by.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::queue::Event;
pub use crate::queue::REPLAY_PROPERTY;

/// What the message carries, read from its body.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventSummary {
    /// `callout`, `groupChange`, `lifecycle`, `teamsDecision`, or `unknown`.
    pub kind: String,
    /// The stage (callouts).
    pub stage: Option<String>,
    /// The access package assignment request (callouts).
    pub request_id: Option<String>,
    /// The user (callouts) or group (group changes).
    pub user: Option<String>,
    /// The event's idempotency key.
    pub key: Option<String>,
}

/// One message of a dead-letter queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadLetter {
    /// The broker's sequence number.
    pub sequence_number: i64,
    /// `MessageId`.
    pub message_id: String,
    /// `SessionId`.
    pub session_id: Option<String>,
    /// When it was first enqueued.
    pub enqueued_at: Option<DateTime<Utc>>,
    /// Deliveries so far.
    pub delivery_count: u32,
    /// `DeadLetterReason`.
    pub reason: Option<String>,
    /// `DeadLetterErrorDescription`.
    pub description: Option<String>,
    /// How often it was replayed before.
    pub replays: u32,
    /// What it carries.
    pub event: EventSummary,
}

/// The event inside a body: the `azfnMessage` envelope's `body` when enveloped.
pub fn event_body(body: &[u8]) -> Option<Value> {
    let value: Value = serde_json::from_slice(body).ok()?;
    match value {
        Value::Object(mut map) if map.len() == 1 && map.contains_key(azfn_runtime::service_bus::ENVELOPE_KEY) => map
            .remove(azfn_runtime::service_bus::ENVELOPE_KEY)
            .and_then(|mut envelope| envelope.get_mut("body").map(Value::take)),
        other => Some(other),
    }
}

/// Decode a body with jitadmin's event types; `unknown` when it is none of them.
pub fn summarise(body: &[u8]) -> EventSummary {
    let unknown = EventSummary {
        kind: "unknown".into(),
        ..EventSummary::default()
    };
    let Some(value) = event_body(body) else { return unknown };
    let Ok(event) = Event::from_body(&value) else {
        return unknown;
    };
    let id = event.identity();
    EventSummary {
        kind: event.kind().as_str().to_string(),
        stage: id.stage.map(str::to_string),
        request_id: id.request_id.map(str::to_string),
        user: id.user.map(str::to_string),
        key: Some(id.key.to_string()),
    }
}

/// The replay count in a `jitadmin-replay` value (`3@2026-...` -> 3).
pub fn replay_count(value: Option<&str>) -> u32 {
    value
        .and_then(|v| v.split('@').next())
        .and_then(|n| n.trim().trim_matches('"').parse().ok())
        .unwrap_or(0)
}

/// The marker for the next replay of a message replayed `previous` times.
pub fn replay_marker(previous: u32, now: DateTime<Utc>) -> String {
    format!(
        "{}@{}",
        previous + 1,
        now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    )
}

/// Which dead letters to act on; every set criterion must match.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Event kind (`callout`, `groupChange`, `lifecycle`, `teamsDecision`, `unknown`), case-insensitive.
    pub kind: Option<String>,
    /// Stage: the Graph spelling or its tail (`created`, `granted`, `removed`), case-insensitive.
    pub stage: Option<String>,
    /// Request id, case-insensitive.
    pub request: Option<String>,
    /// User (object id) or group id, case-insensitive.
    pub user: Option<String>,
    /// Enqueued at or after.
    pub since: Option<DateTime<Utc>>,
    /// Enqueued before.
    pub until: Option<DateTime<Utc>>,
    /// Text in the dead-letter reason or description, case-insensitive.
    pub reason: Option<String>,
}

fn same(a: &Option<String>, wanted: &Option<String>) -> bool {
    match wanted {
        None => true,
        Some(w) => a.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(w)),
    }
}

impl Filter {
    /// Whether `d` is selected.
    pub fn matches(&self, d: &DeadLetter) -> bool {
        let stage_ok = match &self.stage {
            None => true,
            Some(w) => d.event.stage.as_deref().is_some_and(|s| {
                let (s, w) = (s.to_ascii_lowercase(), w.to_ascii_lowercase());
                s == w || s.ends_with(&w)
            }),
        };
        let reason_ok = match &self.reason {
            None => true,
            Some(w) => {
                let w = w.to_ascii_lowercase();
                [&d.reason, &d.description]
                    .iter()
                    .any(|t| t.as_deref().is_some_and(|t| t.to_ascii_lowercase().contains(&w)))
            }
        };
        let time_ok = match d.enqueued_at {
            Some(t) => self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t < u),
            None => self.since.is_none() && self.until.is_none(),
        };
        self.kind
            .as_deref()
            .is_none_or(|k| d.event.kind.eq_ignore_ascii_case(k))
            && stage_ok
            && same(&d.event.request_id, &self.request)
            && same(&d.event.user, &self.user)
            && time_ok
            && reason_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn callout_body() -> Vec<u8> {
        let payload: Value = serde_json::from_slice(include_bytes!(
            "../../../events/testdata/callout-granted-pascalcase.json"
        ))
        .unwrap();
        let callout = jitadmin_events::callout::Callout::from_value(payload.clone()).unwrap();
        let event = crate::queue::CalloutEvent::event(callout, payload, "inv-1", Utc::now()).unwrap();
        event.to_message().to_value().to_string().into_bytes()
    }

    fn letter(body: &[u8]) -> DeadLetter {
        DeadLetter {
            sequence_number: 1,
            message_id: "m".into(),
            session_id: None,
            enqueued_at: Some(Utc::now()),
            delivery_count: 10,
            reason: Some("MaxDeliveryCountExceeded".into()),
            description: Some("graph: 503 Service Unavailable".into()),
            replays: 0,
            event: summarise(body),
        }
    }

    #[test]
    fn an_enveloped_callout_is_decoded() {
        let d = letter(&callout_body());
        assert_eq!(d.event.kind, "callout");
        assert_eq!(d.event.stage.as_deref(), Some("assignmentRequestGranted"));
        assert!(d.event.request_id.is_some() && d.event.user.is_some() && d.event.key.is_some());
    }

    #[test]
    fn every_kind_of_event_is_named() {
        let events = [
            crate::queue::GroupChange::event("sub-1", "group-1", "7", "inv-1"),
            crate::queue::Lifecycle::event("sub-1", jitadmin_events::notification::LifecycleEvent::Missed, "inv-2"),
            crate::queue::TeamsDecision::event("i-1", "r-1", "u-1", "inv-3", Utc::now()),
        ];
        let kinds: Vec<String> = events
            .iter()
            .map(|e| summarise(e.to_message().to_value().to_string().as_bytes()).kind)
            .collect();
        assert_eq!(kinds, ["groupChange", "lifecycle", "teamsDecision"]);
        let decision = summarise(events[2].to_message().to_value().to_string().as_bytes());
        assert_eq!(decision.request_id.as_deref(), Some("r-1"));
        assert_eq!(decision.user.as_deref(), Some("u-1"));
        assert_eq!(decision.key.as_deref(), Some("teams-decision:i-1"));
    }

    #[test]
    fn a_foreign_body_is_unknown() {
        assert_eq!(summarise(b"not json").kind, "unknown");
        assert_eq!(summarise(br#"{"hello":1}"#).kind, "unknown");
    }

    #[test]
    fn filters_match_kind_stage_tail_reason_text_and_time() {
        let d = letter(&callout_body());
        let f = |adjust: fn(&mut Filter)| {
            let mut f = Filter::default();
            adjust(&mut f);
            f.matches(&d)
        };
        assert!(f(|_| {}));
        assert!(f(|f| f.kind = Some("CALLOUT".into())));
        assert!(!f(|f| f.kind = Some("groupChange".into())));
        assert!(f(|f| f.stage = Some("granted".into())));
        assert!(!f(|f| f.stage = Some("removed".into())));
        assert!(f(|f| f.reason = Some("503".into())));
        assert!(!f(|f| f.reason = Some("TTLExpired".into())));
        assert!(!f(|f| f.since = Some(Utc::now() + chrono::Duration::hours(1))));
        assert!(f(|f| f.until = Some(Utc::now() + chrono::Duration::hours(1))));
        assert!(!f(|f| f.request = Some("other".into())));
    }

    #[test]
    fn the_replay_marker_counts_up() {
        assert_eq!(replay_count(None), 0);
        let m = replay_marker(2, Utc::now());
        assert_eq!(replay_count(Some(&m)), 3);
    }
}
