//! What the simulated Bot Connector keeps: channel threads, every activity's current content
//! and its earlier versions, per-user views from invoke answers, and the invokes sent.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::card::first_card;

/// A conversation the bot posts in: a thread in a channel, or a user's personal (1:1) chat
/// with the bot.
#[derive(Debug, Clone, PartialEq)]
pub struct BotConversation {
    /// The thread's conversation id, `{channel id};messageid={root activity id}`; for a
    /// personal chat `a:…`.
    pub id: String,
    /// The channel the thread is in (empty for a personal chat).
    pub channel_id: String,
    /// For a personal chat: the user's Entra object id.
    pub personal_user: Option<String>,
    /// The team the channel belongs to, if known.
    pub team_id: Option<String>,
    /// The tenant the bot named when creating it.
    pub tenant_id: String,
    /// The thread's activity ids, in posting order (the root first).
    pub activity_ids: Vec<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// A message the bot posted, with its current content and history.
#[derive(Debug, Clone, PartialEq)]
pub struct BotActivity {
    /// The activity (message) id.
    pub id: String,
    /// The conversation it is in.
    pub conversation_id: String,
    /// The activity as last posted or updated (its `id` set).
    pub activity: Value,
    /// Earlier contents, oldest first (one entry per `PUT`).
    pub history: Vec<Value>,
    /// The card each user sees instead of the base card, from invoke answers (Entra object
    /// id → card). Cleared by an update: editing the message makes Teams refresh user views
    /// (<https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/user-specific-views>).
    pub user_views: BTreeMap<String, Value>,
    /// When it was posted.
    pub created_at: DateTime<Utc>,
    /// When it was last updated.
    pub updated_at: Option<DateTime<Utc>>,
}

impl BotActivity {
    /// The current base card (the first Adaptive Card attachment), if any.
    pub fn card(&self) -> Option<&Value> {
        first_card(&self.activity)
    }

    /// The card `user` (Entra object id) sees: their user-specific view, else the base card.
    pub fn card_seen_by(&self, user: &str) -> Option<&Value> {
        self.user_views
            .iter()
            .find(|(u, _)| u.eq_ignore_ascii_case(user))
            .map(|(_, card)| card)
            .or_else(|| self.card())
    }

    /// Every version of the base card, oldest first, the current one last.
    pub fn card_versions(&self) -> Vec<&Value> {
        self.history
            .iter()
            .chain(std::iter::once(&self.activity))
            .filter_map(first_card)
            .collect()
    }

    /// The activity's `text`, if any.
    pub fn text(&self) -> Option<&str> {
        self.activity.get("text").and_then(Value::as_str)
    }

    /// The activity's `summary`, if any.
    pub fn summary(&self) -> Option<&str> {
        self.activity.get("summary").and_then(Value::as_str)
    }
}

/// One `adaptiveCard/action` invoke the Teams client helper sent to the messaging endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct InvokeRecord {
    /// The clicking user's Entra object id.
    pub user_id: String,
    /// The activity sent (body of the POST).
    pub activity: Value,
    /// The HTTP status of the answer; `None` when no answer came.
    pub status: Option<u16>,
    /// The answer's body, parsed as JSON when it was JSON.
    pub response: Option<Value>,
    /// Why no answer came (timeout, connection error).
    pub error: Option<String>,
    /// When it was sent.
    pub at: DateTime<Utc>,
}

/// The Bot Connector's state.
#[derive(Debug, Default)]
pub(crate) struct BotStore {
    pub conversations: Vec<BotConversation>,
    pub activities: Vec<BotActivity>,
    pub invokes: Vec<InvokeRecord>,
    /// Users (lower-case Entra object id) who have the app installed in personal scope.
    pub installed_for: std::collections::BTreeSet<String>,
    last_message_id: u64,
}

