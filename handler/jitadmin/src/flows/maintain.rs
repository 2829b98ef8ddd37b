//! One `maintain` run: subscriptions kept alive, every watched group reconciled (group
//! subscriptions get no "missed" notifications, so a schedule must catch what was lost),
//! and pending device check-ins confirmed. Each part runs even if another failed.

use chrono::{DateTime, Utc};

use super::watch::reconcile::reconcile_group;
use super::Context;
use crate::services::devices::confirm_check_ins;
use crate::services::subscriptions::{describe, ensure_subscriptions};

/// What a run did; `failures` is empty when everything worked.
#[derive(Debug, Default)]
pub struct MaintainReport {
    /// One line per part.
    pub done: Vec<String>,
    /// One line per failed part.
    pub failures: Vec<String>,
}

/// Run every part at `now`.
pub async fn run(ctx: &Context<'_>, now: DateTime<Utc>) -> MaintainReport {
    let mut report = MaintainReport::default();
    if ctx.watch.watching() {
        match ensure_subscriptions(ctx.subscriptions(), now).await {
            Ok(actions) => report.done.push(format!("subscriptions: {}", describe(&actions))),
            Err(e) => report.failures.push(format!("subscriptions: {e}")),
        }
    }
    for group in &ctx.watch.groups {
        match reconcile_group(ctx, group, now).await {
            Ok(r) => report.done.push(format!("group {group}: {}", r.describe())),
            Err(e) => report.failures.push(format!("group {group}: {e}")),
        }
    }
    match super::approval::expire::run(ctx, now).await {
        Ok(r) if r.open > 0 => report.done.push(format!("approvals: {}", r.describe())),
        Ok(_) => {}
        Err(e) => report.failures.push(format!("approvals: the store failed: {e}")),
    }
    match confirm_check_ins(ctx.devices(), now).await {
        Ok(c) => report.done.push(format!(
            "check-ins: {} confirmed, {} overdue, {} waiting, {} unreadable",
            c.checked_in, c.overdue, c.waiting, c.unreadable
        )),
        Err(e) => report.failures.push(format!("check-ins: {e}")),
    }
    report
}
