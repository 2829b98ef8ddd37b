//! What the simulated Bot Connector keeps: channel threads, every activity's current content
//! and its earlier versions, per-user views from invoke answers, and the invokes sent.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::card::first_card;

/// A conversation the bot created: a thread in a channel.
#[derive(Debug, Clone, PartialEq)]
pub struct BotConversation {
    /// The thread's conversation id, `{channel id};messageid={root activity id}`.
    pub id: String,
    /// The channel the thread is in.
    pub channel_id: String,
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
    /// id → card). Cleared by an update: an update refreshes user views (spec B2.2).
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
            team_id,
            tenant_id: tenant_id.to_owned(),
            activity_ids: Vec::new(),
            created_at: Utc::now(),
        });
        self.add_activity(&conversation_id, &activity_id, activity);
        (conversation_id, activity_id)
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
