//! The `adaptiveCard/action` invoke activity Teams sends when a user clicks an
//! `Action.Execute`, and the invoke response
//! (<https://learn.microsoft.com/javascript/api/botframework-schema/adaptivecardinvokeresponse>).

use chrono::Utc;
use serde_json::{json, Map, Value};

use super::card::{CardAction, ADAPTIVE_CARD};

/// Everything the invoke activity says about where and by whom.
#[derive(Debug, Clone)]
pub(crate) struct InvokeContext<'a> {
    pub user_mri: String,
    pub user_name: &'a str,
    pub user_object_id: &'a str,
    pub tenant_id: &'a str,
    pub conversation_id: &'a str,
    pub channel_id: Option<&'a str>,
    pub team_id: Option<&'a str>,
    pub reply_to_id: &'a str,
    pub bot_app_id: &'a str,
    pub bot_name: &'a str,
    pub service_url: &'a str,
    pub channel: &'a str,
    pub trigger: &'a str,
}

/// The invoke activity for a click on `action` with the `typed` input values.
pub(crate) fn invoke_activity(ctx: &InvokeContext<'_>, action: &CardAction, typed: &Map<String, Value>) -> Value {
    let now = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut act = Map::new();
    act.insert("type".into(), json!("Action.Execute"));
    if let Some(id) = &action.id {
        act.insert("id".into(), json!(id));
    }
    act.insert("verb".into(), json!(action.verb));
    act.insert("data".into(), action.merged_data(typed));
    let mut channel_data = Map::new();
    if let Some(channel) = ctx.channel_id {
        channel_data.insert("channel".into(), json!({ "id": channel }));
    }
    if let Some(team) = ctx.team_id {
        channel_data.insert("team".into(), json!({ "id": team }));
    }
    channel_data.insert("tenant".into(), json!({ "id": ctx.tenant_id }));
    channel_data.insert("source".into(), json!({ "name": "message" }));
    json!({
        "name": "adaptiveCard/action",
        "type": "invoke",
        "timestamp": now,
        "localTimestamp": now,
        "id": format!("f:{}", uuid::Uuid::new_v4()),
        "channelId": ctx.channel,
        "serviceUrl": ctx.service_url,
        "from": { "id": ctx.user_mri, "name": ctx.user_name, "aadObjectId": ctx.user_object_id },
        "conversation": {
            "isGroup": true,
            "conversationType": "channel",
            "tenantId": ctx.tenant_id,
            "id": ctx.conversation_id,
        },
        "recipient": { "id": format!("28:{}", ctx.bot_app_id), "name": ctx.bot_name },
        "entities": [ { "locale": "en-US", "country": "US", "platform": "Web", "timezone": "Etc/UTC", "type": "clientInfo" } ],
        "channelData": Value::Object(channel_data),
        "replyToId": ctx.reply_to_id,
        "value": { "action": Value::Object(act), "trigger": ctx.trigger },
        "locale": "en-US",
    })
}

/// A user's Teams id (MRI) as this bot sees it: `29:` and a stable, bot-specific string.
pub(crate) fn user_mri(bot_app_id: &str, user_object_id: &str) -> String {
    let ns = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, bot_app_id.to_ascii_lowercase().as_bytes());
    let id = uuid::Uuid::new_v5(&ns, user_object_id.to_ascii_lowercase().as_bytes());
    use base64::Engine;
    format!(
        "29:1{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id.as_bytes())
    )
}

/// The invoke response body: `{statusCode, type, value}`.
#[derive(Debug, Clone, PartialEq)]
pub struct InvokeResponse {
    /// `statusCode` (200 when absent, as documented).
    pub status_code: u16,
    /// `type`, e.g. `application/vnd.microsoft.card.adaptive`.
    pub kind: String,
    /// `value`: a card, a message string or an error object.
    pub value: Value,
}

impl InvokeResponse {
    /// Reads an invoke response from a JSON body; `None` if it is not one.
    pub fn parse(body: &Value) -> Option<Self> {
        let map = body.as_object()?;
        let status_code = match map.get("statusCode") {
            None => 200,
            Some(v) => u16::try_from(v.as_u64()?).ok()?,
        };
        Some(InvokeResponse {
            status_code,
            kind: map.get("type").and_then(Value::as_str).unwrap_or_default().to_owned(),
            value: map.get("value").cloned().unwrap_or(Value::Null),
        })
    }

    /// The card that replaces the clicked one for this user, if the answer is one.
    pub fn card(&self) -> Option<&Value> {
        (self.status_code == 200 && self.kind == ADAPTIVE_CARD).then_some(&self.value)
    }

    /// The message shown, for `application/vnd.microsoft.activity.message`.
    pub fn message(&self) -> Option<&str> {
        (self.kind == "application/vnd.microsoft.activity.message")
            .then(|| self.value.as_str())
            .flatten()
    }
}
