//! Drift: a member of a watched group without an active assignment of the configured
//! access packages (`JITADMIN_WATCH_ACCESS_PACKAGES`) got in some other way. Drift is
//! audited, logged and posted into the approvers' Teams channel when the bot is configured
//! ([`crate::teams::notices`]), and with
//! `JITADMIN_DRIFT_ACTION=remove` the member is removed and their devices synced.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::error::graph;
use super::WatchError;
use crate::app::App;
use crate::config::DriftAction;
use crate::devices::{self, trail, SyncReason};

/// Audit actions written here.
pub mod actions {
    /// A member without an active assignment.
    pub const DRIFT: &str = "watch.drift";
    /// That member was removed from the group.
    pub const DRIFT_REMOVED: &str = "watch.drift-removed";
}

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

/// Check a member that appeared in `group`.
pub async fn check_member(app: &App, group: &str, user: &str, now: DateTime<Utc>) -> Result<Membership, WatchError> {
    let settings = &app.config().devices;
    if settings.access_packages.is_empty() {
        return Ok(Membership::Unjudged);
    }
    for package in &settings.access_packages {
        let assignments = app
            .graph()
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
    let request_id = format!("group:{group}");
    tracing::warn!(group, user, action = ?settings.drift_action, "drift: a member of a watched group has no active assignment");
    trail::record(
        app.store(),
        &request_id,
        user,
        actions::DRIFT,
        json!({"group": group, "accessPackages": settings.access_packages, "action": format!("{:?}", settings.drift_action).to_lowercase()}),
    )
    .await?;
    let action = format!("{:?}", settings.drift_action).to_lowercase();
    crate::teams::notices::drift(app, group, user, &action).await;
    if settings.drift_action == DriftAction::Report {
        return Ok(Membership::Drift);
    }
    let removed = app
        .graph()
        .remove_group_member(group, user)
        .await
        .map_err(graph(format!("group {group}: removing drifted member {user}")))?;
    trail::record(
        app.store(),
        &request_id,
        user,
        actions::DRIFT_REMOVED,
        json!({"group": group, "wasMember": removed}),
    )
    .await?;
    devices::sync_user_devices(app, user, SyncReason::Removed, &request_id, now).await?;
    Ok(Membership::Removed)
}
