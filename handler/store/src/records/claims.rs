//! Claims: first caller wins, everyone else learns who won.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::SINGLE_ROW;
use crate::entity::WriteMode;
use crate::store::{Record, Table};
use crate::{Result, Store, StoreError};

/// The result of [`Store::claim`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This caller holds the claim.
    Won,
    /// Someone else got there first.
    Lost {
        /// Who holds the claim.
        winner: String,
        /// When they claimed it.
        at: DateTime<Utc>,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClaimRecord {
    key: String,
    claimant: String,
    at: DateTime<Utc>,
    /// Tells our own earlier attempt (whose answer was lost) from someone else's.
    nonce: String,
}

impl Record for ClaimRecord {
    const KIND: &'static str = "claim";
    const TABLE: Table = Table::Claims;
}

impl Store {
    /// Claims `key` for `claimant` with a conditional insert: the first caller wins, every later
    /// caller gets [`Claim::Lost`] naming the winner. The basis of "first approver wins" and of
    /// idempotent processing.
    pub async fn claim(&self, key: &str, claimant: &str) -> Result<Claim> {
        let mine = ClaimRecord {
            key: key.to_string(),
            claimant: claimant.to_string(),
            at: Utc::now(),
            nonce: uuid::Uuid::new_v4().simple().to_string(),
        };
        for _ in 0..8 {
            match self.write(key, SINGLE_ROW, key, &mine, WriteMode::Insert).await {
                Ok(_) => {
                    tracing::debug!(claim = key, claimant, "claim won");
                    return Ok(Claim::Won);
                }
                Err(StoreError::AlreadyExists { .. }) => {}
                Err(e) => return Err(e),
            }
            if let Some(held) = self.read::<ClaimRecord>(key, SINGLE_ROW, key).await? {
                let held = held.value;
                if held.nonce == mine.nonce {
                    return Ok(Claim::Won);
                }
                tracing::debug!(claim = key, claimant, winner = %held.claimant, "claim lost");
                return Ok(Claim::Lost {
                    winner: held.claimant,
                    at: held.at,
                });
            }
            // Released between our insert and read: try again.
        }
        Err(StoreError::Contended {
            record: ClaimRecord::KIND,
            id: key.to_string(),
            attempts: 8,
        })
    }

    /// Who holds `key`, if anyone.
    pub async fn claim_holder(&self, key: &str) -> Result<Option<(String, DateTime<Utc>)>> {
        Ok(self
            .read::<ClaimRecord>(key, SINGLE_ROW, key)
            .await?
            .map(|v| (v.value.claimant, v.value.at)))
    }

    /// Releases a claim (e.g. when the winner's work failed and another may try); `false` if none.
    pub async fn claim_release(&self, key: &str) -> Result<bool> {
        self.remove::<ClaimRecord>(key, SINGLE_ROW, key).await
    }
}
