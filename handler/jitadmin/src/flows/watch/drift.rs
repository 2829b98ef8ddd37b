//! Drift: a member of a watched group without an active assignment of the configured
//! access packages (`JITADMIN_ACCESS_PACKAGES`) got in some other way. Drift is
//! audited, logged and posted into the approvers' Teams channel when the bot is configured
//! ([`crate::services::teams::notices`]), and with
//! `JITADMIN_DRIFT_ACTION=remove` the member is removed and their devices synced.

use chrono::{DateTime, Utc};

use jitadmin_graph::groups::MemberKind;

use crate::audit::detail::DriftDetail;
use crate::audit::{self, Action, Entry};
use crate::config::DriftAction;
use crate::error::{graph, WatchError};
use crate::flows::Context;
use crate::services::devices::{sync_user_devices, SyncReason};
use crate::services::teams::notices;

/// Assignment states that mean "active" (being delivered counts: the grant adds the member).
const ACTIVE_STATES: [&str; 3] = ["delivered", "partiallyDelivered", "delivering"];

/// What a member check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    /// An active assignment backs the membership.
    Assigned,
    /// Drift, reported.
    Drift,
    /// Drift, and the member was removed.
    Removed,
    /// No access packages are configured: nothing to judge by.
    Unjudged,
}

/// Check a member that appeared in `group`. A user is drift without an active assignment of
/// a managed package; any other member (a nested group, whose members all become
/// administrators; a device; a service principal) is always drift, as no access package of
/// ours puts it there.
pub async fn check_member(
    ctx: &Context<'_>,
    group: &str,
    member: &str,
    kind: MemberKind,
    now: DateTime<Utc>,
) -> Result<Membership, WatchError> {
    if kind != MemberKind::User {
        return drift(ctx, group, member, kind, now).await;
    }
    let user = member;
    let packages = ctx.request.packages.ids();
    if packages.is_empty() {
        return Ok(Membership::Unjudged);
    }
    for package in packages {
        let assignments = ctx
            .graph
            .list_user_assignments(package, user)
            .await
            .map_err(graph(format!("group {group}: assignments of {user}")))?;
        let active = assignments.iter().any(|a| {
            a.state
                .as_deref()
                .is_some_and(|s| ACTIVE_STATES.iter().any(|x| x.eq_ignore_ascii_case(s)))
        });
        if active {
            return Ok(Membership::Assigned);
        }
    }
    drift(ctx, group, user, kind, now).await
}

/// Report `member` of `group` as drift and, with `JITADMIN_DRIFT_ACTION=remove`, remove it
/// (and sync a removed user's devices).
async fn drift(
    ctx: &Context<'_>,
    group: &str,
    member: &str,
    kind: MemberKind,
    now: DateTime<Utc>,
) -> Result<Membership, WatchError> {
    let settings = ctx.watch;
    let packages = ctx.request.packages.ids();
    let user = member;
    let request_id = format!("group:{group}");
    tracing::warn!(group, member, kind = kind.noun(), action = ?settings.drift_action, "drift: a member of a watched group has no active assignment");
    let action = settings.drift_action;
    let action_name = match action {
        DriftAction::Report => "report",
        DriftAction::Remove => "remove",
    };
    let found = DriftDetail {
        group: Some(group.to_string()),
        access_packages: packages.to_vec(),
        action: Some(action_name.to_string()),
        member_kind: (kind != MemberKind::User).then(|| kind.noun().to_string()),
        ..DriftDetail::default()
    };
    audit::append(
        ctx.store,
        Entry::by_jitadmin(&request_id, user, Action::WatchDrift, found),
    )
    .await?;
    if let Some(teams) = ctx.teams {
        notices::drift(ctx.store, ctx.graph, teams, group, user, kind, action).await;
    }
    if action == DriftAction::Report {
        return Ok(Membership::Drift);
    }
    let removed = ctx
        .graph
        .remove_group_member(group, user)
        .await
        .map_err(graph(format!("group {group}: removing drifted member {user}")))?;
    let detail = DriftDetail {
        group: Some(group.to_string()),
        was_member: Some(removed),
        ..DriftDetail::default()
    };
    audit::append(
        ctx.store,
        Entry::by_jitadmin(&request_id, user, Action::WatchDriftRemoved, detail),
    )
    .await?;
    if kind == MemberKind::User {
        sync_user_devices(ctx.devices(), user, SyncReason::Removed, &request_id, now).await?;
    }
    Ok(Membership::Removed)
}
