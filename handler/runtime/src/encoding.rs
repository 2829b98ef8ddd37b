//! The host's value encoding, undone once.
//!
//! The Functions host JSON-serialises every string, number and boolean *before* it
//! writes the request body, so `"abc"` arrives as `"\"abc\""` and `4` as `"4"`. The
//! documentation's examples show single-encoded values instead. These helpers accept
//! both forms.

use serde::de::{DeserializeOwned, Deserializer};
use serde::Deserialize;
use serde_json::Value;

/// Undo the host's extra encoding layer of one value.
///
/// A JSON string whose content is itself a JSON string is unwrapped once; any other
/// value (objects, arrays, plain strings that are not JSON) is returned unchanged.
pub fn decode_value(value: Value) -> Value {
    match value {
        Value::String(text) => match serde_json::from_str::<Value>(&text) {
            Ok(Value::String(inner)) => Value::String(inner),
            _ => Value::String(text),
        },
        other => other,
    }
}

/// Decode a value that should hold a string: `"\"abc\""`, `"abc"`.
pub fn decode_string(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::String(inner)) => Some(inner),
            _ => Some(text.clone()),
        },
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Decode a value that should hold an integer: `"4"`, `4`, `"\"4\""`.
pub fn decode_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(_) => decode_string(value)?.trim().parse().ok(),
        _ => None,
    }
}

/// Decode a value that should hold a boolean: `"true"`, `true`, `"\"true\""`.
pub fn decode_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(_) => match decode_string(value)?.trim() {
            t if t.eq_ignore_ascii_case("true") => Some(true),
            t if t.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Decode a timestamp. The host may drop the offset (`2023-10-12T20:13:49`); such a
/// value is read as UTC, which is what the host's `...Utc` keys mean.
pub fn decode_datetime(value: &Value) -> Option<chrono::DateTime<chrono::Utc>> {
    let text = decode_string(value)?;
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(&text) {
        return Some(dt.with_timezone(&chrono::Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%m/%d/%Y %H:%M:%S"] {
        if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(&text, format) {
            return Some(naive.and_utc());
        }
    }
    None
}

/// Decode a body that holds JSON text: double-encoded (`"\"{...}\""`), single-encoded
/// (`"{...}"`) or already an object. Returns the parsed JSON value.
pub fn decode_json_body(value: &Value) -> Result<Value, serde_json::Error> {
    match value {
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::String(inner)) => serde_json::from_str(&inner),
            Ok(other) => Ok(other),
            Err(e) => Err(e),
        },
        other => Ok(other.clone()),
    }
}

/// Deserialize a typed value from a body in any of the forms [`decode_json_body`] accepts.
pub fn from_json_body<T: DeserializeOwned>(value: &Value) -> Result<T, serde_json::Error> {
    serde_json::from_value(decode_json_body(value)?)
}

/// `serde(deserialize_with)` helper for optional host-encoded strings.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Value>::deserialize(d)?.as_ref().and_then(decode_string))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn double_encoded_string_is_unwrapped_once() {
        assert_eq!(decode_string(&json!("\"abc\"")).as_deref(), Some("abc"));
        assert_eq!(decode_string(&json!("abc")).as_deref(), Some("abc"));
        assert_eq!(decode_string(&json!("\"\\\"abc\\\"\"")).as_deref(), Some("\"abc\""));
    }

    #[test]
    fn numbers_arrive_as_strings_or_numbers() {
        assert_eq!(decode_i64(&json!("4")), Some(4));
        assert_eq!(decode_i64(&json!(4)), Some(4));
        assert_eq!(decode_i64(&json!("\"4\"")), Some(4));
        assert_eq!(decode_i64(&json!("four")), None);
        assert_eq!(decode_bool(&json!("false")), Some(false));
    }

    #[test]
    fn timestamps_without_offset_are_utc() {
        let dt = decode_datetime(&json!("2023-10-12T20:13:49")).unwrap();
        assert_eq!(dt.to_rfc3339(), "2023-10-12T20:13:49+00:00");
        let dt = decode_datetime(&json!("2023-10-12T20:13:49.640002Z")).unwrap();
        assert_eq!(dt.timestamp(), 1697141629);
    }

    #[test]
    fn json_bodies_in_all_three_forms() {
        let want = json!({"a": 1});
        assert_eq!(decode_json_body(&json!("\"{\\\"a\\\":1}\"")).unwrap(), want);
        assert_eq!(decode_json_body(&json!("{\"a\":1}")).unwrap(), want);
        assert_eq!(decode_json_body(&json!({"a": 1})).unwrap(), want);
        assert!(decode_json_body(&json!("not json")).is_err());
    }
}
