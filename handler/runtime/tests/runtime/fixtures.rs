//! Envelopes as the host sends them, from files, parsed into their typed forms.

use azfn_runtime::{HttpRequest, InvocationRequest, ServiceBusMessage, TimerInfo, Trigger};
use serde_json::json;

fn envelope(text: &str) -> InvocationRequest {
    serde_json::from_str(text).expect("fixture is an invocation envelope")
}

#[test]
fn http_post_with_json_body_and_query_object() {
    let req = envelope(include_str!("../../testdata/http-post-json-body.json"));
    let http = HttpRequest::from_request(&req, "req").unwrap();
    assert_eq!(http.method, "POST");
    assert_eq!(http.path(), "/api/callout");
    assert_eq!(http.query.get("tenant").map(String::as_str), Some("contoso"));
    assert_eq!(http.header("content-type"), Some("application/json; charset=utf-8"));
    assert_eq!(http.body_text(), Some("{\"stage\":\"ConnectionTest\"}"));
    assert_eq!(http.identities.len(), 1);
    assert_eq!(req.sys().method_name.as_deref(), Some("callout"));
    assert_eq!(req.metadata_string("sys"), None, "sys is an object, not a string");
}

#[test]
fn http_get_without_body_and_query_as_string() {
    let req = envelope(include_str!("../../testdata/http-get-no-body-query-string.json"));
    let http = HttpRequest::from_request(&req, "req").unwrap();
    assert_eq!(http.method, "GET");
    assert!(http.query.is_empty());
    assert!(http.body.is_none());
    assert!(http.params.is_empty());
}

#[test]
fn http_query_as_a_string_holding_an_object() {
    let req = envelope(include_str!("../../testdata/http-post-query-string-object.json"));
    let http = HttpRequest::from_request(&req, "req").unwrap();
    assert_eq!(
        http.query.get("validationToken").map(String::as_str),
        Some("Validation: Testing client application reachability")
    );
    assert!(http.body.is_none(), "a null Body is no body");
    assert_eq!(
        req.metadata_string("validationToken").as_deref(),
        Some("Validation: Testing client application reachability")
    );
}

#[test]
fn http_base64_body_for_octet_stream() {
    let req = envelope(include_str!("../../testdata/http-post-base64-body.json"));
    let http = HttpRequest::from_request(&req, "req").unwrap();
    assert_eq!(http.body.as_deref(), Some(&[0u8, 1, 2, 3, 255][..]));
    assert_eq!(http.params.get("kind").map(String::as_str), Some("blob"));
}

#[test]
fn service_bus_double_encoded_values_and_envelope() {
    let req = envelope(include_str!("../../testdata/servicebus-double-encoded.json"));
    let msg = ServiceBusMessage::from_request(&req, "msg").unwrap();
    assert!(msg.enveloped);
    assert_eq!(
        msg.body,
        json!({"kind": "callout", "stage": "assignmentRequestCreated"})
    );
    assert_eq!(
        msg.message_id.as_deref(),
        Some("b2f1c7e4-0d5c-4e43-9f0b-7b3f8a1c2d3e:assignmentrequestcreated")
    );
    assert_eq!(msg.session_id.as_deref(), Some("7c2f9d1e-3a4b-4c5d-8e6f-0a1b2c3d4e5f"));
    assert_eq!(msg.delivery_count, Some(2));
    assert_eq!(msg.sequence_number, Some(42));
    assert_eq!(msg.correlation_id.as_deref(), Some("req-8d1f"));
    assert_eq!(msg.content_type.as_deref(), Some("application/json"));
    assert_eq!(
        msg.enqueued_time_utc.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-11-28T10:00:00+00:00")
    );
    assert_eq!(msg.application_properties.get("kind"), Some(&json!("callout")));
}

