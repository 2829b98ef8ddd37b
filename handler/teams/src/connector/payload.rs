//! The Bot Connector's wire types we send and read
//! (<https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference>), serialised from
//! typed structs. Field names are the Bot Framework's camelCase.

use serde::{Deserialize, Serialize};

/// The attachment content type of an Adaptive Card.
pub const ADAPTIVE_CARD_CONTENT_TYPE: &str = "application/vnd.microsoft.card.adaptive";

/// `ConversationParameters`: the body of `POST /v3/conversations` for a new channel thread.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ConversationParameters<'a> {
    pub is_group: bool,
    pub channel_data: ChannelData<'a>,
    pub activity: Activity<'a>,
    pub tenant_id: &'a str,
}

/// `ConversationParameters` of a 1:1 chat: the bot, the one member by their
/// bot-specific `29:` id, and the tenant.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PersonalConversationParameters<'a> {
    pub bot: IdRef<'a>,
    pub members: [IdRef<'a>; 1],
    pub channel_data: TenantData<'a>,
    pub tenant_id: &'a str,
}

/// Teams `channelData` naming only the tenant.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TenantData<'a> {
    pub tenant: IdRef<'a>,
}

/// Teams `channelData` of a new thread: the channel and the tenant.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ChannelData<'a> {
    pub channel: IdRef<'a>,
    pub tenant: IdRef<'a>,
}

/// `{"id": "..."}`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct IdRef<'a> {
    pub id: &'a str,
}

/// The outgoing `Activity` (a message) with optional text, summary and card attachments.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Activity<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment<'a>>,
}

impl<'a> Activity<'a> {
    /// A `message` activity with no content yet.
    pub fn message() -> Self {
        Activity {
            kind: "message",
            id: None,
            text: None,
            summary: None,
            attachments: Vec::new(),
        }
    }

    /// Adds an Adaptive Card attachment.
    pub fn with_card(mut self, card: &'a serde_json::Value) -> Self {
        self.attachments.push(Attachment {
            content_type: ADAPTIVE_CARD_CONTENT_TYPE,
            content: card,
        });
        self
    }
}

/// An attachment: `contentType` + `content`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Attachment<'a> {
    pub content_type: &'static str,
    pub content: &'a serde_json::Value,
}

/// `ConversationResourceResponse`: `{id, activityId, serviceUrl}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ConversationResourceResponse {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub activity_id: Option<String>,
}

impl ConversationResourceResponse {
    /// The posted activity's id: `activityId` when given, else the `messageid` of a thread
    /// conversation id (`19:…@thread.tacv2;messageid=1767…`).
    pub fn activity_id(&self) -> Option<String> {
        match self.activity_id.as_deref() {
            Some(id) if !id.is_empty() => Some(id.to_string()),
            _ => message_id_of(&self.id).map(str::to_string),
        }
    }
}

/// The `messageid` parameter of a thread conversation id, if any.
pub(crate) fn message_id_of(conversation_id: &str) -> Option<&str> {
    conversation_id
        .split(';')
        .skip(1)
        .find_map(|part| part.strip_prefix("messageid="))
        .filter(|id| !id.is_empty())
}

/// `ResourceResponse`: `{id}` (the id may be absent on updates).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ResourceResponse {
    #[serde(default)]
    pub id: String,
}

/// `ErrorResponse`: `{"error": {"code", "message"}}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ErrorResponse {
    #[serde(default)]
    pub error: ErrorDetail,
}

/// The error of an [`ErrorResponse`].
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ErrorDetail {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
}

impl ErrorResponse {
    /// `code: message` from an error body, or the start of a body that is not an `ErrorResponse`.
    pub fn describe(body: &[u8]) -> String {
        let parsed: ErrorResponse = serde_json::from_slice(body).unwrap_or_default();
        let ErrorDetail { code, message } = parsed.error;
        match (code.is_empty(), message.is_empty()) {
            (false, false) => format!("{code}: {message}"),
            (false, true) => code,
            (true, false) => message,
            (true, true) => {
                let text = String::from_utf8_lossy(body);
                let text: String = text.chars().take(200).collect();
                if text.trim().is_empty() {
                    "(no error body)".to_string()
                } else {
                    text
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn channel_thread_parameters_have_the_documented_shape() {
        let card = json!({"type": "AdaptiveCard", "version": "1.5", "body": [], "actions": []});
        let params = ConversationParameters {
            is_group: true,
            channel_data: ChannelData {
                channel: IdRef {
                    id: "19:abc@thread.tacv2",
                },
                tenant: IdRef { id: "t1" },
            },
            activity: Activity {
                summary: Some("Approval needed"),
                ..Activity::message()
            }
            .with_card(&card),
            tenant_id: "t1",
        };
        assert_eq!(
            serde_json::to_value(&params).unwrap(),
            json!({
                "isGroup": true,
                "channelData": { "channel": { "id": "19:abc@thread.tacv2" }, "tenant": { "id": "t1" } },
                "activity": {
                    "type": "message",
                    "summary": "Approval needed",
                    "attachments": [ { "contentType": "application/vnd.microsoft.card.adaptive", "content": card } ]
                },
                "tenantId": "t1"
            })
        );
    }

    #[test]
    fn activity_id_comes_from_the_answer_or_the_thread_id() {
        let r: ConversationResourceResponse =
            serde_json::from_value(json!({"id": "19:a@thread.tacv2;messageid=17", "activityId": "17"})).unwrap();
        assert_eq!(r.activity_id().as_deref(), Some("17"));
        let r: ConversationResourceResponse =
            serde_json::from_value(json!({"id": "19:a@thread.tacv2;messageid=1767765488332"})).unwrap();
        assert_eq!(r.activity_id().as_deref(), Some("1767765488332"));
        let r: ConversationResourceResponse =
            serde_json::from_value(json!({"id": "19:a@thread.tacv2", "activityId": ""})).unwrap();
        assert_eq!(r.activity_id(), None);
    }

    #[test]
    fn error_bodies_are_described_without_guessing() {
        assert_eq!(
            ErrorResponse::describe(br#"{"error":{"code":"BadArgument","message":"Unknown channel"}}"#),
            "BadArgument: Unknown channel"
        );
        assert_eq!(ErrorResponse::describe(b"<html>oops</html>"), "<html>oops</html>");
        assert_eq!(ErrorResponse::describe(b""), "(no error body)");
    }
}
