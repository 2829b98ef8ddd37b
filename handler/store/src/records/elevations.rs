//! Elevations: when each user held admin rights, for "hours in the last N days" rules.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::entity::{Query, WriteMode};
use crate::keys::encode_key;
use crate::store::{Record, Table, Versioned};
use crate::{Result, Store, StoreError};

/// One grant of an access package to a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Elevation {
    /// The user's object id.
    pub user: String,
    /// The access package id.
    pub access_package: String,
    /// The assignment request that granted it.
    pub request_id: String,
    /// When it was granted.
    pub granted_at: DateTime<Utc>,
    /// When it was removed; `None` while active.
    pub removed_at: Option<DateTime<Utc>>,
}

impl Record for Elevation {
    const KIND: &'static str = "elevation";
    const TABLE: Table = Table::Elevations;
}

/// A user's recent elevation history.
#[derive(Debug, Clone, PartialEq)]
pub struct ElevationSummary {
    /// Hours elevated within the window (overlapping grants count once).
    pub hours: f64,
    /// Elevations active now.
    pub active: Vec<Elevation>,
}

impl Store {
    /// Records a grant. Replays of the same request keep the first record.
    pub async fn elevation_granted(&self, elevation: &Elevation) -> Result<()> {
        let id = format!("{}/{}", elevation.user, elevation.request_id);
        match self
            .write(
                &elevation.user,
                &elevation.request_id,
                &id,
                elevation,
                WriteMode::Insert,
            )
            .await
        {
            Ok(_) | Err(StoreError::AlreadyExists { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Records the removal of a user's access package: closes every open elevation of it and
    /// returns them (empty when there was none, e.g. on replay).
    pub async fn elevation_removed(
        &self,
        user: &str,
        access_package: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<Elevation>> {
        let mut closed = Vec::new();
        for Versioned { mut value, etag } in self.elevation_records(user).await? {
            if value.access_package != access_package || value.removed_at.is_some() {
                continue;
            }
            value.removed_at = Some(at.max(value.granted_at));
            let id = format!("{user}/{}", value.request_id);
            match self
                .write(user, &value.request_id, &id, &value, WriteMode::Replace(etag))
                .await
            {
                Ok(_) => closed.push(value),
                // Closed concurrently by a duplicate event: nothing more to do for this one.
                Err(StoreError::ETagMismatch { .. } | StoreError::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(closed)
    }

    async fn elevation_records(&self, user: &str) -> Result<Vec<Versioned<Elevation>>> {
        self.scan::<Elevation>(&Query {
            partition: Some(encode_key(user)),
            ..Query::default()
        })
        .await
    }

    /// A user's elevations, oldest grant first.
    pub async fn elevations(&self, user: &str) -> Result<Vec<Elevation>> {
        let mut all: Vec<Elevation> = self
            .elevation_records(user)
            .await?
            .into_iter()
            .map(|v| v.value)
            .collect();
        all.sort_by(|a, b| {
            a.granted_at
                .cmp(&b.granted_at)
                .then_with(|| a.request_id.cmp(&b.request_id))
        });
        Ok(all)
    }

    /// Hours a user was elevated in the `days` days before `now`, and what is active now.
    pub async fn elevation_summary(&self, user: &str, days: u32, now: DateTime<Utc>) -> Result<ElevationSummary> {
        Ok(ElevationSummary::of(self.elevations(user).await?, days, now))
    }
}

impl ElevationSummary {
    /// Hours elevated in the `days` days before `now` (overlapping elevations counted once),
    /// and what is active now, of the elevations `all`.
    pub fn of(all: Vec<Elevation>, days: u32, now: DateTime<Utc>) -> ElevationSummary {
        let since = now - Duration::days(i64::from(days));
        let mut spans: Vec<(DateTime<Utc>, DateTime<Utc>)> = all
            .iter()
            .map(|e| (e.granted_at.max(since), e.removed_at.unwrap_or(now).min(now)))
            .filter(|(start, end)| start < end)
            .collect();
        spans.sort();
        let mut total = Duration::zero();
        let mut current: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
        for (start, end) in spans {
            current = match current {
                Some((s, e)) if start <= e => Some((s, e.max(end))),
                Some((s, e)) => {
                    total += e - s;
                    Some((start, end))
                }
                None => Some((start, end)),
            };
        }
        if let Some((s, e)) = current {
            total += e - s;
        }
        let active = all
            .into_iter()
            .filter(|e| e.removed_at.is_none() && e.granted_at <= now)
            .collect();
        ElevationSummary {
            hours: total.num_milliseconds() as f64 / 3_600_000.0,
            active,
        }
    }
}