impl BotStore {
    /// A new message id: epoch milliseconds like Teams', strictly increasing.
    pub fn next_message_id(&mut self) -> String {
        let now = Utc::now().timestamp_millis().max(0) as u64;
        self.last_message_id = now.max(self.last_message_id + 1);
        self.last_message_id.to_string()
    }

    pub fn conversation(&self, id: &str) -> Option<&BotConversation> {
        self.conversations.iter().find(|c| c.id == id)
    }

    pub fn conversation_mut(&mut self, id: &str) -> Option<&mut BotConversation> {
        self.conversations.iter_mut().find(|c| c.id == id)
    }

    pub fn activity(&self, conversation_id: &str, id: &str) -> Option<&BotActivity> {
        self.activities
            .iter()
            .find(|a| a.id == id && a.conversation_id == conversation_id)
    }

    pub fn activity_mut(&mut self, conversation_id: &str, id: &str) -> Option<&mut BotActivity> {
        self.activities
            .iter_mut()
            .find(|a| a.id == id && a.conversation_id == conversation_id)
    }

    /// Starts a thread in `channel_id` with `activity` as its root; returns (conversation id, activity id).
    pub fn create_thread(
        &mut self,
        channel_id: &str,
        team_id: Option<String>,
        tenant_id: &str,
        activity: Value,
    ) -> (String, String) {
        let activity_id = self.next_message_id();
        let conversation_id = format!("{channel_id};messageid={activity_id}");
        self.conversations.push(BotConversation {
            id: conversation_id.clone(),
            channel_id: channel_id.to_owned(),
            personal_user: None,
            team_id,
            tenant_id: tenant_id.to_owned(),
            activity_ids: Vec::new(),
            created_at: Utc::now(),
        });
        self.add_activity(&conversation_id, &activity_id, activity);
        (conversation_id, activity_id)
    }

    /// The personal chat of `user` (Entra object id) with the bot, if it was ever opened.
    pub fn personal_chat(&self, user: &str) -> Option<&BotConversation> {
        self.conversations
            .iter()
            .find(|c| c.personal_user.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(user)))
    }

    /// The personal chat of `user`, opened if it does not exist yet (one per user and bot,
    /// like Teams'); returns its conversation id.
    pub fn open_personal_chat(&mut self, user: &str, tenant_id: &str) -> String {
        if let Some(c) = self.personal_chat(user) {
            return c.id.clone();
        }
        use base64::Engine;
        let id = format!(
            "a:1{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes())
        );
        self.conversations.push(BotConversation {
            id: id.clone(),
            channel_id: String::new(),
            personal_user: Some(user.to_owned()),
            team_id: None,
            tenant_id: tenant_id.to_owned(),
            activity_ids: Vec::new(),
            created_at: Utc::now(),
        });
        id
    }

    /// Whether `user` has the app installed in personal scope.
    pub fn is_installed_for(&self, user: &str) -> bool {
        self.installed_for.contains(&user.to_ascii_lowercase())
    }

    /// Adds an activity to an existing conversation.
    pub fn add_activity(&mut self, conversation_id: &str, activity_id: &str, mut activity: Value) {
        set_ids(&mut activity, conversation_id, activity_id);
        if let Some(c) = self.conversation_mut(conversation_id) {
            c.activity_ids.push(activity_id.to_owned());
        }
        self.activities.push(BotActivity {
            id: activity_id.to_owned(),
            conversation_id: conversation_id.to_owned(),
            activity,
            history: Vec::new(),
            user_views: BTreeMap::new(),
            created_at: Utc::now(),
            updated_at: None,
        });
    }
}

/// Sets `id` and `conversation.id` of a stored activity.
pub(crate) fn set_ids(activity: &mut Value, conversation_id: &str, activity_id: &str) {
    if let Some(map) = activity.as_object_mut() {
        map.insert("id".into(), Value::String(activity_id.to_owned()));
        map.insert("conversation".into(), serde_json::json!({ "id": conversation_id }));
    }
}
