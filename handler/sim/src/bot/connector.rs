//! The simulated Bot Connector
//! (<https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference>):
//! `POST v3/conversations` (a new thread in a channel, or a user's 1:1 chat by their `29:` id),
//! `POST v3/conversations/{id}/activities[/{activityId}]` (a message in a thread or chat),
//! `PUT v3/conversations/{id}/activities/{activityId}` (update). A 1:1 chat exists only for a
//! user who has the app installed in personal scope; otherwise 403, as Teams answers.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{json, Value};

use super::area::BotArea;
use super::auth::authorize;
use super::card::ADAPTIVE_CARD;
use super::errors::ConnectorError;
use super::limits::message_bytes;
use super::service_url;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConversationParameters {
    #[serde(default)]
    is_group: Option<bool>,
    #[serde(default)]
    channel_data: Option<ChannelData>,
    #[serde(default)]
    tenant_id: Option<String>,
    #[serde(default)]
    members: Vec<Value>,
    #[serde(default)]
    activity: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
struct ChannelData {
    #[serde(default)]
    channel: Option<IdRef>,
    #[serde(default)]
    tenant: Option<IdRef>,
}

#[derive(Debug, Default, Deserialize)]
struct IdRef {
    #[serde(default)]
    id: String,
}

/// `POST /botconnector/v3/conversations`
pub(super) async fn create_conversation(State(area): State<BotArea>, headers: HeaderMap, body: Bytes) -> Response {
    match create(&area, &headers, &body) {
        Ok((conversation_id, activity_id)) => {
            area.bot.notify();
            let mut answer = json!({
                "id": conversation_id,
                "serviceUrl": service_url(&area.authority.base_url),
            });
            if let Some(activity_id) = activity_id {
                answer["activityId"] = json!(activity_id);
            }
            (StatusCode::CREATED, Json(answer)).into_response()
        }
        Err(e) => e.into_response(),
    }
}

fn create(area: &BotArea, headers: &HeaderMap, body: &[u8]) -> Result<(String, Option<String>), ConnectorError> {
    authorize(area, headers)?;
    let params: ConversationParameters = serde_json::from_slice(body)
        .map_err(|e| ConnectorError::bad_argument(format!("The request body is not ConversationParameters: {e}")))?;
    if !params.members.is_empty() {
        return create_personal(area, params);
    }
    if params.is_group == Some(false) {
        return Err(ConnectorError::bad_argument(
            "A 1:1 conversation needs members: [{\"id\": \"29:…\"}].",
        ));
    }
    let channel_data = params.channel_data.unwrap_or_default();
    let channel_id = channel_data.channel.map(|c| c.id).unwrap_or_default();
    if channel_id.is_empty() {
        return Err(ConnectorError::bad_argument("channelData.channel.id is required."));
    }
    let tenant = channel_data.tenant.map(|t| t.id).or(params.tenant_id);
    let tenant = tenant.unwrap_or_else(|| area.authority.tenant_id.clone());
    if !tenant.eq_ignore_ascii_case(&area.authority.tenant_id) {
        return Err(ConnectorError::new(
            StatusCode::FORBIDDEN,
            "Forbidden",
            format!("The bot is not installed in tenant '{tenant}'."),
        ));
    }
    let activity = params
        .activity
        .ok_or_else(|| ConnectorError::bad_argument("activity is required."))?;
    let activity = check_activity(area, activity)?;
    let team_id = installed_team(area, &channel_id)?;
    admit(area, &channel_id)?;
    let (conversation_id, activity_id) = area.bot.store().create_thread(&channel_id, team_id, &tenant, activity);
    tracing::info!(%conversation_id, %activity_id, "bot connector: thread created");
    Ok((conversation_id, Some(activity_id)))
}

/// B1.4: the 1:1 chat with the one member named by their bot-specific `29:` id; the
/// activity, if any, is posted into it.
fn create_personal(area: &BotArea, params: ConversationParameters) -> Result<(String, Option<String>), ConnectorError> {
    if params.is_group == Some(true) || params.members.len() != 1 {
        return Err(ConnectorError::bad_argument(
            "The simulator creates 1:1 chats only: one member and no isGroup.",
        ));
    }
    let member = params.members[0].get("id").and_then(Value::as_str).unwrap_or_default();
    if !member.starts_with("29:") {
        return Err(ConnectorError::bad_argument(format!(
            "members[0].id must be a Teams user id (29:…), not '{member}'."
        )));
    }
    let tenant = params
        .channel_data
        .and_then(|d| d.tenant)
        .map(|t| t.id)
        .or(params.tenant_id)
        .ok_or_else(|| ConnectorError::bad_argument("channelData.tenant.id is required for a 1:1 chat."))?;
    if !tenant.eq_ignore_ascii_case(&area.authority.tenant_id) {
        return Err(ConnectorError::new(
            StatusCode::FORBIDDEN,
            "Forbidden",
            format!("The bot is not installed in tenant '{tenant}'."),
        ));
    }
    let app_id = area.bot.settings().app_id.clone().unwrap_or_default();
    let user = {
        let store = area.bot.store();
        store
            .installed_for
            .iter()
            .find(|u| super::invoke::user_mri(&app_id, u) == member)
            .cloned()
    };
    let Some(user) = user else {
        return Err(ConnectorError::new(
            StatusCode::FORBIDDEN,
            "BotNotInConversationRoster",
            "The bot is not installed in the user's personal scope.",
        ));
    };
    let activity = params.activity.map(|a| check_activity(area, a)).transpose()?;
    let conversation_id = area.bot.store().open_personal_chat(&user, &tenant);
    let activity_id = match activity {
        Some(activity) => {
            admit(area, &conversation_id)?;
            let mut store = area.bot.store();
            let id = store.next_message_id();
            store.add_activity(&conversation_id, &id, activity);
            Some(id)
        }
        None => None,
    };
    tracing::info!(%conversation_id, "bot connector: 1:1 chat opened");
    Ok((conversation_id, activity_id))
}

/// `POST /botconnector/v3/conversations/{id}/activities`
pub(super) async fn send_to_conversation(
    State(area): State<BotArea>,
    Path(conversation_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    post_activity(&area, &conversation_id, &headers, &body)
}

/// `POST /botconnector/v3/conversations/{id}/activities/{activityId}` (reply to an activity).
pub(super) async fn reply_to_activity(
    State(area): State<BotArea>,
    Path((conversation_id, _reply_to)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    post_activity(&area, &conversation_id, &headers, &body)
}

fn post_activity(area: &BotArea, conversation_id: &str, headers: &HeaderMap, body: &[u8]) -> Response {
    let result = (|| -> Result<String, ConnectorError> {
        authorize(area, headers)?;
        let activity = parse_activity(body)?;
        let activity = check_activity(area, activity)?;
        let (known, personal_user) = {
            let store = area.bot.store();
            let conversation = store.conversation(conversation_id);
            (
                conversation.is_some(),
                conversation.and_then(|c| c.personal_user.clone()),
            )
        };
        if let Some(user) = personal_user {
            if !area.bot.store().is_installed_for(&user) {
                return Err(ConnectorError::new(
                    StatusCode::FORBIDDEN,
                    "BotNotInConversationRoster",
                    "The bot is not part of the conversation roster.",
                ));
            }
        }
        if !known {
            // Posting to a channel itself starts a new thread there.
            let team_id = installed_team(area, conversation_id).map_err(|_| conversation_not_found(conversation_id))?;
            admit(area, conversation_id)?;
            let tenant = area.authority.tenant_id.clone();
            let (_, id) = area
                .bot
                .store()
                .create_thread(conversation_id, team_id, &tenant, activity);
            return Ok(id);
        }
        admit(area, conversation_id)?;
        let mut store = area.bot.store();
        let id = store.next_message_id();
        store.add_activity(conversation_id, &id, activity);
        Ok(id)
    })();
    match result {
        Ok(id) => {
            area.bot.notify();
            tracing::info!(%conversation_id, activity_id = %id, "bot connector: activity posted");
            (StatusCode::CREATED, Json(json!({ "id": id }))).into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// `PUT /botconnector/v3/conversations/{id}/activities/{activityId}`
pub(super) async fn update_activity(
    State(area): State<BotArea>,
    Path((conversation_id, activity_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = (|| -> Result<(), ConnectorError> {
        authorize(&area, &headers)?;
        let activity = parse_activity(&body)?;
        let mut activity = check_activity(&area, activity)?;
        if area.bot.store().conversation(&conversation_id).is_none() {
            return Err(conversation_not_found(&conversation_id));
        }
        admit(&area, &conversation_id)?;
        let mut store = area.bot.store();
        let stored = store.activity_mut(&conversation_id, &activity_id).ok_or_else(|| {
            ConnectorError::not_found("ActivityNotFound", format!("Activity '{activity_id}' does not exist."))
        })?;
        super::store::set_ids(&mut activity, &conversation_id, &activity_id);
        let previous = std::mem::replace(&mut stored.activity, activity);
        stored.history.push(previous);
        stored.user_views.clear();
        stored.updated_at = Some(chrono::Utc::now());
        Ok(())
    })();
    match result {
        Ok(()) => {
            area.bot.notify();
            tracing::info!(%conversation_id, %activity_id, "bot connector: activity updated");
            Json(json!({ "id": activity_id })).into_response()
        }
        Err(e) => e.into_response(),
    }
}

fn parse_activity(body: &[u8]) -> Result<Value, ConnectorError> {
    serde_json::from_slice(body)
        .map_err(|e| ConnectorError::bad_argument(format!("The request body is not an Activity: {e}")))
}

/// A message activity whose card attachments are Adaptive Cards, within the size limit;
/// returned with the fields the Connector fills in (`from`, `channelId`, `timestamp`, `serviceUrl`).
fn check_activity(area: &BotArea, mut activity: Value) -> Result<Value, ConnectorError> {
    let Some(map) = activity.as_object_mut() else {
        return Err(ConnectorError::bad_argument("The activity must be a JSON object."));
    };
    match map.get("type").and_then(Value::as_str) {
        Some("message") => {}
        Some(other) => {
            return Err(ConnectorError::bad_argument(format!(
                "The simulator accepts message activities only, not '{other}'."
            )))
        }
        None => return Err(ConnectorError::bad_argument("The activity type is required.")),
    }
    let attachments = map
        .get("attachments")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let has_text = map.get("text").and_then(Value::as_str).is_some_and(|t| !t.is_empty());
    if attachments.is_empty() && !has_text {
        return Err(ConnectorError::bad_argument(
            "The activity has neither text nor attachments.",
        ));
    }
    for (i, a) in attachments.iter().enumerate() {
        if a.get("contentType").and_then(Value::as_str) != Some(ADAPTIVE_CARD) {
            continue;
        }
        let content = a.get("content");
        if content.and_then(|c| c.get("type")).and_then(Value::as_str) != Some("AdaptiveCard") {
            return Err(ConnectorError::bad_argument(format!(
                "attachments[{i}]: an Adaptive Card attachment's content must be an object of type AdaptiveCard."
            )));
        }
    }
    let (app_id, name, max) = {
        let s = area.bot.settings();
        (
            s.app_id.clone().unwrap_or_default(),
            s.name.clone(),
            s.max_message_bytes,
        )
    };
    let size = message_bytes(&activity);
    if size > max {
        return Err(ConnectorError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "MessageSizeTooBig",
            format!("The message is {size} bytes; the limit is {max}."),
        ));
    }
    if let Some(map) = activity.as_object_mut() {
        map.insert("from".into(), json!({ "id": format!("28:{app_id}"), "name": name }));
        map.insert("channelId".into(), json!("msteams"));
        map.insert("serviceUrl".into(), json!(service_url(&area.authority.base_url)));
        map.insert("timestamp".into(), json!(chrono::Utc::now().to_rfc3339()));
    }
    Ok(activity)
}

/// The team of a channel the bot is installed in, or 403 `BotNotInConversationRoster`.
fn installed_team(area: &BotArea, channel_id: &str) -> Result<Option<String>, ConnectorError> {
    let settings = area.bot.settings();
    match settings.team_of(channel_id) {
        Some(team) => Ok(Some(team.id.clone())),
        None => Err(ConnectorError::new(
            StatusCode::FORBIDDEN,
            "BotNotInConversationRoster",
            format!("The bot is not installed in a team with channel '{channel_id}'."),
        )),
    }
}

fn conversation_not_found(id: &str) -> ConnectorError {
    ConnectorError::not_found("ConversationNotFound", format!("Conversation '{id}' does not exist."))
}

/// Counts a send against the thread's and the app's rate limits (when enforced).
fn admit(area: &BotArea, thread: &str) -> Result<(), ConnectorError> {
    if !area.bot.settings().enforce_limits {
        return Ok(());
    }
    area.bot
        .limits()
        .admit(thread, area.time_scale)
        .map_err(|wait| ConnectorError::too_many_requests(wait.as_secs_f64().ceil().max(1.0) as u64))
}
