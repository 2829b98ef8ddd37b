//! Bot Framework activities as Teams sends them to the messaging endpoint
//! (<https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference>).

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::json::{from_slice, from_value, null_as_empty};
use crate::string_enum::string_enum;
use crate::ParseError;

/// `name` of the Universal Actions invoke.
pub const ADAPTIVE_CARD_ACTION: &str = "adaptiveCard/action";

string_enum! {
    /// The activity `type`.
    pub enum ActivityType {
        /// `message`
        Message = "message",
        /// `invoke` (card actions)
        Invoke = "invoke",
        /// `conversationUpdate` (members added/removed, bot installed)
        ConversationUpdate = "conversationUpdate",
        /// `installationUpdate`
        InstallationUpdate = "installationUpdate",
        /// `messageReaction`
        MessageReaction = "messageReaction",
        /// `typing`
        Typing = "typing",
        /// `event`
        Event = "event",
    }
}

/// An inbound activity.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    /// `type`.
    pub kind: ActivityType,
    /// `name` (for invokes: `adaptiveCard/action`).
    pub name: Option<String>,
    /// Activity id.
    pub id: Option<String>,
    /// `msteams` for Teams.
    pub channel_id: String,
    /// Base URI for replies; must equal the token's `serviceUrl` claim.
    pub service_url: String,
    /// When sent.
    pub timestamp: Option<DateTime<FixedOffset>>,
    /// Who acted.
    pub from: ChannelAccount,
    /// The bot.
    pub recipient: Option<ChannelAccount>,
    /// Where.
    pub conversation: Option<ConversationAccount>,
    /// Teams specifics: tenant, team, channel.
    pub channel_data: Option<TeamsChannelData>,
    /// The message holding the card (for updating it).
    pub reply_to_id: Option<String>,
    /// Message text.
    pub text: Option<String>,
    /// Locale (`en-US`).
    pub locale: Option<String>,
    /// For conversationUpdate.
    pub members_added: Vec<ChannelAccount>,
    /// For conversationUpdate.
    pub members_removed: Vec<ChannelAccount>,
    /// For installationUpdate: `add` or `remove` (`add-upgrade`, `remove-upgrade` too).
    pub action: Option<String>,
    /// The typed `value`.
    pub value: ActivityValue,
}

/// What an activity in a personal chat says about the bot's installation there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalScope {
    /// The user installed the app (the bot was added to their personal chat).
    Installed,
    /// The user removed the app: the bot can no longer write to them.
    Removed,
    /// Some other activity in the personal chat: the bot is there.
    Active,
}

/// `value`, typed by what the activity is.
#[derive(Debug, Clone, PartialEq)]
pub enum ActivityValue {
    /// No value.
    None,
    /// `invoke` named `adaptiveCard/action`.
    AdaptiveCardAction(AdaptiveCardInvokeValue),
    /// Any other value, as received (no handler of ours reads it).
    Other(Value),
}

/// A user or bot.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ChannelAccount {
    /// Channel id (`29:…` for a Teams user, `28:…` for a bot).
    pub id: String,
    /// Display name.
    pub name: Option<String>,
    /// Entra object id: use this for authorisation.
    pub aad_object_id: Option<String>,
}

/// `conversation`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConversationAccount {
    /// Conversation id (`19:…@thread.tacv2;messageid=…`).
    pub id: String,
    /// `channel`, `personal`, `groupChat`.
    pub conversation_type: Option<String>,
    /// Tenant.
    pub tenant_id: Option<String>,
    /// Group conversation.
    pub is_group: Option<bool>,
    /// Name.
    pub name: Option<String>,
}

/// `channelData` of Teams.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TeamsChannelData {
    /// `tenant.id`.
    pub tenant: Option<IdName>,
    /// The team.
    pub team: Option<IdName>,
    /// The channel.
    pub channel: Option<IdName>,
    /// `eventType` of conversationUpdate (`teamMemberAdded`, ...).
    pub event_type: Option<String>,
}

/// `{id, name}`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IdName {
    /// Id.
    pub id: Option<String>,
    /// Name.
    pub name: Option<String>,
}

/// The value of an `adaptiveCard/action` invoke.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdaptiveCardInvokeValue {
    /// The action.
    pub action: InvokeAction,
    /// `manual` (click) or `automatic` (refresh).
    #[serde(default)]
    pub trigger: Option<Trigger>,
}

string_enum! {
    /// `value.trigger`.
    pub enum Trigger {
        /// A click.
        Manual = "manual",
        /// A refresh.
        Automatic = "automatic",
    }
}

/// `value.action`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvokeAction {
    /// `Action.Execute`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// Action id.
    #[serde(default)]
    pub id: Option<String>,
    /// Which button (`approve`, `deny`).
    #[serde(default)]
    pub verb: Option<String>,
    /// The card's `data` merged with the inputs (keys = input ids): our own card's shape.
    #[serde(default, deserialize_with = "null_as_empty_map")]
    pub data: Map<String, Value>,
}

impl InvokeAction {
    /// Read `data` as the card's own typed data.
    pub fn data_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, ParseError> {
        from_value(Value::Object(self.data.clone())).map_err(|e| prefix(e, "value.action.data"))
    }
}