#[test]
fn service_bus_plain_values_without_envelope() {
    let req = envelope(include_str!("../../testdata/servicebus-plain.json"));
    let msg = ServiceBusMessage::from_request(&req, "msg").unwrap();
    assert!(!msg.enveloped);
    assert_eq!(msg.body, json!({"kind": "plain", "n": 7}));
    assert_eq!(msg.message_id.as_deref(), Some("5f0c9a1b-2c3d-4e5f-8a9b-0c1d2e3f4a5b"));
    assert_eq!(msg.session_id.as_deref(), Some("user-1"));
    assert_eq!(msg.delivery_count, Some(1));
    assert_eq!(msg.sequence_number, Some(9));
    assert_eq!(msg.application_properties.get("origin"), Some(&json!("replay")));
}

#[test]
fn timer_with_schedule_status() {
    let req = envelope(include_str!("../../testdata/timer.json"));
    let timer = TimerInfo::from_request(&req, "tick").unwrap();
    assert!(timer.is_past_due);
    assert_eq!(
        timer.next.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-11-28T10:00:00+00:00")
    );
    assert!(timer.last.is_some());
    assert_eq!(timer.adjust_for_dst, Some(true));
}

#[test]
fn third_party_http_fixture_with_identities() {
    let req = envelope(include_str!(
        "../../testdata/azfunc-go/custom-handler-request-http-trigger-with-identities.azfunc-go-fixture.json"
    ));
    let http = HttpRequest::from_request(&req, "req").unwrap();
    assert_eq!(http.url, "http://localhost:7071/api/endpoint");
    assert_eq!(http.body_text(), Some("{\"message\":\"hello\",\"number\":2}"));
    assert_eq!(http.identities[0]["AuthenticationType"], "WebJobsAuthLevel");
}

#[test]
fn third_party_service_bus_fixture() {
    let req = envelope(include_str!(
        "../../testdata/azfunc-go/custom-handler-request-servicebus-trigger.azfunc-go-fixture.json"
    ));
    let msg = ServiceBusMessage::from_request(&req, "queue").unwrap();
    assert_eq!(msg.body, json!({"message": "hello", "number": 2}));
    assert_eq!(msg.message_id.as_deref(), Some("4e773554-f6b7-4ea2-b07d-4c5fd5aba741"));
    assert_eq!(msg.delivery_count, Some(1));
    assert_eq!(msg.sequence_number, Some(1));
    assert_eq!(
        msg.enqueued_time_utc.map(|t| t.to_rfc3339()).as_deref(),
        Some("2023-10-12T20:13:49+00:00")
    );
    assert_eq!(
        req.metadata_string("message").as_deref(),
        Some("hello"),
        "body properties shadow into metadata"
    );
}

#[test]
fn third_party_queue_fixture_single_encoded_body() {
    let req = envelope(include_str!(
        "../../testdata/azfunc-go/custom-handler-request-queue-trigger.azfunc-go-fixture.json"
    ));
    let body: serde_json::Value = azfn_runtime::encoding::from_json_body(&req.data["queue"]).unwrap();
    assert_eq!(body["number"], 2);
    assert_eq!(
        req.metadata_string("Id").as_deref(),
        Some("4e773554-f6b7-4ea2-b07d-4c5fd5aba741")
    );
}

#[test]
fn third_party_timer_fixture() {
    let req = envelope(include_str!(
        "../../testdata/azfunc-go/custom-handler-request-timer-trigger.azfunc-go-fixture.json"
    ));
    let timer = TimerInfo::from_request(&req, "timer").unwrap();
    assert!(!timer.is_past_due);
    assert_eq!(timer.last.map(|t| t.timestamp()), Some(1697141629));
}

#[test]
fn missing_trigger_binding_is_named() {
    let req = envelope(include_str!("../../testdata/timer.json"));
    let err = TimerInfo::from_request(&req, "nope").unwrap_err();
    assert_eq!(err.to_string(), "the invocation has no input binding named 'nope'");
}
