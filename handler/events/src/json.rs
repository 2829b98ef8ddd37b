//! Parsing helpers shared by every payload: path-reporting deserialisation and key
//! normalisation for the two callout spellings.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::ParseError;

/// Deserialise `T` from bytes, reporting the JSON path of the first bad field.
pub(crate) fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ParseError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let result = serde_path_to_error::deserialize(de);
    result.map_err(|e| path_error(e.path().to_string(), e.into_inner()))
}

/// Deserialise `T` from an already-parsed value, reporting the JSON path of the first bad field.
pub(crate) fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, ParseError> {
    serde_path_to_error::deserialize(value).map_err(|e| path_error(e.path().to_string(), e.into_inner()))
}

/// Parse bytes into a JSON value (syntax errors only).
pub(crate) fn value_from_slice(bytes: &[u8]) -> Result<Value, ParseError> {
    serde_json::from_slice(bytes).map_err(|e| ParseError::NotJson(e.to_string()))
}

fn path_error(path: String, err: serde_json::Error) -> ParseError {
    if err.is_syntax() || err.is_eof() {
        return ParseError::NotJson(err.to_string());
    }
    let message = err.to_string();
    // serde reports a missing field at its parent's path: name the field itself.
    if let Some(rest) = message.strip_prefix("missing field `") {
        if let Some(field) = rest.split('`').next() {
            let path = if path == "." || path.is_empty() {
                field.to_string()
            } else {
                format!("{path}.{field}")
            };
            return ParseError::Missing { path };
        }
    }
    // Drop serde_json's " at line X column Y" suffix: the path says where.
    let message = match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    };
    ParseError::Invalid { path, message }
}

/// Rewrite every object key so that its first character is lower-case
/// (`CustomExtensionStageInstanceId` -> `customExtensionStageInstanceId`), recursively.
/// Keys starting with `@` (OData annotations) are unchanged. If both spellings of a key
/// are present, the one already in camelCase wins.
pub(crate) fn camel_case_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            let mut pascal = Vec::new();
            for (key, v) in map {
                let lowered = lower_first(&key);
                if lowered == key {
                    out.insert(key, camel_case_keys(v));
                } else {
                    pascal.push((lowered, camel_case_keys(v)));
                }
            }
            for (key, v) in pascal {
                out.entry(key).or_insert(v);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(camel_case_keys).collect()),
        other => other,
    }
}

fn lower_first(key: &str) -> String {
    let mut chars = key.chars();
    match chars.next() {
        Some(first) if first.is_ascii_uppercase() => first.to_ascii_lowercase().to_string() + chars.as_str(),
        _ => key.to_string(),
    }
}

/// Deserialise an optional scalar as a string: strings as they are, numbers and booleans
/// as their JSON text, `null` as `None`. Used where a documented string field has been
/// seen carrying other scalars.
pub(crate) fn lenient_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde::Deserialize;
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        Some(other) => Some(other.to_string()),
    })
}

/// Deserialise a `null` collection as empty.
pub(crate) fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    use serde::Deserialize;
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pascal_case_keys_become_camel_case_and_annotations_stay() {
        let v = camel_case_keys(json!({"Stage": "x", "@odata.type": "t", "Inner": [{"ObjectId": "1"}]}));
        assert_eq!(
            v,
            json!({"stage": "x", "@odata.type": "t", "inner": [{"objectId": "1"}]})
        );
    }

    #[test]
    fn camel_case_key_wins_over_its_pascal_twin() {
        let v = camel_case_keys(json!({"Stage": "pascal", "stage": "camel"}));
        assert_eq!(v, json!({"stage": "camel"}));
    }
}
