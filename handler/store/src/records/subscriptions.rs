//! Graph change-notification subscriptions jitadmin keeps alive.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::SINGLE_ROW;
use crate::entity::{ETag, Query, WriteMode};
use crate::store::{Record, Table};
use crate::{Result, Store};

/// A Graph subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// Graph's subscription id.
    pub id: String,
    /// The watched resource, e.g. `groups/{id}/members`.
    pub resource: String,
    /// When Graph expires it.
    pub expires_at: DateTime<Utc>,
    /// Where the clientState secret lives (e.g. a Key Vault secret name), never the secret itself.
    pub client_state_ref: String,
}

impl Record for Subscription {
    const KIND: &'static str = "subscription";
    const TABLE: Table = Table::Subscriptions;
}

impl Store {
    /// Inserts or replaces a subscription.
    pub async fn subscription_put(&self, sub: &Subscription) -> Result<ETag> {
        self.write(&sub.id, SINGLE_ROW, &sub.id, sub, WriteMode::Upsert).await
    }

    /// One subscription.
    pub async fn subscription_get(&self, id: &str) -> Result<Option<Subscription>> {
        Ok(self.read::<Subscription>(id, SINGLE_ROW, id).await?.map(|v| v.value))
    }

    /// All subscriptions, soonest expiry first.
    pub async fn subscriptions(&self) -> Result<Vec<Subscription>> {
        let mut all: Vec<Subscription> = self
            .scan::<Subscription>(&Query::default())
            .await?
            .into_iter()
            .map(|v| v.value)
            .collect();
        all.sort_by(|a, b| a.expires_at.cmp(&b.expires_at).then_with(|| a.id.cmp(&b.id)));
        Ok(all)
    }

    /// Forgets a subscription; `false` if it was not there.
    pub async fn subscription_delete(&self, id: &str) -> Result<bool> {
        self.remove::<Subscription>(id, SINGLE_ROW, id).await
    }
}
