//! The watch on the admin groups: a group change reconciles the group by delta query (the
//! notification is only a trigger:
//! <https://learn.microsoft.com/graph/delta-query-overview>); a lifecycle event is answered
//! (`reauthorizationRequired` → reauthorize; `subscriptionRemoved` → subscriptions made
//! whole; `missed` → reconcile every group; unknown events are logged and ignored:
//! <https://learn.microsoft.com/graph/change-notifications-lifecycle-events>).

pub mod drift;
pub mod reconcile;

use chrono::Utc;
use jitadmin_events::notification::LifecycleEvent;

use super::Context;
use crate::error::WatchError;
use crate::queue::{GroupChange, Lifecycle};
use crate::services::subscriptions::{describe, ensure_subscriptions, reauthorize};
use reconcile::reconcile_group;

/// Reconcile the group of a change; the text says what was done.
pub async fn group_change(ctx: &Context<'_>, event: &GroupChange) -> Result<String, WatchError> {
    let group = event.group_id.as_str();
    if !ctx.watch.groups.iter().any(|g| g.eq_ignore_ascii_case(group)) {
        return Ok(format!("group {group} is not watched (JITADMIN_WATCH_GROUPS): ignored"));
    }
    let reconciled = reconcile_group(ctx, group, Utc::now()).await?;
    Ok(format!("group {group}: {}", reconciled.describe()))
}

/// Answer a lifecycle event; the text says what was done.
pub async fn lifecycle(ctx: &Context<'_>, event: &Lifecycle) -> Result<String, WatchError> {
    let now = Utc::now();
    match &event.lifecycle_event {
        LifecycleEvent::ReauthorizationRequired => reauthorize(ctx.subscriptions(), &event.subscription_id, now).await,
        LifecycleEvent::SubscriptionRemoved => Ok(format!(
            "subscriptions: {}",
            describe(&ensure_subscriptions(ctx.subscriptions(), now).await?)
        )),
        LifecycleEvent::Missed => {
            let mut done = Vec::new();
            for group in &ctx.watch.groups {
                done.push(format!(
                    "group {group}: {}",
                    reconcile_group(ctx, group, now).await?.describe()
                ));
            }
            Ok(done.join("; "))
        }
        LifecycleEvent::Other(other) => {
            tracing::warn!(subscription = %event.subscription_id, lifecycle_event = %other, "unknown lifecycle event ignored");
            Ok(format!("lifecycle event {other:?} ignored"))
        }
    }
}
