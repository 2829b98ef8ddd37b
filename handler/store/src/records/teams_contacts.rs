//! Teams contacts: where the bot can write to a user 1:1, learned when they install the app in
//! personal scope (Teams gives the bot their bot-specific `29:` id and the chat only then).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::SINGLE_ROW;
use crate::entity::{ETag, WriteMode};
use crate::store::{Record, Table};
use crate::{Result, Store};

/// A user's personal chat with the bot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamsContact {
    /// The user's Entra object id (lower case).
    pub user_id: String,
    /// The user's Teams id as the bot sees it (`29:…`, specific to our bot), to reopen the chat.
    pub member_id: String,
    /// The personal chat's conversation id (`a:…`).
    pub conversation_id: String,
    /// The Bot Connector base URL the user's activities came from (users may differ: multi-geo).
    pub service_url: String,
    /// The tenant.
    pub tenant_id: String,
    /// When it was last confirmed by an activity.
    pub updated_at: DateTime<Utc>,
}

impl Record for TeamsContact {
    const KIND: &'static str = "teams contact";
    const TABLE: Table = Table::TeamsContacts;
}

impl Store {
    /// The user's Teams contact, if the bot has one.
    pub async fn teams_contact_get(&self, user_id: &str) -> Result<Option<TeamsContact>> {
        let key = user_id.to_ascii_lowercase();
        Ok(self
            .read::<TeamsContact>(&key, SINGLE_ROW, &key)
            .await?
            .map(|v| v.value))
    }

    /// Stores (replaces) a user's Teams contact.
    pub async fn teams_contact_put(&self, contact: &TeamsContact) -> Result<ETag> {
        let key = contact.user_id.to_ascii_lowercase();
        self.write(&key, SINGLE_ROW, &key, contact, WriteMode::Upsert).await
    }

    /// Forgets a user's Teams contact (they removed the app); `false` if there was none.
    pub async fn teams_contact_remove(&self, user_id: &str) -> Result<bool> {
        let key = user_id.to_ascii_lowercase();
        self.remove::<TeamsContact>(&key, SINGLE_ROW, &key).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_contact_is_stored_replaced_and_forgotten() {
        let store = Store::open_setting("sqlite::memory:", None).await.unwrap();
        let mut contact = TeamsContact {
            user_id: "6F7E8D9C-0B1A-4C2D-8E3F-4A5B6C7D8E9F".into(),
            member_id: "29:1abc".into(),
            conversation_id: "a:1xyz".into(),
            service_url: "https://smba.trafficmanager.net/emea/".into(),
            tenant_id: "84bd8158-6d4d-4958-8b9f-9d6445542f95".into(),
            updated_at: Utc::now(),
        };
        assert_eq!(store.teams_contact_get(&contact.user_id).await.unwrap(), None);
        store.teams_contact_put(&contact).await.unwrap();
        let lower = contact.user_id.to_ascii_lowercase();
        assert_eq!(store.teams_contact_get(&lower).await.unwrap(), Some(contact.clone()));
        contact.conversation_id = "a:1new".into();
        store.teams_contact_put(&contact).await.unwrap();
        let read = store.teams_contact_get(&lower).await.unwrap().unwrap();
        assert_eq!(read.conversation_id, "a:1new");
        assert!(store.teams_contact_remove(&contact.user_id).await.unwrap());
        assert!(!store.teams_contact_remove(&lower).await.unwrap());
        assert_eq!(store.teams_contact_get(&lower).await.unwrap(), None);
    }
}
