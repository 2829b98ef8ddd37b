//! The idempotency ledger: each event key's status, outcome and attempts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::SINGLE_ROW;
use crate::entity::WriteMode;
use crate::store::{Record, Table};
use crate::{Result, Store, StoreError};

/// Where an event stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LedgerStatus {
    /// Being handled (or was, and the handler died).
    Pending,
    /// Handled; replays change nothing.
    Done,
    /// The last attempt failed; a retry may succeed.
    Failed,
}

/// One idempotency key's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerEntry {
    /// The idempotency key, e.g. `callout:{stageInstanceId}:{stage}`.
    pub key: String,
    /// Where it stands.
    pub status: LedgerStatus,
    /// What handling it did (for `Done`).
    pub outcome: Option<String>,
    /// How many times handling began.
    pub attempts: u32,
    /// First time seen.
    pub first_seen: DateTime<Utc>,
    /// Last time seen.
    pub last_seen: DateTime<Utc>,
    /// The last failure, if any.
    pub last_error: Option<String>,
}

/// How handling ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerOutcome {
    /// Handled, with a description of what was done.
    Done(String),
    /// Failed, with the error.
    Failed(String),
}

impl Record for LedgerEntry {
    const KIND: &'static str = "ledger entry";
    const TABLE: Table = Table::Ledger;
}

/// Read-modify-write attempts before giving up under contention.
const MAX_TRIES: u32 = 32;

impl Store {
    /// The ledger entry for a key, if the key was ever seen.
    pub async fn ledger_get(&self, key: &str) -> Result<Option<LedgerEntry>> {
        Ok(self.read::<LedgerEntry>(key, SINGLE_ROW, key).await?.map(|v| v.value))
    }

    /// Records that handling of `key` begins and returns the entry as it now stands.
    ///
    /// A key already `Done` is returned unchanged: the caller should skip the work and say so.
    /// Otherwise the entry becomes `Pending` with one more attempt.
    pub async fn ledger_begin(&self, key: &str) -> Result<LedgerEntry> {
        for _ in 0..MAX_TRIES {
            let now = Utc::now();
            match self.read::<LedgerEntry>(key, SINGLE_ROW, key).await? {
                None => {
                    let entry = LedgerEntry {
                        key: key.to_string(),
                        status: LedgerStatus::Pending,
                        outcome: None,
                        attempts: 1,
                        first_seen: now,
                        last_seen: now,
                        last_error: None,
                    };
                    match self.write(key, SINGLE_ROW, key, &entry, WriteMode::Insert).await {
                        Ok(_) => return Ok(entry),
                        Err(StoreError::AlreadyExists { .. }) => continue,
                        Err(e) => return Err(e),
                    }
                }
                Some(current) if current.value.status == LedgerStatus::Done => return Ok(current.value),
                Some(current) => {
                    let mut entry = current.value;
                    entry.status = LedgerStatus::Pending;
                    entry.attempts = entry.attempts.saturating_add(1);
                    entry.last_seen = now;
                    match self
                        .write(key, SINGLE_ROW, key, &entry, WriteMode::Replace(current.etag))
                        .await
                    {
                        Ok(_) => return Ok(entry),
                        Err(StoreError::ETagMismatch { .. } | StoreError::NotFound { .. }) => continue,
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        Err(StoreError::Contended {
            record: LedgerEntry::KIND,
            id: key.to_string(),
            attempts: MAX_TRIES,
        })
    }

    /// Records how handling of `key` ended (creating the entry if `ledger_begin` was skipped).
    pub async fn ledger_finish(&self, key: &str, outcome: LedgerOutcome) -> Result<LedgerEntry> {
        for _ in 0..MAX_TRIES {
            let now = Utc::now();
            let current = self.read::<LedgerEntry>(key, SINGLE_ROW, key).await?;
            let (mut entry, mode) = match current {
                Some(v) => (v.value, WriteMode::Replace(v.etag)),
                None => (
                    LedgerEntry {
                        key: key.to_string(),
                        status: LedgerStatus::Pending,
                        outcome: None,
                        attempts: 1,
                        first_seen: now,
                        last_seen: now,
                        last_error: None,
                    },
                    WriteMode::Insert,
                ),
            };
            entry.last_seen = now;
            match &outcome {
                LedgerOutcome::Done(text) => {
                    entry.status = LedgerStatus::Done;
                    entry.outcome = Some(text.clone());
                }
                LedgerOutcome::Failed(error) => {
                    entry.status = LedgerStatus::Failed;
                    entry.last_error = Some(error.clone());
                }
            }
            match self.write(key, SINGLE_ROW, key, &entry, mode).await {
                Ok(_) => return Ok(entry),
                Err(
                    StoreError::ETagMismatch { .. } | StoreError::NotFound { .. } | StoreError::AlreadyExists { .. },
                ) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Contended {
            record: LedgerEntry::KIND,
            id: key.to_string(),
            attempts: MAX_TRIES,
        })
    }
}
