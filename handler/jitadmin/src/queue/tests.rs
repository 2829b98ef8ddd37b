use azfn_runtime::ServiceBusMessage;
use chrono::Utc;
use jitadmin_events::callout::{Callout, Stage};
use jitadmin_events::notification::LifecycleEvent;
use serde_json::Value;

use super::*;

fn fixture(name: &str) -> Value {
    let path = format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The message as `process` receives it from the envelope in `fixture`.
fn delivered(envelope: &Value) -> ServiceBusMessage {
    let inner = &envelope["azfnMessage"];
    ServiceBusMessage {
        body: inner["body"].clone(),
        message_id: inner["messageId"].as_str().map(str::to_string),
        ..ServiceBusMessage::default()
    }
}

fn granted() -> Event {
    let payload: Value = serde_json::from_slice(include_bytes!(
        "../../../events/testdata/callout-granted-pascalcase.json"
    ))
    .unwrap();
    let callout = Callout::from_value(payload.clone()).unwrap();
    CalloutEvent::event(callout, payload, "inv-1", Utc::now()).unwrap()
}

#[test]
fn every_envelope_written_so_far_still_reads_and_is_written_back_the_same() {
    let cases = [
        ("queued-callout-created.json", EventKind::Callout),
        ("queued-group-change.json", EventKind::GroupChange),
        ("queued-lifecycle.json", EventKind::Lifecycle),
        ("queued-teams-decision.json", EventKind::TeamsDecision),
    ];
    for (name, kind) in cases {
        let envelope = fixture(name);
        let read = Event::from_message(&delivered(&envelope)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(read.event.kind(), kind, "{name}");
        let written = read.event.to_message();
        let inner = &envelope["azfnMessage"];
        assert_eq!(written.envelope().body, inner["body"], "{name}: body");
        assert_eq!(
            written.envelope().message_id.as_deref(),
            inner["messageId"].as_str(),
            "{name}"
        );
        assert_eq!(
            written.envelope().session_id.as_deref(),
            inner["sessionId"].as_str(),
            "{name}"
        );
        assert_eq!(
            written.envelope().application_properties["kind"],
            kind.as_str(),
            "{name}"
        );
    }
}

#[test]
fn a_callout_is_parsed_once_and_carried_typed() {
    let Event::Callout(event) =
        Event::from_body(&fixture("queued-callout-created.json")["azfnMessage"]["body"]).unwrap()
    else {
        panic!("not a callout")
    };
    assert_eq!(event.stage, Stage::AssignmentRequestCreated);
    assert!(matches!(event.callout, Callout::Request(_)));
}

#[test]
fn message_is_keyed_by_stage_instance_and_sessioned_by_user() {
    let event = granted();
    let Event::Callout(c) = &event else { unreachable!() };
    let envelope = event.to_message().envelope().clone();
    assert_eq!(envelope.message_id.as_deref(), c.callout.idempotency_key().as_deref());
    assert_eq!(envelope.session_id.as_deref(), c.callout.target_user_id());
    assert_eq!(envelope.application_properties["correlationId"], "inv-1");
    assert_eq!(envelope.body["kind"], "callout");
    assert_eq!(envelope.body["stage"], "assignmentRequestGranted");
}

#[test]
fn a_direct_send_carries_the_broker_properties_the_output_binding_cannot_set() {
    let event = granted();
    let out = event.to_service_bus_message();
    assert_eq!(out.broker.message_id.as_deref(), Some(event.identity().key));
    assert_eq!(out.broker.session_id.as_deref(), Some(event.session_id()));
    assert_eq!(out.broker.correlation_id.as_deref(), Some("inv-1"));
    assert_eq!(out.properties["correlationId"], "inv-1");
    let body: Value = serde_json::from_slice(&out.body).unwrap();
    assert_eq!(body["azfnMessage"]["body"]["key"], event.identity().key);
}

#[test]
fn every_kind_survives_the_round_trip_through_the_queue() {
    let events = [
        granted(),
        GroupChange::event("sub-1", "Group-1", "42", "inv-1"),
        Lifecycle::event("sub-1", LifecycleEvent::Missed, "inv-2"),
        TeamsDecision::event("i-1", "r-1", "u-1", "inv-3", Utc::now()),
    ];
    for event in events {
        let message = ServiceBusMessage {
            body: event.to_message().envelope().body.clone(),
            application_properties: [(REPLAY_PROPERTY.to_string(), Value::from("1@t"))]
                .into_iter()
                .collect(),
            ..ServiceBusMessage::default()
        };
        let read = Event::from_message(&message).unwrap();
        assert_eq!(read.event, event);
        assert_eq!(read.replay.as_deref(), Some("1@t"));
    }
}

#[test]
fn sessions_order_by_user_group_or_subscription() {
    assert_eq!(
        GroupChange::event("sub-1", "Group-1", "42", "i").session_id(),
        "Group-1"
    );
    assert_eq!(
        Lifecycle::event("Sub-1", LifecycleEvent::Missed, "i").session_id(),
        "Sub-1"
    );
    assert_eq!(
        TeamsDecision::event("i-1", "r-1", "u-1", "i", Utc::now()).session_id(),
        "u-1"
    );
    assert_eq!(
        TeamsDecision::event("i-1", "r-1", "", "i", Utc::now()).session_id(),
        "teams-decision:i-1"
    );
}

#[test]
fn foreign_and_future_messages_are_malformed_and_named() {
    let foreign = ServiceBusMessage {
        body: serde_json::json!({"hello": "world"}),
        message_id: Some("m-9".into()),
        ..ServiceBusMessage::default()
    };
    let err = Event::from_message(&foreign).unwrap_err();
    assert!(
        err.to_string().starts_with("message m-9 is not a jitadmin event"),
        "{err}"
    );
    let future = ServiceBusMessage {
        body: serde_json::json!({"kind": "teamsDecision", "version": 2}),
        ..ServiceBusMessage::default()
    };
    assert!(Event::from_message(&future).unwrap_err().reason.contains("version 2"));
    let bad_payload = ServiceBusMessage {
        body: serde_json::json!({"version": 1, "kind": "callout", "key": "k", "correlationId": "c",
                                 "receivedAt": "2026-01-01T00:00:00Z", "payload": {"Stage": 7}}),
        ..ServiceBusMessage::default()
    };
    assert!(Event::from_message(&bad_payload)
        .unwrap_err()
        .reason
        .contains("not a valid callout"));
}

#[test]
fn kinds_are_named_and_parsed_back() {
    for kind in EventKind::ALL {
        assert_eq!(EventKind::parse(&kind.as_str().to_uppercase()), Some(kind));
    }
    assert_eq!(EventKind::parse("unknown"), None);
}
