//! Reconciling a watched group by delta query
//! (<https://learn.microsoft.com/graph/api/group-delta>): from the stored deltaLink (or
//! a full round without one), following every nextLink; a deltaLink Graph no longer knows
//! (410, `syncStateNotFound`) starts one full round over instead of failing again and
//! again. Members who appeared are checked for drift (users against their assignments; a
//! nested group, device or service principal is always drift); users who left get their
//! devices synced. The new deltaLink is stored only after the changes were handled, so a failure
//! redoes the round (each step is idempotent).

use chrono::{DateTime, Utc};
use jitadmin_graph::GraphError;
use jitadmin_store::DeltaLink;

use super::drift::{check_member, Membership};
use crate::error::{graph, WatchError};
use crate::flows::Context;
use crate::services::devices::{sync_user_devices, SyncReason};

/// What a reconciliation found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reconciled {
    /// Whether this was a full round (first, or after an expired deltaLink).
    pub full: bool,
    /// Whether the stored deltaLink had expired.
    pub reset: bool,
    /// Members who appeared with an active assignment (or unjudged).
    pub assigned: usize,
    /// Members who appeared without one (reported or removed).
    pub drift: usize,
    /// Members who left (their devices synced).
    pub left: usize,
}

impl Reconciled {
    /// One line for logs.
    pub fn describe(&self) -> String {
        format!(
            "{} round{}: {} assigned, {} drift, {} left",
            if self.full { "full" } else { "delta" },
            if self.reset { " (the deltaLink had expired)" } else { "" },
            self.assigned,
            self.drift,
            self.left
        )
    }
}

/// Reconcile `group` at `now`.
pub async fn reconcile_group(ctx: &Context<'_>, group: &str, now: DateTime<Utc>) -> Result<Reconciled, WatchError> {
    let stored = ctx.store.delta_link_get(group).await?.map(|l| l.link);
    let mut result = Reconciled {
        full: stored.is_none(),
        ..Reconciled::default()
    };
    let round = match ctx.graph.group_members_delta(group, stored.as_deref()).await {
        Err(GraphError::DeltaReset { status, code, .. }) if stored.is_some() => {
            tracing::warn!(group, status, code = %code, "the deltaLink expired: starting a full round");
            result.full = true;
            result.reset = true;
            ctx.graph
                .group_members_delta(group, None)
                .await
                .map_err(graph(format!("group {group}: full delta round")))?
        }
        other => other.map_err(graph(format!("group {group}: delta query")))?,
    };
    let request_id = format!("group:{group}");
    let mut first_error = None;
    for change in &round.changes {
        let step = if change.removed && !change.is_user() {
            // A nested group, device or service principal left: no devices of a user to sync.
            Ok(())
        } else if change.removed {
            sync_user_devices(ctx.devices(), &change.id, SyncReason::Removed, &request_id, now)
                .await
                .map(|_| result.left += 1)
                .map_err(WatchError::from)
        } else {
            check_member(ctx, group, &change.id, change.kind(), now)
                .await
                .map(|m| match m {
                    Membership::Assigned | Membership::Unjudged => result.assigned += 1,
                    Membership::Drift | Membership::Removed => result.drift += 1,
                })
        };
        if let Err(error) = step {
            tracing::warn!(group, member = %change.id, "reconciling a member failed: {error}");
            first_error.get_or_insert(error);
        }
    }
    if let Some(error) = first_error {
        return Err(error);
    }
    ctx.store
        .delta_link_put(&DeltaLink {
            group_id: group.to_string(),
            link: round.delta_link,
            updated_at: now,
        })
        .await?;
    tracing::info!(group, pages = round.pages, "reconciled: {}", result.describe());
    Ok(result)
}
