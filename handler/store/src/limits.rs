//! Table Storage's size limits, applied on every backend so behaviour is identical.
//!
//! Sizes follow Table Storage's accounting: strings count 2 bytes per UTF-16 unit.

use serde_json::{Map, Value};

use crate::StoreError;

/// Largest string property, in bytes (UTF-16).
pub const MAX_STRING_BYTES: usize = 64 * 1024;
/// Largest entity, in bytes.
pub const MAX_ENTITY_BYTES: usize = 1024 * 1024;
/// Most custom properties per entity (Table allows 255 including its three system properties).
pub const MAX_PROPERTIES: usize = 252;

/// Bytes of the entity's JSON request body with non-ASCII escaped (as the Table backend sends it).
/// Azurite rejects bodies over 1 MiB, so every backend applies this limit too.
fn request_body_bytes(partition: &str, row: &str, props: &Map<String, Value>) -> usize {
    let escaped = |s: &str| -> usize {
        s.chars()
            .map(|c| if c.is_ascii() { 1 } else { 6 * c.len_utf16() })
            .sum()
    };
    let body = Value::Object(props.clone()).to_string();
    // `"PartitionKey":"...","RowKey":"...",` around the properties.
    escaped(&body) + escaped(partition) + escaped(row) + 32
}

/// Bytes a string takes in Table Storage.
pub fn string_bytes(s: &str) -> usize {
    s.encode_utf16().count() * 2
}

fn value_bytes(v: &Value) -> usize {
    match v {
        Value::String(s) => string_bytes(s) + 4,
        Value::Bool(_) => 1,
        Value::Number(_) => 8,
        Value::Null => 0,
        // Never stored: records are flattened before they get here.
        other => string_bytes(&other.to_string()) + 4,
    }
}

/// Checks an entity against the limits; `record` names it in the error.
pub(crate) fn check_entity(
    record: &'static str,
    partition: &str,
    row: &str,
    props: &Map<String, Value>,
) -> Result<(), StoreError> {
    if props.len() > MAX_PROPERTIES {
        return Err(StoreError::ValueTooLarge {
            record,
            field: "properties (count)".to_string(),
            size: props.len(),
            limit: MAX_PROPERTIES,
        });
    }
    let mut total = 4 + string_bytes(partition) + string_bytes(row);
    for (name, value) in props {
        if let Value::String(s) = value {
            let size = string_bytes(s);
            if size > MAX_STRING_BYTES {
                return Err(StoreError::ValueTooLarge {
                    record,
                    field: name.clone(),
                    size,
                    limit: MAX_STRING_BYTES,
                });
            }
        }
        total += 8 + string_bytes(name) + value_bytes(value);
    }
    if total > MAX_ENTITY_BYTES {
        return Err(StoreError::ValueTooLarge {
            record,
            field: "entity".to_string(),
            size: total,
            limit: MAX_ENTITY_BYTES,
        });
    }
    let body = request_body_bytes(partition, row, props);
    if body > MAX_ENTITY_BYTES {
        return Err(StoreError::ValueTooLarge {
            record,
            field: "entity (request body)".to_string(),
            size: body,
            limit: MAX_ENTITY_BYTES,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn props(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn a_string_at_the_limit_passes_and_one_unit_more_fails() {
        let ok = "a".repeat(MAX_STRING_BYTES / 2);
        assert!(check_entity("r", "p", "r", &props(json!({ "f": ok }))).is_ok());
        let big = "a".repeat(MAX_STRING_BYTES / 2 + 1);
        let err = check_entity("r", "p", "r", &props(json!({ "f": big }))).unwrap_err();
        assert!(
            matches!(err, StoreError::ValueTooLarge { ref field, size: 65538, .. } if field == "f"),
            "{err}"
        );
    }

    #[test]
    fn escaped_non_ascii_counts_against_the_request_body_limit() {
        let mut p = Map::new();
        for i in 0..12 {
            // 20,000 UTF-16 bytes each, but 6 bytes per char once escaped: 720,000 in all.
            p.insert(format!("f{i}"), Value::String("é".repeat(10_000)));
        }
        assert!(check_entity("r", "p", "r", &p).is_ok());
        for i in 12..20 {
            p.insert(format!("f{i}"), Value::String("é".repeat(10_000)));
        }
        let err = check_entity("r", "p", "r", &p).unwrap_err();
        assert!(
            matches!(err, StoreError::ValueTooLarge { ref field, .. } if field == "entity (request body)"),
            "{err}"
        );
    }

    #[test]
    fn many_large_strings_exceed_the_entity_limit() {
        let mut p = Map::new();
        for i in 0..20 {
            p.insert(format!("f{i}"), Value::String("a".repeat(30_000)));
        }
        let err = check_entity("r", "p", "r", &p).unwrap_err();
        assert!(
            matches!(err, StoreError::ValueTooLarge { ref field, .. } if field == "entity"),
            "{err}"
        );
    }
}
