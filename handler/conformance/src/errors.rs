//! Graph's error answer: `{"error": {"code", "message", "target"?, "details"?, "innerError"?}}`
//! (<https://learn.microsoft.com/graph/errors>).

use serde_json::Value;

use crate::report::{FindingKind, Sink};

const ERROR: &str = "error";

/// Checks a non-2xx answer's body.
pub(crate) fn check(body: Option<&Value>, sink: &mut Sink) {
    let Some(body) = body else {
        return;
    };
    let Some(obj) = body.as_object() else {
        sink.body(
            FindingKind::BadError,
            "",
            ERROR,
            None,
            "an error answer is a JSON object with \"error\"".into(),
        );
        return;
    };
    for key in obj.keys().filter(|k| *k != "error") {
        sink.body(
            FindingKind::BadError,
            &format!("/{key}"),
            ERROR,
            Some(key),
            format!("an error answer has only \"error\", not \"{key}\""),
        );
    }
    let Some(error) = obj.get("error").and_then(Value::as_object) else {
        sink.body(
            FindingKind::BadError,
            "/error",
            ERROR,
            Some("error"),
            "\"error\" is missing or not an object".into(),
        );
        return;
    };
    for required in ["code", "message"] {
        if !error.get(required).is_some_and(Value::is_string) {
            sink.body(
                FindingKind::BadError,
                &format!("/error/{required}"),
                ERROR,
                Some(required),
                format!("error.{required} is missing or not a string"),
            );
        }
    }
    for (key, v) in error {
        let ok = match key.as_str() {
            "code" | "message" | "target" => v.is_string() || v.is_null(),
            "details" => v.is_array(),
            "innerError" | "innererror" => v.is_object(),
            _ => false,
        };
        if !ok {
            sink.body(
                FindingKind::BadError,
                &format!("/error/{key}"),
                ERROR,
                Some(key),
                format!("error.{key} is not part of Graph's error shape (code, message, target, details, innerError) or has the wrong JSON type"),
            );
        }
    }
}
