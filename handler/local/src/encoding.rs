//! The host's value encoding, applied the way the host applies it: each binding value the host hands
//! a custom handler is JSON-serialised once more, so a string arrives double-encoded and a number as a
//! string.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// Encode one `Data`/`Metadata` value as the host does: strings are JSON-serialised
/// first (so `abc` travels as `"\"abc\""`), numbers and booleans become strings holding
/// their JSON text (`4` → `"4"`), objects and arrays are sent as they are, `null` is
/// dropped (`None`).
pub fn host_value(value: &Value) -> Option<Value> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(host_string(s)),
        Value::Number(n) => Some(Value::String(n.to_string())),
        Value::Bool(b) => Some(Value::String(b.to_string())),
        other => Some(other.clone()),
    }
}

/// A string value, double-encoded.
pub fn host_string(text: &str) -> Value {
    Value::String(Value::String(text.to_owned()).to_string())
}

/// A .NET `DateTime` of kind UTC after the host's `ToString`/`Parse` round trip: no offset.
pub fn host_datetime_utc(at: DateTime<Utc>) -> Value {
    Value::String(at.naive_utc().format("%Y-%m-%dT%H:%M:%S%.f").to_string())
}

/// A .NET `DateTimeOffset`: `+00:00` offset.
pub fn host_datetime_offset(at: DateTime<Utc>) -> Value {
    Value::String(at.naive_utc().format("%Y-%m-%dT%H:%M:%S%.f+00:00").to_string())
}

/// `sys` metadata: `{MethodName, UtcNow, RandGuid}`.
pub fn sys(function: &str, now: DateTime<Utc>) -> Value {
    let mut map = Map::new();
    map.insert("MethodName".into(), Value::String(function.to_owned()));
    map.insert(
        "UtcNow".into(),
        Value::String(now.format("%Y-%m-%dT%H:%M:%S%.fZ").to_string()),
    );
    map.insert("RandGuid".into(), Value::String(uuid::Uuid::new_v4().to_string()));
    Value::Object(map)
}

/// Copy a JSON body's top-level properties into metadata, as the host's binding data
/// does; they override keys already present (so a body property named like a system property
/// shadows it).
pub fn merge_body_properties(metadata: &mut Map<String, Value>, body: &[u8]) {
    if let Ok(Value::Object(props)) = serde_json::from_slice::<Value>(body) {
        for (key, value) in props {
            if let Some(encoded) = host_value(&value) {
                // Binding data is a case-insensitive dictionary: an override keeps the
                // existing key's spelling and replaces its value.
                let existing = metadata.keys().find(|k| k.eq_ignore_ascii_case(&key)).cloned();
                metadata.insert(existing.unwrap_or(key), encoded);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_are_double_encoded_and_numbers_become_strings() {
        assert_eq!(host_value(&json!("abc")), Some(json!("\"abc\"")));
        assert_eq!(host_value(&json!(4)), Some(json!("4")));
        assert_eq!(host_value(&json!(true)), Some(json!("true")));
        assert_eq!(host_value(&json!({"a": "b"})), Some(json!({"a": "b"})));
        assert_eq!(host_value(&Value::Null), None);
    }

    #[test]
    fn utc_datetimes_lose_their_offset() {
        let at = DateTime::parse_from_rfc3339("2023-10-12T20:13:49Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(host_datetime_utc(at), json!("2023-10-12T20:13:49"));
        assert_eq!(host_datetime_offset(at), json!("2023-10-12T20:13:49+00:00"));
    }

    #[test]
    fn body_properties_shadow_system_keys() {
        let mut metadata = Map::new();
        metadata.insert("MessageId".into(), host_string("real"));
        merge_body_properties(&mut metadata, br#"{"messageid": "fake", "n": 2, "skip": null}"#);
        assert_eq!(metadata.get("MessageId"), Some(&json!("\"fake\"")));
        assert!(!metadata.contains_key("messageid"));
        assert_eq!(metadata.get("n"), Some(&json!("2")));
        assert!(!metadata.contains_key("skip"));
    }
}
