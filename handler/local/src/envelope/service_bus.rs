//! The Service Bus trigger's body and metadata
//! (<https://learn.microsoft.com/azure/azure-functions/functions-bindings-service-bus-trigger>).

use base64::Engine;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::envelope;
use crate::encoding::{host_datetime_offset, host_datetime_utc, host_string, merge_body_properties, sys};
use crate::store::Locked;

/// `DateTime.MaxValue`, what the host shows for messages that never expire.
const NEVER_UTC: &str = "9999-12-31T23:59:59.9999999";

/// The envelope of a Service Bus-triggered invocation: the body under `Data.<binding>`
/// as a double-encoded string (base64 with `dataType: binary`), the message's system
/// properties in `Metadata` encoded as the host encodes values (`DeliveryCount` as `"1"`,
/// `MessageId` as `"\"…\""`, `EnqueuedTimeUtc` without offset), application
/// properties under `ApplicationProperties` and `UserProperties`, the SDK objects as
/// the empty objects they serialise to, `sys`, and finally a JSON body's top-level
/// properties, which shadow system keys of the same name as on the real host.
pub fn service_bus_invocation(
    function: &str,
    binding: &str,
    binary: bool,
    locked: &Locked,
    now: DateTime<Utc>,
) -> Value {
    let m = &locked.message;
    let body = if binary {
        Value::String(base64::engine::general_purpose::STANDARD.encode(&m.body))
    } else {
        host_string(&String::from_utf8_lossy(&m.body))
    };
    let mut data = Map::new();
    data.insert(binding.to_owned(), body);

    let mut meta = Map::new();
    for sdk_object in [
        "MessageReceiver",
        "MessageSession",
        "MessageActions",
        "SessionActions",
        "ReceiveActions",
    ] {
        meta.insert(sdk_object.into(), json!({}));
    }
    let client = format!("localhost-{}", uuid::Uuid::new_v4());
    meta.insert(
        "Client".into(),
        json!({"FullyQualifiedNamespace": "localhost", "IsClosed": false, "TransportType": 0, "Identifier": client}),
    );
    meta.insert("DeliveryCount".into(), Value::String(m.delivery_count.to_string()));
    meta.insert("LockToken".into(), host_string(&locked.lock_token));
    meta.insert("ExpiresAtUtc".into(), Value::String(NEVER_UTC.into()));
    meta.insert("ExpiresAt".into(), Value::String(format!("{NEVER_UTC}+00:00")));
    meta.insert("EnqueuedTimeUtc".into(), host_datetime_utc(m.enqueued_time_utc));
    meta.insert("EnqueuedTime".into(), host_datetime_offset(m.enqueued_time_utc));
    meta.insert("MessageId".into(), host_string(&m.message_id));
    let optional = [
        ("ContentType", &m.content_type),
        ("CorrelationId", &m.correlation_id),
        ("Subject", &m.subject),
        ("Label", &m.subject),
        ("SessionId", &m.session_id),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            meta.insert(key.into(), host_string(value));
        }
    }
    meta.insert("SequenceNumber".into(), Value::String(m.sequence_number.to_string()));
    meta.insert(
        "ApplicationProperties".into(),
        Value::Object(m.application_properties.clone()),
    );
    meta.insert("UserProperties".into(), Value::Object(m.application_properties.clone()));
    meta.insert("sys".into(), sys(function, now));
    merge_body_properties(&mut meta, &m.body);
    envelope(data, meta)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Message;
    use chrono::TimeZone;

    fn locked(body: &str) -> Locked {
        let mut props = Map::new();
        props.insert("tenant".into(), json!("contoso"));
        Locked {
            lock_token: "tok".into(),
            message: Message {
                queue: "q".into(),
                sequence_number: 7,
                message_id: "m-1".into(),
                session_id: Some("s-1".into()),
                correlation_id: None,
                content_type: Some("application/json".into()),
                subject: None,
                application_properties: props,
                body: body.as_bytes().to_vec(),
                enqueued_time_utc: Utc.with_ymd_and_hms(2026, 1, 5, 10, 0, 0).unwrap(),
                delivery_count: 1,
                locked_until_utc: None,
                dead_letter_reason: None,
                dead_letter_error_description: None,
                last_error: None,
            },
        }
    }

    #[test]
    fn metadata_is_encoded_like_the_host() {
        let env = service_bus_invocation("work", "msg", false, &locked(r#"{"requestId":"REQ-42"}"#), Utc::now());
        assert_eq!(env["Data"]["msg"], json!("\"{\\\"requestId\\\":\\\"REQ-42\\\"}\""));
        let meta = &env["Metadata"];
        assert_eq!(meta["DeliveryCount"], "1");
        assert_eq!(meta["MessageId"], "\"m-1\"");
        assert_eq!(meta["SessionId"], "\"s-1\"");
        assert_eq!(meta["SequenceNumber"], "7");
        assert_eq!(meta["EnqueuedTimeUtc"], "2026-01-05T10:00:00");
        assert_eq!(meta["EnqueuedTime"], "2026-01-05T10:00:00+00:00");
        assert_eq!(meta["ApplicationProperties"], json!({"tenant": "contoso"}));
        assert_eq!(meta["UserProperties"], json!({"tenant": "contoso"}));
        assert_eq!(meta["requestId"], "\"REQ-42\"");
        assert_eq!(meta["sys"]["MethodName"], "work");
        assert!(meta.get("CorrelationId").is_none());
    }

    #[test]
    fn a_body_property_shadows_a_system_key() {
        let env = service_bus_invocation("work", "msg", false, &locked(r#"{"MessageId":"spoofed"}"#), Utc::now());
        assert_eq!(env["Metadata"]["MessageId"], "\"spoofed\"");
    }

    fn shape(value: &Value) -> Value {
        match value {
            Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), shape(v))).collect()),
            Value::Array(items) => Value::Array(items.iter().take(1).map(shape).collect()),
            Value::String(_) => json!("string"),
            Value::Number(_) => json!("number"),
            Value::Bool(_) => json!("bool"),
            Value::Null => Value::Null,
        }
    }

    #[test]
    fn the_envelope_has_the_shape_of_a_real_host_request() {
        let fixture: Value = serde_json::from_str(include_str!(
            "../../testdata/host-requests/custom-handler-request-servicebus-trigger.azfunc-go-fixture.json"
        ))
        .unwrap();
        let mut ours = service_bus_invocation(
            "helloQueue",
            "queue",
            false,
            &locked(r#"{"message":"hello","number":2}"#),
            Utc::now(),
        );
        // The fixture's message has no session, correlation id or subject.
        let meta = ours["Metadata"].as_object_mut().unwrap();
        for absent in ["SessionId", "CorrelationId", "Subject", "Label", "number"] {
            meta.remove(absent);
        }
        meta.insert("ApplicationProperties".into(), json!({}));
        meta.insert("UserProperties".into(), json!({}));
        assert_eq!(shape(&ours), shape(&fixture));
    }

    #[test]
    fn binary_bodies_are_base64() {
        let env = service_bus_invocation("work", "msg", true, &locked("hi"), Utc::now());
        assert_eq!(env["Data"]["msg"], "aGk=");
    }
}
