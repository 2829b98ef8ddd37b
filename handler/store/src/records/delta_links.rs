//! Graph delta links, one per group.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::SINGLE_ROW;
use crate::entity::{ETag, WriteMode};
use crate::store::{Record, Table};
use crate::{Result, Store};

/// The delta link to resume a group's membership delta query from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeltaLink {
    /// The group's object id.
    pub group_id: String,
    /// Graph's `@odata.deltaLink`.
    pub link: String,
    /// When it was stored.
    pub updated_at: DateTime<Utc>,
}

impl Record for DeltaLink {
    const KIND: &'static str = "delta link";
    const TABLE: Table = Table::DeltaLinks;
}

impl Store {
    /// The stored delta link for a group.
    pub async fn delta_link_get(&self, group_id: &str) -> Result<Option<DeltaLink>> {
        Ok(self
            .read::<DeltaLink>(group_id, SINGLE_ROW, group_id)
            .await?
            .map(|v| v.value))
    }

    /// Stores (replaces) a group's delta link.
    pub async fn delta_link_put(&self, link: &DeltaLink) -> Result<ETag> {
        self.write(&link.group_id, SINGLE_ROW, &link.group_id, link, WriteMode::Upsert)
            .await
    }
}
