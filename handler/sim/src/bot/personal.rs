//! A user's personal scope: installing the app opens their 1:1 chat with the bot, and Teams
//! tells the bot (an `installationUpdate` `add`, then a `conversationUpdate` adding the bot,
//! both from the user with their bot-specific `29:` id); removing it sends an
//! `installationUpdate` `remove`, after which the Connector refuses to post to the chat (403).

use chrono::Utc;
use serde_json::{json, Value};

use super::client::{deliver, Delivered, TeamsClient};
use super::invoke::user_mri;
use super::service_url;
use super::store::BotActivity;
use super::token::ChannelToken;
use crate::error::{Result, SimError};

/// The activities Teams sends the bot about its personal scope.
#[derive(Debug, Clone, Copy)]
enum Notice {
    /// `installationUpdate` `add`.
    InstallationAdded,
    /// `conversationUpdate` with the bot in `membersAdded`.
    BotAdded,
    /// `installationUpdate` `remove`.
    InstallationRemoved,
}

/// What the bot's messaging endpoint answered to each activity Teams sent about an
/// installation.
#[derive(Debug, Clone, PartialEq)]
pub struct InstallOutcome {
    /// The user's personal chat with the bot (`a:…`).
    pub conversation_id: String,
    /// The HTTP status of each delivery, in order; `None` where no answer came.
    pub statuses: Vec<Option<u16>>,
}

impl InstallOutcome {
    /// Whether the bot answered every activity with a 2xx.
    pub fn acknowledged(&self) -> bool {
        self.statuses.iter().all(|s| s.is_some_and(|s| (200..300).contains(&s)))
    }
}

impl TeamsClient {
    /// `user` (object id or UPN) adds the app in personal scope: the chat opens and the bot
    /// hears of it.
    pub async fn install_personal(&self, user: &str) -> Result<InstallOutcome> {
        let (user_id, conversation_id) = self.personal_chat(user, true)?;
        let mut statuses = Vec::new();
        for kind in [Notice::InstallationAdded, Notice::BotAdded] {
            let activity = self.personal_activity(&user_id, &conversation_id, kind)?;
            statuses.push(self.deliver_personal(activity).await?.status);
        }
        tracing::info!(user = %user_id, %conversation_id, "teams client: app installed in personal scope");
        Ok(InstallOutcome {
            conversation_id,
            statuses,
        })
    }

    /// `user` removes the app from their personal scope: the bot hears of it and can no
    /// longer post to the chat.
    pub async fn uninstall_personal(&self, user: &str) -> Result<InstallOutcome> {
        let (user_id, conversation_id) = self.personal_chat(user, false)?;
        let activity = self.personal_activity(&user_id, &conversation_id, Notice::InstallationRemoved)?;
        let status = self.deliver_personal(activity).await?.status;
        tracing::info!(user = %user_id, %conversation_id, "teams client: app removed from personal scope");
        Ok(InstallOutcome {
            conversation_id,
            statuses: vec![status],
        })
    }

    /// What the bot posted into `user`'s personal chat, oldest first.
    pub fn personal_messages(&self, user: &str) -> Vec<BotActivity> {
        let Some(user_id) = self.teams.directory.state().user(user).map(|u| u.id.clone()) else {
            return Vec::new();
        };
        let store = self.teams.bot.store();
        let Some(chat) = store.personal_chat(&user_id) else {
            return Vec::new();
        };
        store
            .activities
            .iter()
            .filter(|a| a.conversation_id == chat.id)
            .cloned()
            .collect()
    }

    /// Marks the app installed or removed for the directory user and returns (object id, chat id).
    fn personal_chat(&self, user: &str, installed: bool) -> Result<(String, String)> {
        let sim = &self.teams;
        let user_id = sim
            .directory
            .state()
            .user(user)
            .map(|u| u.id.clone())
            .ok_or_else(|| SimError::NotFound {
                kind: "user",
                id: user.to_owned(),
            })?;
        let mut store = sim.bot.store();
        let conversation_id = store.open_personal_chat(&user_id, &sim.authority.tenant_id);
        if installed {
            store.installed_for.insert(user_id.to_ascii_lowercase());
        } else {
            store.installed_for.remove(&user_id.to_ascii_lowercase());
        }
        Ok((user_id, conversation_id))
    }

    fn personal_activity(&self, user_id: &str, conversation_id: &str, kind: Notice) -> Result<Value> {
        let sim = &self.teams;
        let name = sim
            .directory
            .state()
            .user(user_id)
            .map(|u| u.display_name.clone())
            .unwrap_or_default();
        let (app_id, bot_name) = {
            let s = sim.bot.settings();
            (s.app_id.clone().unwrap_or_default(), s.name.clone())
        };
        let bot = json!({ "id": format!("28:{app_id}"), "name": bot_name });
        let mut activity = json!({
            "timestamp": Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "id": format!("f:{}", uuid::Uuid::new_v4()),
            "channelId": "msteams",
            "serviceUrl": service_url(&sim.authority.base_url),
            "from": { "id": user_mri(&app_id, user_id), "name": name, "aadObjectId": user_id },
            "conversation": { "conversationType": "personal", "tenantId": sim.authority.tenant_id, "id": conversation_id },
            "recipient": bot,
            "channelData": { "tenant": { "id": sim.authority.tenant_id } },
            "locale": "en-US",
        });
        match kind {
            Notice::InstallationAdded => {
                activity["type"] = json!("installationUpdate");
                activity["action"] = json!("add");
            }
            Notice::BotAdded => {
                activity["type"] = json!("conversationUpdate");
                activity["membersAdded"] = json!([bot]);
            }
            Notice::InstallationRemoved => {
                activity["type"] = json!("installationUpdate");
                activity["action"] = json!("remove");
            }
        }
        Ok(activity)
    }

    async fn deliver_personal(&self, activity: Value) -> Result<Delivered> {
        let header = format!(
            "Bearer {}",
            ChannelToken::genuine().mint(&self.teams.bot, &self.teams.authority)?
        );
        deliver(&self.teams, &activity, Some(header)).await
    }
}
