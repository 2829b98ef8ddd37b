//! The body we answer an `adaptiveCard/action` invoke with
//! (<https://learn.microsoft.com/adaptive-cards/authoring-cards/universal-action-model>). The HTTP status is
//! always 200; the logical status goes in `statusCode`.

use serde::Serialize;
use serde_json::Value;

/// `type` of a card answer.
pub const CARD_TYPE: &str = "application/vnd.microsoft.card.adaptive";
/// `type` of a message answer.
pub const MESSAGE_TYPE: &str = "application/vnd.microsoft.activity.message";
/// `type` of an error answer.
pub const ERROR_TYPE: &str = "application/vnd.microsoft.error";

/// `{statusCode, type, value}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvokeResponse {
    /// Logical status (200, 400, 500...).
    pub status_code: u16,
    /// What `value` is.
    #[serde(rename = "type")]
    pub kind: String,
    /// A card, a message string, or an error object.
    pub value: Value,
}

/// The error object `{code, message}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InvokeError {
    /// Short code.
    pub code: String,
    /// Text for the user.
    pub message: String,
}

impl InvokeResponse {
    /// Replace the card for this user with `card` (an Adaptive Card object).
    pub fn card(card: Value) -> Self {
        InvokeResponse {
            status_code: 200,
            kind: CARD_TYPE.into(),
            value: card,
        }
    }

    /// Show a message.
    pub fn message(text: &str) -> Self {
        InvokeResponse {
            status_code: 200,
            kind: MESSAGE_TYPE.into(),
            value: Value::String(text.into()),
        }
    }

    /// A logical error (400 bad request, 500 unexpected).
    pub fn error(status_code: u16, code: &str, message: &str) -> Self {
        let err = InvokeError {
            code: code.into(),
            message: message.into(),
        };
        InvokeResponse {
            status_code,
            kind: ERROR_TYPE.into(),
            value: serde_json::to_value(err).unwrap_or(Value::Null),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn card_answer_matches_the_spec_example() {
        let card = json!({"type": "AdaptiveCard", "version": "1.5",
            "body": [{"type": "TextBlock", "text": "Approved by Alice at 10:02 UTC"}]});
        let expected: Value = serde_json::from_str(include_str!("../../testdata/invoke-response-card.json")).unwrap();
        assert_eq!(serde_json::to_value(InvokeResponse::card(card)).unwrap(), expected);
    }

    #[test]
    fn error_answer_carries_code_and_message() {
        let v = serde_json::to_value(InvokeResponse::error(400, "BadRequest", "tampered card")).unwrap();
        assert_eq!(
            v,
            json!({"statusCode": 400, "type": ERROR_TYPE, "value": {"code": "BadRequest", "message": "tampered card"}})
        );
    }
}
