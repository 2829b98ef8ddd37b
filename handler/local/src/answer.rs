//! The handler's answer (<https://learn.microsoft.com/azure/azure-functions/functions-custom-handlers#response-payload>) and how the host maps it onto output
//! bindings.

use base64::Engine;
use serde_json::{Map, Value};

use crate::error::InvokeError;
use crate::store::NewMessage;

/// The envelope key `azfn-runtime` wraps Service Bus output messages in (see
/// `azfn_runtime::service_bus`).
pub const MESSAGE_ENVELOPE_KEY: &str = "azfnMessage";

/// A parsed invocation answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Answer {
    /// `Outputs`, keyed by binding name (matched exactly).
    pub outputs: Map<String, Value>,
    /// `Logs`.
    pub logs: Vec<String>,
    /// `ReturnValue`.
    pub return_value: Option<Value>,
}

impl Answer {
    /// The value for output binding `name` (`$return` reads `ReturnValue`).
    pub fn output(&self, name: &str) -> Option<&Value> {
        if name == "$return" {
            self.return_value.as_ref()
        } else {
            self.outputs.get(name)
        }
        .filter(|v| !v.is_null())
    }
}

fn member<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object.get(name).or_else(|| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// Parse a 2xx answer: a JSON object with `Outputs`, `Logs`, `ReturnValue` (member
/// names case-insensitive, as Newtonsoft reads them).
pub fn parse_answer(content_type: Option<&str>, body: &[u8]) -> Result<Answer, InvokeError> {
    let essence = content_type
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !(essence == "application/json" || essence == "text/json" || essence.ends_with("+json")) {
        return Err(InvokeError::InvalidAnswer(format!(
            "Content-Type must be application/json, got '{}'",
            content_type.unwrap_or("")
        )));
    }
    let value: Value =
        serde_json::from_slice(body).map_err(|e| InvokeError::InvalidAnswer(format!("not JSON: {e}")))?;
    let Value::Object(object) = value else {
        return Err(InvokeError::InvalidAnswer("the body must be a JSON object".into()));
    };
    let outputs = match member(&object, "Outputs") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(map)) => map.clone(),
        Some(_) => return Err(InvokeError::InvalidAnswer("Outputs must be an object".into())),
    };
    let logs = match member(&object, "Logs") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()))
            .collect(),
        Some(_) => return Err(InvokeError::InvalidAnswer("Logs must be an array of strings".into())),
    };
    Ok(Answer {
        outputs,
        logs,
        return_value: member(&object, "ReturnValue").cloned(),
    })
}

/// What the front door answers for an `http` output.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpOutput {
    /// Status code (default 200).
    pub status: u16,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

/// Map an `http` output value: an object (or a string holding one) with `statusCode`
/// (number or numeric string; alias `status`), `headers` and `body` (a string written
/// verbatim, anything else written as JSON).
pub fn http_output(value: &Value) -> Result<HttpOutput, InvokeError> {
    let bad = |m: &str| InvokeError::InvalidAnswer(format!("http output: {m}"));
    let object = match value {
        Value::Object(map) => map.clone(),
        Value::String(text) => match serde_json::from_str(text) {
            Ok(Value::Object(map)) => map,
            _ => return Err(bad("a string value must hold a JSON object")),
        },
        _ => return Err(bad("must be an object with statusCode, headers and body")),
    };
    let status = match member(&object, "statusCode").or_else(|| member(&object, "status")) {
        None | Some(Value::Null) => 200,
        Some(Value::Number(n)) => n.as_u64().ok_or_else(|| bad("statusCode must be a whole number"))?,
        Some(Value::String(s)) => s.trim().parse().map_err(|_| bad("statusCode must be a number"))?,
        Some(_) => return Err(bad("statusCode must be a number")),
    };
    let status = u16::try_from(status)
        .ok()
        .filter(|s| (100..=999).contains(s))
        .ok_or_else(|| bad("statusCode out of range"))?;
    let headers = match member(&object, "headers") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()),
                )
            })
            .collect(),
        Some(_) => return Err(bad("headers must be an object")),
    };
    let body = match member(&object, "body") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => s.clone().into_bytes(),
        Some(other) => other.to_string().into_bytes(),
    };
    Ok(HttpOutput { status, headers, body })
}

/// The messages a `serviceBus` output value becomes, as the host converts it: an object
/// is one message (its JSON text); an array is one message per element; a string that
/// is valid base64 is decoded to bytes unless the binding's `dataType` is `binary` (the
/// base64 trap: `"done"` becomes three odd bytes), a string holding JSON is parsed and
/// treated as that value, any other string is sent as text.
///
/// A message whose JSON body has the single key `azfnMessage` (the envelope of
/// `azfn_runtime::OutputMessage`) gets that envelope's `messageId`, `sessionId`,
/// `correlationId`, `subject` and `applicationProperties` as broker properties; the body
/// stays the whole envelope. This emulates a session-capable sender: the real Functions
/// binding cannot set broker properties for a custom handler, which is why the envelope
/// exists and why consumers read it from the body.
pub fn service_bus_messages(value: &Value, binary: bool) -> Vec<NewMessage> {
    let mut out = Vec::new();
    match value {
        Value::Null => {}
        Value::Array(items) => {
            for item in items {
                if let Some(message) = one_message(item, binary) {
                    out.push(message);
                }
            }
        }
        Value::String(text) => match parse_json_text(text) {
            Some(Value::Array(items)) if !looks_base64(text, binary) => {
                out.extend(items.iter().filter_map(|item| one_message(item, binary)))
            }
            _ => out.extend(one_message(value, binary)),
        },
        other => out.extend(one_message(other, binary)),
    }
    out
}