fn null_as_empty_map<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Map<String, Value>, D::Error> {
    Ok(Option::<Map<String, Value>>::deserialize(d)?.unwrap_or_default())
}

fn prefix(e: ParseError, at: &str) -> ParseError {
    let join = |p: String| {
        if p == "." || p.is_empty() {
            at.to_string()
        } else {
            format!("{at}.{p}")
        }
    };
    match e {
        ParseError::Missing { path } => ParseError::Missing { path: join(path) },
        ParseError::UnknownValue { path, value } => ParseError::UnknownValue {
            path: join(path),
            value,
        },
        ParseError::Invalid { path, message } => ParseError::Invalid {
            path: join(path),
            message,
        },
        other => other,
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawActivity {
    #[serde(rename = "type")]
    kind: ActivityType,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    id: Option<String>,
    channel_id: String,
    service_url: String,
    #[serde(default)]
    timestamp: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    from: Option<ChannelAccount>,
    #[serde(default)]
    recipient: Option<ChannelAccount>,
    #[serde(default)]
    conversation: Option<ConversationAccount>,
    #[serde(default)]
    channel_data: Option<TeamsChannelData>,
    #[serde(default)]
    reply_to_id: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    locale: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    members_added: Vec<ChannelAccount>,
    #[serde(default, deserialize_with = "null_as_empty")]
    members_removed: Vec<ChannelAccount>,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    value: Option<Value>,
}

impl Activity {
    /// Parse an activity body.
    pub fn from_slice(body: &[u8]) -> Result<Activity, ParseError> {
        let raw: RawActivity = from_slice(body)?;
        let is_card_action = raw.kind == ActivityType::Invoke
            && raw
                .name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(ADAPTIVE_CARD_ACTION));
        let value = match raw.value {
            None | Some(Value::Null) if is_card_action => return Err(ParseError::Missing { path: "value".into() }),
            None | Some(Value::Null) => ActivityValue::None,
            Some(v) if is_card_action => {
                ActivityValue::AdaptiveCardAction(from_value(v).map_err(|e| prefix(e, "value"))?)
            }
            Some(v) => ActivityValue::Other(v),
        };
        Ok(Activity {
            kind: raw.kind,
            name: raw.name,
            id: raw.id,
            channel_id: raw.channel_id,
            service_url: raw.service_url,
            timestamp: raw.timestamp,
            from: raw.from.unwrap_or_default(),
            recipient: raw.recipient,
            conversation: raw.conversation,
            channel_data: raw.channel_data,
            reply_to_id: raw.reply_to_id,
            text: raw.text,
            locale: raw.locale,
            members_added: raw.members_added,
            members_removed: raw.members_removed,
            action: raw.action,
            value,
        })
    }

    /// Whether this happened in a user's personal (1:1) chat with the bot.
    pub fn is_personal(&self) -> bool {
        self.conversation
            .as_ref()
            .and_then(|c| c.conversation_type.as_deref())
            .is_some_and(|t| t.eq_ignore_ascii_case("personal"))
    }

    /// What this activity says about the bot's place in the user's personal scope: installed
    /// (`installationUpdate` `add…`, or `conversationUpdate` adding the bot), removed
    /// (`installationUpdate` `remove…`, or `conversationUpdate` removing the bot), or, for any
    /// other activity in a personal chat, that the chat exists. `None` outside personal chats.
    pub fn personal_scope(&self) -> Option<PersonalScope> {
        if !self.is_personal() {
            return None;
        }
        let bot = self.recipient.as_ref().map(|r| r.id.as_str()).unwrap_or_default();
        let names_bot = |members: &[ChannelAccount]| {
            members
                .iter()
                .any(|m| m.id.starts_with("28:") || (!bot.is_empty() && m.id == bot))
        };
        let action = self.action.as_deref().unwrap_or_default().to_ascii_lowercase();
        match self.kind {
            ActivityType::InstallationUpdate if action.starts_with("remove") => Some(PersonalScope::Removed),
            ActivityType::InstallationUpdate if action.starts_with("add") => Some(PersonalScope::Installed),
            ActivityType::ConversationUpdate if names_bot(&self.members_removed) => Some(PersonalScope::Removed),
            ActivityType::ConversationUpdate if names_bot(&self.members_added) => Some(PersonalScope::Installed),
            _ => Some(PersonalScope::Active),
        }
    }

    /// The card action, if this is an `adaptiveCard/action` invoke.
    pub fn card_action(&self) -> Option<&AdaptiveCardInvokeValue> {
        match &self.value {
            ActivityValue::AdaptiveCardAction(v) => Some(v),
            _ => None,
        }
    }

    /// The tenant: `conversation.tenantId`, else `channelData.tenant.id`.
    pub fn tenant_id(&self) -> Option<&str> {
        self.conversation
            .as_ref()
            .and_then(|c| c.tenant_id.as_deref())
            .or_else(|| self.channel_data.as_ref()?.tenant.as_ref()?.id.as_deref())
    }

    /// The acting user's Entra object id.
    pub fn from_aad_object_id(&self) -> Option<&str> {
        self.from.aad_object_id.as_deref()
    }
}