fn parse_json_text(text: &str) -> Option<Value> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        serde_json::from_str(text).ok()
    } else {
        None
    }
}

fn looks_base64(text: &str, binary: bool) -> bool {
    !binary && base64::engine::general_purpose::STANDARD.decode(text.trim()).is_ok()
}

fn one_message(value: &Value, binary: bool) -> Option<NewMessage> {
    let body = match value {
        Value::Null => return None,
        Value::String(text) if looks_base64(text, binary) => base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .unwrap_or_default(),
        Value::String(text) => match parse_json_text(text) {
            Some(parsed) => parsed.to_string().into_bytes(),
            None => text.clone().into_bytes(),
        },
        other => other.to_string().into_bytes(),
    };
    Some(apply_envelope(NewMessage::bytes(body)))
}

fn apply_envelope(mut message: NewMessage) -> NewMessage {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&message.body) else {
        return message;
    };
    if body.len() != 1 {
        return message;
    }
    let Some(Value::Object(envelope)) = body.get(MESSAGE_ENVELOPE_KEY) else {
        return message;
    };
    let text = |key: &str| envelope.get(key).and_then(Value::as_str).map(str::to_owned);
    message.message_id = text("messageId");
    message.session_id = text("sessionId");
    message.correlation_id = text("correlationId");
    message.subject = text("subject");
    if let Some(Value::Object(props)) = envelope.get("applicationProperties") {
        message.application_properties = props.clone();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_are_read_case_insensitively() {
        let a = parse_answer(
            Some("application/json; charset=utf-8"),
            br#"{"outputs":{"res":1},"logs":["hi"],"returnValue":2}"#,
        )
        .unwrap();
        assert_eq!(a.outputs.get("res"), Some(&json!(1)));
        assert_eq!(a.logs, ["hi"]);
        assert_eq!(a.output("$return"), Some(&json!(2)));
    }

    #[test]
    fn invalid_answers_are_rejected() {
        assert!(parse_answer(Some("application/json"), b"not json").is_err());
        assert!(parse_answer(Some("application/json"), b"[]").is_err());
        assert!(parse_answer(Some("text/plain"), b"{}").is_err());
        assert!(parse_answer(None, b"{}").is_err());
    }

    #[test]
    fn http_outputs_take_status_aliases_and_object_bodies() {
        let o = http_output(&json!({"statusCode": "202", "headers": {"X-A": "b"}, "body": {"ok": true}})).unwrap();
        assert_eq!((o.status, o.body.as_slice()), (202, br#"{"ok":true}"#.as_slice()));
        assert_eq!(o.headers, [("X-A".to_owned(), "b".to_owned())]);
        let o = http_output(&json!("{\"status\": 404, \"body\": \"gone\"}")).unwrap();
        assert_eq!((o.status, o.body.as_slice()), (404, b"gone".as_slice()));
        assert_eq!(http_output(&json!({})).unwrap().status, 200);
        assert!(http_output(&json!("plain")).is_err());
    }

    #[test]
    fn service_bus_values_split_and_fall_into_the_base64_trap() {
        assert_eq!(service_bus_messages(&json!({"a": 1}), false)[0].body, br#"{"a":1}"#);
        assert_eq!(service_bus_messages(&json!([{"a": 1}, {"b": 2}]), false).len(), 2);
        assert_eq!(service_bus_messages(&json!("[{\"a\": 1}, {\"b\": 2}]"), false).len(), 2);
        assert_eq!(
            service_bus_messages(&json!("{\"a\":  1}"), false)[0].body,
            br#"{"a":1}"#
        );
        assert_eq!(
            service_bus_messages(&json!("done"), false)[0].body,
            vec![0x76, 0x89, 0xde]
        );
        assert_eq!(service_bus_messages(&json!("done"), true)[0].body, b"done");
        assert_eq!(
            service_bus_messages(&json!("hello world"), false)[0].body,
            b"hello world"
        );
        assert!(service_bus_messages(&Value::Null, false).is_empty());
    }

    #[test]
    fn the_runtime_envelope_sets_broker_properties_and_stays_in_the_body() {
        let value = json!({"azfnMessage": {"messageId": "k1", "sessionId": "u1", "correlationId": "c",
            "subject": "s", "applicationProperties": {"p": 1}, "body": {"x": 1}}});
        let m = &service_bus_messages(&value, false)[0];
        assert_eq!(m.message_id.as_deref(), Some("k1"));
        assert_eq!(m.session_id.as_deref(), Some("u1"));
        assert_eq!(m.correlation_id.as_deref(), Some("c"));
        assert_eq!(m.subject.as_deref(), Some("s"));
        assert_eq!(m.application_properties.get("p"), Some(&json!(1)));
        assert_eq!(serde_json::from_slice::<Value>(&m.body).unwrap(), value);
    }
}
